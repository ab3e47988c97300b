// The within-year evolution of one cohort (MODEL.md §1): the cohort is followed in continuous
// time tau in [tau0, 1] under its rates, and deaths and person-years come out of the same
// integration. The disease model extends the state of this system with prevalences.
#pragma once

#include <span>

namespace healthcast::demography {

// Error tolerances of Odeint's adaptive Dormand-Prince stepper, applied to a cohort of unit
// initial size (the state is per person, so the tolerances do not depend on cohort size).
struct IntegrationTolerances {
  double absolute = 1e-12;
  double relative = 1e-10;
};

// The right-hand side dy/dtau = f(tau, y) of a cohort's within-year system.
class CohortSystem {
 public:
  virtual ~CohortSystem() = default;
  virtual std::size_t size() const = 0;
  virtual void rhs(double tau, std::span<const double> y, std::span<double> dydt) const = 0;
};

// What happens to a cohort of size n0 between tau0 and the end of the year.
struct CohortYear {
  double survivors = 0.0;
  double deaths = 0.0;        // n0 - survivors exactly, so that the population balances
  double person_years = 0.0;  // the integral of the cohort size over [tau0, 1]
};

// All-cause mortality at constant rate m over [tau0, 1].
CohortYear integrate_cohort_year(double n0, double m, double tau0,
                                 const IntegrationTolerances& tolerances);

}  // namespace healthcast::demography
