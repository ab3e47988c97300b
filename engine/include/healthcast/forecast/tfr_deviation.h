// Uncertainty of a total fertility rate path (MODEL.md §4): the log TFR of a draw departs from
// the central path by an AR(1) deviation that starts at 0 in the year before the first uncertain
// year,
//   d_t = phi d_{t-1} + sigma e_t,  TFR_t = central_t exp(d_t),
// so the central path stays the median of the draws. sd(d_t) after h years is
// sigma sqrt((1 - phi^(2h)) / (1 - phi^2)). phi and sigma are fitted to published intervals
// (e.g. the UN's probabilistic TFR projections): least squares between that sd and the
// intervals' half-width on the log scale, ln(upper / lower) / (2 z), over every given year.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace healthcast::forecast {

struct TfrDeviation {
  int first_year = 0;  // the first year with uncertainty; d = 0 before it
  double phi = 0.0;    // per year, within [0, 0.999]
  double sigma = 0.0;  // log TFR per year

  // Standard deviation of d in `year` (0 before first_year).
  double sd(int year) const;
  // d for each year from..to of draw `draw`: a function of (seed, draw) alone
  // (random::Purpose::fertility_tfr).
  std::vector<double> draw(int from, int to, std::uint64_t seed, std::uint64_t draw) const;
};

// Fits phi and sigma to the standard deviations `sd` of log TFR in `years` (increasing; the
// first is the first uncertain year). Throws Error on empty or mismatched input.
TfrDeviation fit_tfr_deviation(std::span<const int> years, std::span<const double> sd);

}  // namespace healthcast::forecast
