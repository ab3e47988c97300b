// Scenario files (YAML): what to project, over which years and regions, from which inputs.
// One versioned format (`healthcast: 1`); later versions add interventions and targets to it.
#pragma once

#include <filesystem>
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
  // Method "lee_carter": the years whose periods are fitted, [first year, last year]; periods
  // wholly inside are used, and the last of them is the jump-off. 0, 0: every period.
  int fit_from = 0, fit_to = 0;
  SourceLocation where;  // the `mortality` entry in the scenario file
};

// Input files of one region; paths are resolved against the scenario file's folder.
struct InputFiles {
  std::filesystem::path population;
  std::filesystem::path fertility;
  std::filesystem::path sex_ratio_at_birth;
  std::filesystem::path net_migration;
  MortalitySpec mortality;
  std::filesystem::path health;  // the health model (docs/health-inputs.md); empty: none
};

struct RegionSpec {
  std::string name;
  InputFiles inputs;
  SourceLocation where;
};

struct Scenario {
  int format_version = 0;
  std::string name;
  std::string title;
  std::string description;
  int base_year = 0;
  int horizon = 0;
  std::vector<RegionSpec> regions;
  std::filesystem::path path;  // the file it was read from
  std::string text;            // the file's text, stored in every results file
};

// Years a scenario may span; outside this range inputs and methods are not meaningful.
inline constexpr int FIRST_YEAR = 1950;
inline constexpr int LAST_YEAR = 2150;

// Reads and checks a scenario file: YAML syntax, known keys (an unknown key names the nearest
// allowed one), types, year ranges, and that every input file exists. Throws InputError with
// the file, line and column.
Scenario load_scenario(const std::filesystem::path& path);

// The same from text already in memory (e.g. edited in Python). `path` names the file in
// messages and is the base for relative input paths; it need not exist.
Scenario parse_scenario(std::string text, const std::filesystem::path& path);

}  // namespace healthcast::scenario
