// Mortality methods kept in their own files (internal to the engine); inputs.cpp lists them
// in the registry (scenario/inputs.h).
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "healthcast/demography/projection.h"
#include "healthcast/scenario/inputs.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::scenario {

// The factor-model methods (mortality_factor.cpp), which read a mortality history as `rates`;
// the spec's method names the variant.
inline constexpr std::array<std::string_view, 4> FACTOR_MODEL_METHODS = {"bms", "lee_carter",
                                                                         "lee_miller", "li_lee"};
MortalityForecast mortality_by_factor_model(const MortalitySpec& spec, int base_year, int horizon);

}  // namespace healthcast::scenario
