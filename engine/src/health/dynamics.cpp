#include "healthcast/health/dynamics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "healthcast/error.h"

namespace healthcast::health {

namespace detail {

// One categorical factor's effect on one disease for one (sex, age): incidence is multiplied by
// sum_k share_k rr_k / base_mean_rr.
struct CategoryEffect {
  std::size_t disease, first_category;
  const std::vector<double>* rr;  // by category
  double inverse_base_mean_rr;
};
using PrevalenceEffect = HealthDynamics::PrevalenceFactor;

// The parts of one (sex, age)'s within-year system that do not change from year to year,
// built once by the constructor.
struct CohortEffects {
  std::vector<CategoryEffect> categories;
  std::vector<PrevalenceEffect> interactions;
  struct TreatmentEffect {
    std::size_t from, to, treatment;
    double reduction;           // 1 - rr
    double inverse_base_value;  // 1 / (1 - c(base year) (1 - rr) pi_base)
  };
  std::vector<TreatmentEffect> treatments;
  std::vector<double> transition_rates;  // base rates, in the order of transitions_
};

}  // namespace detail

namespace {

using detail::CategoryEffect;
using detail::PrevalenceEffect;

using demography::AGE_MAX;
using demography::CohortOutcome;
using demography::N_AGES;
using demography::N_SEXES;

double next_age_value(const SexAgeArray& v, std::size_t s, std::size_t a) {
  return a < static_cast<std::size_t>(AGE_MAX) ? v[s][a + 1] : v[s][a];
}

// Layout of a cohort's ODE state: [N, PY, other deaths, deaths (D), incident cases (D),
// prevalences (D), category shares (K)]; all per person alive at tau0.
struct Layout {
  std::size_t diseases, categories;
  std::size_t n() const { return 0; }
  std::size_t person_years() const { return 1; }
  std::size_t other_deaths() const { return 2; }
  std::size_t deaths(std::size_t d) const { return 3 + d; }
  std::size_t incidence(std::size_t d) const { return 3 + diseases + d; }
  std::size_t prevalence(std::size_t d) const { return 3 + 2 * diseases + d; }
  std::size_t share(std::size_t k) const { return 3 + 3 * diseases + k; }
  std::size_t size() const { return 3 + 3 * diseases + categories; }
};

// Scratch space of one thread's cohort-year: reused so that the hot path does not allocate.
struct Scratch {
  std::vector<double> y, incidence, transition_rates;
  std::vector<PrevalenceEffect> prevalence_effects;
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// The within-year system of one cohort (MODEL.md §2.1 and §2.2).
class CohortHealthSystem final : public demography::CohortSystem {
 public:
  CohortHealthSystem(const Layout& layout, const HealthDynamics::CohortRates& rates,
                     const std::vector<CategoryEffect>& categories,
                     const std::vector<PrevalenceEffect>& prevalence_effects,
                     const std::vector<std::pair<std::size_t, std::size_t>>& transitions,
                     const std::vector<double>& transition_rates, std::vector<double>& incidence)
      : layout_(layout),
        rates_(rates),
        categories_(categories),
        prevalence_effects_(prevalence_effects),
        transitions_(transitions),
        transition_rates_(transition_rates),
        incidence_(incidence) {}

