#include "healthcast/error.h"

#include <fmt/format.h>

namespace healthcast {

namespace {
std::string format_input_error(const SourceLocation& where, const std::string& field,
                               const std::string& problem) {
  std::string location = where.file.empty() ? std::string("<input>") : where.file;
  if (where.line > 0) location += fmt::format(":{}", where.line);
  if (where.line > 0 && where.column > 0) location += fmt::format(":{}", where.column);
  if (field.empty()) return fmt::format("{}: {}", location, problem);
  return fmt::format("{}: field '{}': {}", location, field, problem);
}
}  // namespace

InputError::InputError(SourceLocation where, std::string field, std::string problem)
    : Error(format_input_error(where, field, problem)),
      where_(std::move(where)),
      field_(std::move(field)),
      problem_(std::move(problem)) {}

}  // namespace healthcast
