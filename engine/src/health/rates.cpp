#include "healthcast/health/rates.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "healthcast/error.h"
#include "healthcast/health/exposure.h"

namespace healthcast::health {

namespace {

using demography::N_AGES;
using demography::N_SEXES;

// A trend's factor in year `year`; `power` is the part of the all-cause ratio it takes when it
// follows all-cause mortality.
double trend_factor(const Trend& trend, std::size_t year, double all_cause_ratio, double power) {
  if (trend.follows_all_cause) return std::pow(all_cause_ratio, power);
  if (trend.annual_percent_change == 0.0) return 1.0;
  return std::pow(1.0 + trend.annual_percent_change / 100.0, static_cast<double>(year));
}

double ratio(double numerator, double denominator) {
  return denominator > 0.0 ? numerator / denominator : 1.0;
}

// The factors on a disease's base incidence and case fatality in year y from its trends. When
// both follow all-cause mortality they share its change r: case fatality r^w and incidence
// r^(1-w). A calibrated case fatality (the coherent reference, CauseEnvelope) replaces its
// trend; the incidence then follows the reference forecast the calibration was made on, and
// case fatality takes a draw's departure from it (all_cause / the reference forecast), so that
// the disease's deaths move with the draw's all-cause mortality.
std::pair<double, double> disease_trends(const Disease& disease, std::size_t d,
                                         const CauseEnvelope& envelope,
                                         const std::vector<SexAgeArray>& all_cause, double w,
                                         std::size_t y, std::size_t s, std::size_t a) {
  const bool both =
      disease.incidence_trend.follows_all_cause && disease.case_fatality_trend.follows_all_cause;
  if (!both) w = 1.0;
  const auto& calibrated = envelope.case_fatality_factor;
  if (d >= calibrated.size() || calibrated[d].empty() || envelope.all_cause.empty()) {
    const double r = ratio(all_cause[y][s][a], all_cause[0][s][a]);
    return {trend_factor(disease.incidence_trend, y, r, both ? 1.0 - w : 1.0),
            trend_factor(disease.case_fatality_trend, y, r, w)};
  }
  const auto& reference = envelope.all_cause;
  const std::size_t yr = std::min(y, reference.size() - 1);
  const std::size_t yc = std::min(y, calibrated[d].size() - 1);
  const double r = ratio(reference[yr][s][a], reference[0][s][a]);
  return {trend_factor(disease.incidence_trend, y, r, both ? 1.0 - w : 1.0),
          calibrated[d][yc][s][a] * ratio(all_cause[y][s][a], reference[yr][s][a])};
}

// The potential impact fractions of continuous exposures and of treatment coverage on each
// disease's incidence (MODEL.md §2.2): the ratio of a year's mean relative risk to the base
// year's. Lookups of which factor acts on which disease are done once here, and the base year's
// mean relative risk is computed the first time a later year's exposure differs from it.
class IncidenceFactors {
 public:
  IncidenceFactors(const HealthModel& m, const HealthPaths& paths,
                   const std::vector<std::vector<SexAgeArray>>& effective_mean)
      : m_(m), paths_(paths), mean_(effective_mean) {
    const std::size_t n_continuous = m.continuous.size(), n_diseases = m.diseases.size();
    log_curves_.resize(n_continuous);
    for (std::size_t j = 0; j < n_continuous; ++j)
      for (const auto& [disease, curve] : m.continuous[j].curves) {
        auto& by_age = log_curves_[j][disease];
        for (std::size_t a = 0; a < N_AGES; ++a)
          for (double rr : curve.rr[a]) by_age[a].push_back(std::log(rr));
      }
    factors_of_.resize(n_diseases);
    for (std::size_t d = 0; d < n_diseases; ++d)
      for (std::size_t j = 0; j < n_continuous; ++j)
        if (m.continuous[j].log_linear.count(m.diseases[d].name) ||
            m.continuous[j].curves.count(m.diseases[d].name))
          factors_of_[d].push_back(j);
    treatment_factor_.assign(m.treatments.size(), 0);
    effect_on_.assign(m.treatments.size(), std::vector<const Uncertain*>(n_diseases));
    for (std::size_t t = 0; t < m.treatments.size(); ++t) {
      if (m.treatments[t].affected_factor.empty()) continue;
      treatment_factor_[t] = m.continuous_index(m.treatments[t].affected_factor);
      for (std::size_t d = 0; d < n_diseases; ++d)
        if (const auto it = m.treatments[t].effects.find(m.diseases[d].name);
            it != m.treatments[t].effects.end())
          effect_on_[t][d] = &it->second;
    }
    base_rr_.assign(n_continuous * n_diseases * N_SEXES * N_AGES,
                    std::numeric_limits<double>::quiet_NaN());
  }

