// A folder of its own for one test, removed with everything in it when the test ends. Shared by the
// tests that write files (readers, ingest, end to end).

#ifndef XY_TESTS_TEMP_DIR_H_
#define XY_TESTS_TEMP_DIR_H_

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace xy::test {

class TempDir {
 public:
  // `prefix` names the folder (xy_<prefix>_XXXXXX under the system temp folder), for debugging.
  explicit TempDir(const std::string& prefix = "test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / ("xy_" + prefix + "_XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `bytes` to `name` inside the folder and returns the file's path.
  std::string Write(const std::string& name, std::string_view bytes) const {
    std::string file = Path(name);
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return file;
  }
  std::string Path(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace xy::test

#endif  // XY_TESTS_TEMP_DIR_H_
