#include "healthcast/input/yaml.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "healthcast/names.h"

namespace healthcast::input {

namespace fs = std::filesystem;

namespace {
std::string shown(const YAML::Node& node) {
  return node.IsScalar() ? fmt::format("'{}'", node.Scalar()) : std::string("a non-scalar value");
}
}  // namespace

YAML::Node YamlReader::parse(const std::string& text) const {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw InputError({file_, e.mark.line + 1, e.mark.column + 1}, "",
                     fmt::format("not valid YAML: {}", e.msg));
  }
}

SourceLocation YamlReader::at(const YAML::Node& node) const {
  const auto mark = node.Mark();
  return {file_, mark.line + 1, mark.column + 1};
}

void YamlReader::fail(const YAML::Node& node, const std::string& field,
                      const std::string& problem) const {
  throw InputError(at(node), field, problem);
}

void YamlReader::require_map(const YAML::Node& node, const std::string& field) const {
  if (!node.IsMap()) fail(node, field, "expected a mapping of keys to values");
}

void YamlReader::check_keys(const YAML::Node& map, const std::string& where,
                            const std::vector<std::string>& allowed) const {
  for (const auto& entry : map) {
    const auto key = entry.first.as<std::string>();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    const std::string hint = did_you_mean(key, allowed);
    fail(entry.first, key,
         fmt::format("unknown key in {}{} Allowed keys: {}", where, hint.empty() ? "." : hint,
                     fmt::join(allowed, ", ")));
  }
}

YAML::Node YamlReader::required(const YAML::Node& map, const std::string& key) const {
  YAML::Node child = map[key];
  if (!child) fail(map, key, fmt::format("required key '{}' is missing", key));
  return child;
}

std::string YamlReader::text(const YAML::Node& node, const std::string& field) const {
  if (!node.IsScalar()) fail(node, field, "expected a text value");
  return node.Scalar();
}

std::string YamlReader::name(const YAML::Node& node, const std::string& field) const {
  std::string value = text(node, field);
  const bool ok = !value.empty() && std::all_of(value.begin(), value.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-';
  });
  if (!ok)
    fail(node, field, fmt::format("'{}' is not allowed; use letters, digits, '_' and '-'", value));
  return value;
}

int YamlReader::integer(const YAML::Node& node, const std::string& field, int low, int high) const {
  int value = 0;
  if (!node.IsScalar() || !YAML::convert<int>::decode(node, value))
    fail(node, field,
         fmt::format("expected a whole number from {} to {}, got {}", low, high, shown(node)));
  if (value < low || value > high)
    fail(node, field, fmt::format("{} is out of range; allowed: {} to {}", value, low, high));
  return value;
}

double YamlReader::number(const YAML::Node& node, const std::string& field, double low,
                          double high) const {
  double value = 0.0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, value) || !std::isfinite(value))
    fail(node, field,
         fmt::format("expected a number from {} to {}, got {}", low, high, shown(node)));
  if (value < low || value > high)
    fail(node, field, fmt::format("{} is out of range; allowed: {} to {}", value, low, high));
  return value;
}

int YamlReader::integer(const YAML::Node& node, const std::string& field) const {
  return integer(node, field, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
}

double YamlReader::number(const YAML::Node& node, const std::string& field) const {
  return number(node, field, std::numeric_limits<double>::lowest(),
                std::numeric_limits<double>::max());
}

std::vector<std::string> YamlReader::text_list(const YAML::Node& node,
                                               const std::string& field) const {
  if (!node.IsSequence()) fail(node, field, "expected a list, e.g. [a, b]");
  std::vector<std::string> out;
  for (const auto& item : node) out.push_back(text(item, field));
  return out;
}

std::pair<int, int> YamlReader::period(const YAML::Node& node, const std::string& field, int low,
                                       int high) const {
  int first = 0, last = 0;
  if (node.IsSequence() && node.size() == 2) {
    first = integer(node[0], field, low, high);
    last = integer(node[1], field, low, high);
  } else if (node.IsScalar() && std::sscanf(node.Scalar().c_str(), "%d-%d", &first, &last) == 2) {
    for (int y : {first, last})
      if (y < low || y > high)
        fail(node, field, fmt::format("year {} is out of range; allowed: {} to {}", y, low, high));
  } else {
    fail(node, field, "expected a period as [first year, last year] or \"2015-2019\"");
  }
  if (last < first)
    fail(node, field, fmt::format("the period ends ({}) before it starts ({})", last, first));
  return {first, last};
}

fs::path YamlReader::existing(const YAML::Node& node, const std::string& field,
                              const fs::path& base, bool folder) const {
  const fs::path p = base / text(node, field);
  if (folder ? !fs::is_directory(p) : !fs::is_regular_file(p))
    fail(node, field,
         fmt::format("input {} '{}' not found (resolved to {})", folder ? "folder" : "file",
                     node.Scalar(), p.lexically_normal().string()));
  return p.lexically_normal();
}

fs::path YamlReader::file(const YAML::Node& node, const std::string& field,
                          const fs::path& base) const {
  return existing(node, field, base, false);
}

fs::path YamlReader::folder(const YAML::Node& node, const std::string& field,
                            const fs::path& base) const {
  return existing(node, field, base, true);
}

}  // namespace healthcast::input
