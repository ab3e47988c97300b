#include "healthcast/places/offset_ar1.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "healthcast/error.h"

namespace healthcast::places {

double Ar1::mean(double x0, double years) const { return std::pow(phi, years) * x0; }

double Ar1::variance(double var0, double years) const {
  const double p2 = std::pow(phi, 2.0 * years);
  const double innovations =
      phi >= 1.0 ? sigma * sigma * years : sigma * sigma * (1.0 - p2) / (1.0 - phi * phi);
  return p2 * var0 + innovations;
}

Ar1 estimate_ar1(std::span<const std::pair<double, double>> pairs, double h) {
  if (pairs.size() < 3) throw Error("estimate_ar1: at least three pairs are needed");
  if (!(h > 0)) throw Error("estimate_ar1: the step must be positive");
  double sxx = 0, sxy = 0;
  for (const auto& [x, y] : pairs) {
    sxx += x * x;
    sxy += x * y;
  }
  if (!(sxx > 0)) throw Error("estimate_ar1: every starting offset is zero");
  const double phi_h = std::clamp(sxy / sxx, 1e-6, 1.0);
  double ss = 0;
  for (const auto& [x, y] : pairs) ss += (y - phi_h * x) * (y - phi_h * x);
  const double s2 = ss / static_cast<double>(pairs.size() - 1);
  Ar1 out;
  out.pairs = static_cast<int>(pairs.size());
  out.phi = std::pow(phi_h, 1.0 / h);
  const double p2h = std::pow(out.phi, 2.0 * h);
  out.sigma =
      out.phi >= 1.0 ? std::sqrt(s2 / h) : std::sqrt(s2 * (1.0 - out.phi * out.phi) / (1.0 - p2h));
  // d phi / d phi_h = phi_h^(1/h - 1) / h
  out.phi_se = std::sqrt(s2 / sxx) * std::pow(phi_h, 1.0 / h - 1.0) / h;
  return out;
}

std::vector<double> draw_offset_path(const Ar1& ar1, double x0, double sd0, int origin, int first,
                                     int last, random::Stream& stream) {
  if (first < origin || last < first)
    throw Error(fmt::format("draw_offset_path: years {}..{} do not follow the origin {}", first,
                            last, origin));
  double x = x0 + sd0 * stream.normal();  // the offset at the origin
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(last - first + 1));
  for (int year = origin; year <= last; ++year) {
    if (year > origin) x = ar1.phi * x + ar1.sigma * stream.normal();
    if (year >= first) out.push_back(x);
  }
  return out;
}

}  // namespace healthcast::places
