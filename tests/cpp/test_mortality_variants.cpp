// The Lee-Carter variants (Lee-Miller, Booth-Maindonald-Smith, Li-Lee, rotation of b_x), the
// factor forecast's draws and the TFR deviation, against models built with known parameters,
// closed forms and hand calculations.
#include <cmath>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "healthcast/demography/life_table.h"
#include "healthcast/error.h"
#include "healthcast/forecast/factor_forecast.h"
#include "healthcast/forecast/fit_period.h"
#include "healthcast/forecast/lee_carter.h"
#include "healthcast/forecast/li_lee.h"
#include "healthcast/forecast/rotation.h"
#include "healthcast/forecast/tfr_deviation.h"

namespace {

namespace fc = healthcast::forecast;
using healthcast::demography::Sex;

// Abridged ages 0, 1, 5, ..., 100 and a plausible age pattern: a_x a Gompertz-like log rate,
// b_x (sum 1) falling with age.
std::vector<int> ages() {
  std::vector<int> a = {0, 1};
  for (int x = 5; x <= 100; x += 5) a.push_back(x);
  return a;
}
Eigen::VectorXd ax() {
  const auto a = ages();
  Eigen::VectorXd v(static_cast<Eigen::Index>(a.size()));
  v(0) = -4.0;
  v(1) = -6.5;
  for (std::size_t i = 2; i < a.size(); ++i) v(i) = -9.3 + 0.085 * (a[i] - 5);
  return v;
}
Eigen::VectorXd bx() {
  const auto n = static_cast<Eigen::Index>(ages().size());
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i)
    v(i) = 2.0 - 1.5 * static_cast<double>(i) / static_cast<double>(n - 1);
  return v / v.sum();
}
Eigen::MatrixXd rates(const Eigen::VectorXd& a, const Eigen::VectorXd& b,
                      const std::vector<double>& k) {
  Eigen::MatrixXd m(a.size(), static_cast<Eigen::Index>(k.size()));
  for (std::size_t t = 0; t < k.size(); ++t)
    m.col(static_cast<Eigen::Index>(t)) = (a + b * k[t]).array().exp().matrix();
  return m;
}
std::vector<double> times(double first, double step, std::size_t n) {
  std::vector<double> t(n);
  for (std::size_t i = 0; i < n; ++i) t[i] = first + step * static_cast<double>(i);
  return t;
}
double e0(const Eigen::VectorXd& m, Sex sex) {
  const auto a = ages();
  return healthcast::demography::life_table(a, std::span<const double>(m.data(), m.size()), sex)
      .e_at(0);
}
// A departure that bends over time (quadratic in t), so the age pattern of change changes.
Eigen::MatrixXd with_bend(Eigen::MatrixXd m, double size) {
  const double mid = 0.5 * static_cast<double>(m.cols() - 1);
  for (Eigen::Index t = 0; t < m.cols(); ++t)
    for (Eigen::Index x = 0; x < m.rows(); ++x)
      m(x, t) *= std::exp(size * std::pow(static_cast<double>(t) - mid, 2) *
                          std::cos(0.7 * static_cast<double>(x)));
  return m;
}
// A second age pattern that departs from the model: alternating in time, zero-sum over ages.
Eigen::MatrixXd with_departures(Eigen::MatrixXd m, double size) {
  for (Eigen::Index t = 0; t < m.cols(); ++t)
    for (Eigen::Index x = 0; x < m.rows(); ++x)
      m(x, t) *= std::exp(size * ((t % 2) ? 1.0 : -1.0) * std::cos(0.7 * static_cast<double>(x)));
  return m;
}

const std::vector<double> K = {9.0, 7.0, 5.0, 3.0, 1.0, -1.0, -3.0, -5.0, -7.0, -9.0};

TEST(LeeMiller, ExactModelKeepsItsK) {
  // Rank-one data: every second stage must return the SVD's k, which is the true k.
  const auto m = rates(ax(), bx(), K);
  const auto t = times(1972, 5, K.size());
  for (auto kt : {fc::KtFit::e0, fc::KtFit::deaths}) {
    const auto lc = fc::LeeCarter::fit(m, ages(), t, {kt, Sex::female});
    for (std::size_t i = 0; i < K.size(); ++i) EXPECT_NEAR(lc.kt()(i), K[i], 1e-7);
  }
}

