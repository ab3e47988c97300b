// healthcast backtest SCENARIO --fit-until Y [--fit-from X] [--sex female|male|both]
//
// Scores mortality forecasts against history held back from them (MODEL.md §4): the methods
// are fitted on the periods that end by Y, forecast to the last observed period, and compared
// with it. The forecasts come from the scenario registry's own methods (lee_carter and
// improvement) so that the back-test measures exactly what scenarios use.
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/demography/life_table.h"
#include "healthcast/error.h"
#include "healthcast/scenario/inputs.h"
#include "healthcast/scenario/mortality_history.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::cli {

namespace {

namespace fs = std::filesystem;
using demography::N_SEXES;

struct BacktestOptions {
  fs::path scenario;
  int fit_until = 0;
  int fit_from = 0;  // 0: the scenario's fit_period start, else the first period of the file
  int improvement_years = 15;
  std::string sex = "both";
};

std::string period_label(const std::pair<int, int>& p) {
  return fmt::format("{}-{}", p.first, p.second);
}

struct Score {
  double e0 = 0.0, mae = 0.0, rmse = 0.0;
};

Score score(const std::vector<int>& ages, const Eigen::VectorXd& forecast,
            const Eigen::VectorXd& observed, demography::Sex sex) {
  Score sc;
  const std::vector<double> m(forecast.data(), forecast.data() + forecast.size());
  sc.e0 = demography::life_table(ages, m, sex).e_at(0);
  const Eigen::ArrayXd diff = forecast.array().log() - observed.array().log();
  sc.mae = diff.abs().mean();
  sc.rmse = std::sqrt(diff.square().mean());
  return sc;
}

// The registry method's single-age rates for one calendar year, read back on the abridged ages
// (they are constant within each interval, so the left edge is the interval's rate).
std::array<Eigen::VectorXd, N_SEXES> method_rates(const std::string& name,
                                                  const scenario::MortalitySpec& spec,
                                                  const std::vector<int>& ages, int year) {
  const auto rates = scenario::mortality_methods().at(name)(spec, year, year).central.front();
  std::array<Eigen::VectorXd, N_SEXES> out;
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    out[s].resize(static_cast<Eigen::Index>(ages.size()));
    for (std::size_t i = 0; i < ages.size(); ++i)
      out[s](static_cast<Eigen::Index>(i)) = rates[s][ages[i]];
  }
  return out;
}

