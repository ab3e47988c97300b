// Expected relative risks under exposure distributions (MODEL.md §2.2): normal and lognormal
// exposures, log-linear and tabulated risk curves.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "healthcast/health/model.h"

namespace healthcast::health {

// Mean relative risk E[RR(X)] where RR is 1 at or below `threshold` (the theoretical minimum
// risk exposure) and rr(x) above it. The kink at the threshold defeats Gauss-Hermite (a 40-point
// rule errs by about 1e-3 on blood-pressure risks), so the mass below the threshold is taken
// from the distribution function and the rest is integrated over the standard normal variable
// from the threshold to 12 standard deviations with 64-point Gauss-Legendre.
double mean_relative_risk(Family family, double mean, double sd,
                          const std::function<double(double)>& rr, double threshold);

// The same for RR(x) = rr^((x - tmrel) / per) above tmrel (log_linear_rr): in closed form for
// a normal X (the normal moment generating function above the threshold), by the quadrature
// above for a lognormal X.
double mean_log_linear_rr(Family family, double mean, double sd, double rr, double per,
                          double tmrel);

// P(X > threshold) for the same distributions.
double share_above(Family family, double mean, double sd, double threshold);

// rr^((x - tmrel) / per) for x above tmrel, 1 at or below.
double log_linear_rr(double x, double rr, double per, double tmrel);

// Relative risk at x from a curve tabulated at increasing exposures (RR = 1 at exposure 0),
// interpolated linearly in log RR and held beyond the last level. The curve is given by its
// log RR (`log_rr[i]` = ln RR at `exposure[i]`): quadratures call this many times per curve.
double curve_rr(double x, std::span<const double> exposure, std::span<const double> log_rr);

}  // namespace healthcast::health
