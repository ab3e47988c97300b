// Summaries of Monte Carlo draws (results/draw_summary.h): exact quantiles against numpy's
// method computed here and by hand, the mean as the sum in draw order, closed-form quantiles of
// the normal and exponential distributions, constant and NaN cells, layout checks, the output
// layout, reproducibility, the temporary file beyond the memory budget, and the usable CPUs.
#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "healthcast/error.h"
#include "healthcast/parallel/ordered.h"
#include "healthcast/results/dataset.h"
#include "healthcast/results/draw_summary.h"

using healthcast::Error;
using healthcast::results::Dataset;
using healthcast::results::DrawSummary;
using healthcast::results::Variable;

namespace {

// Indexes of the statistics along "statistic".
constexpr std::size_t MEAN = 0, MEDIAN = 1, LOWER = 2, UPPER = 3;

// A run's layout: `years` years of one drawn variable "x" (so each year is one cell), and a
// calibration variable without the year dimension, which is not summarised.
Dataset layout(std::size_t years) {
  Dataset ds;
  std::vector<int> values(years);
  for (std::size_t i = 0; i < years; ++i) values[i] = 2020 + static_cast<int>(i);
  ds.add_coordinate({"year", values, "calendar year", ""});
  ds.add_coordinate({"age", std::vector<int>{0, 1, 2}, "age in completed years", "years"});
  ds.add_variable("x", {"year"}, "persons", "an outcome");
  ds.add_variable("calibration_fit", {"age"}, "", "a calibration diagnostic");
  return ds;
}

// The draw of the layout above whose cell c holds values[c].
Dataset draw(const std::vector<double>& values) {
  Dataset ds = layout(values.size());
  ds.variable("x").values = values;
  return ds;
}

// The statistic s of cell c in `out` after write_to.
double statistic(const Dataset& out, std::size_t s, std::size_t c, const char* name = "x") {
  const Variable& v = out.variable(std::string(name) + "_summary");
  return v.values[s * (v.values.size() / 4) + c];
}

Dataset summarise(const DrawSummary& summary, std::size_t years) {
  Dataset out = layout(years);
  summary.write_to(out);
  return out;
}

// numpy.quantile(values, p) with numpy's default method 'linear': the order statistics
// x[floor(h)] and x[floor(h) + 1] interpolated at h = (n - 1) p, computed independently of the
// library's code.
double numpy_linear(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const double h = static_cast<double>(values.size() - 1) * p;
  const auto lo = static_cast<std::size_t>(h);
  if (lo + 1 >= values.size()) return values.back();
  return values[lo] + (h - static_cast<double>(lo)) * (values[lo + 1] - values[lo]);
}

// Uniform on (0, 1) from the top 53 bits, so that the tests do not depend on the standard
// library's distributions (whose algorithms are implementation-defined).
double uniform(std::mt19937_64& rng) {
  return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
}

// Standard normal by the Box-Muller transform (the cosine half).
double normal(std::mt19937_64& rng) {
  const double u1 = uniform(rng);
  const double u2 = uniform(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double exponential(std::mt19937_64& rng) { return -std::log(uniform(rng)); }

// One cell fed `draws` values of generate(rng) from a stream seeded with `seed`: the summary,
// written out, and the values (for exact sample quantiles).
struct Fed {
  Dataset out;
  std::vector<double> values;
};

template <class Generate>
Fed feed(std::uint64_t seed, std::size_t draws, Generate generate) {
  std::mt19937_64 rng(seed);
  DrawSummary summary(layout(1));
  Fed fed;
  for (std::size_t j = 0; j < draws; ++j) {
    fed.values.push_back(generate(rng));
    summary.add(draw({fed.values.back()}));
  }
  fed.out = summarise(summary, 1);
  return fed;
}

}  // namespace

TEST(DrawSummary, FewDrawsGiveExactNumpyQuantiles) {
  // Three cells, with ties, negative values and an unsorted order.
  const std::vector<std::vector<double>> cells = {
      {2, 7, 1, 8, 2.5, 9.25, 4, 6, 3},
      {10, -3, 0.5, 4, 4, 12, -7, 1, 2},
      {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9},
  };
  DrawSummary summary(layout(3));
  for (std::size_t n = 1; n <= 9; ++n) {
    summary.add(draw({cells[0][n - 1], cells[1][n - 1], cells[2][n - 1]}));
    ASSERT_EQ(summary.count(), n);
    const Dataset out = summarise(summary, 3);
    for (std::size_t c = 0; c < 3; ++c) {
      SCOPED_TRACE(testing::Message() << n << " draws, cell " << c);
      const std::vector<double> seen(cells[c].begin(), cells[c].begin() + n);
      double sum = 0;
      for (double v : seen) sum += v;
      // The mean is the sum in draw order divided by n; the quantiles numpy's up to rounding
      // (this formula interpolates from the lower end only).
      const bool equal =
          std::all_of(seen.begin(), seen.end(), [&](double v) { return v == seen[0]; });
      EXPECT_EQ(statistic(out, MEAN, c), equal ? seen[0] : sum / static_cast<double>(n));
      EXPECT_DOUBLE_EQ(statistic(out, MEDIAN, c), numpy_linear(seen, 0.5));
      EXPECT_DOUBLE_EQ(statistic(out, LOWER, c), numpy_linear(seen, 0.025));
      EXPECT_DOUBLE_EQ(statistic(out, UPPER, c), numpy_linear(seen, 0.975));
    }
  }
}

TEST(DrawSummary, SevenDrawsByHand) {
  // Sorted: 1, 2, 2.5, 4, 7, 8, 9.25. h = 6 p: 0.15 -> 1 + 0.15 * 1 = 1.15; 3 -> 4;
  // 5.85 -> 8 + 0.85 * 1.25 = 9.0625. Mean 33.75 / 7.
  DrawSummary summary(layout(1));
  for (double v : {2.0, 7.0, 1.0, 8.0, 2.5, 9.25, 4.0}) summary.add(draw({v}));
  const Dataset out = summarise(summary, 1);
  EXPECT_DOUBLE_EQ(statistic(out, MEAN, 0), 33.75 / 7);
  EXPECT_DOUBLE_EQ(statistic(out, MEDIAN, 0), 4.0);
  EXPECT_DOUBLE_EQ(statistic(out, LOWER, 0), 1.15);
  EXPECT_DOUBLE_EQ(statistic(out, UPPER, 0), 9.0625);
}

TEST(DrawSummary, NormalQuantiles) {
  // 20,000 standard normal draws. (Over 1,000 streams, 2.0% of the exact sample quantiles miss
  // these tolerances; this stream is a fixed one.)
  const Dataset out = feed(1000, 20000, normal).out;
  const double z = 1.959963984540054;  // 97.5% quantile of the standard normal
  EXPECT_NEAR(statistic(out, MEAN, 0), 0.0, 0.03);
  EXPECT_NEAR(statistic(out, MEDIAN, 0), 0.0, 0.03);
  EXPECT_NEAR(statistic(out, LOWER, 0), -z, 0.05);
  EXPECT_NEAR(statistic(out, UPPER, 0), z, 0.05);
}

TEST(DrawSummary, ExponentialQuantiles) {
  // Skewed: exponential with rate 1, whose p-quantile is -ln(1 - p) and mean 1; 20,000 draws.
  const auto [out, seen] = feed(1, 20000, exponential);
  EXPECT_NEAR(statistic(out, MEAN, 0), 1.0, 0.03);
  EXPECT_NEAR(statistic(out, MEDIAN, 0), -std::log(0.5), 0.03 * -std::log(0.5));
  EXPECT_NEAR(statistic(out, UPPER, 0), -std::log(0.025), 0.03 * -std::log(0.025));
  // The sampling error of a 2.5% quantile of 20,000 draws is 4.5% of it (standard error
  // sqrt(p (1 - p) / n) / f(q)), so even the exact sample quantile misses 3% of the true value
  // about half the time: within 3% of the sample quantile, and within 15% (3.3 standard errors)
  // of the true one.
  EXPECT_NEAR(statistic(out, LOWER, 0), numpy_linear(seen, 0.025), 0.03 * -std::log(0.975));
  EXPECT_NEAR(statistic(out, LOWER, 0), -std::log(0.975), 0.15 * -std::log(0.975));
}

TEST(DrawSummary, QuantilesAreTheSampleQuantiles) {
  // Exact, not estimated: the sample quantiles of the same 5,000 draws (up to rounding of the
  // interpolation), and the mean their sum in draw order over n.
  const auto [out, seen] = feed(7, 5000, exponential);
  EXPECT_DOUBLE_EQ(statistic(out, MEDIAN, 0), numpy_linear(seen, 0.5));
  EXPECT_DOUBLE_EQ(statistic(out, LOWER, 0), numpy_linear(seen, 0.025));
  EXPECT_DOUBLE_EQ(statistic(out, UPPER, 0), numpy_linear(seen, 0.975));
  double sum = 0.0;
  for (double v : seen) sum += v;
  EXPECT_EQ(statistic(out, MEAN, 0), sum / 5000.0);
}

TEST(DrawSummary, MeanSumsInDrawOrder) {
  // 1e16 + 1 rounds back to 1e16 (doubles there are 2 apart, ties to even), so in draw order
  // the sum is ((1e16 + 1) - 1e16) + 1 = 1 and the mean 0.25; summed in sorted order it would
  // be 0 and the mean 0. Median: sorted -1e16, 1, 1, 1e16, h = 1.5 -> 1.
  DrawSummary summary(layout(1));
  for (double v : {1e16, 1.0, -1e16, 1.0}) summary.add(draw({v}));
  const Dataset out = summarise(summary, 1);
  EXPECT_EQ(statistic(out, MEAN, 0), 0.25);
  EXPECT_EQ(statistic(out, MEDIAN, 0), 1.0);
  // numpy: h = 3 p, t = h - floor(h); lower (t < 0.5) from the lower end, -1e16 + t (1 + 1e16);
  // upper (t >= 0.5) from the upper end, 1e16 - (1 - t) (1e16 - 1).
  EXPECT_EQ(statistic(out, LOWER, 0), -1e16 + (1.0 + 1e16) * (3 * 0.025));
  EXPECT_EQ(statistic(out, UPPER, 0), 1e16 - (1e16 - 1.0) * (1.0 - (3 * 0.975 - 2.0)));
}

TEST(DrawSummary, TemporaryFileAndThreadsGiveTheSameBits) {
  // Over the memory budget the draws go to a temporary file; the statistics must not change,
  // nor with the number of threads.
  Dataset big;
  std::vector<int> years(23);
  for (int i = 0; i < 23; ++i) years[static_cast<std::size_t>(i)] = 2020 + i;
  big.add_coordinate({"year", years, "", ""});
  big.add_coordinate({"age", std::vector<int>{0, 1, 2, 3, 4}, "", ""});
  big.add_variable("a", {"year", "age"}, "", "");
  big.add_variable("c", {"year"}, "", "");
  DrawSummary memory(big, 1);
  DrawSummary file(big, 3, 10 * 23 * 6 * sizeof(double));  // room for 10 draws
  std::mt19937_64 rng(11);
  for (int j = 0; j < 40; ++j) {
    for (auto& v : big.variables())
      for (auto& value : v.values) value = normal(rng);
    memory.add(big);
    file.add(big);
    EXPECT_EQ(file.spilled(), j >= 10) << j;
  }
  EXPECT_FALSE(memory.spilled());
  Dataset one = big, two = big;
  memory.write_to(one);
  file.write_to(two);
  for (const char* name : {"a_summary", "c_summary"}) {
    const auto& x = one.variable(name).values;
    const auto& y = two.variable(name).values;
    ASSERT_EQ(x.size(), y.size());
    EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size() * sizeof(double)), 0) << name;
  }
}

