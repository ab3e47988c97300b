// The coherent reference (issue 13, MODEL.md §2.1): with the health model the reference's
// all-cause mortality is the mortality forecast's; the unnamed other causes keep their floor;
// an uncertain input never narrows the spread of all-cause mortality.
#include <algorithm>
#include <cmath>
#include <memory>

#include <gtest/gtest.h>

#include "healthcast/demography/projection.h"
#include "healthcast/health/coherence.h"
#include "healthcast/health/dynamics.h"
#include "healthcast/health/sampling.h"

using namespace healthcast;
using namespace healthcast::health;
using demography::N_AGES;
using demography::N_SEXES;

namespace {

constexpr std::size_t YEARS = 31;

// Gompertz all-cause mortality falling 2% a year (faster for women).
std::vector<SexAgeArray> falling_mortality() {
  std::vector<SexAgeArray> m(YEARS);
  for (std::size_t y = 0; y < YEARS; ++y)
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a)
        m[y][s][a] = (0.0004 + 0.0002 * double(s)) * std::exp(0.085 * double(a)) *
                     std::exp(-(0.025 - 0.005 * double(s)) * double(y));
  return m;
}

// A chronic disease whose prevalence rises with age and whose deaths are `share` of all-cause
// mortality in the base year, both trends following all-cause mortality.
Disease age_disease(const std::string& name, const SexAgeArray& all_base, double share) {
  Disease d;
  d.name = name;
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a) {
      d.prevalence[s][a] = std::min(0.6, 0.008 * std::max(0.0, double(a) - 30.0));
      d.mortality[s][a] = d.prevalence[s][a] > 0.0 ? share * all_base[s][a] : 0.0;
    }
  d.incidence_trend.follows_all_cause = d.case_fatality_trend.follows_all_cause = true;
  return d;
}

demography::RegionInputs region(const std::vector<SexAgeArray>& m) {
  demography::RegionInputs r;
  r.name = "r";
  for (auto& ages : r.population) ages.fill(1000.0);
  r.death_rate = m;
  r.fertility.assign(YEARS, demography::AgeArray{});
  for (auto& year : r.fertility)
    for (std::size_t a = 20; a < 35; ++a) year[a] = 0.1;
  r.sex_ratio_at_birth.assign(YEARS, 1.05);
  r.net_migration.assign(YEARS, SexAgeArray{});
  return r;
}

results::Dataset project(demography::RegionInputs r) {
  return demography::project({2020, 2020 + int(YEARS) - 1, {std::move(r)}, {}});
}

double e0(const results::Dataset& ds, std::size_t y, std::size_t s) {
  return ds.variable("life_expectancy").at({y, 0, s, 0});
}

}  // namespace

TEST(Coherence, ReferenceAllCauseIsTheForecastAndInterventionsMoveIt) {
  const auto m = falling_mortality();
  auto model = std::make_shared<HealthModel>();
  model->diseases.push_back(age_disease("heart", m[0], 0.3));
  model->diseases.push_back(age_disease("lung", m[0], 0.15));
  const auto paths = reference_paths(*model, YEARS);
  const auto envelope = fit_cause_envelope(model, m, paths, demography::IntegrationTolerances{});
  EXPECT_EQ(envelope.floor_hits, 0u);

  const auto without = project(region(m));
  auto with_health = region(m);
  with_health.dynamics = std::make_shared<HealthDynamics>(
      model, m, paths, demography::IntegrationTolerances{}, &envelope);
  const auto with = project(with_health);
  for (std::size_t y = 0; y < YEARS; ++y)
    for (std::size_t s = 0; s < 3; ++s) EXPECT_NEAR(e0(with, y, s), e0(without, y, s), 0.01) << y;
  // Each disease's death rate follows the forecast: its base share of all-cause mortality.
  for (const std::size_t y : {std::size_t{10}, YEARS - 1})
    for (const std::size_t a : {60, 75}) {
      const double py = with.variable("person_years").at({y, 0, 1, a});
      EXPECT_NEAR(with.variable("deaths_by_cause").at({y, 0, 1, a, 0}) / py / m[y][1][a], 0.3, 3e-3)
          << y << " " << a;
    }
  // The old reference (base-year shares, case fatality alone following all-cause) drifts off:
  // the tolerance above can fail.
  auto flat_incidence = std::make_shared<HealthModel>(*model);
  for (auto& d : flat_incidence->diseases) d.incidence_trend.follows_all_cause = false;
  auto old_region = region(m);
  old_region.dynamics = std::make_shared<HealthDynamics>(flat_incidence, m, paths,
                                                         demography::IntegrationTolerances{});
  EXPECT_LT(e0(project(old_region), YEARS - 1, 0), e0(without, YEARS - 1, 0) - 0.05);

  // An intervention halving the heart disease's incidence from the start lengthens life.
  auto halved = paths;
  for (auto& year : halved.incidence_multiplier[0])
    for (auto& ages : year) ages.fill(0.5);
  auto intervention = region(m);
  intervention.dynamics = std::make_shared<HealthDynamics>(
      model, m, halved, demography::IntegrationTolerances{}, &envelope);
  EXPECT_GT(e0(project(intervention), YEARS - 1, 0), e0(with, YEARS - 1, 0) + 0.3);
}

