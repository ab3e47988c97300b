#include "healthcast/places/fertility_level.h"

#include <cmath>

#include <fmt/format.h>

#include "healthcast/error.h"

namespace healthcast::places {

namespace {

using demography::AGE_MAX;
using demography::AgeArray;

constexpr std::size_t FEMALE = 0, MALE = 1;
// Rounding of a figure printed with two decimals: sd of a uniform error of +-0.005.
constexpr double ROUNDING_SD = 0.01 / 3.4641016151377544;

// Index of the census group starting at `lower` (a multiple of 5, or 0).
std::size_t group_index(int lower) {
  return lower == 0 ? 0 : static_cast<std::size_t>(lower / 5 + 1);
}

double women(const SexGroups& census, int lower) { return census[FEMALE][group_index(lower)]; }

// Mean of single-age rates over the five ages starting at `lower`.
double group_mean(const AgeArray& f, int lower) {
  double s = 0;
  for (int a = lower; a < lower + 5 && a <= AGE_MAX; ++a) s += f[a];
  return s / 5.0;
}

}  // namespace

const AgeArray& asfr_of(const AsfrHistory& history, int year) {
  if (history.empty()) throw Error("no national fertility history");
  auto it = history.lower_bound(year);
  if (it == history.end()) return std::prev(it)->second;
  return it->second;  // the year itself, or the first year after it (before the history)
}

FertilityIndex child_woman_index(const SexGroups& census, const AsfrHistory& national,
                                 int census_year) {
  AgeArray mean{};
  for (int y = census_year - 4; y <= census_year; ++y) {
    const auto& f = asfr_of(national, y);
    for (int a = 0; a <= AGE_MAX; ++a) mean[a] += f[a] / 5.0;
  }
  double expected = 0;  // births a year from the women, at their ages 2.5 years earlier
  for (int lower = 15; lower <= 50; lower += 5)
    expected +=
        women(census, lower) * 0.5 * (group_mean(mean, lower - 5) + group_mean(mean, lower));
  const double children = census[FEMALE][0] + census[FEMALE][1] + census[MALE][0] + census[MALE][1];
  const std::string name = "child-woman ratio " + std::to_string(census_year);
  if (!(expected > 0)) return {name, std::nan(""), INFINITY};
  return {name, (children + 0.5) / (5.0 * expected), 1.0 / (children + 0.5)};
}

FertilityIndex birth_rate_index(const SexGroups& census, double cbr, const AsfrHistory& national,
                                int census_year) {
  const auto& f = asfr_of(national, census_year);
  double expected = 0;
  for (int lower = 10; lower <= 50; lower += 5)
    expected += women(census, lower) * group_mean(f, lower);
  const double births = cbr / 1000.0 * total(census);
  const std::string name = "crude birth rate " + std::to_string(census_year);
  if (!(expected > 0) || !(cbr > 0)) return {name, std::nan(""), INFINITY};
  const double rounding = ROUNDING_SD / cbr;
  return {name, (births + 0.5) / expected, 1.0 / (births + 0.5) + rounding * rounding};
}

AgeArray cohort_parity(const AsfrHistory& national, int census_year) {
  AgeArray parity{};
  for (int a = 1; a <= AGE_MAX; ++a) {
    double p = 0;
    for (int x = 10; x < a && x <= 54; ++x) p += asfr_of(national, census_year - (a - x))[x];
    parity[a] = p;
  }
  return parity;
}

FertilityIndex parity_index(const SexGroups& census, double ceb, const AgeArray& parity,
                            int census_year) {
  double w = 0, expected = 0;
  for (int lower = 15; lower <= 60; lower += 5) {
    w += women(census, lower);
    expected += women(census, lower) * group_mean(parity, lower);
  }
  const std::string name = "children ever born " + std::to_string(census_year);
  if (!(w > 0) || !(expected > 0) || !(ceb > 0)) return {name, std::nan(""), INFINITY};
  expected /= w;
  const double rounding = ROUNDING_SD / ceb;
  return {name, ceb / expected, rounding * rounding + 1.0 / (ceb * w + 0.5)};
}

}  // namespace healthcast::places
