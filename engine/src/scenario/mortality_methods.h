// Mortality methods kept in their own files (internal to the engine); inputs.cpp lists them
// in the registry (scenario/inputs.h).
#pragma once

#include <vector>

#include "healthcast/demography/projection.h"
#include "healthcast/scenario/inputs.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::scenario {

// Methods "lee_carter", "lee_miller", "bms" and "li_lee" (mortality_factor.cpp); the spec's
// method names the variant.
MortalityForecast mortality_by_factor_model(const MortalitySpec& spec, int base_year, int horizon);

}  // namespace healthcast::scenario
