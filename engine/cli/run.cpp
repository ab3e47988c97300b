// healthcast run SCENARIO [-o OUT.h5]
#include <chrono>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/io/results_file.h"
#include "healthcast/results/summary.h"
#include "healthcast/scenario/run.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::cli {

namespace {

namespace fs = std::filesystem;

struct RunOptions {
  fs::path scenario;
  fs::path output;
  bool quiet = false;
};

void run(const RunOptions& opt) {
  const auto start = std::chrono::steady_clock::now();
  const auto sc = scenario::load_scenario(opt.scenario);
  const fs::path output = opt.output.empty() ? fs::path("results") / (sc.name + ".h5") : opt.output;
  if (!opt.quiet)
    fmt::print("Projecting '{}' ({}), {}-{}, {} region(s)\n", sc.name, sc.title, sc.base_year,
               sc.horizon, sc.regions.size());
  const auto ds = scenario::run_scenario(sc);
  io::write_results(ds, output);
  if (!opt.quiet) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("{}", results::population_summary(ds));
    fmt::print("Results written to {} ({:.2f} s)\n", output.string(), seconds);
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto opt = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Project a scenario and write its results (HDF5)");
  cmd->add_option("scenario", opt->scenario, "Scenario file (YAML)")->required();
  cmd->add_option("-o,--output", opt->output, "Results file (default: results/<scenario name>.h5)");
  cmd->add_flag("-q,--quiet", opt->quiet, "Print nothing on success");
  cmd->callback([opt] { run(*opt); });
}

}  // namespace healthcast::cli
