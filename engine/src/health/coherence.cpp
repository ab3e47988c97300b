#include "healthcast/health/coherence.h"

#include <algorithm>

#include "healthcast/health/dynamics.h"

namespace healthcast::health {

namespace {

using demography::AGE_MAX;
using demography::N_AGES;
using demography::N_SEXES;

constexpr double NEWBORN_ENTRY = 0.5;  // as in the projection (MODEL.md §1)

double disease_rate(const demography::CohortOutcome& out, std::size_t diseases) {
  double deaths = 0.0;
  for (std::size_t d = 0; d < diseases; ++d) deaths += out.deaths[d];
  return out.person_years > 0.0 ? deaths / out.person_years : 0.0;
}

}  // namespace

std::vector<SexAgeArray> reference_disease_mortality(std::shared_ptr<const HealthModel> model,
                                                     const std::vector<SexAgeArray>& all_cause,
                                                     const HealthPaths& paths,
                                                     demography::IntegrationTolerances tolerances) {
  const std::size_t years = all_cause.size(), diseases = model->diseases.size();
  const HealthDynamics dynamics(model, all_cause, paths, tolerances);
  const std::size_t size = dynamics.state_layout().size();
  std::vector<SexAgeArray> out(years);
  demography::CohortOutcome outcome;
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    std::vector<std::vector<double>> states(N_AGES, std::vector<double>(size));
    for (std::size_t a = 0; a < N_AGES; ++a) dynamics.initial_state(s, a, states[a]);
    for (std::size_t y = 0; y < years; ++y) {
      std::vector<std::vector<double>> next(N_AGES);
      for (std::size_t a = 0; a < N_AGES; ++a) {
        std::vector<double> state = states[a];
        dynamics.advance(y, s, a, 1.0, 0.0, state, outcome);
        out[y][s][a] = disease_rate(outcome, diseases);
        if (a < AGE_MAX) next[a + 1] = std::move(state);
      }
      next[0].assign(size, 0.0);
      dynamics.newborn_state(s, next[0]);
      dynamics.advance(y, s, 0, 1.0, NEWBORN_ENTRY, next[0], outcome);
      states = std::move(next);
    }
  }
  return out;
}

CauseEnvelope fit_cause_envelope(std::shared_ptr<const HealthModel> model,
                                 const std::vector<SexAgeArray>& all_cause,
                                 const HealthPaths& paths,
                                 demography::IntegrationTolerances tolerances) {
  CauseEnvelope e = base_year_envelope(*model, all_cause.at(0));
  const auto diseases = reference_disease_mortality(model, all_cause, paths, tolerances);
  e.other_share.assign(all_cause.size(), SexAgeArray{});
  for (std::size_t y = 0; y < all_cause.size(); ++y)
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a) {
        double residual = 0.0;
        for (const auto& share : e.residual_share) residual += share[s][a];
        const double all = all_cause[y][s][a];
        const double disease_share = all > 0.0 ? diseases[y][s][a] / all : 0.0;
        const double floor = other_share_floor(residual, disease_share);
        if (1.0 - disease_share < floor) ++e.floor_hits;
        e.other_share[y][s][a] = std::max(1.0 - disease_share, floor);
      }
  return e;
}

}  // namespace healthcast::health
