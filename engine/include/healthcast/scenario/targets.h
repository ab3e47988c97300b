// Plan targets judged against a projection (MODEL.md §5): the projected value, the gap, met or
// not, the first year met; monitored indicators forecast by a trend with an interval.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "healthcast/results/dataset.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::scenario {

// A monitored indicator's observed values, read once from its history file (empty when the
// scenario gives none).
struct MonitoredHistory {
  std::vector<int> years;  // in the file's order
  std::vector<double> values;
};
// Reads and checks the history (year,value; within the logistic bounds, if any). Throws
// InputError naming the file, line and field.
MonitoredHistory read_monitored_history(const Monitored& monitored);

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

struct TargetResult {
  double goal = 0.0;            // the value to reach (for relative changes, the change)
  double projected = 0.0;       // the model's (or the trend's) value of the indicator in the year
  double judged = 0.0;          // what is compared: projected, anchored, or a relative change
  double gap = 0.0;             // judged minus goal (minus the reference for better_than)
  double met = 0.0;             // 1 met, 0 not met, NaN when it cannot be judged
  double first_year_met = 0.0;  // NaN when never met within the projection
  double probability = 0.0;     // NaN until draws exist (monitored: from the trend's interval)
  std::string status;           // met, not met, before the projection, after the horizon, ...
  std::string basis;            // modelled, anchored to ..., monitored trend, what is missing
};

// Whether a target compares with the national value (better_than without a value of its own),
// so that a run needs the root of the scenario's extends chain.
bool needs_national(const Scenario& scenario);

// Judges every target of the scenario on `ds` (a run of the scenario); `monitored` holds the
// histories of scenario.monitored in order. `national` is a run of the root of the scenario's
// `extends` chain, for targets that must beat the national value (may be null when no target
// needs it).
std::vector<TargetResult> evaluate_targets(const Scenario& scenario,
                                           const std::vector<MonitoredHistory>& monitored,
                                           const results::Dataset& ds,
                                           const results::Dataset* national);

// Stores the targets table (dimension `target`) and the monitored forecasts (dimension
// `monitored`) in the dataset.
void add_targets(results::Dataset& ds, const Scenario& scenario,
                 const std::vector<MonitoredHistory>& monitored,
                 const std::vector<TargetResult>& results);

}  // namespace healthcast::scenario
