#include "healthcast/forecast/tfr_deviation.h"

#include <cmath>

#include <fmt/format.h>

#include "healthcast/error.h"
#include "healthcast/random/stream.h"

namespace healthcast::forecast {

namespace {

// sd after h years for sigma = 1.
double unit_sd(double phi, int h) {
  if (h <= 0) return 0.0;
  if (phi == 0.0) return 1.0;
  return std::sqrt((1.0 - std::pow(phi, 2.0 * h)) / (1.0 - phi * phi));
}

}  // namespace

double TfrDeviation::sd(int year) const { return sigma * unit_sd(phi, year - first_year + 1); }

std::vector<double> TfrDeviation::draw(int from, int to, std::uint64_t seed,
                                       std::uint64_t draw) const {
  random::Stream rng(seed, draw, random::Purpose::fertility_tfr);
  std::vector<double> out;
  double d = 0.0;
  // The path runs from the first uncertain year whatever `from` is, so a year's deviation does
  // not depend on the years asked for.
  for (int year = std::min(from, first_year); year <= to; ++year) {
    if (year >= first_year) d = phi * d + sigma * rng.normal();
    if (year >= from) out.push_back(d);
  }
  return out;
}

TfrDeviation fit_tfr_deviation(std::span<const int> years, std::span<const double> sd) {
  if (years.empty() || years.size() != sd.size())
    throw Error(
        fmt::format("TFR uncertainty: need one standard deviation per year; got {} years "
                    "and {} values",
                    years.size(), sd.size()));
  TfrDeviation best{years.front(), 0.0, 0.0};
  double best_ss = INFINITY;
  // phi on a fine grid; for each, sigma has a closed form (least squares through the origin).
  for (int i = 0; i <= 999; ++i) {
    const double phi = i / 1000.0;
    double sgg = 0.0, ssg = 0.0;
    for (std::size_t k = 0; k < years.size(); ++k) {
      const double g = unit_sd(phi, years[k] - years.front() + 1);
      sgg += g * g;
      ssg += sd[k] * g;
    }
    const double sigma = sgg > 0.0 ? ssg / sgg : 0.0;
    double ss = 0.0;
    for (std::size_t k = 0; k < years.size(); ++k)
      ss += std::pow(sd[k] - sigma * unit_sd(phi, years[k] - years.front() + 1), 2);
    if (ss < best_ss) {
      best_ss = ss;
      best.phi = phi;
      best.sigma = sigma;
    }
  }
  return best;
}

}  // namespace healthcast::forecast
