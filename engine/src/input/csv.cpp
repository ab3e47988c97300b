#include "healthcast/input/csv.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace healthcast::input {

namespace {

std::vector<std::string> split_fields(std::string_view line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  for (auto& f : fields) {
    const auto first = f.find_first_not_of(" \t");
    const auto last = f.find_last_not_of(" \t");
    f = first == std::string::npos ? std::string() : f.substr(first, last - first + 1);
  }
  return fields;
}

}  // namespace

CsvTable CsvTable::read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError({path.string(), 0, 0}, "",
                     std::filesystem::exists(path) ? "cannot read the file" : "file not found");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path.string());
}

CsvTable CsvTable::parse(std::string_view text, std::string source_name) {
  CsvTable table;
  table.source_ = std::move(source_name);
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte order mark
  int line_number = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos || line.front() == '#') {
      if (end == text.size()) break;
      continue;
    }
    if (line.find('\0') != std::string_view::npos)
      throw InputError({table.source_, line_number, 0}, "", "the line contains a NUL byte");
    auto fields = split_fields(line);
    if (table.header_.empty()) {
      for (std::size_t i = 0; i < fields.size(); ++i)
        for (std::size_t k = 0; k < i; ++k)
          if (fields[i] == fields[k])
            throw InputError({table.source_, line_number, static_cast<int>(i) + 1}, fields[i],
                             fmt::format("column {} repeats the name of column {}", i + 1, k + 1));
      table.header_ = std::move(fields);
    } else {
      if (fields.size() != table.header_.size())
        throw InputError({table.source_, line_number, 0}, "",
                         fmt::format("row has {} fields but the header has {} ({})", fields.size(),
                                     table.header_.size(), fmt::join(table.header_, ", ")));
      table.cells_.push_back(std::move(fields));
      table.lines_.push_back(line_number);
    }
    if (end == text.size()) break;
  }
  if (table.header_.empty())
    throw InputError({table.source_, 1, 0}, "", "the file is empty; expected a header row");
  return table;
}

bool CsvTable::has_column(std::string_view column) const {
  for (const auto& h : header_)
    if (h == column) return true;
  return false;
}

void CsvTable::require_columns(std::initializer_list<std::string_view> columns) const {
  std::vector<std::string> missing;
  for (auto c : columns)
    if (!has_column(c)) missing.emplace_back(c);
  if (!missing.empty())
    throw InputError({source_, 1, 0}, "",
                     fmt::format("missing column(s) {}; the header has {}",
                                 fmt::join(missing, ", "), fmt::join(header_, ", ")));
}

std::size_t CsvTable::column_index(std::string_view column) const {
  for (std::size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == column) return i;
  throw InputError({source_, 1, 0}, std::string(column),
                   fmt::format("no such column; the header has {}", fmt::join(header_, ", ")));
}

SourceLocation CsvTable::location(std::size_t row, std::string_view column) const {
  return {source_, lines_.at(row), static_cast<int>(column_index(column)) + 1};
}

const std::string& CsvTable::text(std::size_t row, std::string_view column) const {
  return cells_.at(row)[column_index(column)];
}

double CsvTable::number(std::size_t row, std::string_view column) const {
  const std::string& s = text(row, column);
  double value = 0.0;
  const char* first = s.data();
  if (!s.empty() && s.front() == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value))
    throw InputError(location(row, column), std::string(column),
                     fmt::format("{} is not a finite number", printable(s)));
  return value;
}

int CsvTable::integer(std::size_t row, std::string_view column) const {
  const std::string& s = text(row, column);
  int value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size())
    throw InputError(location(row, column), std::string(column),
                     fmt::format("{} is not a whole number", printable(s)));
  return value;
}

}  // namespace healthcast::input
