#include "healthcast/health/exposure.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/math/quadrature/gauss.hpp>

namespace healthcast::health {

namespace {

constexpr double Z_MAX = 12.0;  // the normal density is below 1e-31 beyond
const double INV_SQRT_2PI = 1.0 / std::sqrt(2.0 * M_PI);
using Rule = boost::math::quadrature::gauss<double, 64>;

// The weight of the node z of a rule scaled by `half` onto its interval: half * w * phi(z).
double node_weight(double half, double w, double z) {
  return half * w * std::exp(-0.5 * z * z) * INV_SQRT_2PI;
}

// Those weights on [-Z_MAX, Z_MAX] (the same for both signs of t_i), computed once: most calls
// integrate over that whole range. The 64-point rule has no node at 0: boost stores the 32
// positive abscissae.
const std::vector<double>& whole_range_weights() {
  static const std::vector<double> table = [] {
    std::vector<double> out;
    for (std::size_t i = 0; i < Rule::abscissa().size(); ++i)
      out.push_back(node_weight(Z_MAX, Rule::weights()[i], Z_MAX * Rule::abscissa()[i]));
    return out;
  }();
  return table;
}

// P(Z <= z) for a standard normal Z, in double precision (boost::math's normal cdf promotes to
// long double, which costs as much as the quadrature around it).
double standard_normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// Parameters (mu, sigma) of log X for a lognormal X with the given mean and sd.
std::pair<double, double> lognormal_parameters(double mean, double sd) {
  const double sigma2 = std::log1p((sd * sd) / (mean * mean));
  return {std::log(mean) - 0.5 * sigma2, std::sqrt(sigma2)};
}
}  // namespace

double mean_relative_risk(Family family, double mean, double sd,
                          const std::function<double(double)>& rr, double threshold) {
  if (sd <= 0.0) return mean > threshold ? rr(mean) : 1.0;
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
  const double below = standard_normal_cdf(lo);
  // Gauss-Legendre on [lo, Z_MAX]: z = centre +- half * t_i for the rule's abscissae t_i on
  // [-1, 1] (boost stores the positive half).
  const double half = 0.5 * (Z_MAX - lo), centre = 0.5 * (Z_MAX + lo);
  const bool whole = lo == -Z_MAX;  // the usual case (curves, lognormal): weights from the table
  const auto& table = whole_range_weights();
  const auto& t = Rule::abscissa();
  const auto& w = Rule::weights();
  double above = 0.0;
  for (std::size_t i = 0; i < t.size(); ++i)
    for (const double sign : {-1.0, 1.0}) {
      const double z = centre + sign * half * t[i];
      above += (whole ? table[i] : node_weight(half, w[i], z)) * rr(exposure(z));
    }
  return below + above;
}

double mean_log_linear_rr(Family family, double mean, double sd, double rr, double per,
                          double tmrel) {
  if (family != Family::normal || sd <= 0.0)
    return mean_relative_risk(
        family, mean, sd, [&](double x) { return log_linear_rr(x, rr, per, tmrel); }, tmrel);
  // X ~ N(mean, sd), b = ln(rr) / per: E[RR] = Phi(z) + exp(b (mean - tmrel) + b^2 sd^2 / 2)
  // Phi(b sd - z) with z = (tmrel - mean) / sd (the normal moment generating function above
  // the threshold).
  const double b = std::log(rr) / per, z = (tmrel - mean) / sd;
  return standard_normal_cdf(z) +
         std::exp(b * (mean - tmrel) + 0.5 * b * b * sd * sd) * standard_normal_cdf(b * sd - z);
}

double share_above(Family family, double mean, double sd, double threshold) {
  if (sd <= 0.0) return mean > threshold ? 1.0 : 0.0;
  if (family == Family::normal) return standard_normal_cdf((mean - threshold) / sd);
  if (threshold <= 0.0) return 1.0;
  const auto [mu, sigma] = lognormal_parameters(mean, sd);
  return standard_normal_cdf((mu - std::log(threshold)) / sigma);
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
