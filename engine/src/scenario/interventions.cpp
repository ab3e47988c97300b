#include "healthcast/scenario/interventions.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "healthcast/names.h"

namespace healthcast::scenario {

namespace {

using demography::N_AGES;
using demography::N_SEXES;
using demography::SexAgeArray;

[[noreturn]] void fail(const Intervention& iv, const std::string& field,
                       const std::string& problem) {
  throw InputError(iv.where, field, fmt::format("intervention '{}': {}", iv.name, problem));
}

const health::HealthModel& need_model(const Intervention& iv, const InterventionTarget& t) {
  if (!t.model || !t.paths)
    fail(iv, "kind",
         fmt::format("kind '{}' acts on the health model, and the scenario has none (add "
                     "'health:' under 'inputs')",
                     to_string(iv.kind)));
  return *t.model;
}

// Exactly one of the keys must be given.
std::string one_of(const Intervention& iv, const std::vector<std::pair<std::string, bool>>& keys) {
  std::string given;
  std::vector<std::string> names;
  for (const auto& [key, present] : keys) {
    names.push_back(key);
    if (present) {
      if (!given.empty()) fail(iv, key, fmt::format("give only one of {}", fmt::join(names, ", ")));
      given = key;
    }
  }
  if (given.empty())
    fail(iv, "kind",
         fmt::format("kind '{}' needs one of: {}", to_string(iv.kind), fmt::join(names, ", ")));
  return given;
}

std::size_t years_of(const InterventionTarget& t) { return t.region.fertility.size(); }

// w(t) for each projected year.
double weight(const Intervention& iv, const InterventionTarget& t, std::size_t y) {
  return iv.ramp.weight(t.base_year + static_cast<int>(y));
}

bool applies(const Intervention& iv, std::size_t sex, std::size_t age) {
  if (static_cast<int>(age) < iv.age_from || static_cast<int>(age) > iv.age_to) return false;
  if (iv.sexes.empty()) return true;
  const std::string_view name = demography::sex_name(sex);
  return std::find(iv.sexes.begin(), iv.sexes.end(), name) != iv.sexes.end();
}

// Multiplies a [year] path of sex-age arrays by 1 + w (multiply - 1) where the intervention
// applies.
void multiply_path(const Intervention& iv, const InterventionTarget& t,
                   std::vector<SexAgeArray>& path, double factor) {
  for (std::size_t y = 0; y < path.size(); ++y) {
    const double f = 1.0 + weight(iv, t, y) * (factor - 1.0);
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a)
        if (applies(iv, s, a)) path[y][s][a] *= f;
  }
}

// Names of a list of named things (factors, diseases, treatments, causes).
template <class T>
std::vector<std::string> names_of(const std::vector<T>& items) {
  std::vector<std::string> names;
  for (const auto& item : items) names.push_back(item.name);
  return names;
}

// Position of `name` in `names`; fails at the intervention's `field` otherwise.
std::size_t index_in(const Intervention& iv, const std::vector<std::string>& names,
                     const std::string& name, const std::string& field, const std::string& what,
                     const std::string& label) {
  if (const auto i = find_name(names, name)) return *i;
  fail(iv, field, unknown_name(name, what, label, names));
}

std::size_t categorical_index(const Intervention& iv, const health::HealthModel& m) {
  return index_in(iv, names_of(m.categorical), iv.factor, "factor", "a categorical risk factor",
                  "the health model has");
}

std::size_t category_index(const Intervention& iv, const health::CategoricalFactor& f,
                           const std::string& label, const std::string& field) {
  return index_in(iv, f.categories, label, field, fmt::format("a category of '{}'", f.name),
                  "categories");
}

std::size_t disease_index(const Intervention& iv, const health::HealthModel& m,
                          const std::string& name) {
  return index_in(iv, names_of(m.diseases), name, "diseases", "a disease of the health model",
                  "diseases");
}

void risk_factor_prevalence(const Intervention& iv, InterventionTarget& t) {
  const auto& m = need_model(iv, t);
  const std::size_t j = categorical_index(iv, m);
  const auto& f = m.categorical[j];
  health::HealthPaths::PrevalenceAdjustment adj;
  adj.factor = j;
  adj.category = category_index(iv, f, iv.category, "category");
  adj.to = iv.to.empty() ? 0 : category_index(iv, f, iv.to, "to");
  if (adj.to == adj.category)
    fail(iv, "to", "people must move to another category than the one changed");
  const auto key = one_of(iv, {{"scale", iv.scale.has_value()},
                               {"shift", iv.shift.has_value()},
                               {"reach", iv.reach.has_value()}});
  if (key == "reach") fail(iv, "reach", "was not resolved against a projection (internal)");
  const std::size_t years = years_of(t);
  for (std::size_t y = 0; y < years; ++y) {
    const double w = weight(iv, t, y);
    adj.scale.push_back(iv.scale ? 1.0 + w * (*iv.scale - 1.0) : 1.0);
    adj.shift.push_back(iv.shift ? w * *iv.shift / 100.0 : 0.0);  // percentage points
  }
  t.paths->prevalence_adjustments.push_back(std::move(adj));
}

// A mean outside the factor's plausible range (health.yaml `plausible`) is a mistyped lever:
// it would make the within-year integration stiff or give rates that are not numbers.
void check_plausible(const Intervention& iv, const InterventionTarget& t,
                     const health::ContinuousFactor& f, double mean, std::size_t y, std::size_t s,
                     std::size_t a) {
  if (!f.plausible || (mean >= (*f.plausible)[0] && mean <= (*f.plausible)[1])) return;
  const std::string key = iv.scale ? "scale" : "shift";
  fail(iv, key,
       fmt::format("{} {} makes the mean of '{}' {:.4g} {} (year {}, {}, age {}); plausible "
                   "means are {:g} to {:g} {} (the health model's 'plausible')",
                   key, iv.scale ? *iv.scale : *iv.shift, f.name, mean, f.unit,
                   t.base_year + static_cast<int>(y), s == 0 ? "female" : "male", a,
                   (*f.plausible)[0], (*f.plausible)[1], f.unit));
}

void risk_factor_mean(const Intervention& iv, InterventionTarget& t) {
  const auto& m = need_model(iv, t);
  const std::size_t j = index_in(iv, names_of(m.continuous), iv.factor, "factor",
                                 "a continuous risk factor", "the health model has");
  const auto key = one_of(iv, {{"scale", iv.scale.has_value()},
                               {"shift", iv.shift.has_value()},
                               {"reach", iv.reach.has_value()}});
  if (key == "reach") fail(iv, "reach", "was not resolved against a projection (internal)");
  auto& path = t.paths->continuous_mean[j];
  for (std::size_t y = 0; y < path.size(); ++y) {
    const double w = weight(iv, t, y);
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a) {
        if (!applies(iv, s, a)) continue;
        if (iv.scale) path[y][s][a] *= 1.0 + w * (*iv.scale - 1.0);
        if (iv.shift) path[y][s][a] += w * *iv.shift;
        check_plausible(iv, t, m.continuous[j], path[y][s][a], y, s, a);
      }
  }
}

