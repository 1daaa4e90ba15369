// OpenStore: the one place that maps a store URL to a back end.

#include "store/store.h"

#include <string_view>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace xy {

Result<void> BatchTransaction::UpsertMany(std::span<const RecordInput* const> records,
                                          std::vector<UpsertResult>& out) {
  const std::size_t before = out.size();
  for (const RecordInput* record : records) {
    Result<UpsertResult> r = Upsert(*record);
    if (!r) {
      out.resize(before);
      return std::unexpected(r.error());
    }
    out.push_back(std::move(*r));
  }
  return {};
}

// The clock is part of the signature so back ends can compute dates (publicity windows) without a
// global; both back ends store timestamps only and do not need it yet.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const Clock& /*clock*/) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite)) {
    const std::string path = url.substr(kSqlite.size());
    if (path.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "store.url",
                  "store URL \"" + url + "\" names no file: use sqlite:PATH",
                  "数据库地址缺少文件路径，应为 sqlite:路径");
    }
    return OpenSqliteStore(path);  // "sqlite::memory:" gives the path ":memory:"
  }
  // libpq reads the URL itself: an empty host, port, user or database ("postgresql://",
  // "postgresql:///xinyong") falls back to PGHOST, PGPORT, PGUSER, PGDATABASE and its defaults.
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return OpenPostgresStore(url);
  }
  return Fail(ErrorCode::kInvalidArgument, "store.url",
              "unknown store URL \"" + url + "\": expected sqlite:PATH or postgresql://…",
              "无法识别的数据库地址“" + url + "”，应为 sqlite:路径 或 postgresql://…");
}

}  // namespace xy
