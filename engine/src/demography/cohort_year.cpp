#include "healthcast/demography/cohort_year.h"

#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include <boost/numeric/odeint.hpp>

namespace healthcast::demography {

void integrate_year(const CohortSystem& system, std::vector<double>& y, double tau0,
                    const IntegrationTolerances& tolerances) {
  namespace odeint = boost::numeric::odeint;
  using State = std::vector<double>;
  using Dopri5 = odeint::runge_kutta_dopri5<State, double, State, double, odeint::range_algebra,
                                            odeint::default_operations, odeint::always_resizer>;
  using Controlled = odeint::controlled_runge_kutta<Dopri5>;
  if (tau0 >= 1.0) return;
  // One stepper per thread, reused so that its work vectors are allocated once (the resizer
  // adapts them when the state size changes); a fresh one only when the tolerances change.
  struct Cached {
    double absolute = -1.0, relative = -1.0;
    std::optional<Controlled> stepper;
  };
  thread_local Cached cached;
  if (!cached.stepper || cached.absolute != tolerances.absolute ||
      cached.relative != tolerances.relative) {
    cached.stepper.emplace(
        odeint::default_error_checker<double, odeint::range_algebra, odeint::default_operations>(
            tolerances.absolute, tolerances.relative));
    cached.absolute = tolerances.absolute;
    cached.relative = tolerances.relative;
  }
  // The stepper keeps the last derivative (first-same-as-last); a new system starts afresh.
  cached.stepper->reset();
  auto functor = [&system](const State& x, State& dxdt, double tau) { system.rhs(tau, x, dxdt); };
  // integrate_adaptive's loop with a budget: an implausible input can make the system so stiff
  // that the step size collapses (a run took minutes instead of a second); a NaN never settles.
  // The same steps as integrate_adaptive (its end test and last-step clipping), so results are
  // unchanged.
  constexpr double eps = std::numeric_limits<double>::epsilon();
  double tau = tau0;
  double dt = (1.0 - tau0) * tolerances.first_step;
  for (std::size_t tries = 0; 1.0 - tau > eps; ++tries) {
    if (tries == kMaxIntegrationTries || !std::isfinite(dt) || !std::isfinite(tau))
      throw IntegrationError(fmt::format(
          "the within-year integration stalled at {:.6g} of the year (step {:.3g} after {} "
          "tries): the rates are implausibly large or not numbers",
          tau, dt, tries));
    if ((tau + dt) - 1.0 > eps) dt = 1.0 - tau;
    static_cast<void>(cached.stepper->try_step(functor, y, tau, dt));
  }
  for (const double v : y)
    if (!std::isfinite(v))
      throw IntegrationError("the within-year integration gave a value that is not a number");
}

namespace {

// State: [N, person-years] per person alive at tau0.
class AllCauseSystem final : public CohortSystem {
 public:
  explicit AllCauseSystem(double m) : m_(m) {}
  void rhs(double, std::span<const double> y, std::span<double> dydt) const override {
    dydt[0] = -m_ * y[0];
    dydt[1] = y[0];
  }

 private:
  double m_;
};

}  // namespace

AllCauseDynamics::AllCauseDynamics(
    std::vector<std::array<std::array<double, N_AGES>, 2>> death_rate,
    IntegrationTolerances tolerances)
    : death_rate_(std::move(death_rate)), tolerances_(tolerances) {}

void AllCauseDynamics::advance(std::size_t year, std::size_t sex, std::size_t age, double n0,
                               double tau0, std::span<double>, CohortOutcome& out) const {
  out.deaths.assign(1, 0.0);
  out.incidence.clear();
  out.survivors = out.person_years = 0.0;
  if (n0 <= 0.0 || tau0 >= 1.0) {
    out.survivors = std::max(n0, 0.0);
    return;
  }
  std::vector<double> y = {1.0, 0.0};
  integrate_year(AllCauseSystem(death_rate_[year][sex][age]), y, tau0, tolerances_);
  out.survivors = n0 * y[0];
  out.deaths[0] = n0 - out.survivors;  // exact balance
  out.person_years = n0 * y[1];
}

}  // namespace healthcast::demography
