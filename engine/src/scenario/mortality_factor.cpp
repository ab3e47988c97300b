// Methods of the Lee-Carter family (MODEL.md §4): "lee_carter", "lee_miller", "bms" and
// "li_lee", each fitted by sex to the history's periods within `fit_period` and forecast by
// forecast::FactorForecast from the observed rates of the last fitted period (Lee-Miller
// jump-off), so that the base year continues the data rather than the model's fit of it. The
// central forecast carries k along its drift; a draw adds the uncertainty the spec asks for.
//   lee_carter: k_t from the SVD (Lee & Carter 1992).
//   lee_miller: k_t refitted to each period's observed e0 (Lee & Miller 2001).
//   bms:        the fitting period chosen by the linearity of k_t, k_t refitted to the
//               life-table deaths (Booth, Maindonald & Smith 2002).
//   li_lee:     a common factor for both sexes plus each sex's AR(1) deviation (Li & Lee 2005).
// `rotate_bx` rotates b_x (li_lee: the common B_x) toward its ultimate pattern (Li, Lee &
// Gerland 2013).
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "healthcast/forecast/factor_forecast.h"
#include "healthcast/forecast/fit_period.h"
#include "healthcast/forecast/lee_carter.h"
#include "healthcast/input/mortality_history.h"
#include "mortality_methods.h"

