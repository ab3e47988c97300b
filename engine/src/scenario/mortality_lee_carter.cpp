// Method "lee_carter": a Lee-Carter model fitted by sex to the history's periods within
// `fit_period`, its k_t carried along the drift line (the central forecast) or along a random
// walk with drift (a draw: LeeCarter::k_draw), starting from the observed rates of the last fitted
// period (Lee-Miller jump-off), so that the base year continues the data rather than the model's
// fit of it.
#include <array>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "healthcast/forecast/lee_carter.h"
#include "healthcast/scenario/mortality_history.h"
#include "mortality_methods.h"

namespace healthcast::scenario {

MortalityForecast mortality_by_lee_carter(const MortalitySpec& spec, int base_year, int horizon) {
  const MortalityHistory history = read_mortality_history(spec.rates);
  const bool all = spec.fit_from == 0 && spec.fit_to == 0;
  const auto periods =
      all ? history.within(std::numeric_limits<int>::min(), std::numeric_limits<int>::max())
          : history.within(spec.fit_from, spec.fit_to);
  if (periods.size() < 3) {
    std::string available;
    for (const auto& [from, to] : history.periods)
      available += fmt::format("{}{}-{}", available.empty() ? "" : ", ", from, to);
    throw InputError(
        spec.where, "fit_period",
        fmt::format("{} periods of {} lie within fit_period {}-{}; Lee-Carter "
                    "needs at least 3. Periods in the file: {}",
                    periods.size(), history.source, spec.fit_from, spec.fit_to, available));
  }
  std::vector<double> times;
  for (std::size_t p : periods) times.push_back(history.mid(p));

  std::array<forecast::LeeCarter, demography::N_SEXES> models;
  for (std::size_t s = 0; s < demography::N_SEXES; ++s) {
    Eigen::MatrixXd mx(history.mx[s].rows(), static_cast<Eigen::Index>(periods.size()));
    for (std::size_t i = 0; i < periods.size(); ++i)
      mx.col(static_cast<Eigen::Index>(i)) =
          history.mx[s].col(static_cast<Eigen::Index>(periods[i]));
    try {
      models[s] = forecast::LeeCarter::fit(mx, history.ages, times);
    } catch (const InputError&) {
      throw;
    } catch (const Error& e) {
      throw InputError(spec.where, "rates",
                       fmt::format("{} ({} rates of {}, method 'lee_carter')", e.what(),
                                   demography::sex_name(s), history.source));
    }
  }
  std::vector<double> years;
  for (int t = base_year; t <= horizon; ++t) years.push_back(t);
  // Rates of each year from k by sex; both sexes take the same standard-normal innovations in a
  // draw (their k move together, as joint models of the two sexes find).
  const auto rates_for = [ages = history.ages, models,
                          years](const std::array<std::vector<double>, demography::N_SEXES>& k) {
    std::vector<demography::SexAgeArray> out(years.size());
    for (std::size_t y = 0; y < years.size(); ++y)
      for (std::size_t s = 0; s < demography::N_SEXES; ++s)
        out[y][s] = to_single_ages(ages, models[s].rates(k[s][y]));
    return out;
  };
  std::array<std::vector<double>, demography::N_SEXES> mean;
  for (std::size_t s = 0; s < demography::N_SEXES; ++s)
    for (double t : years) mean[s].push_back(models[s].k_at(t));
  MortalityForecast forecast{rates_for(mean), {}};
  forecast.draw = [rates_for, models, years](const DrawKey& key) {
    std::array<std::vector<double>, demography::N_SEXES> k;
    for (std::size_t s = 0; s < demography::N_SEXES; ++s)
      k[s] = models[s].k_draw(years, key.seed, key.draw);
    return rates_for(k);
  };
  return forecast;
}

}  // namespace healthcast::scenario
