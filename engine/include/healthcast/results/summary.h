// Short text summaries of a results dataset for the command line.
#pragma once

#include <string>

#include "healthcast/results/dataset.h"

namespace healthcast::results {

// Population (millions) and life expectancy at birth by sex, per region, for the first year,
// every tenth year and the last year.
std::string population_summary(const Dataset& ds);

// Dimensions with their extents, variables with dims and units, and root attributes
// (the scenario text is left out; its first line is shown).
std::string describe(const Dataset& ds);

}  // namespace healthcast::results
