// The ingest use case: one department file → one batch.
//
// file → reader → map columns → validate each row against the catalogue item → protect personal
// fields → upsert by natural key (or quarantine with reasons) → batch receipt with the department's
// quality figures. Every input row ends in exactly one of accepted / updated / unchanged / rejected
// (ARCHITECTURE.md principle 2). The whole batch is one store transaction: a run killed at any moment
// leaves nothing, and running it again gives the state one clean run gives.
//
// Thread-safety: one IngestService per thread (it uses one Store).

#ifndef XY_SERVICES_INGEST_SERVICE_H_
#define XY_SERVICES_INGEST_SERVICE_H_

#include <nlohmann/json.hpp>
#include <string>

#include "base/calendar.h"
#include "base/crypto.h"
#include "base/date.h"
#include "domain/catalog.h"
#include "ingest/reader.h"
#include "ingest/validator.h"
#include "store/store.h"

namespace xy {

struct IngestRequest {
  std::string item;  // catalogue item code
  std::string dept;  // the submitting department's USCC
  std::string path;  // the file
  std::string file_name;  // as shown in the receipt (defaults to the path's last part)
  TextEncoding encoding = TextEncoding::kAuto;
};

struct IngestDeps {
  Store* store = nullptr;
  const Catalog* catalog = nullptr;
  const Clock* clock = nullptr;
  const WorkingDayCalendar* calendar = nullptr;
  const UsccExceptions* exceptions = nullptr;  // may be null
  const PersonalDataCipher* cipher = nullptr;
  // Signs the transparency ledger's tree heads; every stored record version gets a leaf. Null only
  // to measure what the ledger costs (bench_ingest runs with and without it).
  const Sm2KeyPair* ledger_key = nullptr;
  // Seconds since the epoch for received_at; injectable so tests get stable receipts.
  std::int64_t (*now)() = nullptr;
};

// Runs one batch and returns its receipt (INTERFACES.md: batch_id, item, dept, rows, accepted,
// updated, unchanged, rejected, reasons, quality, and more). Errors — the batch was not processed:
// kNotFound "ingest.item" (unknown item), kPermissionDenied "ingest.dept" (the department does not
// own the item), kInvalidArgument "ingest.dept" (the department code is not a valid USCC), the
// reader's errors (unreadable file), "ingest.columns", and store errors.
Result<nlohmann::ordered_json> RunIngest(const IngestRequest& request, const IngestDeps& deps);

// The quarantined rows of a batch as CSV (UTF-8 with BOM, so Excel opens it): the file's original
// columns, then 错误原因代码 and 错误原因 (each row's reasons joined by ；). A department fixes the
// cells and submits the file again; the two extra columns are ignored on re-ingest.
Result<std::string> QuarantineCsv(Store& store, BatchId batch);

}  // namespace xy

#endif  // XY_SERVICES_INGEST_SERVICE_H_
