// Scenario files (YAML): what to project, over which years and regions, from which inputs.
// One versioned format (`healthcast: 1`); later versions add interventions and targets to it.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "healthcast/error.h"
#include "healthcast/places/official_figures.h"

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
  // Official both-sexes infant mortality of the base year (per 1,000 live births): age-0 death
  // rates of both sexes are scaled, in every year and draw, by the one factor that gives it.
  std::optional<double> infant_mortality;
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
  // Where a disease's incidence and case fatality both follow all-cause mortality, the part of
  // its change taken by case fatality (health::HealthPaths); unset: the default.
  std::optional<double> case_fatality_share;
  // The census units data (data/china/units) from which a region given as a unit takes its
  // population, mortality, fertility and migration levels; empty: none.
  std::filesystem::path units;
  // Official series of modelled indicators (indicator,year,value) that targets are judged
  // against; empty: none.
  std::filesystem::path official;
};

struct RegionSpec {
  std::string name;
  InputFiles own;     // the region's own `inputs` (keys it omits are empty)
  InputFiles inputs;  // effective: the scenario's inputs overridden by the region's own
  // 2020 census codes: one unit, or the members of an aggregate (docs/places.md); empty: the
  // region runs on its input files as they are.
  std::vector<std::string> unit;
  places::OfficialFigures official;  // a unit's own official figures, replacing derived levels
  SourceLocation where;
};

// A linear ramp: no effect before `start`, full effect from `full` on.
struct Ramp {
  int start = 0, full = 0;
  // Share of the full effect in a year: (year - start + 1) / (full - start + 1), within [0, 1].
  double weight(int year) const;
};

// The kinds of policy lever (docs/scenario-format.md, "Intervention kinds"), named in scenario
// files as in intervention_kind_names().
enum class InterventionKind {
  risk_factor_prevalence,
  risk_factor_mean,
  transition_rate,
  treatment_coverage,
  incidence,
  case_fatality,
  other_mortality,
  fertility,
  migration,
  maternal_mortality,
};
std::string_view to_string(InterventionKind kind);
// The name of every kind, in the order of the enum.
const std::vector<std::string>& intervention_kind_names();

// A policy lever; `kind` picks how it is applied (scenario/interventions.h); unused keys stay
// empty.
struct Intervention {
  std::string name, title, title_zh;
  InterventionKind kind = InterventionKind::risk_factor_prevalence;
  Ramp ramp;
  std::string factor, category, to, from, treatment;
  std::vector<std::string> diseases, causes, sexes;
  int age_from = 0, age_to = 100;
  std::optional<double> scale, shift, reach, multiply, reach_tfr;
  SourceLocation where;
};

// How a target compares the indicator with its value (docs/scenario-format.md, "targets"):
// >=, >, <=, < a level; relative_change since base_year (a fraction); better_than the national
// value or a given value; decrease or increase since base_year; natural (a sex ratio at birth of
// 103-107).
enum class Comparator {
  at_least,
  more_than,
  at_most,
  less_than,
  relative_change,
  better_than,
  decrease,
  increase,
  natural,
};
// As written in scenario files and stored in results: ">=", ">", "<=", "<", "relative_change",
// "better_than", "decrease", "increase", "natural".
std::string_view to_string(Comparator comparator);
// Throws Error for a text that is not a comparator.
Comparator parse_comparator(std::string_view text);
// Whether the comparator bounds the level of the indicator (>=, >, <=, <).
bool is_level(Comparator comparator);

// A plan's target (docs/scenario-format.md, "targets").
struct Target {
  std::string indicator;
  Comparator comparator = Comparator::at_least;
  std::string unit, sex = "total", reference, text_zh, text_en;
  int year = 0;
  std::optional<double> value;
  std::optional<int> base_year;
  std::optional<std::pair<int, double>> anchor;  // official baseline (year, value)
  int decimals = 0;               // the plan's precision: decimals of `value` as written (82.09: 2)
  std::string lever;              // the intervention that moves the target's quantity, or empty
  bool lever_complement = false;  // the lever scales 100 minus the target's quantity
  std::string proxy;              // what stands in for the plan's definition, or empty
  SourceLocation where;
};

// An indicator no model part produces: observed history and a trend forecast.
struct Monitored {
  std::string indicator, unit, trend = "linear";
  std::filesystem::path history;  // observed values; empty when none: targets are "no data"
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
  // The root of the extends chain as a scenario of its own (null when nothing is extended): the
  // national run that "better than national" targets compare with.
  std::shared_ptr<const Scenario> root;
  std::filesystem::path path;  // the file it was read from
  std::string text;            // the file's text, stored in every results file
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

// The reference a plan is compared with (`compare --reference auto`): the root of its extends
// chain (no levers, no targets) run on the plan's regions (the same units and inputs), base
// year, horizon and population scale. A scenario that extends nothing is its own root.
Scenario matching_reference(const Scenario& plan);

}  // namespace healthcast::scenario
