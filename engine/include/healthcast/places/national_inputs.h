// The national schedules a unit's inputs are derived from: single-year death rates by calendar
// year, and the national base population whose shape splits a unit's open age group. Death
// rates per person-year by sex and single age 0..AGE_MAX; populations in persons.
#pragma once

#include <filesystem>
#include <map>

#include "healthcast/demography/ages.h"
#include "healthcast/input/mortality_history.h"
#include "healthcast/places/base_population.h"

namespace healthcast::places {

struct NationalInputs {
  // Death rates at given calendar years (the history's period mid-years, the forecast's years).
  // mx_at interpolates ln m linearly between two given years and holds the nearest outside.
  std::map<int, demography::SexAgeArray> mx;
  // The national base population; its single years from 85 split a unit's 85+ group.
  demography::SexAgeArray base_population{};
  // Date shift and under-count correction of the census (base_population.h).
  BasePopulationOptions base{};

  demography::SexAgeArray mx_at(int year) const;
};

// Adds each period of a mortality history (scenario/mortality_history.h) at its middle year
// ((from + to) / 2, rounded down), spread to single ages (constant within each interval).
void add_mortality_history(NationalInputs& inputs, const input::MortalityHistory& history);

// A single-year population file (`sex,age,population`, ages 0..AGE_MAX, e.g.
// data/china/population_2020.csv), by sex. Throws InputError with file, line and field.
demography::SexAgeArray read_population(const std::filesystem::path& path);

// The shipped national inputs: `dir`/population_2020.csv as the base population and the periods
// of `dir`/mortality_history.csv (data/china/ of the repository).
NationalInputs read_national_inputs(const std::filesystem::path& dir);

}  // namespace healthcast::places
