// The health model inside the projection (MODEL.md §2): each cohort carries disease
// prevalences and risk-factor category shares through the year in one ODE system with its size;
// deaths come out by cause and incident cases by disease.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "healthcast/demography/cohort_year.h"
#include "healthcast/health/calibration.h"
#include "healthcast/health/exposure.h"
#include "healthcast/health/model.h"

namespace healthcast::health {

namespace detail {
struct CohortEffects;  // dynamics.cpp
}

// How the health model's inputs move over the projected years (index 0 = base year). The
// reference keeps the base exposures and coverage; scenario interventions change these paths.
struct HealthPaths {
  std::vector<std::vector<SexAgeArray>> continuous_mean, continuous_sd;  // [factor][year]
  std::vector<std::vector<std::vector<double>>>
      transition_multiplier;                                       // [factor][transition][year]
  std::vector<std::vector<double>> coverage;                       // [treatment][year]
  std::vector<std::vector<SexAgeArray>> incidence_multiplier;      // [disease][year]
  std::vector<std::vector<SexAgeArray>> case_fatality_multiplier;  // [disease][year]
  std::vector<SexAgeArray> other_mortality_multiplier;             // [year]
  std::vector<std::vector<SexAgeArray>> residual_multiplier;       // [cause][year]
  std::vector<double> maternal_risk_per_birth;                     // [year]

  // Holds a category's share at `scale` times its share without the adjustment, plus `shift`,
  // by moving people between `category` and `to` at the start of each year (an intervention on
  // a risk factor's prevalence). Per year; scale 1 and shift 0 leave the share alone.
  struct PrevalenceAdjustment {
    std::size_t factor = 0, category = 0, to = 0;
    std::vector<double> scale, shift;
  };
  std::vector<PrevalenceAdjustment> prevalence_adjustments;
};

// Base inputs held constant for `years` years.
HealthPaths reference_paths(const HealthModel& model, std::size_t years);

class HealthDynamics final : public demography::CohortDynamics {
 public:
  // all_cause[year][sex][age]: the scenario's all-cause death rates, which fix other-cause
  // mortality (all-cause minus the modelled diseases in the base year, then moving with
  // all-cause) and the trends that follow all-cause mortality.
  HealthDynamics(std::shared_ptr<const HealthModel> model,
                 const std::vector<demography::SexAgeArray>& all_cause, HealthPaths paths,
                 demography::IntegrationTolerances tolerances);
  ~HealthDynamics() override;
  // Not copied: its rates view its own storage.
  HealthDynamics(const HealthDynamics&) = delete;
  HealthDynamics& operator=(const HealthDynamics&) = delete;

  std::vector<std::string> state_names() const override;
  std::vector<std::string> cause_names() const override;
  std::vector<std::string> disease_names() const override;
  void initial_state(std::size_t sex, std::size_t age, std::span<double> state) const override;
  void newborn_state(std::size_t sex, std::span<double> state) const override;
  void adjust_state(std::size_t year, std::size_t sex, std::size_t age,
                    std::span<double> state) const override;
  void advance(std::size_t year, std::size_t sex, std::size_t age, double n0, double tau0,
               std::span<double> state, demography::CohortOutcome& out) const override;

  const HealthModel& model() const { return *model_; }
  const HealthPaths& paths() const { return paths_; }
  // Base-year derived rates of each disease, [disease][sex].
  const std::vector<std::array<DiseaseRates, demography::N_SEXES>>& base_rates() const {
    return base_rates_;
  }
  // Ages and sexes where the modelled causes left less than OTHER_CAUSE_FLOOR of all-cause
  // mortality to other causes (other-cause mortality was held at that floor).
  std::size_t other_cause_floor_hits() const { return floor_hits_; }

  // Rates of one cohort-year, precomputed outside the ODE right-hand side.
  struct CohortRates {
    double other_mortality = 0.0;
    std::span<const double> incidence, case_fatality, remission;  // per disease
  };
  const CohortRates& rates(std::size_t year, std::size_t sex, std::size_t age) const;
  // Mean of continuous factor j in each year with mediation applied (e.g. salt's effect on
  // blood pressure), [year][sex][age].
  const std::vector<SexAgeArray>& effective_mean(std::size_t j) const { return effective_mean_[j]; }
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
  // Share of other-cause deaths that residual cause c takes before its multipliers, by sex
  // and age (MODEL.md §2.1: named residual causes keep their base share of other causes).
  double residual_share(std::size_t c, std::size_t sex, std::size_t age) const {
    return residual_share_[c][sex][age];
  }
  // Base-year mean relative risk of categorical factor j for disease d over the year of age
  // (the denominator of the factor's effect on incidence; 1 where it has none).
  double base_mean_relative_risk(std::size_t j, std::size_t d, std::size_t sex,
                                 std::size_t age) const {
    return base_mean_rr_[j][d][sex][age];
  }

 private:
  std::size_t categories() const;  // all categories of all categorical factors
  void build_cohort_effects();
  std::vector<SexAgeArray> unadjusted_shares(const HealthModel& m,
                                             const HealthPaths::PrevalenceAdjustment& adjustment,
                                             std::size_t years) const;

  std::shared_ptr<const HealthModel> model_;
  HealthPaths paths_;
  demography::IntegrationTolerances tolerances_;
  std::vector<std::array<DiseaseRates, demography::N_SEXES>> base_rates_;
  std::vector<CohortRates> rates_;   // [(year * N_SEXES + sex) * N_AGES + age]
  std::vector<double> rate_values_;  // what rates_'s spans view, one block for all cohort-years
  std::vector<std::vector<SexAgeArray>> effective_mean_;  // [factor][year]
  // Base-year mean relative risk of each categorical factor, [factor][disease][sex][age].
  std::vector<std::vector<SexAgeArray>> base_mean_rr_;
  // Shares of other-cause deaths that are each residual cause, [cause][sex][age].
  std::vector<SexAgeArray> residual_share_;
  // Shares of each adjusted category without its adjustment, [adjustment][year][sex][age].
  std::vector<std::vector<SexAgeArray>> unadjusted_share_;
  std::size_t floor_hits_ = 0;
  // The year-independent parts of each cohort's within-year system, [sex * N_AGES + age], and
  // the transitions of all categorical factors (category indices over all factors) with their
  // (factor, transition) for the yearly multipliers.
  std::vector<detail::CohortEffects> cohort_effects_;
  std::vector<std::pair<std::size_t, std::size_t>> transitions_, transition_factor_;
};

// Share of all-cause mortality below which other-cause mortality is not allowed to fall.
inline constexpr double OTHER_CAUSE_FLOOR = 0.05;

}  // namespace healthcast::health
