// Running a scenario end to end, the one path the command line and the Python package share:
// inputs, projection, health indicators, the calibration report and the scenario's provenance.
#pragma once

#include "healthcast/demography/projection.h"
#include "healthcast/results/dataset.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::scenario {

// Reads the scenario's inputs, projects every region and returns the results dataset with the
// health indicators (when the scenario has a health model), the base-year calibration report,
// and the attributes scenario_name, scenario_title, scenario_path and scenario_text.
results::Dataset run_scenario(const Scenario& scenario,
                              const demography::ProgressCallback& progress = {});

}  // namespace healthcast::scenario
