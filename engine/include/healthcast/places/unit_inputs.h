// A census unit's (or an aggregate of units') projection inputs, derived from its censuses and
// the national schedules (MODEL.md §1.1; docs/places.md): base population, mortality level
// relative to the nation with its path and uncertainty, fertility level, net migration rates.
// Populations are persons by sex and single age 0..AGE_MAX at the base date; death rates per
// person-year; fertility rates births per woman per year; migration rates net migrants per
// person per year; years are calendar years.
//
// Use: build one UnitModel from the units data and the national inputs (it fits what is common
// to all units: the provinces' levels, the pace of convergence, the between-unit variances),
// then derive() any unit or aggregate in well under a millisecond each:
//
//   const auto units = places::read_units(dir);
//   places::NationalInputs national;                     // history + forecast death rates
//   places::add_mortality_history(national, history);
//   national.base_population = ...;
//   const places::UnitModel model(units, national);
//   const places::UnitInputs in = model.derive("210100");
//   in.population;                                       // base population
//   in.mortality.mx(Sex::male, 2030, national_mx_2030);  // central rates of a year
//   in.mortality.draw(2020, 2050, stream);               // a draw's offsets (random/stream.h)
//   in.fertility.asfr(national_asfr_2030);
//   in.migration.rate;                                   // applied to the unit's own population
//   in.notes;                                            // warnings for the output
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "healthcast/demography/ages.h"
#include "healthcast/places/census_survival.h"
#include "healthcast/places/fertility_level.h"
#include "healthcast/places/national_inputs.h"
#include "healthcast/places/offset_ar1.h"
#include "healthcast/places/relational_mortality.h"
#include "healthcast/places/units.h"
#include "healthcast/random/stream.h"

namespace healthcast::places {

struct DerivationOptions {
  RelationalModel model = RelationalModel::brass_logit;
  int origin_year = 2010;  // census whose death rates and official e0 give the level
  int census_year = 2020;  // census of the base population
  // Measurement error of an official provincial e0 (years, sd): the official tables are
  // census-based and adjusted for under-reported deaths by methods that are not published.
  double official_e0_sd = 0.5;
  // Weight of the parent's migration rates in a unit's (persons; census_survival.h).
  double migration_prior_persons = 100.0;
  double max_migration_rate = 0.2;     // per year; beyond this the rate is capped, with a note
  double min_fertility_log_sd = 0.05;  // a TFR ratio is not known better than about 5%
};

// The unit's death rates: the national rates moved by an offset (relational_mortality.h) that
// starts at `offset0` +- `sd0` in `origin_year` and follows an AR(1) toward 0 (offset_ar1.h).
// Sexes share the unit's relative level, so a draw uses one random path for both.
struct UnitMortality {
  RelationalModel model = RelationalModel::brass_logit;
  int origin_year = 2010;
  std::array<double, 2> offset0{0.0, 0.0};  // [female, male], model level units
  std::array<double, 2> sd0{0.0, 0.0};
  Ar1 ar1{};

  double offset(demography::Sex sex, int year) const;  // mean
  double sd(demography::Sex sex, int year) const;
  // Central rates of a year from that year's national rates.
  demography::AgeArray mx(demography::Sex sex, int year,
                          const demography::AgeArray& national) const;
  // The national rates moved by a given offset (e.g. one of a draw's).
  demography::AgeArray apply(double offset, const demography::AgeArray& national) const;
  // One draw of the offsets for years first..last (>= origin_year): [female, male][year - first].
  std::array<std::vector<double>, 2> draw(int first, int last, random::Stream& stream) const;
};

// The national age schedule scaled by `ratio`; `log_sd` is the sd of ln(ratio) for draws.
struct UnitFertility {
  double ratio = 1.0;
  double log_sd = 0.0;
  std::vector<std::pair<std::string, double>> indicators;  // each indicator's ratio to the nation
  demography::AgeArray asfr(const demography::AgeArray& national) const;
};

// Net migration as yearly rates by sex and age, applied to the unit's own population.
struct UnitMigration {
  bool estimated = false;                   // false: rates are zero (see the notes)
  demography::SexAgeArray rate{};           // net migrants per person per year
  demography::SexAgeArray sd{};             // sd of each rate
  std::array<double, 2> net_10y{0.0, 0.0};  // estimated net migrants 2010-2020 by sex (persons)
};

struct UnitInputs {
  std::string name;                      // the unit's Chinese name, or the aggregate's name
  std::vector<std::string> codes;        // one code, or the aggregate's members
  Level level = Level::county;           // the members' level for an aggregate
  SexGroups census{};                    // 2020 census groups (persons, 1 November 2020)
  demography::SexAgeArray population{};  // base population (persons, at the base date)
  UnitMortality mortality;
  UnitFertility fertility;
  UnitMigration migration;
  std::vector<std::string> notes;  // what the output should say about these inputs
};

class UnitModel {
 public:
  // Fits what all units share; throws healthcast::Error if the national inputs cannot give it
  // (e.g. no death rates). Keeps references to neither argument.
  UnitModel(const UnitsData& units, NationalInputs national, DerivationOptions options = {});
  ~UnitModel();
  UnitModel(UnitModel&&) noexcept;

  // One unit by its 2020 code; throws InputError for an unknown code.
  UnitInputs derive(std::string_view code) const;
  // An aggregate: counts summed, levels weighted by population (offsets by each sex's
  // population, fertility by women 15-49, migration rates by the base population at each age).
  // Throws InputError on a repeated code or a code that lies inside another member.
  UnitInputs derive(std::span<const std::string> codes, std::string name) const;

  // What the fit found, for reports.
  const Ar1& ar1() const;
  double between_variance_prefectures() const;  // tau^2 of ln SMR among a province's prefectures
  double between_variance_counties() const;     // tau^2 of ln SMR among a prefecture's counties
  // The census death rates against the official e0 across provinces: slope b and residual
  // variance of x = b y (see unit_inputs.cpp), and the number of provinces.
  struct DeathRateCalibration {
    double slope = 1, residual_variance = 0;
    int provinces = 0;
  };
  DeathRateCalibration death_rate_calibration() const;
  // A province's (or the nation's, code 000000) offset in a year with an official e0.
  double official_offset(std::string_view province, int year, demography::Sex sex) const;
  const NationalInputs& national() const;
  const UnitsData& units() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One call, for a single use: builds the model and derives `codes` (one code, or an
// aggregate named `name`).
UnitInputs derive_unit_inputs(const UnitsData& units, std::span<const std::string> codes,
                              const NationalInputs& national, std::string name = {},
                              const DerivationOptions& options = {});

}  // namespace healthcast::places