TEST(UsableCpus, FollowAffinityAndSlurm) {
  using healthcast::parallel::usable_cpus;
  EXPECT_EQ(usable_cpus(4, nullptr, 128), 4u);  // a 4-CPU mask on a 128-core node
  EXPECT_EQ(usable_cpus(128, "4", 128), 4u);    // SLURM_CPUS_PER_TASK within the mask
  EXPECT_EQ(usable_cpus(2, "8", 128), 2u);      // never more than the mask
  EXPECT_EQ(usable_cpus(0, "3", 8), 3u);        // mask unknown
  EXPECT_EQ(usable_cpus(6, "", 8), 6u);         // empty or not a number: ignored
  EXPECT_EQ(usable_cpus(6, "4x", 8), 6u);
  EXPECT_EQ(usable_cpus(6, "0", 8), 6u);
  EXPECT_EQ(usable_cpus(0, nullptr, 8), 8u);  // nothing known: the cores
  EXPECT_EQ(usable_cpus(0, nullptr, 0), 1u);
  // This process: its own mask (sched_getaffinity), as the test runner set it.
  cpu_set_t mask;
  CPU_ZERO(&mask);
  ASSERT_EQ(sched_getaffinity(0, sizeof(mask), &mask), 0);
  if (std::getenv("SLURM_CPUS_PER_TASK") == nullptr) {
    EXPECT_EQ(usable_cpus(), static_cast<unsigned>(CPU_COUNT(&mask)));
  }
  EXPECT_EQ(healthcast::parallel::thread_count(0), usable_cpus());
  EXPECT_EQ(healthcast::parallel::thread_count(3), 3u);
}

