#include "ledger/entry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ledger/merkle.h"

namespace xy::ledger {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

MATCHER_P(IsEntryError, substring, "") {
  return !arg.has_value() && arg.error().code == ErrorCode::kInvalidArgument &&
         arg.error().reason == "ledger.entry" &&
         arg.error().message.find(substring) != std::string::npos;
}

std::string Bytes(const Sm3Digest& digest) { return std::string(digest.begin(), digest.end()); }

std::string BigEndian64(std::uint64_t value) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  return out;
}

std::string Field(std::string_view value) {
  const auto size = static_cast<std::uint32_t>(value.size());
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  out.append(value);
  return out;
}

std::vector<Entry> SampleEntries() {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  return {
      RecordVersionEntry{42, 3, "admin_penalty",
                         "淮南市市场监督管理局\x1f"
                         "淮市监罚〔2024〕17号",
                         Sm3("content"), 9001},
      RecordVersionEntry{},
      RecordVersionEntry{kMax, kMin, "", std::string(kMaxEntryFieldSize, 'k'), Sm3(""), -1},
      ListDecisionEntry{7, "serious_violation", "include", "91340400MA2N0X0X0X",
                        "11340400003151620N", Date(2024y / 3 / 15), Sm3("decision")},
      ListDecisionEntry{8, "abnormal_operation", "remove", "a1b2c3", "", Date(2000y / 2 / 29),
                        Sm3("")},
      ReportEntry{"XY-340400-20240601-000123", "91340400MA2N0X0X0X", 1717200000, Sm3("report")},
      ReportEntry{},
      QueryEntry{5, "11340400003151620N", "clerk-17", "91340400MA2N0X0X0X", "340400-XK-0001",
                 "行政许可审查", "", 1717200001, Sm3("measures")},
      QueryEntry{6, "91340000000000000X", "bank-api", "a1b2c3", "", "信易贷授信", "AUTH-2024-99",
                 -5, Sm3("profile")},
  };
}

TEST(EntryTest, EveryKindRoundTrips) {
  for (const Entry& entry : SampleEntries()) {
    SCOPED_TRACE(std::string(EntryKindName(KindOf(entry))));
    auto bytes = EncodeEntry(entry);
    ASSERT_TRUE(bytes.has_value()) << bytes.error().ToString();
    EXPECT_EQ(static_cast<std::uint8_t>((*bytes)[0]), kEntryFormatVersion);
    EXPECT_EQ(static_cast<std::uint8_t>((*bytes)[1]), static_cast<std::uint8_t>(KindOf(entry)));
    auto decoded = DecodeEntry(*bytes);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().ToString();
    EXPECT_EQ(*decoded, entry);
  }
}

TEST(EntryTest, RecordVersionBytesAreExactlyTheDocumentedLayout) {
  const Sm3Digest content = Sm3("abc");
  auto bytes = EncodeEntry(RecordVersionEntry{1, 2, "ab", "k", content, 3});
  ASSERT_TRUE(bytes.has_value());
  const std::string expected = std::string("\x01\x01", 2) + BigEndian64(1) + BigEndian64(2) +
                               Field("ab") + Field("k") + Bytes(content) + BigEndian64(3);
  EXPECT_EQ(ToHex(*bytes), ToHex(expected));
}

TEST(EntryTest, OtherKindsFollowTheDocumentedLayout) {
  const Sm3Digest d = Sm3("d");
  auto list = EncodeEntry(ListDecisionEntry{-2, "l", "include", "s", "by", Date(2024y / 1 / 5), d});
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(ToHex(*list),
            ToHex(std::string("\x01\x02", 2) + BigEndian64(std::uint64_t(-2)) + Field("l") +
                  Field("include") + Field("s") + Field("by") + Field("2024-01-05") + Bytes(d)));
  auto report = EncodeEntry(ReportEntry{"no", "s", 1700000000, d});
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(ToHex(*report), ToHex(std::string("\x01\x03", 2) + Field("no") + Field("s") +
                                  BigEndian64(1700000000) + Bytes(d)));
  auto query = EncodeEntry(QueryEntry{9, "dp", "op", "s", "m", "p", "a", 11, d});
  ASSERT_TRUE(query.has_value());
  EXPECT_EQ(ToHex(*query),
            ToHex(std::string("\x01\x04", 2) + BigEndian64(9) + Field("dp") + Field("op") +
                  Field("s") + Field("m") + Field("p") + Field("a") + BigEndian64(11) + Bytes(d)));
}

