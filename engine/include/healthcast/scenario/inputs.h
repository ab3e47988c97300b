// Reading a scenario's input files onto the projection grid, with the checks that make a bad
// input fail early and say where.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "healthcast/demography/projection.h"
#include "healthcast/health/coherence.h"
#include "healthcast/health/dynamics.h"
#include "healthcast/health/indicators.h"
#include "healthcast/health/model.h"
#include "healthcast/scenario/scenario.h"
#include "healthcast/scenario/targets.h"

namespace healthcast::scenario {

// Which Monte Carlo draw a set-up is for (MODEL.md §6): every uncertain input of draw `draw`
// is a function of (seed, draw) alone.
struct DrawKey {
  std::uint64_t seed = 0;
  std::uint64_t draw = 0;
};

// All-cause death rates by sex and single year of age for each year base_year..horizon: the
// central forecast, and the rates of a draw where the method has uncertainty (empty `draw`
// when it has none: every draw then takes the central rates).
struct MortalityForecast {
  std::vector<demography::SexAgeArray> central;
  std::function<std::vector<demography::SexAgeArray>(const DrawKey&)> draw;
};

// Age-specific fertility rates (births per woman-year, single ages) for each year
// base_year..horizon: the central path, and the rates of a draw where the input has uncertainty
// (empty `draw` when it has none). Mirrors MortalityForecast.
struct FertilityForecast {
  std::vector<demography::AgeArray> central;
  std::function<std::vector<demography::AgeArray>(const DrawKey&)> draw;
};

// Net migration as rates (net migrants per person per year, by sex and single age) for each
// year base_year..horizon, applied to the region's own population; empty `central`: none.
struct MigrationRates {
  std::vector<demography::SexAgeArray> central;
  std::function<std::vector<demography::SexAgeArray>(const DrawKey&)> draw;
};

// A mortality method turns its spec into a forecast for the years base_year..horizon.
using MortalityMethod =
    std::function<MortalityForecast(const MortalitySpec& spec, int base_year, int horizon)>;

// The registry of mortality methods by name ("improvement", "lee_carter", "rates").
const std::map<std::string, MortalityMethod>& mortality_methods();

// What a scenario reads from its files, read once: levers are resolved and the draws of a run
// are set up from it without reading anything again.
struct RegionData {
  std::string name;
  demography::SexAgeArray population{};
  FertilityForecast fertility;
  std::vector<double> sex_ratio_at_birth;
  std::vector<demography::SexAgeArray> net_migration;  // persons per year
  MigrationRates migration_rate;                       // besides net_migration; census units
  MortalityForecast mortality;
  std::shared_ptr<const health::HealthModel> health;  // null without a health model
  // With a health model: how its causes fit into the central all-cause forecast (the coherent
  // reference, health/coherence.h), kept for the central run, the draws and the interventions.
  std::shared_ptr<const health::CauseEnvelope> envelope;
  double case_fatality_share = health::DEFAULT_CASE_FATALITY_SHARE;
  std::string unit;                // a census unit's codes and name; empty: not a unit
  std::vector<std::string> notes;  // how the unit's inputs were derived, for the output
};
struct ScenarioData {
  Scenario scenario;
  std::vector<RegionData> regions;
  JudgingData judging;  // monitored histories, official series, what the levers start from
  // The inputs of the extends chain's root, when a target compares with the national value.
  std::shared_ptr<const ScenarioData> national;
};

// Reads and checks every input of every region, the monitored histories and, when a target needs
// it, the national (root) scenario's inputs. Throws InputError with file, line and field.
// `progress`, when given, is asked after each region whether to go on (done = 0); returning
// false stops with Interrupted, so that long set-ups can be cancelled too.
ScenarioData read_inputs(const Scenario& scenario,
                         const demography::ProgressCallback& progress = {});

// A projection's set-up, and each region's health dynamics (null without a health model),
// kept with their type so that nothing downstream recovers them from the projection's
// generic dynamics.
struct Setup {
  demography::ProjectionSetup projection;
  std::vector<std::shared_ptr<const health::HealthDynamics>> health_dynamics;
  // The regions' health models and rates, for health::add_health_indicators; empty without a
  // health model.
  std::vector<health::RegionHealth> health() const;
};

// The set-up of the central run (no draw) or of one draw: mortality and health inputs of that
// draw, the interventions applied, the health dynamics built (a draw integrates at
// demography::DRAW_TOLERANCES).
Setup make_setup(const ScenarioData& data, const std::vector<Intervention>& interventions,
                 const std::optional<DrawKey>& draw = {});
// The same with the scenario's own interventions.
Setup make_setup(const ScenarioData& data, const std::optional<DrawKey>& draw = {});

// read_inputs then make_setup of the central run.
Setup load_inputs(const Scenario& scenario, const demography::ProgressCallback& progress = {});

// Reads every input and applies every intervention as a run would, without projecting: what
// `healthcast validate` checks. Levels that interventions reach are resolved only by a run, so
// they stand in here as a neutral scale.
void check_inputs(const Scenario& scenario);

// Scales every region's base population and net migration by one factor so that the base
// population totals `persons` (a city run on national data; rates are left as they are).
void scale_population(demography::ProjectionSetup& setup, double persons);

}  // namespace healthcast::scenario