void transition_rate(const Intervention& iv, InterventionTarget& t) {
  const auto& m = need_model(iv, t);
  const std::size_t j = categorical_index(iv, m);
  const auto& f = m.categorical[j];
  const std::size_t from = category_index(iv, f, iv.from, "from");
  const std::size_t to = category_index(iv, f, iv.to, "to");
  if (!iv.multiply) fail(iv, "multiply", "kind 'transition_rate' needs 'multiply'");
  for (std::size_t k = 0; k < f.transitions.size(); ++k) {
    if (f.transitions[k].from != from || f.transitions[k].to != to) continue;
    auto& path = t.paths->transition_multiplier[j][k];
    for (std::size_t y = 0; y < path.size(); ++y)
      path[y] *= 1.0 + weight(iv, t, y) * (*iv.multiply - 1.0);
    return;
  }
  fail(iv, "from", fmt::format("'{}' has no transition from '{}' to '{}'", f.name, iv.from, iv.to));
}

void treatment_coverage(const Intervention& iv, InterventionTarget& t) {
  const auto& m = need_model(iv, t);
  const std::size_t k = index_in(iv, names_of(m.treatments), iv.treatment, "treatment",
                                 "a treatment of the health model", "treatments");
  if (!iv.reach || *iv.reach < 0.0 || *iv.reach > 1.0)
    fail(iv, "reach", "kind 'treatment_coverage' needs 'reach', a share from 0 to 1");
  auto& path = t.paths->coverage[k];
  for (std::size_t y = 0; y < path.size(); ++y) {
    const double w = weight(iv, t, y);
    path[y] = (1.0 - w) * path[y] + w * *iv.reach;
  }
}

