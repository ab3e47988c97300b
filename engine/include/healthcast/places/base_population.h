// A census population moved to the projection's base date and corrected for the census's
// under-count at young ages: the same functions for the nation (issue 13) and for each unit.
// Populations are persons by sex and single year of age 0..AGE_MAX (AGE_MAX+ open); death
// rates per person-year; time in years.
#pragma once

#include <array>
#include <span>

#include "healthcast/demography/ages.h"
#include "healthcast/places/units.h"

namespace healthcast::places {

// Moves a population counted at a census date by `years` = target date - census date
// (-1 <= years <= 1; e.g. -10/12 from 1 November 2020 back to 1 January 2020). Method: birthdays
// spread evenly within each year of age, so over a fraction f = |years| a share f of each single
// year crosses to the next age; survival over the fraction at the given death rates m
// (exponential, constant within the year of age); no migration. Backwards, the population is
// "unsurvived": P'(a) = [(1 - f) P(a) + f P(a+1)] exp(m_a f), and the open group loses the
// share of it aged AGE_MAX..AGE_MAX+1 (1 - exp(-m) of it, its stationary share) crossing back.
// Forwards, P'(a) = [(1 - f) P(a) + f P(a-1)] exp(-m_a f), and age 0 also receives
// births_per_year[sex] * f born during the shift, exposed to m_0 for half of it.
demography::SexAgeArray shift_census_date(const demography::SexAgeArray& census,
                                          const demography::SexAgeArray& m, double years,
                                          std::array<double, 2> births_per_year = {0.0, 0.0});

// The census population multiplied by an under-count factor per sex and age (1 = counted fully;
// e.g. 1.08 at age 0 if 8% of infants were missed). Factors must be >= 1/2 and <= 2.
demography::SexAgeArray adjust_undercount(const demography::SexAgeArray& census,
                                          const demography::SexAgeArray& factors);

// What turns census groups into a base population.
struct BasePopulationOptions {
  double years = -10.0 / 12.0;  // base date - census date (1 Nov 2020 -> 1 Jan 2020)
  // Under-count factors at the census date by sex and age; all 1 (no correction) by default.
  demography::SexAgeArray undercount = all_ones();
  std::array<double, 2> births_per_year{0.0, 0.0};  // needed only when years > 0

  static demography::SexAgeArray all_ones();
};

// The census groups graduated (graduation.h; the open group split by `national_shape` of the
// same sex), corrected for under-count, then moved to the base date at the rates `m`.
demography::SexAgeArray base_population(const SexGroups& groups,
                                        const demography::SexAgeArray& national_shape,
                                        const demography::SexAgeArray& m,
                                        const BasePopulationOptions& options = {});

// The census groups graduated to single years by sex, with no other change.
demography::SexAgeArray graduate_census(const SexGroups& groups,
                                        const demography::SexAgeArray& national_shape);

}  // namespace healthcast::places
