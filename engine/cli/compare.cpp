// healthcast compare REFERENCE.h5 SCENARIO.h5 [SCENARIO.h5 ...] [--years ...]
#include <cmath>
#include <filesystem>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/io/results_file.h"
#include "healthcast/results/compare.h"

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

void print_comparison(const CompareOptions& opt) {
  const auto reference = io::read_results(opt.reference);
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
      auto out = opt.output;
      if (opt.scenarios.size() > 1)
        out.replace_filename(fmt::format("{}-{}{}", opt.output.stem().string(),
                                         diff.attributes["compared_scenario"],
                                         opt.output.extension().string()));
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