  void rhs(double, std::span<const double> y, std::span<double> dydt) const override {
    const Layout& L = layout_;
    const double n = y[L.n()];
    const double* pi = &y[L.prevalence(0)];
    const double* share = &y[L.share(0)];
    // Incidence scaled by the categorical risk factors and disease-to-disease effects.
    for (std::size_t d = 0; d < L.diseases; ++d) incidence_[d] = rates_.incidence[d];
    for (const auto& c : categories_) {
      const double* rr = c.rr->data();
      const double* w = share + c.first_category;
      double mean_rr = 0.0;
      for (std::size_t k = 0; k < c.rr->size(); ++k) mean_rr += w[k] * rr[k];
      incidence_[c.disease] *= mean_rr * c.inverse_base_mean_rr;
    }
    for (const auto& e : prevalence_effects_)
      incidence_[e.to] *= (1.0 + e.slope * pi[e.from]) * e.inverse_base_value;

    double excess = 0.0;
    for (std::size_t d = 0; d < L.diseases; ++d) {
      const double f = rates_.case_fatality[d];
      const double fpi = f * pi[d];
      const double healthy = 1.0 - pi[d];
      excess += fpi;
      dydt[L.deaths(d)] = fpi * n;
      dydt[L.incidence(d)] = incidence_[d] * healthy * n;
      dydt[L.prevalence(d)] = incidence_[d] * healthy - rates_.remission[d] * pi[d] - fpi * healthy;
    }
    dydt[L.n()] = -(rates_.other_mortality + excess) * n;
    dydt[L.person_years()] = n;
    dydt[L.other_deaths()] = rates_.other_mortality * n;
    double* dshare = &dydt[L.share(0)];
    for (std::size_t k = 0; k < L.categories; ++k) dshare[k] = 0.0;
    for (std::size_t t = 0; t < transitions_.size(); ++t) {
      const auto [from, to] = transitions_[t];
      const double flow = transition_rates_[t] * share[from];
      dshare[from] -= flow;
      dshare[to] += flow;
    }
  }

 private:
  const Layout& layout_;
  const HealthDynamics::CohortRates& rates_;
  const std::vector<CategoryEffect>& categories_;
  const std::vector<PrevalenceEffect>& prevalence_effects_;
  const std::vector<std::pair<std::size_t, std::size_t>>& transitions_;  // category indices
  const std::vector<double>& transition_rates_;
  std::vector<double>& incidence_;  // scratch
};

// Category shares of one factor change only by its transitions (not by deaths or migration), so
// the shares each cohort would have without an adjustment follow from the base shares alone.
class TransitionSystem final : public demography::CohortSystem {
 public:
  TransitionSystem(const CategoricalFactor& f, const std::vector<double>& rates)
      : f_(f), rates_(rates) {}
  void rhs(double, std::span<const double> y, std::span<double> dydt) const override {
    std::fill(dydt.begin(), dydt.end(), 0.0);
    for (std::size_t t = 0; t < f_.transitions.size(); ++t) {
      const double flow = rates_[t] * y[f_.transitions[t].from];
      dydt[f_.transitions[t].from] -= flow;
      dydt[f_.transitions[t].to] += flow;
    }
  }

 private:
  const CategoricalFactor& f_;
  const std::vector<double>& rates_;
};

double trend_factor(const Trend& trend, std::size_t year, double all_cause_ratio) {
  if (trend.follows_all_cause) return all_cause_ratio;
  if (trend.annual_percent_change == 0.0) return 1.0;
  return std::pow(1.0 + trend.annual_percent_change / 100.0, static_cast<double>(year));
}

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
  p.maternal_risk_per_birth.assign(years, model.maternal_risk_per_birth.value);
  return p;
}

HealthDynamics::HealthDynamics(std::shared_ptr<const HealthModel> model,
                               const std::vector<SexAgeArray>& all_cause, HealthPaths paths,
                               demography::IntegrationTolerances tolerances)
    : model_(std::move(model)), paths_(std::move(paths)), tolerances_(tolerances) {
  const HealthModel& m = *model_;
  const std::size_t years = all_cause.size();
  const std::size_t n_diseases = m.diseases.size();
  if (years == 0) throw Error("the health model needs all-cause rates for at least one year");
  if (paths_.other_mortality_multiplier.size() < years)
    throw Error("health paths cover fewer years than the projection");

  for (const auto& d : m.diseases) {
    std::array<DiseaseRates, N_SEXES> by_sex;
    for (std::size_t s = 0; s < N_SEXES; ++s)
      by_sex[s] = derive_disease_rates(d.prevalence[s], d.mortality[s], d.remission[s]);
    base_rates_.push_back(by_sex);
  }

  // Other-cause mortality in the base year, and the residual causes' shares of it.
  SexAgeArray other_base{};
  residual_share_.assign(m.residual_causes.size(), SexAgeArray{});
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a) {
      double modelled = 0.0;
      for (const auto& d : m.diseases) modelled += d.mortality[s][a];
      const double all = all_cause[0][s][a];
      other_base[s][a] = all - modelled;
      if (other_base[s][a] < OTHER_CAUSE_FLOOR * all) {
        other_base[s][a] = OTHER_CAUSE_FLOOR * all;
        ++floor_hits_;
      }
      double residual = 0.0;
      for (const auto& c : m.residual_causes) residual += c.mortality[s][a];
      const double scale = residual > other_base[s][a] ? other_base[s][a] / residual : 1.0;
      for (std::size_t c = 0; c < m.residual_causes.size(); ++c)
        residual_share_[c][s][a] =
            other_base[s][a] > 0.0 ? scale * m.residual_causes[c].mortality[s][a] / other_base[s][a]
                                   : 0.0;
    }

