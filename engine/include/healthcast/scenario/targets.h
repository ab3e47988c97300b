// Plan targets judged against a projection (MODEL.md §5): the projected value, the gap, met or
// not, the first year met; monitored indicators forecast by a trend with an interval.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "healthcast/results/dataset.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::scenario {

// Indicator ids the model produces (docs/scenario-format.md, "Indicators").
const std::vector<std::string>& modelled_indicators();

// A modelled indicator of the first region for a year and sex ("total" where the indicator has
// no sex); NaN for a year outside the projection. Throws Error for an unknown id.
double indicator_value(const results::Dataset& ds, const std::string& indicator, int year,
                       const std::string& sex);

// Trend forecast of a monitored indicator with a 95% prediction interval: linear least squares
// on the history (or on the logit between the bounds for a logistic trend). With fewer than
// three observations the interval is unknown (NaN); with one the value is held. The years run
// from the earlier of the history's first year and `first_year` to `last_year`.
struct MonitoredForecast {
  std::vector<int> years;
  std::vector<double> value, lower, upper;
  std::map<int, double> observed;  // the history itself
  bool illustrative = false;
  std::size_t index(int year) const { return static_cast<std::size_t>(year - years.front()); }
};
MonitoredForecast forecast_monitored(const Monitored& monitored, int first_year, int last_year);

struct TargetResult {
  double goal = 0.0;            // the value to reach (for relative changes, the change)
  double projected = 0.0;       // the model's (or the trend's) value of the indicator in the year
  double judged = 0.0;          // what is compared: projected, anchored, or a relative change
  double gap = 0.0;             // judged minus goal (minus the reference for better_than)
  double met = 0.0;             // 1 met, 0 not met, NaN when it cannot be judged
  double first_year_met = 0.0;  // NaN when never met within the projection
  double probability = 0.0;     // NaN until draws exist (monitored: from the trend's interval)
  std::string status;           // met, not met, before the projection, after the horizon, ...
  std::string basis;            // modelled, anchored to ..., monitored trend, illustrative ...
};

// Judges every target of the scenario on `ds` (a run of the scenario). `national` is a run of
// the root of the scenario's `extends` chain, for targets that must beat the national value
// (may be null when no target needs it).
std::vector<TargetResult> evaluate_targets(const Scenario& scenario, const results::Dataset& ds,
                                           const results::Dataset* national);

// Stores the targets table (dimension `target`) and the monitored forecasts (dimension
// `monitored`) in the dataset.
void add_targets(results::Dataset& ds, const Scenario& scenario,
                 const std::vector<TargetResult>& results);

}  // namespace healthcast::scenario