TEST(DrawSummary, ConstantCellsGiveTheirValueExactly) {
  // Cell 0 is constant 0.1 (not a binary fraction), cell 1 constant -3e7, cell 2 varies.
  for (std::size_t draws : {1, 5, 9, 10, 500}) {
    SCOPED_TRACE(testing::Message() << draws << " draws");
    DrawSummary summary(layout(3));
    for (std::size_t j = 0; j < draws; ++j)
      summary.add(draw({0.1, -3e7, std::sin(static_cast<double>(j))}));
    const Dataset out = summarise(summary, 3);
    for (std::size_t s = 0; s < 4; ++s) {
      EXPECT_EQ(statistic(out, s, 0), 0.1);
      EXPECT_EQ(statistic(out, s, 1), -3e7);
    }
  }
}

TEST(DrawSummary, NanMakesOnlyItsCellNan) {
  for (std::size_t draws : {5, 9, 50}) {
    SCOPED_TRACE(testing::Message() << draws << " draws");
    DrawSummary summary(layout(2));
    for (std::size_t j = 0; j < draws; ++j) {
      const double x = static_cast<double>(j);
      summary.add(draw({j == 3 ? std::numeric_limits<double>::quiet_NaN() : x, x}));
    }
    const Dataset out = summarise(summary, 2);
    for (std::size_t s = 0; s < 4; ++s) {
      EXPECT_TRUE(std::isnan(statistic(out, s, 0))) << "statistic " << s;
      EXPECT_FALSE(std::isnan(statistic(out, s, 1))) << "statistic " << s;
    }
  }
}

