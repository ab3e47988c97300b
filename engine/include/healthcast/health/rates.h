// The health model's rates for every cohort-year of a projection (MODEL.md §2), set up once from
// the model, the scenario's all-cause forecast and its paths: other-cause mortality, and by
// disease incidence (with the risk factors' potential impact fractions of continuous exposures
// and treatment coverage), case fatality and remission. The within-year dynamics integrate with
// them; the health indicators read them (case fatality for survival, exposures for the means).
#pragma once

#include <array>
#include <span>
#include <vector>

#include "healthcast/health/calibration.h"
#include "healthcast/health/model.h"

namespace healthcast::health {

// Half of a cause's mortality change through case fatality, half through incidence: the split
// of the decline of coronary deaths in England 2002-2010 (Smolina et al., BMJ 2012;344:d8059).
inline constexpr double DEFAULT_CASE_FATALITY_SHARE = 0.5;

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
  // Where a disease's incidence and case fatality both follow all-cause mortality: the power of
  // the all-cause ratio that case fatality takes (incidence takes 1 - this), 0 to 1. The
  // scenario's `inputs.health.case_fatality_share` (docs/scenario-format.md).
  double case_fatality_share = DEFAULT_CASE_FATALITY_SHARE;

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

// Rates of one cohort-year, per person-year.
struct CohortRates {
  double other_mortality = 0.0;
  std::span<const double> incidence, case_fatality, remission;  // per disease
  // Per residual cause, its share of other-cause deaths (its base share moved by the scenario's
  // multipliers of that cause).
  std::span<const double> residual_share;
};

// Share of all-cause mortality below which the unnamed other causes (cause "other": neither a
// disease nor a named residual cause) may not fall in the reference, at any age, sex and year.
inline constexpr double OTHER_CAUSE_FLOOR = 0.05;

// How the modelled causes fit into the all-cause forecast (MODEL.md §2.1, docs/health-inputs.md
// "Causes within all-cause mortality"), set up once per region from the central inputs:
// - decomposition: where the base-period rates of the diseases and named residual causes add up
//   to more than (1 - OTHER_CAUSE_FLOOR) of the base year's all-cause rate, all of them are
//   scaled down by the same factor (cause_scale) to that level; elsewhere they are kept;
// - other_share[year]: other-cause mortality (named residual causes and "other") as a share of
//   all-cause mortality. fit_cause_envelope (health/coherence.h) takes it from the reference run
//   (all-cause minus the diseases' death rates), so that the reference's all-cause mortality is
//   the mortality method's forecast; without it, the base year's share is kept;
// - residual_share[cause]: each named residual cause's share of other-cause mortality;
// - case_fatality_factor: see below (fit_cause_envelope).
// Draws and interventions keep the central envelope: a draw's other-cause mortality is
// other_share x its all-cause forecast x its draw of HealthModel::other_causes_scale.
struct CauseEnvelope {
  SexAgeArray cause_scale{};
  std::vector<SexAgeArray> other_share;     // [year]; the last serves later years
  std::vector<SexAgeArray> residual_share;  // [cause]
  // [disease][year]: the factor on base case fatality that makes the disease's death rate in
  // the reference follow the all-cause forecast (its base rate x m(y) / m(0)), for diseases
  // whose case fatality follows all-cause mortality; empty for a disease: its trend applies.
  std::vector<std::vector<SexAgeArray>> case_fatality_factor;
  // [year]: the all-cause forecast the calibration was made on (the central one); a draw's
  // departure from it moves the calibrated case fatality.
  std::vector<SexAgeArray> all_cause;
  std::size_t floor_hits = 0;  // (year, sex, age) cells held at the floor of other_share
};

// The decomposition of the base year alone: other_share constant at the base year's (one year).
CauseEnvelope base_year_envelope(const HealthModel& model, const SexAgeArray& all_cause_base);

// other_share's floor where the named residual causes take `residual` of other-cause mortality:
// OTHER_CAUSE_FLOOR / (1 - residual), so that "other" keeps OTHER_CAUSE_FLOOR of the all-cause
// forecast. Below it other_share is held at it (all-cause mortality then exceeds the forecast).
double other_share_floor(double residual);

class HealthRates {
 public:
  // all_cause[year][sex][age]: the scenario's all-cause death rates, which fix other-cause
  // mortality (its envelope share of all-cause) and the trends that follow all-cause
  // mortality. Years: all_cause.size(). Without an envelope, base_year_envelope's.
  HealthRates(const HealthModel& model, const std::vector<SexAgeArray>& all_cause,
              const HealthPaths& paths);
  HealthRates(const HealthModel& model, const std::vector<SexAgeArray>& all_cause,
              const HealthPaths& paths, const CauseEnvelope& envelope);
  // Not copied: the rates view their own storage.
  HealthRates(const HealthRates&) = delete;
  HealthRates& operator=(const HealthRates&) = delete;

  std::size_t years() const { return years_; }
  const CohortRates& at(std::size_t year, std::size_t sex, std::size_t age) const {
    return rates_[(year * demography::N_SEXES + sex) * demography::N_AGES + age];
  }
  // Base-year derived rates of each disease, [disease][sex].
  const std::vector<std::array<DiseaseRates, demography::N_SEXES>>& base_rates() const {
    return base_rates_;
  }
  // Mean of continuous factor j in each year with mediation applied (e.g. salt's effect on
  // blood pressure), [year][sex][age], in the factor's unit.
  const std::vector<SexAgeArray>& effective_mean(std::size_t j) const { return effective_mean_[j]; }
  // Share of other-cause deaths that residual cause c takes before its multipliers, by sex
  // and age (MODEL.md §2.1: named residual causes keep their base share of other causes).
  double residual_share(std::size_t c, std::size_t sex, std::size_t age) const {
    return residual_share_[c][sex][age];
  }
  // Cells of the envelope where other-cause mortality was held at its floor.
  std::size_t other_cause_floor_hits() const { return floor_hits_; }
  // Maternal deaths per live birth in each year.
  double maternal_risk_per_birth(std::size_t year) const { return maternal_risk_[year]; }

 private:
  void set_effective_means(const HealthModel& m, const HealthPaths& paths);
  void set_year_rates(const HealthModel& m, const std::vector<SexAgeArray>& all_cause,
                      const HealthPaths& paths, const CauseEnvelope& envelope);

  std::size_t years_ = 0;
  std::vector<std::array<DiseaseRates, demography::N_SEXES>> base_rates_;
  std::vector<CohortRates> rates_;   // [(year * N_SEXES + sex) * N_AGES + age]
  std::vector<double> rate_values_;  // what rates_'s spans view, one block for all cohort-years
  std::vector<std::vector<SexAgeArray>> effective_mean_;  // [factor][year]
  std::vector<SexAgeArray> residual_share_;               // [cause][sex][age]
  std::vector<double> maternal_risk_;                     // [year]
  std::size_t floor_hits_ = 0;
};

}  // namespace healthcast::health