  // Continuous exposures, with mediation: a factor acting through another moves its mean.
  const std::size_t n_continuous = m.continuous.size();
  effective_mean_ = paths_.continuous_mean;
  auto& effective_mean = effective_mean_;
  for (std::size_t j = 0; j < n_continuous; ++j) {
    const auto& through = m.continuous[j].acts_through;
    if (!through) continue;
    std::size_t k = 0;
    while (m.continuous[k].name != through->factor) ++k;
    for (std::size_t y = 0; y < years; ++y)
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t a = 0; a < N_AGES; ++a)
          effective_mean[k][y][s][a] +=
              through->per_unit.value *
              (paths_.continuous_mean[j][y][s][a] - paths_.continuous_mean[j][0][s][a]);
  }
  // Log RR of each exposure-response curve, [factor][disease][age][level], taken once here.
  std::vector<std::map<std::string, std::array<std::vector<double>, N_AGES>>> log_curves(
      n_continuous);
  for (std::size_t j = 0; j < n_continuous; ++j)
    for (const auto& [disease, curve] : m.continuous[j].curves) {
      auto& by_age = log_curves[j][disease];
      for (std::size_t a = 0; a < N_AGES; ++a)
        for (double rr : curve.rr[a]) by_age[a].push_back(std::log(rr));
    }
  const auto mean_rr = [&](const ContinuousFactor& f, std::size_t j, const std::string& disease,
                           std::size_t y, std::size_t s, std::size_t a) {
    const double mu = effective_mean[j][y][s][a], sd = paths_.continuous_sd[j][y][s][a];
    if (const auto it = f.log_linear.find(disease); it != f.log_linear.end()) {
      const auto& ll = it->second;
      const double rr = ll.rr[s][a];
      return mean_relative_risk(
          f.family, mu, sd, [&](double x) { return log_linear_rr(x, rr, ll.per, ll.tmrel); },
          ll.tmrel);
    }
    if (const auto it = f.curves.find(disease); it != f.curves.end()) {
      const auto& exposure = it->second.exposure;
      const auto& log_rr = log_curves[j].at(disease)[a];
      return mean_relative_risk(
          f.family, mu, sd, [&](double x) { return curve_rr(x, exposure, log_rr); }, 0.0);
    }
    return 1.0;
  };
  const auto same_exposure = [&](std::size_t j, std::size_t y, std::size_t s, std::size_t a) {
    return effective_mean[j][y][s][a] == effective_mean[j][0][s][a] &&
           paths_.continuous_sd[j][y][s][a] == paths_.continuous_sd[j][0][s][a];
  };
  const auto index_of_factor = [&](const std::string& name) {
    for (std::size_t j = 0; j < n_continuous; ++j)
      if (m.continuous[j].name == name) return j;
    throw Error(fmt::format("no continuous factor '{}'", name));
  };

