#include "healthcast/forecast/trend.h"

#include <cmath>

#include <fmt/format.h>

#include "healthcast/error.h"

namespace healthcast::forecast {

double Trend::at(double year) const { return std::exp(alpha + beta * year); }

Trend log_linear_trend(std::span<const double> t, std::span<const double> y) {
  if (t.size() != y.size() || t.size() < 2)
    throw Error(
        fmt::format("trend: need at least two (time, value) pairs of equal length; got "
                    "{} times and {} values",
                    t.size(), y.size()));
  const auto n = static_cast<double>(t.size());
  double t_mean = 0.0, z_mean = 0.0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!(y[i] > 0.0) || !std::isfinite(y[i]))
      throw Error(
          fmt::format("trend: the value at {} is {}; a log-linear trend needs positive "
                      "values",
                      t[i], y[i]));
    t_mean += t[i] / n;
    z_mean += std::log(y[i]) / n;
  }
  // Centring on the mean time keeps the sums well conditioned for calendar years.
  double stt = 0.0, stz = 0.0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    stt += (t[i] - t_mean) * (t[i] - t_mean);
    stz += (t[i] - t_mean) * (std::log(y[i]) - z_mean);
  }
  if (!(stt > 0.0)) throw Error("trend: every value is at the same time; no trend can be fitted");
  Trend tr;
  tr.beta = stz / stt;
  tr.alpha = z_mean - tr.beta * t_mean;
  if (t.size() > 2) {
    double ss = 0.0;
    for (std::size_t i = 0; i < t.size(); ++i)
      ss += std::pow(std::log(y[i]) - tr.alpha - tr.beta * t[i], 2);
    tr.beta_se = std::sqrt(ss / (n - 2.0) / stt);
  }
  tr.apc = 100.0 * (std::exp(tr.beta) - 1.0);
  tr.apc_se = 100.0 * std::exp(tr.beta) * tr.beta_se;
  return tr;
}

}  // namespace healthcast::forecast
