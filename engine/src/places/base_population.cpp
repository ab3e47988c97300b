#include "healthcast/places/base_population.h"

#include <cmath>

#include <fmt/format.h>

#include "healthcast/error.h"
#include "healthcast/places/graduation.h"

namespace healthcast::places {

using demography::AGE_MAX;
using demography::AgeArray;
using demography::N_SEXES;
using demography::SexAgeArray;

SexAgeArray BasePopulationOptions::all_ones() {
  SexAgeArray f;
  for (auto& s : f) s.fill(1.0);
  return f;
}

SexAgeArray shift_census_date(const SexAgeArray& census, const SexAgeArray& m, double years,
                              std::array<double, 2> births_per_year) {
  if (!(std::abs(years) <= 1.0))
    throw Error(fmt::format("shift_census_date: {} years is outside -1..1", years));
  const double f = std::abs(years);
  SexAgeArray out{};
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    const AgeArray& p = census[s];
    const AgeArray& r = m[s];
    // Persons aged exactly AGE_MAX..AGE_MAX+1 within the open group: its stationary share.
    const double first_open_year = p[AGE_MAX] * (1.0 - std::exp(-r[AGE_MAX]));
    if (years <= 0) {
      for (int a = 0; a < AGE_MAX; ++a) {
        const double next = a + 1 == AGE_MAX ? first_open_year : p[a + 1];
        out[s][a] = ((1.0 - f) * p[a] + f * next) * std::exp(r[a] * f);
      }
      out[s][AGE_MAX] = (p[AGE_MAX] - f * first_open_year) * std::exp(r[AGE_MAX] * f);
    } else {
      out[s][0] = (1.0 - f) * p[0] * std::exp(-r[0] * f) +
                  births_per_year[s] * f * std::exp(-r[0] * f / 2.0);
      for (int a = 1; a < AGE_MAX; ++a)
        out[s][a] = ((1.0 - f) * p[a] + f * p[a - 1]) * std::exp(-r[a] * f);
      out[s][AGE_MAX] = (p[AGE_MAX] + f * p[AGE_MAX - 1]) * std::exp(-r[AGE_MAX] * f);
    }
  }
  return out;
}

SexAgeArray adjust_undercount(const SexAgeArray& census, const SexAgeArray& factors) {
  SexAgeArray out{};
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (int a = 0; a <= AGE_MAX; ++a) {
      const double k = factors[s][a];
      if (!(k >= 0.5 && k <= 2.0))
        throw Error(fmt::format("adjust_undercount: factor {} at {} {} is outside 0.5..2", k,
                                demography::to_string(demography::SEXES[s]), a));
      out[s][a] = census[s][a] * k;
    }
  return out;
}

SexAgeArray graduate_census(const SexGroups& groups, const SexAgeArray& national_shape) {
  SexAgeArray out{};
  for (std::size_t s = 0; s < N_SEXES; ++s)
    out[s] = graduate(GROUP_LOWER, groups[s], national_shape[s]);
  return out;
}

SexAgeArray base_population(const SexGroups& groups, const SexAgeArray& national_shape,
                            const SexAgeArray& m, const BasePopulationOptions& options) {
  const auto single = graduate_census(groups, national_shape);
  return shift_census_date(adjust_undercount(single, options.undercount), m, options.years,
                           options.births_per_year);
}

}  // namespace healthcast::places