  // Which continuous factors act on each disease, and each treatment's factor: looked up once,
  // not in the loop over years and ages below.
  std::vector<std::vector<std::size_t>> factors_of(n_diseases);
  for (std::size_t d = 0; d < n_diseases; ++d)
    for (std::size_t j = 0; j < n_continuous; ++j)
      if (m.continuous[j].log_linear.count(m.diseases[d].name) ||
          m.continuous[j].curves.count(m.diseases[d].name))
        factors_of[d].push_back(j);
  std::vector<std::size_t> treatment_factor(m.treatments.size(), 0);
  // effect_on[t][d]: treatment t's effect on disease d, null when it has none here.
  std::vector<std::vector<const Uncertain*>> effect_on(m.treatments.size(),
                                                       std::vector<const Uncertain*>(n_diseases));
  for (std::size_t t = 0; t < m.treatments.size(); ++t) {
    if (m.treatments[t].affected_factor.empty()) continue;
    treatment_factor[t] = index_of_factor(m.treatments[t].affected_factor);
    for (std::size_t d = 0; d < n_diseases; ++d)
      if (const auto it = m.treatments[t].effects.find(m.diseases[d].name);
          it != m.treatments[t].effects.end())
        effect_on[t][d] = &it->second;
  }

  // Base-year mean RR of each continuous factor and disease, [factor][disease][sex][age],
  // computed the first time a later year's exposure differs from it.
  std::vector<double> base_continuous_rr(n_continuous * n_diseases * N_SEXES * N_AGES,
                                         std::numeric_limits<double>::quiet_NaN());
  rates_.resize(years * N_SEXES * N_AGES);
  rate_values_.assign(rates_.size() * 3 * n_diseases, 0.0);
  for (std::size_t y = 0; y < years; ++y)
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a) {
        CohortRates& r = rates_[(y * N_SEXES + s) * N_AGES + a];
        const double all_cause_ratio =
            all_cause[0][s][a] > 0.0 ? all_cause[y][s][a] / all_cause[0][s][a] : 1.0;
        // Named residual causes move their part of other-cause mortality.
        double residual = 1.0;
        for (std::size_t c = 0; c < m.residual_causes.size(); ++c)
          residual += residual_share_[c][s][a] * (paths_.residual_multiplier[c][y][s][a] - 1.0);
        r.other_mortality = other_base[s][a] * all_cause_ratio *
                            paths_.other_mortality_multiplier[y][s][a] * residual;
        double* incidence = rate_values_.data() + (&r - rates_.data()) * 3 * n_diseases;
        double* case_fatality = incidence + n_diseases;
        double* remission = case_fatality + n_diseases;
        r.incidence = {incidence, n_diseases};
        r.case_fatality = {case_fatality, n_diseases};
        r.remission = {remission, n_diseases};
        for (std::size_t d = 0; d < n_diseases; ++d) {
          const Disease& disease = m.diseases[d];
          double pif = 1.0;
          for (const std::size_t j : factors_of[d]) {
            const auto& f = m.continuous[j];
            // Years whose exposure is the base year's need no quadrature: their ratio is 1.
            if (same_exposure(j, y, s, a)) continue;
            double& base = base_continuous_rr[((j * n_diseases + d) * N_SEXES + s) * N_AGES + a];
            if (std::isnan(base)) base = mean_rr(f, j, disease.name, 0, s, a);
            pif *= mean_rr(f, j, disease.name, y, s, a) / base;
          }
          for (std::size_t t = 0; t < m.treatments.size(); ++t) {
            const Treatment& tr = m.treatments[t];
            const Uncertain* effect = effect_on[t][d];
            if (effect == nullptr) continue;
            const std::size_t j = treatment_factor[t];
            if (same_exposure(j, y, s, a) && paths_.coverage[t][y] == paths_.coverage[t][0])
              continue;
            const auto& f = m.continuous[j];
            const double reduction = 1.0 - effect->value;
            const double h = share_above(f.family, effective_mean[j][y][s][a],
                                         paths_.continuous_sd[j][y][s][a], tr.threshold);
            const double h0 = share_above(f.family, effective_mean[j][0][s][a],
                                          paths_.continuous_sd[j][0][s][a], tr.threshold);
            pif *= (1.0 - paths_.coverage[t][y] * h * reduction) /
                   (1.0 - paths_.coverage[t][0] * h0 * reduction);
          }
          incidence[d] = base_rates_[d][s].incidence[a] *
                         trend_factor(disease.incidence_trend, y, all_cause_ratio) * pif *
                         paths_.incidence_multiplier[d][y][s][a];
          case_fatality[d] = base_rates_[d][s].case_fatality[a] *
                             trend_factor(disease.case_fatality_trend, y, all_cause_ratio) *
                             paths_.case_fatality_multiplier[d][y][s][a];
          remission[d] = disease.remission[s][a];
        }
      }

  // Base-year mean relative risk of each categorical factor over the year of age.
  for (const auto& f : m.categorical) {
    std::vector<SexAgeArray> by_disease(n_diseases);
    for (std::size_t d = 0; d < n_diseases; ++d) {
      const auto it = f.relative_risk.find(m.diseases[d].name);
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t a = 0; a < N_AGES; ++a) {
          if (it == f.relative_risk.end()) {
            by_disease[d][s][a] = 1.0;
            continue;
          }
          const auto& rr = it->second[s][a];
          const std::size_t a1 = std::min<std::size_t>(a + 1, AGE_MAX);
          double now = 0.0, next = 0.0;
          for (std::size_t k = 0; k < rr.size(); ++k) {
            now += f.shares[s][a][k] * rr[k];
            next += f.shares[s][a1][k] * rr[k];
          }
          by_disease[d][s][a] = 0.5 * (now + next);
        }
    }
    base_mean_rr_.push_back(std::move(by_disease));
  }
  for (const auto& adjustment : paths_.prevalence_adjustments)
    unadjusted_share_.push_back(unadjusted_shares(m, adjustment, years));
  build_cohort_effects();
}

