// Monte Carlo draws of the health model's inputs (MODEL.md §6, health/sampling.h): draws are a
// function of (seed, draw); sampled relative risks, rates and proportions have the lognormal,
// gamma and beta moments and quantiles computed by hand from the 95% interval; one quantile
// level per table (comonotone across ages); certain inputs stay exactly as they are; the loader
// keeps the intervals and rejects one that does not hold its value.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>

#include "healthcast/health/model.h"
#include "healthcast/health/sampling.h"

using namespace healthcast;
using namespace healthcast::health;
using demography::N_AGES;
using demography::N_SEXES;

namespace {

constexpr double Z = 1.959964;  // the normal's 97.5% quantile
constexpr int DRAWS = 4000;
constexpr std::uint64_t SEED = 20240611;

SexAgeArray flat(double value) {
  SexAgeArray a{};
  for (auto& ages : a) ages.fill(value);
  return a;
}

// value x (1 - relative), value x (1 + relative) at every cell.
SexAgeInterval relative_interval(const SexAgeArray& values, double relative) {
  SexAgeInterval i;
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a) {
      i.lower[s][a] = values[s][a] * (1.0 - relative);
      i.upper[s][a] = values[s][a] * (1.0 + relative);
    }
  return i;
}

// A small model with one uncertain input of each kind and some certain ones:
// - disease "d": prevalence 0.30 (0.202, 0.398) at age 40 and a smooth age curve elsewhere with a
//   +-15% interval; mortality 0.02 (0.0122, 0.0278) at age 40 and +-12% elsewhere, except age
//   70 with +-40%; remission 0.01 without interval;
// - smoking: never (reference) and current with rr 1.5 (1.2, 1.9) at every age and sex;
// - sbp: a log-linear rr and a PM2.5-like curve without intervals; an interaction without one.
HealthModel small_model() {
  HealthModel m;
  Disease d;
  d.name = "d";
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a) {
      d.prevalence[s][a] =
          (0.002 + 0.5 / (1.0 + std::exp(-(double(a) - 60.0) / 12.0))) * (s == 0 ? 1.0 : 1.2);
      d.mortality[s][a] = 1e-4 * std::exp(0.08 * double(a)) * (s == 0 ? 1.0 : 1.3);
    }
  d.prevalence_interval = relative_interval(d.prevalence, 0.15);
  d.mortality_interval = relative_interval(d.mortality, 0.12);
  d.prevalence[0][40] = 0.30;
  d.prevalence_interval->lower[0][40] = 0.30 - 0.196;
  d.prevalence_interval->upper[0][40] = 0.30 + 0.196;
  d.mortality[0][40] = 0.02;
  d.mortality_interval->lower[0][40] = 0.02 - 0.0078;
  d.mortality_interval->upper[0][40] = 0.02 + 0.0078;
  d.mortality_interval->lower[0][70] = d.mortality[0][70] * 0.6;
  d.mortality_interval->upper[0][70] = d.mortality[0][70] * 1.4;
  d.remission = flat(0.01);
  d.disability_weight = flat(0.1);
  m.diseases.push_back(d);

  CategoricalFactor smoking;
  smoking.name = "smoking";
  smoking.categories = {"never", "current"};
  CategoricalFactor::RrInterval interval;
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    smoking.shares[s].assign(N_AGES, {0.7, 0.3});
    smoking.relative_risk["d"][s].assign(N_AGES, {1.0, 1.5});
    interval.lower[s].assign(N_AGES, {1.0, 1.2});
    interval.upper[s].assign(N_AGES, {1.0, 1.9});
  }
  smoking.relative_risk_interval["d"] = interval;
  m.categorical.push_back(smoking);

  ContinuousFactor sbp;
  sbp.name = "sbp";
  sbp.log_linear["d"].rr = flat(1.4);
  ContinuousFactor::Curve curve;
  curve.exposure = {0.0, 10.0, 50.0};
  for (auto& levels : curve.rr) levels = {1.0, 1.1, 1.3};
  sbp.curves["d"] = curve;
  m.continuous.push_back(sbp);

  m.interactions.push_back({"d", "d", Uncertain{1.8, {}, {}}, flat(1.8)});
  return m;
}

