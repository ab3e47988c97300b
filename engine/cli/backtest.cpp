// healthcast backtest SCENARIO [--origins Y1,Y2,...] [--methods ...] [--draws N] [--format csv]
//
// Scores mortality forecasts against history held back from them (MODEL.md §4): for each
// origin Y every method is fitted on the periods that end by Y and forecast to every later
// period, and its central forecast and the intervals of its draws are compared with what was
// observed. The forecasts come from the scenario registry's own methods (with the scenario's
// rotation and uncertainty settings), so the back-test measures exactly what scenarios use; the
// naive forecasts (constant rates, constant improvement) are scored beside them.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/demography/life_table.h"
#include "healthcast/error.h"
#include "healthcast/input/mortality_history.h"
#include "healthcast/scenario/inputs.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::cli {

namespace {

namespace fs = std::filesystem;
using demography::N_SEXES;

const std::vector<std::string> NAIVE = {"constant_rates", "constant_improvement"};
const std::vector<std::string> FACTOR_METHODS = {"lee_carter", "lee_miller", "bms", "li_lee"};

struct BacktestOptions {
  fs::path scenario;
  std::vector<int> origins;
  int fit_until = 0;  // a single origin (kept for the first release's command line)
  int fit_from = 0;   // 0: the scenario's fit_period start, else the first period of the file
  int improvement_years = 15;
  int draws = 400;
  std::uint64_t seed = 1;
  std::vector<std::string> methods;
  std::string sex = "both";
  std::string format = "table";
  bool detail = false;
};

// One forecast of one period: method, sex, origin, horizon, and its scores.
struct Pair {
  std::string method;
  std::size_t sex = 0;
  int origin = 0, target_year = 0;
  double horizon = 0.0;
  double e0_forecast = 0.0, e0_observed = 0.0;
  bool has_interval = false;
  double e0_low80 = 0.0, e0_high80 = 0.0, e0_low95 = 0.0, e0_high95 = 0.0;
  double logm_sq = 0.0;  // sum of squared log m errors over ages
  int ages = 0, logm_in80 = 0, logm_in95 = 0;
};

std::string period_label(const std::pair<int, int>& p) {
  return fmt::format("{}-{}", p.first, p.second);
}

double e0_of(const std::vector<int>& ages, const Eigen::VectorXd& m, demography::Sex sex) {
  return demography::life_table(ages, std::span<const double>(m.data(), m.size()), sex).e_at(0);
}

// Rates on the abridged ages from single-age rates (constant within each interval, so the left
// edge carries the interval's rate).
Eigen::VectorXd abridged(const demography::AgeArray& single, const std::vector<int>& ages) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(ages.size()));
  for (std::size_t i = 0; i < ages.size(); ++i) out(static_cast<Eigen::Index>(i)) = single[ages[i]];
  return out;
}

// Empirical quantile (linear interpolation between order statistics) of sorted values.
double quantile(const std::vector<double>& sorted, double p) {
  const double h = p * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const auto hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

struct Interval {
  double low80, high80, low95, high95;
  bool covers80(double v) const { return v >= low80 && v <= high80; }
  bool covers95(double v) const { return v >= low95 && v <= high95; }
};
Interval interval(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return {quantile(values, 0.10), quantile(values, 0.90), quantile(values, 0.025),
          quantile(values, 0.975)};
}

SourceLocation where(const BacktestOptions& opt) { return {opt.scenario.string(), 0, 0}; }

// The periods after an origin that a back-test compares with, at their middle years.
struct Targets {
  std::vector<std::size_t> periods;
  std::vector<int> years;
};

Targets targets_after(const BacktestOptions& opt, const input::MortalityHistory& history,
                      std::size_t jump) {
  Targets t;
  for (std::size_t p = jump + 1; p < history.periods.size(); ++p) {
    const double mid = history.mid(p);
    if (mid != std::floor(mid))
      throw InputError(where(opt), "rates",
                       fmt::format("the period {} has no whole middle year; the back-test "
                                   "compares at the middle year of a period of odd length",
                                   period_label(history.periods[p])));
    t.periods.push_back(p);
    t.years.push_back(static_cast<int>(mid));
  }
  return t;
}

// A method's forecast rates by sex and target (abridged ages) and, with draws, every draw's.
struct MethodForecast {
  std::array<std::vector<Eigen::VectorXd>, N_SEXES> central;
  std::array<std::vector<std::vector<Eigen::VectorXd>>, N_SEXES> draws;  // [target][draw]
};

MethodForecast forecast_of(const BacktestOptions& opt, const std::string& method,
                           scenario::MortalitySpec spec, const input::MortalityHistory& history,
                           const Targets& targets, std::size_t jump, std::size_t earlier) {
  MethodForecast out;
  if (method == "constant_rates") {
    for (std::size_t s = 0; s < N_SEXES; ++s)
      out.central[s].assign(targets.years.size(),
                            history.mx[s].col(static_cast<Eigen::Index>(jump)));
    return out;
  }
  spec.method = method == "constant_improvement" ? "improvement" : method;
  std::tie(spec.jump_off_from, spec.jump_off_to) = history.periods[jump];
  std::tie(spec.improvement_from, spec.improvement_to) = history.periods[earlier];
  const int first = targets.years.front(), last = targets.years.back();
  const auto forecast = scenario::mortality_methods().at(spec.method)(spec, first, last);
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (int year : targets.years)
      out.central[s].push_back(abridged(forecast.central[year - first][s], history.ages));
  if (!forecast.draw || opt.draws <= 0) return out;
  for (std::size_t s = 0; s < N_SEXES; ++s)
    out.draws[s].assign(targets.years.size(), std::vector<Eigen::VectorXd>(opt.draws));
  for (int j = 0; j < opt.draws; ++j) {
    const auto rates = forecast.draw({opt.seed, static_cast<std::uint64_t>(j)});
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t i = 0; i < targets.years.size(); ++i)
        out.draws[s][i][j] = abridged(rates[targets.years[i] - first][s], history.ages);
  }
  return out;
}

