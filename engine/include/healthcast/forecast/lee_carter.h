// Lee-Carter mortality model (Lee & Carter 1992; MODEL.md §4): log m(x,t) = a_x + b_x k_t,
// fitted by the singular value decomposition of the centred log rates, with sum b_x = 1 and
// sum k_t = 0 (so a_x is the mean log rate over the fit periods). k_t is forecast as a random
// walk with drift.
//
// Rates are central death rates per person-year on any age grid (single or abridged ages, one
// row each). Times are in calendar years: the column of calendar year Y is at time Y, and a
// period from_year..to_year is at its middle (from_year + to_year) / 2, e.g. 2017 for
// 2015-2019 (mid-year 2017, i.e. the instant 2017.5). Columns must be equally spaced; that
// spacing is the model's time step (1 for annual data, 5 for five-year periods).
//
// The second stage re-estimates k_t with a_x and b_x held (KtFit): to the observed life
// expectancy of each period (Lee & Miller 2001), or to the age distribution of deaths by Poisson
// maximum likelihood (Booth, Maindonald & Smith 2002). Only rates are given, so the deaths are
// those of the period's life table: d_x = m_x L_x with L_x the stationary population of the
// observed rates (radix 1), which weights ages by their share of life-table deaths.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "healthcast/demography/ages.h"

namespace healthcast::forecast {

// How k_t is estimated: `svd`, the first singular vector (Lee & Carter's first stage); `e0`,
// refitted so that the fitted rates give the observed e0 of each period (Lee-Miller); `deaths`,
// refitted to the life-table deaths by age (Booth-Maindonald-Smith).
enum class KtFit { svd, e0, deaths };

struct LeeCarterOptions {
  KtFit kt = KtFit::svd;
  demography::Sex sex = demography::Sex::total;  // the a_0 rule of the life tables (e0, deaths)
};

// Where the forecast rates start from. `observed`: the last observed rates, moved by
// b_x (k_t - k_T) (Lee & Miller 2001), so the forecast starts exactly at the data and the base
// year is consistent with the history; `fitted`: the model's own a_x + b_x k_t.
enum class JumpOff { observed, fitted };

struct LeeCarterForecast {
  std::vector<double> years;  // times T + 1, ..., T + horizon (T = the last fitted time)
  std::vector<double> kt;     // mean path of k, one value per year
  // Standard deviation of k: the innovations' part only (sigma sqrt(h) in time steps, as in
  // Lee & Carter's Table 2), and in total with the drift's standard error (h se(drift)).
  std::vector<double> kt_sd_innovation;
  std::vector<double> kt_sd;
  Eigen::MatrixXd mx;  // mean-path death rates, ages x years (per person-year)
  // k paths of the draws, draws x years (empty without draws). Draw j depends only on
  // (seed, j): it draws the drift from its sampling distribution, then annual innovations.
  Eigen::MatrixXd kt_draws;
};

class LeeCarter {
 public:
  // Fits to positive rates `mx` (ages x periods) observed at `years` (one per column, equally
  // spaced, increasing). Needs at least 3 columns (for the innovations' variance). Throws
  // Error on a non-positive or non-finite rate, mismatched sizes or uneven times.
  // `options` choose the second stage (KtFit); the drift and sigma are those of the final k.
  static LeeCarter fit(const Eigen::Ref<const Eigen::MatrixXd>& mx, std::span<const int> ages,
                       std::span<const double> years, const LeeCarterOptions& options = {});

  const std::vector<int>& ages() const { return ages_; }
  const std::vector<double>& years() const { return years_; }
  const Eigen::VectorXd& ax() const { return ax_; }
  const Eigen::VectorXd& bx() const { return bx_; }
  const Eigen::VectorXd& kt() const { return kt_; }
  double step() const { return step_; }  // years between columns
  // Drift and innovation standard deviation of k per time step, and the drift's standard
  // error: (k_T - k_1) / (T - 1), the standard deviation of the differences about it
  // (denominator T - 2), and sigma / sqrt(T - 1).
  double drift() const { return drift_; }
  double sigma() const { return sigma_; }
  double drift_se() const { return drift_se_; }
  double drift_per_year() const { return drift_ / step_; }
  // Share of the centred log rates' variance that the first singular vector explains.
  double explained() const { return explained_; }

  // Fitted rates exp(a_x + b_x k_t), ages x periods.
  Eigen::MatrixXd fitted() const;
  // Observed minus fitted log rates, ages x periods.
  const Eigen::MatrixXd& residuals() const { return residuals_; }
  // Observed log rates of the last fitted period (the observed jump-off).
  const Eigen::VectorXd& last_log_m() const { return last_log_m_; }
  // Mean k at any time (the drift line through k_T; extrapolated both ways).
  double k_at(double year) const;
  // Death rates for a value of k at the chosen jump-off.
  Eigen::VectorXd rates(double k, JumpOff jump_off = JumpOff::observed) const;

  // Forecast for the `horizon` years after the last fitted time, annually whatever the time
  // step: the mean path is the drift line, and the draws use an annual innovation variance
  // of sigma^2 / step so that their spread at each period matches the per-period model.
  LeeCarterForecast forecast(int horizon, int draws = 0, std::uint64_t seed = 0,
                             JumpOff jump_off = JumpOff::observed) const;

  // k of draw `draw` at calendar times `times`: the drift drawn from its sampling distribution,
  // then annual innovations from the last fitted time on (the numbers of forecast()'s row
  // `draw`); a time between two years is interpolated, and a time not after the last fitted
  // one takes the mean line. Depends only on (seed, draw).
  std::vector<double> k_draw(std::span<const double> times, std::uint64_t seed,
                             std::uint64_t draw) const;

 private:
  std::vector<int> ages_;
  std::vector<double> years_;
  Eigen::VectorXd ax_, bx_, kt_;
  Eigen::VectorXd last_log_m_;  // observed log rates of the last column (the jump-off)
  Eigen::MatrixXd residuals_;
  double step_ = 1.0, drift_ = 0.0, sigma_ = 0.0, drift_se_ = 0.0, explained_ = 0.0;
};

}  // namespace healthcast::forecast
