#include "healthcast/names.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace healthcast {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string nearest_name(std::string_view word, const std::vector<std::string>& allowed) {
  std::string nearest;
  std::size_t best = std::string::npos;
  std::string letters(word);
  std::sort(letters.begin(), letters.end());
  for (const auto& a : allowed) {
    std::string other = a;
    std::sort(other.begin(), other.end());
    const std::size_t d = other == letters ? 0 : edit_distance(word, a);
    if (d < best) best = d, nearest = a;
  }
  if (best > std::max<std::size_t>(2, word.size() / 3)) return "";
  return nearest;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& allowed) {
  const std::string nearest = nearest_name(word, allowed);
  return nearest.empty() ? std::string() : fmt::format("; did you mean '{}'?", nearest);
}

std::optional<std::size_t> find_name(const std::vector<std::string>& names, std::string_view name) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return std::nullopt;
  return static_cast<std::size_t>(it - names.begin());
}

std::string unknown_name(std::string_view name, std::string_view what, std::string_view label,
                         const std::vector<std::string>& names) {
  return fmt::format("'{}' is not {}; {}: {}{}", name, what, label, fmt::join(names, ", "),
                     did_you_mean(name, names));
}

}  // namespace healthcast
