#include "healthcast/demography/projection.h"

#include <algorithm>
#include <mutex>
#include <numeric>
#include <span>

#include <fmt/format.h>

#include "healthcast/demography/life_table.h"
#include "healthcast/error.h"
#include "healthcast/parallel/ordered.h"

namespace healthcast::demography {

namespace {

using results::Dataset;

constexpr double NEWBORN_ENTRY = 0.5;  // newborns enter at mid-year (MODEL.md §1)

// What every region's dynamics must agree on, fixed by the first region.
struct ModelShape {
  CohortStateLayout states;
  std::vector<std::string> causes, diseases;
  bool by_cause() const { return causes.size() > 1; }
};

// Per-person state of every cohort of a region (k values per cohort), one block per sex: few
// allocations however many cohorts and years.
class CohortStates {
 public:
  explicit CohortStates(std::size_t k) : k_(k) {
    for (auto& block : values_) block.assign(N_AGES * k, 0.0);
  }
  std::span<double> operator()(std::size_t s, std::size_t a) {
    return {values_[s].data() + a * k_, k_};
  }
  std::span<const double> operator()(std::size_t s, std::size_t a) const {
    return {values_[s].data() + a * k_, k_};
  }
  std::size_t size() const { return k_; }

 private:
  std::size_t k_;
  std::array<std::vector<double>, N_SEXES> values_;
};

// Flows of one region in one year by sex and age (deaths and incidence also by cause/disease).
struct YearFlows {
  SexAgeArray deaths{}, person_years{}, net_migration{};
  std::array<double, N_SEXES> births{};
  std::array<std::vector<double>, N_SEXES> deaths_by_cause, incidence;  // [age * k + k_index]
};

std::size_t year_count(const ProjectionSetup& setup) {
  return static_cast<std::size_t>(setup.horizon - setup.base_year + 1);
}

void check_inputs(const ProjectionSetup& setup) {
  if (setup.horizon < setup.base_year)
    throw Error(
        fmt::format("horizon {} is before the base year {}", setup.horizon, setup.base_year));
  if (setup.regions.empty()) throw Error("a projection needs at least one region");
  const std::size_t years = year_count(setup);
  for (const auto& r : setup.regions) {
    const bool own_rates = r.dynamics != nullptr || r.death_rate.size() >= years;
    if (!own_rates || r.fertility.size() < years || r.sex_ratio_at_birth.size() < years ||
        r.net_migration.size() < years ||
        (!r.net_migration_rate.empty() && r.net_migration_rate.size() < years))
      throw Error(fmt::format("region '{}': inputs cover fewer than the {} projected years", r.name,
                              years));
  }
}

ModelShape shape_of(const CohortDynamics& d) {
  return {d.state_layout(), d.cause_names(), d.disease_names()};
}

Dataset make_dataset(const ProjectionSetup& setup, const ModelShape& shape) {
  namespace var = results::var;
  Dataset ds;
  std::vector<int> years(year_count(setup));
  std::iota(years.begin(), years.end(), setup.base_year);
  std::vector<std::string> regions, sexes;
  for (const auto& r : setup.regions) regions.push_back(r.name);
  for (Sex s : SEXES_AND_TOTAL) sexes.emplace_back(to_string(s));
  std::vector<int> ages(N_AGES);
  std::iota(ages.begin(), ages.end(), 0);
  ds.add_coordinate(results::dim::year, years);
  ds.add_coordinate(results::dim::region, regions);
  ds.add_coordinate(results::dim::sex, sexes);
  ds.add_coordinate(results::dim::age, ages);
  for (const auto* v :
       {&var::population, &var::deaths, &var::person_years, &var::net_migration,
        &var::life_expectancy, &var::births, &var::infant_mortality, &var::under5_mortality})
    ds.add_variable(*v);
  if (shape.by_cause()) {
    ds.add_coordinate(results::dim::cause, shape.causes);
    ds.add_variable(var::deaths_by_cause);
  }
  if (!shape.diseases.empty()) {
    ds.add_coordinate(results::dim::disease, shape.diseases);
    ds.add_variable(var::incidence);
  }
  for (const auto& block : shape.states.blocks()) {
    if (!ds.has_coordinate(block.dim())) ds.add_coordinate(block.dim(), block.labels);
    ds.add_variable(*block.variable);
  }
  return ds;
}

// Adds migrants to a cohort, never below zero; returns the number actually added so that the
// balance identity holds for what was applied. Migrants share the cohort's health state.
double add_migrants(double& cohort, double migrants) {
  const double applied = std::max(migrants, -cohort);
  cohort += applied;
  return applied;
}

// Folds a cohort's year-end state into the cohort it joins (the open group receives two).
void merge_state(std::span<double> into, double& into_weight, std::span<const double> from,
                 double weight) {
  const double total = into_weight + weight;
  if (total > 0.0)
    for (std::size_t k = 0; k < into.size(); ++k)
      into[k] = (into[k] * into_weight + from[k] * weight) / total;
  else
    std::copy(from.begin(), from.end(), into.begin());
  into_weight = total;
}

void record(YearFlows& f, std::size_t s, std::size_t a, const CohortOutcome& c,
            const ModelShape& shape) {
  double deaths = 0.0;
  for (std::size_t k = 0; k < c.deaths.size(); ++k) {
    deaths += c.deaths[k];
    if (shape.by_cause()) f.deaths_by_cause[s][a * shape.causes.size() + k] += c.deaths[k];
  }
  f.deaths[s][a] += deaths;
  f.person_years[s][a] += c.person_years;
  for (std::size_t k = 0; k < c.incidence.size(); ++k)
    f.incidence[s][a * shape.diseases.size() + k] += c.incidence[k];
}

// One calendar year of one region: flows by sex and age, and the population and cohort states
// at next 1 January.
YearFlows project_year(const RegionInputs& in, const CohortDynamics& dynamics,
                       const ModelShape& shape, std::size_t y, const SexAgeArray& start,
                       CohortStates& states, SexAgeArray& next) {
  YearFlows f;
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    f.deaths_by_cause[s].assign(N_AGES * shape.causes.size(), 0.0);
    f.incidence[s].assign(N_AGES * shape.diseases.size(), 0.0);
  }
  CohortOutcome c;
  CohortStates next_states(states.size());
  std::vector<double> state(states.size());
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    next[s].fill(0.0);
    for (std::size_t a = 0; a < N_AGES; ++a) {
      double cohort = start[s][a];
      // Half the year's migrants join (or leave) at the start of the year, half at its end.
      const double rate = in.net_migration_rate.empty() ? 0.0 : in.net_migration_rate[y][s][a];
      f.net_migration[s][a] +=
          add_migrants(cohort, 0.5 * (in.net_migration[y][s][a] + rate * cohort));
      const auto now = states(s, a);
      std::copy(now.begin(), now.end(), state.begin());
      dynamics.advance(y, s, a, cohort, 0.0, state, c);
      record(f, s, a, c, shape);
      double survivors = c.survivors;
      f.net_migration[s][a] +=
          add_migrants(survivors, 0.5 * (in.net_migration[y][s][a] + rate * survivors));
      const std::size_t to = std::min<std::size_t>(a + 1, AGE_MAX);
      merge_state(next_states(s, to), next[s][to], state, survivors);
    }
  }
  // Births from the person-years that women lived at each age during the year.
  const std::size_t female = 0;
  double births = 0.0;
  for (std::size_t a = 0; a < N_AGES; ++a) births += in.fertility[y][a] * f.person_years[female][a];
  const double srb = in.sex_ratio_at_birth[y];
  f.births = {births / (1.0 + srb), births * srb / (1.0 + srb)};
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    dynamics.newborn_state(s, state);
    dynamics.advance(y, s, 0, f.births[s], NEWBORN_ENTRY, state, c);
    record(f, s, 0, c, shape);
    next[s][0] = c.survivors;
    std::copy(state.begin(), state.end(), next_states(s, 0).begin());
  }
  states = std::move(next_states);
  return f;
}

