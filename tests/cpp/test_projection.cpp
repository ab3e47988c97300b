// Cohort-component projection (MODEL.md §1): closed forms, hand calculations and the balance
// identity.
#include <cmath>

#include <gtest/gtest.h>

#include "healthcast/demography/projection.h"

using namespace healthcast::demography;
using healthcast::results::Dataset;

namespace {

constexpr std::size_t FEMALE = index(Sex::female), MALE = index(Sex::male);

// A region with flat rates: `population` persons at every age and sex, death rate m, no
// births and no migration, for `years` years.
RegionInputs flat_region(std::string name, double population, double m, std::size_t years) {
  RegionInputs r;
  r.name = std::move(name);
  for (auto& ages : r.population) ages.fill(population);
  SexAgeArray rates{};
  for (auto& ages : rates) ages.fill(m);
  r.death_rate.assign(years, rates);
  r.fertility.assign(years, AgeArray{});
  r.sex_ratio_at_birth.assign(years, 1.05);
  r.net_migration.assign(years, SexAgeArray{});
  return r;
}

double sum_over_ages(const Dataset& ds, const std::string& var, std::size_t y, std::size_t r,
                     std::size_t s) {
  double total = 0.0;
  for (std::size_t a = 0; a < N_AGES; ++a) total += ds.variable(var).at({y, r, s, a});
  return total;
}

}  // namespace

TEST(Projection, ConstantMortalityWithoutBirthsOrMigrationDecaysExponentially) {
  // N(t) = N(0) exp(-m t) for the whole population when every age has the same rate.
  const double m = 0.03, n0 = 1000.0;
  ProjectionSetup setup{2000, 2010, {flat_region("a", n0, m, 11)}, {}};
  const Dataset ds = project(setup);
  for (std::size_t y = 0; y <= 10; ++y) {
    const double expected = 2 * N_AGES * n0 * std::exp(-m * static_cast<double>(y));
    EXPECT_NEAR(sum_over_ages(ds, "population", y, 0, TOTAL) / expected, 1.0, 1e-9) << y;
  }
  // Person-years lived by a cohort of size N over a year: N (1 - exp(-m)) / m.
  const double py = n0 * (1 - std::exp(-m)) / m;
  EXPECT_NEAR(ds.variable("person_years").at({0, 0, FEMALE, 40}), py, 1e-7);
  EXPECT_NEAR(ds.variable("deaths").at({0, 0, MALE, 40}), n0 * (1 - std::exp(-m)), 1e-7);
}

TEST(Projection, BirthsComeFromFemalePersonYearsAndEnterAtMidYear) {
  // 1000 women aged 30 with no mortality bear 0.1 children each; newborns face m0 = 0.2 for
  // half a year; 105 boys per 100 girls.
  const double asfr = 0.1, m0 = 0.2, srb = 1.05;
  RegionInputs r = flat_region("a", 0.0, 0.0, 2);
  r.population[FEMALE][30] = 1000.0;
  for (std::size_t y = 0; y < 2; ++y) {
    r.fertility[y][30] = asfr;
    r.sex_ratio_at_birth[y] = srb;
    for (auto& ages : r.death_rate[y]) ages[0] = m0;
  }
  ProjectionSetup setup{2000, 2001, {r}, {}};
  const Dataset ds = project(setup);
  const double births = 1000.0 * asfr;
  EXPECT_NEAR(ds.variable("births").at({0, 0, MALE}), births * srb / (1 + srb), 1e-9);
  EXPECT_NEAR(ds.variable("births").at({0, 0, FEMALE}), births / (1 + srb), 1e-9);
  EXPECT_NEAR(ds.variable("births").at({0, 0, TOTAL}), births, 1e-9);
  // Survivors at 1 January of the next year: B_s exp(-m0 / 2).
  EXPECT_NEAR(ds.variable("population").at({1, 0, FEMALE, 0}),
              births / (1 + srb) * std::exp(-m0 / 2), 1e-8);
  EXPECT_NEAR(ds.variable("person_years").at({0, 0, MALE, 0}),
              births * srb / (1 + srb) * (1 - std::exp(-m0 / 2)) / m0, 1e-8);
}

TEST(Projection, BalanceHoldsForEveryRegionSexAndYear) {
  // Two regions with births, deaths and migration, including out-migration larger than some
  // cohorts (the applied migration is what balances).
  const std::size_t years = 30;
  std::vector<RegionInputs> regions;
  for (int k = 0; k < 2; ++k) {
    RegionInputs r = flat_region(k == 0 ? "north" : "south", 5000.0 + 1000.0 * k, 0.0, years);
    for (std::size_t y = 0; y < years; ++y) {
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t a = 0; a < N_AGES; ++a) {
          r.death_rate[y][s][a] = 0.0005 * std::exp(0.085 * static_cast<double>(a)) / (1 + k);
          r.net_migration[y][s][a] = (a > 18 && a < 40) ? 40.0 * (k == 0 ? 1 : -1) : -3.0;
        }
      for (std::size_t a = 15; a < 50; ++a) r.fertility[y][a] = 0.06;
      r.net_migration[y][MALE][AGE_MAX] = -1e6;  // empties the open group
    }
    regions.push_back(r);
  }
  const Dataset ds = project({2020, 2020 + static_cast<int>(years) - 1, regions, {}});
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t s : {FEMALE, MALE, TOTAL})
      for (std::size_t y = 0; y + 1 < years; ++y) {
        const double change =
            sum_over_ages(ds, "population", y + 1, r, s) - sum_over_ages(ds, "population", y, r, s);
        const double flows = ds.variable("births").at({y, r, s}) -
                             sum_over_ages(ds, "deaths", y, r, s) +
                             sum_over_ages(ds, "net_migration", y, r, s);
        EXPECT_NEAR(change, flows, 1e-9 * sum_over_ages(ds, "population", y, r, s))
            << "region " << r << " sex " << s << " year " << y;
      }
  // Nobody is left in the male open group, and the migration applied there is what was there.
  EXPECT_EQ(ds.variable("population").at({5, 0, MALE, AGE_MAX}), 0.0);
}

