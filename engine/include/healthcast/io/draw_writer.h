// Kept Monte Carlo draws (`--keep-draws`), streamed into the results file one draw at a time so
// that memory does not grow with the number of draws. See docs/results-format.md.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>

#include "healthcast/results/dataset.h"

namespace healthcast::io {

// Writes a results file that holds, besides what write_results() writes for the run's own
// dataset, every draw of each variable V with the "year" dimension as `V_draws` over
// ("draw", V's dims...), with V's units; the "draw" coordinate numbers the draws first..first +
// N - 1 (first is 0 but in a part of a run).
// Each draw is one HDF5 chunk (split further only above 512 KiB), compressed as write_results
// compresses large variables.
//
// Atomic like write_results(): everything goes to a temporary file beside the target, which
// finish() renames onto it; a writer destroyed without finish() (an exception during the run)
// removes the temporary file, so nothing half-written is left. Not thread-safe: the caller
// serialises write() calls (in any draw order).
class DrawWriter {
 public:
  // Creates the temporary file with room for `draws` draws (at least one), numbered from
  // `first`, of the variables of `layout` (for example the first draw) that have the "year"
  // dimension. Throws Error.
  DrawWriter(const std::filesystem::path& final_path, const results::Dataset& layout,
             std::size_t draws, std::size_t first = 0);
  DrawWriter(DrawWriter&&) noexcept;
  DrawWriter& operator=(DrawWriter&&) noexcept;
  ~DrawWriter();

  // Writes draw j (first <= j < first + draws, each once). Throws Error when j is out of range or
  // written already, or when the draw's layout differs from the layout's.
  void write(std::size_t j, const results::Dataset& draw);

  // Writes `rest` (the central run with its summaries: coordinates, variables, labels and
  // attributes, as write_results() would), attaches the dimensions to the draws, and moves the
  // file into place. `rest` must hold the draws' coordinates with the same values; it may hold
  // the "draw" coordinate itself (with the draws' numbers) for variables of its own over draws
  // (the targets' outcomes), else the writer adds it. Throws
  // Error when a draw was not written or the file cannot be completed; the writer is then as
  // if never finished.
  void finish(const results::Dataset& rest);

  std::size_t draws() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace healthcast::io