// Period life table on single years from the year's deaths and person-years. An age without
// person-years takes the input death rate (`input`): an empty cell says nothing about its
// mortality, and a rate of zero would lengthen life (issue 13).
void store_life_table(Dataset& ds, std::size_t y, std::size_t r, std::size_t sex_index, Sex sex,
                      const AgeArray& deaths, const AgeArray& person_years, const AgeArray& input) {
  std::vector<int> x(N_AGES);
  std::iota(x.begin(), x.end(), 0);
  std::vector<double> m(N_AGES);
  for (std::size_t a = 0; a < N_AGES; ++a)
    m[a] = person_years[a] > 0.0 ? deaths[a] / person_years[a] : input[a];
  if (m[AGE_MAX] <= 0.0) return;  // an empty open group leaves no table (values stay 0)
  const LifeTable t = life_table(x, m, sex);
  auto& e = ds.variable("life_expectancy");
  for (std::size_t a = 0; a < N_AGES; ++a) e.at({y, r, sex_index, a}) = t.e[a];
  ds.variable("infant_mortality").at({y, r, sex_index}) = t.infant_mortality();
  ds.variable("under5_mortality").at({y, r, sex_index}) = t.under5_mortality();
}

// Adds a [sex][age * k + j] block into a (year, region, sex, age, k) variable, with totals.
void store_by_age_and(Dataset& ds, const std::string& name, std::size_t y, std::size_t r,
                      const std::array<std::vector<double>, N_SEXES>& values, std::size_t k) {
  if (k == 0 || !ds.has_variable(name)) return;
  auto& v = ds.variable(name);
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a)
      for (std::size_t j = 0; j < k; ++j) {
        v.at({y, r, s, a, j}) = values[s][a * k + j];
        v.at({y, r, TOTAL, a, j}) += values[s][a * k + j];
      }
}

