// The fertility input as a forecast with draws (scenario/inputs.h FertilityForecast): internal
// to the engine; inputs.cpp calls it for each region.
#pragma once

#include <filesystem>
#include <vector>

#include "healthcast/scenario/inputs.h"

namespace healthcast::scenario {

// `central`: the rates of each year base..horizon. With an `uncertainty` file
// (`year,tfr,lower95,upper95`: a central TFR path and its 95% interval by year), a draw scales
// each year's rates by exp(d_t), d an AR(1) deviation of log TFR fitted to the intervals'
// half-widths (forecast/tfr_deviation.h); the age schedule is kept. Years before the file's
// first year carry no uncertainty. Throws InputError with the file, line and field.
FertilityForecast fertility_forecast(std::vector<demography::AgeArray> central,
                                     const std::filesystem::path& uncertainty, int base_year,
                                     int horizon);

}  // namespace healthcast::scenario
