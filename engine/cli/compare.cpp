// healthcast compare REFERENCE.h5 SCENARIO.h5 [SCENARIO.h5 ...] [--years ...]
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/error.h"
#include "healthcast/io/results_file.h"
#include "healthcast/results/compare.h"
#include "healthcast/scenario/run.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::cli {

namespace {

struct CompareOptions {
  std::filesystem::path reference;
  std::vector<std::filesystem::path> scenarios;
  std::filesystem::path output;
};

// A number for people: whole numbers with thousands separators from 1,000 on, else three
// significant digits.
std::string human(double v) {
  if (!(std::abs(v) >= 1000)) return fmt::format("{:.3g}", v);
  std::string digits = fmt::format("{:.0f}", std::abs(v));
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), ",");
  return (v < 0 ? "-" : "") + digits;
}

// A value, with its 95% interval over paired draws when the comparison has one.
std::string cell(const results::Dataset& diff, const std::string& name, std::size_t y,
                 std::size_t r, std::size_t s) {
  const std::string value = human(diff.variable(name).at({y, r, s}));
  const std::string summary = name + std::string(results::SUMMARY_SUFFIX);
  if (!diff.has_variable(summary)) return value;
  const auto& v = diff.variable(summary);
  const std::size_t lower = diff.index_of(std::string(results::dim::statistic), "lower_95");
  const std::size_t upper = diff.index_of(std::string(results::dim::statistic), "upper_95");
  return fmt::format("{} ({} to {})", value, human(v.at({lower, y, r, s})),
                     human(v.at({upper, y, r, s})));
}

// `--reference auto` for one run: its scenario's matching reference (scenario.h), run with the
// run's draws and seed, its draws kept when the run kept its own, so that they pair.
results::Dataset matching_reference_run(const results::Dataset& run) {
  const auto& attrs = run.attributes;
  const auto text = attrs.find("scenario_text"), path = attrs.find("scenario_path");
  if (text == attrs.end() || path == attrs.end())
    throw FileFormatError(
        "--reference auto needs the run's scenario (attributes scenario_text "
        "and scenario_path); give the reference's results file instead");
  const auto reference = scenario::matching_reference(
      scenario::parse_scenario(text->second, std::filesystem::path(path->second)));
  scenario::RunOptions options;
  if (run.has_coordinate(results::dim::draw)) {
    options.draws = run.coordinate(std::string(results::dim::draw)).size();
    options.keep_draws = true;
    options.seed = attrs.count("seed") ? std::stoull(attrs.at("seed")) : 0;
  }
  options.threads = 0;
  fmt::print("Running the matching reference: '{}' on the run's regions, {}-{}{}\n", reference.name,
             reference.base_year, reference.horizon,
             options.draws ? fmt::format(", {} draws (seed {})", options.draws, options.seed)
                           : std::string());
  return scenario::run_scenario(reference, options);
}

// The output file of one comparison among several: -o's name with the scenario's name added.
// That name comes from the results file, so it must be a plain identifier (as the scenario
// schema requires of names) and must not repeat: never a path, never an overwrite.
std::filesystem::path output_of(const CompareOptions& opt, const std::filesystem::path& input,
                                const std::string& scenario,
                                std::vector<std::filesystem::path>& used) {
  if (opt.scenarios.size() == 1) return opt.output;
  const bool plain = !scenario.empty() && scenario.size() <= 100 &&
                     std::all_of(scenario.begin(), scenario.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                              (c >= '0' && c <= '9') || c == '_' || c == '-';
                     });
  if (!plain)
    throw FileFormatError(fmt::format(
        "{}: scenario_name {} cannot name an output file (allowed: 1 to 100 letters, digits, "
        "'_' and '-')",
        input.string(), printable(scenario)));
  auto out = opt.output;
  out.replace_filename(fmt::format("{}-{}{}", opt.output.stem().string(), scenario,
                                   opt.output.extension().string()));
  if (std::find(used.begin(), used.end(), out) != used.end())
    throw FileFormatError(fmt::format("{}: a second scenario named '{}' would overwrite {}",
                                      input.string(), scenario, out.string()));
  used.push_back(out);
  return out;
}

void print_comparison(const CompareOptions& opt) {
  const bool automatic = opt.reference == "auto";
  const auto given = automatic ? results::Dataset() : io::read_results(opt.reference);
  std::vector<std::filesystem::path> used;
  for (const auto& path : opt.scenarios) {
    const auto run = io::read_results(path);
    const auto reference = automatic ? matching_reference_run(run) : given;
    auto diff = results::compare(reference, run);
    const auto& years = std::get<std::vector<int>>(diff.coordinate("year").values);
    const auto& regions = std::get<std::vector<std::string>>(diff.coordinate("region").values);
    const std::size_t total = diff.index_of("sex", std::string("total"));
    fmt::print("{} against {}\n", diff.attributes["compared_scenario"],
               diff.attributes["reference_scenario"]);
    // (variable, heading): cumulative flows, then differences of headline indicators.
    namespace var = results::var;
    const auto difference = [](const results::VariableSpec& v) {
      return std::string(v.name) + std::string(results::DIFFERENCE_SUFFIX);
    };
    std::vector<std::pair<std::string, std::string>> columns = {
        {std::string(var::cumulative_deaths_averted.name), "deaths averted"},
        {std::string(var::cumulative_life_years_gained.name), "life-years gained"}};
    if (diff.has_variable(var::cumulative_dalys_averted))
      columns.emplace_back(var::cumulative_dalys_averted.name, "DALYs averted");
    if (diff.has_variable(difference(var::life_expectancy)))
      columns.emplace_back(difference(var::life_expectancy), "e0 difference");
    if (diff.has_variable(difference(var::premature_ncd_mortality)))
      columns.emplace_back(difference(var::premature_ncd_mortality), "30q70 difference (%)");
    for (std::size_t r = 0; r < regions.size(); ++r) {
      fmt::print("region {} (flows cumulated from {}; both sexes)\n{:>6}", regions[r],
                 years.front(), "year");
      for (const auto& c : columns) fmt::print(" {:>26}", c.second);
      fmt::print("\n");
      for (std::size_t y = 0; y < years.size(); ++y) {
        if (!(y + 1 == years.size() || (years[y] - years.front()) % 5 == 0)) continue;
        fmt::print("{:>6}", years[y]);
        for (const auto& c : columns) fmt::print(" {:>26}", cell(diff, c.first, y, r, total));
        fmt::print("\n");
      }
    }
    fmt::print("draws: {}\n", diff.attributes["draws_paired"]);
    if (!opt.output.empty()) {
      const auto out = output_of(opt, path, diff.attributes["compared_scenario"], used);
      io::write_results(diff, out);
      fmt::print("Comparison written to {}\n", out.string());
    }
  }
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto opt = std::make_shared<CompareOptions>();
  auto* cmd = app.add_subcommand(
      "compare",
      "Scenarios against a reference run: deaths averted, life-years gained, DALYs "
      "averted and indicator differences, by year and cumulated");
  cmd->add_option("reference", opt->reference,
                  "Results file of the reference, or 'auto': run the root of each scenario's "
                  "extends chain on its regions and years (with its draws and seed)")
      ->required();
  cmd->add_option("scenarios", opt->scenarios, "Results files of the scenarios")->required();
  cmd->add_option("-o,--output", opt->output,
                  "Also write the comparison (HDF5); with several scenarios, one file each");
  cmd->callback([opt] { print_comparison(*opt); });
}

}  // namespace healthcast::cli
