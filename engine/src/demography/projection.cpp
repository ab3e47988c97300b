#include "healthcast/demography/projection.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "healthcast/demography/life_table.h"
#include "healthcast/error.h"

namespace healthcast::demography {

namespace {

using results::Coordinate;
using results::Dataset;

constexpr std::size_t TOTAL = 2;  // index of "total" on the sex dimension of results
constexpr double NEWBORN_ENTRY = 0.5;  // newborns enter at mid-year (MODEL.md §1)

// Flows of one region, sex and year by age, accumulated over the cohorts that feed each age.
struct YearFlows {
  SexAgeArray deaths{}, person_years{}, net_migration{};
  std::array<double, N_SEXES> births{};
};

void check_inputs(const ProjectionSetup& setup) {
  if (setup.horizon < setup.base_year)
    throw Error(fmt::format("horizon {} is before the base year {}", setup.horizon,
                            setup.base_year));
  const std::size_t years = static_cast<std::size_t>(setup.horizon - setup.base_year + 1);
  for (const auto& r : setup.regions) {
    if (r.death_rate.size() < years || r.fertility.size() < years ||
        r.sex_ratio_at_birth.size() < years || r.net_migration.size() < years)
      throw Error(fmt::format("region '{}': inputs cover fewer than the {} projected years",
                              r.name, years));
  }
}

Dataset make_dataset(const ProjectionSetup& setup) {
  Dataset ds;
  std::vector<int> years(static_cast<std::size_t>(setup.horizon - setup.base_year + 1));
  std::iota(years.begin(), years.end(), setup.base_year);
  std::vector<std::string> regions;
  for (const auto& r : setup.regions) regions.push_back(r.name);
  std::vector<int> ages(N_AGES);
  std::iota(ages.begin(), ages.end(), 0);
  ds.add_coordinate({"year", years, "calendar year", ""});
  ds.add_coordinate({"region", regions, "region", ""});
  ds.add_coordinate({"sex", std::vector<std::string>{"female", "male", "total"}, "sex", ""});
  ds.add_coordinate({"age", ages, "age in completed years (100 = 100 and over)", "years"});

  const std::vector<std::string> by_age = {"year", "region", "sex", "age"};
  const std::vector<std::string> by_sex = {"year", "region", "sex"};
  ds.add_variable("population", by_age, "persons", "population at 1 January");
  ds.add_variable("deaths", by_age, "persons",
                  "deaths in the year, by age at 1 January (newborns of the year at age 0)");
  ds.add_variable("person_years", by_age, "person-years", "person-years lived in the year");
  ds.add_variable("net_migration", by_age, "persons", "net migrants in the year");
  ds.add_variable("life_expectancy", by_age, "years", "period life expectancy at exact age");
  ds.add_variable("births", by_sex, "persons", "live births in the year, by sex of the child");
  ds.add_variable("infant_mortality", by_sex, "per 1000 live births",
                  "infant mortality rate, 1000 q0 of the period life table");
  ds.add_variable("under5_mortality", by_sex, "per 1000 live births",
                  "under-five mortality, 1000 (1 - l5/l0) of the period life table");
  return ds;
}

// Adds migrants to a cohort, never below zero; returns the number actually added so that the
// balance identity holds for what was applied.
double add_migrants(double& cohort, double migrants) {
  const double applied = std::max(migrants, -cohort);
  cohort += applied;
  return applied;
}

// One calendar year of one region: flows by sex and age, and the population at next 1 January.
YearFlows project_year(const RegionInputs& in, std::size_t y, const SexAgeArray& start,
                       SexAgeArray& next, const IntegrationTolerances& tol) {
  YearFlows f;
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    next[s].fill(0.0);
    for (std::size_t a = 0; a < N_AGES; ++a) {
      double cohort = start[s][a];
      f.net_migration[s][a] += add_migrants(cohort, 0.5 * in.net_migration[y][s][a]);
      const CohortYear c = integrate_cohort_year(cohort, in.death_rate[y][s][a], 0.0, tol);
      f.deaths[s][a] += c.deaths;
      f.person_years[s][a] += c.person_years;
      double survivors = c.survivors;
      f.net_migration[s][a] += add_migrants(survivors, 0.5 * in.net_migration[y][s][a]);
      next[s][std::min<std::size_t>(a + 1, AGE_MAX)] += survivors;
    }
  }
  // Births from the person-years that women lived at each age during the year.
  const std::size_t female = 0;
  double births = 0.0;
  for (std::size_t a = 0; a < N_AGES; ++a)
    births += in.fertility[y][a] * f.person_years[female][a];
  const double srb = in.sex_ratio_at_birth[y];
  f.births = {births / (1.0 + srb), births * srb / (1.0 + srb)};
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    const CohortYear c = integrate_cohort_year(f.births[s], in.death_rate[y][s][0],
                                               NEWBORN_ENTRY, tol);
    f.deaths[s][0] += c.deaths;
    f.person_years[s][0] += c.person_years;
    next[s][0] = c.survivors;
  }
  return f;
}

