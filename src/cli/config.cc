#include "cli/config.h"

#include <toml++/toml.h>

#include <filesystem>
#include <set>

namespace xy::cli {
namespace {

namespace fs = std::filesystem;

std::unexpected<Error> Invalid(const std::string& file, const std::string& what) {
  return Fail(ErrorCode::kInvalidArgument, "config.invalid", file + ": " + what,
              "配置文件 " + file + " 有误：" + what);
}

// Refuses keys a table does not know.
Result<void> OnlyKeys(const std::string& file, const toml::table& table, const std::string& where,
                      const std::set<std::string>& known) {
  for (const auto& [key, value] : table) {
    if (!known.contains(std::string(key.str()))) {
      return Invalid(file, "unknown key '" + where + std::string(key.str()) + "'");
    }
  }
  return {};
}

}  // namespace

Result<Config> LoadConfig(const std::string& path, const std::string& argv0) {
  std::string file = path;
  if (file.empty()) {
    std::error_code ec;
    // /proc/self/exe finds the binary however it was started (PATH, symlink); argv0 is the fallback.
    fs::path exe = fs::canonical("/proc/self/exe", ec);
    if (ec) exe = fs::canonical(fs::path(argv0), ec);
    for (fs::path candidate : {fs::path("config/xinyong.toml"),
                               ec ? fs::path() : exe.parent_path().parent_path() / "config/xinyong.toml"}) {
      if (!candidate.empty() && fs::exists(candidate)) {
        file = candidate.string();
        break;
      }
    }
    if (file.empty()) {
      return Fail(ErrorCode::kNotFound, "config.missing",
                  "no config/xinyong.toml here or beside the binary; pass --config FILE",
                  "找不到配置文件 config/xinyong.toml，请用 --config 指定");
    }
  }
  toml::table root;
  try {
    root = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    return Invalid(file, std::string(e.description()) + " at line " +
                             std::to_string(e.source().begin.line));
  }
  Config c;
  c.path = file;
  fs::path base = fs::path(file).parent_path();
  auto resolve = [&](const std::string& p) { return fs::path(p).is_absolute() ? p : (base / p).string(); };

  if (Result<void> r = OnlyKeys(file, root, "", {"city", "catalog", "ingest", "keys", "models"}); !r) {
    return std::unexpected(r.error());
  }
  if (const toml::table* city = root["city"].as_table()) {
    if (Result<void> r = OnlyKeys(file, *city, "city.", {"region", "name"}); !r) return std::unexpected(r.error());
    if (auto s = (*city)["region"].value<std::string>()) c.city_region = *s;
    if (auto s = (*city)["name"].value<std::string>()) c.city_name = *s;
  }
  if (const toml::table* catalog = root["catalog"].as_table()) {
    if (Result<void> r = OnlyKeys(file, *catalog, "catalog.", {"layers"}); !r) return std::unexpected(r.error());
    const toml::array* layers = (*catalog)["layers"].as_array();
    if (layers == nullptr) return Invalid(file, "catalog.layers must be an array of folders");
    for (const toml::node& n : *layers) {
      std::optional<std::string> s = n.value<std::string>();
      if (!s) return Invalid(file, "catalog.layers must hold strings");
      c.catalog_layers.push_back(resolve(*s));
    }
  }
  if (c.catalog_layers.empty()) return Invalid(file, "catalog.layers is missing or empty");
  if (const toml::table* ingest = root["ingest"].as_table()) {
    if (Result<void> r = OnlyKeys(file, *ingest, "ingest.", {"uscc_exceptions"}); !r) return std::unexpected(r.error());
    if (auto s = (*ingest)["uscc_exceptions"].value<std::string>()) c.uscc_exceptions = resolve(*s);
  }
  if (const toml::table* keys = root["keys"].as_table()) {
    if (Result<void> r = OnlyKeys(file, *keys, "keys.", {"file"}); !r) return std::unexpected(r.error());
    if (auto s = (*keys)["file"].value<std::string>()) c.key_file = *s;
  }
  c.model_file = resolve("models/public-2024.toml");
  c.industry_dir = resolve("models/industry");
  if (const toml::table* models = root["models"].as_table()) {
    if (Result<void> r = OnlyKeys(file, *models, "models.", {"public", "industry"}); !r)
      return std::unexpected(r.error());
    if (const toml::node* n = models->get("public")) {
      std::optional<std::string> s = n->value<std::string>();
      if (!s || s->empty()) return Invalid(file, "models.public must name a file");
      c.model_file = resolve(*s);
    }
    if (const toml::node* n = models->get("industry")) {
      std::optional<std::string> s = n->value<std::string>();
      if (!s) return Invalid(file, "models.industry must be a folder (\"\" for none)");
      // An empty value means no overlays: only the public evaluation.
      c.industry_dir = s->empty() ? std::string() : resolve(*s);
    }
  }
  return c;
}

}  // namespace xy::cli
