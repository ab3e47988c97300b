// Life tables (MODEL.md §3) against published tables and hand calculations.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "healthcast/demography/life_table.h"
#include "healthcast/error.h"
#include "healthcast/input/csv.h"

using healthcast::InputError;
using healthcast::demography::life_table;
using healthcast::demography::Sex;
using healthcast::input::CsvTable;

namespace {

const std::string DATA = std::string(HEALTHCAST_TEST_DATA) + "/life_tables/";

struct Published {
  std::vector<int> x;
  std::vector<double> m, e;
};

Published read_published(const std::string& file) {
  auto csv = CsvTable::read(DATA + file);
  Published p;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    p.x.push_back(csv.integer(r, "age"));
    p.m.push_back(csv.number(r, "nMx"));
    p.e.push_back(csv.number(r, "ex_published"));
  }
  return p;
}

double max_e_error_to_age(const Published& p, Sex sex, int last_age) {
  auto t = life_table(p.x, p.m, sex);
  double worst = 0.0;
  for (std::size_t i = 0; i < p.x.size() && p.x[i] <= last_age; ++i)
    worst = std::max(worst, std::abs(t.e[i] - p.e[i]));
  return worst;
}

}  // namespace

TEST(LifeTable, ReproducesUn1982MaleExampleAtAges0To65) {
  auto p = read_published("un1982_p34_male_abridged_mx_ex.csv");
  EXPECT_LT(max_e_error_to_age(p, Sex::male, 65), 0.02);
  EXPECT_NEAR(life_table(p.x, p.m, Sex::male).e[0], 35.000, 0.02);
}

TEST(LifeTable, ReproducesMortpakFemaleExampleAtAges0To65) {
  auto p = read_published("mortpak_un1988_p82_female_abridged_mx_ex.csv");
  EXPECT_LT(max_e_error_to_age(p, Sex::female, 65), 0.02);
  EXPECT_NEAR(life_table(p.x, p.m, Sex::female).e[0], 49.997, 0.02);
}

TEST(LifeTable, ReproducesWpp2019ChinaTableGivenItsRatesAndSeparationFactors) {
  auto csv = CsvTable::read(DATA + "china_wpp2019_lifetable_2015_2020.csv");
  // Published e0 for 2015-2020 (WPP2019): both sexes 76.623, males 74.470, females 78.973.
  const std::vector<std::pair<std::string, Sex>> sexes = {
      {"Both", Sex::total}, {"Male", Sex::male}, {"Female", Sex::female}};
  for (const auto& [label, sex] : sexes) {
    std::vector<int> x;
    std::vector<double> m, a, e_published, q_published;
    for (std::size_t r = 0; r < csv.rows(); ++r) {
      if (csv.text(r, "sex") != label) continue;
      x.push_back(csv.integer(r, "x"));
      m.push_back(csv.number(r, "mxn"));
      a.push_back(csv.number(r, "axn"));
      e_published.push_back(csv.number(r, "ex"));
      q_published.push_back(csv.number(r, "qxn"));
    }
    ASSERT_EQ(x.size(), 22u) << label;
    auto t = life_table(x, m, sex, a);
    EXPECT_NEAR(t.e[0], e_published[0], 0.001) << label;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
      EXPECT_NEAR(t.q[i], q_published[i], 1e-6) << label << " age " << x[i];
      EXPECT_NEAR(t.e[i], e_published[i], 0.001) << label << " age " << x[i];
    }
  }
}

TEST(LifeTable, ConstantRateGivesExponentialLifeExpectancy) {
  // With m constant on single years and a = 0.5, q = m / (1 + m/2) and the open group
  // closes with 1/m. With this closure the exact e0 of a constant hazard is not reproduced,
  // but e in the open group is 1/m exactly.
  std::vector<int> x(101);
  std::vector<double> m(101, 0.02);
  for (int i = 0; i <= 100; ++i) x[i] = i;
  auto t = life_table(x, m, Sex::female);
  EXPECT_NEAR(t.e.back(), 50.0, 1e-12);
  EXPECT_NEAR(t.q[10], 0.02 / 1.01, 1e-15);
  // Age 0 uses the Coale-Demeny female rule: a0 = 0.053 + 2.8 * 0.02.
  EXPECT_NEAR(t.a[0], 0.053 + 2.8 * 0.02, 1e-15);
  EXPECT_NEAR(t.q[0], 0.02 / (1.0 + (1.0 - t.a[0]) * 0.02), 1e-15);
}

TEST(LifeTable, HandComputedThreeIntervalTable) {
  // Ages 0, 1, 5+ with m = 0.1, 0.01, 0.2 for males; m0 < 0.107, so
  // a0 = 0.045 + 2.684 * 0.1 = 0.3134 and 4a1 = 1.651 - 2.816 * 0.1 = 1.3694.
  const std::vector<int> x = {0, 1, 5};
  const std::vector<double> m = {0.1, 0.01, 0.2};
  auto t = life_table(x, m, Sex::male);
  const double a0 = 0.3134, a1 = 1.3694;
  const double q0 = 0.1 / (1 + (1 - a0) * 0.1);
  const double q1 = 4 * 0.01 / (1 + (4 - a1) * 0.01);
  const double l1 = 1e5 * (1 - q0), l5 = l1 * (1 - q1);
  const double L0 = l1 + a0 * (1e5 - l1), L1 = 4 * l5 + a1 * (l1 - l5), L5 = l5 / 0.2;
  EXPECT_NEAR(t.L[0], L0, 1e-8);
  EXPECT_NEAR(t.L[1], L1, 1e-8);
  EXPECT_NEAR(t.L[2], L5, 1e-8);
  EXPECT_NEAR(t.e[0], (L0 + L1 + L5) / 1e5, 1e-12);
  EXPECT_NEAR(t.infant_mortality(), 1000 * q0, 1e-10);
  EXPECT_NEAR(t.under5_mortality(), 1000 * (1 - l5 / 1e5), 1e-10);
}

TEST(LifeTable, RejectsBadRatesWithAMessageThatNamesTheAge) {
  const std::vector<int> x = {0, 1, 5};
  try {
    life_table(x, std::vector<double>{0.01, -0.002, 0.2}, Sex::male);
    FAIL() << "a negative rate was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("age 1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(life_table(x, std::vector<double>{0.01, 0.002, 0.0}, Sex::male), InputError);
  EXPECT_THROW(life_table(std::vector<int>{1, 5}, std::vector<double>{0.01, 0.2}, Sex::male),
               InputError);
}
