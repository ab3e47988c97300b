#include "healthcast/input/age_schedule.h"

#include <fmt/format.h>

namespace healthcast::input {

using demography::AGE_MAX;
using demography::N_SEXES;

std::size_t sex_index(const CsvTable& csv, std::size_t row) {
  demography::Sex sex{};
  const auto& text = csv.text(row, "sex");
  if (!demography::parse_sex(text, sex) || sex == demography::Sex::total)
    throw InputError(csv.location(row, "sex"), "sex",
                     fmt::format("{} is not allowed; use female or male", printable(text)));
  return sex == demography::Sex::female ? 0 : 1;
}

void AgeSchedule::add(const CsvTable& csv, std::size_t row, std::string_view column, double low,
                      double high) {
  if (csv.text(row, "sex") == "total") return;
  const std::size_t s = sex_index(csv, row);
  const int age = csv.integer(row, "age");
  if (age < 0 || age > AGE_MAX)
    throw InputError(csv.location(row, "age"), "age",
                     fmt::format("{} is outside the ages 0..{}", age, AGE_MAX));
  const double value = csv.number(row, column);
  if (value < low || value > high)
    throw InputError(csv.location(row, column), std::string(column),
                     fmt::format("{} is out of range; allowed: {} to {}", value, low, high));
  if (by_sex_[s].empty()) where_[s] = csv.location(row, "age");
  source_ = csv.source();
  by_sex_[s].emplace_back(age, value);
}

demography::SexAgeArray AgeSchedule::single_years(const std::string& what, Spread spread) const {
  demography::SexAgeArray out{};
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    const auto& rows = by_sex_[s];
    const std::string_view sex = demography::sex_name(s);
    if (rows.empty())
      throw InputError({source_, 0, 0}, "sex", fmt::format("no {} values for {}", sex, what));
    if (rows.front().first != 0)
      throw InputError(where_[s], "age",
                       fmt::format("{} values for {} start at age {}; they must start at 0", sex,
                                   what, rows.front().first));
    for (std::size_t i = 1; i < rows.size(); ++i)
      if (rows[i].first <= rows[i - 1].first)
        throw InputError(where_[s], "age",
                         fmt::format("{} ages for {} must increase; {} follows {}", sex, what,
                                     rows[i].first, rows[i - 1].first));
    if (rows.back().first != AGE_MAX)
      throw InputError(where_[s], "age",
                       fmt::format("{} values for {} stop at age {}; the last (open) age group "
                                   "must be {}+",
                                   sex, what, rows.back().first, AGE_MAX));
    const auto end_of = [&](std::size_t i) {
      return i + 1 < rows.size() ? rows[i + 1].first : AGE_MAX + 1;
    };
    if (spread == Spread::constant) {
      for (std::size_t i = 0; i < rows.size(); ++i)
        for (int a = rows[i].first; a < end_of(i); ++a) out[s][a] = rows[i].second;
      continue;
    }
    // Linear between mid-points; the open group's "mid-point" is its start plus a half year.
    std::vector<double> mid(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i)
      mid[i] = i + 1 < rows.size() ? 0.5 * (rows[i].first + end_of(i)) : rows[i].first + 0.5;
    for (int a = 0; a <= AGE_MAX; ++a) {
      const double x = a + 0.5;
      if (x <= mid.front()) {
        out[s][a] = rows.front().second;
      } else if (x >= mid.back()) {
        out[s][a] = rows.back().second;
      } else {
        std::size_t i = 0;
        while (mid[i + 1] < x) ++i;
        const double w = (x - mid[i]) / (mid[i + 1] - mid[i]);
        out[s][a] = (1 - w) * rows[i].second + w * rows[i + 1].second;
      }
    }
  }
  return out;
}

}  // namespace healthcast::input
