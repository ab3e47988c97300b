// The base year's calibration: what the model produces in its first year against the inputs it
// was given, stored in the results (variables calibration_*, dims region and sex) so that
// `healthcast info` can show it for any results file (results::calibration_report).
#pragma once

#include "healthcast/demography/projection.h"
#include "healthcast/results/dataset.h"

namespace healthcast::scenario {

// Adds, per region and sex (total = both): e0 of the base year's input death rates (single-year
// life table), the input base population, and the deaths the input rates imply over the
// modelled person-years. The modelled counterparts are the dataset's own base-year values.
void add_calibration(results::Dataset& ds, const demography::ProjectionSetup& setup);

}  // namespace healthcast::scenario