TEST(LeeMiller, FittedRatesReproduceTheObservedE0OfEveryPeriod) {
  const auto m = with_departures(rates(ax(), bx(), K), 0.05);
  const auto lc =
      fc::LeeCarter::fit(m, ages(), times(1972, 5, K.size()), {fc::KtFit::e0, Sex::male});
  const auto fitted = lc.fitted();
  for (Eigen::Index t = 0; t < m.cols(); ++t)
    EXPECT_NEAR(e0(fitted.col(t), Sex::male), e0(m.col(t), Sex::male), 1e-8) << t;
  // The first stage alone does not (the departures move e0).
  const auto svd = fc::LeeCarter::fit(m, ages(), times(1972, 5, K.size()));
  double worst = 0.0;
  for (Eigen::Index t = 0; t < m.cols(); ++t)
    worst = std::max(worst, std::abs(e0(svd.fitted().col(t), Sex::male) - e0(m.col(t), Sex::male)));
  EXPECT_GT(worst, 1e-3);
}

TEST(BoothMaindonaldSmith, DeathsStageSolvesThePoissonScoreEquation) {
  const auto m = with_departures(rates(ax(), bx(), K), 0.05);
  const auto t = times(1972, 5, K.size());
  const auto lc = fc::LeeCarter::fit(m, ages(), t, {fc::KtFit::deaths, Sex::female});
  const auto fitted = lc.fitted();
  const auto a = ages();
  for (Eigen::Index p = 0; p < m.cols(); ++p) {
    const Eigen::VectorXd obs = m.col(p);
    const auto lt = healthcast::demography::life_table(
        a, std::span<const double>(obs.data(), obs.size()), Sex::female);
    double score = 0.0, scale = 0.0;
    for (Eigen::Index x = 0; x < m.rows(); ++x) {
      score += lc.bx()(x) * lt.L[x] * (obs(x) - fitted(x, p));
      scale += lc.bx()(x) * lt.L[x] * obs(x);
    }
    EXPECT_NEAR(score / scale, 0.0, 1e-10) << p;
  }
}

TEST(BoothMaindonaldSmith, ChoosesTheWindowAfterABreakInTheTrend) {
  // k falls by 6 a period over the first four periods, then by 2: the linear window starts
  // at the break, period 3 (k = 12); small departures keep the base deviance positive.
  std::vector<double> k = {30.0, 24.0, 18.0, 12.0};
  for (int i = 0; i < 8; ++i) k.push_back(k.back() - 2.0);
  const auto m = with_departures(rates(ax(), bx(), k), 0.01);
  const auto choice = fc::linear_fit_period(m, ages(), times(1952, 5, k.size()), Sex::male, 4);
  EXPECT_EQ(choice.first, 3u);
  ASSERT_EQ(choice.ratio.size(), k.size() - 4 + 1);
  EXPECT_GT(choice.ratio[0], 5.0 * choice.ratio[3]);
  EXPECT_THROW(fc::linear_fit_period(m.leftCols(2), ages(), times(1952, 5, 2), Sex::male),
               healthcast::Error);
}

TEST(LiLee, RecoversTheCommonAndTheSexFactors) {
  // log m_s = a_s + B K + b_s k_s with b_m = b_f and k_m = -k_f: the geometric mean of the
  // rates is exactly a + B K, so every factor comes back (B and b_s sum to 1, K and k_s to 0).
  const Eigen::VectorXd B = bx();
  Eigen::VectorXd b_sex(B.size());
  for (Eigen::Index i = 0; i < B.size(); ++i)
    b_sex(i) = 1.0 + 0.5 * std::sin(0.4 * static_cast<double>(i));
  b_sex /= b_sex.sum();
  const std::vector<double> k_f = {0.6, -0.2, 0.4, -0.5, 0.1, 0.3, -0.4, 0.2, -0.3, -0.2};
  Eigen::MatrixXd mf(B.size(), 10), mm(B.size(), 10);
  const Eigen::VectorXd a_f = ax(), a_m = ax().array() + 0.3;
  for (Eigen::Index t = 0; t < 10; ++t) {
    mf.col(t) = (a_f + B * K[t] + b_sex * k_f[t]).array().exp().matrix();
    mm.col(t) = (a_m + B * K[t] - b_sex * k_f[t]).array().exp().matrix();
  }
  const auto ll = fc::LiLee::fit(mf, mm, ages(), times(1972, 5, 10));
  for (Eigen::Index x = 0; x < B.size(); ++x) {
    EXPECT_NEAR(ll.common.bx()(x), B(x), 1e-9);
    EXPECT_NEAR(ll.sexes[0].ax(x), a_f(x), 1e-9);
    EXPECT_NEAR(ll.sexes[1].ax(x), a_m(x), 1e-9);
    EXPECT_NEAR(ll.sexes[0].bx(x), b_sex(x), 1e-8);
    EXPECT_NEAR(ll.sexes[1].bx(x), b_sex(x), 1e-8);
  }
  for (std::size_t t = 0; t < 10; ++t) {
    EXPECT_NEAR(ll.common.kt()(t), K[t], 1e-8);
    EXPECT_NEAR(ll.sexes[0].kt(t), k_f[t], 1e-8);
    EXPECT_NEAR(ll.sexes[1].kt(t), -k_f[t], 1e-8);
  }
}

