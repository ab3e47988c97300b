// What happens inside a cohort during a year (MODEL.md §1-2): the projection asks a
// CohortDynamics to carry each cohort from tau0 to the year end. The plain demographic model has
// no health state and one cause of death; the health model (healthcast::health) adds disease
// prevalences and risk-factor categories to the state and splits deaths by cause.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "healthcast/demography/cohort_state.h"

namespace healthcast::demography {

// Outcome of one cohort's year, per the cohort's size n0 at tau0.
struct CohortOutcome {
  double survivors = 0.0;
  double person_years = 0.0;
  std::vector<double> deaths;     // by cause; sums to n0 - survivors exactly
  std::vector<double> incidence;  // new cases by disease (see disease_names)
};

class CohortDynamics {
 public:
  virtual ~CohortDynamics() = default;

  // Per-person state carried by each cohort besides its size (shares and prevalences, which
  // migrants and newborns share with the cohort they join).
  virtual const CohortStateLayout& state_layout() const = 0;
  virtual std::vector<std::string> cause_names() const = 0;
  virtual std::vector<std::string> disease_names() const = 0;

  // State at 1 January of the base year, and of newborns when they enter.
  virtual void initial_state(std::size_t sex, std::size_t age, std::span<double> state) const = 0;
  virtual void newborn_state(std::size_t sex, std::span<double> state) const = 0;

  // Changes a cohort's state at 1 January of `year` before the year starts (interventions that
  // set a share directly). The default leaves it alone.
  virtual void adjust_state(std::size_t /*year*/, std::size_t /*sex*/, std::size_t /*age*/,
                            std::span<double> /*state*/) const {}

  // Carries a cohort of size n0 at tau0 of projected year `year` (0 = base year) to the year
  // end; `state` holds the per-person state at tau0 on entry and at the year end on return.
  // Rates are those of age `age` throughout the year.
  virtual void advance(std::size_t year, std::size_t sex, std::size_t age, double n0, double tau0,
                       std::span<double> state, CohortOutcome& out) const = 0;
};

}  // namespace healthcast::demography
