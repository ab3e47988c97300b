// Reading a scenario's input files onto the projection grid, with the checks that make a bad
// input fail early and say where.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "healthcast/demography/projection.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::scenario {

// A mortality method turns its spec into all-cause death rates by sex and single year of age
// for each year base_year..horizon.
using MortalityMethod = std::function<std::vector<demography::SexAgeArray>(
    const MortalitySpec& spec, int base_year, int horizon)>;

// The registry of mortality methods by name ("improvement", "rates").
const std::map<std::string, MortalityMethod>& mortality_methods();

// Reads and checks every input of every region. Throws InputError with file, line and field.
// `progress`, when given, is asked after each region whether to go on (done = 0); returning
// false stops with Error "interrupted", so that long set-ups can be cancelled too.
demography::ProjectionSetup load_inputs(const Scenario& scenario,
                                        const demography::ProgressCallback& progress = {});

// Reads every input and applies every intervention as a run would, without projecting: what
// `healthcast validate` checks. Levels that interventions reach are resolved only by a run, so
// they stand in here as a neutral scale.
void check_inputs(const Scenario& scenario);

// Scales every region's base population and net migration by one factor so that the base
// population totals `persons` (a city run on national data; rates are left as they are).
void scale_population(demography::ProjectionSetup& setup, double persons);

}  // namespace healthcast::scenario