  // The product of every continuous factor's and every treatment's ratio for disease d.
  double of(std::size_t d, std::size_t y, std::size_t s, std::size_t a) {
    double pif = 1.0;
    for (const std::size_t j : factors_of_[d]) {
      // Years whose exposure is the base year's need no quadrature: their ratio is 1.
      if (same_exposure(j, y, s, a)) continue;
      double& base = base_rr_[((j * m_.diseases.size() + d) * N_SEXES + s) * N_AGES + a];
      if (std::isnan(base)) base = mean_rr(j, d, 0, s, a);
      pif *= mean_rr(j, d, y, s, a) / base;
    }
    for (std::size_t t = 0; t < m_.treatments.size(); ++t) {
      const Uncertain* effect = effect_on_[t][d];
      if (effect == nullptr) continue;
      const std::size_t j = treatment_factor_[t];
      if (same_exposure(j, y, s, a) && paths_.coverage[t][y] == paths_.coverage[t][0]) continue;
      const auto& f = m_.continuous[j];
      const double threshold = m_.treatments[t].threshold;
      const double reduction = 1.0 - effect->value;
      const double h =
          share_above(f.family, mean_[j][y][s][a], paths_.continuous_sd[j][y][s][a], threshold);
      const double h0 =
          share_above(f.family, mean_[j][0][s][a], paths_.continuous_sd[j][0][s][a], threshold);
      pif *= (1.0 - paths_.coverage[t][y] * h * reduction) /
             (1.0 - paths_.coverage[t][0] * h0 * reduction);
    }
    return pif;
  }

 private:
  bool same_exposure(std::size_t j, std::size_t y, std::size_t s, std::size_t a) const {
    return mean_[j][y][s][a] == mean_[j][0][s][a] &&
           paths_.continuous_sd[j][y][s][a] == paths_.continuous_sd[j][0][s][a];
  }

  double mean_rr(std::size_t j, std::size_t d, std::size_t y, std::size_t s, std::size_t a) const {
    const ContinuousFactor& f = m_.continuous[j];
    const std::string& disease = m_.diseases[d].name;
    const double mu = mean_[j][y][s][a], sd = paths_.continuous_sd[j][y][s][a];
    if (const auto it = f.log_linear.find(disease); it != f.log_linear.end()) {
      const auto& ll = it->second;
      return mean_log_linear_rr(f.family, mu, sd, ll.rr[s][a], ll.per, ll.tmrel);
    }
    if (const auto it = f.curves.find(disease); it != f.curves.end()) {
      const auto& exposure = it->second.exposure;
      const auto& log_rr = log_curves_[j].at(disease)[a];
      return mean_relative_risk(
          f.family, mu, sd, [&](double x) { return curve_rr(x, exposure, log_rr); }, 0.0);
    }
    return 1.0;
  }