TEST(EntryTest, DifferentEntriesHaveDifferentLeafHashes) {
  // Moving a byte from one field to the next must not give the same bytes.
  auto a = EncodeEntry(RecordVersionEntry{1, 1, "ab", "c", Sm3(""), 1});
  auto b = EncodeEntry(RecordVersionEntry{1, 1, "a", "bc", Sm3(""), 1});
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_NE(LeafHash(*a), LeafHash(*b));
  // Same field values, different kinds.
  auto r = EncodeEntry(ReportEntry{"x", "y", 0, Sm3("")});
  auto q = EncodeEntry(QueryEntry{0, "x", "y", "", "", "", "", 0, Sm3("")});
  ASSERT_TRUE(r.has_value() && q.has_value());
  EXPECT_NE(*r, *q);
}

TEST(EntryTest, EveryTruncationIsRejected) {
  for (const Entry& entry : SampleEntries()) {
    auto bytes = EncodeEntry(entry);
    ASSERT_TRUE(bytes.has_value());
    // Every cut, except inside the 64 KiB sample's long field where one cut stands for all.
    for (std::size_t n = 0; n < bytes->size();
         n += (n > 100 && bytes->size() - n > 100) ? 997 : 1) {
      ASSERT_THAT(DecodeEntry(std::string_view(*bytes).substr(0, n)), IsEntryError("truncated"))
          << "kept " << n << " of " << bytes->size() << " bytes";
    }
  }
}

TEST(EntryTest, TrailingBytesAreRejected) {
  auto bytes = EncodeEntry(ReportEntry{"no", "s", 1, Sm3("")});
  ASSERT_TRUE(bytes.has_value());
  EXPECT_THAT(DecodeEntry(*bytes + '\0'), IsEntryError("1 trailing bytes"));
  EXPECT_THAT(DecodeEntry(*bytes + *bytes), IsEntryError("trailing bytes"));
}

TEST(EntryTest, UnknownVersionsAndKindsAreRejected) {
  auto bytes = EncodeEntry(ReportEntry{"no", "s", 1, Sm3("")});
  ASSERT_TRUE(bytes.has_value());
  for (int version : {0, 2, 255}) {
    std::string changed = *bytes;
    changed[0] = static_cast<char>(version);
    EXPECT_THAT(DecodeEntry(changed), IsEntryError("unknown entry format version"));
  }
  for (int kind : {0, 5, 127, 255}) {
    std::string changed = *bytes;
    changed[1] = static_cast<char>(kind);
    EXPECT_THAT(DecodeEntry(changed), IsEntryError("unknown entry kind " + std::to_string(kind)));
  }
  EXPECT_EQ(EntryKindName(static_cast<EntryKind>(9)), "unknown");
}

TEST(EntryTest, OverlongLengthPrefixesAreRejected) {
  // A report whose first field claims 4 GiB − 1 bytes.
  const std::string bytes = std::string("\x01\x03\xff\xff\xff\xff", 6) + "xyz";
  EXPECT_THAT(DecodeEntry(bytes), IsEntryError("over the 65536-byte limit"));
  // Just over the limit, with the bytes actually there.
  std::string big = std::string("\x01\x03", 2) + Field(std::string(kMaxEntryFieldSize + 1, 'x'));
  EXPECT_THAT(DecodeEntry(big), IsEntryError("report_no"));
}