// Whether the observed e0 and log m of a target fall in the draws' 80% and 95% intervals.
void add_coverage(Pair& pr, const Eigen::VectorXd& observed,
                  const std::vector<Eigen::VectorXd>& draws, const std::vector<int>& ages,
                  demography::Sex sex) {
  pr.has_interval = true;
  std::vector<double> e0s;
  for (const auto& m : draws) e0s.push_back(e0_of(ages, m, sex));
  const Interval e0 = interval(e0s);
  std::tie(pr.e0_low80, pr.e0_high80, pr.e0_low95, pr.e0_high95) =
      std::tuple{e0.low80, e0.high80, e0.low95, e0.high95};
  for (Eigen::Index x = 0; x < observed.size(); ++x) {
    std::vector<double> logs;
    for (const auto& m : draws) logs.push_back(std::log(m(x)));
    const Interval lm = interval(logs);
    const double v = std::log(observed(x));
    pr.logm_in80 += lm.covers80(v);
    pr.logm_in95 += lm.covers95(v);
  }
}

// Scores of every method at one origin (the last fitted period `jump`).
void score_origin(const BacktestOptions& opt, const scenario::MortalitySpec& given,
                  const input::MortalityHistory& history, int fit_from, int origin,
                  std::vector<Pair>& pairs) {
  const auto fitted = history.within(fit_from, origin);
  const std::size_t jump = fitted.back();
  const Targets targets = targets_after(opt, history, jump);
  // The improvement rule's earlier period: the one starting improvement_years before the
  // jump-off starts, else the first fitted period.
  std::size_t earlier = fitted.front();
  for (std::size_t p : fitted)
    if (history.periods[p].first == history.periods[jump].first - opt.improvement_years)
      earlier = p;
  scenario::MortalitySpec spec = given;
  spec.fit_from = fit_from;
  spec.fit_to = origin;
  for (const auto& method : opt.methods) {
    const MethodForecast f = forecast_of(opt, method, spec, history, targets, jump, earlier);
    for (std::size_t s = 0; s < N_SEXES; ++s) {
      const auto sex = demography::SEXES[s];
      for (std::size_t i = 0; i < targets.periods.size(); ++i) {
        const Eigen::VectorXd observed =
            history.mx[s].col(static_cast<Eigen::Index>(targets.periods[i]));
        Pair pr;
        pr.method = method;
        pr.sex = s;
        pr.origin = origin;
        pr.target_year = targets.years[i];
        pr.horizon = history.mid(targets.periods[i]) - history.mid(jump);
        pr.e0_forecast = e0_of(history.ages, f.central[s][i], sex);
        pr.e0_observed = e0_of(history.ages, observed, sex);
        const Eigen::ArrayXd diff = f.central[s][i].array().log() - observed.array().log();
        pr.logm_sq = diff.square().sum();
        pr.ages = static_cast<int>(diff.size());
        if (!f.draws[s].empty()) add_coverage(pr, observed, f.draws[s][i], history.ages, sex);
        pairs.push_back(pr);
      }
    }
  }
}