HealthDynamics::~HealthDynamics() = default;

void HealthDynamics::build_cohort_effects() {
  const HealthModel& m = *model_;
  std::size_t first = 0;
  for (std::size_t j = 0; j < m.categorical.size(); ++j) {
    const auto& f = m.categorical[j];
    for (std::size_t t = 0; t < f.transitions.size(); ++t) {
      transitions_.emplace_back(first + f.transitions[t].from, first + f.transitions[t].to);
      transition_factor_.emplace_back(j, t);
    }
    first += f.categories.size();
  }
  cohort_effects_.resize(N_SEXES * N_AGES);
  for (std::size_t sex = 0; sex < N_SEXES; ++sex)
    for (std::size_t age = 0; age < N_AGES; ++age) {
      detail::CohortEffects& fx = cohort_effects_[sex * N_AGES + age];
      first = 0;
      for (std::size_t j = 0; j < m.categorical.size(); ++j) {
        const auto& f = m.categorical[j];
        for (std::size_t d = 0; d < m.diseases.size(); ++d) {
          const auto it = f.relative_risk.find(m.diseases[d].name);
          if (it != f.relative_risk.end())
            fx.categories.push_back(
                {d, first, &it->second[sex][age], 1.0 / base_mean_rr_[j][d][sex][age]});
        }
        for (const auto& t : f.transitions) fx.transition_rates.push_back(t.rate[sex][age]);
        first += f.categories.size();
      }
      // Prevalence-dependent factors are relative to their value at the base-year prevalence
      // over the year of age.
      const auto base_prevalence = [&](std::size_t disease) {
        const auto& p = m.diseases[disease].prevalence;
        return 0.5 * (p[sex][age] + next_age_value(p, sex, age));
      };
      for (const auto& i : m.interactions) {
        const std::size_t from = m.disease_index(i.from), to = m.disease_index(i.to);
        const double slope = (i.rr_by_age ? (*i.rr_by_age)[sex][age] : i.rr.value) - 1.0;
        fx.interactions.push_back({from, to, slope, 1.0 / (1.0 + slope * base_prevalence(from))});
      }
      for (std::size_t t = 0; t < m.treatments.size(); ++t) {
        const Treatment& tr = m.treatments[t];
        if (tr.affected_disease.empty()) continue;
        const std::size_t from = m.disease_index(tr.affected_disease);
        for (const auto& [disease, rr] : tr.effects) {
          const double reduction = 1.0 - rr.value;
          fx.treatments.push_back(
              {from, m.disease_index(disease), t, reduction,
               1.0 / (1.0 - paths_.coverage[t][0] * reduction * base_prevalence(from))});
        }
      }
    }
}

