// Summaries of Monte Carlo draws (MODEL.md §6): mean, median and the 2.5% and 97.5% quantiles
// of every value that varies by year, exact (computed from every draw's values), so that a run
// split into parts and merged gives the whole run's summaries bit for bit.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
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
// The `draw` coordinate of n kept draws: 0, 1, ..., n - 1; or of the draws first..first + n - 1
// (a part of a run, `healthcast run --draw-range`).
Coordinate draw_coordinate(std::size_t n, std::size_t first = 0);

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

// Exact summary of draws. For each drawn variable V, write_to() adds `V_summary`
// (SUMMARY_SUFFIX) over ("statistic", V's dims...) with the statistics mean, median, lower_95
// (2.5% quantile) and upper_95 (97.5% quantile), in V's units.
//
// Method: every draw's values are held (add() copies them); write_to() then computes, cell by
// cell, the mean as the sum of the draws in draw order (0, 1, ...) divided by their number, and
// the quantiles by linear interpolation between order statistics as numpy.quantile does by
// default (method "linear"). Error: none beyond floating-point rounding of that sum; the
// statistics depend only on the draws' values and order, so any split of the draws into parts
// merged in draw order gives identical bits. A cell whose draws are all equal gets exactly that
// value for every statistic; a NaN in any draw makes every statistic of that cell NaN.
//
// Memory: 8 bytes per drawn value per draw (cells() * 8 bytes a draw; the default run,
// scenarios/china_reference.yaml, has 351,385 cells: 2.7 MiB a draw), held in memory up to
// `memory_budget` bytes; beyond it every draw goes to an unlinked temporary file in $TMPDIR (or
// /tmp), draw after draw, read back in blocks of cells, so memory stays within the budget plus
// about 8 MiB per thread while write_to() runs. write_to() works over blocks of cells on
// `threads` threads.
class DrawSummary {
 public:
  static constexpr std::array<double, 3> PROBABILITIES = {0.025, 0.5, 0.975};
  static constexpr std::array<std::string_view, 4> STATISTICS = {"mean", "median", "lower_95",
                                                                 "upper_95"};
  // Bytes of draws held in memory before they go to a temporary file (1 GiB).
  static constexpr std::size_t MEMORY_BUDGET = std::size_t{1} << 30;

  // Summarises the drawn variables of `layout` (for example the first draw or the central run).
  explicit DrawSummary(const Dataset& layout, unsigned threads = 1,
                       std::size_t memory_budget = MEMORY_BUDGET);
  DrawSummary(DrawSummary&&) noexcept;
  DrawSummary& operator=(DrawSummary&&) noexcept;
  ~DrawSummary();

  // Adds the next draw; the mean sums the draws in the order they are added (draw order 0, 1, 2,
  // ... for reproducible results). Throws Error when the draw's layout differs from the
  // layout's, or when the temporary file cannot be written (naming it and why).
  void add(const Dataset& draw);

  std::size_t count() const { return count_; }
  const DrawLayout& layout() const { return layout_; }
  // Whether the draws went to the temporary file (the memory budget was exceeded).
  bool spilled() const;

  // Adds the "statistic" coordinate (reused if `out` already has it with the same labels) and
  // one `V_summary` variable per drawn variable. `out` must hold V's coordinates with the same
  // values (the central run's dataset does). Throws Error if no draw was added.
  void write_to(Dataset& out) const;
  // The same into the `V_summary` variables `out` has already (a part of a run being merged):
  // their values and long names are replaced. Throws Error when one is missing or has another
  // shape.
  void update(Dataset& out) const;

 private:
  void fill(Dataset& out) const;

  struct Store;
  DrawLayout layout_;
  unsigned threads_ = 1;
  std::size_t count_ = 0;
  std::unique_ptr<Store> store_;  // the draws' values, draw after draw
};

}  // namespace healthcast::results
