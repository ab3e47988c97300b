// Typed reading of YAML input files (yaml-cpp) with errors that name the file, line, column and
// field, the value found and what is allowed; unknown keys name the nearest allowed key.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "healthcast/error.h"

namespace healthcast::input {

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  // Parses text; a syntax error becomes an InputError at its line and column.
  YAML::Node parse(const std::string& text) const;

  const std::string& file() const { return file_; }
  SourceLocation at(const YAML::Node& node) const;
  [[noreturn]] void fail(const YAML::Node& node, const std::string& field,
                         const std::string& problem) const;

  void require_map(const YAML::Node& node, const std::string& field) const;
  // Every key must be one of `allowed`; an unknown key names the nearest allowed one.
  void check_keys(const YAML::Node& map, const std::string& where,
                  const std::vector<std::string>& allowed) const;
  YAML::Node required(const YAML::Node& map, const std::string& key) const;

  std::string text(const YAML::Node& node, const std::string& field) const;
  // A name of letters, digits, '_' and '-'.
  std::string name(const YAML::Node& node, const std::string& field) const;
  int integer(const YAML::Node& node, const std::string& field, int low, int high) const;
  double number(const YAML::Node& node, const std::string& field, double low, double high) const;
  // Any integer or finite number: for values whose range a schema has already checked.
  int integer(const YAML::Node& node, const std::string& field) const;
  double number(const YAML::Node& node, const std::string& field) const;
  std::vector<std::string> text_list(const YAML::Node& node, const std::string& field) const;
  // A period written as [first, last] or "first-last", within [low, high].
  std::pair<int, int> period(const YAML::Node& node, const std::string& field, int low,
                             int high) const;
  // An input file path relative to `base` (the folder of the file being read); it must exist.
  std::filesystem::path file(const YAML::Node& node, const std::string& field,
                             const std::filesystem::path& base) const;
  // The same for a folder.
  std::filesystem::path folder(const YAML::Node& node, const std::string& field,
                               const std::filesystem::path& base) const;

 private:
  std::filesystem::path existing(const YAML::Node& node, const std::string& field,
                                 const std::filesystem::path& base, bool folder) const;
  std::string file_;
};

}  // namespace healthcast::input
