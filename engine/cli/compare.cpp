// healthcast compare REFERENCE.h5 SCENARIO.h5 [SCENARIO.h5 ...] [--years ...]
#include <algorithm>
#include <filesystem>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/error.h"
#include "healthcast/io/results_file.h"
#include "healthcast/results/compare.h"

namespace healthcast::cli {

namespace {

struct CompareOptions {
  std::filesystem::path reference;
  std::vector<std::filesystem::path> scenarios;
  std::filesystem::path output;
};

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
  const auto reference = io::read_results(opt.reference);
  std::vector<std::filesystem::path> used;
  for (const auto& path : opt.scenarios) {
    auto diff = results::compare(reference, io::read_results(path));
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
      for (const auto& c : columns) fmt::print(" {:>20}", c.second);
      fmt::print("\n");
      for (std::size_t y = 0; y < years.size(); ++y) {
        if (!(y + 1 == years.size() || (years[y] - years.front()) % 5 == 0)) continue;
        fmt::print("{:>6}", years[y]);
        for (const auto& c : columns)
          fmt::print(" {:>20.4g}", diff.variable(c.first).at({y, r, total}));
        fmt::print("\n");
      }
    }
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
  cmd->add_option("reference", opt->reference, "Results file of the reference")->required();
  cmd->add_option("scenarios", opt->scenarios, "Results files of the scenarios")->required();
  cmd->add_option("-o,--output", opt->output,
                  "Also write the comparison (HDF5); with several scenarios, one file each");
  cmd->callback([opt] { print_comparison(*opt); });
}

}  // namespace healthcast::cli
