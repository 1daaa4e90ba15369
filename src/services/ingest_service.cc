#include "services/ingest_service.h"

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <cmath>
#include <map>

#include "base/sm3.h"
#include "base/text.h"
#include "domain/uscc.h"
#include "store/ledger_rows.h"

namespace xy {
namespace {

using Json = nlohmann::ordered_json;

std::int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-11-28T22:50:00+08:00": receipts are read in China.
std::string FormatChinaTime(std::int64_t seconds) {
  std::int64_t local = seconds + 8 * 3600;
  std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  std::int64_t rest = local - days * 86400;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d+08:00", FormatIsoDate(FromDayNumber(days)).c_str(),
                static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
                static_cast<int>(rest % 60));
  return buf;
}

double Ratio(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return 1.0;
  return std::round(static_cast<double>(part) / static_cast<double>(whole) * 10000.0) / 10000.0;
}

std::string BaseName(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string_view EncodingName(TextEncoding e) {
  switch (e) {
    case TextEncoding::kGb18030:
      return "gb18030";
    case TextEncoding::kUtf8:
    case TextEncoding::kAuto:
      break;
  }
  return "utf-8";
}

// Rows are handed from the producer thread to the store thread in chunks of this many.
constexpr std::size_t kChunkRows = 256;

// One row, ready for the store: a record to upsert or a row to quarantine, with the code issues
// it raises.
struct PreparedRow {
  bool valid = false;
  RecordInput record;
  QuarantineInput quarantine;
  std::vector<CodeIssue> code_issues;
  bool put_subject = false;  // a subject_registry row registers its subject first
  int region_code = 0;
};

// The figures the producer counts (read by the consumer only after the producer has finished).
struct ProducerTotals {
  std::int64_t rows = 0, rejected = 0, complete = 0, code_error_rows = 0;
  std::int64_t with_deadline = 0, on_time = 0;
  std::map<std::string, std::int64_t> reasons, warnings;
};

// Validation, hashing and sealing of one row: everything that needs no store.
struct RowPreparer {
  const CatalogItem& item;
  const ColumnMap& columns;
  const ValidationContext& vctx;
  const IngestDeps& deps;
  const std::string& dept;
  Date received_on;

  // `raw_sm3`: the hex SM3 of row.raw (hashed for a whole chunk at once, see PrepareChunk).
  PreparedRow Prepare(RawRow row, std::string raw_sm3, ProducerTotals& t) const {
    PreparedRow p;
    ++t.rows;
    ValidatedRow v = ValidateRow(item, columns, row, vctx);
    t.complete += v.complete;
    t.code_error_rows += v.code_error;
    for (const RowIssue& w : v.warnings) ++t.warnings[w.reason];
    if (!v.valid()) {
      ++t.rejected;
      QuarantineInput& q = p.quarantine;
      q.row_no = row.row_no;
      q.values = std::move(row.cells);
      q.raw_sm3 = std::move(raw_sm3);
      for (const RowIssue& e : v.errors) {
        ++t.reasons[e.reason];
        q.reasons.push_back(e.reason);
        q.messages_zh.push_back(e.message_zh);
        if (e.reason.starts_with("uscc.")) {
          // 错码: kept for the 重错码 review with the reason the code failed.
          auto it = v.record.fields.find(e.field);
          CodeIssue issue;
          issue.kind = "error";
          issue.code = it == v.record.fields.end() ? "" : it->second;
          issue.detail = e.reason;
          p.code_issues.push_back(std::move(issue));
        }
      }
      return p;
    }
    p.valid = true;
    RecordInput& rec = p.record;
    rec = std::move(v.record);
    rec.dept = dept;
    rec.raw_sm3 = std::move(raw_sm3);
    if (!v.person_id.empty()) {
      rec.subject.person_index = deps.cipher->BlindIndex(v.person_id);
      rec.subject.person_sealed = deps.cipher->SealDeterministic(v.person_id);
    }
    if (item.report_deadline_working_days > 0 && rec.decided_on) {
      ++t.with_deadline;
      Result<int> days = deps.calendar->WorkingDaysBetween(*rec.decided_on, received_on);
      // A decision outside the calendar's years cannot be judged; count it as on time rather than
      // blame the department for a missing holiday table.
      if (!days || *days <= item.report_deadline_working_days) ++t.on_time;
    }
    if (item.code == "subject_registry" && !rec.subject.uscc.empty()) {
      p.put_subject = true;
      p.region_code = UsccRegionCode(rec.subject.uscc);
    }
    return p;
  }
};

// Prepares a chunk of rows. SM3 runs here for many rows at once (Sm3Many hashes up to sixteen
// messages in parallel lanes where the CPU has the instructions): the raw rows, and — when the
// batch keeps the ledger — each valid record's canonical content, whose digest its leaf carries.
void PrepareChunk(const RowPreparer& preparer, bool ledger, std::vector<RawRow>& rows,
                  std::vector<PreparedRow>& out, ProducerTotals& t) {
  thread_local std::vector<std::string_view> views;
  thread_local std::vector<Sm3Digest> digests;
  views.clear();
  for (const RawRow& r : rows) views.push_back(r.raw);
  digests.resize(views.size());
  Sm3Many(views, digests);
  const std::size_t first = out.size();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out.push_back(preparer.Prepare(std::move(rows[i]), ToHex(digests[i]), t));
  }
  rows.clear();
  if (!ledger) return;
  thread_local std::vector<std::string> texts;
  texts.clear();
  views.clear();
  for (std::size_t i = first; i < out.size(); ++i) {
    if (!out[i].valid) continue;
    const RecordInput& rec = out[i].record;
    const std::string decided = FormatIsoDate(rec.decided_on);
    const std::string from = FormatIsoDate(rec.publicity_from);
    const std::string until = FormatIsoDate(rec.publicity_until);
    texts.push_back(RecordInputContentText(rec, VersionText{.fields_json = rec.fields_json,
                                                            .decided_on = decided,
                                                            .publicity_from = from,
                                                            .publicity_until = until}));
  }
  for (const std::string& text : texts) views.push_back(text);
  digests.resize(views.size());
  Sm3Many(views, digests);
  std::size_t k = 0;
  for (std::size_t i = first; i < out.size(); ++i) {
    if (out[i].valid) out[i].record.content_sm3 = digests[k++];
  }
}

// A bounded hand-over queue between one producer and one consumer.
class ChunkQueue {
 public:
  explicit ChunkQueue(std::size_t capacity) : capacity_(capacity) {}

