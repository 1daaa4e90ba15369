#include "ingest/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "base/crypto.h"
#include "ingest/csv_reader.h"
#include "ingest/jsonl_reader.h"
#include "ingest/xlsx_reader.h"

namespace xy {

Result<int> OpenForSequentialRead(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return Fail(ErrorCode::kNotFound, "reader.open", "no such file: " + path, "文件不存在：" + path);
    }
    return Fail(ErrorCode::kUnavailable, "reader.open",
                "cannot open " + path + ": " + std::strerror(err),
                "无法打开文件：" + path + "（" + std::strerror(err) + "）");
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Fail(ErrorCode::kNotFound, "reader.open", "not a regular file: " + path,
                "不是普通文件：" + path);
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return fd;
}

Result<std::string> FileSm3Hex(const std::string& path) {
  Result<int> fd = OpenForSequentialRead(path);
  if (!fd) return std::unexpected(fd.error());
  Sm3Hasher hasher;
  std::string buf(1 << 20, '\0');
  while (true) {
    ssize_t n = ::read(*fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(*fd);
      return Fail(ErrorCode::kUnavailable, "reader.read",
                  "cannot read " + path + ": " + std::strerror(err),
                  "读取文件失败：" + path + "（" + std::strerror(err) + "）");
    }
    if (n == 0) break;
    hasher.Update(std::string_view(buf.data(), static_cast<std::size_t>(n)));
  }
  ::close(*fd);
  return ToHex(hasher.Finish());
}
namespace {

bool EndsWithNoCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  s.remove_prefix(s.size() - suffix.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != suffix[i]) return false;
  }
  return true;
}

}  // namespace

Result<FileFormat> FormatFromPath(const std::string& path) {
  if (EndsWithNoCase(path, ".csv")) return FileFormat::kCsv;
  if (EndsWithNoCase(path, ".jsonl") || EndsWithNoCase(path, ".ndjson")) {
    return FileFormat::kJsonLines;
  }
  if (EndsWithNoCase(path, ".xlsx")) return FileFormat::kXlsx;
  return Fail(ErrorCode::kInvalidArgument, "reader.format",
              "unsupported file type (expected .csv, .jsonl, .ndjson or .xlsx): " + path,
              "不支持的文件类型（仅支持 .csv、.jsonl、.ndjson、.xlsx）：" + path);
}

Result<std::unique_ptr<Reader>> OpenReader(const std::string& path, TextEncoding encoding) {
  Result<FileFormat> format = FormatFromPath(path);
  if (!format) return std::unexpected(format.error());
  switch (*format) {
    case FileFormat::kCsv:
      return OpenCsvReader(path, encoding);
    // JSON (RFC 8259) and XLSX (XML parts) define their own encoding, so `encoding` only ever
    // applies to CSV.
    case FileFormat::kJsonLines:
      return OpenJsonLinesReader(path);
    case FileFormat::kXlsx:
      return OpenXlsxReader(path);
  }
  return Fail(ErrorCode::kInternal, "reader.format", "unhandled file format");
}

}  // namespace xy