TEST(DrawSummary, LayoutMismatchThrows) {
  DrawSummary summary(layout(3));
  summary.add(draw({1, 2, 3}));
  auto expect_error = [&](const Dataset& bad, const std::string& words) {
    try {
      summary.add(bad);
      ADD_FAILURE() << "no error for a draw with " << words;
    } catch (const Error& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("draw 1"), std::string::npos) << message;
      EXPECT_NE(message.find(words), std::string::npos) << message;
    }
  };
  expect_error(draw({1, 2, 3, 4}), "shape (4)");  // one year more

  Dataset missing = draw({1, 2, 3});
  missing.remove_variable("x");
  expect_error(missing, "variable 'x' is missing");

  Dataset extra = draw({1, 2, 3});
  extra.add_variable("y", {"year"}, "", "");
  expect_error(extra, "variable 'y'");

  Dataset other_dims = layout(3);
  other_dims.remove_variable("x");
  other_dims.add_variable("x", {"year", "age"}, "", "");
  expect_error(other_dims, "dimensions (year, age)");

  Dataset other_years = draw({1, 2, 3});
  other_years.remove_variable("x");
  other_years.remove_variable("calibration_fit");
  other_years.remove_coordinate("year");
  other_years.add_coordinate({"year", std::vector<int>{2021, 2022, 2023}, "", ""});
  other_years.add_variable("x", {"year"}, "", "");
  expect_error(other_years, "values along 'year'");

  EXPECT_EQ(summary.count(), 1u);  // the failed draws were not counted
  summary.add(draw({4, 5, 6}));
  EXPECT_EQ(summary.count(), 2u);
}

