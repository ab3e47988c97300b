// The base year's calibration: what the model produces in its first year against the inputs it
// was given, stored in the results (variables calibration_*, dims region and sex) so that
// `healthcast info` can show it for any results file.
#pragma once

#include <string>

#include "healthcast/demography/projection.h"
#include "healthcast/results/dataset.h"

namespace healthcast::results {

// Adds, per region and sex (total = both): e0 of the base year's input death rates (single-year
// life table), the input base population, and the deaths the input rates imply over the
// modelled person-years. The modelled counterparts are the dataset's own base-year values.
void add_calibration(Dataset& ds, const demography::ProjectionSetup& setup);

// A compact table of input against modelled figures; empty when the dataset has none.
std::string calibration_report(const Dataset& ds);

}  // namespace healthcast::results