  // Blocks while full. Returns false when the consumer has cancelled.
  bool Push(std::vector<PreparedRow>&& chunk) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < capacity_ || cancelled_; });
    if (cancelled_) return false;
    queue_.push_back(std::move(chunk));
    not_empty_.notify_one();
    return true;
  }
  // Blocks while empty; nullopt once the producer has closed and everything was taken.
  std::optional<std::vector<PreparedRow>> Pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return std::nullopt;
    std::vector<PreparedRow> chunk = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return chunk;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }
  // The consumer hands a processed chunk back, so that its rows are freed (and its capacity reused)
  // on the producer's thread: freeing memory another thread allocated costs the allocator far more,
  // and the consumer is the pipeline's narrowest stage.
  void Recycle(std::vector<PreparedRow>&& chunk) {
    std::lock_guard lock(mu_);
    if (recycled_.size() < capacity_) recycled_.push_back(std::move(chunk));
  }
  // An emptied chunk for the producer to fill (a recycled one when there is one).
  std::vector<PreparedRow> TakeEmpty() {
    std::vector<PreparedRow> chunk;
    {
      std::lock_guard lock(mu_);
      if (!recycled_.empty()) {
        chunk = std::move(recycled_.front());
        recycled_.pop_front();
      }
    }
    chunk.clear();
    chunk.reserve(kChunkRows);
    return chunk;
  }
  void Cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<std::vector<PreparedRow>> queue_;
  std::deque<std::vector<PreparedRow>> recycled_;
  std::size_t capacity_;
  bool closed_ = false;
  bool cancelled_ = false;
};

}  // namespace