  const HealthModel& m_;
  const HealthPaths& paths_;
  const std::vector<std::vector<SexAgeArray>>& mean_;
  // Log RR of each exposure-response curve, [factor][disease][age][level], taken once here.
  std::vector<std::map<std::string, std::array<std::vector<double>, N_AGES>>> log_curves_;
  std::vector<std::vector<std::size_t>> factors_of_;  // continuous factors acting on each disease
  std::vector<std::size_t> treatment_factor_;         // each treatment's factor
  // effect_on_[t][d]: treatment t's effect on disease d, null when it has none.
  std::vector<std::vector<const Uncertain*>> effect_on_;
  // Base-year mean RR of each continuous factor and disease, [factor][disease][sex][age].
  std::vector<double> base_rr_;
};

}  // namespace

HealthPaths reference_paths(const HealthModel& model, std::size_t years) {
  HealthPaths p;
  for (const auto& f : model.continuous) {
    p.continuous_mean.emplace_back(years, f.mean);
    p.continuous_sd.emplace_back(years, f.sd);
  }
  for (const auto& f : model.categorical)
    p.transition_multiplier.emplace_back(f.transitions.size(), std::vector<double>(years, 1.0));
  for (const auto& t : model.treatments) p.coverage.emplace_back(years, t.coverage.value);
  SexAgeArray ones{};
  for (auto& ages : ones) ages.fill(1.0);
  p.incidence_multiplier.assign(model.diseases.size(), std::vector<SexAgeArray>(years, ones));
  p.case_fatality_multiplier = p.incidence_multiplier;
  p.other_mortality_multiplier.assign(years, ones);
  p.residual_multiplier.assign(model.residual_causes.size(), std::vector<SexAgeArray>(years, ones));
  // The base-year risk carried by its log-linear trend (held when the model gives none).
  p.maternal_risk_per_birth.resize(years);
  for (std::size_t y = 0; y < years; ++y)
    p.maternal_risk_per_birth[y] =
        model.maternal_risk_per_birth.value *
        std::exp(model.maternal_annual_change.value * static_cast<double>(y));
  return p;
}

double other_share_floor(double residual) {
  return OTHER_CAUSE_FLOOR / std::max(1.0 - residual, OTHER_CAUSE_FLOOR);
}

CauseEnvelope base_year_envelope(const HealthModel& m, const SexAgeArray& all_cause_base) {
  CauseEnvelope e;
  e.other_share.assign(1, SexAgeArray{});
  e.residual_share.assign(m.residual_causes.size(), SexAgeArray{});
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a) {
      double diseases = 0.0, residual = 0.0;
      for (const auto& d : m.diseases) diseases += d.mortality[s][a];
      for (const auto& c : m.residual_causes) residual += c.mortality[s][a];
      const double all = all_cause_base[s][a], named = diseases + residual;
      // Every named cause scaled alike, so that "other" keeps at least the floor.
      const double scale = named > (1.0 - OTHER_CAUSE_FLOOR) * all && named > 0.0
                               ? (1.0 - OTHER_CAUSE_FLOOR) * all / named
                               : 1.0;
      e.cause_scale[s][a] = scale;
      const double other = all - scale * diseases;
      double residual_share = 0.0;
      for (std::size_t c = 0; c < m.residual_causes.size(); ++c) {
        e.residual_share[c][s][a] =
            other > 0.0 ? scale * m.residual_causes[c].mortality[s][a] / other : 0.0;
        residual_share += e.residual_share[c][s][a];
      }
      const double disease_share = all > 0.0 ? scale * diseases / all : 0.0;
      e.other_share[0][s][a] =
          all > 0.0 ? std::max(1.0 - disease_share, other_share_floor(residual_share)) : 1.0;
    }
  return e;
}

HealthRates::HealthRates(const HealthModel& m, const std::vector<SexAgeArray>& all_cause,
                         const HealthPaths& paths)
    : HealthRates(m, all_cause, paths,
                  base_year_envelope(m, all_cause.empty() ? SexAgeArray{} : all_cause[0])) {}