TEST(EntryTest, EncodingRejectsWhatCouldNotBeDecoded) {
  EXPECT_THAT(EncodeEntry(ReportEntry{std::string(kMaxEntryFieldSize + 1, 'x'), "s", 0, Sm3("")}),
              IsEntryError("report_no is 65537 bytes"));
  ListDecisionEntry bad_date{1, "l", "include", "s", "by", Date(2023y / 2 / 29), Sm3("")};
  EXPECT_THAT(EncodeEntry(bad_date), IsEntryError("decided_on"));
  bad_date.decided_on = Date{};
  EXPECT_THAT(EncodeEntry(bad_date), IsEntryError("decided_on"));
  bad_date.decided_on = Date(std::chrono::year(12345) / 1 / 1);
  EXPECT_THAT(EncodeEntry(bad_date), IsEntryError("decided_on"));
}

TEST(EntryTest, MalformedDatesAreRejected) {
  const Sm3Digest d = Sm3("d");
  for (std::string date :
       {"2024-13-01", "2023-02-29", "2024-1-05", "20240105", "", "2024-01-05 "}) {
    const std::string bytes = std::string("\x01\x02", 2) + BigEndian64(1) + Field("l") +
                              Field("include") + Field("s") + Field("by") + Field(date) + Bytes(d);
    EXPECT_THAT(DecodeEntry(bytes), IsEntryError("decided_on")) << date;
  }
}

// Whatever bytes decode must be the one encoding of what they decode to, so no entry has two leaf
// hashes; checked over every single-byte change of every sample and over random inputs.
TEST(EntryTest, AnythingThatDecodesIsCanonical) {
  int decoded_count = 0;
  for (const Entry& entry : SampleEntries()) {
    auto bytes = EncodeEntry(entry);
    ASSERT_TRUE(bytes.has_value());
    if (bytes->size() > 4096) continue;  // the 64 KiB sample would take long and teach nothing new
    for (std::size_t i = 0; i < bytes->size(); ++i) {
      for (int delta : {1, 0x80, 0xff}) {
        std::string changed = *bytes;
        changed[i] = static_cast<char>(changed[i] + delta);
        auto decoded = DecodeEntry(changed);
        if (!decoded) {
          ASSERT_EQ(decoded.error().reason, "ledger.entry");
          continue;
        }
        ++decoded_count;
        auto again = EncodeEntry(*decoded);
        ASSERT_TRUE(again.has_value());
        ASSERT_EQ(ToHex(*again), ToHex(changed)) << "byte " << i;
      }
    }
  }
  EXPECT_GT(decoded_count, 100);  // many changes land in values and decode to other entries

  std::mt19937 rng(20240601);
  for (int round = 0; round < 20000; ++round) {
    std::string random(rng() % 80, '\0');
    for (char& c : random) c = static_cast<char>(rng() % 8 == 0 ? rng() : rng() % 4);
    if (random.size() >= 2) {
      random[0] = '\x01';
      random[1] = static_cast<char>(1 + rng() % 4);
    }
    auto decoded = DecodeEntry(random);
    if (decoded) {
      auto again = EncodeEntry(*decoded);
      ASSERT_TRUE(again.has_value());
      ASSERT_EQ(*again, random);
    }
  }
}

TEST(EntryTest, ErrorsNameTheOffset) {
  auto bytes = EncodeEntry(RecordVersionEntry{1, 2, "ab", "k", Sm3(""), 3});
  ASSERT_TRUE(bytes.has_value());
  auto error = DecodeEntry(std::string_view(*bytes).substr(0, 23));
  ASSERT_FALSE(error.has_value());
  EXPECT_THAT(error.error().message, HasSubstr("truncated: item at byte 22 needs 2 bytes, 1 left"));
  EXPECT_FALSE(error.error().message_zh.empty());
}

}  // namespace
}  // namespace xy::ledger
