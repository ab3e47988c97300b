#include "healthcast/forecast/li_lee.h"

#include <algorithm>
#include <cmath>

#include "healthcast/error.h"

namespace healthcast::forecast {

Ar1 fit_ar1(const Eigen::VectorXd& k) {
  const Eigen::Index pairs = k.size() - 1;
  Ar1 ar;
  if (pairs < 3) {
    ar.sigma =
        k.size() > 1
            ? std::sqrt((k.array() - k.mean()).square().sum() / static_cast<double>(k.size() - 1))
            : 0.0;
    return ar;
  }
  const Eigen::VectorXd x = k.head(pairs), y = k.tail(pairs);
  const double xm = x.mean(), ym = y.mean();
  const double sxx = (x.array() - xm).square().sum();
  const double sxy = ((x.array() - xm) * (y.array() - ym)).sum();
  ar.phi = sxx > 0.0 ? std::clamp(sxy / sxx, 0.0, 0.99) : 0.0;
  ar.c = ym - ar.phi * xm;
  const double ss = (y.array() - ar.c - ar.phi * x.array()).square().sum();
  ar.sigma = std::sqrt(ss / static_cast<double>(pairs - 2));
  return ar;
}

LiLee LiLee::fit(const Eigen::Ref<const Eigen::MatrixXd>& mx_female,
                 const Eigen::Ref<const Eigen::MatrixXd>& mx_male, std::span<const int> ages,
                 std::span<const double> years) {
  if (mx_female.rows() != mx_male.rows() || mx_female.cols() != mx_male.cols())
    throw Error("Li-Lee: the female and male rates must have the same ages and periods");
  LiLee ll;
  const Eigen::MatrixXd geometric_mean = (mx_female.array() * mx_male.array()).sqrt().matrix();
  ll.common = LeeCarter::fit(geometric_mean, ages, years);
  const Eigen::MatrixXd common = ll.common.bx() * ll.common.kt().transpose();
  for (std::size_t s = 0; s < demography::N_SEXES; ++s) {
    const Eigen::MatrixXd log_m = (s == 0 ? mx_female : mx_male).array().log().matrix();
    auto& sex = ll.sexes[s];
    sex.ax = log_m.rowwise().mean();
    sex.last_log_m = log_m.col(log_m.cols() - 1);
    // K sums to 0, so the rows of `rest` sum to 0 and so does k_{t,s}.
    const Eigen::MatrixXd rest = (log_m.colwise() - sex.ax) - common;
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(rest, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const Eigen::VectorXd u = svd.matrixU().col(0);
    const double sum_u = u.sum();
    // A sex factor whose loadings sum to ~0 cannot be normalised to sum 1; scale it to unit
    // length instead (its sign and scale only trade places with k).
    const double scale = std::abs(sum_u) > 1e-8 * u.cwiseAbs().sum() ? sum_u : 1.0;
    sex.bx = u / scale;
    sex.kt = svd.matrixV().col(0) * (svd.singularValues()(0) * scale);
    sex.ar1 = fit_ar1(sex.kt);
    sex.residuals = rest - sex.bx * sex.kt.transpose();
  }
  return ll;
}

}  // namespace healthcast::forecast
