// Data files compiled into the binary (see cmake/XyEmbed.cmake and data/README.md).
//
// The embedded copies are the defaults every deployment starts from: the GB/T 2260 region table, the
// GB 32100 registration-authority table and the PRC working-day calendar. Parsing them is pure, so the
// domain layer can build its tables from these bytes without touching the file system.

#ifndef XY_BASE_EMBEDDED_H_
#define XY_BASE_EMBEDDED_H_

#include <string_view>

namespace xy {

// The bytes of the embedded file registered under `name` ("gbt2260-regions.tsv", ...), or an empty
// view for an unknown name. The view is valid for the life of the program.
std::string_view EmbeddedData(std::string_view name);

}  // namespace xy

#endif  // XY_BASE_EMBEDDED_H_