HealthRates::HealthRates(const HealthModel& m, const std::vector<SexAgeArray>& all_cause,
                         const HealthPaths& paths, const CauseEnvelope& envelope)
    : years_(all_cause.size()) {
  if (years_ == 0) throw Error("the health model needs all-cause rates for at least one year");
  if (paths.other_mortality_multiplier.size() < years_)
    throw Error("health paths cover fewer years than the projection");
  if (envelope.other_share.empty() || envelope.residual_share.size() != m.residual_causes.size())
    throw Error("the cause envelope does not fit the health model");
  for (const auto& d : m.diseases) {
    std::array<DiseaseRates, N_SEXES> by_sex;
    for (std::size_t s = 0; s < N_SEXES; ++s) {
      AgeArray mortality{};
      for (std::size_t a = 0; a < N_AGES; ++a)
        mortality[a] = d.mortality[s][a] * envelope.cause_scale[s][a];
      by_sex[s] = derive_disease_rates(d.prevalence[s], mortality, d.remission[s]);
    }
    base_rates_.push_back(by_sex);
  }
  residual_share_ = envelope.residual_share;
  floor_hits_ = envelope.floor_hits;
  set_effective_means(m, paths);
  set_year_rates(m, all_cause, paths, envelope);
  maternal_risk_.assign(
      paths.maternal_risk_per_birth.begin(),
      paths.maternal_risk_per_birth.begin() + static_cast<std::ptrdiff_t>(years_));
}

// Continuous exposures, with mediation: a factor acting through another moves its mean.
void HealthRates::set_effective_means(const HealthModel& m, const HealthPaths& paths) {
  effective_mean_ = paths.continuous_mean;
  for (std::size_t j = 0; j < m.continuous.size(); ++j) {
    const auto& through = m.continuous[j].acts_through;
    if (!through) continue;
    const std::size_t k = m.continuous_index(through->factor);
    for (std::size_t y = 0; y < years_; ++y)
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t a = 0; a < N_AGES; ++a)
          effective_mean_[k][y][s][a] +=
              through->per_unit.value *
              (paths.continuous_mean[j][y][s][a] - paths.continuous_mean[j][0][s][a]);
  }
}

void HealthRates::set_year_rates(const HealthModel& m, const std::vector<SexAgeArray>& all_cause,
                                 const HealthPaths& paths, const CauseEnvelope& envelope) {
  const std::size_t n_diseases = m.diseases.size(), n_residual = m.residual_causes.size();
  const std::size_t per_cohort = 3 * n_diseases + n_residual;
  IncidenceFactors pif(m, paths, effective_mean_);
  rates_.resize(years_ * N_SEXES * N_AGES);
  rate_values_.assign(rates_.size() * per_cohort, 0.0);
  for (std::size_t y = 0; y < years_; ++y)
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a) {
        CohortRates& r = rates_[(y * N_SEXES + s) * N_AGES + a];
        // Named residual causes move their part of other-cause mortality.
        double residual = 1.0;
        for (std::size_t c = 0; c < m.residual_causes.size(); ++c)
          residual += residual_share_[c][s][a] * (paths.residual_multiplier[c][y][s][a] - 1.0);
        const auto& share = envelope.other_share[std::min(y, envelope.other_share.size() - 1)];
        r.other_mortality = share[s][a] * all_cause[y][s][a] * m.other_causes_scale.value *
                            paths.other_mortality_multiplier[y][s][a] * residual;
        double* incidence = rate_values_.data() + (&r - rates_.data()) * per_cohort;
        double* case_fatality = incidence + n_diseases;
        double* remission = case_fatality + n_diseases;
        double* residual_share = remission + n_diseases;
        r.incidence = {incidence, n_diseases};
        r.case_fatality = {case_fatality, n_diseases};
        r.remission = {remission, n_diseases};
        r.residual_share = {residual_share, n_residual};
        for (std::size_t c = 0; c < n_residual; ++c)
          residual_share[c] =
              residual_share_[c][s][a] * paths.residual_multiplier[c][y][s][a] / residual;
        for (std::size_t d = 0; d < n_diseases; ++d) {
          const Disease& disease = m.diseases[d];
          const auto [incidence_trend, case_fatality_trend] =
              disease_trends(disease, d, envelope, all_cause, paths.case_fatality_share, y, s, a);
          incidence[d] = base_rates_[d][s].incidence[a] * incidence_trend * pif.of(d, y, s, a) *
                         paths.incidence_multiplier[d][y][s][a];
          case_fatality[d] = base_rates_[d][s].case_fatality[a] * case_fatality_trend *
                             paths.case_fatality_multiplier[d][y][s][a];
          remission[d] = disease.remission[s][a];
        }
      }
}

}  // namespace healthcast::health
