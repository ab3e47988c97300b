// Mortality methods kept in their own files (internal to the engine); inputs.cpp lists them
// in the registry (scenario/inputs.h).
#pragma once

#include <vector>

#include "healthcast/demography/projection.h"
#include "healthcast/scenario/inputs.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::scenario {

// Method "lee_carter" (mortality_lee_carter.cpp).
MortalityForecast mortality_by_lee_carter(const MortalitySpec& spec, int base_year, int horizon);

}  // namespace healthcast::scenario
