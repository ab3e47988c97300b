// The health indicators of MODEL.md §3, derived from a projection's deaths by cause,
// person-years, incidence, prevalences and risk-factor shares and from each region's
// cohort-year rates. Names follow the indicator ids of the plans' targets
// (results/catalogue.h).
#pragma once

#include <vector>

#include "healthcast/health/model.h"
#include "healthcast/health/rates.h"
#include "healthcast/results/dataset.h"

namespace healthcast::health {

// One region's health model and the rates its projection ran on.
struct RegionHealth {
  const HealthModel* model = nullptr;
  const HealthRates* rates = nullptr;
};

// Adds to `ds` (made by demography::project with the health model, `regions` in its order):
// - premature_ncd_mortality: 30q70 (WHO SDG 3.4.1) of the causes in group ncd4, percent;
// - cvd_mortality (year, region, sex, standard): cardiovascular deaths per 100,000, crude and
//   age-standardised with each standard population of the health model;
// - crd_mortality_u70: chronic respiratory deaths at ages 70 and under per 100,000 of that age;
// - cancer_5y_survival: five-year relative survival exp(-5 f) of new cancer cases, percent;
// - smoking_prevalence_15plus (percent), salt_intake (mean g/day at 18+), risk_factor_mean
//   (adults 18+, by continuous factor) and risk_factor_prevalence (15+, by category);
// - maternal_mortality (year, region): per 100,000 live births;
// - healthy_life_expectancy (year, region, sex, age): Sullivan;
// - yll (by cause), yld (by disease) and daly (all causes, other-cause disability included).
void add_health_indicators(results::Dataset& ds, const std::vector<RegionHealth>& regions);

}  // namespace healthcast::health
