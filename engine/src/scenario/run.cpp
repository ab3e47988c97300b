#include "healthcast/scenario/run.h"

#include <filesystem>

#include "healthcast/health/indicators.h"
#include "healthcast/results/calibration.h"
#include "healthcast/scenario/inputs.h"

namespace healthcast::scenario {

results::Dataset run_scenario(const Scenario& scenario,
                              const demography::ProgressCallback& progress) {
  const auto setup = load_inputs(scenario, progress);
  auto ds = demography::project(setup, progress);
  std::vector<const health::HealthDynamics*> health;
  for (const auto& region : setup.regions)
    if (const auto* h = dynamic_cast<const health::HealthDynamics*>(region.dynamics.get()))
      health.push_back(h);
  if (!health.empty()) health::add_health_indicators(ds, health);
  results::add_calibration(ds, setup);
  ds.attributes["scenario_name"] = scenario.name;
  ds.attributes["scenario_title"] = scenario.title;
  ds.attributes["scenario_path"] =
      std::filesystem::absolute(scenario.path).lexically_normal().string();
  ds.attributes["scenario_text"] = scenario.text;
  return ds;
}

}  // namespace healthcast::scenario