// Period life table on single years from the year's deaths and person-years.
void store_life_table(Dataset& ds, std::size_t y, std::size_t r, std::size_t sex_index, Sex sex,
                      const AgeArray& deaths, const AgeArray& person_years) {
  std::vector<int> x(N_AGES);
  std::iota(x.begin(), x.end(), 0);
  std::vector<double> m(N_AGES);
  for (std::size_t a = 0; a < N_AGES; ++a)
    m[a] = person_years[a] > 0.0 ? deaths[a] / person_years[a] : 0.0;
  if (m[AGE_MAX] <= 0.0) return;  // an empty open group leaves no table (values stay 0)
  const LifeTable t = life_table(x, m, sex);
  auto& e = ds.variable("life_expectancy");
  for (std::size_t a = 0; a < N_AGES; ++a) e.at({y, r, sex_index, a}) = t.e[a];
  ds.variable("infant_mortality").at({y, r, sex_index}) = t.infant_mortality();
  ds.variable("under5_mortality").at({y, r, sex_index}) = t.under5_mortality();
}

void store_year(Dataset& ds, std::size_t y, std::size_t r, const SexAgeArray& population,
                const YearFlows& f) {
  auto& pop = ds.variable("population");
  auto& deaths = ds.variable("deaths");
  auto& py = ds.variable("person_years");
  auto& mig = ds.variable("net_migration");
  auto& births = ds.variable("births");
  AgeArray total_deaths{}, total_py{};
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    for (std::size_t a = 0; a < N_AGES; ++a) {
      pop.at({y, r, s, a}) = population[s][a];
      deaths.at({y, r, s, a}) = f.deaths[s][a];
      py.at({y, r, s, a}) = f.person_years[s][a];
      mig.at({y, r, s, a}) = f.net_migration[s][a];
      pop.at({y, r, TOTAL, a}) += population[s][a];
      deaths.at({y, r, TOTAL, a}) += f.deaths[s][a];
      py.at({y, r, TOTAL, a}) += f.person_years[s][a];
      mig.at({y, r, TOTAL, a}) += f.net_migration[s][a];
      total_deaths[a] += f.deaths[s][a];
      total_py[a] += f.person_years[s][a];
    }
    births.at({y, r, s}) = f.births[s];
    births.at({y, r, TOTAL}) += f.births[s];
    store_life_table(ds, y, r, s, SEXES[s], f.deaths[s], f.person_years[s]);
  }
  store_life_table(ds, y, r, TOTAL, Sex::total, total_deaths, total_py);
}

}  // namespace

results::Dataset project(const ProjectionSetup& setup, const ProgressCallback& progress) {
  check_inputs(setup);
  Dataset ds = make_dataset(setup);
  const std::size_t years = static_cast<std::size_t>(setup.horizon - setup.base_year + 1);
  for (std::size_t r = 0; r < setup.regions.size(); ++r) {
    const RegionInputs& in = setup.regions[r];
    SexAgeArray population = in.population;
    SexAgeArray next{};
    for (std::size_t y = 0; y < years; ++y) {
      const YearFlows f = project_year(in, y, population, next, setup.tolerances);
      store_year(ds, y, r, population, f);
      population = next;
      if (progress && !progress(r * years + y + 1, setup.regions.size() * years))
        throw Error("the projection was interrupted");
    }
  }
  return ds;
}

}  // namespace healthcast::demography