std::vector<SexAgeArray> HealthDynamics::unadjusted_shares(
    const HealthModel& m, const HealthPaths::PrevalenceAdjustment& adjustment,
    std::size_t years) const {
  const CategoricalFactor& f = m.categorical[adjustment.factor];
  const std::size_t k = f.categories.size();
  std::vector<SexAgeArray> out(years);
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    std::vector<std::vector<double>> shares = f.shares[s];  // [age][category] at 1 January
    for (std::size_t y = 0; y < years; ++y) {
      for (std::size_t a = 0; a < N_AGES; ++a) out[y][s][a] = shares[a][adjustment.category];
      std::vector<std::vector<double>> next(N_AGES, std::vector<double>(k, 0.0));
      std::vector<double> rates(f.transitions.size());
      const auto advance = [&](std::size_t age, std::vector<double> y0, double tau0) {
        for (std::size_t t = 0; t < f.transitions.size(); ++t)
          rates[t] =
              f.transitions[t].rate[s][age] * paths_.transition_multiplier[adjustment.factor][t][y];
        demography::integrate_year(TransitionSystem(f, rates), y0, tau0, tolerances_);
        return y0;
      };
      // The open group takes the cohort from 99 (its survivors outnumber the oldest).
      for (std::size_t a = 0; a + 1 < N_AGES; ++a) next[a + 1] = advance(a, shares[a], 0.0);
      std::vector<double> newborn(k, 0.0);
      newborn[f.at_birth] = 1.0;
      next[0] = advance(0, newborn, 0.5);
      shares = std::move(next);
    }
  }
  return out;
}

void HealthDynamics::adjust_state(std::size_t year, std::size_t sex, std::size_t age,
                                  std::span<double> state) const {
  const HealthModel& m = *model_;
  for (std::size_t i = 0; i < paths_.prevalence_adjustments.size(); ++i) {
    const auto& adj = paths_.prevalence_adjustments[i];
    if (adj.scale[year] == 1.0 && adj.shift[year] == 0.0) continue;
    std::size_t first = m.diseases.size();
    for (std::size_t j = 0; j < adj.factor; ++j) first += m.categorical[j].categories.size();
    double& share = state[first + adj.category];
    double& receiver = state[first + adj.to];
    const double target = std::clamp(
        unadjusted_share_[i][year][sex][age] * adj.scale[year] + adj.shift[year], 0.0, 1.0);
    // Move people to reach the target; never more than the giving category holds.
    const double moved = std::clamp(share - target, -receiver, share);
    share -= moved;
    receiver += moved;
  }
}

std::size_t HealthDynamics::categories() const {
  std::size_t k = 0;
  for (const auto& f : model_->categorical) k += f.categories.size();
  return k;
}

const HealthDynamics::CohortRates& HealthDynamics::rates(std::size_t year, std::size_t sex,
                                                         std::size_t age) const {
  return rates_[(year * N_SEXES + sex) * N_AGES + age];
}

std::vector<std::string> HealthDynamics::state_names() const {
  std::vector<std::string> names;
  for (const auto& d : model_->diseases) names.push_back("prevalence/" + d.name);
  for (const auto& f : model_->categorical)
    for (const auto& c : f.categories) names.push_back(f.name + "/" + c);
  return names;
}

std::vector<std::string> HealthDynamics::cause_names() const {
  std::vector<std::string> names = disease_names();
  for (const auto& c : model_->residual_causes) names.push_back(c.name);
  names.push_back("other");
  return names;
}

std::vector<std::string> HealthDynamics::disease_names() const {
  std::vector<std::string> names;
  for (const auto& d : model_->diseases) names.push_back(d.name);
  return names;
}

void HealthDynamics::initial_state(std::size_t sex, std::size_t age,
                                   std::span<double> state) const {
  std::size_t i = 0;
  for (const auto& d : model_->diseases) state[i++] = d.prevalence[sex][age];
  for (const auto& f : model_->categorical)
    for (std::size_t k = 0; k < f.categories.size(); ++k) state[i++] = f.shares[sex][age][k];
}

void HealthDynamics::newborn_state(std::size_t, std::span<double> state) const {
  std::size_t i = 0;
  for (std::size_t d = 0; d < model_->diseases.size(); ++d) state[i++] = 0.0;
  for (const auto& f : model_->categorical)
    for (std::size_t k = 0; k < f.categories.size(); ++k) state[i++] = k == f.at_birth ? 1.0 : 0.0;
}

