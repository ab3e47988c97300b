// Stand-alone mortality indicators: WHO 30q70 and Sullivan healthy life expectancy.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "healthcast/demography/indicators.h"
#include "healthcast/error.h"

using namespace healthcast::demography;

TEST(ProbDying, ThirtyToSeventyMatchesAHandCalculation) {
  // Five-year groups 30-34 .. 65-69; 5q_x = 5m/(1 + 2.5m); 1 - prod(1 - 5q_x), computed
  // separately: 0.22321050119758445.
  const std::vector<int> x = {30, 35, 40, 45, 50, 55, 60, 65};
  const std::vector<double> m = {0.001, 0.0015, 0.002, 0.003, 0.005, 0.008, 0.012, 0.018};
  EXPECT_NEAR(prob_dying(x, m), 0.22321050119758445, 1e-15);
}

TEST(ProbDying, IgnoresGroupsOutsideTheRangeAndNeedsEveryGroupInside) {
  const std::vector<int> x = {0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70};
  std::vector<double> m(x.size(), 0.01);
  m[0] = 0.5;  // outside 30..69, must not matter
  const double q = 5 * 0.01 / (1 + 2.5 * 0.01);
  EXPECT_NEAR(prob_dying(x, m), 1 - std::pow(1 - q, 8), 1e-15);
  EXPECT_NEAR(prob_dying(x, m, 40, 50), 1 - std::pow(1 - q, 2), 1e-15);
  const std::vector<int> gap = {30, 35, 45, 50, 55, 60, 65, 70};
  EXPECT_THROW(prob_dying(gap, std::vector<double>(8, 0.01)), healthcast::InputError);
}

TEST(HealthyLifeExpectancy, SullivanOnAHandComputedTable) {
  // Ages 0, 1, 2+ (single years, females): a0 = 0.053 + 2.8 m0, a1 = 0.5, open L = l / m.
  const std::vector<int> x = {0, 1, 2};
  const std::vector<double> m = {0.01, 0.002, 0.05};
  const std::vector<double> pi = {0.0, 0.1, 0.3};
  const double a0 = 0.053 + 2.8 * 0.01;
  const double q0 = 0.01 / (1 + (1 - a0) * 0.01), q1 = 0.002 / (1 + 0.5 * 0.002);
  const double l0 = 1e5, l1 = l0 * (1 - q0), l2 = l1 * (1 - q1);
  const double L0 = l1 + a0 * (l0 - l1), L1 = l2 + 0.5 * (l1 - l2), L2 = l2 / 0.05;
  const auto hle = healthy_life_expectancy(x, m, pi, Sex::female);
  ASSERT_EQ(hle.size(), 3u);
  EXPECT_NEAR(hle[2], 0.7 * L2 / l2, 1e-10);
  EXPECT_NEAR(hle[1], (0.9 * L1 + 0.7 * L2) / l1, 1e-10);
  EXPECT_NEAR(hle[0], (L0 + 0.9 * L1 + 0.7 * L2) / l0, 1e-10);
}

TEST(HealthyLifeExpectancy, EqualsLifeExpectancyWithoutDisability) {
  const std::vector<int> x = {0, 1, 5, 10};
  const std::vector<double> m = {0.02, 0.003, 0.001, 0.1};
  const auto hle = healthy_life_expectancy(x, m, std::vector<double>(4, 0.0), Sex::male);
  const auto full = healthy_life_expectancy(x, m, std::vector<double>(4, 1.0), Sex::male);
  EXPECT_GT(hle[0], 0.0);
  EXPECT_EQ(full[0], 0.0);
  EXPECT_THROW(healthy_life_expectancy(x, m, std::vector<double>{0, 0, 1.5, 0}, Sex::male),
               healthcast::InputError);
}
