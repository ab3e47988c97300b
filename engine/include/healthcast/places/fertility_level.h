// A place's fertility level relative to the nation from what its censuses say, by indirect
// standardisation: each indicator is observed / expected, where "expected" applies the national
// age-specific rates to the place's own women, so that a place with more women of childbearing
// age is not mistaken for a more fertile one. The place's ratio to the nation is its index over
// the nation's index. Rates are births per woman per year by single age; populations persons.
//
// - child-woman ratio (2020): children aged 0-4 / (5 x births expected in a year from women aged
//   15-54 at the national rates of the five years before the census, taken 2.5 years younger);
// - crude birth rate (2010): births of the 12 months before the census / births expected from
//   the women at the national rates of that year;
// - children ever born per woman 15-64 (2020) / the parity expected at the place's ages of women
//   from the national cohort rates (each cohort's cumulated national fertility to the census).
// The combined ratio (unit_inputs.h) is the geometric mean of those available; their spread is
// part of its uncertainty.
#pragma once

#include <map>
#include <string>

#include "healthcast/demography/ages.h"
#include "healthcast/places/units.h"

namespace healthcast::places {

using AsfrHistory = std::map<int, demography::AgeArray>;  // calendar year -> single-age rates

struct FertilityIndex {
  std::string name;
  double index = 0;         // observed / expected (dimensionless; compare with the nation's)
  double log_variance = 0;  // sampling variance of ln(index): Poisson counts and rounding
};

// National rates of a year; the nearest year of the history outside its range.
const demography::AgeArray& asfr_of(const AsfrHistory& history, int year);

FertilityIndex child_woman_index(const SexGroups& census, const AsfrHistory& national,
                                 int census_year);
// `cbr` per 1,000 population.
FertilityIndex birth_rate_index(const SexGroups& census, double cbr, const AsfrHistory& national,
                                int census_year);
// `ceb` children ever born per woman aged 15-64, as printed with two decimals; `parity` the
// national cohort parity at the census (cohort_parity below).
FertilityIndex parity_index(const SexGroups& census, double ceb, const demography::AgeArray& parity,
                            int census_year);

// Mean national parity (children ever born per woman) at single ages 0..AGE_MAX at the census:
// sum over ages x < a of the rate at age x in the year the cohort was x.
demography::AgeArray cohort_parity(const AsfrHistory& national, int census_year);

}  // namespace healthcast::places
