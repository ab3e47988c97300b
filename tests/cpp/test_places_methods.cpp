// places/: the demographic methods on synthetic populations with known answers (closed forms
// and populations projected with known rates).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

#include "healthcast/demography/life_table.h"
#include "healthcast/error.h"
#include "healthcast/places/base_population.h"
#include "healthcast/places/census_survival.h"
#include "healthcast/places/fertility_level.h"
#include "healthcast/places/graduation.h"
#include "healthcast/places/offset_ar1.h"
#include "healthcast/places/relational_mortality.h"
#include "healthcast/places/shrinkage.h"

namespace {

using namespace healthcast;
using namespace healthcast::places;
using demography::AGE_MAX;
using demography::AgeArray;
using demography::N_AGES;
using demography::Sex;
using demography::SexAgeArray;

// Census groups (0, 1-4, 5-9, ..., 85+) of a single-year profile.
Groups to_groups(const AgeArray& p) {
  Groups g{};
  for (int a = 0; a <= AGE_MAX; ++a) {
    std::size_t i = a == 0 ? 0 : a < 5 ? 1 : a >= 85 ? 18 : static_cast<std::size_t>(a / 5 + 1);
    g[i] += p[a];
  }
  return g;
}

AgeArray profile(auto f) {
  AgeArray p{};
  for (int a = 0; a <= AGE_MAX; ++a) p[a] = f(a);
  return p;
}

// Gompertz-Makeham death rates: 0.0005 + 0.00003 e^{0.1 a}, with a higher infant rate.
AgeArray gompertz_mx(double scale = 1.0) {
  auto m = profile([&](int a) { return scale * (0.0005 + 0.00003 * std::exp(0.1 * a)); });
  m[0] = scale * 0.01;
  return m;
}

// ---- graduation ---------------------------------------------------------------------------
TEST(PlacesGraduation, SpragueRowsOfAGroupSumToThatGroup) {
  const std::size_t n = 17;
  const auto m = sprague_matrix(n);
  for (std::size_t g = 0; g < n; ++g)
    for (std::size_t k = 0; k < n; ++k) {
      double s = 0;
      for (std::size_t j = 0; j < 5; ++j) s += m[(5 * g + j) * n + k];
      EXPECT_NEAR(s, g == k ? 1.0 : 0.0, 1e-12) << g << " " << k;
    }
}

TEST(PlacesGraduation, ReproducesACubicExactly) {
  // Sprague's multipliers reproduce any cubic in single years (a property of the formula).
  const auto p = profile([](int a) { return 5000.0 + 80.0 * a - 2.1 * a * a + 0.015 * a * a * a; });
  const std::vector<int> lower = {0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75};
  std::vector<double> g(lower.size(), 0.0);
  for (int a = 0; a <= AGE_MAX; ++a) g[std::min<std::size_t>(a / 5, lower.size() - 1)] += p[a];
  const auto single = graduate(lower, g, p);
  for (int a = 0; a < 75; ++a) EXPECT_NEAR(single[a], p[a], 1e-8 * p[a]) << a;
  for (int a = 75; a <= AGE_MAX; ++a) EXPECT_NEAR(single[a], p[a], 1e-8 * p[a]) << a;  // shape
}

TEST(PlacesGraduation, KeepsCensusGroupSumsAndRecoversAnExponentialPopulation) {
  const auto p = profile([](int a) { return 1e5 * std::exp(-0.015 * a); });
  const Groups g = to_groups(p);
  const auto single = graduate(GROUP_LOWER, g, p);
  const Groups back = to_groups(single);
  for (std::size_t i = 0; i < N_GROUPS; ++i) EXPECT_NEAR(back[i], g[i], 1e-9 * g[i]) << i;
  EXPECT_DOUBLE_EQ(single[0], p[0]);  // age 0 is counted, not graduated
  // Sprague's error on an exponential is of the order of its fourth difference: tiny.
  for (int a = 1; a <= AGE_MAX; ++a) EXPECT_NEAR(single[a] / p[a], 1.0, 2e-5) << a;
}

TEST(PlacesGraduation, RecoversAGompertzStationaryPopulation) {
  // A stationary population is proportional to survivorship l(a) = exp(-H(a)): flat, then
  // steeply falling at old ages.
  const auto m = gompertz_mx();
  AgeArray l{};
  double h = 0;
  for (int a = 0; a <= AGE_MAX; ++a) {
    l[a] = 1e6 * std::exp(-h - 0.5 * m[a]);
    h += m[a];
  }
  const Groups g = to_groups(l);
  const auto single = graduate(GROUP_LOWER, g, l);
  const Groups back = to_groups(single);
  for (std::size_t i = 0; i < N_GROUPS; ++i) EXPECT_NEAR(back[i], g[i], 1e-9 * g[i]) << i;
  for (int a = 1; a < 85; ++a) EXPECT_NEAR(single[a] / l[a], 1.0, 2e-3) << a;
  for (int a = 85; a <= AGE_MAX; ++a) EXPECT_NEAR(single[a], l[a], 1e-9 * l[a]) << a;
}

TEST(PlacesGraduation, SparseCountsStayNonNegativeAndKeepTheirSums) {
  std::mt19937 rng(7);
  std::poisson_distribution<int> few(1.5);
  AgeArray shape{};
  shape.fill(1.0);
  for (int trial = 0; trial < 200; ++trial) {
    Groups g{};
    for (auto& v : g) v = few(rng) * (trial % 3 == 0 ? 1 : 7);
    const auto single = graduate(GROUP_LOWER, g, shape);
    const Groups back = to_groups(single);
    for (std::size_t i = 0; i < N_GROUPS; ++i) EXPECT_NEAR(back[i], g[i], 1e-9 * (1 + g[i]));
    for (double v : single) EXPECT_GE(v, 0.0);
  }
}

TEST(PlacesGraduation, RejectsGroupsThatAreNotFiveYearsWide) {
  AgeArray shape{};
  shape.fill(1.0);
  const std::vector<int> gap = {0, 5, 10, 20, 25, 30, 35};
  const std::vector<double> counts(gap.size(), 10.0);
  EXPECT_THROW(graduate(gap, counts, shape), Error);
}

// ---- base population ------------------------------------------------------------------------
TEST(PlacesBasePopulation, HalfAYearWithoutDeathsAveragesNeighbouringAges) {
  SexAgeArray p{}, m{};
  for (auto& s : p)
    for (int a = 0; a <= AGE_MAX; ++a) s[a] = 100.0 * (a + 1);
  const auto back = shift_census_date(p, m, -0.5);
  EXPECT_DOUBLE_EQ(back[0][10], 0.5 * 1100 + 0.5 * 1200);
  const auto fwd = shift_census_date(p, m, 0.5, {300.0, 300.0});
  EXPECT_DOUBLE_EQ(fwd[1][10], 0.5 * 1100 + 0.5 * 1000);
  EXPECT_DOUBLE_EQ(fwd[1][0], 0.5 * 100 + 150.0);
}

TEST(PlacesBasePopulation, AStationaryPopulationDoesNotChangeWhenMovedInTime) {
  // Constant hazard m and births B: single-year counts B (e^{-ma} - e^{-m(a+1)}) / m and an open
  // group B e^{-100 m} / m are the same at every date.
  const double m0 = 0.02, births = 1e5;
  SexAgeArray p{}, m{};
  for (std::size_t s = 0; s < 2; ++s) {
    m[s].fill(m0);
    for (int a = 0; a < AGE_MAX; ++a)
      p[s][a] = births * (std::exp(-m0 * a) - std::exp(-m0 * (a + 1))) / m0;
    p[s][AGE_MAX] = births * std::exp(-m0 * AGE_MAX) / m0;
  }
  // Birthdays spread evenly within a year of age are exact only to first order: at age 0, where
  // no younger age compensates, the error is m f (1 - f) / 2 <= m / 8.
  for (double years : {-10.0 / 12.0, -0.25, 0.5}) {
    const auto q = shift_census_date(p, m, years, {births, births});
    EXPECT_NEAR(q[0][0] / p[0][0], 1.0, m0 / 8.0 + 1e-6) << years;
    for (int a = 1; a <= AGE_MAX; ++a)
      EXPECT_NEAR(q[0][a] / p[0][a], 1.0, 1e-4) << years << " " << a;
  }
}

TEST(PlacesBasePopulation, UndercountFactorsMultiplyBeforeTheShift) {
  SexAgeArray p{};
  for (auto& s : p) s.fill(1000.0);
  auto k = BasePopulationOptions::all_ones();
  k[0][0] = 1.1;
  const auto q = adjust_undercount(p, k);
  EXPECT_DOUBLE_EQ(q[0][0], 1100.0);
  EXPECT_DOUBLE_EQ(q[1][0], 1000.0);
  k[1][3] = 3.0;
  EXPECT_THROW(adjust_undercount(p, k), Error);
}

// ---- relational mortality -------------------------------------------------------------------
TEST(PlacesRelational, LevelZeroIsTheStandardAndLevelsAdd) {
  const auto m = gompertz_mx();
  for (auto model : {RelationalModel::brass_logit, RelationalModel::proportional_hazards}) {
    const auto same = relational_mx(m, 0.0, model);
    for (int a = 0; a <= AGE_MAX; ++a) EXPECT_NEAR(same[a], m[a], 1e-12 * m[a] + 1e-15);
    const auto twice = relational_mx(relational_mx(m, 0.3, model), -0.5, model);
    const auto once = relational_mx(m, -0.2, model);
    for (int a = 0; a <= AGE_MAX; ++a) EXPECT_NEAR(twice[a], once[a], 1e-10 * once[a]);
  }
}

TEST(PlacesRelational, BrassLogitMatchesItsDefinitionOnSurvivorship) {
  // logit(1 - l) = alpha + logit(1 - l_std) with logit(y) = 0.5 ln(y / (1 - y)).
  const auto m = gompertz_mx();
  const double alpha = 0.35;
  const auto moved = relational_mx(m, alpha, RelationalModel::brass_logit);
  double h_std = 0, h = 0;
  auto logit = [](double y) { return 0.5 * std::log(y / (1.0 - y)); };
  for (int a = 1; a <= AGE_MAX; ++a) {
    h_std += m[a - 1];
    h += moved[a - 1];
    EXPECT_NEAR(logit(1.0 - std::exp(-h)), alpha + logit(1.0 - std::exp(-h_std)), 1e-9) << a;
  }
}

TEST(PlacesRelational, FitsRecoverAKnownLevelFromE0AndFromDeaths) {
  const auto standard = gompertz_mx();
  for (auto model : {RelationalModel::brass_logit, RelationalModel::proportional_hazards}) {
    for (double level : {-0.6, -0.1, 0.25, 0.7}) {
      const auto m = relational_mx(standard, level, model);
      const double e0 = life_expectancy(m, Sex::female);
      EXPECT_NEAR(fit_level_to_e0(standard, e0, Sex::female, model), level, 1e-7);
      // Indirect standardisation: the deaths of a young population under the moved rates.
      SexAgeArray pop{}, std2{};
      for (std::size_t s = 0; s < 2; ++s) {
        pop[s] = profile([](int a) { return 1000.0 * std::exp(-0.03 * a); });
        std2[s] = standard;
      }
      SexAgeArray moved{};
      moved[0] = moved[1] = m;
      const double ratio = expected_deaths(pop, moved) / expected_deaths(pop, std2);
      EXPECT_NEAR(fit_shift_to_deaths_ratio(std2, pop, ratio, model), level, 1e-7);
    }
  }
  EXPECT_THROW(fit_level_to_e0(standard, 150.0, Sex::male, RelationalModel::brass_logit), Error);
}

TEST(PlacesRelational, LifeExpectancyOfAConstantHazardAfterInfancy) {
  // With m = 0.02 everywhere and the life table's age-0 rule, e0 is close to 1/m = 50 (the
  // open group and the single-year steps are exact for a constant hazard; only a_0 differs).
  AgeArray m{};
  m.fill(0.02);
  EXPECT_NEAR(life_expectancy(m, Sex::female), 50.0, 0.1);
}

// ---- AR(1) ----------------------------------------------------------------------------------
TEST(PlacesAr1, MeanAndVarianceFollowTheClosedForm) {
  const Ar1 ar{0.95, 0.02, 0.0, 0};
  EXPECT_NEAR(ar.mean(0.4, 10), 0.4 * std::pow(0.95, 10), 1e-15);
  // Stationary limit sigma^2 / (1 - phi^2).
  EXPECT_NEAR(ar.variance(0.0, 2000), 0.02 * 0.02 / (1 - 0.95 * 0.95), 1e-12);
  // Monte Carlo paths agree with the closed form after 20 years.
  const int n = 20000;
  double sum = 0, sum2 = 0;
  for (int j = 0; j < n; ++j) {
    random::Stream stream(11, static_cast<std::uint64_t>(j), random::Purpose::health_inputs);
    const auto path = draw_offset_path(ar, 0.4, 0.1, 2010, 2011, 2030, stream);
    ASSERT_EQ(path.size(), 20u);
    sum += path.back();
    sum2 += path.back() * path.back();
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, ar.mean(0.4, 20), 4.0 * std::sqrt(ar.variance(0.01, 20) / n));
  EXPECT_NEAR(var / ar.variance(0.01, 20), 1.0, 0.05);
}

TEST(PlacesAr1, EstimateRecoversThePaceFromDecadePairs) {
  const Ar1 truth{0.97, 0.03, 0.0, 0};
  std::mt19937 rng(3);
  std::normal_distribution<double> z(0.0, 1.0);
  std::vector<std::pair<double, double>> pairs;
  for (int i = 0; i < 4000; ++i) {
    const double x = 0.5 * z(rng);
    double y = x;
    for (int t = 0; t < 10; ++t) y = truth.phi * y + truth.sigma * z(rng);
    pairs.emplace_back(x, y);
  }
  const Ar1 fit = estimate_ar1(pairs, 10);
  EXPECT_NEAR(fit.phi, truth.phi, 3 * fit.phi_se + 1e-4);
  EXPECT_NEAR(fit.sigma, truth.sigma, 0.003);
}

// ---- shrinkage ------------------------------------------------------------------------------
TEST(PlacesShrinkage, HandCalculationAndNoObservation) {
  const Shrunk s = shrink(0.3, 0.01, 0.1, 0.03);  // B = 0.03 / 0.04 = 0.75
  EXPECT_NEAR(s.weight, 0.75, 1e-15);
  EXPECT_NEAR(s.value, 0.1 + 0.75 * 0.2, 1e-15);
  EXPECT_NEAR(s.variance, 0.0075, 1e-15);
  const Shrunk none = shrink(0.0, INFINITY, 0.1, 0.03);
  EXPECT_EQ(none.value, 0.1);
  EXPECT_EQ(none.variance, 0.03);
}

TEST(PlacesShrinkage, BetweenVarianceRecoversTau) {
  std::mt19937 rng(5);
  std::normal_distribution<double> z(0.0, 1.0);
  std::vector<double> d, v;
  for (int i = 0; i < 20000; ++i) {
    const double vi = 0.001 + 0.02 * (i % 7) / 7.0;
    v.push_back(vi);
    d.push_back(0.1 * z(rng) + std::sqrt(vi) * z(rng));
  }
  EXPECT_NEAR(between_variance(d, v), 0.01, 0.0006);
}

// ---- fertility ------------------------------------------------------------------------------
// A national and a local population projected 80 years with constant rates (the local one at
// k times the national fertility, from a different starting age structure); women's parities
// accumulate; the last year's births give a crude birth rate.
struct Simulated {
  SexGroups census{};
  double cbr = 0;  // per 1,000
  double ceb = 0;  // per woman 15-64
};

Simulated simulate(double k, double start_slope, const AgeArray& asfr) {
  const auto m = gompertz_mx();
  SexAgeArray pop{};
  for (std::size_t s = 0; s < 2; ++s)
    for (int a = 0; a <= AGE_MAX; ++a) pop[s][a] = 1e4 * std::exp(start_slope * a) * (a < 90);
  auto births_of = [&](const SexAgeArray& p) {
    double b = 0;
    for (int a = 0; a <= AGE_MAX; ++a) b += k * asfr[a] * p[0][a];
    return b;
  };
  for (int year = 0; year < 80; ++year) {
    const double births = births_of(pop);
    SexAgeArray next{};
    for (std::size_t s = 0; s < 2; ++s) {
      for (int a = 1; a <= AGE_MAX; ++a) next[s][a] = pop[s][a - 1] * std::exp(-m[a - 1]);
      next[s][AGE_MAX] += pop[s][AGE_MAX] * std::exp(-m[AGE_MAX]);
      next[s][0] = 0.5 * births * std::exp(-0.5 * m[0]);
    }
    pop = next;
  }
  Simulated out;
  for (std::size_t s = 0; s < 2; ++s) out.census[s] = to_groups(pop[s]);
  // Rates constant for 80 years: a woman aged a has had k times the national rates at x < a.
  double total_pop = 0, women = 0, children = 0, cumulated = 0;
  for (std::size_t s = 0; s < 2; ++s)
    for (double v : pop[s]) total_pop += v;
  for (int a = 0; a < 65; ++a) {
    if (a >= 15) {
      women += pop[0][a];
      children += k * cumulated * pop[0][a];
    }
    cumulated += asfr[a];
  }
  out.cbr = 1000.0 * births_of(pop) / total_pop;
  out.ceb = children / women;
  return out;
}

TEST(PlacesFertility, IndirectStandardisationRecoversAKnownTfrRatio) {
  // A national schedule peaking at 27 (TFR 1.6), constant over time.
  auto asfr = profile([](int a) {
    return a < 15 || a > 49 ? 0.0 : 0.14 * std::exp(-0.5 * std::pow((a - 27.0) / 5.0, 2.0));
  });
  AsfrHistory history;
  for (int y = 1900; y <= 2030; ++y) history[y] = asfr;
  const Simulated nation = simulate(1.0, -0.01, asfr);
  const double k = 1.35;
  const Simulated place = simulate(k, 0.004, asfr);  // older start: different women's ages
  const AgeArray parity = cohort_parity(history, 2020);
  const double cwr = child_woman_index(place.census, history, 2020).index /
                     child_woman_index(nation.census, history, 2020).index;
  const double cbr = birth_rate_index(place.census, place.cbr, history, 2020).index /
                     birth_rate_index(nation.census, nation.cbr, history, 2020).index;
  const double ceb = parity_index(place.census, place.ceb, parity, 2020).index /
                     parity_index(nation.census, nation.ceb, parity, 2020).index;
  EXPECT_NEAR(ceb / k, 1.0, 0.005);
  EXPECT_NEAR(cbr / k, 1.0, 0.02);
  EXPECT_NEAR(cwr / k, 1.0, 0.03);
  // Without standardisation the crude ratio of births per woman 15-49 would be off.
  EXPECT_NEAR(std::cbrt(cwr * cbr * ceb) / k, 1.0, 0.02);
}

// ---- census survival ------------------------------------------------------------------------
// Projects single-year populations ten years with death rates m and net migration at yearly
// rate r(a) (continuous, at the age the person has during the year), births B a year.
SexAgeArray project(SexAgeArray pop, const AgeArray& m, const AgeArray& r, double births,
                    int years) {
  for (int t = 0; t < years; ++t) {
    SexAgeArray next{};
    for (std::size_t s = 0; s < 2; ++s) {
      for (int a = 1; a <= AGE_MAX; ++a) {
        // A cohort passes from age a-1 to a during the year: half the year at each age.
        const double rate = 0.5 * (r[a - 1] + r[a]) - 0.5 * (m[a - 1] + m[a]);
        next[s][a] += pop[s][a - 1] * std::exp(rate);
      }
      next[s][AGE_MAX] += pop[s][AGE_MAX] * std::exp(r[AGE_MAX] - m[AGE_MAX]);
      next[s][0] = births * std::exp(0.5 * (r[0] - m[0]));
    }
    pop = next;
  }
  return pop;
}

SexGroups groups_of(const SexAgeArray& p) { return {to_groups(p[0]), to_groups(p[1])}; }

TEST(PlacesCensusSurvival, RecoversAConstantMigrationRateExactly) {
  // Constant hazard: the survival ratio 5L_{x+10}/5L_x is e^{-10 m}, the cohorts' exactly.
  AgeArray m{}, r{};
  m.fill(0.01);
  r.fill(0.012);
  SexAgeArray p0{};
  for (auto& s : p0)
    for (int a = 0; a <= AGE_MAX; ++a) s[a] = 5000.0 * std::exp(-0.01 * a);
  const auto p10 = project(p0, m, r, 5000.0, 10);
  SexAgeArray mm{};
  mm[0] = mm[1] = m;
  const auto cs = census_survival(groups_of(p0), groups_of(p10), mm);
  for (std::size_t s = 0; s < 2; ++s)
    for (std::size_t c = 0; c + 1 < N_COHORTS; ++c) EXPECT_NEAR(cs.rate[s][c], 0.012, 1e-10) << c;
  const auto by_age = rates_by_age(cs.rate);
  EXPECT_NEAR(by_age[1][40], 0.012, 1e-10);
}

TEST(PlacesCensusSurvival, RecoversAnAgePatternOfMigration) {
  // Rogers-Castro-like: inflow peaking at 22, children with their parents, outflow after 55.
  const auto r = profile([](int a) {
    return 0.004 + 0.03 * std::exp(-0.5 * std::pow((a - 22.0) / 5.0, 2.0)) -
           0.006 * (a > 55 ? std::min(1.0, (a - 55) / 10.0) : 0.0);
  });
  const auto m = gompertz_mx();
  SexAgeArray p0{};  // a growing population shaped by these death rates
  for (auto& s : p0) {
    double h = 0;
    for (int a = 0; a <= AGE_MAX; ++a) {
      s[a] = 8000.0 * std::exp(-0.012 * a - h - 0.5 * m[a]);
      h += m[a];
    }
  }
  const auto p10 = project(p0, m, r, 8000.0, 10);
  SexAgeArray mm{};
  mm[0] = mm[1] = m;
  const auto cs = census_survival(groups_of(p0), groups_of(p10), mm);
  // Each cohort's rate is the mean of r over the ages it lived through (x .. x+14, triangular).
  for (std::size_t c = 0; c + 1 < N_COHORTS; ++c) {
    const int x = 5 * static_cast<int>(c);
    double mean = 0, w = 0;
    for (int y = x; y < x + 15; ++y) {
      const double weight = std::min({y - x + 1.0, 5.0, x + 15.0 - y});
      mean += weight * r[y];
      w += weight;
    }
    EXPECT_NEAR(cs.rate[0][c], mean / w, 0.001) << "cohort " << c;
  }
  EXPECT_NEAR(cs.rate[0][15], r[90], 0.001);  // 75+ to 85+: the rate of the oldest
  // The net migrants of the decade: counted minus survivors, as projected.
  const auto by_age = rates_by_age(cs.rate);
  for (int a = 30; a <= 80; ++a) EXPECT_NEAR(by_age[0][a], r[a], 0.004) << a;
}

TEST(PlacesCensusSurvival, EmptyCohortsTakeThePriorRateNeverAnInfiniteOne) {
  SexGroups first{}, second{};
  for (auto& s : first) s.fill(10.0);
  for (auto& s : second) s.fill(10.0);
  first[0][5] = 0;   // nobody 20-24 in the first census
  second[1][7] = 0;  // nobody 30-34 (cohort 20-24) in the second
  SexAgeArray m{};
  for (auto& s : m) s = gompertz_mx();
  CohortRates prior{};
  for (auto& s : prior) s.fill(0.01);
  const auto cs = census_survival(first, second, m, 10.0, &prior, 100.0);
  for (const auto& s : cs.rate)
    for (double v : s) EXPECT_TRUE(std::isfinite(v));
  EXPECT_GT(cs.rate[0][4], 0.01);  // people where none were: above the prior, finite
  EXPECT_LT(cs.rate[1][4], 0.01);
  SexGroups none{};
  const auto empty = census_survival(none, none, m, 10.0, &prior, 100.0);
  EXPECT_NEAR(empty.rate[0][3], 0.01, 1e-12);
}

}  // namespace
