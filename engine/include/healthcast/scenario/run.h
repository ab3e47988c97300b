// Running a scenario end to end, the one path the command line and the Python package share:
// inputs, projection, health indicators, the calibration report, the scenario's provenance and,
// with draws, the Monte Carlo summaries and the probability that each target is met.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "healthcast/demography/projection.h"
#include "healthcast/results/dataset.h"
#include "healthcast/results/draw_summary.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::scenario {

struct RunOptions {
  // Monte Carlo draws (MODEL.md §6); 0 runs the central projection only. Draw j depends only on
  // (seed, j), so results do not depend on the number of threads.
  std::size_t draws = 0;
  std::uint64_t seed = 0;
  // A part of the run: only the draws first <= j < end of the `draws` (0 <= first < end <=
  // draws), to be merged with the other parts (io/merge.h). A part keeps its draws' target
  // outcomes (as keep_outcomes) and its dataset says which part it is (attributes draw_range,
  // part_regions, regions_separable). Unset: every draw.
  std::optional<std::pair<std::size_t, std::size_t>> draw_range;
  // Places: `units` replaces the scenario's regions with one census-unit region per 2020 code,
  // named by the code (needs inputs.units); `regions` then keeps only the regions named. Both in
  // the order given; empty: the scenario's regions.
  std::vector<std::string> units;
  std::vector<std::string> regions;
  // Worker threads over draws (and over regions within a projection); 0 = one per core (the
  // CPUs this process may use, parallel::thread_count).
  unsigned threads = 1;
  // Keep every draw in the returned dataset as variables <name>_draws with a leading `draw`
  // dimension (memory grows with the draws; the command line streams them to the file instead).
  // Implies keep_outcomes.
  bool keep_draws = false;
  // Keep each draw's target outcomes: the `draw` coordinate and, when the scenario has targets,
  // `target_met_draws` over (draw, target): 1 met, 0 not met, NaN not judged in draws.
  bool keep_outcomes = false;
  // Bytes of draws the exact summaries hold in memory before using a temporary file.
  std::size_t draw_memory = results::DrawSummary::MEMORY_BUDGET;
  // Called with every draw in draw order (j = first, first + 1, ...), from the calling thread.
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
// median, lower_95, upper_95 over the draws) and the targets their probability of being met,
// and the attributes draws, seed and inputs_hash (inputs_hash(): what a part must share with
// the others to be merged).
results::Dataset run_scenario(const Scenario& scenario, const RunOptions& options = {});

// A fingerprint of what a run reads: the text of the scenario and of the files it extends, and
// the bytes of every input file (the health model's folder and the units folder whole), as 16
// hexadecimal digits (FNV-1a, 64 bits: detects changes, not tampering).
std::string inputs_hash(const Scenario& scenario);

// The scenario limited to the places of RunOptions::units and ::regions. Throws InputError
// (naming the scenario file) for a region name that the scenario lacks, a name given twice, or
// units without inputs.units.
Scenario select_places(const Scenario& scenario, const std::vector<std::string>& units,
                       const std::vector<std::string>& regions);

}  // namespace healthcast::scenario