// The sample quantile at level p (linear between order statistics).
double sample_quantile(std::vector<double> x, double p) {
  std::sort(x.begin(), x.end());
  const double h = p * double(x.size() - 1);
  const auto i = static_cast<std::size_t>(h);
  return x[i] + (h - double(i)) * (x[std::min(i + 1, x.size() - 1)] - x[i]);
}

double mean_of(const std::vector<double>& x) {
  return std::accumulate(x.begin(), x.end(), 0.0) / double(x.size());
}

double sd_of(const std::vector<double>& x) {
  const double mean = mean_of(x);
  double ss = 0.0;
  for (const double v : x) ss += (v - mean) * (v - mean);
  return std::sqrt(ss / double(x.size() - 1));
}

// The beta with mean `mean` and sd `sd` (alpha + beta = mean (1 - mean) / sd^2 - 1).
boost::math::beta_distribution<> beta_with(double mean, double sd) {
  const double size = mean * (1.0 - mean) / (sd * sd) - 1.0;
  return boost::math::beta_distribution<>(mean * size, (1.0 - mean) * size);
}

// The gamma with mean `mean` and sd `sd` (shape (mean / sd)^2, scale sd^2 / mean).
boost::math::gamma_distribution<> gamma_with(double mean, double sd) {
  return boost::math::gamma_distribution<>((mean / sd) * (mean / sd), sd * sd / mean);
}

}  // namespace

TEST(Sampling, SameSeedAndDrawGiveTheSameModelOtherDrawsDiffer) {
  const auto central = small_model();
  const auto a = sample_health_model(central, SEED, 7);
  const auto b = sample_health_model(central, SEED, 7);
  const auto c = sample_health_model(central, SEED, 8);
  const auto d = sample_health_model(central, SEED + 1, 7);
  EXPECT_EQ(a.diseases[0].prevalence, b.diseases[0].prevalence);
  EXPECT_EQ(a.diseases[0].mortality, b.diseases[0].mortality);
  EXPECT_EQ(a.categorical[0].relative_risk, b.categorical[0].relative_risk);
  EXPECT_NE(a.diseases[0].prevalence, c.diseases[0].prevalence);
  EXPECT_NE(a.diseases[0].mortality, c.diseases[0].mortality);
  EXPECT_NE(a.categorical[0].relative_risk, c.categorical[0].relative_risk);
  EXPECT_NE(a.diseases[0].prevalence, d.diseases[0].prevalence);
  // A draw does not depend on the draws computed before it.
  for (std::uint64_t j = 0; j < 5; ++j) sample_health_model(central, SEED, j);
  EXPECT_EQ(sample_health_model(central, SEED, 7).diseases[0].prevalence, a.diseases[0].prevalence);
}

TEST(Sampling, RelativeRiskIsLognormalFromItsInterval) {
  // rr 1.5 (1.2, 1.9): log-sd = mean of the log half-widths / 1.959964.
  const double sd = (std::log(1.9) - std::log(1.2)) / (2.0 * Z);
  const double expected_low = std::exp(std::log(1.5) - Z * sd);
  const double expected_high = std::exp(std::log(1.5) + Z * sd);
  const auto central = small_model();
  std::vector<double> rr;
  for (int j = 0; j < DRAWS; ++j)
    rr.push_back(sample_health_model(central, SEED, j).categorical[0].relative_risk["d"][1][50][1]);
  EXPECT_NEAR(sample_quantile(rr, 0.5), 1.5, 0.02 * 1.5);
  EXPECT_NEAR(sample_quantile(rr, 0.025), expected_low, 0.03 * expected_low);
  EXPECT_NEAR(sample_quantile(rr, 0.975), expected_high, 0.03 * expected_high);
}

