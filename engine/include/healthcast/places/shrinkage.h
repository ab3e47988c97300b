// Borrowing strength for small places: a normal-normal empirical Bayes estimate (as in Clayton &
// Kaldor 1987 and Marshall 1991 for small-area rates). A place's log relative level y is
// observed with sampling variance v (e.g. 1/deaths); places of its kind scatter around their
// parent's level mu with between-place variance tau^2. The estimate mu + B (y - mu) with
// B = tau^2 / (tau^2 + v) keeps a large place's own value (v small) and pulls a small one
// toward its parent; it is never infinite, and a place with no observation takes mu with
// variance tau^2. Units are those of y (dimensionless log ratios here).
#pragma once

#include <span>

namespace healthcast::places {

struct Shrunk {
  double value = 0;     // posterior mean
  double variance = 0;  // posterior variance B v (tau^2 with no observation)
  double weight = 0;    // B: the share of the place's own evidence
};

// `v` = +infinity means no observation.
Shrunk shrink(double y, double v, double mu, double tau2);

// Method-of-moments tau^2 from places' deviations d_i = y_i - mu_i and sampling variances v_i:
// max(0, mean(d_i^2 - v_i)), leaving out deviations beyond 5 robust sds (1.4826 x the median
// absolute deviation) so that a few misprinted rates do not inflate it. Needs >= 3 places.
double between_variance(std::span<const double> deviations, std::span<const double> variances);

}  // namespace healthcast::places
