#include "healthcast/scenario/run.h"

#include <filesystem>

#include "healthcast/health/indicators.h"
#include "healthcast/results/calibration.h"
#include "healthcast/scenario/inputs.h"
#include "healthcast/scenario/interventions.h"
#include "healthcast/scenario/targets.h"

#include <optional>

#include <fmt/format.h>

namespace healthcast::scenario {

namespace {

// Population-weighted value of an indicator over regions, for one year and both sexes.
double across_regions(const results::Dataset& ds, const std::string& variable,
                      const std::string& category_dim, const std::string& category, int year) {
  const auto& v = ds.variable(variable);
  const auto& pop = ds.variable("population");
  const std::size_t y = ds.index_of(
      "year", std::min(year, std::get<std::vector<int>>(ds.coordinate("year").values).back()));
  const std::size_t total = ds.index_of("sex", std::string("total"));
  const std::size_t k = ds.index_of(category_dim, category);
  double sum = 0.0, weight = 0.0;
  for (std::size_t r = 0; r < ds.coordinate("region").size(); ++r) {
    double w = 0.0;
    for (std::size_t a = 15; a < ds.coordinate("age").size(); ++a) w += pop.at({y, r, total, a});
    sum += w * v.at({y, r, total, k});
    weight += w;
  }
  return weight > 0.0 ? sum / weight : 0.0;
}

double level_of(const results::Dataset& ds, const Intervention& iv) {
  return iv.kind == "risk_factor_prevalence"
             ? across_regions(ds, "risk_factor_prevalence", "category",
                              iv.factor + "/" + iv.category, iv.ramp.full)
             : across_regions(ds, "risk_factor_mean", "factor", iv.factor, iv.ramp.full);
}

// Interventions that make a prevalence or an adult mean reach a level become the scale that
// does so: measured first on a projection without them, then corrected once on a projection
// with them (the population they are averaged over moves a little with the lever itself).
Scenario resolve_reach(const Scenario& scenario, const demography::ProgressCallback& progress) {
  Scenario without = scenario;
  std::erase_if(without.interventions, reach_needs_projection);
  if (without.interventions.size() == scenario.interventions.size()) return scenario;
  const auto reference = run_scenario(without, progress);
  Scenario resolved = scenario;
  std::vector<std::pair<Intervention*, double>> wanted;
  for (auto& iv : resolved.interventions) {
    if (!reach_needs_projection(iv)) continue;
    const double now = level_of(reference, iv);
    if (now <= 0.0)
      throw InputError(iv.where, "reach",
                       fmt::format("intervention '{}': the projection without it has nothing to "
                                   "scale (level {})",
                                   iv.name, now));
    wanted.emplace_back(&iv, *iv.reach);
    iv.scale = *iv.reach / now;
    iv.reach.reset();
  }
  const auto first = run_scenario(resolved, progress);
  for (auto& [iv, level] : wanted) {
    const double achieved = level_of(first, *iv);
    if (achieved > 0.0) *iv->scale *= level / achieved;
  }
  return resolved;
}

}  // namespace

results::Dataset run_scenario(const Scenario& original,
                              const demography::ProgressCallback& progress) {
  const Scenario scenario = resolve_reach(original, progress);
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
  if (!scenario.targets.empty() || !scenario.monitored.empty()) {
    // Targets that must beat the national value need a run of the extends chain's root.
    const bool national_needed =
        std::any_of(scenario.targets.begin(), scenario.targets.end(),
                    [](const Target& t) { return t.comparator == "better_than" && !t.value; });
    std::optional<results::Dataset> national;
    if (national_needed && !scenario.extends.empty())
      national = run_scenario(load_scenario(scenario.extends.back()), progress);
    add_targets(
        ds, scenario,
        evaluate_targets(scenario, ds, national ? &*national : (national_needed ? &ds : nullptr)));
  }
  if (scenario.population_scale > 0.0)
    ds.attributes["population_scaled"] = fmt::format(
        "national default data scaled to a base population of {:.0f} persons (no data of the "
        "region's own)",
        scenario.population_scale);
  std::string interventions;
  for (const auto& iv : scenario.interventions)
    interventions += fmt::format("{}{} ({}, {}-{})", interventions.empty() ? "" : "; ", iv.name,
                                 iv.kind, iv.ramp.start, iv.ramp.full);
  if (!interventions.empty()) ds.attributes["interventions"] = interventions;
  return ds;
}

}  // namespace healthcast::scenario