Result<Json> RunIngest(const IngestRequest& request, const IngestDeps& deps) {
  const CatalogItem* item = deps.catalog->Find(request.item);
  if (item == nullptr) {
    std::string known;
    for (const auto& [code, it] : deps.catalog->items()) known += (known.empty() ? "" : ", ") + code;
    return Fail(ErrorCode::kNotFound, "ingest.item",
                "unknown catalogue item '" + request.item + "' (known: " + known + ")",
                "目录中没有“" + request.item + "”，可用的目录项：" + known);
  }
  Result<Uscc> dept = Uscc::Parse(request.dept);
  if (!dept) {
    return Fail(ErrorCode::kInvalidArgument, "ingest.dept",
                "--dept must be the department's unified social credit code: " + dept.error().message,
                "报送部门应填写其统一社会信用代码：" + dept.error().message_zh);
  }
  std::string dept_code(dept->str());
  if (!item->departments.empty() &&
      std::find(item->departments.begin(), item->departments.end(), dept_code) == item->departments.end()) {
    return Fail(ErrorCode::kPermissionDenied, "ingest.dept",
                "department " + dept_code + " does not own the item " + item->code,
                "部门 " + dept_code + " 不是“" + item->name + "”的报送部门");
  }

  Result<std::unique_ptr<Reader>> reader = OpenReader(request.path, request.encoding);
  if (!reader) return std::unexpected(reader.error());
  Result<ColumnMap> columns = MapColumns(*item, (*reader)->header());
  if (!columns) return std::unexpected(columns.error());

  const std::int64_t received_at = deps.now ? deps.now() : SystemNow();
  const Date received_on = FromDayNumber((received_at + 8 * 3600) / 86400);

  BatchInput batch;
  const bool ledger_on = deps.ledger_key != nullptr;
  batch.ledger_key = deps.ledger_key;
  batch.item = item->code;
  batch.dept = dept_code;
  batch.file_name = request.file_name.empty() ? BaseName(request.path) : request.file_name;
  batch.catalog_version = item->version;
  batch.header = (*reader)->header();
  batch.received_at = received_at;
  // The file's digest, on a thread of its own: reading the file a second time from the page cache
  // costs little, and hashing it overlaps the row work instead of preceding it.
  std::optional<Result<std::string>> file_sm3;
  std::thread hasher([&] {
    pthread_setname_np(pthread_self(), "xy-ingest-hash");  // for top -H and profilers
    file_sm3 = FileSm3Hex(request.path);
  });
  struct JoinHasher {
    std::thread& t;
    ~JoinHasher() {
      if (t.joinable()) t.join();
    }
  } join_hasher{hasher};

  Result<std::unique_ptr<BatchTransaction>> tx = deps.store->BeginBatch(batch);
  if (!tx) return std::unexpected(tx.error());

  ValidationContext vctx;
  vctx.clock = deps.clock;
  vctx.exceptions = deps.exceptions;
  // The validator encodes each valid row's fields here, off the store's thread (the pipeline's
  // narrowest stage). Personal fields are sealed at rest; deterministic sealing keeps "unchanged"
  // detectable.
  vctx.encode_fields = true;
  vctx.seal_personal = [cipher = deps.cipher](std::string_view value) {
    return "sm4:" + ToHex(cipher->SealDeterministic(value));
  };
  const RowPreparer preparer{*item, *columns, vctx, deps, dept_code, received_on};

  // Two threads, so the two cores work at once: this one writes to the store while a producer reads,
  // validates, hashes and seals the next rows. Chunks keep the hand-over cheap; the bounded queue
  // keeps memory flat. The store transaction stays on this thread.
  ChunkQueue queue(/*capacity=*/8);
  ProducerTotals totals;
  std::optional<Error> read_error;
  std::thread producer([&] {
    pthread_setname_np(pthread_self(), "xy-ingest-read");
    std::vector<RawRow> rows;
    rows.reserve(kChunkRows);
    bool more = true;
    while (more) {
      Result<std::optional<RawRow>> next = (*reader)->Next();
      if (!next) {
        read_error = next.error();
        break;
      }
      more = next->has_value();
      if (more) rows.push_back(std::move(**next));
      if (rows.size() == kChunkRows || (!more && !rows.empty())) {
        std::vector<PreparedRow> chunk = queue.TakeEmpty();
        PrepareChunk(preparer, ledger_on, rows, chunk, totals);
        if (!queue.Push(std::move(chunk))) return;  // the consumer gave up
      }
    }
    queue.Close();
  });
  // Whatever happens below, stop the producer and wait for it before anything it uses goes away.
  struct JoinOnExit {
    ChunkQueue& q;
    std::thread& t;
    ~JoinOnExit() {
      q.Cancel();
      if (t.joinable()) t.join();
    }
  } join_on_exit{queue, producer};

  std::int64_t accepted = 0, updated = 0, unchanged = 0, conflicts = 0, provisional = 0;
  // Valid rows go to the store a run at a time (UpsertMany); a subject_registry row registers its
  // subject first, so it closes the run before it to keep the file's order.
  std::vector<const RecordInput*> run;
  std::vector<UpsertResult> results;
  auto flush = [&]() -> Result<void> {
    results.clear();
    if (Result<void> r = (*tx)->UpsertMany(run, results); !r) return r;
    for (std::size_t i = 0; i < run.size(); ++i) {
      const UpsertResult& up = results[i];
      switch (up.outcome) {
        case UpsertOutcome::kAccepted:
          ++accepted;
          break;
        case UpsertOutcome::kUpdated:
          ++updated;
          break;
        case UpsertOutcome::kUnchanged:
          ++unchanged;
          break;
      }
      provisional += up.subject_created;
      if (up.known_name) {
        // 重码: the same code arriving under another name.
        ++conflicts;
        CodeIssue issue;
        issue.kind = "duplicate";
        issue.code = run[i]->subject.uscc;
        issue.detail = *up.known_name + " / " + run[i]->subject.name;
        if (Result<void> r = (*tx)->ReportCodeIssue(issue); !r) return r;
      }
    }
    run.clear();
    return {};
  };
  while (std::optional<std::vector<PreparedRow>> chunk = queue.Pop()) {
    for (PreparedRow& p : *chunk) {
      for (const CodeIssue& issue : p.code_issues) {
        if (Result<void> r = (*tx)->ReportCodeIssue(issue); !r) return std::unexpected(r.error());
      }
      if (!p.valid) {
        if (Result<void> r = (*tx)->Quarantine(p.quarantine); !r) return std::unexpected(r.error());
        continue;
      }
      if (p.put_subject) {
        if (Result<void> r = flush(); !r) return std::unexpected(r.error());
        if (Result<SubjectId> s = (*tx)->PutSubject(p.record.subject, p.region_code); !s) {
          return std::unexpected(s.error());
        }
      }
      run.push_back(&p.record);
    }
    if (Result<void> r = flush(); !r) return std::unexpected(r.error());
    queue.Recycle(std::move(*chunk));
  }
  producer.join();
  if (read_error) return std::unexpected(*read_error);
  hasher.join();
  if (!*file_sm3) return std::unexpected(file_sm3->error());
  batch.file_sm3 = **file_sm3;
  if (Result<void> r = (*tx)->SetFileSm3(batch.file_sm3); !r) return std::unexpected(r.error());

  const std::int64_t rows = totals.rows, rejected = totals.rejected;
  const std::int64_t with_deadline = totals.with_deadline, on_time = totals.on_time;
  std::map<std::string, std::int64_t>& reasons = totals.reasons;
  std::map<std::string, std::int64_t>& warnings = totals.warnings;
  if (conflicts > 0) warnings["subject.code_conflict"] += conflicts;
  const std::int64_t complete = totals.complete, code_error_rows = totals.code_error_rows;

  Json receipt;
  receipt["batch_id"] = (*tx)->batch_id();
  receipt["item"] = item->code;
  receipt["item_name"] = item->name;
  receipt["dept"] = dept_code;
  receipt["file"] = batch.file_name;
  receipt["file_sm3"] = batch.file_sm3;
  receipt["encoding"] = std::string(EncodingName((*reader)->encoding()));
  receipt["catalog_version"] = item->version;
  receipt["received_at"] = FormatChinaTime(received_at);
  receipt["rows"] = rows;
  receipt["accepted"] = accepted;
  receipt["updated"] = updated;
  receipt["unchanged"] = unchanged;
  receipt["rejected"] = rejected;
  receipt["reasons"] = Json::object();
  for (const auto& [k, n] : reasons) receipt["reasons"][k] = n;
  receipt["warnings"] = Json::object();
  for (const auto& [k, n] : warnings) receipt["warnings"][k] = n;
  receipt["code_conflicts"] = conflicts;
  receipt["provisional_subjects"] = provisional;
  Json quality;
  quality["timeliness"] = item->report_deadline_working_days > 0 ? Json(Ratio(on_time, with_deadline))
                                                                 : Json(nullptr);
  quality["deadline_working_days"] = item->report_deadline_working_days;
  quality["late_rows"] = with_deadline - on_time;
  quality["completeness"] = Ratio(complete, rows);
  quality["compliance"] = Ratio(rows - rejected, rows);
  quality["code_errors"] =
      rows == 0 ? 0.0 : std::round(static_cast<double>(code_error_rows) * 10000.0 / rows * 100) / 100;
  receipt["quality"] = quality;
  Json ignored = Json::array();
  for (const std::string& h : columns->ignored_columns) ignored.push_back(h);
  receipt["ignored_columns"] = ignored;
  Json absent = Json::array();
  for (const FieldSpec* f : columns->absent_fields) absent.push_back(f->code);
  receipt["absent_fields"] = absent;
  if (rejected > 0) {
    receipt["quarantine"] = "xinyong quarantine --batch " + std::to_string((*tx)->batch_id()) +
                            " --out rejected.csv";
  }
  if (Result<void> r = (*tx)->Commit(receipt.dump()); !r) return std::unexpected(r.error());
  return receipt;
}

