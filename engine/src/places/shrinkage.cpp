#include "healthcast/places/shrinkage.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "healthcast/error.h"

namespace healthcast::places {

Shrunk shrink(double y, double v, double mu, double tau2) {
  if (!std::isfinite(v) || !std::isfinite(y)) return {mu, tau2, 0.0};
  if (tau2 + v <= 0) return {y, 0.0, 1.0};
  const double b = tau2 / (tau2 + v);
  return {mu + b * (y - mu), b * v, b};
}

double between_variance(std::span<const double> deviations, std::span<const double> variances) {
  if (deviations.size() != variances.size() || deviations.size() < 3)
    throw Error("between_variance: needs at least three places with a variance each");
  std::vector<double> d(deviations.begin(), deviations.end());
  auto median = [](std::vector<double> x) {
    const auto mid = x.begin() + static_cast<std::ptrdiff_t>(x.size() / 2);
    std::nth_element(x.begin(), mid, x.end());
    return *mid;
  };
  const double centre = median(d);
  std::vector<double> abs_dev(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) abs_dev[i] = std::abs(d[i] - centre);
  const double robust_sd = 1.4826 * median(abs_dev);
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (robust_sd > 0 && std::abs(d[i] - centre) > 5.0 * robust_sd) continue;
    sum += d[i] * d[i] - variances[i];
    ++n;
  }
  return n == 0 ? 0.0 : std::max(0.0, sum / static_cast<double>(n));
}

}  // namespace healthcast::places
