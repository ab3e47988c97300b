// Kept draws streamed into a results file (io/draw_writer.h): the file reads back with
// read_results() as the run's dataset plus one V_draws variable per drawn variable, written
// atomically, and nothing is left behind when the run fails.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "scratch_folder.h"

#include "healthcast/error.h"
#include "healthcast/io/draw_writer.h"
#include "healthcast/io/results_file.h"
#include "healthcast/results/dataset.h"
#include "healthcast/results/draw_summary.h"

namespace fs = std::filesystem;
using healthcast::Error;
using healthcast::io::DrawWriter;
using healthcast::io::read_results;
using healthcast::io::write_results;
using healthcast::results::Coordinate;
using healthcast::results::Dataset;
using healthcast::results::DrawSummary;
using healthcast::results::Variable;

namespace {

// A run's layout: population by year, sex and age; life expectancy by sex and year; a large
// variable (more than 64 Ki values a draw, so that one draw spans several chunks); and a
// calibration variable without the year dimension, which draws do not carry.
Dataset layout() {
  Dataset ds;
  ds.add_coordinate({"year", std::vector<int>{2020, 2021, 2022}, "calendar year", ""});
  ds.add_coordinate({"sex", std::vector<std::string>{"female", "male"}, "sex", ""});
  ds.add_coordinate({"age", std::vector<int>{0, 1, 2, 3}, "age in completed years", "years"});
  std::vector<int> cells(25000);
  for (std::size_t i = 0; i < cells.size(); ++i) cells[i] = static_cast<int>(i);
  ds.add_coordinate({"cell", cells, "", ""});
  ds.add_variable("population", {"year", "sex", "age"}, "persons", "population on 1 July");
  ds.add_variable("life_expectancy", {"sex", "year"}, "years", "life expectancy at birth");
  ds.add_variable("big", {"year", "cell"}, "", "a large outcome");
  ds.add_variable("calibration_fit", {"age"}, "", "a calibration diagnostic");
  return ds;
}

// Draw j: every value differs between variables, cells and draws.
Dataset draw(int j) {
  Dataset ds = layout();
  double base = 1000.0 * j;
  for (auto& v : ds.variables()) {
    for (std::size_t i = 0; i < v.values.size(); ++i)
      v.values[i] = base + 0.5 * static_cast<double>(i) + 0.125;
    base += 1e7;
  }
  return ds;
}

// The central run with its summaries, labels and attributes: what the writer gets at the end.
Dataset rest(int draws) {
  Dataset ds = draw(-1);
  DrawSummary summary(ds);
  for (int j = 0; j < draws; ++j) summary.add(draw(j));
  summary.write_to(ds);
  auto& words = ds.add_labels("sex_words", "sex", "the sexes in words");
  words.values = {"女性", "男性"};
  ds.attributes["scenario_name"] = "draws";
  return ds;
}

class DrawWriterTest : public healthcast::testing::ScratchFolderTest {};

}  // namespace

