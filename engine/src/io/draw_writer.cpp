// The draws are created as unnamed HDF5 datasets when the run starts and linked into the file
// by finish(), after the run's own coordinates and variables: readers list variables in the
// order of their links, so the file reads as write_results() would write it, plus the draws.
#include "healthcast/io/draw_writer.h"

#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <hdf5.h>

#include "healthcast/error.h"
#include "healthcast/results/draw_summary.h"
#include "results_hdf5.h"

namespace healthcast::io {

namespace {

namespace fs = std::filesystem;
using detail::Handle;
using detail::QuietHdf5Errors;

using results::DRAWS_SUFFIX;

}  // namespace

struct DrawWriter::State {
  State(const fs::path& path, const results::Dataset& layout_dataset, std::size_t count,
        std::size_t first_draw)
      : final_path(path),
        temporary(detail::temporary_path(path)),
        layout(layout_dataset),
        draws(count),
        first(first_draw),
        written(count, false) {}
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() { discard(); }

  // Closes everything and removes the temporary file, unless it was moved into place.
  void discard() noexcept {
    QuietHdf5Errors quiet;
    datasets.clear();
    memory_spaces.clear();
    writer.reset();
    if (!finished) detail::remove_temporary(temporary);
    closed = true;
  }

  const detail::Context& ctx() const { return writer->context(); }

  fs::path final_path;
  fs::path temporary;
  results::DrawLayout layout;
  std::size_t draws;
  std::size_t first;  // the number of the first draw
  std::vector<bool> written;
  std::optional<detail::Writer> writer;
  std::vector<Handle> datasets;       // V_draws for each drawn variable V, in layout order
  std::vector<Handle> memory_spaces;  // the shape of one draw of each
  bool finished = false;
  bool closed = false;
};

DrawWriter::DrawWriter(const fs::path& final_path, const results::Dataset& layout,
                       std::size_t draws, std::size_t first) {
  if (final_path.empty()) throw Error("cannot write results file: the path is empty");
  if (draws == 0)
    throw Error(
        fmt::format("{}: cannot keep the draws of a run without draws", final_path.string()));
  QuietHdf5Errors quiet;
  detail::create_parent_directory(final_path);
  state_ = std::make_unique<State>(final_path, layout, draws, first);
  // From here on a failure destroys state_, which removes the temporary file.
  State& s = *state_;
  s.writer.emplace(final_path, s.temporary);
  s.writer->create_file();
  for (const auto& entry : s.layout.variables()) {
    std::vector<std::size_t> shape{draws};
    shape.insert(shape.end(), entry.shape.begin(), entry.shape.end());
    s.datasets.push_back(
        s.writer->create_unnamed_variable(entry.name + std::string(DRAWS_SUFFIX), shape));
    std::vector<hsize_t> one{1};
    one.insert(one.end(), entry.shape.begin(), entry.shape.end());
    s.memory_spaces.push_back(detail::simple_space(s.ctx(), one));
  }
}

DrawWriter::DrawWriter(DrawWriter&&) noexcept = default;
DrawWriter& DrawWriter::operator=(DrawWriter&&) noexcept = default;
DrawWriter::~DrawWriter() = default;

std::size_t DrawWriter::draws() const { return state_ ? state_->draws : 0; }

void DrawWriter::write(std::size_t j, const results::Dataset& draw) {
  if (!state_ || state_->closed)
    throw Error("cannot write a draw: the draw writer is finished or failed");
  State& s = *state_;
  const std::string& path = s.ctx().path();
  if (j < s.first || j >= s.first + s.draws)
    throw Error(fmt::format("{}: cannot write draw {}: the file holds draws {} to {}", path, j,
                            s.first, s.first + s.draws - 1));
  if (s.written[j - s.first]) throw Error(fmt::format("{}: draw {} is written twice", path, j));
  const std::vector<const results::Variable*> variables =
      s.layout.match(draw, fmt::format("{}: draw {}", path, j));

  QuietHdf5Errors quiet;
  const auto& entries = s.layout.variables();
  for (std::size_t k = 0; k < entries.size(); ++k) {
    if (entries[k].size == 0) continue;
    const std::string what = fmt::format("cannot write draw {} of '{}'", j, entries[k].name);
    Handle file_space = s.ctx().own(H5Dget_space(s.datasets[k].get()), H5Sclose, what);
    std::vector<hsize_t> start(entries[k].shape.size() + 1, 0);
    start[0] = j - s.first;
    std::vector<hsize_t> count{1};
    count.insert(count.end(), entries[k].shape.begin(), entries[k].shape.end());
    s.ctx().check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                                      count.data(), nullptr),
                  what);
    s.ctx().check(H5Dwrite(s.datasets[k].get(), H5T_NATIVE_DOUBLE, s.memory_spaces[k].get(),
                           file_space.get(), H5P_DEFAULT, variables[k]->values.data()),
                  what);
  }
  s.written[j - s.first] = true;
}

void DrawWriter::finish(const results::Dataset& rest) {
  if (!state_ || state_->closed)
    throw Error("cannot finish a results file: the draw writer is finished or failed");
  State& s = *state_;
  const std::string& path = s.ctx().path();
  // Checks that leave the writer usable.
  for (std::size_t j = 0; j < s.draws; ++j)
    if (!s.written[j])
      throw Error(fmt::format("{}: cannot finish the results file: draw {} of {} was not written",
                              path, s.first + j, s.draws));
  s.layout.check_coordinates(rest, fmt::format("{}: the run's dataset", path));
  const results::Coordinate numbers = results::draw_coordinate(s.draws, s.first);
  const bool has_draws = rest.has_coordinate(results::dim::draw);
  if (has_draws && rest.coordinate(numbers.name).values != numbers.values)
    throw Error(
        fmt::format("{}: the run's dataset has other draws along '{}' than the file's {} "
                    "from {}",
                    path, results::dim::draw, s.draws, s.first));
  for (const auto& entry : s.layout.variables()) {
    const std::string name = entry.name + std::string(DRAWS_SUFFIX);
    if (rest.has_variable(name) || rest.has_labels(name))
      throw Error(
          fmt::format("{}: the run's dataset has a variable '{}', the draws' own", path, name));
  }

  QuietHdf5Errors quiet;
  try {
    detail::Writer& writer = *s.writer;
    writer.write_header(rest);
    if (!has_draws) writer.write_coordinate(numbers, static_cast<int>(rest.coordinates().size()));
    writer.write_body(rest);
    const auto& entries = s.layout.variables();
    for (std::size_t k = 0; k < entries.size(); ++k) {
      std::vector<std::string> dims{std::string(results::dim::draw)};
      dims.insert(dims.end(), entries[k].dims.begin(), entries[k].dims.end());
      std::vector<std::size_t> shape{s.draws};
      shape.insert(shape.end(), entries[k].shape.begin(), entries[k].shape.end());
      writer.name_variable(s.datasets[k], entries[k].name + std::string(DRAWS_SUFFIX), dims, shape,
                           entries[k].units, entries[k].long_name);
    }
    s.datasets.clear();
    s.memory_spaces.clear();
    writer.close();
    s.writer.reset();
    detail::move_into_place(s.temporary, s.final_path);
    s.finished = true;
    s.closed = true;
  } catch (...) {
    s.discard();
    throw;
  }
}

}  // namespace healthcast::io
