#include "healthcast/demography/cohort_year.h"

#include <vector>

#include <boost/numeric/odeint.hpp>

namespace healthcast::demography {

namespace {

// State: [N, person-years] per person alive at tau0.
class AllCauseMortality final : public CohortSystem {
 public:
  explicit AllCauseMortality(double m) : m_(m) {}
  std::size_t size() const override { return 2; }
  void rhs(double, std::span<const double> y, std::span<double> dydt) const override {
    dydt[0] = -m_ * y[0];
    dydt[1] = y[0];
  }

 private:
  double m_;
};

}  // namespace

CohortYear integrate_cohort_year(double n0, double m, double tau0,
                                 const IntegrationTolerances& tolerances) {
  namespace odeint = boost::numeric::odeint;
  using State = std::vector<double>;
  CohortYear result;
  if (n0 <= 0.0 || tau0 >= 1.0) return result;

  AllCauseMortality system(m);
  State y = {1.0, 0.0};
  auto functor = [&system](const State& x, State& dxdt, double tau) {
    system.rhs(tau, x, dxdt);
  };
  auto stepper = odeint::make_controlled<odeint::runge_kutta_dopri5<State>>(
      tolerances.absolute, tolerances.relative);
  odeint::integrate_adaptive(stepper, functor, y, tau0, 1.0, (1.0 - tau0) / 4.0);

  result.survivors = n0 * y[0];
  result.deaths = n0 - result.survivors;
  result.person_years = n0 * y[1];
  return result;
}

}  // namespace healthcast::demography