TEST(DrawSummary, OutputLayout) {
  Dataset central = layout(2);
  central.add_coordinate({"sex", std::vector<std::string>{"female", "male"}, "sex", ""});
  central.add_variable("deaths", {"sex", "year"}, "persons per year", "deaths");
  DrawSummary summary(central);
  EXPECT_THROW(summary.write_to(central), Error);  // no draw yet
  for (int j = 0; j < 9; ++j) {                    // up to 9 draws the statistics are exact
    Dataset d = central;
    d.variable("deaths").values = {1.0 * j, 2.0 * j, 3.0 * j, 4.0 * j};
    summary.add(d);
  }
  summary.write_to(central);

  const auto& statistic_dim = central.coordinate("statistic");
  EXPECT_EQ(std::get<std::vector<std::string>>(statistic_dim.values),
            (std::vector<std::string>{"mean", "median", "lower_95", "upper_95"}));
  EXPECT_NE(statistic_dim.long_name.find("2.5%"), std::string::npos);
  EXPECT_NE(statistic_dim.long_name.find("97.5%"), std::string::npos);

  const Variable& deaths = central.variable("deaths_summary");
  EXPECT_EQ(deaths.dims, (std::vector<std::string>{"statistic", "sex", "year"}));
  EXPECT_EQ(deaths.shape, (std::vector<std::size_t>{4, 2, 2}));
  EXPECT_EQ(deaths.units, "persons per year");
  EXPECT_EQ(deaths.long_name, "deaths (summary over 9 draws)");
  // (sex, year) = (male, 2020) holds 3 j, (female, 2021) holds 2 j, for j = 0..8.
  EXPECT_DOUBLE_EQ(deaths.at({MEAN, 1, 0}), 3.0 * 4);
  EXPECT_DOUBLE_EQ(deaths.at({MEDIAN, 0, 1}), 2.0 * 4);
  EXPECT_DOUBLE_EQ(deaths.at({LOWER, 0, 1}), 2.0 * 0.2);  // h = 8 * 0.025 = 0.2
  EXPECT_DOUBLE_EQ(deaths.at({UPPER, 0, 1}), 2.0 * 7.8);  // h = 7.8

  const Variable& x = central.variable("x_summary");
  EXPECT_EQ(x.dims, (std::vector<std::string>{"statistic", "year"}));
  EXPECT_EQ(x.units, "persons");
  EXPECT_EQ(x.long_name, "an outcome (summary over 9 draws)");
  EXPECT_FALSE(central.has_variable("calibration_fit_summary"));
  EXPECT_THROW(summary.write_to(central), Error);  // the summaries are there already

  // A dataset with other years cannot hold the summaries.
  Dataset other = layout(3);
  EXPECT_THROW(summary.write_to(other), Error);
}

TEST(DrawSummary, SameDrawsInTheSameOrderGiveIdenticalBits) {
  // Several variables of odd sizes, so that cells sit at every offset of the internal blocks;
  // each cell must also not depend on its neighbours: cell 0 of "c" is fed the stream that a
  // one-cell summary is fed alone.
  Dataset big;
  std::vector<int> years(37);
  for (int i = 0; i < 37; ++i) years[static_cast<std::size_t>(i)] = 2020 + i;
  big.add_coordinate({"year", years, "", ""});
  big.add_coordinate({"age", std::vector<int>{0, 1, 2, 3, 4, 5, 6}, "", ""});
  big.add_variable("a", {"year", "age"}, "", "");
  big.add_variable("b", {"age", "year"}, "", "");
  big.add_variable("c", {"year"}, "", "");

  auto run = [&](std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::mt19937_64 alone_rng(99);
    DrawSummary summary(big);
    DrawSummary alone(layout(1));
    for (int j = 0; j < 300; ++j) {
      for (auto& v : big.variables())
        for (auto& value : v.values) value = exponential(rng);
      const double x = normal(alone_rng);
      big.variable("c").values[0] = x;
      summary.add(big);
      alone.add(draw({x}));
    }
    Dataset out = big;
    summary.write_to(out);
    return std::make_pair(out, summarise(alone, 1));
  };
  const auto [first, first_alone] = run(5);
  const auto [second, second_alone] = run(5);
  for (const char* name : {"a_summary", "b_summary", "c_summary"}) {
    const auto& one = first.variable(name).values;
    const auto& two = second.variable(name).values;
    ASSERT_EQ(one.size(), two.size());
    EXPECT_EQ(std::memcmp(one.data(), two.data(), one.size() * sizeof(double)), 0) << name;
  }
  for (std::size_t s = 0; s < 4; ++s) {
    const double embedded = first.variable("c_summary").at({s, 0});
    const double single = statistic(first_alone, s, 0);
    EXPECT_EQ(std::memcmp(&embedded, &single, sizeof(double)), 0) << "statistic " << s;
  }
}
