#include "ledger/entry.h"

#include <algorithm>
#include <optional>
#include <type_traits>
#include <utility>

namespace xy::ledger {
namespace {

auto EntryError(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "ledger.entry", std::move(message), "账本条目格式错误");
}

class Writer {
 public:
  void Byte(std::uint8_t value) { out_.push_back(static_cast<char>(value)); }

  void Int64(std::int64_t value) {
    const auto bits = static_cast<std::uint64_t>(value);
    for (int shift = 56; shift >= 0; shift -= 8) Byte(static_cast<std::uint8_t>(bits >> shift));
  }

  // Records the first problem and keeps going, so that encoding reads as one list of fields.
  void String(std::string_view field, std::string_view value) {
    if (value.size() > kMaxEntryFieldSize) {
      Problem(std::string(field) + " is " + std::to_string(value.size()) + " bytes, over the " +
              std::to_string(kMaxEntryFieldSize) + "-byte limit");
      return;
    }
    const auto size = static_cast<std::uint32_t>(value.size());
    for (int shift = 24; shift >= 0; shift -= 8) Byte(static_cast<std::uint8_t>(size >> shift));
    out_.append(value);
  }

  void Digest(const Sm3Digest& digest) { out_.append(digest.begin(), digest.end()); }

  void IsoDate(std::string_view field, Date date) {
    std::string text = FormatIsoDate(date);
    auto parsed = ParseIsoDate(text);
    if (!parsed || *parsed != date) {
      Problem(std::string(field) + " is not a real date with a four-digit year");
      return;
    }
    String(field, text);
  }

  Result<std::string> Finish() && {
    if (problem_) return EntryError(std::move(*problem_));
    return std::move(out_);
  }

 private:
  void Problem(std::string message) {
    if (!problem_) problem_ = std::move(message);
  }

  std::string out_;
  std::optional<std::string> problem_;
};

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  // Each read fails the whole decode on the first problem; later reads then do nothing.
  std::uint8_t Byte(std::string_view field) {
    if (!Need(field, 1)) return 0;
    return static_cast<std::uint8_t>(bytes_[pos_++]);
  }

  std::int64_t Int64(std::string_view field) {
    if (!Need(field, 8)) return 0;
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits = bits << 8 | static_cast<std::uint8_t>(bytes_[pos_++]);
    return static_cast<std::int64_t>(bits);
  }

  std::string String(std::string_view field) {
    const std::size_t at = pos_;
    if (!Need(field, 4)) return {};
    std::uint32_t size = 0;
    for (int i = 0; i < 4; ++i) size = size << 8 | static_cast<std::uint8_t>(bytes_[pos_++]);
    if (size > kMaxEntryFieldSize) {
      Problem(std::string(field) + " at byte " + std::to_string(at) + " claims " +
              std::to_string(size) + " bytes, over the " + std::to_string(kMaxEntryFieldSize) +
              "-byte limit");
      return {};
    }
    if (!Need(field, size)) return {};
    std::string out(bytes_.substr(pos_, size));
    pos_ += size;
    return out;
  }

  Sm3Digest Digest(std::string_view field) {
    Sm3Digest out{};
    if (!Need(field, out.size())) return out;
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(pos_), out.size(), out.begin());
    pos_ += out.size();
    return out;
  }

  Date IsoDate(std::string_view field) {
    const std::size_t at = pos_;
    std::string text = String(field);
    if (problem_) return {};
    auto date = ParseIsoDate(text);
    if (!date) {
      Problem(std::string(field) + " at byte " + std::to_string(at) +
              " is not a date: " + date.error().message);
      return {};
    }
    return *date;
  }

  Result<void> Finish() && {
    if (!problem_ && pos_ != bytes_.size()) {
      Problem(std::to_string(bytes_.size() - pos_) + " trailing bytes after the entry at byte " +
              std::to_string(pos_));
    }
    if (problem_) return EntryError(std::move(*problem_));
    return {};
  }

  void Problem(std::string message) {
    if (!problem_) problem_ = std::move(message);
  }
  bool failed() const { return problem_.has_value(); }

 private:
  bool Need(std::string_view field, std::size_t size) {
    if (problem_) return false;
    if (bytes_.size() - pos_ < size) {
      Problem("truncated: " + std::string(field) + " at byte " + std::to_string(pos_) + " needs " +
              std::to_string(size) + " bytes, " + std::to_string(bytes_.size() - pos_) + " left");
      return false;
    }
    return true;
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
  std::optional<std::string> problem_;
};

// The field lists, once each for writing and reading; keep the two of a kind in the same order.