void disease_rate(const Intervention& iv, InterventionTarget& t, bool incidence) {
  const auto& m = need_model(iv, t);
  if (iv.diseases.empty()) fail(iv, "diseases", "name the diseases, e.g. [lung_cancer]");
  if (!iv.multiply)
    fail(iv, "multiply", fmt::format("kind '{}' needs 'multiply'", to_string(iv.kind)));
  for (const auto& name : iv.diseases) {
    const std::size_t d = disease_index(iv, m, name);
    auto& path =
        incidence ? t.paths->incidence_multiplier[d] : t.paths->case_fatality_multiplier[d];
    multiply_path(iv, t, path, *iv.multiply);
  }
}

void other_mortality(const Intervention& iv, InterventionTarget& t) {
  if (!iv.multiply) fail(iv, "multiply", "kind 'other_mortality' needs 'multiply'");
  if (!t.paths) {
    // Without a health model all mortality is "other".
    if (!iv.causes.empty()) need_model(iv, t);
    multiply_path(iv, t, t.region.death_rate, *iv.multiply);
    return;
  }
  if (iv.causes.empty()) {
    multiply_path(iv, t, t.paths->other_mortality_multiplier, *iv.multiply);
    return;
  }
  const auto& m = *t.model;
  for (const auto& cause : iv.causes) {
    const std::size_t c = index_in(iv, names_of(m.residual_causes), cause, "causes",
                                   "a residual cause of the health model", "causes");
    multiply_path(iv, t, t.paths->residual_multiplier[c], *iv.multiply);
  }
}

void fertility(const Intervention& iv, InterventionTarget& t) {
  one_of(iv, {{"scale", iv.scale.has_value()}, {"reach_tfr", iv.reach_tfr.has_value()}});
  for (std::size_t y = 0; y < t.region.fertility.size(); ++y) {
    auto& asfr = t.region.fertility[y];
    const double w = weight(iv, t, y);
    double factor = 1.0;
    if (iv.scale) {
      factor = 1.0 + w * (*iv.scale - 1.0);
    } else {
      double tfr = 0.0;
      for (double f : asfr) tfr += f;
      if (tfr > 0.0) factor = ((1.0 - w) * tfr + w * *iv.reach_tfr) / tfr;
    }
    for (double& f : asfr) f *= factor;
  }
}

void migration(const Intervention& iv, InterventionTarget& t) {
  if (!iv.scale) fail(iv, "scale", "kind 'migration' needs 'scale'");
  for (std::size_t y = 0; y < t.region.net_migration.size(); ++y) {
    const double f = 1.0 + weight(iv, t, y) * (*iv.scale - 1.0);
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a)
        if (applies(iv, s, a)) t.region.net_migration[y][s][a] *= f;
  }
}

void maternal_mortality(const Intervention& iv, InterventionTarget& t) {
  need_model(iv, t);
  one_of(iv, {{"scale", iv.scale.has_value()}, {"reach", iv.reach.has_value()}});
  auto& path = t.paths->maternal_risk_per_birth;
  for (std::size_t y = 0; y < path.size(); ++y) {
    const double w = weight(iv, t, y);
    path[y] = iv.scale ? path[y] * (1.0 + w * (*iv.scale - 1.0))
                       : (1.0 - w) * path[y] + w * *iv.reach / 1e5;  // per 100,000 births
  }
}

void apply(const Intervention& iv, InterventionTarget& t) {
  switch (iv.kind) {
    case InterventionKind::risk_factor_prevalence:
      return risk_factor_prevalence(iv, t);
    case InterventionKind::risk_factor_mean:
      return risk_factor_mean(iv, t);
    case InterventionKind::transition_rate:
      return transition_rate(iv, t);
    case InterventionKind::treatment_coverage:
      return treatment_coverage(iv, t);
    case InterventionKind::incidence:
      return disease_rate(iv, t, true);
    case InterventionKind::case_fatality:
      return disease_rate(iv, t, false);
    case InterventionKind::other_mortality:
      return other_mortality(iv, t);
    case InterventionKind::fertility:
      return fertility(iv, t);
    case InterventionKind::migration:
      return migration(iv, t);
    case InterventionKind::maternal_mortality:
      return maternal_mortality(iv, t);
  }
}

}  // namespace

bool reach_needs_projection(const Intervention& iv) {
  return iv.reach && (iv.kind == InterventionKind::risk_factor_prevalence ||
                      iv.kind == InterventionKind::risk_factor_mean);
}

void apply_interventions(const std::vector<Intervention>& interventions,
                         InterventionTarget& target) {
  for (const auto& iv : interventions) apply(iv, target);
}

}  // namespace healthcast::scenario
