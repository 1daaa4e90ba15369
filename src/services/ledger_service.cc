#include "services/ledger_service.h"

#include <variant>

#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "store/encoding.h"

namespace xy {
namespace {

// Leaves are read a page at a time: the whole log never has to fit in memory at once.
constexpr std::int64_t kPage = 65536;

// A natural key as people read it: its parts joined by " / " instead of U+001F.
std::string ShownKey(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '\x1f') {
      out += " / ";
    } else {
      out += c;
    }
  }
  return out;
}

Sm3Digest ContentSm3(const StoredVersion& v) {
  const std::string decided = FormatIsoDate(v.version.decided_on);
  const std::string from = FormatIsoDate(v.version.publicity_from);
  const std::string until = FormatIsoDate(v.version.publicity_until);
  return Sm3(RecordContentText(RecordContent{.fields_json = v.fields_json,
                                             .subject_code = v.subject_code,
                                             .severity = SeverityText(v.version.severity),
                                             .decided_on = decided,
                                             .publicity_from = from,
                                             .publicity_until = until,
                                             .published = v.version.published,
                                             .dept = v.version.dept,
                                             .row_no = v.version.row_no,
                                             .raw_sm3 = v.version.raw_sm3}));
}

LedgerProblem LeafProblem(std::string kind, std::int64_t leaf, std::string message,
                          std::string message_zh) {
  LedgerProblem p;
  p.kind = std::move(kind);
  p.leaf = leaf;
  p.message = std::move(message);
  p.message_zh = std::move(message_zh);
  return p;
}

// Checks one record_version leaf against the store; nullopt when it holds.
Result<std::optional<LedgerProblem>> CheckRecordLeaf(Store& store, std::int64_t leaf,
                                                     const ledger::RecordVersionEntry& e) {
  Result<std::optional<StoredVersion>> stored =
      store.GetRecordVersion(e.record_id, static_cast<int>(e.version));
  if (!stored) return std::unexpected(stored.error());
  const std::string name = "record " + std::to_string(e.record_id) + " version " +
                           std::to_string(e.version) + " (" + e.item + " " + ShownKey(e.natural_key) + ")";
  const std::string name_zh = "记录 " + std::to_string(e.record_id) + " 第" +
                              std::to_string(e.version) + "版（" + e.item + "，" + ShownKey(e.natural_key) + "）";
  auto problem = [&](std::string kind, std::string message, std::string message_zh) {
    LedgerProblem p = LeafProblem(std::move(kind), leaf, std::move(message), std::move(message_zh));
    p.record = e.record_id;
    p.version = static_cast<int>(e.version);
    p.item = e.item;
    p.natural_key = e.natural_key;
    return std::optional<LedgerProblem>(std::move(p));
  };
  if (!stored->has_value()) {
    return problem("record.missing", name + " is in the ledger but no longer in the store",
                   name_zh + " 已记入可信账本，但数据库中已不存在（被删除）");
  }
  const StoredVersion& v = **stored;
  if (v.item != e.item || v.natural_key != e.natural_key || ContentSm3(v) != e.content_sm3) {
    return problem("record.changed", name + " differs from what the ledger recorded",
                   name_zh + " 的内容与可信账本记录不一致（被篡改）");
  }
  return std::optional<LedgerProblem>();
}

}  // namespace

