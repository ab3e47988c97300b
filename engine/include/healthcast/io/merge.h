// Parts of one run combined into the run itself (`healthcast merge`): parts made with
// `healthcast run --draws N --draw-range A:B` (and --units/--regions) give, merged, exactly the
// results of `healthcast run --draws N` on all their regions. See docs/results-format.md, "Parts
// and merges".
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "healthcast/results/draw_summary.h"

namespace healthcast::io {

struct MergeOptions {
  // Keep every draw (V_draws, target_met_draws) in the merged file, as `run --keep-draws` does.
  bool keep_draws = false;
  // Threads for the summaries (0: one per usable CPU) and their memory budget.
  unsigned threads = 0;
  std::size_t draw_memory = results::DrawSummary::MEMORY_BUDGET;
};

// Merges the part files into one results file at `output` (written atomically).
//
// The parts must come from one scenario text and the same inputs (attribute inputs_hash), seed,
// number of draws and program version (software_version, git_revision). Parts with the same
// regions form a group whose draw ranges must tile 0..N exactly; groups must have disjoint
// regions, and when there are several the scenario must have its regions separable (no targets,
// no lever that reaches a level: attribute regions_separable). The merged file has the groups'
// regions one after the other, groups in the order their first part is given. Every variable,
// summary, target probability and attribute equals that of the whole run, except the
// attributes creation_time (when the merge ran) and merged_from (the parts and their ranges,
// which the whole run lacks).
//
// Throws FileFormatError naming the files and ranges when parts do not fit together (another
// scenario, seed, number of draws, version or inputs; a gap or an overlap of draw ranges;
// regions in two groups), or when a file is not a part.
void merge_parts(const std::vector<std::filesystem::path>& parts,
                 const std::filesystem::path& output, const MergeOptions& options = {});

}  // namespace healthcast::io
