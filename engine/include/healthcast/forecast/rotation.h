// Rotation of Lee-Carter's b_x for long horizons (Li, Lee & Gerland 2013, the UN's method in
// WPP): as life expectancy rises, the age pattern of mortality decline moves from young to old
// ages. b_x turns into an ultimate pattern b^u_x as e0 goes from `e0_start` to `e0_end`:
//   B_x(t) = (1 - w) b_x + w b^u_x,  w = [0.5 (1 + sin(pi/2 (2 u - 1)))]^power,
//   u = (e0(t) - e0_start) / (e0_end - e0_start), w = 0 below e0_start and 1 above e0_end.
// The ultimate pattern: b_x for every age group up to 60-64 set to the mean of b_x over the
// groups 15-19 .. 60-64, the groups from 65 scaled so that the 65 group equals that mean, and the
// whole normalised to sum 1 (as the UN's MortCast package computes it).
#pragma once

#include <span>

#include <Eigen/Dense>

namespace healthcast::forecast {

struct Rotation {
  double e0_start = 80.0, e0_end = 102.0, power = 0.5;  // years, years, exponent
};

// The weight w of the ultimate pattern at life expectancy `e0` (years).
double rotation_weight(double e0, const Rotation& rotation = {});

// b^u_x on the left edges `ages` (they must hold 15, 60 and 65). Throws Error otherwise.
Eigen::VectorXd ultimate_bx(const Eigen::VectorXd& bx, std::span<const int> ages);

}  // namespace healthcast::forecast