TEST(LiLee, Ar1FitOfAnExactProcessAndItsLimits) {
  // k_t = 0.2 + 0.6 k_{t-1} from k_0 = 2 has no noise: c and phi come back exactly.
  Eigen::VectorXd k(8);
  k(0) = 2.0;
  for (int t = 1; t < 8; ++t) k(t) = 0.2 + 0.6 * k(t - 1);
  auto ar = fc::fit_ar1(k);
  EXPECT_NEAR(ar.phi, 0.6, 1e-12);
  EXPECT_NEAR(ar.c, 0.2, 1e-12);
  EXPECT_NEAR(ar.sigma, 0.0, 1e-12);
  EXPECT_NEAR(ar.mean(), 0.5, 1e-12);
  // An explosive series is held at phi = 0.99.
  for (int t = 1; t < 8; ++t) k(t) = 1.5 * k(t - 1);
  EXPECT_DOUBLE_EQ(fc::fit_ar1(k).phi, 0.99);
}

TEST(Rotation, WeightAndUltimatePatternByHand) {
  EXPECT_DOUBLE_EQ(fc::rotation_weight(79.9), 0.0);
  EXPECT_NEAR(fc::rotation_weight(80.0), 0.0, 1e-15);
  // Half way, u = 0.5: sin(0) = 0, so w = 0.5^0.5.
  EXPECT_NEAR(fc::rotation_weight(91.0), std::sqrt(0.5), 1e-15);
  EXPECT_DOUBLE_EQ(fc::rotation_weight(102.0), 1.0);
  // u = 0.25: w = (0.5 (1 + sin(-pi/4)))^0.5.
  EXPECT_NEAR(fc::rotation_weight(85.5), std::sqrt(0.5 * (1.0 - std::sqrt(0.5))), 1e-15);
  // b = (i + 1) on 22 ages: groups 15..60 are indices 4..13 with mean 9.5; 65.. (15..22) are
  // scaled by 9.5 / 15; then everything is divided by the sum.
  const auto a = ages();
  Eigen::VectorXd b(22);
  for (int i = 0; i < 22; ++i) b(i) = i + 1.0;
  const auto u = fc::ultimate_bx(b, a);
  double sum = 14 * 9.5;
  for (int i = 14; i < 22; ++i) sum += (i + 1.0) * 9.5 / 15.0;
  for (int i = 0; i < 14; ++i) EXPECT_NEAR(u(i), 9.5 / sum, 1e-15);
  for (int i = 14; i < 22; ++i) EXPECT_NEAR(u(i), (i + 1.0) * 9.5 / 15.0 / sum, 1e-15);
  EXPECT_THROW(fc::ultimate_bx(b.head(3), std::vector<int>{0, 1, 5}), healthcast::Error);
}

fc::FactorForecast model_of(const fc::LeeCarter& lc, fc::Uncertainty u,
                            std::optional<fc::Rotation> rotation = {}) {
  auto f = fc::factors_of(lc);
  return fc::FactorForecast(ages(), lc.years().back(), {f, f}, rotation, u);
}

TEST(FactorForecast, CentralPathIsTheDriftLineFromTheObservedJumpOff) {
  const auto m = with_departures(rates(ax(), bx(), K), 0.02);
  const auto lc = fc::LeeCarter::fit(m, ages(), times(1972, 5, K.size()));
  const auto model = model_of(lc, {});
  const std::vector<double> at = {2017.0, 2020.0, 2049.5};
  const auto c = model.central(at);
  for (std::size_t i = 0; i < at.size(); ++i)
    for (Eigen::Index x = 0; x < m.rows(); ++x)
      EXPECT_NEAR(c[1](x, i),
                  std::log(m(x, m.cols() - 1)) + lc.bx()(x) * lc.drift() / 5.0 * (at[i] - 2017.0),
                  1e-12);
}

TEST(FactorForecast, DrawVarianceIsTheRandomWalksWithThePosteriorOfSigma) {
  // k differences alternate about the drift: sigma is known; n = 10 periods, 9 differences,
  // nu = 8 degrees of freedom. Var of log m_x after h years: b_x^2 (h s^2 / step +
  // h^2 s^2 / (9 step^2)) times E[nu / chi2_nu] = nu / (nu - 2) with the posterior.
  std::vector<double> k = {0.0};
  for (int i = 0; i < 9; ++i) k.push_back(k.back() - 2.0 + (i % 2 ? 0.5 : -0.5));
  const auto lc = fc::LeeCarter::fit(rates(ax(), bx(), k), ages(), times(1972, 5, k.size()));
  const double h = 20.0, s = lc.sigma();
  const double base = h * s * s / 5.0 + h * h * s * s / (9.0 * 25.0);
  for (bool parameters : {false, true}) {
    const auto model = model_of(lc, {parameters, false, false});
    const int n = 20000;
    double sum = 0.0, sum2 = 0.0;
    const std::vector<double> at = {lc.years().back() + h};
    for (int j = 0; j < n; ++j) {
      const double v = model.draw(at, 5, static_cast<std::uint64_t>(j))[0](3, 0);
      sum += v;
      sum2 += v * v;
    }
    const double var = (sum2 - sum * sum / n) / (n - 1);
    const double expected = std::pow(lc.bx()(3), 2) * base * (parameters ? 8.0 / 6.0 : 1.0);
    EXPECT_NEAR(var / expected, 1.0, parameters ? 0.06 : 0.03) << parameters;
  }
}

