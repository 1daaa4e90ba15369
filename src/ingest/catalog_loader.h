// Loads the public credit information catalogue (domain/catalog.h) from its TOML configuration.
//
// The catalogue is layered (config/catalog/README.md documents every key): a list of layer folders,
// national first, then province, city, county. Each folder holds one `<item code>.toml` per item it
// defines or supplements; files are read in name order, layers in the order given. A layer may add
// whole items, add fields to an item, add aliases and enum values to a field, add cross-field
// rules, and override an item's scope, report_deadline_working_days, publicity periods and
// departments. It may not remove anything, nor change a field's type, label or rules: those are
// errors.
//
// Every file is checked when it is loaded, userver-style: unknown keys at any level, wrong value
// types, unknown field type / nature / severity / scope names, references (natural key, subject,
// dates, cross rules, severity rules, required_if) to fields that do not exist, duplicate field
// codes, labels or aliases, enum fields without values — all refuse the whole catalogue. Errors are
// kInvalidArgument, reason "catalog.invalid", and name the file, the line and the key path, e.g.
//   national/admin_penalty.toml:42: severity_rules[0].field: names no field of admin_penalty:
//   "CF_X"
//
// Versions: each file carries `version = "…"`. An item's version joins the versions of the files
// that made it, later layers tagged with their layer's prefix ("2024.1+340000.2025.1"); the
// catalogue's version lists each layer's file versions and ends with a digest of every file's
// bytes, so an edit that forgets to bump a version still changes it:
//   "national@2024.1, 340000-anhui@2025.1, 340400-huainan@2025.1 #0123456789abcdef"
//
// Thread-safety: pure functions; the returned Catalog is immutable and may be shared.

#ifndef XY_INGEST_CATALOG_LOADER_H_
#define XY_INGEST_CATALOG_LOADER_H_

#include <string>
#include <vector>

#include "base/result.h"
#include "domain/catalog.h"

namespace xy {

// One configuration file's text. `name` is the file name inside its layer ("admin_penalty.toml"):
// its stem must be the item code the file defines or supplements.
struct CatalogFile {
  std::string name;
  std::string text;
};

// One layer: `name` tags versions and CatalogItem::layers ("national", "340000-anhui"; the part
// before the first '-' tags item versions). `dir`, when set, is what error messages print before
// the file name (the folder as the operator wrote it); otherwise `name` is used.
struct CatalogLayer {
  std::string name;
  std::string dir;
  std::vector<CatalogFile> files;
};

// Merges the layers in order. Pure: no file access, so tests pass text directly.
// Errors: kInvalidArgument "catalog.invalid" (no layers, a parse error, or any rule above).
Result<Catalog> LoadCatalogLayers(const std::vector<CatalogLayer>& layers);

// Reads every *.toml directly inside each folder (not recursively), then LoadCatalogLayers. A
// layer's name is its folder's last component. An empty folder is an empty layer. Errors: as
// LoadCatalogLayers; kNotFound "catalog.read" for a folder that does not exist; kUnavailable
// "catalog.read" when a file cannot be read.
Result<Catalog> LoadCatalog(const std::vector<std::string>& layer_dirs);

}  // namespace xy

#endif  // XY_INGEST_CATALOG_LOADER_H_
