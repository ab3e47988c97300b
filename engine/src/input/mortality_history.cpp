#include "healthcast/input/mortality_history.h"

#include <map>

#include <fmt/format.h>

#include "healthcast/input/csv.h"

namespace healthcast::input {

namespace {

using demography::AGE_MAX;
using demography::Sex;

struct Column {
  std::vector<int> ages;
  std::vector<double> m;
  SourceLocation first;  // the first row, for messages about the whole column
};

}  // namespace

double MortalityHistory::mid(std::size_t period) const {
  return 0.5 * (periods[period].first + periods[period].second);
}

std::vector<std::size_t> MortalityHistory::within(int first_year, int last_year) const {
  std::vector<std::size_t> out;
  for (std::size_t p = 0; p < periods.size(); ++p)
    if (periods[p].first >= first_year && periods[p].second <= last_year) out.push_back(p);
  return out;
}

namespace {

using Columns = std::map<std::pair<int, int>, std::array<Column, 2>>;

// The file's rows as (from, to) -> [female, male] columns, in file order within each; rows of
// both sexes combined are kept in the file for reference and skipped.
Columns read_columns(const CsvTable& csv) {
  Columns columns;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const auto& sex_text = csv.text(r, "sex");
    Sex sex{};
    if (!demography::parse_sex(sex_text, sex))
      throw InputError(csv.location(r, "sex"), "sex",
                       fmt::format("'{}' is not allowed; use female, male or total", sex_text));
    if (sex == Sex::total) continue;
    const int from = csv.integer(r, "from_year"), to = csv.integer(r, "to_year");
    if (to < from)
      throw InputError(csv.location(r, "to_year"), "to_year",
                       fmt::format("the period {}-{} ends before it starts", from, to));
    const int age = csv.integer(r, "age");
    if (age < 0 || age > AGE_MAX)
      throw InputError(csv.location(r, "age"), "age",
                       fmt::format("{} is outside the ages 0..{}", age, AGE_MAX));
    const double m = csv.number(r, "mx");
    if (m < 0.0 || m > 10.0)
      throw InputError(csv.location(r, "mx"), "mx",
                       fmt::format("{} is out of range for a death rate per person-year; "
                                   "allowed: 0 to 10",
                                   m));
    auto& col = columns[{from, to}][demography::index(sex)];
    if (col.ages.empty()) col.first = csv.location(r, "age");
    if (!col.ages.empty() && age <= col.ages.back())
      throw InputError(csv.location(r, "age"), "age",
                       fmt::format("ages must increase within {} {}-{}; {} follows {}", sex_text,
                                   from, to, age, col.ages.back()));
    col.ages.push_back(age);
    col.m.push_back(m);
  }
  return columns;
}

// Every period's columns must cover the ages 0..AGE_MAX+ and share the first period's ages.
void check_ages(MortalityHistory& h, const std::pair<int, int>& period, std::size_t s,
                const Column& col) {
  const std::string_view sex = demography::sex_name(s);
  if (col.ages.empty())
    throw InputError({h.source, 0, 0}, "sex",
                     fmt::format("period {}-{} has no {} rates", period.first, period.second, sex));
  if (!h.ages.empty()) {
    if (col.ages != h.ages)
      throw InputError(col.first, "age",
                       fmt::format("{} ages of {}-{} differ from those of the first period; "
                                   "every period needs the same ages",
                                   sex, period.first, period.second));
    return;
  }
  if (col.ages.front() != 0)
    throw InputError(col.first, "age",
                     fmt::format("{} rates of {}-{} start at age {}; they must start at 0", sex,
                                 period.first, period.second, col.ages.front()));
  if (col.ages.back() != AGE_MAX)
    throw InputError(col.first, "age",
                     fmt::format("{} rates of {}-{} stop at age {}; the last (open) age "
                                 "group must be {}+",
                                 sex, period.first, period.second, col.ages.back(), AGE_MAX));
  h.ages = col.ages;
}

}  // namespace

MortalityHistory read_mortality_history(const std::filesystem::path& path) {
  auto csv = CsvTable::read(path);
  csv.require_columns({"from_year", "to_year", "sex", "age", "mx"});
  if (csv.rows() == 0) throw InputError({csv.source(), 1, 0}, "", "the file has no data rows");
  const Columns columns = read_columns(csv);
  MortalityHistory h;
  h.source = csv.source();
  for (const auto& [period, by_sex] : columns) {
    if (!h.periods.empty() && period.first <= h.periods.back().second)
      throw InputError(by_sex[0].first, "from_year",
                       fmt::format("period {}-{} overlaps {}-{}", period.first, period.second,
                                   h.periods.back().first, h.periods.back().second));
    h.periods.push_back(period);
    for (std::size_t s = 0; s < demography::N_SEXES; ++s) check_ages(h, period, s, by_sex[s]);
  }
  for (std::size_t s = 0; s < demography::N_SEXES; ++s) {
    h.mx[s].resize(static_cast<Eigen::Index>(h.ages.size()),
                   static_cast<Eigen::Index>(h.periods.size()));
    Eigen::Index p = 0;
    for (const auto& [period, by_sex] : columns) {
      for (std::size_t i = 0; i < h.ages.size(); ++i)
        h.mx[s](static_cast<Eigen::Index>(i), p) = by_sex[s].m[i];
      ++p;
    }
  }
  return h;
}

demography::AgeArray to_single_ages(std::span<const int> ages, const Eigen::VectorXd& m) {
  demography::AgeArray out{};
  for (std::size_t i = 0; i < ages.size(); ++i) {
    const int to = i + 1 < ages.size() ? ages[i + 1] : AGE_MAX + 1;
    for (int a = ages[i]; a < to; ++a) out[a] = m(static_cast<Eigen::Index>(i));
  }
  return out;
}

}  // namespace healthcast::input
