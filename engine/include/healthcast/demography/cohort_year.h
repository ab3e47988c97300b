// Within-year integration of a cohort's state (MODEL.md §1): Odeint's adaptive Dormand-Prince
// stepper on a small right-hand-side interface, and the plain all-cause dynamics.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "healthcast/demography/ages.h"
#include "healthcast/demography/cohort_dynamics.h"
#include "healthcast/error.h"

namespace healthcast::demography {

// Error tolerances of the adaptive stepper. States are per person alive at tau0 (sizes near 1,
// shares and prevalences in [0, 1]), so the tolerances do not depend on cohort size. With the
// defaults, results of the China model stay within 1e-7 (relative) of those at 1e-10 / 1e-12,
// at half the right-hand-side evaluations (23 per cohort-year instead of 50).
struct IntegrationTolerances {
  double absolute = 1e-10;
  double relative = 1e-8;
  // The first step tried, as a share of the time left in the year: a quarter suits 1e-8;
  // at 1e-6 most cohort-years pass in one step, so the whole year is tried first (measured:
  // 14% less time per projection; at 1e-8 that would cost 16% more).
  double first_step = 0.25;
};

// Tolerances of Monte Carlo draws. A draw's results move by percents with its inputs; at these
// tolerances they stay within 3e-6 (relative; deaths by cause, e0 within 1e-7) of an
// integration at 1e-11, a thousand times below that spread, for half the right-hand-side
// calls (12 per cohort-year instead of 23, with the whole year as first step).
inline constexpr IntegrationTolerances DRAW_TOLERANCES{1e-8, 1e-6, 1.0};

// The right-hand side dy/dtau = f(tau, y) of a cohort's within-year system.
class CohortSystem {
 public:
  virtual ~CohortSystem() = default;
  virtual void rhs(double tau, std::span<const double> y, std::span<double> dydt) const = 0;
};

// The within-year integration did not finish (the step size collapsed, or a value is not a
// number). The run adds what it knows of the inputs and interventions.
class IntegrationError : public Error {
 public:
  using Error::Error;
};

// Step attempts per cohort-year before IntegrationError: a plausible cohort-year takes 1 to 20.
inline constexpr std::size_t kMaxIntegrationTries = 20000;

// Integrates y from tau0 to 1 in place; throws IntegrationError when it cannot.
void integrate_year(const CohortSystem& system, std::vector<double>& y, double tau0,
                    const IntegrationTolerances& tolerances);

// All-cause mortality only: no health state, one cause of death ("all_causes").
class AllCauseDynamics final : public CohortDynamics {
 public:
  // death_rate[year][sex][age], per person-year.
  AllCauseDynamics(std::vector<std::array<std::array<double, N_AGES>, 2>> death_rate,
                   IntegrationTolerances tolerances);

  const CohortStateLayout& state_layout() const override { return layout_; }
  std::vector<std::string> cause_names() const override { return {"all_causes"}; }
  std::vector<std::string> disease_names() const override { return {}; }
  void initial_state(std::size_t, std::size_t, std::span<double>) const override {}
  void newborn_state(std::size_t, std::span<double>) const override {}
  void advance(std::size_t year, std::size_t sex, std::size_t age, double n0, double tau0,
               std::span<double> state, CohortOutcome& out) const override;

 private:
  std::vector<std::array<std::array<double, N_AGES>, 2>> death_rate_;
  IntegrationTolerances tolerances_;
  CohortStateLayout layout_;  // empty
};

}  // namespace healthcast::demography