TEST(Projection, LifeExpectancyRecoversTheInputRates) {
  // Deaths over person-years give back m; for m = 0.02 at every age, e in the open group is
  // 1/m = 50 years.
  ProjectionSetup setup{2000, 2000, {flat_region("a", 1000.0, 0.02, 1)}, {}};
  const Dataset ds = project(setup);
  EXPECT_NEAR(ds.variable("life_expectancy").at({0, 0, FEMALE, AGE_MAX}), 50.0, 1e-8);
  EXPECT_NEAR(ds.variable("life_expectancy").at({0, 0, TOTAL, AGE_MAX}), 50.0, 1e-8);
  // 1000 q0 with the female Coale-Demeny a0 = 0.053 + 2.8 m0.
  const double a0 = 0.053 + 2.8 * 0.02;
  EXPECT_NEAR(ds.variable("infant_mortality").at({0, 0, FEMALE}),
              1000 * 0.02 / (1 + (1 - a0) * 0.02), 1e-6);
}

TEST(Projection, EmptyAgesTakeTheInputRateInTheLifeTable) {
  // A closed population without births and with m = 0.12 at every age: young ages empty year by
  // year, and e0 must stay at the closed form of the constant-rate life table (an empty cell
  // with a rate of 0 would lengthen life). With m0 >= 0.107 the Coale-Demeny a0 is 0.35
  // (female); a = 1/2 at 1-99 gives p = (1 - m/2) / (1 + m/2), and the open group lives 1/m:
  // e0 = a0 q0 + l1 + l1 (1 + p)/2 (1 - p^99)/(1 - p) - l1 + l1 p^99 / m, with L0 = l1 + a0 q0.
  const double m = 0.12, a0 = 0.35;
  const double q0 = m / (1 + (1 - a0) * m), l1 = 1 - q0, p = (1 - m / 2) / (1 + m / 2);
  const double e0 = (l1 + a0 * q0) + l1 * (1 + p) / 2 * (1 - std::pow(p, 99)) / (1 - p) +
                    l1 * std::pow(p, 99) / m;
  ProjectionSetup setup{2000, 2030, {flat_region("a", 1000.0, m, 31)}, {}};
  const Dataset ds = project(setup);
  for (const std::size_t y : {0, 1, 10, 30}) {
    if (y > 0) {
      EXPECT_EQ(ds.variable("person_years").at({y, 0, FEMALE, 0}), 0.0);
    }
    EXPECT_NEAR(ds.variable("life_expectancy").at({y, 0, FEMALE, 0}), e0, 1e-7) << y;
  }
}

TEST(Projection, MigrationRatesApplyToTheCohortHalfAtEachEndOfTheYear) {
  // Without deaths, a cohort N with net migration rate r per person-year gains r N / 2 at the
  // start of the year and r / 2 of what it then is at the end: N (1 + r/2)^2 a year later;
  // with m > 0 the survivors of N (1 + r/2) are then raised by (1 + r/2).
  const double n0 = 1000.0, r = 0.04, m = 0.01;
  RegionInputs region = flat_region("a", n0, 0.0, 2);
  SexAgeArray rate{};
  rate[FEMALE][30] = r;
  rate[MALE][30] = -r;
  region.net_migration_rate.assign(2, rate);
  region.death_rate[0][MALE][30] = m;
  ProjectionSetup setup{2000, 2001, {region}, {}};
  const Dataset ds = project(setup);
  const auto& pop = ds.variable("population");
  EXPECT_NEAR(pop.at({1, 0, FEMALE, 31}), n0 * (1 + r / 2) * (1 + r / 2), 1e-9);
  EXPECT_NEAR(pop.at({1, 0, MALE, 31}), n0 * (1 - r / 2) * std::exp(-m) * (1 - r / 2), 1e-9);
  const double migrants = n0 * (r / 2) + n0 * (1 + r / 2) * (r / 2);
  EXPECT_NEAR(ds.variable("net_migration").at({0, 0, FEMALE, 30}), migrants, 1e-9);
  // Other ages have no rate and no counts: unchanged.
  EXPECT_NEAR(pop.at({1, 0, FEMALE, 41}), n0, 1e-9);
}
