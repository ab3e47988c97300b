#include "healthcast/forecast/fit_period.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "healthcast/demography/life_table.h"
#include "healthcast/error.h"
#include "healthcast/forecast/lee_carter.h"

namespace healthcast::forecast {

namespace {

constexpr double RATIO_TOLERANCE = 1.1;

// 2 sum [d log(d / fit) - (d - fit)] over every cell.
double poisson_deviance(const Eigen::MatrixXd& deaths, const Eigen::MatrixXd& fit) {
  double dev = 0.0;
  for (Eigen::Index i = 0; i < deaths.size(); ++i) {
    const double d = deaths(i), f = fit(i);
    dev += 2.0 * ((d > 0.0 ? d * std::log(d / f) : 0.0) - (d - f));
  }
  return dev;
}

}  // namespace

FitPeriodChoice linear_fit_period(const Eigen::Ref<const Eigen::MatrixXd>& mx,
                                  std::span<const int> ages, std::span<const double> years,
                                  demography::Sex sex, std::size_t min_periods) {
  min_periods = std::max<std::size_t>(min_periods, 3);
  const auto periods = static_cast<std::size_t>(mx.cols());
  // Fewer periods than the minimum: fit them all (the caller's minimum is a preference).
  if (periods >= 3 && periods < min_periods) min_periods = periods;
  if (periods < min_periods)
    throw Error(
        fmt::format("Booth-Maindonald-Smith: {} periods given; the fitting period needs at "
                    "least {}",
                    periods, min_periods));
  // Exposures: the stationary population of each period's observed rates.
  Eigen::MatrixXd exposure(mx.rows(), mx.cols());
  for (Eigen::Index t = 0; t < mx.cols(); ++t) {
    const Eigen::VectorXd m = mx.col(t);
    const auto lt = demography::life_table(ages, std::span<const double>(m.data(), m.size()), sex);
    for (Eigen::Index x = 0; x < mx.rows(); ++x) exposure(x, t) = lt.L[static_cast<std::size_t>(x)];
  }
  const Eigen::MatrixXd deaths = mx.cwiseProduct(exposure);
  FitPeriodChoice choice;
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t s = 0; s + min_periods <= periods; ++s) {
    const auto cols = static_cast<Eigen::Index>(periods - s);
    const auto first = static_cast<Eigen::Index>(s);
    const auto lc =
        LeeCarter::fit(mx.rightCols(cols), ages, years.subspan(s), {KtFit::deaths, sex});
    const Eigen::VectorXd& k = lc.kt();
    const double m = static_cast<double>(cols), n = static_cast<double>(mx.rows());
    // The drift line through the mean of k with slope the mean difference.
    const double drift = (k(cols - 1) - k(0)) / (m - 1.0);
    Eigen::VectorXd k_line(cols);
    for (Eigen::Index t = 0; t < cols; ++t)
      k_line(t) = k.mean() + drift * (static_cast<double>(t) - (m - 1.0) / 2.0);
    const auto fit_with = [&](const Eigen::VectorXd& kk) {
      const Eigen::MatrixXd log_fit = (lc.bx() * kk.transpose()).colwise() + lc.ax();
      return Eigen::MatrixXd(log_fit.array().exp() * exposure.middleCols(first, cols).array());
    };
    const Eigen::MatrixXd d = deaths.middleCols(first, cols);
    const double base = poisson_deviance(d, fit_with(k)) / ((m - 2.0) * (n - 1.0));
    const double total = poisson_deviance(d, fit_with(k_line)) / ((m - 2.0) * n);
    const double ratio = base > 0.0 ? total / base : std::numeric_limits<double>::infinity();
    choice.ratio.push_back(ratio);
    best = std::min(best, ratio);
  }
  // The longest window whose ratio is within RATIO_TOLERANCE of the smallest: windows that
  // start after the last break all have ratios near 1, and among those the smallest is noise.
  for (std::size_t s = 0; s < choice.ratio.size(); ++s)
    if (choice.ratio[s] <= best * RATIO_TOLERANCE) {
      choice.first = s;
      break;
    }
  return choice;
}

}  // namespace healthcast::forecast
