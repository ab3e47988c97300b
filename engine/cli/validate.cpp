// healthcast validate SCENARIO
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/scenario/inputs.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::cli {

void add_validate_command(CLI::App& app) {
  auto path = std::make_shared<std::filesystem::path>();
  auto* cmd = app.add_subcommand("validate", "Check a scenario and all its input files");
  cmd->add_option("scenario", *path, "Scenario file (YAML)")->required();
  cmd->callback([path] {
    const auto sc = scenario::load_scenario(*path);
    scenario::check_inputs(sc);  // reads every input file and applies the interventions
    std::string regions;
    for (const auto& r : sc.regions) regions += (regions.empty() ? "" : ", ") + r.name;
    fmt::print("{}: valid (scenario '{}', {}-{}, regions: {})\n", path->string(), sc.name,
               sc.base_year, sc.horizon, regions);
  });
}

}  // namespace healthcast::cli
