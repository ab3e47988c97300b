// A planner's own official figures for a census unit (its statistical yearbook's life expectancy,
// total fertility, net migration), which replace the levels derived from the censuses: the
// unit's model is recalibrated so that it reproduces them (docs/places.md). Years are calendar
// years; e0 in years; TFR in births per woman; net migration in persons per year.
#pragma once

#include <optional>

#include "healthcast/demography/ages.h"
#include "healthcast/places/unit_inputs.h"

namespace healthcast::places {

struct OfficialFigures {
  struct LifeExpectancy {
    int year = 0;
    double female = 0, male = 0;  // e0 by sex, years
    double sd = 0.5;              // its measurement error (years): official tables are adjusted
  };
  struct Value {
    int year = 0;
    double value = 0;
  };
  std::optional<LifeExpectancy> e0;
  std::optional<Value> tfr;            // births per woman
  std::optional<Value> net_migration;  // persons per year, both sexes, in the base year
};

// What the national schedules were in the figures' years.
struct NationalAt {
  demography::SexAgeArray mx_e0_year{};  // national death rates in e0->year
  double tfr = 0;                        // national TFR in tfr->year
};

// Recalibrates `in` to the figures: the mortality offset is refitted so that the unit's e0 in
// that year equals the figure (origin moved to that year, sd from the figure's sd), the
// fertility ratio is the figure over the national TFR (sd 0.05 in the log), and the migration
// rates are scaled so that the base population's net migrants total the figure (refused,
// InputError on field "net_migration", when the unit has no estimated age pattern). Each change
// is added to in.notes.
void apply_official_figures(UnitInputs& in, const OfficialFigures& figures,
                            const NationalAt& national);

}  // namespace healthcast::places
