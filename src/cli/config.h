// The deployment's configuration file (config/xinyong.toml): where the catalogue layers, the USCC
// exception list and the key file are. Unknown keys are refused, so a typo never silently falls back
// to a default.

#ifndef XY_CLI_CONFIG_H_
#define XY_CLI_CONFIG_H_

#include <string>
#include <vector>

#include "base/result.h"

namespace xy::cli {

struct Config {
  std::string path;  // the file read; empty when defaults were used
  std::string city_region = "340400";
  std::string city_name = "淮南市";
  std::vector<std::string> catalog_layers;  // absolute or relative to the working directory
  std::string uscc_exceptions;               // empty = none
  std::string key_file = "data/xinyong.keys";
  // The evaluation model (config/models/README.md): the public model file and the folder of
  // industry overlays (every *.toml in it). Relative to the configuration file's folder.
  std::string model_file;    // default <config folder>/models/public-2024.toml
  std::string industry_dir;  // default <config folder>/models/industry; "" in the file = none
};

// Reads `path`, or when it is empty the first of ./config/xinyong.toml and
// <binary>/../config/xinyong.toml that exists. Errors: kNotFound "config.missing",
// kInvalidArgument "config.invalid" (syntax, unknown key, wrong type), naming the file and key.
Result<Config> LoadConfig(const std::string& path, const std::string& argv0);

}  // namespace xy::cli

#endif  // XY_CLI_CONFIG_H_
