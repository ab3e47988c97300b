// Policy interventions (MODEL.md §5, docs/scenario-format.md): each kind changes a region's
// demographic inputs or its health-model paths from its start year, ramping to full effect.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "healthcast/demography/projection.h"
#include "healthcast/health/dynamics.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::scenario {

// What an intervention may change: one region's inputs and, with a health model, its paths.
struct InterventionTarget {
  int base_year = 0;
  demography::RegionInputs& region;
  health::HealthPaths* paths = nullptr;  // null without a health model
  const health::HealthModel* model = nullptr;
};

using InterventionKind = std::function<void(const Intervention&, InterventionTarget&)>;

// The registry of intervention kinds by name.
const std::map<std::string, InterventionKind>& intervention_kinds();

// Applies every intervention of the scenario in order. Throws InputError at the intervention
// for an unknown kind, a missing or wrong key, a name the health model lacks, or a kind that
// needs a health model when the scenario has none. Interventions that `reach` a population
// level must have been resolved to a `scale` first (run_scenario does this).
void apply_interventions(const Scenario& scenario, InterventionTarget& target);

// Whether an intervention's `reach` depends on the projected population (a prevalence or an
// adult mean), so that it is resolved against a projection without it.
bool reach_needs_projection(const Intervention& intervention);

}  // namespace healthcast::scenario