TEST(FactorForecast, DrawsDependOnlyOnSeedAndDrawAndStructuralPartsKeepE0) {
  const auto m = with_bend(rates(ax(), bx(), K), 0.003);
  const auto lc = fc::LeeCarter::fit(m, ages(), times(1972, 5, K.size()));
  const auto full = model_of(lc, {});
  const std::vector<double> at = {2020.0, 2030.0};
  const auto a = full.draw(at, 9, 4), b = full.draw(at, 9, 4), c = full.draw(at, 9, 5);
  EXPECT_EQ(a[0], b[0]);
  EXPECT_NE(a[0], c[0]);
  // With K's innovations equal (same draw), the structural parts move log m but e0 only to
  // second order: compare with the draw without them.
  const auto bare = model_of(lc, {false, false, false}).draw(at, 9, 4);
  const auto structural = model_of(lc, {false, true, false}).draw(at, 9, 4);
  EXPECT_GT((structural[1].col(1) - bare[1].col(1)).norm(), 1e-3);
  const double de0 = e0(structural[1].col(1).array().exp().matrix(), Sex::male) -
                     e0(bare[1].col(1).array().exp().matrix(), Sex::male);
  EXPECT_LT(std::abs(de0), 0.05);
}

TEST(FactorForecast, RotationTurnsTheDeclineTowardOldAgesOnceE0Passes80) {
  // Low mortality (e0 well above 80): the rotated forecast moves old-age rates faster and
  // young-age rates slower than the unrotated one, with the same total decline sum_x dlog m.
  Eigen::VectorXd low = ax().array() - 1.6;
  const auto m = rates(low, bx(), K);
  ASSERT_GT(e0(m.col(9), Sex::female), 82.0);
  const auto lc = fc::LeeCarter::fit(m, ages(), times(1972, 5, K.size()));
  const std::vector<double> at = {2047.0};
  const auto plain = model_of(lc, {}).central(at);
  const auto rotated = model_of(lc, {}, fc::Rotation{}).central(at);
  const Eigen::VectorXd d_plain = plain[0].col(0) - lc.last_log_m();
  const Eigen::VectorXd d_rot = rotated[0].col(0) - lc.last_log_m();
  EXPECT_NEAR(d_plain.sum(), d_rot.sum(), 1e-9);
  EXPECT_GT(d_rot(0), d_plain(0));  // both negative: the rotated rate falls less at age 0
  EXPECT_GT(std::abs(d_rot(19)), std::abs(d_plain(19)));
}

TEST(TfrDeviation, FitRecoversAKnownAr1AndDrawsSpreadAsItSays) {
  const double phi = 0.9, sigma = 0.05;
  std::vector<int> years;
  std::vector<double> sd;
  for (int y = 2024; y <= 2100; ++y) {
    years.push_back(y);
    const int h = y - 2023;
    sd.push_back(sigma * std::sqrt((1.0 - std::pow(phi, 2.0 * h)) / (1.0 - phi * phi)));
  }
  const auto d = fc::fit_tfr_deviation(years, sd);
  EXPECT_NEAR(d.phi, phi, 1e-9);
  EXPECT_NEAR(d.sigma, sigma, 1e-9);
  EXPECT_NEAR(d.sd(2050), sd[2050 - 2024], 1e-9);
  EXPECT_DOUBLE_EQ(d.sd(2023), 0.0);
  const int n = 20000;
  double s2 = 0.0;
  for (int j = 0; j < n; ++j) {
    const auto path = d.draw(2020, 2050, 3, static_cast<std::uint64_t>(j));
    ASSERT_EQ(path.size(), 31u);
    EXPECT_EQ(path[3], 0.0);  // 2023: before the first uncertain year
    s2 += path.back() * path.back();
  }
  EXPECT_NEAR(std::sqrt(s2 / n) / sd[2050 - 2024], 1.0, 0.02);
  // A year's deviation does not depend on the years asked for.
  EXPECT_EQ(d.draw(2040, 2050, 3, 7).back(), d.draw(2020, 2050, 3, 7).back());
}

}  // namespace
