// The health model (MODEL.md §2): closed forms, hand-computed impact fractions, bounds and the
// population balance with every disease and risk factor on.
#include <cmath>
#include <memory>
#include <numeric>

#include <gtest/gtest.h>

#include "healthcast/demography/projection.h"
#include "healthcast/health/dynamics.h"
#include "healthcast/health/exposure.h"

using namespace healthcast;
using namespace healthcast::health;
using demography::N_AGES;
using demography::N_SEXES;

namespace {

SexAgeArray flat(double value) {
  SexAgeArray a{};
  for (auto& ages : a) ages.fill(value);
  return a;
}

Disease disease(std::string name, double prevalence, double mortality) {
  Disease d;
  d.name = std::move(name);
  d.prevalence = flat(prevalence);
  d.mortality = flat(mortality);
  d.remission = flat(0.0);
  d.disability_weight = flat(0.1);
  return d;
}

std::vector<SexAgeArray> all_cause(double m, std::size_t years) {
  return std::vector<SexAgeArray>(years, flat(m));
}

// A two-category factor (never, current) with constant shares and relative risk `rr` of
// current smokers for every disease of the model.
CategoricalFactor smoking(const HealthModel& m, double current_share, double rr) {
  CategoricalFactor f;
  f.name = "smoking";
  f.categories = {"never", "current"};
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    f.shares[s].assign(N_AGES, {1.0 - current_share, current_share});
    for (const auto& d : m.diseases) {
      f.relative_risk[d.name][s].assign(N_AGES, {1.0, rr});
    }
  }
  return f;
}

}  // namespace

TEST(HealthModel, SingleDiseaseMatchesTheClosedForm) {
  // Flat prevalence 0.2 and cause-specific mortality 0.02 give f = 0.1 and i = f pi = 0.02;
  // all-cause 0.03 leaves m_o = 0.01. A cohort starting at pi0 = 0.05 then follows
  // S(t) = S0 exp(-(i + m_o) t), C(t) = C0 e^{-(f + m_o) t} + i S0 (e^{-(i+m_o)t} - e^{-(f+m_o)t})
  // / (f - i).
  auto model = std::make_shared<HealthModel>();
  model->diseases.push_back(disease("d", 0.2, 0.02));
  const double i = 0.02, f = 0.1, mo = 0.01, n0 = 1000.0, pi0 = 0.05;
  HealthDynamics dyn(model, all_cause(0.03, 1), reference_paths(*model, 1), {1e-13, 1e-12});
  EXPECT_NEAR(dyn.rates().base_rates()[0][0].case_fatality[40], f, 1e-15);
  EXPECT_NEAR(dyn.rates().base_rates()[0][0].incidence[40], i, 1e-15);

  std::vector<double> state = {pi0};
  demography::CohortOutcome out;
  dyn.advance(0, 0, 40, n0, 0.0, state, out);

  const double S0 = n0 * (1 - pi0), C0 = n0 * pi0;
  const double ei = std::exp(-(i + mo)), ef = std::exp(-(f + mo));
  const double S1 = S0 * ei, C1 = C0 * ef + i * S0 * (ei - ef) / (f - i);
  const double disease_deaths =
      f *
      (C0 * (1 - ef) / (f + mo) + i * S0 / (f - i) * ((1 - ei) / (i + mo) - (1 - ef) / (f + mo)));
  const double incident = i * S0 * (1 - ei) / (i + mo);
  EXPECT_NEAR(out.survivors / (S1 + C1), 1.0, 1e-8);
  EXPECT_NEAR(state[0] / (C1 / (S1 + C1)), 1.0, 1e-8);
  EXPECT_NEAR(out.deaths[0] / disease_deaths, 1.0, 1e-8);
  EXPECT_NEAR(out.incidence[0] / incident, 1.0, 1e-8);
  EXPECT_NEAR(out.deaths[0] + out.deaths[1], n0 - out.survivors, 1e-9);
}

