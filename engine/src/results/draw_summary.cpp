#include "healthcast/results/draw_summary.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <variant>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "healthcast/error.h"
#include "healthcast/parallel/ordered.h"

namespace healthcast::results {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

bool is_drawn(const Variable& variable) {
  return std::find(variable.dims.begin(), variable.dims.end(), DRAWN_DIM) != variable.dims.end();
}

const Coordinate* find_coordinate(const Dataset& dataset, const std::string& name) {
  for (const auto& coordinate : dataset.coordinates())
    if (coordinate.name == name) return &coordinate;
  return nullptr;
}

const Variable* find_variable(const Dataset& dataset, const std::string& name) {
  for (const auto& variable : dataset.variables())
    if (variable.name == name) return &variable;
  return nullptr;
}

// numpy.quantile(method="linear") interpolates quantile p of n values between the order
// statistics floor(h) and floor(h) + 1 (0-based, the upper one capped at n - 1), h = (n - 1) p.
std::size_t lower_rank(std::size_t n, double p) {
  return static_cast<std::size_t>(std::floor(static_cast<double>(n - 1) * p));
}

// Quantile p of n values whose order statistics lower_rank(n, p) and the one above it are in
// place, interpolated as numpy does (including its choice of end to interpolate from), so that
// the statistics are numpy's numbers.
double linear_quantile(std::span<const double> ranked, double p) {
  const std::size_t n = ranked.size();
  const double h = static_cast<double>(n - 1) * p;
  const double t = h - std::floor(h);
  const std::size_t i = lower_rank(n, p);
  const double a = ranked[i];
  const double b = ranked[std::min(i + 1, n - 1)];
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

// The statistics of one cell from its draws in draw order (`values` is reordered): mean, median,
// lower_95, upper_95.
std::array<double, 4> cell_statistics(std::span<double> values) {
  const std::size_t n = values.size();
  double sum = 0.0;  // in draw order: the mean's one rounding path
  bool nan = false, equal = true;
  for (const double x : values) {
    sum += x;
    nan = nan || std::isnan(x);
    equal = equal && x == values[0];
  }
  if (nan) return {NaN, NaN, NaN, NaN};
  if (equal) return {values[0], values[0], values[0], values[0]};
  // Only the six order statistics the quantiles need are placed, by selection in ascending
  // rank: after nth_element at rank k the positions above k hold exactly the larger ranks, so
  // the next selection needs only them (linear time instead of a sort).
  std::array<std::size_t, 2 * DrawSummary::PROBABILITIES.size()> ranks{};
  for (std::size_t j = 0; j < DrawSummary::PROBABILITIES.size(); ++j) {
    ranks[2 * j] = lower_rank(n, DrawSummary::PROBABILITIES[j]);
    ranks[2 * j + 1] = std::min(ranks[2 * j] + 1, n - 1);
  }
  std::sort(ranks.begin(), ranks.end());
  std::size_t from = 0;
  for (const std::size_t k : ranks) {
    if (k < from) continue;  // placed already
    std::nth_element(values.begin() + static_cast<std::ptrdiff_t>(from),
                     values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    from = k + 1;
  }
  return {sum / static_cast<double>(n), linear_quantile(values, DrawSummary::PROBABILITIES[1]),
          linear_quantile(values, DrawSummary::PROBABILITIES[0]),
          linear_quantile(values, DrawSummary::PROBABILITIES[2])};
}

// Cells summarised together: the draws of one block are read into a buffer of about this size
// (per thread), so that reading from the temporary file stays sequential enough.
constexpr std::size_t BLOCK_BYTES = std::size_t{8} << 20;

}  // namespace

// ---------------------------------------------------------------------------------------------
// DrawLayout

DrawLayout::DrawLayout(const Dataset& layout) {
  for (const auto& variable : layout.variables()) {
    if (!is_drawn(variable)) continue;
    Entry entry{variable.name,      variable.dims,          variable.shape, variable.units,
                variable.long_name, variable.values.size(), cells_};
    cells_ += entry.size;
    for (const auto& dim : variable.dims)
      if (std::none_of(coordinates_.begin(), coordinates_.end(),
                       [&](const Coordinate& c) { return c.name == dim; }))
        coordinates_.push_back(layout.coordinate(dim));
    variables_.push_back(std::move(entry));
  }
}

void DrawLayout::check_coordinates(const Dataset& dataset, std::string_view which) const {
  for (const auto& expected : coordinates_) {
    const Coordinate* found = find_coordinate(dataset, expected.name);
    if (found == nullptr)
      throw Error(
          fmt::format("{}: no dimension '{}', which the draws' layout has", which, expected.name));
    if (found->values != expected.values)
      throw Error(fmt::format("{}: the values along '{}' differ from those of the draws' layout",
                              which, expected.name));
  }
}

std::vector<const Variable*> DrawLayout::match(const Dataset& draw, std::string_view which) const {
  std::vector<const Variable*> found;
  found.reserve(variables_.size());
  for (const auto& entry : variables_) {
    const Variable* variable = find_variable(draw, entry.name);
    if (variable == nullptr)
      throw Error(fmt::format("{}: variable '{}' is missing (the draws' layout has it)", which,
                              entry.name));
    if (variable->dims != entry.dims)
      throw Error(fmt::format("{}: variable '{}' has dimensions ({}), the draws' layout has ({})",
                              which, entry.name, fmt::join(variable->dims, ", "),
                              fmt::join(entry.dims, ", ")));
    if (variable->shape != entry.shape || variable->values.size() != entry.size)
      throw Error(
          fmt::format("{}: variable '{}' has shape ({}) and {} values, the draws' layout "
                      "has shape ({})",
                      which, entry.name, fmt::join(variable->shape, ", "), variable->values.size(),
                      fmt::join(entry.shape, ", ")));
    found.push_back(variable);
  }
  for (const auto& variable : draw.variables())
    if (is_drawn(variable) && std::none_of(variables_.begin(), variables_.end(),
                                           [&](const Entry& e) { return e.name == variable.name; }))
      throw Error(
          fmt::format("{}: variable '{}' has the '{}' dimension but is not in the draws' "
                      "layout",
                      which, variable.name, DRAWN_DIM));
  check_coordinates(draw, which);
  return found;
}

// ---------------------------------------------------------------------------------------------
// DrawSummary

// The draws' values, draw after draw (draw-major): rows in memory up to the budget, then all of
// them in an unlinked temporary file, which the system removes however the process ends.
struct DrawSummary::Store {
  Store(std::size_t cell_count, std::size_t memory_budget)
      : cells(cell_count), budget(memory_budget) {}
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store() {
    if (fd >= 0) ::close(fd);
  }

  std::size_t row_bytes() const { return cells * sizeof(double); }

  [[noreturn]] void fail(std::string_view doing, int error) const {
    throw Error(fmt::format(
        "cannot {} the draws' values in a temporary file in {}: {} ({} bytes a draw; set "
        "TMPDIR to a folder with room)",
        doing, folder, std::strerror(error), row_bytes()));
  }

  void open_file() {
    const char* tmpdir = std::getenv("TMPDIR");
    folder = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
    fd = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {  // a file system without O_TMPFILE: a named file, unlinked at once
      std::string name = folder + "/healthcast-draws-XXXXXX";
      fd = ::mkostemp(name.data(), O_CLOEXEC);
      if (fd < 0) fail("hold", errno);
      ::unlink(name.c_str());
    }
  }

  // Moves size values at value `offset` of the file by transfer(bytes, count, at) (pread or
  // pwrite), which may move fewer bytes than asked; `end` is the error for a return of 0.
  template <class Transfer>
  void move_all(Transfer&& transfer, std::size_t size, std::size_t offset, std::string_view doing,
                int end) const {
    std::size_t done = 0, left = size * sizeof(double);
    const auto at = static_cast<off_t>(offset * sizeof(double));
    while (left > 0) {
      const ssize_t n = transfer(done, left, at + static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail(doing, n < 0 ? errno : end);
      done += static_cast<std::size_t>(n);
      left -= static_cast<std::size_t>(n);
    }
  }

  void write_at(const double* values, std::size_t size, std::size_t offset) const {
    const auto* bytes = reinterpret_cast<const char*>(values);
    move_all([&](std::size_t done, std::size_t left,
                 off_t at) { return ::pwrite(fd, bytes + done, left, at); },
             size, offset, "write", ENOSPC);
  }

  void read_at(double* values, std::size_t size, std::size_t offset) const {
    auto* bytes = reinterpret_cast<char*>(values);
    move_all([&](std::size_t done, std::size_t left,
                 off_t at) { return ::pread(fd, bytes + done, left, at); },
             size, offset, "read", EIO);
  }

  // Draw j (the next one), its variables in layout order.
  void append(std::size_t j, const std::vector<const Variable*>& variables,
              const std::vector<DrawLayout::Entry>& entries) {
    if (fd < 0 && (j + 1) * row_bytes() > budget) {
      open_file();
      for (std::size_t i = 0; i < rows.size(); ++i) write_at(rows[i].data(), cells, i * cells);
      rows = {};
    }
    if (fd >= 0) {
      for (std::size_t v = 0; v < entries.size(); ++v)
        write_at(variables[v]->values.data(), entries[v].size, j * cells + entries[v].offset);
      return;
    }
    // The variables follow each other in layout order (offsets ascending, no gaps).
    std::vector<double>& row = rows.emplace_back();
    row.reserve(cells);
    for (const Variable* variable : variables)
      row.insert(row.end(), variable->values.begin(), variable->values.end());
  }

  // Cells first..first + size - 1 of draws 0..count - 1 into out[j * size + k].
  void read(std::size_t count, std::size_t first, std::size_t size, std::span<double> out) const {
    for (std::size_t j = 0; j < count; ++j) {
      if (fd >= 0)
        read_at(out.data() + j * size, size, j * cells + first);
      else
        std::copy_n(rows[j].begin() + static_cast<std::ptrdiff_t>(first), size,
                    out.begin() + static_cast<std::ptrdiff_t>(j * size));
    }
  }

  std::size_t cells;
  std::size_t budget;
  std::vector<std::vector<double>> rows;
  std::string folder;
  int fd = -1;
};

DrawSummary::DrawSummary(const Dataset& layout, unsigned threads, std::size_t memory_budget)
    : layout_(layout),
      threads_(threads),
      store_(std::make_unique<Store>(layout_.cells(), memory_budget)) {}

DrawSummary::DrawSummary(DrawSummary&&) noexcept = default;
DrawSummary& DrawSummary::operator=(DrawSummary&&) noexcept = default;
DrawSummary::~DrawSummary() = default;

bool DrawSummary::spilled() const { return store_->fd >= 0; }

void DrawSummary::add(const Dataset& draw) {
  const std::vector<const Variable*> variables =
      layout_.match(draw, fmt::format("draw {}", count_));
  store_->append(count_, variables, layout_.variables());
  ++count_;
}

void DrawSummary::write_to(Dataset& out) const {
  if (count_ == 0) throw Error("cannot write a summary of draws: no draw was added");
  layout_.check_coordinates(out, "the dataset to hold the summaries of draws");
  const std::vector<std::string> labels(STATISTICS.begin(), STATISTICS.end());
  const std::string statistic(dim::statistic);
  const Coordinate* existing = find_coordinate(out, statistic);
  if (existing != nullptr && existing->values != decltype(existing->values)(labels))
    throw Error(
        fmt::format("the dataset to hold the summaries of draws has a dimension '{}' "
                    "other than ({})",
                    statistic, fmt::join(labels, ", ")));
  for (const auto& entry : layout_.variables())
    if (out.has_variable(entry.name + std::string(SUMMARY_SUFFIX)) ||
        out.has_labels(entry.name + std::string(SUMMARY_SUFFIX)))
      throw Error(fmt::format("the dataset to hold the summaries of draws already has '{}{}'",
                              entry.name, SUMMARY_SUFFIX));

  if (existing == nullptr) out.add_coordinate(dim::statistic, labels);
  for (const auto& entry : layout_.variables()) {
    std::vector<std::string> dims{statistic};
    dims.insert(dims.end(), entry.dims.begin(), entry.dims.end());
    out.add_variable(entry.name + std::string(SUMMARY_SUFFIX), std::move(dims), entry.units, "");
  }
  fill(out);
}

void DrawSummary::update(Dataset& out) const {
  if (count_ == 0) throw Error("cannot write a summary of draws: no draw was added");
  for (const auto& entry : layout_.variables()) {
    const std::string name = entry.name + std::string(SUMMARY_SUFFIX);
    if (!out.has_variable(name) ||
        out.variable(name).values.size() != STATISTICS.size() * entry.size)
      throw Error(fmt::format("the dataset has no summary '{}' of {} values to replace", name,
                              STATISTICS.size() * entry.size));
  }
  fill(out);
}

void DrawSummary::fill(Dataset& out) const {
  for (const auto& entry : layout_.variables()) {
    const std::string& what = entry.long_name.empty() ? entry.name : entry.long_name;
    out.variable(entry.name + std::string(SUMMARY_SUFFIX)).long_name =
        fmt::format("{} (summary over {} draws)", what, count_);
  }
  // Only now, once every summary exists: add_variable may move the others.
  std::vector<double*> summaries;
  for (const auto& entry : layout_.variables())
    summaries.push_back(out.variable(entry.name + std::string(SUMMARY_SUFFIX)).values.data());

  // Blocks of cells within one variable, each summarised on a worker thread from a buffer of
  // its draws (block j-th row = draw j).
  struct Block {
    std::size_t variable, begin, size;
  };
  const std::size_t per_block = std::max<std::size_t>(1, BLOCK_BYTES / (sizeof(double) * count_));
  std::vector<Block> blocks;
  const auto& entries = layout_.variables();
  for (std::size_t v = 0; v < entries.size(); ++v)
    for (std::size_t begin = 0; begin < entries[v].size; begin += per_block)
      blocks.push_back({v, begin, std::min(per_block, entries[v].size - begin)});
  parallel::for_each_index(blocks.size(), threads_, [&](std::size_t b) {
    const Block& block = blocks[b];
    const std::size_t size = entries[block.variable].size;
    std::vector<double> draws(count_ * block.size);
    store_->read(count_, entries[block.variable].offset + block.begin, block.size, draws);
    // Cells are gathered a few at a time, so that each draw's row is read a cache line at a
    // time rather than one value per line.
    constexpr std::size_t TILE = 8;
    std::vector<double> cells(TILE * count_);
    double* summary = summaries[block.variable];
    for (std::size_t k0 = 0; k0 < block.size; k0 += TILE) {
      const std::size_t width = std::min(TILE, block.size - k0);
      for (std::size_t j = 0; j < count_; ++j)
        for (std::size_t t = 0; t < width; ++t)
          cells[t * count_ + j] = draws[j * block.size + k0 + t];
      for (std::size_t t = 0; t < width; ++t) {
        const std::array<double, 4> statistics =
            cell_statistics(std::span(cells.data() + t * count_, count_));
        for (std::size_t s = 0; s < statistics.size(); ++s)
          summary[s * size + block.begin + k0 + t] = statistics[s];
      }
    }
  });
}

Coordinate draw_coordinate(std::size_t n, std::size_t first) {
  std::vector<int> index(n);
  for (std::size_t j = 0; j < n; ++j) index[j] = static_cast<int>(first + j);
  return {std::string(dim::draw), std::move(index), std::string(dimension(dim::draw).long_name),
          ""};
}

}  // namespace healthcast::results