struct Summary {
  int pairs = 0;
  double e0_abs = 0.0, e0_err = 0.0, logm_sq = 0.0;
  int cells = 0, e0_in80 = 0, e0_in95 = 0, logm_in80 = 0, logm_in95 = 0;
  bool has_interval = false;
  void add(const Pair& p) {
    const double err = p.e0_forecast - p.e0_observed;
    ++pairs;
    e0_abs += std::abs(err);
    e0_err += err;
    logm_sq += p.logm_sq;
    cells += p.ages;
    if (p.has_interval) {
      has_interval = true;
      e0_in80 += p.e0_observed >= p.e0_low80 && p.e0_observed <= p.e0_high80;
      e0_in95 += p.e0_observed >= p.e0_low95 && p.e0_observed <= p.e0_high95;
      logm_in80 += p.logm_in80;
      logm_in95 += p.logm_in95;
    }
  }
  double mae() const { return e0_abs / pairs; }
  double bias() const { return e0_err / pairs; }
  double rmse() const { return std::sqrt(logm_sq / cells); }
  double share(int n, int of) const { return 100.0 * n / of; }
};

// Which sexes the report shows.
bool wanted(const BacktestOptions& opt, std::size_t s) {
  return opt.sex == "both" || opt.sex == demography::to_string(demography::SEXES[s]);
}

// One line per origin, method, sex and target period.
void print_detail(const BacktestOptions& opt, const scenario::RegionSpec& region,
                  const std::vector<Pair>& pairs) {
  const bool csv = opt.format == "csv";
  if (csv)
    fmt::print(
        "region,sex,method,origin,horizon,year,e0_forecast,e0_observed,e0_error,e0_low80,"
        "e0_high80,e0_low95,e0_high95,logm_rmse,logm_cover80,logm_cover95\n");
  else
    fmt::print("{:<7} {:<21} {:>6} {:>4} {:>5} {:>7} {:>7} {:>6} {:>15} {:>15} {:>9} {:>6} {:>6}\n",
               "sex", "method", "origin", "h", "year", "e0 fc", "e0 obs", "err", "e0 80%", "e0 95%",
               "logm RMSE", "lm 80", "lm 95");
  for (const auto& p : pairs) {
    if (!wanted(opt, p.sex)) continue;
    const auto sex = demography::to_string(demography::SEXES[p.sex]);
    const double rmse = std::sqrt(p.logm_sq / p.ages);
    const auto cover = [&](int n) {
      return p.has_interval ? fmt::format("{:.1f}", 100.0 * n / p.ages)
                            : std::string(csv ? "" : "-");
    };
    const auto bound = [&](double v) {
      return p.has_interval ? fmt::format("{:.3f}", v) : std::string();
    };
    if (csv)
      fmt::print("{},{},{},{},{},{},{:.4f},{:.4f},{:.4f},{},{},{},{},{:.5f},{},{}\n", region.name,
                 sex, p.method, p.origin, p.horizon, p.target_year, p.e0_forecast, p.e0_observed,
                 p.e0_forecast - p.e0_observed, bound(p.e0_low80), bound(p.e0_high80),
                 bound(p.e0_low95), bound(p.e0_high95), rmse, cover(p.logm_in80),
                 cover(p.logm_in95));
    else
      fmt::print(
          "{:<7} {:<21} {:>6} {:>4} {:>5} {:>7.2f} {:>7.2f} {:>+6.2f} {:>15} {:>15} {:>9.4f} "
          "{:>6} {:>6}\n",
          sex, p.method, p.origin, p.horizon, p.target_year, p.e0_forecast, p.e0_observed,
          p.e0_forecast - p.e0_observed,
          p.has_interval ? fmt::format("{:.2f}-{:.2f}", p.e0_low80, p.e0_high80) : "-",
          p.has_interval ? fmt::format("{:.2f}-{:.2f}", p.e0_low95, p.e0_high95) : "-", rmse,
          cover(p.logm_in80), cover(p.logm_in95));
  }
}

