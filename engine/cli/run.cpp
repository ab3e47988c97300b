// healthcast run SCENARIO... [-o OUT.h5] [--draws N --seed S --threads T --keep-draws]
//   [--draw-range A:B] [--units CODE,...] [--regions NAME,...]
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/error.h"
#include "healthcast/io/draw_writer.h"
#include "healthcast/io/results_file.h"
#include "healthcast/parallel/ordered.h"
#include "healthcast/results/summary.h"
#include "healthcast/scenario/run.h"
#include "healthcast/scenario/scenario.h"
#include "progress_bar.h"

namespace healthcast::cli {

namespace {

namespace fs = std::filesystem;

struct RunCommand {
  std::vector<fs::path> scenarios;
  fs::path output;
  std::size_t draws = 0;
  std::string draw_range;                                    // "A:B", empty: every draw
  std::optional<std::pair<std::size_t, std::size_t>> range;  // parsed
  std::vector<std::string> units, regions;
  std::uint64_t seed = 1;
  unsigned threads = 0;
  bool keep_draws = false;
  bool quiet = false;
};

fs::path output_of(const RunCommand& opt, const scenario::Scenario& sc) {
  if (!opt.output.empty()) return opt.output;
  if (opt.range)
    return fs::path("results") /
           fmt::format("{}.draws-{}-{}.h5", sc.name, opt.range->first, opt.range->second);
  return fs::path("results") / (sc.name + ".h5");
}

// "A:B" with 0 <= A < B <= draws.
std::pair<std::size_t, std::size_t> parse_draw_range(const std::string& text, std::size_t draws) {
  const auto colon = text.find(':');
  std::size_t first = 0, end = 0;
  const auto number = [](std::string_view digits, std::size_t& out) {
    if (digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    out = std::stoul(std::string(digits));
    return true;
  };
  if (colon == std::string::npos || !number(std::string_view(text).substr(0, colon), first) ||
      !number(std::string_view(text).substr(colon + 1), end) || first >= end || end > draws)
    throw CLI::ValidationError("--draw-range",
                               fmt::format("{} is not A:B with 0 <= A < B <= {} (--draws): draws A "
                                           "to B - 1 of the run, e.g. 0:{}",
                                           printable(text), draws, draws));
  return {first, end};
}

// One scenario: run, write (streaming kept draws to the file as they come), report.
void run_one(const RunCommand& opt, const scenario::Scenario& sc, unsigned threads,
             bool show_progress) {
  const auto start = std::chrono::steady_clock::now();
  const fs::path output = output_of(opt, sc);
  if (!opt.quiet)
    fmt::print(
        "Projecting '{}' ({}), {}-{}, {} region(s){}\n", sc.name, sc.title, sc.base_year,
        sc.horizon,
        opt.units.empty() ? (opt.regions.empty() ? sc.regions.size() : opt.regions.size())
                          : (opt.regions.empty() ? opt.units.size() : opt.regions.size()),
        opt.draws == 0 ? ""
        : opt.range
            ? fmt::format(", draws {} to {} of {} (seed {}), {} thread(s)", opt.range->first,
                          opt.range->second - 1, opt.draws, opt.seed, threads)
            : fmt::format(", {} draws (seed {}), {} thread(s)", opt.draws, opt.seed, threads));
  std::optional<ProgressBar> bar;
  if (show_progress) bar.emplace(sc.name);
  scenario::RunOptions run;
  run.draws = opt.draws;
  run.draw_range = opt.range;
  run.units = opt.units;
  run.regions = opt.regions;
  run.seed = opt.seed;
  run.threads = threads;
  // A part keeps its draws and their target outcomes for the merge.
  const bool keep = opt.keep_draws || opt.range.has_value();
  run.keep_outcomes = keep;
  if (bar)
    run.progress = [&bar](std::size_t done, std::size_t total) {
      bar->update(done, total);
      return true;
    };
  std::unique_ptr<io::DrawWriter> writer;
  if (keep)
    run.on_draw = [&](std::size_t j, const results::Dataset& draw) {
      if (!writer) {
        const auto [first, end] =
            opt.range.value_or(std::pair<std::size_t, std::size_t>{0, opt.draws});
        writer = std::make_unique<io::DrawWriter>(output, draw, end - first, first);
      }
      writer->write(j, draw);
    };
  const auto ds = scenario::run_scenario(sc, run);
  bar.reset();
  if (writer)
    writer->finish(ds);
  else
    io::write_results(ds, output);
  if (!opt.quiet) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("{}", results::population_summary(ds));
    fmt::print("Results written to {} ({:.2f} s)\n", output.string(), seconds);
  }
}

void run(RunCommand opt) {
  if (opt.keep_draws && opt.draws == 0)
    throw CLI::ValidationError("--keep-draws", "needs --draws N with N > 0");
  if (!opt.draw_range.empty()) opt.range = parse_draw_range(opt.draw_range, opt.draws);
  if (opt.scenarios.size() > 1 && !opt.output.empty())
    throw CLI::ValidationError("--output",
                               "-o names one file; with several scenarios each is written to "
                               "results/<scenario name>.h5");
  std::vector<scenario::Scenario> scenarios;
  for (const auto& path : opt.scenarios) scenarios.push_back(scenario::load_scenario(path));
  // Two scenarios with one name would write one file: refuse before running either.
  for (std::size_t i = 0; i < scenarios.size(); ++i)
    for (std::size_t k = 0; k < i; ++k)
      if (output_of(opt, scenarios[i]) == output_of(opt, scenarios[k]))
        throw InputError({opt.scenarios[i].string(), 0, 0}, "name",
                         fmt::format("'{}' is also the name of {}; both would write {} (give "
                                     "each scenario its own name)",
                                     scenarios[i].name, opt.scenarios[k].string(),
                                     output_of(opt, scenarios[i]).string()));
  const unsigned threads = parallel::thread_count(opt.threads);
  // Threads go to the draws of one scenario at a time, or, without draws, to the scenarios.
  if (opt.draws > 0 || scenarios.size() == 1) {
    for (const auto& sc : scenarios) run_one(opt, sc, threads, !opt.quiet);
    return;
  }
  RunCommand quiet = opt;
  quiet.quiet = true;
  parallel::for_each_index(scenarios.size(), threads,
                           [&](std::size_t i) { run_one(quiet, scenarios[i], 1, false); });
  if (!opt.quiet)
    for (const auto& sc : scenarios)
      fmt::print("Results of '{}' written to {}\n", sc.name, output_of(opt, sc).string());
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto opt = std::make_shared<RunCommand>();
  auto* cmd = app.add_subcommand("run", "Project scenarios and write their results (HDF5)");
  cmd->add_option("scenario", opt->scenarios, "Scenario file(s) (YAML)")->required();
  cmd->add_option("-o,--output", opt->output,
                  "Results file (default: results/<scenario name>.h5; one scenario only)");
  cmd->add_option("--draws", opt->draws,
                  "Monte Carlo draws of the uncertain inputs (0: the central run only)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000000}));
  cmd->add_option("--seed", opt->seed, "Seed of the draws: draw j depends only on (seed, j)")
      ->capture_default_str();
  cmd->add_option("--threads", opt->threads,
                  "Worker threads (0: one per core); results do not depend on it")
      ->capture_default_str();
  cmd->add_flag("--keep-draws", opt->keep_draws,
                "Store every draw in the results file (variables <name>_draws) and each target's "
                "outcome per draw (target_met_draws)");
  cmd->add_option("--draw-range", opt->draw_range,
                  "A:B: run only draws A to B - 1 of the --draws N, a part to combine with "
                  "`healthcast merge` (keeps its draws; default file "
                  "results/<scenario name>.draws-A-B.h5)");
  cmd->add_option("--units", opt->units,
                  "Census units (2020 codes, comma-separated): one region per unit, named by its "
                  "code, in place of the scenario's regions (needs inputs.units)")
      ->delimiter(',');
  cmd->add_option("--regions", opt->regions,
                  "Only these regions (names, comma-separated), in this order")
      ->delimiter(',');
  cmd->add_flag("-q,--quiet", opt->quiet, "Print nothing on success");
  cmd->callback([opt] { run(*opt); });
}

}  // namespace healthcast::cli