TEST(Sampling, RateIsGammaAndProportionIsBetaWithTheRequestedMeanAndSd) {
  // Female age 40: prevalence 0.30 with sd 0.392 / 3.919928 = 0.1; mortality 0.02 with sd
  // 0.0156 / 3.919928 = 0.00398.
  const auto central = small_model();
  std::vector<double> pi, m;
  for (int j = 0; j < DRAWS; ++j) {
    const auto draw = sample_health_model(central, SEED, j);
    pi.push_back(draw.diseases[0].prevalence[0][40]);
    m.push_back(draw.diseases[0].mortality[0][40]);
  }
  const double pi_sd = 0.392 / (2.0 * Z), m_sd = 0.0156 / (2.0 * Z);
  EXPECT_NEAR(mean_of(pi), 0.30, 0.03 * 0.30);
  EXPECT_NEAR(sd_of(pi), pi_sd, 0.03 * pi_sd);
  EXPECT_NEAR(mean_of(m), 0.02, 0.03 * 0.02);
  EXPECT_NEAR(sd_of(m), m_sd, 0.03 * m_sd);
  EXPECT_GT(*std::min_element(pi.begin(), pi.end()), 0.0);
  EXPECT_LT(*std::max_element(pi.begin(), pi.end()), 1.0);
  EXPECT_GT(*std::min_element(m.begin(), m.end()), 0.0);
}

TEST(Sampling, OneQuantileLevelPerTableAtEveryAgeAndSex) {
  const auto central = small_model();
  const auto& d0 = central.diseases[0];
  for (const std::uint64_t j : {0, 1, 2, 3}) {
    const auto drawn = sample_health_model(central, SEED, j);
    const auto& d = drawn.diseases[0];
    // The level implied by each cell: the cdf of the cell's own distribution at its draw.
    const auto prevalence_level = [&](std::size_t s, std::size_t a) {
      const double sd =
          (d0.prevalence_interval->upper[s][a] - d0.prevalence_interval->lower[s][a]) / (2.0 * Z);
      return cdf(beta_with(d0.prevalence[s][a], sd), d.prevalence[s][a]);
    };
    const auto mortality_level = [&](std::size_t s, std::size_t a) {
      const double sd =
          (d0.mortality_interval->upper[s][a] - d0.mortality_interval->lower[s][a]) / (2.0 * Z);
      return cdf(gamma_with(d0.mortality[s][a], sd), d.mortality[s][a]);
    };
    const double u = prevalence_level(0, 50);
    EXPECT_NEAR(prevalence_level(0, 80), u, 1e-9);
    EXPECT_NEAR(prevalence_level(0, 40), u, 1e-9);  // a wider interval, same level
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a) ASSERT_NEAR(prevalence_level(s, a), u, 1e-9);
    const double v = mortality_level(0, 50);
    EXPECT_NEAR(mortality_level(1, 90), v, 1e-9);
    EXPECT_NEAR(mortality_level(0, 70), v, 1e-9);  // +-40% instead of +-12%
    EXPECT_NEAR(mortality_level(0, 40), v, 1e-9);
    EXPECT_NE(u, v);  // prevalence and mortality are separate tables
  }
}

TEST(Sampling, InputsWithoutIntervalStayExactlyUnchanged) {
  const auto central = small_model();
  for (const std::uint64_t j : {0, 1, 2}) {
    const auto draw = sample_health_model(central, SEED, j);
    EXPECT_EQ(draw.diseases[0].remission, central.diseases[0].remission);
    EXPECT_EQ(draw.diseases[0].disability_weight, central.diseases[0].disability_weight);
    EXPECT_EQ(draw.continuous[0].log_linear.at("d").rr,
              central.continuous[0].log_linear.at("d").rr);
    EXPECT_EQ(draw.continuous[0].curves.at("d").rr, central.continuous[0].curves.at("d").rr);
    EXPECT_EQ(draw.interactions[0].rr.value, 1.8);
    EXPECT_EQ(*draw.interactions[0].rr_by_age, flat(1.8));
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a) {
        EXPECT_EQ(draw.categorical[0].relative_risk.at("d")[s][a][0], 1.0);  // the reference
        EXPECT_EQ(draw.categorical[0].shares[s][a], central.categorical[0].shares[s][a]);
      }
  }
}

