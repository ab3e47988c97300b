// healthcast solve SCENARIO --target INDICATOR:YEAR --lever NAME.FIELD [--range LOW,HIGH]
//   [--probability P --draws N --seed S]
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/error.h"
#include "healthcast/scenario/solve.h"

namespace healthcast::cli {

namespace {

struct SolveOptions {
  std::filesystem::path scenario;
  std::string target, lever;
  std::vector<double> range;
  double probability = 0;
  std::size_t draws = 100;
  std::uint64_t seed = 1;
};

std::pair<std::string, std::string> split(const std::string& text, char at, const char* field,
                                          const char* example) {
  const auto i = text.find(at);
  if (i == std::string::npos || i == 0 || i + 1 == text.size())
    throw InputError({}, field, fmt::format("'{}' is not of the form {}", text, example));
  return {text.substr(0, i), text.substr(i + 1)};
}

void run_solve(const SolveOptions& opt) {
  const auto sc = scenario::load_scenario(opt.scenario);
  scenario::SolveRequest r;
  const auto [indicator, year] = split(opt.target, ':', "--target", "INDICATOR:YEAR");
  r.indicator = indicator;
  try {
    r.year = std::stoi(year);
  } catch (const std::exception&) {
    throw InputError({}, "--target", fmt::format("'{}' is not a year", year));
  }
  std::tie(r.lever, r.field) = split(opt.lever, '.', "--lever", "INTERVENTION.FIELD");
  if (opt.range.size() == 2) {
    r.low = opt.range[0];
    r.high = opt.range[1];
  } else {
    const scenario::Intervention* lever = nullptr;
    for (const auto& iv : sc.interventions)
      if (iv.name == r.lever) lever = &iv;
    const auto range = lever ? scenario::default_range(*lever, r.field) : std::nullopt;
    if (lever && !range)
      throw InputError({}, "--range",
                       fmt::format("'{}' has no default range; give --range LOW,HIGH", r.field));
    if (range) std::tie(r.low, r.high) = *range;
  }
  if (opt.probability > 0) {
    r.probability = opt.probability;
    r.draws = opt.draws;
    r.seed = opt.seed;
  }
  const auto s = scenario::solve(sc, r);
  const std::string chance =
      r.probability ? fmt::format(" with probability {:.2f} ({} draws)", s.probability, r.draws)
                    : std::string(" centrally");
  if (s.met_everywhere)
    fmt::print(
        "{} {} is met{} across {}..{}: the end barely meeting it is {}.{} = {:.6g} "
        "(judged {:.4g}; {} runs)\n",
        r.indicator, r.year, chance, r.low, r.high, r.lever, r.field, s.size, s.judged, s.runs);
  else if (s.reachable)
    fmt::print("{}.{} = {:.6g} meets {} {}{} (judged {:.4g}, gap {:.3g}; {} runs)\n", r.lever,
               r.field, s.size, r.indicator, r.year, chance, s.judged, s.gap, s.runs);
  else {
    fmt::print(
        "{} {} cannot be met{} by {}.{} within {}..{}: the best is {}.{} = {:.6g}, "
        "judged {:.4g}, still {:.3g} short ({} runs)\n",
        r.indicator, r.year,
        r.probability ? fmt::format(" with probability {:.2f}", *r.probability) : std::string(),
        r.lever, r.field, r.low, r.high, r.lever, r.field, s.size, s.judged, s.gap, s.runs);
    throw ExitStatus{3};
  }
}

}  // namespace

void add_solve_command(CLI::App& app) {
  auto opt = std::make_shared<SolveOptions>();
  auto* cmd = app.add_subcommand(
      "solve",
      "The lever size that meets a target, centrally or with a probability across draws "
      "(exit 3 when no size in the range meets it)");
  cmd->add_option("scenario", opt->scenario, "Scenario file (YAML) with the target and the lever")
      ->required();
  cmd->add_option("--target", opt->target, "The target: INDICATOR:YEAR (e.g. life_expectancy:2030)")
      ->required();
  cmd->add_option("--lever", opt->lever,
                  "The lever: INTERVENTION.FIELD (field scale, shift, reach, multiply, reach_tfr)")
      ->required();
  cmd->add_option("--range", opt->range,
                  "LOW,HIGH searched (default: scale and multiply 0,1; reach 0,100, treatment "
                  "coverage 0,1)")
      ->delimiter(',')
      ->expected(2);
  cmd->add_option("--probability", opt->probability,
                  "Met with at least this probability across draws (0-1]; default: centrally");
  cmd->add_option("--draws", opt->draws, "Draws for --probability")->capture_default_str();
  cmd->add_option("--seed", opt->seed, "Seed of the draws")->capture_default_str();
  cmd->callback([opt] { run_solve(*opt); });
}

}  // namespace healthcast::cli
