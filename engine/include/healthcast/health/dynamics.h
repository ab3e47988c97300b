// The health model inside the projection (MODEL.md §2): each cohort carries disease
// prevalences and risk-factor category shares through the year in one ODE system with its size;
// deaths come out by cause and incident cases by disease.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "healthcast/demography/cohort_year.h"
#include "healthcast/health/model.h"
#include "healthcast/health/rates.h"

namespace healthcast::health {

namespace detail {
struct CohortEffects;  // dynamics.cpp
}

class HealthDynamics final : public demography::CohortDynamics {
 public:
  // `rates` must have been set up from the same model and paths.
  HealthDynamics(std::shared_ptr<const HealthModel> model, std::shared_ptr<const HealthRates> rates,
                 HealthPaths paths, demography::IntegrationTolerances tolerances);
  // Sets the rates up from the scenario's all-cause death rates, all_cause[year][sex][age], and
  // the envelope of the causes (health/coherence.h; null: the base year's decomposition alone).
  HealthDynamics(std::shared_ptr<const HealthModel> model,
                 const std::vector<demography::SexAgeArray>& all_cause, const HealthPaths& paths,
                 demography::IntegrationTolerances tolerances,
                 const CauseEnvelope* envelope = nullptr);
  ~HealthDynamics() override;
  HealthDynamics(const HealthDynamics&) = delete;
  HealthDynamics& operator=(const HealthDynamics&) = delete;

  // The per-person state: the prevalence of each disease (block var::prevalence over the
  // diseases), then the share of each risk-factor category (var::risk_factor_share over
  // "factor/category" labels, factor by factor).
  const demography::CohortStateLayout& state_layout() const override { return layout_; }
  std::vector<std::string> cause_names() const override;
  std::vector<std::string> disease_names() const override;
  void initial_state(std::size_t sex, std::size_t age, std::span<double> state) const override;
  void newborn_state(std::size_t sex, std::span<double> state) const override;
  void adjust_state(std::size_t year, std::size_t sex, std::size_t age,
                    std::span<double> state) const override;
  void advance(std::size_t year, std::size_t sex, std::size_t age, double n0, double tau0,
               std::span<double> state, demography::CohortOutcome& out) const override;

  const HealthModel& model() const { return *model_; }
  const HealthRates& rates() const { return *rates_; }
  const HealthPaths& paths() const { return paths_; }

  // A disease-to-disease factor of one cohort-year (an interaction, or a treatment of those
  // with a disease): incidence of `to` is multiplied by (1 + slope pi_from) / base_value, so
  // that the factor is 1 at the base-year prevalence. Interactions come first, in model order.
  struct PrevalenceFactor {
    std::size_t from, to;
    double slope;               // (rr - 1) for interactions, -coverage (1 - rr) for treatments
    double inverse_base_value;  // 1 / the factor at the base prevalence
  };
  // Fills `out` (reusing its storage) with the factors of one cohort-year.
  void prevalence_factors(std::size_t year, std::size_t sex, std::size_t age,
                          std::vector<PrevalenceFactor>& out) const;
  // Base-year mean relative risk of categorical factor j for disease d over the year of age
  // (the denominator of the factor's effect on incidence; 1 where it has none).
  double base_mean_relative_risk(std::size_t j, std::size_t d, std::size_t sex,
                                 std::size_t age) const {
    return base_mean_rr_[j][d][sex][age];
  }

 private:
  void build_state_layout();
  void build_base_mean_rr();
  void build_cohort_effects();
  std::vector<SexAgeArray> unadjusted_shares(const HealthPaths::PrevalenceAdjustment& adjustment,
                                             std::size_t years) const;
  // A categorical factor's category within the share block of the state.
  std::size_t share_index(std::size_t factor, std::size_t category) const {
    return first_category_[factor] + category;
  }

  std::shared_ptr<const HealthModel> model_;
  std::shared_ptr<const HealthRates> rates_;
  HealthPaths paths_;
  demography::IntegrationTolerances tolerances_;
  demography::CohortStateLayout layout_;
  std::size_t prevalence_block_ = 0, share_block_ = 0;
  std::vector<std::size_t> first_category_;  // of each categorical factor, in the share block
  // Base-year mean relative risk of each categorical factor, [factor][disease][sex][age].
  std::vector<std::vector<SexAgeArray>> base_mean_rr_;
  // Shares of each adjusted category without its adjustment, [adjustment][year][sex][age].
  std::vector<std::vector<SexAgeArray>> unadjusted_share_;
  // The year-independent parts of each cohort's within-year system, [sex * N_AGES + age], and
  // the transitions of all categorical factors (category indices over all factors) with their
  // (factor, transition) for the yearly multipliers.
  std::vector<detail::CohortEffects> cohort_effects_;
  std::vector<std::pair<std::size_t, std::size_t>> transitions_, transition_factor_;
};

}  // namespace healthcast::health
