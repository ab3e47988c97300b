// A scenario against its reference (MODEL.md §3, last item): deaths averted, life-years gained,
// DALYs averted and the difference of each headline indicator, by year and cumulated.
#pragma once

#include <string>

#include "healthcast/results/dataset.h"

namespace healthcast::results {

// Both datasets must cover the same years, regions and sexes (runs of scenarios that extend one
// another). Returns a dataset with dims year, region, sex and the variables deaths_averted,
// life_years_gained (person-years), dalys_averted (when both have DALYs), their cumulative_*
// sums from the first year, and <indicator>_difference (scenario minus reference) for life
// expectancy and healthy life expectancy at birth, premature NCD mortality, crude CVD mortality,
// CRD mortality under 70, cancer survival, smoking prevalence and salt intake when present.
// Throws Error when the runs do not match.
// When both runs kept their draws (the same number, the same seed), draw j of the scenario is
// compared with draw j of the reference (common random numbers) and every compared variable V
// gets V_summary (mean, median, 95% interval over the paired draws); the root attribute
// `draws_paired` says whether the draws were paired, or why not.
Dataset compare(const Dataset& reference, const Dataset& scenario);

// Draw j of a run with kept draws, as a dataset: each V_draws variable becomes V without the
// draw dimension, with the run's coordinates. Throws Error when j is not a kept draw.
Dataset kept_draw(const Dataset& ds, std::size_t j);

}  // namespace healthcast::results
