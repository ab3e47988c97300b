// Li & Lee (2005) coherent forecasts of the two sexes: a common factor B_x K_t, fitted by
// Lee-Carter to the geometric mean of the sexes' rates (rates alone are given, so this stands in
// for the combined population), plus each sex's own factor b_{x,s} k_{t,s} fitted to what the
// common factor leaves (the first singular vector of the residuals, sum b_{x,s} = 1):
//   log m_{x,t,s} = a_{x,s} + B_x K_t + b_{x,s} k_{t,s}.
// K_t is a random walk with drift shared by the sexes; k_{t,s} is an AR(1) process that reverts
// to its mean, so the sexes' rates do not diverge in the long run.
#pragma once

#include <array>
#include <span>

#include <Eigen/Dense>

#include "healthcast/demography/ages.h"
#include "healthcast/forecast/lee_carter.h"

namespace healthcast::forecast {

// k_t = c + phi k_{t-1} + e_t, e_t ~ N(0, sigma^2), per time step of the data. Fitted by least
// squares on the pairs (k_{t-1}, k_t); phi is kept within [0, 0.99] (stationary, and with a
// real annual root when the step is several years); with fewer than three pairs phi = 0 and
// sigma is the standard deviation of k.
struct Ar1 {
  double c = 0.0, phi = 0.0, sigma = 0.0;
  double mean() const { return c / (1.0 - phi); }
};
Ar1 fit_ar1(const Eigen::VectorXd& k);

struct LiLeeSex {
  Eigen::VectorXd ax, bx, kt;  // a_{x,s}, b_{x,s}, k_{t,s}
  Ar1 ar1;                     // of k_{t,s}
  Eigen::MatrixXd residuals;   // observed minus fitted log rates, ages x periods
  Eigen::VectorXd last_log_m;  // observed log rates of the last period (the jump-off)
};

struct LiLee {
  LeeCarter common;  // B_x = common.bx(), K_t = common.kt(), its drift and sigma
  std::array<LiLeeSex, demography::N_SEXES> sexes;  // [female, male]

  // Rates per person-year, ages x periods for each sex, at `years` (as LeeCarter::fit).
  static LiLee fit(const Eigen::Ref<const Eigen::MatrixXd>& mx_female,
                   const Eigen::Ref<const Eigen::MatrixXd>& mx_male, std::span<const int> ages,
                   std::span<const double> years);
};

}  // namespace healthcast::forecast