void Write(Writer& w, const RecordVersionEntry& e) {
  w.Int64(e.record_id);
  w.Int64(e.version);
  w.String("item", e.item);
  w.String("natural_key", e.natural_key);
  w.Digest(e.content_sm3);
  w.Int64(e.batch_id);
}

void Read(Reader& r, RecordVersionEntry& e) {
  e.record_id = r.Int64("record_id");
  e.version = r.Int64("version");
  e.item = r.String("item");
  e.natural_key = r.String("natural_key");
  e.content_sm3 = r.Digest("content_sm3");
  e.batch_id = r.Int64("batch_id");
}

void Write(Writer& w, const ListDecisionEntry& e) {
  w.Int64(e.decision_id);
  w.String("list", e.list);
  w.String("action", e.action);
  w.String("subject", e.subject);
  w.String("decided_by", e.decided_by);
  w.IsoDate("decided_on", e.decided_on);
  w.Digest(e.decision_sm3);
}

void Read(Reader& r, ListDecisionEntry& e) {
  e.decision_id = r.Int64("decision_id");
  e.list = r.String("list");
  e.action = r.String("action");
  e.subject = r.String("subject");
  e.decided_by = r.String("decided_by");
  e.decided_on = r.IsoDate("decided_on");
  e.decision_sm3 = r.Digest("decision_sm3");
}

void Write(Writer& w, const ReportEntry& e) {
  w.String("report_no", e.report_no);
  w.String("subject", e.subject);
  w.Int64(e.issued_at);
  w.Digest(e.report_sm3);
}

void Read(Reader& r, ReportEntry& e) {
  e.report_no = r.String("report_no");
  e.subject = r.String("subject");
  e.issued_at = r.Int64("issued_at");
  e.report_sm3 = r.Digest("report_sm3");
}

void Write(Writer& w, const QueryEntry& e) {
  w.Int64(e.query_id);
  w.String("dept", e.dept);
  w.String("operator_id", e.operator_id);
  w.String("subject", e.subject);
  w.String("matter_code", e.matter_code);
  w.String("purpose", e.purpose);
  w.String("authorization", e.authorization);
  w.Int64(e.queried_at);
  w.Digest(e.response_sm3);
}

void Read(Reader& r, QueryEntry& e) {
  e.query_id = r.Int64("query_id");
  e.dept = r.String("dept");
  e.operator_id = r.String("operator_id");
  e.subject = r.String("subject");
  e.matter_code = r.String("matter_code");
  e.purpose = r.String("purpose");
  e.authorization = r.String("authorization");
  e.queried_at = r.Int64("queried_at");
  e.response_sm3 = r.Digest("response_sm3");
}

template <typename T>
Result<Entry> ReadAs(Reader& r) {
  T entry;
  Read(r, entry);
  if (auto done = std::move(r).Finish(); !done) return std::unexpected(std::move(done.error()));
  return Entry(std::move(entry));
}

}  // namespace

std::string_view EntryKindName(EntryKind kind) {
  switch (kind) {
    case EntryKind::kRecordVersion:
      return "record_version";
    case EntryKind::kListDecision:
      return "list_decision";
    case EntryKind::kReport:
      return "report";
    case EntryKind::kQuery:
      return "query";
  }
  return "unknown";
}

EntryKind KindOf(const Entry& entry) {
  return std::visit([](const auto& e) { return std::decay_t<decltype(e)>::kKind; }, entry);
}

Result<std::string> EncodeEntry(const Entry& entry) {
  Writer w;
  w.Byte(kEntryFormatVersion);
  w.Byte(static_cast<std::uint8_t>(KindOf(entry)));
  std::visit([&w](const auto& e) { Write(w, e); }, entry);
  return std::move(w).Finish();
}

Result<Entry> DecodeEntry(std::string_view bytes) {
  Reader r(bytes);
  const std::uint8_t version = r.Byte("version");
  const std::uint8_t kind = r.Byte("kind");
  if (r.failed()) return std::unexpected(std::move(r).Finish().error());
  if (version != kEntryFormatVersion) {
    return EntryError("unknown entry format version " + std::to_string(version));
  }
  switch (static_cast<EntryKind>(kind)) {
    case EntryKind::kRecordVersion:
      return ReadAs<RecordVersionEntry>(r);
    case EntryKind::kListDecision:
      return ReadAs<ListDecisionEntry>(r);
    case EntryKind::kReport:
      return ReadAs<ReportEntry>(r);
    case EntryKind::kQuery:
      return ReadAs<QueryEntry>(r);
  }
  return EntryError("unknown entry kind " + std::to_string(kind));
}

}  // namespace xy::ledger
