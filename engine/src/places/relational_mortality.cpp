#include "healthcast/places/relational_mortality.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>

#include <fmt/format.h>
#include <boost/math/tools/roots.hpp>

#include "healthcast/demography/life_table.h"
#include "healthcast/error.h"

namespace healthcast::places {

namespace {

using demography::AGE_MAX;
using demography::AgeArray;
using demography::N_AGES;
using demography::SexAgeArray;

constexpr double LEVEL_LOW = -4.0, LEVEL_HIGH = 4.0;

const std::array<int, N_AGES>& single_ages() {
  static const std::array<int, N_AGES> x = [] {
    std::array<int, N_AGES> a{};
    std::iota(a.begin(), a.end(), 0);
    return a;
  }();
  return x;
}

// Root of f on [low, high] by TOMS 748 to near machine precision in the level.
template <class F>
double solve(F f, double low, double high) {
  const double f_low = f(low), f_high = f(high);
  if (f_low == 0) return low;
  if (f_high == 0) return high;
  if ((f_low > 0) == (f_high > 0)) return std::numeric_limits<double>::quiet_NaN();
  std::uintmax_t iterations = 100;
  const auto r = boost::math::tools::toms748_solve(
      f, low, high, f_low, f_high, boost::math::tools::eps_tolerance<double>(40), iterations);
  return 0.5 * (r.first + r.second);
}

}  // namespace

AgeArray relational_mx(const AgeArray& standard, double level, RelationalModel model) {
  AgeArray out{};
  if (model == RelationalModel::proportional_hazards) {
    const double theta = std::exp(level);
    for (std::size_t a = 0; a < N_AGES; ++a) out[a] = theta * standard[a];
    return out;
  }
  // Brass logit with slope 1 on the odds of dying by age x: r_x = (1 - l_x) / l_x =
  // expm1(H_x) for the standard (H the cumulative hazard), k r_x for the place (k = e^{2 alpha}),
  // so ln l_x = -log1p(k r_x) and m_x = ln(l_x / l_{x+1}).
  const double k = std::exp(2.0 * level);
  double cumulative = 0.0;
  double log_l = 0.0;  // ln l_x of the place
  for (int a = 0; a < AGE_MAX; ++a) {
    cumulative += standard[a];
    const double next_log_l = -std::log1p(k * std::expm1(cumulative));
    out[a] = log_l - next_log_l;
    log_l = next_log_l;
  }
  const double r = std::expm1(cumulative);
  out[AGE_MAX] = standard[AGE_MAX] * k * (1.0 + r) / (1.0 + k * r);
  return out;
}

double life_expectancy(const AgeArray& m, demography::Sex sex) {
  return demography::life_table(single_ages(), m, sex).e[0];
}

double fit_level_to_e0(const AgeArray& standard, double e0, demography::Sex sex,
                       RelationalModel model) {
  auto gap = [&](double level) {
    return life_expectancy(relational_mx(standard, level, model), sex) - e0;
  };
  const double level = solve(gap, LEVEL_LOW, LEVEL_HIGH);
  if (std::isnan(level))
    throw Error(fmt::format(
        "a life expectancy of {:.2f} years is out of reach of the relational model ({:.2f} to "
        "{:.2f} years for levels {} to {})",
        e0, gap(LEVEL_HIGH) + e0, gap(LEVEL_LOW) + e0, LEVEL_HIGH, LEVEL_LOW));
  return level;
}

double expected_deaths(const SexAgeArray& population, const SexAgeArray& m) {
  double d = 0;
  for (std::size_t s = 0; s < demography::N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a) d += population[s][a] * m[s][a];
  return d;
}

double fit_shift_to_deaths_ratio(const SexAgeArray& standard, const SexAgeArray& population,
                                 double ratio, RelationalModel model) {
  if (!(ratio > 0) || !std::isfinite(ratio))
    throw Error(fmt::format("a deaths ratio must be positive and finite, got {}", ratio));
  if (model == RelationalModel::proportional_hazards) return std::log(ratio);
  const double base = expected_deaths(population, standard);
  if (!(base > 0)) return 0.0;  // nobody exposed: the data say nothing about the level
  auto gap = [&](double shift) {
    SexAgeArray moved;
    for (std::size_t s = 0; s < demography::N_SEXES; ++s)
      moved[s] = relational_mx(standard[s], shift, model);
    return expected_deaths(population, moved) / base - ratio;
  };
  const double shift = solve(gap, LEVEL_LOW, LEVEL_HIGH);
  if (std::isnan(shift))
    throw Error(
        fmt::format("a deaths ratio of {:.3f} is out of reach of the relational model", ratio));
  return shift;
}

}  // namespace healthcast::places
