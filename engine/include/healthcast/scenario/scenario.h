// Scenario files (YAML): what to project, over which years and regions, from which inputs.
// One versioned format (`healthcast: 1`); later versions add interventions and targets to it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "healthcast/error.h"

namespace healthcast::scenario {

// How the reference all-cause mortality is obtained; `method` picks an entry of the mortality
// method registry (scenario/inputs.h).
struct MortalitySpec {
  std::string method;
  std::filesystem::path rates;  // the CSV the method reads
  // Method "improvement": jump-off period and the earlier period the improvement is measured
  // from, each [first year, last year].
  int jump_off_from = 0, jump_off_to = 0;
  int improvement_from = 0, improvement_to = 0;
  // Methods of the Lee-Carter family (lee_carter, lee_miller, bms, li_lee): the years whose
  // periods are fitted, [first year, last year]; periods wholly inside are used, and the last of
  // them is the jump-off (bms chooses its first period within them). 0, 0: every period.
  int fit_from = 0, fit_to = 0;
  // The Lee-Carter family: rotate b_x toward its ultimate pattern as e0 rises (Li, Lee &
  // Gerland 2013), and which parts of the uncertainty the draws carry besides k's innovations
  // and drift (forecast/factor_forecast.h).
  bool rotate_bx = false;
  struct {
    bool parameters = true, structural = true, jump_off = true;
  } uncertainty;
  SourceLocation where;  // the `mortality` entry in the scenario file
};

// Input files of one region; paths are resolved against the scenario file's folder.
struct InputFiles {
  std::filesystem::path population;
  std::filesystem::path fertility;
  // TFR intervals (`year,tfr,lower95,upper95`) the fertility draws are calibrated to; empty:
  // fertility without uncertainty.
  std::filesystem::path fertility_uncertainty;
  std::filesystem::path sex_ratio_at_birth;
  std::filesystem::path net_migration;
  MortalitySpec mortality;
  std::filesystem::path health;  // the health model (docs/health-inputs.md); empty: none
};

struct RegionSpec {
  std::string name;
  InputFiles own;     // the region's own `inputs` (keys it omits are empty)
  InputFiles inputs;  // effective: the scenario's inputs overridden by the region's own
  SourceLocation where;
};

// A linear ramp: no effect before `start`, full effect from `full` on.
struct Ramp {
  int start = 0, full = 0;
  // Share of the full effect in a year: (year - start + 1) / (full - start + 1), within [0, 1].
  double weight(int year) const;
};

// A policy lever (docs/scenario-format.md, "Intervention kinds"). `kind` picks the entry of
// the intervention registry (scenario/interventions.h); unused keys stay empty.
struct Intervention {
  std::string name, title, title_zh, kind;
  Ramp ramp;
  std::string factor, category, to, from, treatment;
  std::vector<std::string> diseases, causes, sexes;
  int age_from = 0, age_to = 100;
  std::optional<double> scale, shift, reach, multiply, reach_tfr;
  SourceLocation where;
};

// A plan's target (docs/scenario-format.md, "targets").
struct Target {
  std::string indicator, comparator, unit, sex = "total", reference, text_zh, text_en;
  int year = 0;
  std::optional<double> value;
  std::optional<int> base_year;
  std::optional<std::pair<int, double>> anchor;  // official baseline (year, value)
  SourceLocation where;
};

// An indicator no model part produces: observed history and a trend forecast.
struct Monitored {
  std::string indicator, unit, trend = "linear";
  std::filesystem::path history;
  bool illustrative = false;
  std::optional<std::pair<double, double>> bounds;  // logistic trend
  SourceLocation where;
};

struct Scenario {
  int format_version = 0;
  std::string name;
  std::string title, title_zh;
  std::string description;
  int base_year = 0;
  int horizon = 0;
  // The national inputs scaled to this many persons at the base year (a city without data of
  // its own); 0: inputs used as they are.
  double population_scale = 0.0;
  InputFiles inputs;  // scenario-wide inputs, the regions' defaults
  std::vector<RegionSpec> regions;
  std::vector<Intervention> interventions;  // the extended files' first
  std::vector<Target> targets;
  std::vector<Monitored> monitored;
  std::vector<std::filesystem::path> extends;  // the chain of extended files, nearest first
  std::filesystem::path path;                  // the file it was read from
  std::string text;                            // the file's text, stored in every results file
};

// Years a scenario may span; outside this range inputs and methods are not meaningful.
inline constexpr int FIRST_YEAR = 1950;
inline constexpr int LAST_YEAR = 2150;

// Reads and checks a scenario file and the files it extends: YAML syntax, known keys (an
// unknown key names the nearest allowed one), types, year ranges, known indicators and
// intervention kinds, cycles of `extends`, and that every input file exists. Throws InputError
// with the file, line and column.
Scenario load_scenario(const std::filesystem::path& path);

// The same from text already in memory (e.g. edited in Python). `path` names the file in
// messages and is the base for relative input paths; it need not exist.
Scenario parse_scenario(std::string text, const std::filesystem::path& path);

}  // namespace healthcast::scenario
