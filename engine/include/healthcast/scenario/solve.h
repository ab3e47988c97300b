// Goal seeking: the size of one lever (an intervention's scale, shift, reach or multiply) at
// which a target is just met, centrally or with a given probability across Monte Carlo draws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "healthcast/scenario/scenario.h"

namespace healthcast::scenario {

struct SolveRequest {
  std::string indicator;  // a target of the scenario: its indicator and year
  int year = 0;
  std::string lever;                  // intervention name
  std::string field;                  // scale, shift, reach, multiply or reach_tfr
  double low = 0, high = 1;           // the lever's range searched, in the field's units
  std::optional<double> probability;  // met with at least this probability across draws
  std::size_t draws = 100;            // draws for a probability
  std::uint64_t seed = 1;
  unsigned threads = 0;
};

struct SolveResult {
  bool reachable = false;
  // Reachable: the size at which the target is just met (to 1e-6 of the range centrally, 1/2^14
  // with a probability). Unreachable: the size in the range that comes closest.
  double size = 0;
  double judged = 0;            // the target's judged value at `size` (central run)
  double gap = 0;               // still to go at `size` (positive: not met; targets' convention)
  double probability = 0;       // at `size`, when a probability was asked for
  bool met_everywhere = false;  // met at both ends of the range: `size` is the end barely met
  int runs = 0;                 // scenario runs made
};

// Throws InputError for a target or lever the scenario does not have, a field the intervention
// does not use, or a range that is empty; Error when a run fails.
SolveResult solve(const Scenario& scenario, const SolveRequest& request);

// The default range of a lever's field: scale and multiply 0..1 (the full effect to no change),
// reach 0..100 (percent; treatment coverage 0..1); empty for shift (give a range).
std::optional<std::pair<double, double>> default_range(const Intervention& lever,
                                                       const std::string& field);

}  // namespace healthcast::scenario
