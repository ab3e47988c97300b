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
Dataset compare(const Dataset& reference, const Dataset& scenario);

}  // namespace healthcast::results