// Each block of the per-person state at 1 January as its own variable; both sexes take the
// population-weighted mean.
void store_states(Dataset& ds, std::size_t y, std::size_t r, const SexAgeArray& population,
                  const CohortStates& states, const CohortStateLayout& layout) {
  for (std::size_t b = 0; b < layout.blocks().size(); ++b) {
    auto& v = ds.variable(*layout.block(b).variable);
    for (std::size_t a = 0; a < N_AGES; ++a) {
      const auto female = layout.values(states(0, a), b), male = layout.values(states(1, a), b);
      const double both = population[0][a] + population[1][a];
      for (std::size_t j = 0; j < female.size(); ++j) {
        v.at({y, r, 0, a, j}) = female[j];
        v.at({y, r, 1, a, j}) = male[j];
        v.at({y, r, TOTAL, a, j}) =
            both > 0.0 ? (female[j] * population[0][a] + male[j] * population[1][a]) / both
                       : 0.5 * (female[j] + male[j]);
      }
    }
  }
}

void store_year(Dataset& ds, std::size_t y, std::size_t r, const SexAgeArray& population,
                const CohortStates& states, const YearFlows& f, const ModelShape& shape,
                const SexAgeArray& input_rates) {
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
    store_life_table(ds, y, r, s, SEXES[s], f.deaths[s], f.person_years[s], input_rates[s]);
  }
  // Both sexes: the input rates weighted as the life table weights the sexes at birth.
  AgeArray total_input{};
  for (std::size_t a = 0; a < N_AGES; ++a)
    total_input[a] = (input_rates[0][a] + BOTH_SEXES_MALE_WEIGHT * input_rates[1][a]) /
                     (1.0 + BOTH_SEXES_MALE_WEIGHT);
  store_life_table(ds, y, r, TOTAL, Sex::total, total_deaths, total_py, total_input);
  if (shape.by_cause())
    store_by_age_and(ds, "deaths_by_cause", y, r, f.deaths_by_cause, shape.causes.size());
  store_by_age_and(ds, "incidence", y, r, f.incidence, shape.diseases.size());
  store_states(ds, y, r, population, states, shape.states);
}

std::shared_ptr<const CohortDynamics> dynamics_of(const RegionInputs& in,
                                                  const ProjectionSetup& setup) {
  if (in.dynamics) return in.dynamics;
  return std::make_shared<AllCauseDynamics>(in.death_rate, setup.tolerances);
}

}  // namespace

results::Dataset project(const ProjectionSetup& setup, const ProgressCallback& progress,
                         unsigned threads) {
  check_inputs(setup);
  std::vector<std::shared_ptr<const CohortDynamics>> dynamics;
  for (const auto& in : setup.regions) dynamics.push_back(dynamics_of(in, setup));
  const ModelShape shape = shape_of(*dynamics.front());
  for (std::size_t r = 1; r < dynamics.size(); ++r) {
    const ModelShape other = shape_of(*dynamics[r]);
    if (!(other.states == shape.states) || other.causes != shape.causes ||
        other.diseases != shape.diseases)
      throw Error(fmt::format("region '{}' has a different health model from region '{}'",
                              setup.regions[r].name, setup.regions[0].name));
  }
  Dataset ds = make_dataset(setup, shape);
  const std::size_t years = year_count(setup);
  // Regions write disjoint parts of the dataset's variables, which exist before they start.
  std::mutex progress_mutex;
  std::size_t done = 0;
  bool cancelled = false;
  parallel::for_each_index(setup.regions.size(), threads, [&](std::size_t r) {
    const RegionInputs& in = setup.regions[r];
    SexAgeArray population = in.population;
    SexAgeArray next{};
    CohortStates states(shape.states.size());
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a) dynamics[r]->initial_state(s, a, states(s, a));
    for (std::size_t y = 0; y < years; ++y) {
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t a = 0; a < N_AGES; ++a) dynamics[r]->adjust_state(y, s, a, states(s, a));
      const CohortStates states_at_start = states;
      const YearFlows f = project_year(in, *dynamics[r], shape, y, population, states, next);
      // Regions set up with their own dynamics may come without input rates (zero then).
      store_year(ds, y, r, population, states_at_start, f, shape,
                 y < in.death_rate.size() ? in.death_rate[y] : SexAgeArray{});
      population = next;
      std::lock_guard lock(progress_mutex);
      ++done;
      if (cancelled || (progress && !progress(done, setup.regions.size() * years))) {
        cancelled = true;
        throw Interrupted();
      }
    }
  });
  return ds;
}

}  // namespace healthcast::demography