TEST(HealthModel, TwoCategoryImpactFractionByHand) {
  // 30% current smokers with RR 2 at base: E0[RR] = 1.3. Halving smoking to 15% gives
  // E[RR] = 1.15, so incidence falls by the factor 1.15 / 1.3 (with a negligible prevalence the
  // incident cases are i_eff times person-years).
  auto model = std::make_shared<HealthModel>();
  model->diseases.push_back(disease("d", 1e-9, 1e-12));
  model->categorical.push_back(smoking(*model, 0.3, 2.0));
  HealthDynamics dyn(model, all_cause(0.01, 1), reference_paths(*model, 1), {});
  demography::CohortOutcome base, halved;
  std::vector<double> s0 = {1e-9, 0.7, 0.3}, s1 = {1e-9, 0.85, 0.15};
  dyn.advance(0, 1, 50, 1000.0, 0.0, s0, base);
  dyn.advance(0, 1, 50, 1000.0, 0.0, s1, halved);
  EXPECT_NEAR(halved.incidence[0] / base.incidence[0], 1.15 / 1.3, 1e-6);
}

TEST(Exposure, NormalImpactFractionMatchesTheClosedForm) {
  // For X ~ N(mu, sd) and RR(x) = rr^((x - t)/per) above t (1 below), with b = ln(rr)/per:
  // E[RR] = Phi((t - mu)/sd) + exp(b (mu - t) + b^2 sd^2 / 2) Phi((mu - t)/sd + b sd).
  const auto Phi = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
  const auto closed = [&](double mu, double sd, double rr, double per, double t) {
    const double b = std::log(rr) / per;
    return Phi((t - mu) / sd) +
           std::exp(b * (mu - t) + 0.5 * b * b * sd * sd) * Phi((mu - t) / sd + b * sd);
  };
  const auto numeric = [&](double mu, double sd) {
    return mean_relative_risk(
        Family::normal, mu, sd, [](double x) { return log_linear_rr(x, 1.5, 20.0, 115.0); }, 115.0);
  };
  // SBP mean 130 (sd 15) lowered to 125: the potential impact fraction E_1[RR] / E_0[RR].
  const double pif = numeric(125, 15) / numeric(130, 15);
  EXPECT_NEAR(pif, closed(125, 15, 1.5, 20, 115) / closed(130, 15, 1.5, 20, 115), 1e-10);
  EXPECT_NEAR(numeric(130, 15), closed(130, 15, 1.5, 20, 115), 1e-10);
  // The engine's own closed form (used for normal exposures) and its quadrature for lognormal
  // ones, which agrees with a lognormal's quadrature of the same curve.
  EXPECT_NEAR(mean_log_linear_rr(Family::normal, 130, 15, 1.5, 20, 115),
              closed(130, 15, 1.5, 20, 115), 1e-12);
  EXPECT_NEAR(mean_log_linear_rr(Family::normal, 100, 12, 2.0, 10, 140),
              closed(100, 12, 2.0, 10, 140), 1e-12);
  EXPECT_EQ(
      mean_log_linear_rr(Family::lognormal, 25, 4, 1.3, 5, 22),
      mean_relative_risk(
          Family::lognormal, 25, 4, [](double x) { return log_linear_rr(x, 1.3, 5, 22); }, 22));
  // With the threshold far below, E[RR] is the normal moment generating function.
  EXPECT_NEAR(numeric(300, 10) / (std::pow(1.5, (300 - 115) / 20.0) *
                                  std::exp(0.5 * std::pow(std::log(1.5) / 20 * 10, 2))),
              1.0, 1e-10);
}

TEST(Exposure, ShareAboveAThresholdOfBothFamilies) {
  // Python's statistics.NormalDist: 1 - cdf(140) for N(130, 15); for the lognormal with mean 10
  // and sd 4, log X ~ N(ln 10 - s2 / 2, s2) with s2 = ln(1.16), and 1 - cdf(ln 12).
  EXPECT_NEAR(share_above(Family::normal, 130, 15, 140), 0.2524925375469229, 1e-14);
  EXPECT_NEAR(share_above(Family::lognormal, 10, 4, 12), 0.25274458414059764, 1e-14);
  EXPECT_EQ(share_above(Family::lognormal, 10, 4, 0), 1.0);
  EXPECT_EQ(share_above(Family::normal, 130, 0, 140), 0.0);
}

