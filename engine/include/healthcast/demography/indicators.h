// Summary mortality indicators that stand on their own (MODEL.md §3).
#pragma once

#include <span>
#include <vector>

#include "healthcast/demography/ages.h"

namespace healthcast::demography {

// Probability of dying between exact ages `start` and `end` from death rates in five-year
// groups, the WHO method of SDG indicator 3.4.1 (30q70 with start = 30, end = 70):
// 5q_x = 5 m_x / (1 + 2.5 m_x) for x = start, start+5, ..., end-5, and
// 1 - prod(1 - 5q_x). `x` holds the left edges of the intervals of `m` and must contain every
// one of those five-year groups (other intervals are ignored; the last left edge may be the
// last group, e.g. x = 30, 35, ..., 65). Throws InputError otherwise.
double prob_dying(std::span<const int> x, std::span<const double> m, int start = 30, int end = 70);

// Healthy life expectancy by the Sullivan method: the life table's L_x weighted by the share
// of life lived without disability (1 - disability_x), summed from each age up and divided
// by l_x. Returns one value per interval of x (the first is at birth). `disability` is the
// prevalence of disability (or the YLD per person) in [0, 1] on the intervals of x.
std::vector<double> healthy_life_expectancy(std::span<const int> x, std::span<const double> m,
                                            std::span<const double> disability, Sex sex);

}  // namespace healthcast::demography
