// Booth, Maindonald & Smith (2002): the fitting period over which Lee-Carter's k_t is most
// nearly linear. For each candidate first period s (leaving at least `min_periods`), Lee-Carter
// is fitted to periods s..T with k_t refitted to deaths (KtFit::deaths), and the ratio
//   R(s) = mean deviance with k_t replaced by its drift line / mean deviance with k_t itself
// is computed, with Poisson deviances of the life-table deaths (as lee_carter.h explains, only
// rates are given) and degrees of freedom (m - 2) n and (m - 2)(n - 1) for m periods and n ages
// (as in the demography package's lca). Booth et al. take the longest period over which R is
// small: here the earliest start whose R is within 10% of the smallest (windows after the last
// break all have R near 1, and the smallest among them is noise).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "healthcast/demography/ages.h"

namespace healthcast::forecast {

struct FitPeriodChoice {
  std::size_t first = 0;      // index of the chosen first period
  std::vector<double> ratio;  // R(s) for s = 0 .. periods - min_periods
};

// `mx` ages x periods (rates per person-year), `years` the periods' times (equally spaced).
// Throws Error if fewer than `min_periods` (at least 3) periods are given.
FitPeriodChoice linear_fit_period(const Eigen::Ref<const Eigen::MatrixXd>& mx,
                                  std::span<const int> ages, std::span<const double> years,
                                  demography::Sex sex, std::size_t min_periods = 3);

}  // namespace healthcast::forecast