TEST(Exposure, MeanRelativeRiskIntegratesMomentsOfBothFamilies) {
  // With the threshold below every exposure, E[RR] is a plain expectation: for a normal X,
  // E[X^2] = mu^2 + sd^2; for a lognormal X with mean 10 and sd 4, E[X] = 10, E[X^2] = 116.
  const auto square = [](double x) { return x * x; };
  EXPECT_NEAR(mean_relative_risk(Family::normal, 2, 3, square, -1e9), 13, 1e-10);
  EXPECT_NEAR(mean_relative_risk(
                  Family::lognormal, 10, 4, [](double x) { return x; }, 0),
              10, 1e-9);
  EXPECT_NEAR(mean_relative_risk(Family::lognormal, 10, 4, square, 0), 116, 1e-7);
  // Above every exposure, nobody is at excess risk.
  EXPECT_EQ(mean_relative_risk(Family::normal, 120, 10, square, 1e6), 1.0);
}

TEST(HealthModel, RelativeRiskOfOneLeavesIncidenceUnchanged) {
  auto plain = std::make_shared<HealthModel>();
  plain->diseases.push_back(disease("d", 0.1, 0.005));
  auto with_factors = std::make_shared<HealthModel>(*plain);
  with_factors->categorical.push_back(smoking(*with_factors, 0.3, 1.0));
  ContinuousFactor sbp;
  sbp.name = "sbp";
  sbp.mean = flat(130.0);
  sbp.sd = flat(15.0);
  sbp.log_linear["d"] = {flat(1.0), 10.0, 115.0};
  with_factors->continuous.push_back(sbp);
  auto paths = reference_paths(*with_factors, 3);
  for (auto& year : paths.continuous_mean[0]) year = flat(110.0);  // exposure falls
  HealthDynamics a(plain, all_cause(0.02, 3), reference_paths(*plain, 3), {});
  HealthDynamics b(with_factors, all_cause(0.02, 3), paths, {});
  demography::CohortOutcome oa, ob;
  std::vector<double> sa = {0.1}, sb = {0.1, 0.5, 0.5};  // shares unlike the base ones
  a.advance(2, 0, 60, 500.0, 0.0, sa, oa);
  b.advance(2, 0, 60, 500.0, 0.0, sb, ob);
  EXPECT_NEAR(ob.incidence[0], oa.incidence[0], 1e-12 * oa.incidence[0]);
  EXPECT_NEAR(sb[0], sa[0], 1e-14);
}

