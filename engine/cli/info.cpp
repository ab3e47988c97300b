// healthcast info OUT.h5
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/io/results_file.h"
#include "healthcast/results/calibration.h"
#include "healthcast/results/summary.h"

namespace healthcast::cli {

void add_info_command(CLI::App& app) {
  auto path = std::make_shared<std::filesystem::path>();
  auto* cmd = app.add_subcommand("info", "Describe a results file");
  cmd->add_option("results", *path, "Results file (HDF5)")->required();
  cmd->callback([path] {
    const auto ds = io::read_results(*path);
    fmt::print("{}\n{}", path->string(), results::describe(ds));
    if (ds.has_variable("population") && ds.has_variable("life_expectancy"))
      fmt::print("\n{}", results::population_summary(ds));
    if (const auto report = results::calibration_report(ds); !report.empty())
      fmt::print("\n{}", report);
  });
}

}  // namespace healthcast::cli
