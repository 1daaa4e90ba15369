#include "store/ledger_rows.h"

#include <cstring>
#include <utility>
#include <vector>

#include "ledger/entry.h"
#include "store/encoding.h"

namespace xy {
namespace {

std::unexpected<Error> Corrupt(std::string what) {
  return Fail(ErrorCode::kInternal, "store.corrupt", "stored value cannot be read back: " + what,
              "数据库中的数据无法读取");
}

}  // namespace

std::string RecordInputContentText(const RecordInput& in, const VersionText& text) {
  return RecordContentText(RecordContent{
      .fields_json = text.fields_json,
      .subject_code = in.subject.uscc.empty() ? in.subject.person_index : in.subject.uscc,
      .severity = SeverityText(in.severity),
      .decided_on = text.decided_on,
      .publicity_from = text.publicity_from,
      .publicity_until = text.publicity_until,
      .published = in.published,
      .dept = in.dept,
      .row_no = in.row_no,
      .raw_sm3 = in.raw_sm3});
}

Result<LeafRow> RecordVersionLeaf(RecordId record, int version, BatchId batch,
                                  const RecordInput& in, const VersionText& text) {
  ledger::RecordVersionEntry e;
  e.record_id = record;
  e.version = version;
  e.item = in.item;
  e.natural_key = in.natural_key;
  e.batch_id = batch;
  if (in.content_sm3) {
    e.content_sm3 = *in.content_sm3;
  } else {
    e.content_sm3 = Sm3(RecordInputContentText(in, text));
  }
  Result<std::string> entry = ledger::EncodeEntry(e);
  if (!entry) return std::unexpected(entry.error());
  LeafRow row;
  row.hash = ledger::LeafHash(*entry);
  row.entry = std::move(*entry);
  return row;
}

std::string FrontierBlob(const ledger::MerkleLog& log) {
  std::string blob;
  blob.reserve(log.frontier().size() * kSm3Size);
  for (const Sm3Digest& d : log.frontier()) {
    blob.append(reinterpret_cast<const char*>(d.data()), d.size());
  }
  return blob;
}

Result<ledger::MerkleLog> RestoreLedgerLog(std::int64_t head_size, std::string_view frontier,
                                           std::int64_t leaves) {
  if (leaves != head_size) {
    return Fail(ErrorCode::kFailedPrecondition, "store.ledger",
                "the ledger holds " + std::to_string(leaves) +
                    " leaves but its last signed head covers " + std::to_string(head_size) +
                    "; run `xinyong ledger verify`",
                "可信账本的记录数与最后签名的树头不一致，请运行 xinyong ledger verify 检查");
  }
  if (frontier.size() % kSm3Size != 0) {
    return Corrupt("ledger frontier at size " + std::to_string(head_size));
  }
  std::vector<Sm3Digest> digests(frontier.size() / kSm3Size);
  for (std::size_t i = 0; i < digests.size(); ++i) {
    std::memcpy(digests[i].data(), frontier.data() + i * kSm3Size, kSm3Size);
  }
  Result<ledger::MerkleLog> log = ledger::MerkleLog::Restore(head_size, std::move(digests));
  if (!log) return Corrupt("ledger frontier: " + log.error().message);
  return log;
}

Result<ledger::SignedTreeHead> SignLogHead(const Sm2KeyPair& key, const ledger::MerkleLog& log,
                                           Timestamp now) {
  return ledger::SignTreeHead(
      key, ledger::TreeHead{.tree_size = log.size(), .root = log.Root(), .timestamp = now});
}

}  // namespace xy
