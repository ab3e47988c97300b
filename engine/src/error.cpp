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
// Length of the valid UTF-8 sequence starting at text[i], or 0.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  const std::size_t n = lead < 0x80                   ? 1
                        : lead >= 0xC2 && lead < 0xE0 ? 2
                        : lead >= 0xE0 && lead < 0xF0 ? 3
                        : lead >= 0xF0 && lead < 0xF5 ? 4
                                                      : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  return n;
}
}  // namespace

std::string printable(std::string_view text, std::size_t limit) {
  std::string out = "'";
  std::size_t shown = 0;
  std::size_t i = 0;
  for (; i < text.size() && shown < limit; ++shown) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = utf8_length(text, i);
    if (n == 0 || c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  out += "'";
  if (i < text.size()) out += fmt::format("... ({} bytes)", text.size());
  return out;
}

InputError::InputError(SourceLocation where, std::string field, std::string problem)
    : Error(format_input_error(where, field, problem)),
      where_(std::move(where)),
      field_(std::move(field)),
      problem_(std::move(problem)) {}

}  // namespace healthcast