Result<LedgerCheck> VerifyLedger(Store& store, const std::string& public_pem) {
  LedgerCheck check;
  Result<std::vector<ledger::SignedTreeHead>> heads = store.TreeHeads();
  if (!heads) return std::unexpected(heads.error());
  check.heads = static_cast<std::int64_t>(heads->size());
  for (const ledger::SignedTreeHead& h : *heads) {
    Result<bool> ok = ledger::VerifyTreeHead(public_pem, h);
    if (!ok) return std::unexpected(ok.error());
    if (!*ok) {
      LedgerProblem p;
      p.kind = "head.signature";
      p.tree_size = h.head.tree_size;
      p.message = "the signature of the tree head at size " + std::to_string(h.head.tree_size) +
                  " does not verify under the ledger key";
      p.message_zh = "树头（规模 " + std::to_string(h.head.tree_size) + "）的签名验证失败";
      check.problems.push_back(std::move(p));
    }
  }

  ledger::MerkleLog log;
  std::size_t next_head = 0;
  auto check_heads_at = [&](std::int64_t size) {
    while (next_head < heads->size() && (*heads)[next_head].head.tree_size == size) {
      if (log.Root() != (*heads)[next_head].head.root) {
        LedgerProblem p;
        p.kind = "head.root";
        p.tree_size = size;
        p.message = "the leaves do not give the root signed at size " + std::to_string(size) +
                    ": a leaf was changed, removed or inserted";
        p.message_zh = "账本前 " + std::to_string(size) + " 条记录算出的根哈希与签名树头不符：有记录被改动、删除或插入";
        check.problems.push_back(std::move(p));
      }
      ++next_head;
    }
  };
  check_heads_at(0);
  for (std::int64_t from = 0;; from += kPage) {
    Result<std::vector<LedgerLeaf>> page = store.LedgerLeaves(from, kPage);
    if (!page) return std::unexpected(page.error());
    for (const LedgerLeaf& leaf : *page) {
      if (leaf.index != check.leaves) {
        check.problems.push_back(LeafProblem(
            "leaf.sequence", leaf.index,
            "leaf " + std::to_string(leaf.index) + " found where leaf " +
                std::to_string(check.leaves) + " belongs",
            "账本记录编号不连续：在第 " + std::to_string(check.leaves) + " 条的位置出现第 " +
                std::to_string(leaf.index) + " 条"));
      }
      if (ledger::LeafHash(leaf.entry) != leaf.leaf_hash) {
        check.problems.push_back(LeafProblem("leaf.hash", leaf.index,
                                             "leaf " + std::to_string(leaf.index) +
                                                 ": the stored hash is not the hash of its entry",
                                             "账本第 " + std::to_string(leaf.index) + " 条的哈希与内容不符"));
      }
      Result<ledger::Entry> entry = ledger::DecodeEntry(leaf.entry);
      if (!entry) {
        check.problems.push_back(LeafProblem("leaf.entry", leaf.index,
                                             "leaf " + std::to_string(leaf.index) + ": " + entry.error().message,
                                             "账本第 " + std::to_string(leaf.index) + " 条无法解析"));
      } else if (const auto* rv = std::get_if<ledger::RecordVersionEntry>(&*entry)) {
        ++check.record_versions;
        Result<std::optional<LedgerProblem>> found = CheckRecordLeaf(store, leaf.index, *rv);
        if (!found) return std::unexpected(found.error());
        if (*found) check.problems.push_back(std::move(**found));
      }
      log.Append(leaf.leaf_hash);
      ++check.leaves;
      check_heads_at(check.leaves);
    }
    if (static_cast<std::int64_t>(page->size()) < kPage) break;
  }
  const std::int64_t signed_size = heads->empty() ? 0 : heads->back().head.tree_size;
  if (signed_size != check.leaves || next_head != heads->size()) {
    LedgerProblem p;
    p.kind = "head.missing";
    p.tree_size = signed_size;
    p.message = "the ledger holds " + std::to_string(check.leaves) +
                " leaves but its signed heads cover " + std::to_string(signed_size);
    p.message_zh = "账本共 " + std::to_string(check.leaves) + " 条，签名树头只覆盖 " +
                   std::to_string(signed_size) + " 条";
    check.problems.push_back(std::move(p));
  }
  return check;
}

Result<ledger::InclusionBundle> ProveRecordVersion(Store& store, RecordId record,
                                                   std::optional<int> version) {
  if (!version) {
    Result<std::vector<RecordVersion>> history = store.RecordHistory(record);
    if (!history) return std::unexpected(history.error());
    if (history->empty()) {
      return Fail(ErrorCode::kNotFound, "ledger.record", "no record " + std::to_string(record),
                  "没有编号为 " + std::to_string(record) + " 的记录");
    }
    version = history->back().version;
  }
  Result<std::optional<LedgerLeaf>> leaf = store.FindLedgerLeaf(record, *version);
  if (!leaf) return std::unexpected(leaf.error());
  if (!leaf->has_value()) {
    Result<std::optional<StoredVersion>> stored = store.GetRecordVersion(record, *version);
    if (!stored) return std::unexpected(stored.error());
    if (!stored->has_value()) {
      return Fail(ErrorCode::kNotFound, "ledger.record",
                  "no version " + std::to_string(*version) + " of record " + std::to_string(record),
                  "记录 " + std::to_string(record) + " 没有第" + std::to_string(*version) + "版");
    }
    return Fail(ErrorCode::kFailedPrecondition, "ledger.unlogged",
                "record " + std::to_string(record) + " version " + std::to_string(*version) +
                    " was stored without a ledger leaf",
                "记录 " + std::to_string(record) + " 第" + std::to_string(*version) + "版未记入可信账本");
  }
  Result<std::vector<ledger::SignedTreeHead>> heads = store.TreeHeads();
  if (!heads) return std::unexpected(heads.error());
  if (heads->empty() || heads->back().head.tree_size <= (*leaf)->index) {
    return Fail(ErrorCode::kFailedPrecondition, "ledger.unlogged",
                "no signed tree head covers leaf " + std::to_string((*leaf)->index),
                "尚无签名树头覆盖该账本记录");
  }
  const ledger::SignedTreeHead& head = heads->back();
  std::vector<Sm3Digest> hashes;
  hashes.reserve(static_cast<std::size_t>(head.head.tree_size));
  for (std::int64_t from = 0; from < head.head.tree_size; from += kPage) {
    Result<std::vector<LedgerLeaf>> page =
        store.LedgerLeaves(from, std::min(kPage, head.head.tree_size - from));
    if (!page) return std::unexpected(page.error());
    if (page->empty()) break;
    for (const LedgerLeaf& l : *page) hashes.push_back(l.leaf_hash);
  }
  Result<std::vector<Sm3Digest>> path =
      ledger::InclusionProof(hashes, (*leaf)->index, head.head.tree_size);
  if (!path) return std::unexpected(path.error());
  return ledger::InclusionBundle{.entry = (*leaf)->entry,
                                 .leaf_index = (*leaf)->index,
                                 .inclusion_path = std::move(*path),
                                 .tree_head = head};
}

}  // namespace xy
