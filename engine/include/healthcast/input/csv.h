// CSV input tables with the line of every row kept, so that a bad value is reported with its
// file, line, column name and what is allowed.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "healthcast/error.h"

namespace healthcast::input {

// A CSV file read whole: a header row, then data rows of the same width. Fields may be quoted
// with double quotes; blank lines and lines starting with '#' are skipped.
class CsvTable {
 public:
  // Throws InputError if the file cannot be read, has no header, or has a row of the wrong width.
  static CsvTable read(const std::filesystem::path& path);
  static CsvTable parse(std::string_view text, std::string source_name);

  const std::string& source() const { return source_; }
  std::size_t rows() const { return cells_.size(); }
  const std::vector<std::string>& columns() const { return header_; }
  bool has_column(std::string_view column) const;
  // Throws InputError naming the missing columns and the ones the file has.
  void require_columns(std::initializer_list<std::string_view> columns) const;

  const std::string& text(std::size_t row, std::string_view column) const;
  // A finite number; throws InputError with the location otherwise.
  double number(std::size_t row, std::string_view column) const;
  // An integer written without a fraction; throws InputError otherwise.
  int integer(std::size_t row, std::string_view column) const;
  SourceLocation location(std::size_t row, std::string_view column) const;

 private:
  std::size_t column_index(std::string_view column) const;

  std::string source_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> cells_;
  std::vector<int> lines_;  // 1-based line of each data row
};

}  // namespace healthcast::input
