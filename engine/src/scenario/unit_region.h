// Regions given as census units (`regions: [{name, unit}]`): their inputs derived from the units
// data and the scenario's national inputs (places/unit_inputs.h; docs/places.md). Internal to the
// engine; read_inputs (inputs.cpp) calls it.
#pragma once

#include <filesystem>
#include <map>
#include <memory>

#include "healthcast/places/unit_inputs.h"
#include "healthcast/scenario/inputs.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::scenario {

// The unit models of one read, one per (units folder, national inputs): fitting one takes
// about a second (every province and the between-unit variances), deriving a unit well under a
// millisecond.
class UnitModels {
 public:
  // The model for the national inputs `national` (their population, mortality history and
  // units folder) and the national forecast `mortality` of the years from `base_year`.
  const places::UnitModel& get(const InputFiles& national, const MortalityForecast& mortality,
                               int base_year);

 private:
  std::map<std::string, std::unique_ptr<places::UnitModel>> models_;
};

// Replaces a region's population, mortality, fertility and migration by those of its census
// unit (or aggregate), related to the national ones already read into `region` (the scenario's
// inputs are the nation's). Adds what the derivation says to region.notes.
void derive_unit_region(const RegionSpec& spec, const places::UnitModel& model, int base_year,
                        int horizon, RegionData& region);

}  // namespace healthcast::scenario
