// Summaries of Monte Carlo draws (MODEL.md §6): mean, median and the 2.5% and 97.5% quantiles
// of every value that varies by year, accumulated one draw at a time in memory that does not
// grow with the number of draws.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "healthcast/results/dataset.h"

namespace healthcast::results {

// The dimension of the values that differ between draws; the variables without it (inputs and
// calibration_* diagnostics) are the same in every draw and are neither summarised nor kept.
inline constexpr std::string_view DRAWN_DIM = dim::year;

// Kept draws: for each drawn variable V, a variable V_draws (DRAWS_SUFFIX) over ("draw", V's
// dims...) with V's units and long_name, the same in memory (scenario::RunOptions::keep_draws)
// and in files (io::DrawWriter).
// The `draw` coordinate of n kept draws: 0, 1, ..., n - 1.
Coordinate draw_coordinate(std::size_t n);

// The part of a run's dataset that changes from one draw to the next: every variable with the
// "year" dimension, in the dataset's order, with the coordinates along their dimensions.
class DrawLayout {
 public:
  // A drawn variable without its values; offset is where it starts among all drawn values.
  struct Entry {
    std::string name;
    std::vector<std::string> dims;
    std::vector<std::size_t> shape;
    std::string units;
    std::string long_name;
    std::size_t size = 0;
    std::size_t offset = 0;
  };

  explicit DrawLayout(const Dataset& layout);

  const std::vector<Entry>& variables() const { return variables_; }
  // The coordinates along the drawn variables' dimensions.
  const std::vector<Coordinate>& coordinates() const { return coordinates_; }
  // Number of drawn values (all variables together).
  std::size_t cells() const { return cells_; }

  // The variables of `draw` in the order of variables(). Throws Error naming `which` (for
  // example "draw 17") and the first difference when the draw has another layout: a variable
  // missing or extra, other dimensions or shape, other coordinate values.
  std::vector<const Variable*> match(const Dataset& draw, std::string_view which) const;
  // Throws Error naming `which` when `dataset` lacks a coordinate of the layout or has other
  // values along it.
  void check_coordinates(const Dataset& dataset, std::string_view which) const;

 private:
  std::vector<Entry> variables_;
  std::vector<Coordinate> coordinates_;
  std::size_t cells_ = 0;
};

// Streaming summary of draws. For each drawn variable V, write_to() adds `V_summary`
// (SUMMARY_SUFFIX) over
// ("statistic", V's dims...) with the statistics mean, median, lower_95 (2.5% quantile) and
// upper_95 (97.5% quantile), in V's units.
//
// The mean is a running (Welford) mean. Up to 9 draws the quantiles are exact (linear
// interpolation between order statistics, numpy's default); from the 10th draw on they are
// estimated by the extended P² algorithm (Jain and Chlamtac 1985; Raatikainen 1987) with 9
// markers per value, so memory is about 108 bytes per value whatever the number of draws. A cell
// whose draws are all equal gets exactly that value for every statistic; a NaN in any draw makes
// every statistic of that cell NaN. Results depend only on the draws and their order.
class DrawSummary {
 public:
  static constexpr std::array<double, 3> PROBABILITIES = {0.025, 0.5, 0.975};
  static constexpr std::array<std::string_view, 4> STATISTICS = {"mean", "median", "lower_95",
                                                                 "upper_95"};

  // Summarises the drawn variables of `layout` (for example the first draw or the central run).
  explicit DrawSummary(const Dataset& layout);

  // Adds the next draw; draws must come in draw order (0, 1, 2, ...) for reproducible results.
  // Throws Error when the draw's layout differs from the layout's.
  void add(const Dataset& draw);

  std::size_t count() const { return count_; }
  const DrawLayout& layout() const { return layout_; }

  // Adds the "statistic" coordinate (reused if `out` already has it with the same labels) and
  // one `V_summary` variable per drawn variable. `out` must hold V's coordinates with the same
  // values (the central run's dataset does). Throws Error if no draw was added.
  void write_to(Dataset& out) const;

 private:
  std::size_t blocks() const;
  double* heights(std::size_t block, std::size_t i);
  const double* heights(std::size_t block, std::size_t i) const;
  std::int32_t* positions(std::size_t block, std::size_t i);
  void start_markers();
  void write_statistics(std::size_t offset, std::size_t size, std::span<double> out) const;

  DrawLayout layout_;
  std::size_t count_ = 0;
  // Structure of arrays in blocks of 128 drawn values (cells), so that one block's state is
  // contiguous: mean_ by cell; heights_ holds the 9 markers' heights, positions_ the 0-based
  // positions of the interior markers 1..7 (marker 0 is always at 0, marker 8 at count - 1),
  // each marker's row of the block after the other. Until the 9th draw, marker j's place holds
  // draw j itself.
  std::vector<double> mean_;
  std::vector<double> heights_;
  std::vector<std::int32_t> positions_;
};

}  // namespace healthcast::results