TEST(Sampling, ChinaModelKeepsItsIntervalsAndDrawsStayValid) {
  const auto central =
      load_health_model(std::string(HEALTHCAST_SOURCE_DIR) + "/data/china/health.yaml");
  for (const auto& d : central.diseases) {
    EXPECT_TRUE(d.prevalence_interval) << d.name;
    EXPECT_TRUE(d.mortality_interval) << d.name;
    EXPECT_TRUE(d.disability_weight_interval) << d.name;
    EXPECT_FALSE(d.remission_interval) << d.name;
  }
  for (const auto& i : central.interactions) EXPECT_TRUE(i.rr_by_age_interval);
  for (const auto& f : central.categorical)
    EXPECT_EQ(f.relative_risk_interval.size(), f.relative_risk.size()) << f.name;
  for (const auto& f : central.continuous) {
    for (const auto& [disease, ll] : f.log_linear) EXPECT_TRUE(ll.rr_interval) << f.name;
    for (const auto& [disease, curve] : f.curves) EXPECT_TRUE(curve.rr_interval) << f.name;
  }
  // Stroke, female, age 67 (inside the abridged group 65-69): the +-15% prevalence interval
  // 0.85 and 1.15 times the value, linearly spread like the value itself.
  const auto& stroke = central.diseases[central.disease_index("stroke")];
  EXPECT_NEAR(stroke.prevalence_interval->lower[0][67], 0.85 * stroke.prevalence[0][67], 1e-12);
  EXPECT_NEAR(stroke.prevalence_interval->upper[0][67], 1.15 * stroke.prevalence[0][67], 1e-12);

  for (const std::uint64_t j : {0, 1, 2}) {
    const auto draw = sample_health_model(central, SEED, j);
    for (std::size_t k = 0; k < draw.diseases.size(); ++k) {
      const auto& d0 = central.diseases[k];
      const auto& d = draw.diseases[k];
      // Every prevalence cell sits at the table's one level of its own beta (the exact Boost
      // quantile, whatever shortcut the sampler takes).
      double u = -1.0;
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t a = 0; a < N_AGES; ++a) {
          const double p = d0.prevalence[s][a];
          if (p == 0.0) {
            EXPECT_EQ(d.prevalence[s][a], 0.0);
            continue;
          }
          const double sd =
              (d0.prevalence_interval->upper[s][a] - d0.prevalence_interval->lower[s][a]) /
              (2.0 * Z);
          const double level = cdf(beta_with(p, sd), d.prevalence[s][a]);
          if (u < 0.0) u = level;
          ASSERT_NEAR(level, u, 1e-9) << d0.name << " sex " << s << " age " << a;
          ASSERT_NEAR(d.prevalence[s][a], quantile(beta_with(p, sd), u), 1e-9 * p);
        }
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t a = 0; a < N_AGES; ++a) {
          EXPECT_TRUE(d.mortality[s][a] >= 0.0 && std::isfinite(d.mortality[s][a]));
          EXPECT_TRUE(d.disability_weight[s][a] > 0.0 && d.disability_weight[s][a] < 1.0);
        }
    }
    for (const auto& t : draw.treatments)
      EXPECT_TRUE(t.coverage.value > 0.0 && t.coverage.value < 1.0) << t.name;
  }
}

TEST(Sampling, LoaderRejectsALowerBoundAboveTheValue) {
  const std::string dir = std::string(HEALTHCAST_TEST_DATA) + "/health_intervals/";
  try {
    load_health_model(dir + "lower_above_value.yaml");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(e.where().file.find("lower_above_value.csv"), std::string::npos) << e.what();
    EXPECT_EQ(e.where().line, 3) << e.what();
    EXPECT_EQ(e.field(), "prevalence_lower");
    EXPECT_NE(std::string(e.what()).find("0.03"), std::string::npos) << e.what();
  }
  try {
    load_health_model(dir + "one_bound_only.yaml");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(e.where().file.find("one_bound_only.csv"), std::string::npos) << e.what();
    EXPECT_EQ(e.field(), "mortality_upper") << e.what();
  }
}
