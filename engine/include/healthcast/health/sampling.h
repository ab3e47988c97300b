// Monte Carlo draws of the health model's uncertain inputs (MODEL.md §6): every input that
// carries a 95% interval is replaced by a draw from its distribution.
//
// Distributions, from the value and its 95% interval [lower, upper]:
// - relative risks (categorical tables, log-linear rr, PM2.5 curves, interactions, treatment
//   effects): lognormal with median = value and log-sd = (ln upper - ln lower) / (2 x 1.959964),
//   i.e. the mean of the two half-widths on the log scale when the interval is asymmetric;
// - rates (disease mortality, remission): gamma with mean = value and
//   sd = (upper - lower) / (2 x 1.959964);
// - proportions (prevalence, disability weights, treatment coverage, maternal risk per birth):
//   beta with that mean and sd (the variance is capped where no beta has it, see sampling.cpp);
// - the mediation per_unit (salt -> SBP): normal with that mean and sd.
// A value with only one bound takes its one half-width; a cell with lower == upper, a value of 0
// (a rate or proportion) or a value without an interval is left exactly as it is.
//
// Correlation: ONE uniform quantile level per input table, applied through the quantile function
// at every sex, age and category (and exposure level) of the table, so that a draw moves a whole
// table up or down together (comonotone across ages and sexes) and is a coherent alternative
// data set rather than noise from age to age. The tables, each with its own independent level:
// per disease its prevalence, mortality, remission and disability weight; per interaction its rr
// (the summary value and the by-age table together); per (categorical factor, disease) the RR
// table, all non-reference categories together (former smokers' risks move with current
// smokers'); per (continuous factor, disease) the log-linear rr or the PM2.5 curve; per
// continuous factor its per_unit; per treatment its coverage and per (treatment, disease) its
// effect; the maternal risk per birth; the multiplier of other-cause mortality (gamma, its own
// input: all-cause mortality in a draw is the drawn causes plus the drawn residual, so an
// uncertain input adds to the spread and never narrows it). Residual causes' age patterns and
// exposures have no interval here.
//
// Reproducibility: the levels come from random::Stream(seed, draw, Purpose::health_inputs),
// one uniform per table slot in model order (diseases, interactions, categorical factors and
// their diseases in name order, continuous factors, treatments, maternal risk, other causes),
// consumed whether or not the table has an interval, so draw j is a function of (seed, j) and the
// model alone. Runs without draws use the central model (the file's values) and never call this.
#pragma once

#include <cstdint>

#include "healthcast/health/model.h"

namespace healthcast::health {

// Draw `draw` of `central`'s uncertain inputs. The result is a copy of `central` with the values
// replaced by their draw; its interval fields are those of `central` (they describe the central
// value's uncertainty, so sample from the central model, never from a draw). Units as in model.h.
HealthModel sample_health_model(const HealthModel& central, std::uint64_t seed, std::uint64_t draw);

}  // namespace healthcast::health
