#include "healthcast/health/exposure.h"

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/quadrature/gauss.hpp>

namespace healthcast::health {

namespace {
// Parameters (mu, sigma) of log X for a lognormal X with the given mean and sd.
std::pair<double, double> lognormal_parameters(double mean, double sd) {
  const double sigma2 = std::log1p((sd * sd) / (mean * mean));
  return {std::log(mean) - 0.5 * sigma2, std::sqrt(sigma2)};
}
}  // namespace

double mean_relative_risk(Family family, double mean, double sd,
                          const std::function<double(double)>& rr, double threshold) {
  if (sd <= 0.0) return mean > threshold ? rr(mean) : 1.0;
  constexpr double Z_MAX = 12.0;  // the normal density is below 1e-31 beyond
  double mu = mean, sigma = sd;
  if (family == Family::lognormal) std::tie(mu, sigma) = lognormal_parameters(mean, sd);
  const auto exposure = [&](double z) {
    return family == Family::normal ? mu + sigma * z : std::exp(mu + sigma * z);
  };
  double z_threshold = -Z_MAX;
  if (family == Family::normal)
    z_threshold = (threshold - mu) / sigma;
  else if (threshold > 0.0)
    z_threshold = (std::log(threshold) - mu) / sigma;
  const double lo = std::max(z_threshold, -Z_MAX);
  if (lo >= Z_MAX) return 1.0;
  const double below = boost::math::cdf(boost::math::normal(), lo);
  const double inv_sqrt_2pi = 1.0 / std::sqrt(2.0 * M_PI);
  const double above = boost::math::quadrature::gauss<double, 64>::integrate(
      [&](double z) { return rr(exposure(z)) * std::exp(-0.5 * z * z) * inv_sqrt_2pi; }, lo, Z_MAX);
  return below + above;
}

double share_above(Family family, double mean, double sd, double threshold) {
  if (sd <= 0.0) return mean > threshold ? 1.0 : 0.0;
  if (family == Family::normal)
    return boost::math::cdf(boost::math::complement(boost::math::normal(mean, sd), threshold));
  if (threshold <= 0.0) return 1.0;
  const auto [mu, sigma] = lognormal_parameters(mean, sd);
  return boost::math::cdf(boost::math::complement(boost::math::lognormal(mu, sigma), threshold));
}

double log_linear_rr(double x, double rr, double per, double tmrel) {
  return x > tmrel ? std::pow(rr, (x - tmrel) / per) : 1.0;
}

double curve_rr(double x, std::span<const double> exposure, std::span<const double> log_rr) {
  if (x <= 0.0 || exposure.empty()) return 1.0;
  // Points (0, 1) and the tabulated levels, log-linear in between: the first level at or
  // above x and the point before it.
  const auto above = std::lower_bound(exposure.begin(), exposure.end(), x);
  if (above == exposure.end()) return std::exp(log_rr.back());
  const auto i = static_cast<std::size_t>(above - exposure.begin());
  const double x0 = i == 0 ? 0.0 : exposure[i - 1], log0 = i == 0 ? 0.0 : log_rr[i - 1];
  const double x1 = exposure[i], log1 = log_rr[i];
  if (x1 <= x0) return std::exp(log1);
  return std::exp(log0 + (log1 - log0) * (x - x0) / (x1 - x0));
}

}  // namespace healthcast::health
