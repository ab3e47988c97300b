// Graduation of age-group counts (persons) to single years of age 0..AGE_MAX (AGE_MAX+ open),
// keeping every group's total exactly.
//
// Method: Sprague's fifth-difference osculatory multipliers (UN Manual X, 1983, table A.6;
// Shryock & Siegel) on five-year groups; a separate age 0 and group 1-4 are first joined into
// 0-4, then age 0 takes its own count and ages 1-4 the Sprague shape scaled to the 1-4 total.
// The open group (85+ in the censuses) is split by a given single-year shape of the same ages
// (the national population's), which also supplies the groups beyond the open age that the
// last closed groups' multipliers need, so those use the middle panel. Sprague can give
// negative counts in sparse groups (small units): negatives become zero and the rest of the
// group is rescaled to its total, so totals stay exact and no count is negative.
#pragma once

#include <span>
#include <vector>

#include "healthcast/demography/ages.h"

namespace healthcast::places {

// `lower`: the groups' lower ages, increasing, starting at 0; every group five years wide
// except an optional leading pair 0 and 1 (groups 0 and 1-4); the last group is open and
// starts at a multiple of 5 no higher than AGE_MAX. `counts`: persons in each group (>= 0).
// `open_shape`: any non-negative single-year profile (e.g. the national population of one sex)
// whose values at the open group's ages give its split; if they are all zero the open group
// goes to its first age. At least five closed five-year groups (after joining 0 and 1-4) are
// needed. Throws healthcast::Error on groups that break these rules.
demography::AgeArray graduate(std::span<const int> lower, std::span<const double> counts,
                              const demography::AgeArray& open_shape);

// Sprague's matrix for n >= 5 closed five-year groups: row 5g+j gives single year j of group g
// as a combination of the groups (sums of each group's five rows give the identity).
// Exposed for tests.
std::vector<double> sprague_matrix(std::size_t n_groups);

}  // namespace healthcast::places