void print_header(const BacktestOptions& opt, const scenario::RegionSpec& region,
                  const input::MortalityHistory& history, int fit_from) {
  std::string origins;
  for (int y : opt.origins) origins += fmt::format("{}{}", origins.empty() ? "" : ", ", y);
  fmt::print("Back-test of mortality forecasts, region '{}' ({})\n", region.name, history.source);
  fmt::print(
      "Fitted from {}; origins (periods ending by): {}; each origin forecasts every later "
      "period.\n",
      fit_from, origins);
  fmt::print(
      "Intervals from {} draws (seed {}); coverage is the share of observed values inside "
      "the central 80% and 95% intervals (nominal 80 and 95).\n",
      opt.draws, opt.seed);
  fmt::print(
      "e0 errors are forecast minus observed, in years; log m RMSE over ages and periods; "
      "constant_improvement\nmeasures the improvement over {} years before the jump-off.\n\n",
      opt.improvement_years);
  fmt::print("{:<7} {:<21} {:>5} {:>7} {:>7} {:>9} {:>7} {:>7} {:>7} {:>7}\n", "sex", "method",
             "pairs", "e0 MAE", "e0 bias", "logm RMSE", "e0 80%", "e0 95%", "lm 80%", "lm 95%");
}

// Summaries by sex and method over every origin and horizon.
void print_summaries(const BacktestOptions& opt, const scenario::RegionSpec& region,
                     const std::map<std::pair<std::size_t, std::string>, Summary>& total) {
  const bool csv = opt.format == "csv";
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    if (!wanted(opt, s)) continue;
    const auto sex = demography::to_string(demography::SEXES[s]);
    for (const auto& method : opt.methods) {
      const auto found = total.find({s, method});
      const Summary sm = found == total.end() ? Summary() : found->second;
      const auto cover = [&](int n, int of) {
        return sm.has_interval ? fmt::format("{:.1f}", sm.share(n, of))
                               : std::string(csv ? "" : "-");
      };
      if (csv)
        fmt::print("{},{},{},{},{:.4f},{:.4f},{:.5f},{},{},{},{}\n", region.name, sex, method,
                   sm.pairs, sm.mae(), sm.bias(), sm.rmse(), cover(sm.e0_in80, sm.pairs),
                   cover(sm.e0_in95, sm.pairs), cover(sm.logm_in80, sm.cells),
                   cover(sm.logm_in95, sm.cells));
      else
        fmt::print("{:<7} {:<21} {:>5} {:>7.3f} {:>+7.3f} {:>9.4f} {:>7} {:>7} {:>7} {:>7}\n", sex,
                   method, sm.pairs, sm.mae(), sm.bias(), sm.rmse(), cover(sm.e0_in80, sm.pairs),
                   cover(sm.e0_in95, sm.pairs), cover(sm.logm_in80, sm.cells),
                   cover(sm.logm_in95, sm.cells));
    }
  }
}

// e0 MAE by horizon, per sex and method.
void print_by_horizon(const BacktestOptions& opt, const std::vector<Pair>& pairs) {
  std::map<std::tuple<std::size_t, std::string, double>, Summary> by_horizon;
  std::vector<double> horizons;
  for (const auto& p : pairs) {
    by_horizon[{p.sex, p.method, p.horizon}].add(p);
    if (std::find(horizons.begin(), horizons.end(), p.horizon) == horizons.end())
      horizons.push_back(p.horizon);
  }
  std::sort(horizons.begin(), horizons.end());
  fmt::print("\ne0 MAE by horizon (years ahead of the jump-off; pairs per horizon in brackets)\n");
  fmt::print("{:<7} {:<21}", "sex", "method");
  for (double h : horizons) fmt::print(" {:>8}", fmt::format("{:g}", h));
  fmt::print("\n");
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    if (!wanted(opt, s)) continue;
    for (const auto& method : opt.methods) {
      fmt::print("{:<7} {:<21}", demography::to_string(demography::SEXES[s]), method);
      for (double h : horizons) {
        const auto it = by_horizon.find({s, method, h});
        fmt::print(" {:>8}", it == by_horizon.end()
                                 ? std::string("-")
                                 : fmt::format("{:.2f} ({})", it->second.mae(), it->second.pairs));
      }
      fmt::print("\n");
    }
  }
}

void print_report(const BacktestOptions& opt, const scenario::RegionSpec& region,
                  const input::MortalityHistory& history, int fit_from,
                  const std::vector<Pair>& pairs) {
  if (opt.detail) return print_detail(opt, region, pairs);
  std::map<std::pair<std::size_t, std::string>, Summary> total;
  for (const auto& p : pairs) total[{p.sex, p.method}].add(p);
  if (opt.format == "csv")
    fmt::print(
        "region,sex,method,pairs,e0_mae,e0_bias,logm_rmse,e0_cover80,e0_cover95,logm_cover80,"
        "logm_cover95\n");
  else
    print_header(opt, region, history, fit_from);
  print_summaries(opt, region, total);
  if (opt.format != "csv") print_by_horizon(opt, pairs);
}

