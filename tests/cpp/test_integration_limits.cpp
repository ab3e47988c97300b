// The within-year integration ends with IntegrationError instead of running for minutes or
// returning NaN (issue 18: an in-range intervention made the step size collapse; a run took
// over 150 s with nothing printed).
#include <chrono>
#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "healthcast/demography/cohort_year.h"

namespace {

using healthcast::demography::CohortSystem;
using healthcast::demography::integrate_year;
using healthcast::demography::IntegrationError;
using healthcast::demography::IntegrationTolerances;

// dy/dt = -k (y - cos t): for large k an explicit stepper needs steps of about 3.3 / k.
class Stiff final : public CohortSystem {
 public:
  explicit Stiff(double k) : k_(k) {}
  void rhs(double t, std::span<const double> y, std::span<double> dydt) const override {
    dydt[0] = -k_ * (y[0] - std::cos(t));
  }

 private:
  double k_;
};

class NotANumber final : public CohortSystem {
 public:
  void rhs(double, std::span<const double>, std::span<double> dydt) const override {
    dydt[0] = std::numeric_limits<double>::quiet_NaN();
  }
};

TEST(IntegrationLimits, AMildSystemIntegratesAsBefore) {
  // dy/dt = -(y - cos t) from y(0) = 1: y(1) = (cos 1 + sin 1 + e^-1) / 2.
  std::vector<double> y{1.0};
  integrate_year(Stiff(1.0), y, 0.0, IntegrationTolerances{});
  EXPECT_NEAR(y[0], (std::cos(1.0) + std::sin(1.0) + std::exp(-1.0)) / 2.0, 1e-7);
}

TEST(IntegrationLimits, AStiffSystemStopsWithinTheBudget) {
  std::vector<double> y{1.0};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(integrate_year(Stiff(1e9), y, 0.0, IntegrationTolerances{}), IntegrationError);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 5.0);
}

TEST(IntegrationLimits, ANotANumberStops) {
  std::vector<double> y{1.0};
  EXPECT_THROW(integrate_year(NotANumber(), y, 0.0, IntegrationTolerances{}), IntegrationError);
}

}  // namespace
