#include "healthcast/forecast/rotation.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "healthcast/error.h"

namespace healthcast::forecast {

double rotation_weight(double e0, const Rotation& rotation) {
  if (e0 < rotation.e0_start) return 0.0;
  if (e0 >= rotation.e0_end) return 1.0;
  const double u = (e0 - rotation.e0_start) / (rotation.e0_end - rotation.e0_start);
  return std::pow(0.5 * (1.0 + std::sin(std::numbers::pi / 2.0 * (2.0 * u - 1.0))), rotation.power);
}

Eigen::VectorXd ultimate_bx(const Eigen::VectorXd& bx, std::span<const int> ages) {
  const auto index = [&](int age) {
    const auto it = std::find(ages.begin(), ages.end(), age);
    if (it == ages.end())
      throw Error(
          "rotation of b_x: the ages need groups starting at 15, 60 and 65 (the ultimate "
          "pattern is flat from 15 to 64)");
    return static_cast<Eigen::Index>(it - ages.begin());
  };
  const Eigen::Index i15 = index(15), i60 = index(60), i65 = index(65);
  if (i65 != i60 + 1) throw Error("rotation of b_x: the age group after 60 must start at 65");
  const double flat = bx.segment(i15, i60 - i15 + 1).mean();
  Eigen::VectorXd u = bx;
  u.head(i60 + 1).setConstant(flat);
  if (bx(i65) != 0.0) u.tail(u.size() - i65) *= flat / bx(i65);
  return u / u.sum();
}

}  // namespace healthcast::forecast
