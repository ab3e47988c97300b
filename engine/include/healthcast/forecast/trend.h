// Trends estimated from history as an annual percent change (MODEL.md §4): the tool for
// fertility, disease incidence and case fatality, and risk factors whenever a history is given
// (otherwise the scenario sets the APC itself).
#pragma once

#include <span>

namespace healthcast::forecast {

// log y_t = alpha + beta t by ordinary least squares; APC = 100 (exp(beta) - 1) percent per
// year. Standard errors come from the residual variance (denominator n - 2); the APC's is the
// delta-method 100 exp(beta) se(beta). With two points the fit is exact and the errors are 0.
struct Trend {
  double alpha = 0.0;  // log level at time 0
  double beta = 0.0;   // log change per year
  double beta_se = 0.0;
  double apc = 0.0;  // percent per year
  double apc_se = 0.0;
  double at(double year) const;  // exp(alpha + beta year), the fitted level
};

// Fits the trend of positive values y observed at times t (years, need not be equally spaced).
// Throws Error on fewer than two points, equal times, or a non-positive value.
Trend log_linear_trend(std::span<const double> t, std::span<const double> y);

}  // namespace healthcast::forecast