void backtest_region(const BacktestOptions& opt, const scenario::RegionSpec& region) {
  const auto& given = region.inputs.mortality;
  const auto history = scenario::read_mortality_history(given.rates);
  const int fit_from = opt.fit_from != 0 ? opt.fit_from
                       : given.method == "lee_carter" && given.fit_from != 0
                           ? given.fit_from
                           : history.periods.front().first;
  const auto fitted = history.within(fit_from, opt.fit_until);
  const std::size_t target = history.periods.size() - 1;
  const auto where = [&] { return SourceLocation{opt.scenario.string(), 0, 0}; };
  if (fitted.size() < 3)
    throw InputError(where(), "--fit-until",
                     fmt::format("{} periods of {} lie within {}-{}; the back-test needs at "
                                 "least 3 to fit Lee-Carter",
                                 fitted.size(), history.source, fit_from, opt.fit_until));
  const std::size_t jump = fitted.back();
  if (jump >= target)
    throw InputError(
        where(), "--fit-until",
        fmt::format("{} leaves no later period to forecast; the last period in {} "
                    "is {}",
                    opt.fit_until, history.source, period_label(history.periods[target])));
  const double mid_target = history.mid(target);
  if (mid_target != std::floor(mid_target))
    throw InputError(where(), "rates",
                     fmt::format("the last period {} has no whole middle year; the back-test "
                                 "compares at the middle year of a period of odd length",
                                 period_label(history.periods[target])));
  // The improvement rule's earlier period: the one starting improvement_years before the
  // jump-off starts, else the first fitted period.
  std::size_t earlier = fitted.front();
  for (std::size_t p : fitted)
    if (history.periods[p].first == history.periods[jump].first - opt.improvement_years)
      earlier = p;

  scenario::MortalitySpec spec = given;
  spec.fit_from = fit_from;
  spec.fit_to = opt.fit_until;
  std::tie(spec.jump_off_from, spec.jump_off_to) = history.periods[jump];
  std::tie(spec.improvement_from, spec.improvement_to) = history.periods[earlier];
  const int year = static_cast<int>(mid_target);
  const auto lee_carter = method_rates("lee_carter", spec, history.ages, year);
  const auto improvement = method_rates("improvement", spec, history.ages, year);

  fmt::print("Back-test of mortality forecasts, region '{}' ({})\n", region.name, history.source);
  fmt::print("Fitted on {} periods, {} to {}; forecast {} years ahead to {} (mid-year {}).\n",
             fitted.size(), period_label(history.periods[fitted.front()]),
             period_label(history.periods[jump]), mid_target - history.mid(jump),
             period_label(history.periods[target]), year);
  fmt::print("constant_improvement: the 'improvement' rule, measured from {} to {}.\n",
             period_label(history.periods[earlier]), period_label(history.periods[jump]));
  fmt::print("Errors are forecast minus observed; log m errors over the {} age groups.\n\n",
             history.ages.size());
  fmt::print("{:<7} {:<21} {:>8} {:>8} {:>8} {:>10} {:>10}\n", "sex", "method", "e0 fcst", "e0 obs",
             "e0 err", "logm MAE", "logm RMSE");
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    const auto sex = demography::SEXES[s];
    if (opt.sex != "both" && opt.sex != demography::to_string(sex)) continue;
    const Eigen::VectorXd observed = history.mx[s].col(static_cast<Eigen::Index>(target));
    const double e0_obs = score(history.ages, observed, observed, sex).e0;
    const std::pair<const char*, Eigen::VectorXd> methods[] = {
        {"lee_carter", lee_carter[s]},
        {"constant_rates", history.mx[s].col(static_cast<Eigen::Index>(jump))},
        {"constant_improvement", improvement[s]}};
    for (const auto& [name, m] : methods) {
      const Score sc = score(history.ages, m, observed, sex);
      fmt::print("{:<7} {:<21} {:>8.2f} {:>8.2f} {:>+8.2f} {:>10.4f} {:>10.4f}\n",
                 demography::to_string(sex), name, sc.e0, e0_obs, sc.e0 - e0_obs, sc.mae, sc.rmse);
    }
  }
}

}  // namespace

void add_backtest_command(CLI::App& app) {
  auto opt = std::make_shared<BacktestOptions>();
  auto* cmd = app.add_subcommand(
      "backtest",
      "Back-test the mortality forecasts on a scenario's history: fit on the "
      "periods that end by --fit-until, forecast to the last observed period and "
      "report the errors of e0 and of log death rates for Lee-Carter and two naive "
      "forecasts (constant rates, constant improvement)");
  cmd->add_option("scenario", opt->scenario, "Scenario file (YAML)")->required();
  cmd->add_option("--fit-until", opt->fit_until,
                  "Last year of data used: periods ending in or before it are fitted")
      ->required()
      ->check(CLI::Range(scenario::FIRST_YEAR, scenario::LAST_YEAR));
  cmd->add_option("--fit-from", opt->fit_from,
                  "First year of data used (default: the scenario's fit_period, else all)")
      ->check(CLI::Range(scenario::FIRST_YEAR, scenario::LAST_YEAR));
  cmd->add_option("--improvement-years", opt->improvement_years,
                  "Constant improvement is measured over this many years before the jump-off")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--sex", opt->sex, "Which sexes to report")
      ->check(CLI::IsMember({"female", "male", "both"}))
      ->capture_default_str();
  cmd->callback([opt] {
    const auto sc = scenario::load_scenario(opt->scenario);
    for (const auto& region : sc.regions) backtest_region(*opt, region);
  });
}

}  // namespace healthcast::cli
