// Forecasts of log death rates for both sexes from a fitted factor model of the Lee-Carter
// family (Lee-Carter, Lee-Miller, Booth-Maindonald-Smith, Li-Lee; MODEL.md §4), annually from
// the jump-off, with their Monte Carlo draws.
//
// Each sex moves from its observed jump-off rates (Lee & Miller 2001) by
//   log m_x(t) = log m_x(t-1) + B_x(t) dK(t) + b'_x dk'(t) + u_x(t)
// with K a random walk with drift (per time step of the data: drift, sigma; annually drift /
// step and sigma / sqrt(step)), k' an optional AR(1) deviation (Li-Lee), B_x(t) = b_x or its
// rotation toward the ultimate pattern (rotation.h; the weight follows the mean e0 of the two
// sexes in the previous year) and u_x a structural random walk by age.
//
// Uncertainty of a draw (each component can be switched off):
// - innovations of K (always) and, in a draw, the drift from its sampling distribution;
// - parameters: sigma^2 drawn from its posterior s^2 nu / chi^2_nu (nu = differences - 1),
//   which widens the intervals of short series (Student-t tails of the drift);
// - structural: the fit's residuals e_{x,t} read as a random walk plus white noise: per age,
//   var(de) = omega^2 step + 2 psi^2 and cov(de_t, de_{t-1}) = -psi^2; omega_x is the
//   structural random walk's sd per sqrt(year) (how the age pattern of change wanders away from
//   b_x), psi_x the sd of a period's own error;
// - structural trend: the age pattern of change itself changes, which in-sample residuals of
//   a fit hide (the fit absorbs any steady trend). Its size is read from the residuals' bend:
//   per age the residual slopes over the first and second halves of the fitted periods, g1 and
//   g2 (per year), give tau_x = |g2 - g1| / sqrt(2), the sd of a persistent trend d_x drawn
//   once per draw and added every year (an error growing as h tau_x). Both structural parts
//   are projected off the e0 gradient at the jump-off, so that they move the age pattern but
//   not e0 (to first order): the level is K's, and the back-tests show K's uncertainty alone
//   covers e0 while it leaves log m far too narrow;
// - jump-off: the observed jump-off rates carry that error psi_x.
// Draw j depends only on (seed, j): K's innovations come from Purpose::lee_carter_kt (as
// before these components existed), the rest from their own purposes (random/stream.h), and
// both sexes take the same standard-normal innovations of K.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "healthcast/demography/ages.h"
#include "healthcast/forecast/li_lee.h"
#include "healthcast/forecast/rotation.h"

namespace healthcast::forecast {

// A random walk with drift per time step of `step` years, last value `last`, estimated from
// `differences` differences.
struct RandomWalk {
  double last = 0.0, drift = 0.0, sigma = 0.0, step = 1.0;
  int differences = 0;
};

struct SexFactors {
  Eigen::VectorXd log_m0;  // observed log rates at the jump-off
  Eigen::VectorXd bx;      // loadings of K (sum 1)
  RandomWalk k;
  Eigen::VectorXd deviation_bx;   // loadings of k' (empty: no deviation)
  Ar1 deviation;                  // per time step
  double deviation_last = 0.0;    // k' at the jump-off
  Eigen::VectorXd structural_sd;  // omega_x, log rate per sqrt(year)
  Eigen::VectorXd jump_off_sd;    // psi_x, log rate
  Eigen::VectorXd trend_sd;       // tau_x, log rate per year
};

struct Uncertainty {
  bool parameters = true, structural = true, jump_off = true;
};

// omega_x, psi_x and tau_x from residuals (ages x periods) observed every `step` years (as
// above).
struct ResidualComponents {
  Eigen::VectorXd structural_sd, jump_off_sd, trend_sd;
};
ResidualComponents residual_components(const Eigen::MatrixXd& residuals, double step);

// The parts of a LeeCarter fit or of one sex of a LiLee fit.
SexFactors factors_of(const LeeCarter& lc);
SexFactors factors_of(const LiLee& ll, std::size_t sex);

class FactorForecast {
 public:
  FactorForecast(std::vector<int> ages, double jump_off_time,
                 std::array<SexFactors, demography::N_SEXES> sexes,
                 std::optional<Rotation> rotation = {}, Uncertainty uncertainty = {});

  // Log rates, ages x times, for [female, male] at calendar `times` (a column of year Y at
  // time Y, like LeeCarter). A time between two years is interpolated; one not after the
  // jump-off takes the jump-off rates.
  std::array<Eigen::MatrixXd, demography::N_SEXES> central(std::span<const double> times) const;
  std::array<Eigen::MatrixXd, demography::N_SEXES> draw(std::span<const double> times,
                                                        std::uint64_t seed,
                                                        std::uint64_t draw) const;

  const std::vector<int>& ages() const { return ages_; }
  double jump_off_time() const { return jump_off_time_; }
  const SexFactors& sex(std::size_t s) const { return sexes_[s]; }

 private:
  struct Noise;
  struct Shocks;
  struct Annual;
  using Paths = std::array<Eigen::VectorXd, demography::N_SEXES>;  // log rates by sex
  std::array<Eigen::MatrixXd, demography::N_SEXES> simulate(std::span<const double> times,
                                                            const Noise* noise) const;
  Shocks shocks(std::size_t steps, const Noise* noise, Paths& jump_off) const;
  std::array<Annual, demography::N_SEXES> annual_parameters(const Shocks& shocks) const;
  Paths structural_trends(Shocks& shocks) const;
  void step_year(std::size_t y, Shocks& shocks,
                 const std::array<Annual, demography::N_SEXES>& annual, const Paths& trend,
                 std::array<double, demography::N_SEXES>& dev, Paths& path) const;
  Eigen::VectorXd e0_neutral(std::size_t sex, Eigen::VectorXd v) const;

  std::vector<int> ages_;
  double jump_off_time_ = 0.0;
  std::array<SexFactors, demography::N_SEXES> sexes_;
  std::optional<Rotation> rotation_;
  std::array<Eigen::VectorXd, demography::N_SEXES> ultimate_;     // b^u_x with rotation
  std::array<Eigen::VectorXd, demography::N_SEXES> e0_gradient_;  // d e0 / d log m_x at jump-off
  Uncertainty uncertainty_;
};

}  // namespace healthcast::forecast
