// Lee-Carter, trends and random streams against hand-built cases and Lee & Carter (1992).
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "healthcast/error.h"
#include "healthcast/forecast/lee_carter.h"
#include "healthcast/forecast/trend.h"
#include "healthcast/random/stream.h"

namespace {

using healthcast::forecast::JumpOff;
using healthcast::forecast::LeeCarter;

// Rates exp(a_x + b_x k_t) from given parameters (rows ages, columns years).
Eigen::MatrixXd build_rates(const std::vector<double>& a, const std::vector<double>& b,
                            const std::vector<double>& k) {
  Eigen::MatrixXd mx(static_cast<Eigen::Index>(a.size()), static_cast<Eigen::Index>(k.size()));
  for (Eigen::Index x = 0; x < mx.rows(); ++x)
    for (Eigen::Index t = 0; t < mx.cols(); ++t) mx(x, t) = std::exp(a[x] + b[x] * k[t]);
  return mx;
}

// b sums to 1 and k to 0, so the fit must give them back unchanged.
const std::vector<double> A = {-3.9, -7.0, -7.6, -6.1, -4.4, -2.0};
const std::vector<double> B = {0.30, 0.25, 0.20, 0.12, 0.08, 0.05};
const std::vector<double> K = {9.5, 6.0, 5.5, 2.0, 1.5, -1.0, -2.5, -4.0, -7.5, -9.5};
const std::vector<int> AGES = {0, 1, 5, 40, 70, 100};

std::vector<double> years_from(double first, double step, std::size_t n) {
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = first + step * static_cast<double>(i);
  return y;
}

TEST(LeeCarter, RecoversKnownParametersUnderTheNormalisation) {
  ASSERT_NEAR(std::accumulate(B.begin(), B.end(), 0.0), 1.0, 1e-15);
  ASSERT_NEAR(std::accumulate(K.begin(), K.end(), 0.0), 0.0, 1e-15);
  const auto years = years_from(2000, 1, K.size());
  const auto lc = LeeCarter::fit(build_rates(A, B, K), AGES, years);
  for (std::size_t x = 0; x < A.size(); ++x) {
    EXPECT_NEAR(lc.ax()(x), A[x], 1e-10) << "age " << AGES[x];
    EXPECT_NEAR(lc.bx()(x), B[x], 1e-10) << "age " << AGES[x];
  }
  for (std::size_t t = 0; t < K.size(); ++t) EXPECT_NEAR(lc.kt()(t), K[t], 1e-10);
  EXPECT_NEAR(lc.explained(), 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(lc.step(), 1.0);
}

TEST(LeeCarter, DriftAndSigmaAreThoseOfTheDifferencesOfK) {
  const auto lc = LeeCarter::fit(build_rates(A, B, K), AGES, years_from(2000, 1, K.size()));
  // By hand: drift = (-9.5 - 9.5) / 9; the differences are
  // -3.5 -0.5 -3.5 -0.5 -2.5 -1.5 -1.5 -3.5 -2.0.
  const double drift = -19.0 / 9.0;
  const std::vector<double> d = {-3.5, -0.5, -3.5, -0.5, -2.5, -1.5, -1.5, -3.5, -2.0};
  double ss = 0.0;
  for (double v : d) ss += (v - drift) * (v - drift);
  EXPECT_NEAR(lc.drift(), drift, 1e-10);
  EXPECT_NEAR(lc.sigma(), std::sqrt(ss / 8.0), 1e-10);
  EXPECT_NEAR(lc.drift_se(), std::sqrt(ss / 8.0) / 3.0, 1e-10);
}

TEST(LeeCarter, ForecastContinuesALinearKPathExactly) {
  // k falls by 2 per five-year period: the annual forecast must fall by 0.4 a year from the
  // last period's middle, and with no innovations every draw is the mean path.
  std::vector<double> k;
  for (int t = 0; t < 7; ++t) k.push_back(6.0 - 2.0 * t);  // sums to 0
  const auto years = years_from(1987, 5, k.size());        // middles of 1985-1989 ... 2015-2019
  const auto lc = LeeCarter::fit(build_rates(A, B, k), AGES, years);
  EXPECT_NEAR(lc.drift(), -2.0, 1e-10);
  EXPECT_NEAR(lc.drift_per_year(), -0.4, 1e-10);
  EXPECT_NEAR(lc.sigma(), 0.0, 1e-9);
  const auto f = lc.forecast(33, 3, 7);
  ASSERT_EQ(f.kt.size(), 33u);
  for (int h = 1; h <= 33; ++h) {
    EXPECT_DOUBLE_EQ(f.years[h - 1], 2017.0 + h);
    EXPECT_NEAR(f.kt[h - 1], -6.0 - 0.4 * h, 1e-9);
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(f.kt_draws(j, h - 1), -6.0 - 0.4 * h, 1e-8);
    for (std::size_t x = 0; x < A.size(); ++x)
      EXPECT_NEAR(std::log(f.mx(x, h - 1)), A[x] + B[x] * (-6.0 - 0.4 * h), 1e-9);
  }
  // Mid-year 2020 (calendar year 2020) is 3 years after the 2015-2019 middle.
  EXPECT_NEAR(lc.k_at(2020), -7.2, 1e-9);
}

TEST(LeeCarter, ObservedJumpOffStartsFromTheLastObservedRates) {
  auto mx = build_rates(A, B, K);
  mx(2, K.size() - 1) *= 1.1;  // the last observation departs from the model at age 5
  const auto lc = LeeCarter::fit(mx, AGES, years_from(2000, 1, K.size()));
  const double k_last = lc.kt()(K.size() - 1);
  const auto observed = lc.rates(k_last, JumpOff::observed);
  const auto fitted = lc.rates(k_last, JumpOff::fitted);
  for (Eigen::Index x = 0; x < mx.rows(); ++x) {
    EXPECT_NEAR(observed(x), mx(x, mx.cols() - 1), 1e-14);
    EXPECT_NEAR(fitted(x), lc.fitted()(x, mx.cols() - 1), 1e-14);
  }
  // One year on, the observed jump-off moves every age by b_x times the drift.
  const auto f = lc.forecast(1);
  for (Eigen::Index x = 0; x < mx.rows(); ++x)
    EXPECT_NEAR(std::log(f.mx(x, 0) / mx(x, mx.cols() - 1)), lc.bx()(x) * lc.drift(), 1e-12);
}

TEST(LeeCarter, DrawsDependOnlyOnSeedAndDrawNumber) {
  const auto lc = LeeCarter::fit(build_rates(A, B, K), AGES, years_from(2000, 1, K.size()));
  const auto few = lc.forecast(20, 3, 11);
  const auto many = lc.forecast(20, 40, 11);
  const auto other_seed = lc.forecast(20, 3, 12);
  for (Eigen::Index j = 0; j < 3; ++j)
    for (Eigen::Index h = 0; h < 20; ++h) {
      EXPECT_EQ(few.kt_draws(j, h), many.kt_draws(j, h));
      EXPECT_NE(few.kt_draws(j, h), other_seed.kt_draws(j, h));
    }
  EXPECT_NE(many.kt_draws(0, 19), many.kt_draws(1, 19));
}

TEST(LeeCarter, DrawsSpreadAsTheRandomWalkWithUncertainDrift) {
  const auto lc = LeeCarter::fit(build_rates(A, B, K), AGES, years_from(2000, 1, K.size()));
  const int n = 20000, h = 10;
  const auto f = lc.forecast(h, n, 3);
  const Eigen::VectorXd last = f.kt_draws.col(h - 1);
  const double mean = last.mean();
  const double sd = std::sqrt((last.array() - mean).square().sum() / (n - 1));
  // Closed form: var = h sigma^2 + h^2 se(drift)^2; sampling error of the sd is about
  // sd / sqrt(2n), i.e. 0.5 %.
  const double expected =
      std::sqrt(h * std::pow(lc.sigma(), 2) + h * h * std::pow(lc.drift_se(), 2));
  EXPECT_NEAR(f.kt_sd[h - 1], expected, 1e-12);
  EXPECT_NEAR(sd / expected, 1.0, 0.02);
  EXPECT_NEAR(mean, f.kt[h - 1], 4.0 * expected / std::sqrt(n));
}

TEST(LeeCarter, RejectsUnusableInput) {
  auto mx = build_rates(A, B, K);
  const auto years = years_from(2000, 1, K.size());
  mx(1, 1) = 0.0;
  EXPECT_THROW(LeeCarter::fit(mx, AGES, years), healthcast::Error);
  auto uneven = years;
  uneven.back() += 1.0;
  EXPECT_THROW(LeeCarter::fit(build_rates(A, B, K), AGES, uneven), healthcast::Error);
  EXPECT_THROW(LeeCarter::fit(build_rates(A, B, {1.0, -1.0}), AGES, years_from(2000, 1, 2)),
               healthcast::Error);
}

// Lee & Carter (1992): Table 1 (a_x, b_x; US, both sexes) and Table 2 (the forecast of k and
// its standard deviation for 1990-2019). Their k follows a random walk with drift -0.365 a
// year (published rounded; the least-squares line through Table 2's 30 values has slope
// -0.36517 and k_1989 = -11.0459, and reproduces every value within its rounding, 0.005) and
// a standard error of estimate 0.651 (rounded too: sd = 0.6513 sqrt(h) reproduces the sd
// column within 0.005, 0.651 only within 0.006).
struct Table {
  std::vector<std::vector<double>> rows;
};

Table read_table(const std::string& name) {
  std::ifstream in(std::string(HEALTHCAST_TEST_DATA) + "/lee_carter_1992/" + name);
  Table t;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<double> row;
    double v = 0.0;
    while (fields >> v) row.push_back(v);
    if (!row.empty()) t.rows.push_back(row);
  }
  return t;
}

TEST(LeeCarter, ReproducesLeeCarter1992Table2FromTheirDriftAndError) {
  const auto t1 = read_table("lc1992_table1_ax_bx.txt");
  const auto t2 = read_table("lc1992_table2_kt_sd.txt");
  ASSERT_EQ(t1.rows.size(), 23u);
  ASSERT_EQ(t2.rows.size(), 30u);
  std::vector<double> a, b;
  std::vector<int> ages;
  for (const auto& r : t1.rows)
    ages.push_back(static_cast<int>(r[0])), a.push_back(r[1]), b.push_back(r[2]);
  // A history 1899-1989 whose 90 differences alternate about the drift so that their mean is
  // the drift and their standard deviation (denominator 89) is `see`.
  const double drift = -0.36517, see = 0.6513, swing = see * std::sqrt(89.0 / 90.0);
  std::vector<double> k(91);
  k.back() = -11.0459;
  for (int t = 89; t >= 0; --t) k[t] = k[t + 1] - (drift + (t % 2 == 0 ? swing : -swing));
  const auto lc = LeeCarter::fit(build_rates(a, b, k), ages, years_from(1899, 1, k.size()));
  const auto f = lc.forecast(30);
  // The fit rescales b to sum 1 (theirs sums to 1.13 over the extended ages) and centres k;
  // rates and k in their units do not depend on that.
  const double scale = std::accumulate(b.begin(), b.end(), 0.0);
  const double k_mean = std::accumulate(k.begin(), k.end(), 0.0) / static_cast<double>(k.size());
  for (std::size_t h = 0; h < 30; ++h) {
    const double year = t2.rows[h][0], kt = t2.rows[h][1], sd = t2.rows[h][2];
    EXPECT_DOUBLE_EQ(f.years[h], year);
    EXPECT_NEAR(f.kt[h] / scale + k_mean, kt, 0.0051) << year;
    EXPECT_NEAR(f.kt_sd_innovation[h] / scale, sd, 0.0051) << year;
    for (std::size_t x = 0; x < ages.size(); ++x)
      EXPECT_NEAR(std::log(f.mx(x, h)), a[x] + b[x] * kt, 1e-3) << year << " age " << ages[x];
  }
}

TEST(Trend, ExponentialSeriesGivesItsRateExactly) {
  std::vector<double> t, y;
  for (int i = 0; i < 8; ++i) t.push_back(2010 + i), y.push_back(3.0 * std::pow(1.02, i));
  const auto tr = healthcast::forecast::log_linear_trend(t, y);
  EXPECT_NEAR(tr.apc, 2.0, 1e-10);
  EXPECT_NEAR(tr.apc_se, 0.0, 1e-10);
  EXPECT_NEAR(tr.at(2010), 3.0, 1e-10);
}

TEST(Trend, StandardErrorMatchesAHandCalculation) {
  // log y = 0, 0.1, 0.3 at t = 0, 1, 2: beta = 0.15, residuals 1/60, -1/30, 1/60, so
  // se(beta) = sqrt((1/600) / 1 / 2) and APC = 100 (e^0.15 - 1).
  const std::vector<double> t = {0, 1, 2}, y = {1.0, std::exp(0.1), std::exp(0.3)};
  const auto tr = healthcast::forecast::log_linear_trend(t, y);
  EXPECT_NEAR(tr.beta, 0.15, 1e-12);
  EXPECT_NEAR(tr.beta_se, std::sqrt(1.0 / 1200.0), 1e-12);
  EXPECT_NEAR(tr.apc, 100.0 * (std::exp(0.15) - 1.0), 1e-10);
  EXPECT_NEAR(tr.apc_se, 100.0 * std::exp(0.15) * std::sqrt(1.0 / 1200.0), 1e-10);
  EXPECT_THROW(healthcast::forecast::log_linear_trend(std::vector<double>{1, 2},
                                                      std::vector<double>{1.0, 0.0}),
               healthcast::Error);
}

TEST(RandomStream, SameKeySameNumbersAndDistinctStreamsOtherwise) {
  using healthcast::random::Purpose;
  using healthcast::random::Stream;
  Stream a(5, 9, Purpose::lee_carter_kt), b(5, 9, Purpose::lee_carter_kt);
  Stream c(5, 10, Purpose::lee_carter_kt), d(6, 9, Purpose::lee_carter_kt);
  for (int i = 0; i < 100; ++i) {
    const double u = a.uniform();
    EXPECT_EQ(u, b.uniform());
    EXPECT_NE(u, c.uniform());
    EXPECT_NE(u, d.uniform());
    EXPECT_GT(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
  // Moments of 100,000 normals: mean 0 (sd 0.0032) and variance 1 (sd 0.0045).
  Stream n(1, 0, Purpose::lee_carter_kt);
  double sum = 0.0, sum2 = 0.0;
  for (int i = 0; i < 100000; ++i) {
    const double z = n.normal();
    sum += z, sum2 += z * z;
  }
  EXPECT_NEAR(sum / 1e5, 0.0, 0.015);
  EXPECT_NEAR(sum2 / 1e5, 1.0, 0.02);
}

}  // namespace
