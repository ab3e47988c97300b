// Cohort-component projection (MODEL.md §1): single years of age 0..100+, two sexes, any number
// of regions, one step per calendar year, deaths from the within-year cohort integration.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "healthcast/demography/ages.h"
#include "healthcast/demography/cohort_dynamics.h"
#include "healthcast/demography/cohort_year.h"
#include "healthcast/results/dataset.h"

namespace healthcast::demography {

// Everything one region needs, already on the single-year grid, one entry per projected year
// (index 0 is the base year).
struct RegionInputs {
  std::string name;
  SexAgeArray population{};                // persons at 1 January of the base year
  std::vector<SexAgeArray> death_rate;     // all-cause m, per person-year
  std::vector<AgeArray> fertility;         // age-specific fertility, births per woman-year
  std::vector<double> sex_ratio_at_birth;  // male births per female birth
  std::vector<SexAgeArray> net_migration;  // net migrants in the year, persons
  // Net migrants per person per year, applied to the cohort (census units); empty: none.
  std::vector<SexAgeArray> net_migration_rate;
  // The within-year model; when empty, all-cause mortality at death_rate (AllCauseDynamics).
  std::shared_ptr<const CohortDynamics> dynamics;
};

// Called after each projected region-year with the number done and the total; returning
// false stops the run (Error "interrupted"), which is how callers cancel long runs.
using ProgressCallback = std::function<bool(std::size_t done, std::size_t total)>;

struct ProjectionSetup {
  int base_year = 0;
  int horizon = 0;  // last projected year; the run covers base_year..horizon
  std::vector<RegionInputs> regions;
  IntegrationTolerances tolerances;
};

// Projects every region and returns the results dataset: dims year, region, sex (female,
// male, total) and age, with population (1 January), births, deaths, person_years,
// net_migration, life_expectancy, infant_mortality and under5_mortality. Flows are those of
// the calendar year. With a health model the dataset also has deaths_by_cause (dim cause),
// incidence (dim disease) and cohort_state at 1 January (dim state). Throws Error if the
// inputs do not cover every year or regions disagree on their causes, diseases or states.
// Regions are projected on up to `threads` threads (0 = one per core); the results do not
// depend on it. `progress` is then called from the worker threads, one call at a time.
results::Dataset project(const ProjectionSetup& setup, const ProgressCallback& progress = {},
                         unsigned threads = 1);

}  // namespace healthcast::demography