namespace healthcast::scenario {

namespace {

using demography::N_SEXES;
using input::MortalityHistory;
using input::read_mortality_history;
using input::to_single_ages;

// The history's columns `periods` for sex s.
Eigen::MatrixXd columns(const MortalityHistory& history, std::size_t s,
                        const std::vector<std::size_t>& periods) {
  Eigen::MatrixXd mx(history.mx[s].rows(), static_cast<Eigen::Index>(periods.size()));
  for (std::size_t i = 0; i < periods.size(); ++i)
    mx.col(static_cast<Eigen::Index>(i)) = history.mx[s].col(static_cast<Eigen::Index>(periods[i]));
  return mx;
}

std::vector<std::size_t> fitted_periods(const MortalitySpec& spec,
                                        const MortalityHistory& history) {
  const bool all = spec.fit_from == 0 && spec.fit_to == 0;
  auto periods =
      all ? history.within(std::numeric_limits<int>::min(), std::numeric_limits<int>::max())
          : history.within(spec.fit_from, spec.fit_to);
  if (periods.size() < 3) {
    std::string available;
    for (const auto& [from, to] : history.periods)
      available += fmt::format("{}{}-{}", available.empty() ? "" : ", ", from, to);
    throw InputError(spec.where, "fit_period",
                     fmt::format("{} periods of {} lie within fit_period {}-{}; method '{}' "
                                 "needs at least 3. Periods in the file: {}",
                                 periods.size(), history.source, spec.fit_from, spec.fit_to,
                                 spec.method, available));
  }
  return periods;
}

// The method's factors fitted to `periods` (their times in `times`).
std::array<forecast::SexFactors, N_SEXES> fit_factors(const MortalitySpec& spec,
                                                      const MortalityHistory& history,
                                                      const std::vector<std::size_t>& periods) {
  const auto sex_of = [](std::size_t s) { return demography::SEXES[s]; };
  std::vector<double> times;
  for (std::size_t p : periods) times.push_back(history.mid(p));
  std::array<forecast::SexFactors, N_SEXES> factors;
  if (spec.method == "li_lee") {
    const auto ll = forecast::LiLee::fit(columns(history, 0, periods), columns(history, 1, periods),
                                         history.ages, times);
    for (std::size_t s = 0; s < N_SEXES; ++s) factors[s] = forecast::factors_of(ll, s);
  } else {
    for (std::size_t s = 0; s < N_SEXES; ++s) {
      auto use = periods;
      auto t = times;
      forecast::LeeCarterOptions options{forecast::KtFit::svd, sex_of(s)};
      if (spec.method == "lee_miller") options.kt = forecast::KtFit::e0;
      if (spec.method == "bms") {
        options.kt = forecast::KtFit::deaths;
        // At least 20 years of data, the demography package's minperiod.
        const double step = times[1] - times[0];
        const auto min_periods = static_cast<std::size_t>(std::ceil(20.0 / step - 1e-9));
        const auto choice = forecast::linear_fit_period(columns(history, s, periods), history.ages,
                                                        times, sex_of(s), min_periods);
        use.erase(use.begin(), use.begin() + static_cast<std::ptrdiff_t>(choice.first));
        t.erase(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(choice.first));
      }
      factors[s] = forecast::factors_of(
          forecast::LeeCarter::fit(columns(history, s, use), history.ages, t, options));
    }
  }
  return factors;
}

// The structural trend's sd tau_x measured out of sample within the fitted periods: the method
// is refitted on the first o periods (o = 3 .. n - 1) and its central forecast of each later
// period compared with the observation; tau_x^2 is the mean of (error / years ahead)^2 over
// those pairs, after removing the errors' part along b_x (an error of k). It replaces the
// in-sample estimate (residual_components) when there is a pair.
void calibrate_trend(const MortalitySpec& spec, const MortalityHistory& history,
                     const std::vector<std::size_t>& periods,
                     std::array<forecast::SexFactors, N_SEXES>& factors) {
  const auto n_ages = static_cast<Eigen::Index>(history.ages.size());
  std::array<Eigen::VectorXd, N_SEXES> sum;
  for (auto& v : sum) v = Eigen::VectorXd::Zero(n_ages);
  int pairs = 0;
  for (std::size_t o = 3; o < periods.size(); ++o) {
    const std::vector<std::size_t> first(periods.begin(), periods.begin() + o);
    const double jump = history.mid(first.back());
    std::vector<double> targets;
    for (std::size_t p = o; p < periods.size(); ++p) targets.push_back(history.mid(periods[p]));
    const forecast::FactorForecast inner(history.ages, jump, fit_factors(spec, history, first));
    const auto log_m = inner.central(targets);
    for (std::size_t i = 0; i < targets.size(); ++i, ++pairs)
      for (std::size_t s = 0; s < N_SEXES; ++s) {
        const Eigen::VectorXd observed =
            history.mx[s].col(static_cast<Eigen::Index>(periods[o + i])).array().log().matrix();
        Eigen::VectorXd rate =
            (observed - log_m[s].col(static_cast<Eigen::Index>(i))) / (targets[i] - jump);
        // The part along b_x is an error of k, which the drift's uncertainty already carries.
        const Eigen::VectorXd& b = factors[s].bx;
        rate -= b * (b.dot(rate) / b.squaredNorm());
        sum[s] += rate.cwiseProduct(rate);
      }
  }
  if (pairs == 0) return;
  for (std::size_t s = 0; s < N_SEXES; ++s) factors[s].trend_sd = (sum[s] / pairs).cwiseSqrt();
}

forecast::FactorForecast fit_model(const MortalitySpec& spec, const MortalityHistory& history) {
  const auto periods = fitted_periods(spec, history);
  auto factors = fit_factors(spec, history, periods);
  if (spec.uncertainty.structural) calibrate_trend(spec, history, periods, factors);
  std::vector<double> times;
  for (std::size_t p : periods) times.push_back(history.mid(p));
  std::optional<forecast::Rotation> rotation;
  if (spec.rotate_bx) rotation = forecast::Rotation{};
  const forecast::Uncertainty uncertainty{spec.uncertainty.parameters, spec.uncertainty.structural,
                                          spec.uncertainty.jump_off};
  return forecast::FactorForecast(history.ages, times.back(), std::move(factors), rotation,
                                  uncertainty);
}

}  // namespace

MortalityForecast mortality_by_factor_model(const MortalitySpec& spec, int base_year, int horizon) {
  const MortalityHistory history = read_mortality_history(spec.rates);
  std::shared_ptr<const forecast::FactorForecast> model;
  try {
    model = std::make_shared<const forecast::FactorForecast>(fit_model(spec, history));
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {
    throw InputError(spec.where, "rates",
                     fmt::format("{} ({}, method '{}')", e.what(), history.source, spec.method));
  }
  std::vector<double> years;
  for (int t = base_year; t <= horizon; ++t) years.push_back(t);
  const auto single_ages = [model, years](const std::array<Eigen::MatrixXd, N_SEXES>& log_m) {
    std::vector<demography::SexAgeArray> out(years.size());
    for (std::size_t y = 0; y < years.size(); ++y)
      for (std::size_t s = 0; s < N_SEXES; ++s)
        out[y][s] = to_single_ages(
            model->ages(), log_m[s].col(static_cast<Eigen::Index>(y)).array().exp().matrix());
    return out;
  };
  MortalityForecast forecast{single_ages(model->central(years)), {}};
  forecast.draw = [single_ages, model, years](const DrawKey& key) {
    return single_ages(model->draw(years, key.seed, key.draw));
  };
  return forecast;
}

}  // namespace healthcast::scenario
