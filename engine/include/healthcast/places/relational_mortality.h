// Relational mortality models: a place's death rates as a one-parameter transform of a standard
// schedule (the nation's), and the fits of that parameter (the level) to a known life
// expectancy or to observed deaths. Death rates per person-year on single years of age
// 0..AGE_MAX (AGE_MAX+ open); life expectancy in years.
//
// - Brass logit (Brass 1971), slope fixed at 1: logit(1 - l_x) = alpha + logit(1 - l_x^std),
//   logit(y) = 0.5 ln(y / (1 - y)), l from the rates as l_x = exp(-sum_{y<x} m_y) (constant
//   hazard within each year), the rates back from l as ln(l_x / l_{x+1}). The level is alpha: the
//   hazard ratio to the standard is exp(2 alpha) at young ages and tends to 1 as l_x -> 0, so
//   places differ most in childhood and adult ages, as they do. The open group takes the
//   instantaneous ratio at its start.
// - Proportional hazards: m_x = theta m_x^std. The level is ln theta.
// Both are additive in the level: applying a then b equals applying a + b. A positive level is
// higher mortality than the standard's.
#pragma once

#include <span>

#include "healthcast/demography/ages.h"

namespace healthcast::places {

enum class RelationalModel { brass_logit, proportional_hazards };

// The standard's rates moved by `level`.
demography::AgeArray relational_mx(const demography::AgeArray& standard, double level,
                                   RelationalModel model);

// Life expectancy at birth of single-year rates (the engine's life table, MODEL.md §3).
double life_expectancy(const demography::AgeArray& m, demography::Sex sex);

// The level at which the moved standard has life expectancy `e0`. Root of a monotone function
// by TOMS 748 (Boost.Math) in the level range [-4, 4]; throws healthcast::Error naming the
// target if it cannot be reached there.
double fit_level_to_e0(const demography::AgeArray& standard, double e0, demography::Sex sex,
                       RelationalModel model);

// Indirect standardisation: the common level shift `delta` (added to each sex's level) at which
// the expected deaths of `population` (persons by sex and age) under the moved schedules equal
// `ratio` times their expected deaths under the unshifted ones (`ratio` > 0: the place's
// standardised mortality ratio relative to the standard). For proportional hazards this is
// ln(ratio); for the Brass model a TOMS 748 root.
double fit_shift_to_deaths_ratio(const demography::SexAgeArray& standard,
                                 const demography::SexAgeArray& population, double ratio,
                                 RelationalModel model);

// Expected deaths per year of `population` under rates `m` (persons x rate).
double expected_deaths(const demography::SexAgeArray& population, const demography::SexAgeArray& m);

}  // namespace healthcast::places
