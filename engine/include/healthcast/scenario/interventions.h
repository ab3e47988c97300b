// Policy interventions (MODEL.md §5, docs/scenario-format.md): each kind changes a region's
// demographic inputs or its health-model paths from its start year, ramping to full effect.
#pragma once

#include "healthcast/demography/projection.h"
#include "healthcast/health/rates.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::scenario {

// What an intervention may change: one region's inputs and, with a health model, its paths.
struct InterventionTarget {
  int base_year = 0;
  demography::RegionInputs& region;
  health::HealthPaths* paths = nullptr;  // null without a health model
  const health::HealthModel* model = nullptr;
};

// Applies the interventions in order. Throws InputError at the intervention for a missing or
// wrong key, a name the health model lacks, or a kind that needs a health model when the
// scenario has none. Interventions that `reach` a population level must have been resolved to a
// `scale` first (run_scenario does this).
void apply_interventions(const std::vector<Intervention>& interventions,
                         InterventionTarget& target);

// Whether an intervention's `reach` depends on the projected population (a prevalence or an
// adult mean), so that it is resolved against a projection without it.
bool reach_needs_projection(const Intervention& intervention);

}  // namespace healthcast::scenario
