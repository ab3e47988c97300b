#include "healthcast/input/yaml.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

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

namespace {

// Line and column (1-based) of byte `at` of `text`.
SourceLocation locate(const std::string& file, std::string_view text, std::size_t at) {
  const std::size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
  const std::size_t column = line_start == std::string_view::npos ? at : at - line_start - 1;
  return {file, static_cast<int>(std::count(text.begin(), text.begin() + at, '\n')) + 1,
          static_cast<int>(column) + 1};
}

// A NUL byte would silently cut paths and names; bytes that are not UTF-8 would pass here and
// make the results unreadable in Python.
void check_text(const std::string& file, std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0) throw InputError(locate(file, text, i), "", "the file contains a NUL byte");
    const std::size_t n = c < 0x80                ? 1
                          : c >= 0xC2 && c < 0xE0 ? 2
                          : c >= 0xE0 && c < 0xF0 ? 3
                          : c >= 0xF0 && c < 0xF5 ? 4
                                                  : 0;
    bool valid = n > 0 && i + n <= text.size();
    for (std::size_t k = 1; valid && k < n; ++k)
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (!valid)
      throw InputError(locate(file, text, i), "",
                       fmt::format("byte 0x{:02x} is not UTF-8 text; save the file as UTF-8", c));
    i += n;
  }
}

// Every mapping key must be plain text and appear once (yaml-cpp keeps the first of repeated
// keys silently). Walked with an explicit stack and a budget: no recursion on deep nesting and
// no blow-up on aliases that repeat a large node.
void check_keys_once(const YamlReader& rd, const YAML::Node& root) {
  constexpr std::size_t BUDGET = 2'000'000;
  std::vector<std::pair<YAML::Node, std::string>> stack{{root, ""}};  // node, its field path
  std::size_t visited = 0;
  while (!stack.empty()) {
    const auto [node, path] = stack.back();
    stack.pop_back();
    if (++visited > BUDGET)
      rd.fail(node, path, fmt::format("more than {} values (repeated aliases?)", BUDGET));
    if (node.IsSequence()) {
      std::size_t i = 0;
      for (const auto& item : node) stack.emplace_back(item, fmt::format("{}[{}]", path, i++));
    } else if (node.IsMap()) {
      std::set<std::string> seen;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar())
          rd.fail(entry.first, path, "a key must be plain text, not a list or a mapping");
        const std::string& key = entry.first.Scalar();
        const std::string field = path.empty() ? key : path + "." + key;
        if (!seen.insert(key).second)
          rd.fail(entry.first, field, fmt::format("key '{}' is given twice", key));
        stack.emplace_back(entry.second, field);
      }
    }
  }
}

// The line (1-based) where a second YAML document starts ('---' after content, or content after
// '...'), or 0. Found in the text: yaml-cpp's LoadAll loops forever on some bad input (a fuzzer
// found "," at the start of a file).
int second_document_line(std::string_view text) {
  bool content = false, ended = false;
  int number = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    const auto marker = [&](std::string_view m) {
      return line.starts_with(m) &&
             (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
    };
    const std::size_t first = line.find_first_not_of(" \t\r");
    const bool blank = first == std::string_view::npos || line[first] == '#';
    if (marker("---")) {
      if (content || ended) return number;
      content = line.find_first_not_of(" \t\r", 3) != std::string_view::npos;
    } else if (marker("...")) {
      ended = true;
    } else if (!blank) {
      if (ended) return number;
      content = true;
    }
  }
  return 0;
}

}  // namespace

YAML::Node YamlReader::parse(const std::string& text) const {
  check_text(file_, text);
  if (const int line = second_document_line(text); line > 0)
    throw InputError({file_, line, 1}, "",
                     "a second YAML document (after '---' or '...') would be ignored; keep one "
                     "document per file");
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw InputError({file_, e.mark.line + 1, e.mark.column + 1}, "",
                     fmt::format("not valid YAML: {}", e.msg));
  }
  check_keys_once(*this, root);
  return root;
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
  std::error_code ec;  // a symlink loop or an over-long path: said here, with the line
  if (folder ? !fs::is_directory(p, ec) : !fs::is_regular_file(p, ec))
    fail(node, field,
         fmt::format("input {} {} {} (resolved to {})", folder ? "folder" : "file",
                     printable(node.Scalar()),
                     ec && ec != std::errc::no_such_file_or_directory
                         ? "cannot be read: " + ec.message()
                         : std::string("not found"),
                     printable(p.lexically_normal().string(), 200)));
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
