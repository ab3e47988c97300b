// The base year's calibration: what the model produces in its first year against the inputs it
// was given, stored in the results (variables calibration_*, dims region and sex) so that
// `healthcast info` can show it for any results file.
#pragma once

#include <string>

#include "healthcast/results/dataset.h"

namespace healthcast::results {

// (scenario::add_calibration stores the calibration_* variables.)
// A compact table of input against modelled figures; empty when the dataset has none.
std::string calibration_report(const Dataset& ds);

}  // namespace healthcast::results