TEST_F(DrawWriterTest, DrawsAndTheRunReadBackExactly) {
  const fs::path file = dir_ / "run.h5";
  const Dataset central = rest(3);
  {
    DrawWriter writer(file, draw(0), 3);
    EXPECT_EQ(writer.draws(), 3u);
    // The caller may write draws in any order.
    for (int j : {2, 0, 1}) writer.write(static_cast<std::size_t>(j), draw(j));
    EXPECT_FALSE(fs::exists(file));  // not before finish
    writer.finish(central);
  }
  EXPECT_EQ(entries(), std::vector<std::string>{"run.h5"});  // no temporary file left

  const Dataset read = read_results(file);
  // The run's own content, as write_results would store it, comes first ...
  ASSERT_GE(read.variables().size(), central.variables().size());
  for (std::size_t i = 0; i < central.variables().size(); ++i) {
    const Variable& expected = central.variables()[i];
    const Variable& actual = read.variables()[i];
    EXPECT_EQ(actual.name, expected.name);
    EXPECT_EQ(actual.dims, expected.dims) << expected.name;
    EXPECT_EQ(actual.values, expected.values) << expected.name;
    EXPECT_EQ(actual.units, expected.units) << expected.name;
    EXPECT_EQ(actual.long_name, expected.long_name) << expected.name;
  }
  for (const Coordinate& expected : central.coordinates()) {
    const Coordinate& actual = read.coordinate(expected.name);
    EXPECT_EQ(actual.values, expected.values) << expected.name;
    EXPECT_EQ(actual.long_name, expected.long_name) << expected.name;
  }
  EXPECT_EQ(read.label("sex_words").values, central.label("sex_words").values);
  EXPECT_EQ(read.attributes.at("scenario_name"), "draws");

  // ... then the draws.
  const Coordinate& draw_dim = read.coordinate("draw");
  EXPECT_EQ(std::get<std::vector<int>>(draw_dim.values), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(draw_dim.long_name, "Monte Carlo draw");
  const std::vector<std::string> drawn = {"population", "life_expectancy", "big"};
  ASSERT_EQ(read.variables().size(), central.variables().size() + drawn.size());
  for (std::size_t k = 0; k < drawn.size(); ++k) {
    const Variable& kept = read.variables()[central.variables().size() + k];
    const Variable& one = central.variable(drawn[k]);
    EXPECT_EQ(kept.name, drawn[k] + "_draws");
    std::vector<std::string> dims{"draw"};
    dims.insert(dims.end(), one.dims.begin(), one.dims.end());
    EXPECT_EQ(kept.dims, dims);
    EXPECT_EQ(kept.units, one.units);
    EXPECT_EQ(kept.long_name, one.long_name);
    std::vector<double> expected;
    for (int j = 0; j < 3; ++j) {
      const Dataset d = draw(j);
      const auto& values = d.variable(drawn[k]).values;
      expected.insert(expected.end(), values.begin(), values.end());
    }
    EXPECT_EQ(kept.values, expected) << kept.name;  // bit for bit
  }
  EXPECT_FALSE(read.has_variable("calibration_fit_draws"));
}

TEST_F(DrawWriterTest, DestroyedWithoutFinishLeavesNothing) {
  const fs::path file = dir_ / "run.h5";
  {
    DrawWriter writer(file, draw(0), 3);
    writer.write(0, draw(0));
  }
  EXPECT_TRUE(entries().empty());

  // A run that throws half-way, with an earlier results file at the target: it stays as it was.
  Dataset earlier = layout();
  earlier.attributes["scenario_name"] = "earlier";
  write_results(earlier, file);
  try {
    DrawWriter writer(file, draw(0), 3);
    writer.write(0, draw(0));
    writer.write(1, draw(1));
    throw std::runtime_error("the run failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(entries(), std::vector<std::string>{"run.h5"});
  EXPECT_EQ(read_results(file).attributes.at("scenario_name"), "earlier");
  EXPECT_FALSE(read_results(file).has_variable("population_draws"));
}

TEST_F(DrawWriterTest, FinishNeedsEveryDraw) {
  const fs::path file = dir_ / "run.h5";
  DrawWriter writer(file, draw(0), 3);
  writer.write(0, draw(0));
  writer.write(2, draw(2));
  try {
    writer.finish(rest(3));
    ADD_FAILURE() << "finished without draw 1";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("draw 1 of 3 was not written"), std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(fs::exists(file));
  writer.write(1, draw(1));  // still usable
  writer.finish(rest(3));
  EXPECT_EQ(read_results(file).coordinate("draw").size(), 3u);
  EXPECT_EQ(entries(), std::vector<std::string>{"run.h5"});
  EXPECT_THROW(writer.write(1, draw(1)), Error);  // finished
  EXPECT_THROW(writer.finish(rest(3)), Error);
}

TEST_F(DrawWriterTest, BadDrawsAndRunsThrow) {
  const fs::path file = dir_ / "run.h5";
  EXPECT_THROW(DrawWriter(file, draw(0), 0), Error);
  EXPECT_TRUE(entries().empty());

  DrawWriter writer(file, draw(0), 2);
  EXPECT_THROW(writer.write(2, draw(2)), Error);  // out of range
  writer.write(0, draw(0));
  EXPECT_THROW(writer.write(0, draw(0)), Error);  // twice
  Dataset other = draw(1);
  other.remove_variable("life_expectancy");
  try {
    writer.write(1, other);
    ADD_FAILURE() << "wrote a draw without life_expectancy";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("draw 1"), std::string::npos) << message;
    EXPECT_NE(message.find("'life_expectancy' is missing"), std::string::npos) << message;
  }
  writer.write(1, draw(1));

  // A run over other years cannot hold these draws; the run may not use the draws' names.
  Dataset other_years;
  other_years.add_coordinate({"year", std::vector<int>{2020, 2021}, "", ""});
  EXPECT_THROW(writer.finish(other_years), Error);
  Dataset clash = rest(2);
  clash.add_variable("population_draws", {"year"}, "", "");
  EXPECT_THROW(writer.finish(clash), Error);
  writer.finish(rest(2));
  EXPECT_EQ(entries(), std::vector<std::string>{"run.h5"});
}

TEST_F(DrawWriterTest, AFailedFinishRemovesTheTemporaryFile) {
  const fs::path file = dir_ / "run.h5";
  DrawWriter writer(file, draw(0), 1);
  writer.write(0, draw(0));
  Dataset reserved = rest(1);
  reserved.attributes["filetype"] = "something else";  // the file format's own attribute
  EXPECT_THROW(writer.finish(reserved), Error);
  EXPECT_TRUE(entries().empty());
  EXPECT_THROW(writer.finish(rest(1)), Error);  // the writer is closed
}

TEST_F(DrawWriterTest, APartNumbersItsDrawsFromItsFirst) {
  // Draws 3 and 4 of a run (a part): written by their own numbers, which the file's `draw`
  // coordinate holds; the run's dataset may bring the coordinate itself (for the targets'
  // outcomes over draws), with the same numbers only.
  const fs::path file = dir_ / "part.h5";
  DrawWriter writer(file, draw(0), 2, 3);
  EXPECT_THROW(writer.write(2, draw(2)), Error);  // before the part
  EXPECT_THROW(writer.write(5, draw(5)), Error);  // after it
  writer.write(4, draw(4));
  writer.write(3, draw(3));
  Dataset wrong = rest(2);
  wrong.add_coordinate(healthcast::results::draw_coordinate(2));  // 0, 1: not this part's
  EXPECT_THROW(writer.finish(wrong), Error);
  Dataset with_draws = rest(2);
  with_draws.add_coordinate(healthcast::results::draw_coordinate(2, 3));
  with_draws.add_variable("outcome_draws", {"draw", "sex"}, "", "").values = {1, 0, 0, 1};
  writer.finish(with_draws);

  const Dataset read = healthcast::io::read_results(file);
  EXPECT_EQ(std::get<std::vector<int>>(read.coordinate("draw").values), (std::vector<int>{3, 4}));
  const auto& population = read.variable("population_draws").values;
  const Dataset fourth = draw(4);
  const auto& expected = fourth.variable("population").values;
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(),
                         population.begin() + static_cast<std::ptrdiff_t>(expected.size())));
  EXPECT_EQ(read.variable("outcome_draws").values, (std::vector<double>{1, 0, 0, 1}));
}