void backtest_region(BacktestOptions opt, const scenario::RegionSpec& region) {
  const auto& given = region.inputs.mortality;
  const auto history = input::read_mortality_history(given.rates);
  const bool factor_given =
      std::find(FACTOR_METHODS.begin(), FACTOR_METHODS.end(), given.method) != FACTOR_METHODS.end();
  const int fit_from = opt.fit_from != 0                     ? opt.fit_from
                       : factor_given && given.fit_from != 0 ? given.fit_from
                                                             : history.periods.front().first;
  if (opt.fit_until != 0) opt.origins = {opt.fit_until};
  if (opt.origins.empty()) {
    // Every period end that leaves at least four fitted periods (three differences of k) and
    // a later period to forecast.
    const auto all = history.within(fit_from, history.periods.back().second);
    for (std::size_t i = 3; i + 1 < all.size(); ++i)
      opt.origins.push_back(history.periods[all[i]].second);
  }
  const std::size_t last = history.periods.size() - 1;
  for (int origin : opt.origins) {
    const auto fitted = history.within(fit_from, origin);
    if (fitted.size() < 3)
      throw InputError(where(opt), "--origins",
                       fmt::format("{} periods of {} lie within {}-{}; the back-test needs at "
                                   "least 3 to fit Lee-Carter",
                                   fitted.size(), history.source, fit_from, origin));
    if (fitted.back() >= last)
      throw InputError(where(opt), "--origins",
                       fmt::format("{} leaves no later period to forecast; the last period in {} "
                                   "is {}",
                                   origin, history.source, period_label(history.periods[last])));
  }
  std::vector<Pair> pairs;
  for (int origin : opt.origins) score_origin(opt, given, history, fit_from, origin, pairs);
  print_report(opt, region, history, fit_from, pairs);
}

}  // namespace

void add_backtest_command(CLI::App& app) {
  auto opt = std::make_shared<BacktestOptions>();
  auto* cmd = app.add_subcommand(
      "backtest",
      "Back-test the mortality forecasts on a scenario's history: from each origin, fit on the "
      "periods that end by it, forecast every later period and report, per method and sex, the "
      "e0 MAE, the log m RMSE and the coverage of the 80% and 95% intervals, beside two naive "
      "forecasts (constant rates, constant improvement)");
  cmd->add_option("scenario", opt->scenario, "Scenario file (YAML)")->required();
  cmd->add_option("--origins", opt->origins,
                  "Last years of data of the back-tests, e.g. 1990,1995,2000 (default: every "
                  "period end with at least four fitted periods and a later one)")
      ->delimiter(',')
      ->check(CLI::Range(scenario::FIRST_YEAR, scenario::LAST_YEAR));
  cmd->add_option("--fit-until", opt->fit_until, "A single origin (the same as --origins Y)")
      ->check(CLI::Range(scenario::FIRST_YEAR, scenario::LAST_YEAR));
  cmd->add_option("--fit-from", opt->fit_from,
                  "First year of data used (default: the scenario's fit_period, else all)")
      ->check(CLI::Range(scenario::FIRST_YEAR, scenario::LAST_YEAR));
  cmd->add_option("--methods", opt->methods,
                  "Methods to score (default: constant_rates, constant_improvement, lee_carter, "
                  "lee_miller, bms, li_lee)")
      ->delimiter(',')
      ->check(CLI::IsMember(
          {"constant_rates", "constant_improvement", "lee_carter", "lee_miller", "bms", "li_lee"}));
  cmd->add_option("--draws", opt->draws, "Draws for the intervals (0: no intervals)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  cmd->add_option("--seed", opt->seed, "Seed of the draws")->capture_default_str();
  cmd->add_option("--improvement-years", opt->improvement_years,
                  "Constant improvement is measured over this many years before the jump-off")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--sex", opt->sex, "Which sexes to report")
      ->check(CLI::IsMember({"female", "male", "both"}))
      ->capture_default_str();
  cmd->add_option("--format", opt->format, "table (readable) or csv")
      ->check(CLI::IsMember({"table", "csv"}))
      ->capture_default_str();
  cmd->add_flag("--detail", opt->detail,
                "One row per method, sex, origin and forecast period instead of the summary");
  cmd->callback([opt] {
    BacktestOptions o = *opt;
    if (o.methods.empty()) {
      o.methods = NAIVE;
      o.methods.insert(o.methods.end(), FACTOR_METHODS.begin(), FACTOR_METHODS.end());
    }
    const auto sc = scenario::load_scenario(o.scenario);
    for (const auto& region : sc.regions) backtest_region(o, region);
  });
}

}  // namespace healthcast::cli