void HealthDynamics::prevalence_factors(std::size_t year, std::size_t sex, std::size_t age,
                                        std::vector<PrevalenceFactor>& out) const {
  const detail::CohortEffects& fx = cohort_effects_[sex * N_AGES + age];
  out.assign(fx.interactions.begin(), fx.interactions.end());
  for (const auto& t : fx.treatments)
    // The factor is 1 - c(y) (1 - rr) pi, relative to its base value.
    out.push_back(
        {t.from, t.to, -paths_.coverage[t.treatment][year] * t.reduction, t.inverse_base_value});
}

void HealthDynamics::advance(std::size_t year, std::size_t sex, std::size_t age, double n0,
                             double tau0, std::span<double> state, CohortOutcome& out) const {
  const HealthModel& m = *model_;
  const Layout L{m.diseases.size(), categories()};
  const std::size_t n_causes = m.diseases.size() + m.residual_causes.size() + 1;
  out.deaths.assign(n_causes, 0.0);
  out.incidence.assign(L.diseases, 0.0);
  out.survivors = std::max(n0, 0.0);
  out.person_years = 0.0;
  if (n0 <= 0.0 || tau0 >= 1.0) return;

  // This cohort-year's system: the year-independent effects, with this year's coverage and
  // transition multipliers.
  const detail::CohortEffects& fx = cohort_effects_[sex * N_AGES + age];
  Scratch& work = scratch();
  prevalence_factors(year, sex, age, work.prevalence_effects);
  work.transition_rates.resize(transitions_.size());
  for (std::size_t i = 0; i < transitions_.size(); ++i)
    work.transition_rates[i] =
        fx.transition_rates[i] *
        paths_
            .transition_multiplier[transition_factor_[i].first][transition_factor_[i].second][year];
  work.incidence.resize(L.diseases);
  auto& y = work.y;
  y.assign(L.size(), 0.0);
  y[L.n()] = 1.0;
  for (std::size_t d = 0; d < L.diseases; ++d) y[L.prevalence(d)] = state[d];
  for (std::size_t k = 0; k < L.categories; ++k) y[L.share(k)] = state[L.diseases + k];
  const CohortHealthSystem system(L, rates(year, sex, age), fx.categories, work.prevalence_effects,
                                  transitions_, work.transition_rates, work.incidence);
  demography::integrate_year(system, y, tau0, tolerances_);

  out.survivors = n0 * y[L.n()];
  out.person_years = n0 * y[L.person_years()];
  // Deaths by cause sum exactly to n0 - survivors, so that the population balances.
  double integrated = y[L.other_deaths()];
  for (std::size_t d = 0; d < L.diseases; ++d) integrated += y[L.deaths(d)];
  const double scale = integrated > 0.0 ? (n0 - out.survivors) / (n0 * integrated) : 0.0;
  const double other = n0 * y[L.other_deaths()] * scale;
  for (std::size_t d = 0; d < L.diseases; ++d) {
    out.deaths[d] = n0 * y[L.deaths(d)] * scale;
    out.incidence[d] = n0 * y[L.incidence(d)];
    state[d] = std::clamp(y[L.prevalence(d)], 0.0, 1.0);
  }
  double residual = 0.0, moved = 1.0;
  for (std::size_t c = 0; c < m.residual_causes.size(); ++c)
    moved += residual_share_[c][sex][age] * (paths_.residual_multiplier[c][year][sex][age] - 1.0);
  for (std::size_t c = 0; c < m.residual_causes.size(); ++c) {
    const double share =
        residual_share_[c][sex][age] * paths_.residual_multiplier[c][year][sex][age] / moved;
    out.deaths[L.diseases + c] = other * share;
    residual += out.deaths[L.diseases + c];
  }
  out.deaths.back() = other - residual;
  for (std::size_t k = 0; k < L.categories; ++k)
    state[L.diseases + k] = std::max(0.0, y[L.share(k)]);
}

}  // namespace healthcast::health
