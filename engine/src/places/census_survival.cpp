#include "healthcast/places/census_survival.h"

#include <cmath>

#include <fmt/format.h>

#include "healthcast/error.h"

namespace healthcast::places {

namespace {

using demography::AGE_MAX;
using demography::AgeArray;
using demography::N_AGES;
using demography::N_SEXES;

// Person-years L_a of a single-year table with radix 1 (constant hazard within each year).
AgeArray person_years(const AgeArray& m) {
  AgeArray L{};
  double l = 1.0;
  for (int a = 0; a < AGE_MAX; ++a) {
    const double survive = std::exp(-m[a]);
    L[a] = m[a] > 1e-12 ? l * (1.0 - survive) / m[a] : l;
    l *= survive;
  }
  L[AGE_MAX] = m[AGE_MAX] > 0 ? l / m[AGE_MAX] : 0.0;
  return L;
}

double sum_ages(const AgeArray& v, int from, int to) {  // ages from..to inclusive
  double s = 0;
  for (int a = from; a <= to; ++a) s += v[a];
  return s;
}

// L over ages c..d divided by L over ages a..b: a group's survival ratio.
double ratio_of(const AgeArray& L, int a, int b, int c, int d) {
  const double from = sum_ages(L, a, b);
  return from > 0 ? sum_ages(L, c, d) / from : 0.0;
}

}  // namespace

double cohort_mid_age(std::size_t cohort) {
  return cohort + 1 < N_COHORTS ? 5.0 * static_cast<double>(cohort) + 7.5 : 85.0;
}

CensusSurvival census_survival(const SexGroups& first, const SexGroups& second,
                               const demography::SexAgeArray& m, double years,
                               const CohortRates* prior, double kappa) {
  if (!(years > 0)) throw Error("census_survival: the interval must be positive");
  CensusSurvival out;
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    const AgeArray L = person_years(m[s]);
    const auto& p1 = first[s];
    const auto& p2 = second[s];
    for (std::size_t c = 0; c < N_COHORTS; ++c) {
      double start = 0, counted = 0, ratio = 0;
      if (c + 1 < N_COHORTS) {
        const int x = 5 * static_cast<int>(c);
        // groups: 0 and 1-4 form the first cohort; group of lower edge y has index y/5 + 1.
        start = c == 0 ? p1[0] + p1[1] : p1[c + 1];
        counted = p2[c + 3];
        ratio = ratio_of(L, x, x + 4, x + 10, x + 14);
      } else {
        // 75-79, 80-84 and 85+ survived separately (to 85-89, 90-94, 95+), so the open group's
        // survival follows its own age composition rather than the life table's.
        const double survivors = p1[16] * ratio_of(L, 75, 79, 85, 89) +
                                 p1[17] * ratio_of(L, 80, 84, 90, 94) +
                                 p1[18] * ratio_of(L, 85, AGE_MAX, 95, AGE_MAX);
        start = p1[16] + p1[17] + p1[18];
        counted = p2[18];  // 85+
        ratio = start > 0 ? survivors / start : ratio_of(L, 75, AGE_MAX, 85, AGE_MAX);
      }
      const double expected = start * ratio;
      const double rho = prior ? (*prior)[s][c] : 0.0;
      const double k = prior ? kappa : 0.0;
      double r = 0.0;
      if (counted + k * std::exp(years * rho) > 0 && expected + k > 0)
        r = std::log((counted + k * std::exp(years * rho)) / (expected + k)) / years;
      else if (counted > 0 || expected > 0)
        throw Error(fmt::format(
            "census_survival: cohort {} of {} has {} survivors expected and {} counted; give a "
            "prior rate and a positive kappa for sparse places",
            c, demography::to_string(demography::SEXES[s]), expected, counted));
      out.rate[s][c] = r;
      out.expected[s][c] = expected;
      out.counted[s][c] = counted;
      out.sampling_sd[s][c] = std::sqrt(1.0 / (counted + 1.0) + 1.0 / (expected + 1.0)) / years;
    }
  }
  return out;
}

demography::SexAgeArray rates_by_age(const CohortRates& cohort) {
  demography::SexAgeArray out{};
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a) {
      const double age = static_cast<double>(a) + 0.5;
      if (age <= cohort_mid_age(0)) {
        out[s][a] = cohort[s][0];
        continue;
      }
      if (age >= cohort_mid_age(N_COHORTS - 1)) {
        out[s][a] = cohort[s][N_COHORTS - 1];
        continue;
      }
      std::size_t c = 0;
      while (cohort_mid_age(c + 1) < age) ++c;
      const double x0 = cohort_mid_age(c), x1 = cohort_mid_age(c + 1);
      const double w = (age - x0) / (x1 - x0);
      out[s][a] = (1.0 - w) * cohort[s][c] + w * cohort[s][c + 1];
    }
  return out;
}

}  // namespace healthcast::places