namespace {

void AppendCsvField(std::string& out, std::string_view v) {
  bool quote = v.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out.append(v);
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

Result<std::string> QuarantineCsv(Store& store, BatchId batch_id) {
  Result<std::optional<Batch>> batch = store.GetBatch(batch_id);
  if (!batch) return std::unexpected(batch.error());
  if (!batch->has_value()) {
    return Fail(ErrorCode::kNotFound, "quarantine.batch", "no batch " + std::to_string(batch_id),
                "没有批次 " + std::to_string(batch_id));
  }
  Result<std::vector<QuarantineRow>> rows = store.GetQuarantine(batch_id);
  if (!rows) return std::unexpected(rows.error());
  std::string out = "\xEF\xBB\xBF";  // BOM: Excel reads UTF-8 CSV correctly only with one
  const std::vector<std::string>& header = (*batch)->header;
  for (const std::string& h : header) {
    AppendCsvField(out, h);
    out += ',';
  }
  out += "原始行号,错误原因代码,错误原因\r\n";
  for (const QuarantineRow& r : *rows) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      AppendCsvField(out, i < r.values.size() ? r.values[i] : "");
      out += ',';
    }
    out += std::to_string(r.row_no) + ',';
    std::string codes, messages;
    for (std::size_t i = 0; i < r.reasons.size(); ++i) {
      codes += (i ? "；" : "") + r.reasons[i];
      messages += (i ? "；" : "") + (i < r.messages_zh.size() ? r.messages_zh[i] : "");
    }
    AppendCsvField(out, codes);
    out += ',';
    AppendCsvField(out, messages);
    out += "\r\n";
  }
  return out;
}

}  // namespace xy
