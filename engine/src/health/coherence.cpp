#include "healthcast/health/coherence.h"

#include <algorithm>
#include <cmath>

#include "healthcast/health/dynamics.h"

namespace healthcast::health {

namespace {

using demography::AGE_MAX;
using demography::N_AGES;
using demography::N_SEXES;

constexpr double NEWBORN_ENTRY = 0.5;  // as in the projection (MODEL.md §1)
// Fixed-point rounds of the case-fatality calibration: each round moves the factors by the
// ratio of the target to the reached death rate; three leave less than 1e-4 relative.
constexpr int CALIBRATION_ROUNDS = 4;
// The calibrated factor stays within these bounds of the base case fatality (a cohort with a
// vanishing prevalence would otherwise ask for any value).
constexpr double MIN_FACTOR = 0.02, MAX_FACTOR = 50.0;

// Each disease's death rate over one cohort-year, per person-year, [disease].
void disease_rates(const demography::CohortOutcome& out, std::size_t diseases,
                   std::vector<double>& rates) {
  rates.assign(diseases, 0.0);
  if (!(out.person_years > 0.0)) return;
  for (std::size_t d = 0; d < diseases; ++d) rates[d] = out.deaths[d] / out.person_years;
}

// The reference pass with given rates: [disease][year][sex][age].
std::vector<std::vector<SexAgeArray>> follow_cohorts(const HealthDynamics& dynamics,
                                                     std::size_t years) {
  const std::size_t diseases = dynamics.model().diseases.size();
  const std::size_t size = dynamics.state_layout().size();
  std::vector<std::vector<SexAgeArray>> out(diseases, std::vector<SexAgeArray>(years));
  demography::CohortOutcome outcome;
  std::vector<double> rates;
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    std::vector<std::vector<double>> states(N_AGES, std::vector<double>(size));
    for (std::size_t a = 0; a < N_AGES; ++a) dynamics.initial_state(s, a, states[a]);
    for (std::size_t y = 0; y < years; ++y) {
      std::vector<std::vector<double>> next(N_AGES);
      for (std::size_t a = 0; a < N_AGES; ++a) {
        std::vector<double> state = states[a];
        dynamics.advance(y, s, a, 1.0, 0.0, state, outcome);
        disease_rates(outcome, diseases, rates);
        for (std::size_t d = 0; d < diseases; ++d) out[d][y][s][a] = rates[d];
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

std::vector<std::vector<SexAgeArray>> disease_mortality(
    const std::shared_ptr<const HealthModel>& model, const std::vector<SexAgeArray>& all_cause,
    const HealthPaths& paths, const CauseEnvelope& envelope,
    demography::IntegrationTolerances tolerances) {
  const auto rates = std::make_shared<const HealthRates>(*model, all_cause, paths, envelope);
  return follow_cohorts(HealthDynamics(model, rates, paths, tolerances), all_cause.size());
}

// One round of the calibration: each calibrated disease's factor times target / reached.
void calibrate(const HealthModel& m, const std::vector<SexAgeArray>& all_cause,
               const std::vector<std::vector<SexAgeArray>>& reached, CauseEnvelope& e) {
  for (std::size_t d = 0; d < m.diseases.size(); ++d) {
    auto& factor = e.case_fatality_factor[d];
    if (factor.empty()) continue;
    for (std::size_t y = 0; y < all_cause.size(); ++y)
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t a = 0; a < N_AGES; ++a) {
          const double base = all_cause[0][s][a];
          const double target = base > 0.0 ? e.cause_scale[s][a] * m.diseases[d].mortality[s][a] *
                                                 all_cause[y][s][a] / base
                                           : 0.0;
          const double now = reached[d][y][s][a];
          if (target > 0.0 && now > 0.0)
            factor[y][s][a] = std::clamp(factor[y][s][a] * target / now, MIN_FACTOR, MAX_FACTOR);
        }
  }
}

// Other causes take what the diseases (`reached`, [disease][year]) leave of the forecast.
void set_other_share(CauseEnvelope& e, const std::vector<SexAgeArray>& all_cause,
                     const std::vector<std::vector<SexAgeArray>>& reached) {
  e.other_share.assign(all_cause.size(), SexAgeArray{});
  for (std::size_t y = 0; y < all_cause.size(); ++y)
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a) {
        double residual = 0.0, diseases = 0.0;
        for (const auto& share : e.residual_share) residual += share[s][a];
        for (const auto& disease : reached) diseases += disease[y][s][a];
        const double all = all_cause[y][s][a];
        const double disease_share = all > 0.0 ? diseases / all : 0.0;
        const double floor = other_share_floor(residual);
        if (1.0 - disease_share < floor) ++e.floor_hits;
        e.other_share[y][s][a] = std::max(1.0 - disease_share, floor);
      }
}

}  // namespace

std::vector<SexAgeArray> reference_disease_mortality(std::shared_ptr<const HealthModel> model,
                                                     const std::vector<SexAgeArray>& all_cause,
                                                     const HealthPaths& paths,
                                                     demography::IntegrationTolerances tolerances) {
  const auto by_disease =
      follow_cohorts(HealthDynamics(model, all_cause, paths, tolerances), all_cause.size());
  std::vector<SexAgeArray> out(all_cause.size(), SexAgeArray{});
  for (const auto& disease : by_disease)
    for (std::size_t y = 0; y < out.size(); ++y)
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t a = 0; a < N_AGES; ++a) out[y][s][a] += disease[y][s][a];
  return out;
}

CauseEnvelope fit_cause_envelope(std::shared_ptr<const HealthModel> model,
                                 const std::vector<SexAgeArray>& all_cause,
                                 const HealthPaths& paths,
                                 demography::IntegrationTolerances tolerances) {
  const HealthModel& m = *model;
  const std::size_t years = all_cause.size();
  CauseEnvelope e = base_year_envelope(m, all_cause.at(0));
  e.all_cause = all_cause;
  // Case fatality of the diseases that follow all-cause mortality, starting from its trend.
  const HealthRates start(m, all_cause, paths, e);
  e.case_fatality_factor.resize(m.diseases.size());
  for (std::size_t d = 0; d < m.diseases.size(); ++d) {
    if (!m.diseases[d].case_fatality_trend.follows_all_cause) continue;
    e.case_fatality_factor[d].assign(years, SexAgeArray{});
    for (std::size_t y = 0; y < years; ++y)
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t a = 0; a < N_AGES; ++a) {
          const double base = start.base_rates()[d][s].case_fatality[a];
          e.case_fatality_factor[d][y][s][a] =
              base > 0.0 ? start.at(y, s, a).case_fatality[d] / base : 1.0;
        }
  }
  for (int round = 0; round < CALIBRATION_ROUNDS; ++round)
    calibrate(m, all_cause, disease_mortality(model, all_cause, paths, e, tolerances), e);
  set_other_share(e, all_cause, disease_mortality(model, all_cause, paths, e, tolerances));
  return e;
}

CauseEnvelope refit_other_share(std::shared_ptr<const HealthModel> central,
                                const std::vector<SexAgeArray>& all_cause, const HealthPaths& paths,
                                const CauseEnvelope& envelope,
                                demography::IntegrationTolerances tolerances) {
  CauseEnvelope e = envelope;
  e.floor_hits = 0;
  set_other_share(e, all_cause, disease_mortality(central, all_cause, paths, e, tolerances));
  return e;
}

}  // namespace healthcast::health
