// Net migration by age and sex from two censuses ten years apart by the census survival method
// (UN Manual VI, 1970; Preston, Heuveline & Guillot 2001, intercensal cohort comparisons):
// each cohort counted in the first census is survived to the second by the place's
// life table, and what the second census counts beyond that is net migration. Counts are
// persons; rates are net migrants per person per year; death rates per person-year.
//
// Cohorts are the first census's groups 0-4, 5-9, ..., 70-74 (aged 10-14 .. 80-84 at the second)
// and 75+ (85+ at the second). Survival ratios are 5L_{x+10}/5L_x from the single-year death
// rates (constant hazard within each year); the open cohort survives its groups 75-79, 80-84
// and 85+ separately (to 85-89, 90-94 and T_95/T_85), so its own age composition counts. A cohort's
// yearly rate is r = ln(P2 / (P1 S)) / 10, the constant rate that turns the survivors into the
// count. Small places: with a prior rate rho (the parent place's) and a weight of kappa persons, r
// = ln((P2 + kappa e^{10 rho}) / (P1 S + kappa)) / 10, so an empty cohort gives the prior, never an
// infinite rate. Single ages: each cohort's rate sits at its mean age in the middle of the decade
// (x + 7.5; 85 for 75+), linear between those ages and flat beyond them; children born after the
// first census take the youngest cohort's rate (children move as the youngest counted cohort did).
#pragma once

#include <array>
#include <optional>

#include "healthcast/demography/ages.h"
#include "healthcast/places/units.h"

namespace healthcast::places {

inline constexpr std::size_t N_COHORTS = 16;
using CohortRates = std::array<std::array<double, N_COHORTS>, demography::N_SEXES>;

struct CensusSurvival {
  CohortRates rate{};         // yearly net migration rate of each cohort
  CohortRates expected{};     // survivors expected at the second census (persons)
  CohortRates counted{};      // counted at the second census (persons)
  CohortRates sampling_sd{};  // sd of the rate from Poisson-like noise in both counts
};

// `first`, `second`: the censuses' groups on the same territory, `years` apart (10); `m`: the
// place's death rates for the interval (its middle year). `prior` with `kappa` > 0: see above.
CensusSurvival census_survival(const SexGroups& first, const SexGroups& second,
                               const demography::SexAgeArray& m, double years = 10.0,
                               const CohortRates* prior = nullptr, double kappa = 0.0);

// The cohort rates spread to single ages 0..AGE_MAX as described above.
demography::SexAgeArray rates_by_age(const CohortRates& cohort);

// Mean age of each cohort in the middle of the interval (x + 7.5; 85 for 75+), in years.
double cohort_mid_age(std::size_t cohort);

}  // namespace healthcast::places
