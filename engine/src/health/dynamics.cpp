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

// Layout of a cohort's ODE state: the year's flows [N, PY, other deaths, deaths (D), incident
// cases (D)], then the cohort's per-person state as its CohortStateLayout orders it
// (prevalences (D), category shares (K)); all per person alive at tau0.
struct Layout {
  std::size_t diseases, categories;
  std::size_t prevalence_offset, share_offset;  // within the per-person state
  std::size_t n() const { return 0; }
  std::size_t person_years() const { return 1; }
  std::size_t other_deaths() const { return 2; }
  std::size_t deaths(std::size_t d) const { return 3 + d; }
  std::size_t incidence(std::size_t d) const { return 3 + diseases + d; }
  std::size_t state() const { return 3 + 2 * diseases; }  // the per-person state starts here
  std::size_t prevalence(std::size_t d) const { return state() + prevalence_offset + d; }
  std::size_t share(std::size_t k) const { return state() + share_offset + k; }
  std::size_t size() const { return state() + diseases + categories; }
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
  CohortHealthSystem(const Layout& layout, const CohortRates& rates,
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
  const CohortRates& rates_;
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

}  // namespace

HealthDynamics::HealthDynamics(std::shared_ptr<const HealthModel> model,
                               std::shared_ptr<const HealthRates> rates, HealthPaths paths,
                               demography::IntegrationTolerances tolerances)
    : model_(std::move(model)),
      rates_(std::move(rates)),
      paths_(std::move(paths)),
      tolerances_(tolerances) {
  build_state_layout();
  build_base_mean_rr();
  for (const auto& adjustment : paths_.prevalence_adjustments)
    unadjusted_share_.push_back(unadjusted_shares(adjustment, rates_->years()));
  build_cohort_effects();
}

HealthDynamics::HealthDynamics(std::shared_ptr<const HealthModel> model,
                               const std::vector<SexAgeArray>& all_cause, const HealthPaths& paths,
                               demography::IntegrationTolerances tolerances,
                               const CauseEnvelope* envelope)
    : HealthDynamics(model,
                     envelope
                         ? std::make_shared<const HealthRates>(*model, all_cause, paths, *envelope)
                         : std::make_shared<const HealthRates>(*model, all_cause, paths),
                     paths, tolerances) {}

void HealthDynamics::build_state_layout() {
  std::vector<std::string> diseases, categories;
  for (const auto& d : model_->diseases) diseases.push_back(d.name);
  for (const auto& f : model_->categorical) {
    first_category_.push_back(categories.size());
    for (const auto& c : f.categories) categories.push_back(f.name + "/" + c);
  }
  prevalence_block_ = layout_.add(results::var::prevalence, std::move(diseases));
  share_block_ = layout_.add(results::var::risk_factor_share, std::move(categories));
}

// Base-year mean relative risk of each categorical factor over the year of age.
void HealthDynamics::build_base_mean_rr() {
  const HealthModel& m = *model_;
  const std::size_t n_diseases = m.diseases.size();
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
}

HealthDynamics::~HealthDynamics() = default;

void HealthDynamics::build_cohort_effects() {
  const HealthModel& m = *model_;
  for (std::size_t j = 0; j < m.categorical.size(); ++j) {
    const auto& f = m.categorical[j];
    for (std::size_t t = 0; t < f.transitions.size(); ++t) {
      transitions_.emplace_back(share_index(j, f.transitions[t].from),
                                share_index(j, f.transitions[t].to));
      transition_factor_.emplace_back(j, t);
    }
  }
  cohort_effects_.resize(N_SEXES * N_AGES);
  for (std::size_t sex = 0; sex < N_SEXES; ++sex)
    for (std::size_t age = 0; age < N_AGES; ++age) {
      detail::CohortEffects& fx = cohort_effects_[sex * N_AGES + age];
      for (std::size_t j = 0; j < m.categorical.size(); ++j) {
        const auto& f = m.categorical[j];
        for (std::size_t d = 0; d < m.diseases.size(); ++d) {
          const auto it = f.relative_risk.find(m.diseases[d].name);
          if (it != f.relative_risk.end())
            fx.categories.push_back(
                {d, share_index(j, 0), &it->second[sex][age], 1.0 / base_mean_rr_[j][d][sex][age]});
        }
        for (const auto& t : f.transitions) fx.transition_rates.push_back(t.rate[sex][age]);
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
    const HealthPaths::PrevalenceAdjustment& adjustment, std::size_t years) const {
  const CategoricalFactor& f = model_->categorical[adjustment.factor];
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
  for (std::size_t i = 0; i < paths_.prevalence_adjustments.size(); ++i) {
    const auto& adj = paths_.prevalence_adjustments[i];
    if (adj.scale[year] == 1.0 && adj.shift[year] == 0.0) continue;
    const auto shares = layout_.values(state, share_block_);
    double& share = shares[share_index(adj.factor, adj.category)];
    double& receiver = shares[share_index(adj.factor, adj.to)];
    const double target = std::clamp(
        unadjusted_share_[i][year][sex][age] * adj.scale[year] + adj.shift[year], 0.0, 1.0);
    // Move people to reach the target; never more than the giving category holds.
    const double moved = std::clamp(share - target, -receiver, share);
    share -= moved;
    receiver += moved;
  }
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
  const HealthModel& m = *model_;
  const auto pi = layout_.values(state, prevalence_block_);
  for (std::size_t d = 0; d < m.diseases.size(); ++d) pi[d] = m.diseases[d].prevalence[sex][age];
  for (std::size_t j = 0; j < m.categorical.size(); ++j) {
    const auto& f = m.categorical[j];
    const auto shares = layout_.values(state, share_block_);
    for (std::size_t k = 0; k < f.categories.size(); ++k)
      shares[share_index(j, k)] = f.shares[sex][age][k];
  }
}

void HealthDynamics::newborn_state(std::size_t, std::span<double> state) const {
  const HealthModel& m = *model_;
  std::fill(state.begin(), state.end(), 0.0);
  for (std::size_t j = 0; j < m.categorical.size(); ++j)
    layout_.values(state, share_block_)[share_index(j, m.categorical[j].at_birth)] = 1.0;
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
  const auto pi = layout_.values(state, prevalence_block_);
  const auto shares = share_block_ == demography::CohortStateLayout::NONE
                          ? std::span<double>()
                          : layout_.values(state, share_block_);
  const Layout L{pi.size(), shares.size(), layout_.block(prevalence_block_).offset,
                 shares.empty() ? 0 : layout_.block(share_block_).offset};
  out.deaths.assign(m.diseases.size() + m.residual_causes.size() + 1, 0.0);
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
  std::copy(state.begin(), state.end(), y.begin() + static_cast<std::ptrdiff_t>(L.state()));
  const CohortRates& rates = rates_->at(year, sex, age);
  const CohortHealthSystem system(L, rates, fx.categories, work.prevalence_effects, transitions_,
                                  work.transition_rates, work.incidence);
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
    pi[d] = std::clamp(y[L.prevalence(d)], 0.0, 1.0);
  }
  double residual = 0.0;
  for (std::size_t c = 0; c < m.residual_causes.size(); ++c) {
    out.deaths[L.diseases + c] = other * rates.residual_share[c];
    residual += out.deaths[L.diseases + c];
  }
  out.deaths.back() = other - residual;
  for (std::size_t k = 0; k < L.categories; ++k) shares[k] = std::max(0.0, y[L.share(k)]);
}

}  // namespace healthcast::health
