// Base-year disease rates from prevalence and cause-specific mortality (MODEL.md §2.1).
#pragma once

#include "healthcast/demography/ages.h"

namespace healthcast::health {

struct DiseaseRates {
  demography::AgeArray incidence{};      // per person-year free of the disease
  demography::AgeArray case_fatality{};  // excess death rate of the diseased, per person-year
};

// Reads dpi/dtau = i (1 - pi) - r pi - f pi (1 - pi) along age over one year of a cohort: the
// cohort aged a at 1 January holds pi(a) and reaches pi(a+1) at the year end. With the year's
// mean prevalence pibar = (pi(a) + pi(a+1)) / 2: f = mortality / pibar (so that the deaths
// f pibar match the cause-specific rate) and
// i = (pi(a+1) - pi(a) + r pibar + f pibar (1 - pibar)) / (1 - pibar), never negative.
// In the open age group pi(a+1) = pi(a). Prevalence should be smooth along age (the health
// loader interpolates abridged prevalences linearly between interval mid-points).
DiseaseRates derive_disease_rates(const demography::AgeArray& prevalence,
                                  const demography::AgeArray& mortality,
                                  const demography::AgeArray& remission);

}  // namespace healthcast::health
