// Plan targets judged against a projection (MODEL.md §5, docs/scenario-format.md "How targets
// are judged"): the official level carried forward by the model's change, observed values for
// years already observed, levers that set a target, the plan's precision, and what the model
// cannot say (no data, not comparable).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "healthcast/results/dataset.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::scenario {

// Observed values of one indicator by year (a monitored history or an official series).
struct MonitoredHistory {
  std::vector<int> years;  // in the file's order
  std::vector<double> values;
};
// Reads and checks the history (year,value; within the logistic bounds, if any). Throws
// InputError naming the file, line and field.
MonitoredHistory read_monitored_history(const Monitored& monitored);

// Official series of modelled indicators (CSV indicator,year,value; other columns ignored), by
// indicator id. Throws InputError for an indicator the model does not produce.
std::map<std::string, MonitoredHistory> read_official_history(const std::filesystem::path& file);

// Everything judging reads besides the runs, read once with the inputs.
struct JudgingData {
  std::vector<MonitoredHistory> monitored;           // one per scenario.monitored (may be empty)
  std::map<std::string, MonitoredHistory> official;  // inputs.official plus targets' anchors
  bool official_is_national = false;  // the official series is the extends root's, not the region's
  bool national_data = false;  // the first region runs on the root's inputs (no data of its own)
  // The first region is a census unit and the official series it would inherit is the root's
  // (national): another place's level, so its targets are judged on the model's own level.
  bool official_withheld = false;
  // Indicators whose level in that census unit is a national input (the root's sex ratio at
  // birth, or the root's health model: maternal risk, risk factors, disease rates): a level
  // target on them would be judged on another place's numbers.
  std::set<std::string> national_levels;
  // That unit runs on the root's health model: a lever starts from the national base level.
  bool national_health = false;
  std::map<std::string, double> base_coverage;  // treatment -> base-year coverage (share)
};

// Trend forecast of a monitored indicator with a 95% prediction interval: linear least squares
// on the history (or on the logit between the bounds for a logistic trend). With fewer than
// three observations the interval is unknown (NaN); with one the value is held. The years run
// from the earlier of the history's first year and `first_year` to `last_year`.
struct MonitoredForecast {
  std::vector<int> years;
  std::vector<double> value, lower, upper;
  std::map<int, double> observed;  // the history itself
  std::size_t index(int year) const { return static_cast<std::size_t>(year - years.front()); }
};
MonitoredForecast forecast_monitored(const Monitored& monitored, const MonitoredHistory& history,
                                     int first_year, int last_year);

// A target's verdict and the chain that led to it. Years are NaN where a step does not apply.
struct TargetResult {
  double goal = 0.0;            // the value to reach (for relative changes, the change)
  double projected = 0.0;       // the raw modelled (or trend, or lever) value in the target year
  double judged = 0.0;          // what is compared: the chain's value, or a relative change
  double gap = 0.0;             // still to go (positive), or ahead by (negative)
  double met = 0.0;             // 1 met, 0 not met, NaN when it cannot be judged
  double first_year_met = 0.0;  // NaN when never met within the projection
  double probability = 0.0;     // NaN until draws exist (monitored: from the trend's interval)
  // met, not_met, observed_met, observed_not_met, no_data, not_comparable, set_by_lever,
  // before_projection, after_horizon, no_value
  std::string status;
  std::string basis;  // how the value was obtained, or why there is none and what to supply
  std::string proxy;  // what stands in for the plan's definition, empty when none
  // The chain: the official value it starts from, the level at the year the modelled change
  // starts (bridged by the official trend when the observation is older than the base year),
  // the modelled change from then to the target year (a ratio, or a difference in years) and
  // the baseline of a relative target.
  double official_year = 0.0, official_value = 0.0;
  double start_year = 0.0, start_value = 0.0;
  double modelled_change = 0.0;
  double baseline_year = 0.0, baseline_value = 0.0;
  std::string convention;  // ratio, difference, or empty (no chain)
};

// Whether the target is a forecast verdict (met or not_met) that draws judge again.
bool judged_in_draws(const TargetResult& result);

// Whether a target compares with the national value (better_than without a value of its own),
// so that a run needs the root of the scenario's extends chain.
bool needs_national(const Scenario& scenario);

// Judges every target of the scenario on `ds` (a run of the scenario). `national` is a run of
// the root of the scenario's `extends` chain, for targets that must beat the national value
// (may be null when no target needs it).
std::vector<TargetResult> evaluate_targets(const Scenario& scenario, const JudgingData& data,
                                           const results::Dataset& ds,
                                           const results::Dataset* national);

// Stores the targets table (dimension `target`) and the monitored forecasts (dimension
// `monitored`) in the dataset.
void add_targets(results::Dataset& ds, const Scenario& scenario, const JudgingData& data,
                 const std::vector<TargetResult>& results);

}  // namespace healthcast::scenario