TEST(Coherence, EachDiseaseFollowsAllCauseSplitBetweenIncidenceAndCaseFatality) {
  // Both trends following all-cause with share w: case fatality moves by r^w, incidence by
  // r^(1-w), r = m(y) / m(0) at the age and sex.
  const auto m = falling_mortality();
  HealthModel model;
  model.diseases.push_back(age_disease("heart", m[0], 0.3));
  for (const double w : {0.0, 0.5, 1.0}) {
    auto paths = reference_paths(model, YEARS);
    paths.case_fatality_share = w;
    const HealthRates rates(model, m, paths);
    const std::size_t y = 20, s = 1, a = 70;
    const double r = m[y][s][a] / m[0][s][a];
    const auto& base = rates.base_rates()[0][s];
    EXPECT_NEAR(rates.at(y, s, a).case_fatality[0], base.case_fatality[a] * std::pow(r, w), 1e-15);
    EXPECT_NEAR(rates.at(y, s, a).incidence[0], base.incidence[a] * std::pow(r, 1 - w), 1e-15);
  }
}

TEST(Coherence, OtherCausesKeepTheirFloorShareAtEveryAge) {
  // Two diseases and a named residual cause that add up to 1.3 times all-cause mortality at
  // 45-60: the decomposition scales all three by (1 - F) / 1.3 there, and "other" keeps F of
  // all deaths at every age and year of the reference.
  const auto m = falling_mortality();
  auto model = std::make_shared<HealthModel>();
  model->diseases.push_back(age_disease("heart", m[0], 0.3));
  model->diseases.push_back(age_disease("lung", m[0], 0.15));
  ResidualCause injuries;
  injuries.name = "injuries";
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a) {
      injuries.mortality[s][a] = 0.2 * m[0][s][a];
      if (a >= 45 && a <= 60) {
        model->diseases[0].mortality[s][a] = 0.8 * m[0][s][a];
        injuries.mortality[s][a] = 0.35 * m[0][s][a];
      }
    }
  model->residual_causes.push_back(injuries);
  const auto paths = reference_paths(*model, YEARS);
  const auto envelope = fit_cause_envelope(model, m, paths, demography::IntegrationTolerances{});
  EXPECT_NEAR(envelope.cause_scale[0][50], (1 - OTHER_CAUSE_FLOOR) / 1.3, 1e-12);
  EXPECT_EQ(envelope.cause_scale[0][30], 1.0);
  auto r = region(m);
  r.dynamics = std::make_shared<HealthDynamics>(model, m, paths,
                                                demography::IntegrationTolerances{}, &envelope);
  const auto ds = project(r);
  const auto& by_cause = ds.variable("deaths_by_cause");  // heart, lung, injuries, other
  for (std::size_t y = 0; y < YEARS; ++y)
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 1; a < N_AGES; ++a) {
        const double all = ds.variable("deaths").at({y, 0, s, a});
        if (all <= 0.0) continue;
        ASSERT_GE(by_cause.at({y, 0, s, a, 3}) / all, OTHER_CAUSE_FLOOR - 2e-3)
            << y << " " << s << " " << a;
      }
  // The base year's decomposition alone (what the rates use without an envelope): "other" is
  // all-cause minus the scaled diseases and injuries, F of all-cause at 45-60.
  const auto base = base_year_envelope(*model, m[0]);
  const double other = base.other_share[0][0][50] * m[0][0][50];
  EXPECT_NEAR(other * (1 - base.residual_share[0][0][50]), OTHER_CAUSE_FLOOR * m[0][0][50],
              1e-12 * m[0][0][50]);
}

TEST(Coherence, AnUncertainInputNeverNarrowsTheSpreadOfAllCauseMortality) {
  // One disease and the other causes; all-cause mortality at 70 in the base year over 400
  // draws, as the drawn disease's death rate plus the drawn residual. The residual alone
  // uncertain gives some spread; an uncertain disease on top adds to it and never takes away.
  const auto m = falling_mortality();
  auto central = std::make_shared<HealthModel>();
  central->diseases.push_back(age_disease("heart", m[0], 0.4));
  const auto paths = reference_paths(*central, 1);
  const std::vector<SexAgeArray> base_year(1, m[0]);
  const auto envelope =
      fit_cause_envelope(central, base_year, paths, demography::IntegrationTolerances{});
  const auto width = [&](const HealthModel& model) {
    std::vector<double> all;
    for (std::uint64_t draw = 0; draw < 400; ++draw) {
      auto drawn = std::make_shared<HealthModel>(sample_health_model(model, 7, draw));
      const HealthRates rates(*drawn, base_year, paths, envelope);
      const double diseases = reference_disease_mortality(
          drawn, base_year, paths, demography::IntegrationTolerances{})[0][1][70];
      all.push_back(rates.at(0, 1, 70).other_mortality + diseases);
    }
    std::sort(all.begin(), all.end());
    return (all[389] - all[10]) / m[0][1][70];  // the 95% interval, relative
  };
  HealthModel certain = *central;
  EXPECT_NEAR(width(certain), 0.0, 1e-6);  // nothing uncertain: the forecast itself
  HealthModel residual = certain;
  residual.other_causes_scale = {1.0, 0.8, 1.2};
  HealthModel both = residual;
  both.diseases[0].mortality_interval =
      SexAgeInterval{both.diseases[0].mortality, both.diseases[0].mortality};
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a) {
      both.diseases[0].mortality_interval->lower[s][a] *= 0.7;
      both.diseases[0].mortality_interval->upper[s][a] *= 1.3;
    }
  const double w_residual = width(residual), w_both = width(both);
  EXPECT_GT(w_residual, 0.1);
  EXPECT_GT(w_both, w_residual * 1.05);
  // The disease alone uncertain spreads all-cause mortality too (it is not absorbed by a
  // residual taken as all-cause minus the drawn disease).
  HealthModel disease_only = both;
  disease_only.other_causes_scale = {1.0, std::nullopt, std::nullopt};
  EXPECT_GT(width(disease_only), 0.05);
}
