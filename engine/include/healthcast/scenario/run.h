// Running a scenario end to end, the one path the command line and the Python package share:
// inputs, projection, health indicators, the calibration report, the scenario's provenance and,
// with draws, the Monte Carlo summaries and the probability that each target is met.
#pragma once

#include <cstdint>
#include <functional>

#include "healthcast/demography/projection.h"
#include "healthcast/results/dataset.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::scenario {

struct RunOptions {
  // Monte Carlo draws (MODEL.md §6); 0 runs the central projection only. Draw j depends only on
  // (seed, j), so results do not depend on the number of threads.
  std::size_t draws = 0;
  std::uint64_t seed = 0;
  // Worker threads over draws (and over regions within a projection); 0 = one per core.
  unsigned threads = 1;
  // Keep every draw in the returned dataset as variables <name>_draws with a leading `draw`
  // dimension (memory grows with the draws; the command line streams them to the file instead).
  bool keep_draws = false;
  // Called with every draw in draw order (j = 0, 1, ...), from the calling thread.
  std::function<void(std::size_t draw, const results::Dataset& dataset)> on_draw;
  // Called from the calling thread with the work done and the total (the central run counts as
  // one draw); returning false cancels the run (Error "interrupted").
  demography::ProgressCallback progress;
};

// Reads the scenario's inputs, projects every region and returns the results dataset with the
// health indicators (when the scenario has a health model), the base-year calibration report,
// the targets table and the attributes scenario_name, scenario_title, scenario_path and
// scenario_text. The variables hold the central run (every input at its central value). With
// draws, every variable over years also gets <name>_summary (dimension `statistic`: mean,
// median, lower_95, upper_95 over the draws) and the targets their probability of being met.
results::Dataset run_scenario(const Scenario& scenario, const RunOptions& options = {});

}  // namespace healthcast::scenario