TEST(HealthModel, PrevalenceStaysInUnitIntervalAndPopulationBalances) {
  // Two diseases, an interaction, a smoking factor with initiation and cessation, a continuous
  // factor acting on one disease, and a treatment; births and migration on.
  auto model = std::make_shared<HealthModel>();
  model->diseases.push_back(disease("heart", 0.3, 0.01));
  model->diseases.push_back(disease("sugar", 0.5, 0.002));
  model->interactions.push_back({"sugar", "heart", {2.0, {}, {}}, {}});
  auto f = smoking(*model, 0.3, 3.0);
  CategoricalFactor::Transition start{0, 1, flat(0.05)}, stop{1, 0, flat(0.1)};
  f.transitions = {start, stop};
  model->categorical.push_back(f);
  ContinuousFactor sbp;
  sbp.name = "sbp";
  sbp.mean = flat(135.0);
  sbp.sd = flat(18.0);
  sbp.log_linear["heart"] = {flat(1.8), 20.0, 115.0};
  model->continuous.push_back(sbp);
  Treatment control;
  control.name = "control";
  control.affected_factor = "sbp";
  control.threshold = 140.0;
  control.coverage = {0.2, {}, {}};
  control.effects["heart"] = {0.7, {}, {}};
  model->treatments.push_back(control);
  Treatment care;
  care.name = "care";
  care.affected_disease = "sugar";
  care.coverage = {0.1, {}, {}};
  care.effects["heart"] = {0.8, {}, {}};
  model->treatments.push_back(care);

  const std::size_t years = 25;
  auto paths = reference_paths(*model, years);
  for (std::size_t y = 0; y < years; ++y) {
    paths.coverage[0][y] = 0.2 + 0.02 * double(y);
    paths.continuous_mean[0][y] = flat(135.0 - 0.5 * double(y));
  }
  demography::RegionInputs region;
  region.name = "r";
  region.population = flat(1000.0);
  region.fertility.assign(years, demography::AgeArray{});
  for (auto& year : region.fertility)
    for (std::size_t a = 15; a < 50; ++a) year[a] = 0.05;
  region.sex_ratio_at_birth.assign(years, 1.06);
  region.net_migration.assign(years, flat(5.0));
  std::vector<SexAgeArray> m(years);
  for (std::size_t y = 0; y < years; ++y)
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a)
        m[y][s][a] = 0.0005 * std::exp(0.08 * double(a)) * std::pow(0.99, double(y)) + 0.02;
  region.dynamics =
      std::make_shared<HealthDynamics>(model, m, paths, demography::IntegrationTolerances{});
  const auto ds = demography::project({2020, 2020 + int(years) - 1, {region}, {}});

  // Prevalences and category shares are the cohort state's blocks, each a variable.
  for (const char* block : {"prevalence", "risk_factor_share"})
    for (double v : ds.variable(block).values) {
      ASSERT_GE(v, 0.0);
      ASSERT_LE(v, 1.0 + 1e-12);
    }
  const auto& shares = ds.variable("risk_factor_share");
  const auto sum_ages = [&](const char* name, std::size_t y, std::size_t s) {
    double total = 0;
    for (std::size_t a = 0; a < N_AGES; ++a) total += ds.variable(name).at({y, 0, s, a});
    return total;
  };
  for (std::size_t s = 0; s < 3; ++s)
    for (std::size_t y = 0; y + 1 < years; ++y) {
      const double change = sum_ages("population", y + 1, s) - sum_ages("population", y, s);
      const double flows = ds.variable("births").at({y, 0, s}) - sum_ages("deaths", y, s) +
                           sum_ages("net_migration", y, s);
      EXPECT_NEAR(change, flows, 1e-9 * sum_ages("population", y, s)) << s << " " << y;
      // Deaths by cause add up to all deaths.
      double by_cause = 0.0;
      for (std::size_t a = 0; a < N_AGES; ++a)
        for (std::size_t c = 0; c < 3; ++c)
          by_cause += ds.variable("deaths_by_cause").at({y, 0, s, a, c});
      EXPECT_NEAR(by_cause, sum_ages("deaths", y, s), 1e-9 * by_cause);
    }
  // Category shares of each cohort still sum to one.
  for (std::size_t a = 0; a < N_AGES; ++a)
    EXPECT_NEAR(shares.at({years - 1, 0, 0, a, 0}) + shares.at({years - 1, 0, 0, a, 1}), 1.0, 1e-9);
}

// Log-linear interpolation of a tabulated curve, by hand: RR 1 at exposure 0, 1.2 at 10 and 1.5
// at 20, held beyond.
TEST(Exposure, CurveIsLogLinearBetweenLevelsAndHeldBeyond) {
  const std::vector<double> exposure = {10.0, 20.0};
  const std::vector<double> log_rr = {std::log(1.2), std::log(1.5)};
  EXPECT_DOUBLE_EQ(curve_rr(0.0, exposure, log_rr), 1.0);
  EXPECT_NEAR(curve_rr(5.0, exposure, log_rr), std::sqrt(1.2), 1e-14);
  EXPECT_NEAR(curve_rr(10.0, exposure, log_rr), 1.2, 1e-14);
  EXPECT_NEAR(curve_rr(15.0, exposure, log_rr), std::sqrt(1.2 * 1.5), 1e-14);
  EXPECT_NEAR(curve_rr(25.0, exposure, log_rr), 1.5, 1e-14);
}
