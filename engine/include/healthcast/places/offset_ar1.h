// A place's offset from the national path (a mortality level in relational_mortality.h's
// units, or any such gap) carried forward as a first-order autoregression, as bayesLife's
// subnational projections carry a region's e0 gap (Sevcikova & Raftery 2021, "Probabilistic
// projection of subnational life expectancy", Journal of Official Statistics 37(3), 591-610):
// x_{t+1} = phi x_t + sigma eps_t, eps_t standard normal, so the gap shrinks toward 0 (the
// national path) by the factor phi per year and its uncertainty grows toward the stationary sd
// sigma / sqrt(1 - phi^2). Time in years.
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "healthcast/random/stream.h"

namespace healthcast::places {

struct Ar1 {
  double phi = 1.0;     // yearly persistence, 0 < phi <= 1
  double sigma = 0.0;   // sd of the yearly innovation (units of the offset)
  double phi_se = 0.0;  // standard error of phi as estimated (reported; draws keep phi fixed)
  int pairs = 0;        // observations the estimate used

  // Mean after `years` >= 0 from x0: phi^years x0.
  double mean(double x0, double years) const;
  // Variance after `years` from a start known with variance var0:
  // phi^(2 years) var0 + sigma^2 (1 - phi^(2 years)) / (1 - phi^2)  (sigma^2 years if phi = 1).
  double variance(double var0, double years) const;
};

// Least squares through the origin on pairs (x_t, x_{t+h}) observed `h` years apart:
// phi_h = sum x y / sum x^2, residual variance s^2 = sum (y - phi_h x)^2 / (n - 1); then the
// yearly phi = phi_h^(1/h) and sigma^2 = s^2 (1 - phi^2) / (1 - phi^(2h)), which makes the
// h-year innovation variance of the yearly process equal s^2. phi_h is capped to (0, 1].
// phi_se by the delta method from se(phi_h) = s / sqrt(sum x^2).
Ar1 estimate_ar1(std::span<const std::pair<double, double>> pairs, double h);

// One draw of the offset for the years first..last (inclusive) when it is x0 +- sd0 at `origin`
// (origin <= first): a normal start, then the yearly recursion. The stream is the caller's
// (its purpose chosen by the caller), so draws are reproducible by (seed, draw).
std::vector<double> draw_offset_path(const Ar1& ar1, double x0, double sd0, int origin, int first,
                                     int last, random::Stream& stream);

}  // namespace healthcast::places
