#include "healthcast/results/draw_summary.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <variant>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "healthcast/error.h"

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

// Insertion sort: the fastest for the at most 9 values of a cell before P² starts.
void sort_few(std::span<double> values) {
  for (std::size_t i = 1; i < values.size(); ++i) {
    const double value = values[i];
    std::size_t j = i;
    for (; j > 0 && value < values[j - 1]; --j) values[j] = values[j - 1];
    values[j] = value;
  }
}

// Quantile p of n sorted values by linear interpolation between order statistics, computed as
// numpy.quantile(method="linear") does (including its choice of end to interpolate from), so
// that small numbers of draws give numpy's numbers.
double linear_quantile(std::span<const double> sorted, double p) {
  const std::size_t n = sorted.size();
  const double h = static_cast<double>(n - 1) * p;
  const double below = std::floor(h);
  const double t = h - below;
  const auto i = static_cast<std::size_t>(below);
  const double a = sorted[i];
  const double b = sorted[std::min(i + 1, n - 1)];
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

// The extended P² algorithm with the markers at probabilities 0, p1/2, p1, (p1+p2)/2, p2,
// (p2+p3)/2, p3, (1+p3)/2, 1 (Raatikainen 1987): markers 2, 4 and 6 estimate the quantiles.
constexpr std::size_t MARKERS = 9;
constexpr std::array<double, MARKERS> marker_probabilities(std::array<double, 3> p) {
  return {0.0,  p[0] / 2,       p[0], (p[0] + p[1]) / 2, p[1], (p[1] + p[2]) / 2,
          p[2], (1 + p[2]) / 2, 1.0};
}
constexpr auto MARKER_P = marker_probabilities(DrawSummary::PROBABILITIES);
constexpr std::array<std::size_t, 3> QUANTILE_MARKER = {2, 4, 6};

// Cells are updated in blocks small enough for the block's markers to stay in the L1 cache
// while each marker is visited in turn.
constexpr std::size_t BLOCK = 128;
static_assert(BLOCK % 64 == 0, "move masks cover 64 cells");

// What one P² step needs to know besides the cells: it depends only on the number of draws.
struct Step {
  explicit Step(std::size_t count) : n(static_cast<double>(count)), inverse_n(1.0 / n) {
    last.fill(static_cast<std::int32_t>(count - 1));
    for (std::size_t i = 1; i + 1 < MARKERS; ++i) {
      const double desired = (n - 1.0) * MARKER_P[i];  // 0-based, as the positions
      up_to[i] = static_cast<std::int32_t>(std::floor(desired - 1.0));
      down_from[i] = static_cast<std::int32_t>(std::ceil(desired + 1.0));
    }
  }

  double n;  // draws so far, this one included
  double inverse_n;
  // Marker i is to move up when its position is at most up_to[i] (its desired position is at
  // least one above) and down when it is at least down_from[i].
  std::array<std::int32_t, MARKERS> up_to{};
  std::array<std::int32_t, MARKERS> down_from{};
  // Marker 0 is always at position 0 and marker 8 at count - 1: these rows stand in for their
  // positions, so that every interior marker is handled alike.
  std::array<std::int32_t, BLOCK> first{};
  std::array<std::int32_t, BLOCK> last{};
};

// Calls segment(block, k0, k1, begin) for the cells [offset, offset + size) split at block
// boundaries: cells k0..k1-1 of the block, which are the values begin.. of the variable.
template <class Segment>
void for_each_segment(std::size_t offset, std::size_t size, Segment&& segment) {
  for (std::size_t begin = 0; begin < size;) {
    const std::size_t c = offset + begin;
    const std::size_t k0 = c % BLOCK;
    const std::size_t k1 = std::min(BLOCK, k0 + (size - begin));
    segment(c / BLOCK, k0, k1, begin);
    begin += k1 - k0;
  }
}

// B.2 for one marker: n[k] += 1 where x[k] < q[k]. (GCC does not vectorise a comparison of
// doubles that feeds an int32 sum, hence SSE2, which every x86-64 processor has.)
void count_below(const double* x, const double* q, std::int32_t* n, std::size_t len) {
  std::size_t k = 0;
#if defined(__SSE2__)
  for (; k + 4 <= len; k += 4) {
    const __m128d lo = _mm_cmplt_pd(_mm_loadu_pd(x + k), _mm_loadu_pd(q + k));
    const __m128d hi = _mm_cmplt_pd(_mm_loadu_pd(x + k + 2), _mm_loadu_pd(q + k + 2));
    // The four 64-bit masks narrowed to 32 bits: -1 where x < q, else 0.
    const __m128i below = _mm_castps_si128(
        _mm_shuffle_ps(_mm_castpd_ps(lo), _mm_castpd_ps(hi), _MM_SHUFFLE(2, 0, 2, 0)));
    auto* at = reinterpret_cast<__m128i*>(n + k);
    _mm_storeu_si128(at, _mm_sub_epi32(_mm_loadu_si128(at), below));
  }
#endif
  for (; k < len; ++k) n[k] += x[k] < q[k] ? 1 : 0;
}

// B.3's test for one marker at positions n, between its neighbours at below and above: bit
// k % 64 of moves[k / 64] is set where the marker is to move.
void find_moves(const std::int32_t* n, const std::int32_t* below, const std::int32_t* above,
                std::int32_t up_to, std::int32_t down_from, std::size_t len,
                std::array<std::uint64_t, BLOCK / 64>& moves) {
  moves.fill(0);
  std::size_t k = 0;
#if defined(__SSE2__)
  const __m128i up_limit = _mm_set1_epi32(up_to + 1);
  const __m128i down_limit = _mm_set1_epi32(down_from - 1);
  const __m128i one = _mm_set1_epi32(1);
  const __m128i minus_one = _mm_set1_epi32(-1);
  std::uint64_t word = 0;  // the bits of moves[k / 64] so far
  for (; k + 4 <= len; k += 4) {
    const __m128i at = _mm_loadu_si128(reinterpret_cast<const __m128i*>(n + k));
    const __m128i gap_above =
        _mm_sub_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(above + k)), at);
    const __m128i gap_below =
        _mm_sub_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(below + k)), at);
    const __m128i up =
        _mm_and_si128(_mm_cmplt_epi32(at, up_limit), _mm_cmpgt_epi32(gap_above, one));
    const __m128i down =
        _mm_and_si128(_mm_cmpgt_epi32(at, down_limit), _mm_cmplt_epi32(gap_below, minus_one));
    word |= static_cast<std::uint64_t>(
                static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(_mm_or_si128(up, down)))))
            << (k % 64);
    if (k % 64 == 60) {
      moves[k / 64] = word;
      word = 0;
    }
  }
  if (k % 64 != 0) moves[k / 64] = word;
#endif
  for (; k < len; ++k) {
    const bool up = n[k] <= up_to && above[k] - n[k] > 1;
    const bool down = n[k] >= down_from && below[k] - n[k] < -1;
    if (up || down) moves[k / 64] |= std::uint64_t{1} << (k % 64);
  }
}

// One P² step (Jain and Chlamtac 1985, box 1, B.1 to B.3) for x.size() cells of one block:
// mean and heights point at the first cell of marker 0's row, positions at that of marker 1's
// (rows are BLOCK apart). The markers are visited in turn over the cells, in loops without
// branches; only the few markers that move are then adjusted one by one, found through a bit
// mask so that the branches stay predictable.
void p2_step(const Step& step, std::span<const double> x, double* mean, double* heights,
             std::int32_t* positions) {
  const std::size_t len = x.size();
  auto q = [&](std::size_t i) { return heights + i * BLOCK; };
  auto pos = [&](std::size_t i) { return positions + (i - 1) * BLOCK; };
  const double* xb = x.data();

  for (std::size_t k = 0; k < len; ++k) mean[k] += (xb[k] - mean[k]) * step.inverse_n;
  // B.1: the extreme markers follow the minimum and maximum; a NaN sticks to marker 0.
  double* q0 = q(0);
  for (std::size_t k = 0; k < len; ++k) q0[k] = (xb[k] < q0[k] || xb[k] != xb[k]) ? xb[k] : q0[k];
  double* q8 = q(MARKERS - 1);
  for (std::size_t k = 0; k < len; ++k) q8[k] = xb[k] > q8[k] ? xb[k] : q8[k];
  // B.2: every marker above the new value moves up one position.
  for (std::size_t i = 1; i + 1 < MARKERS; ++i) count_below(xb, q(i), pos(i), len);
  // B.3: markers more than one position from their desired position move one step towards it,
  // if that does not make them meet a neighbour, in order of i.
  std::array<std::uint64_t, BLOCK / 64> moves;
  for (std::size_t i = 1; i + 1 < MARKERS; ++i) {
    std::int32_t* ni = pos(i);
    const std::int32_t* below = i == 1 ? step.first.data() : pos(i - 1);
    const std::int32_t* above = i + 2 == MARKERS ? step.last.data() : pos(i + 1);
    const std::int32_t up_to = step.up_to[i];
    find_moves(ni, below, above, up_to, step.down_from[i], len, moves);

    double* qi = q(i);
    const double* qb = q(i - 1);
    const double* qa = q(i + 1);
    auto adjust = [&](std::size_t k) {
      const std::int32_t s = ni[k] <= up_to ? 1 : -1;
      const double d = s;
      const double a = ni[k] - below[k];  // positions to the marker below, at least 1
      const double b = above[k] - ni[k];  // positions to the marker above, at least 1
      const double up_gap = qa[k] - qi[k];
      const double down_gap = qi[k] - qb[k];
      // The piecewise-parabolic prediction, over one common denominator; the linear one where
      // the parabola would leave the neighbours' heights.
      const double parabolic =
          qi[k] + d * ((a + d) * a * up_gap + (b - d) * b * down_gap) / (a * b * (a + b));
      if (qb[k] < parabolic && parabolic < qa[k])
        qi[k] = parabolic;
      else
        qi[k] = s > 0 ? qi[k] + up_gap / b : qi[k] - down_gap / a;
      ni[k] += s;
    };
    for (std::size_t w = 0; w < moves.size(); ++w)
      for (std::uint64_t mask = moves[w]; mask != 0; mask &= mask - 1)
        adjust(64 * w + static_cast<std::size_t>(std::countr_zero(mask)));
  }
}

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

DrawSummary::DrawSummary(const Dataset& layout)
    : layout_(layout),
      mean_(blocks() * BLOCK, 0.0),
      heights_(blocks() * MARKERS * BLOCK, 0.0),
      positions_(blocks() * (MARKERS - 2) * BLOCK, 0) {}

std::size_t DrawSummary::blocks() const { return (layout_.cells() + BLOCK - 1) / BLOCK; }

double* DrawSummary::heights(std::size_t block, std::size_t i) {
  return heights_.data() + (block * MARKERS + i) * BLOCK;
}

const double* DrawSummary::heights(std::size_t block, std::size_t i) const {
  return heights_.data() + (block * MARKERS + i) * BLOCK;
}

std::int32_t* DrawSummary::positions(std::size_t block, std::size_t i) {
  return positions_.data() + (block * (MARKERS - 2) + i - 1) * BLOCK;
}

void DrawSummary::add(const Dataset& draw) {
  const std::vector<const Variable*> variables =
      layout_.match(draw, fmt::format("draw {}", count_));
  if (count_ >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    throw Error("cannot summarise more than 2^31 - 1 draws");
  ++count_;
  const auto& entries = layout_.variables();
  if (count_ <= MARKERS) {
    // Keep the first draws as they are (in the place of marker count_ - 1): exact quantiles up
    // to 9 draws, and the markers' starting heights.
    const double n = static_cast<double>(count_);
    for (std::size_t v = 0; v < entries.size(); ++v) {
      const double* x = variables[v]->values.data();
      for_each_segment(entries[v].offset, entries[v].size,
                       [&](std::size_t block, std::size_t k0, std::size_t k1, std::size_t begin) {
                         std::copy(x + begin, x + begin + (k1 - k0),
                                   heights(block, count_ - 1) + k0);
                       });
      double* mean = mean_.data() + entries[v].offset;
      for (std::size_t k = 0; k < entries[v].size; ++k) mean[k] += (x[k] - mean[k]) / n;
    }
    if (count_ == MARKERS) start_markers();
    return;
  }
  const Step step(count_);
  for (std::size_t v = 0; v < entries.size(); ++v) {
    const double* x = variables[v]->values.data();
    for_each_segment(entries[v].offset, entries[v].size,
                     [&](std::size_t block, std::size_t k0, std::size_t k1, std::size_t begin) {
                       p2_step(step, std::span(x + begin, k1 - k0),
                               mean_.data() + block * BLOCK + k0, heights(block, 0) + k0,
                               positions(block, 1) + k0);
                     });
  }
}

void DrawSummary::start_markers() {
  for (std::size_t block = 0; block < blocks(); ++block)
    for (std::size_t k = 0; k < BLOCK; ++k) {
      std::array<double, MARKERS> q;
      bool nan = false;
      for (std::size_t i = 0; i < MARKERS; ++i) {
        q[i] = heights(block, i)[k];
        nan = nan || std::isnan(q[i]);
      }
      if (!nan) sort_few(q);
      if (nan) q[0] = NaN;  // sticky: marker 0 stays NaN, and the cell's quantiles with it
      for (std::size_t i = 0; i < MARKERS; ++i) heights(block, i)[k] = q[i];
      for (std::size_t i = 1; i + 1 < MARKERS; ++i)
        positions(block, i)[k] = static_cast<std::int32_t>(i);
    }
}

void DrawSummary::write_statistics(std::size_t offset, std::size_t size,
                                   std::span<double> out) const {
  std::copy_n(mean_.begin() + static_cast<std::ptrdiff_t>(offset), size, out.begin());
  for_each_segment(offset, size,
                   [&](std::size_t block, std::size_t k0, std::size_t k1, std::size_t begin) {
                     for (std::size_t k = k0; k < k1; ++k) {
                       std::array<double, 3> quantiles;
                       if (count_ <= MARKERS) {
                         // The draws themselves (sorted already when count_ == 9, unless a NaN is
                         // among them).
                         std::array<double, MARKERS> sorted;
                         bool nan = false;
                         for (std::size_t j = 0; j < count_; ++j) {
                           sorted[j] = heights(block, j)[k];
                           nan = nan || std::isnan(sorted[j]);
                         }
                         const std::span<double> draws(sorted.data(), count_);
                         sort_few(draws);
                         for (std::size_t j = 0; j < 3; ++j)
                           quantiles[j] = nan ? NaN : linear_quantile(draws, PROBABILITIES[j]);
                       } else {
                         const bool nan = std::isnan(heights(block, 0)[k]);
                         for (std::size_t j = 0; j < 3; ++j)
                           quantiles[j] = nan ? NaN : heights(block, QUANTILE_MARKER[j])[k];
                       }
                       const std::size_t at = begin + (k - k0);
                       out[1 * size + at] = quantiles[1];  // median
                       out[2 * size + at] = quantiles[0];  // lower_95
                       out[3 * size + at] = quantiles[2];  // upper_95
                     }
                   });
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
    const std::string& what = entry.long_name.empty() ? entry.name : entry.long_name;
    // add_variable may move the other variables; only this reference is used.
    Variable& summary =
        out.add_variable(entry.name + std::string(SUMMARY_SUFFIX), std::move(dims), entry.units,
                         fmt::format("{} (summary over {} draws)", what, count_));
    write_statistics(entry.offset, entry.size, summary.values);
  }
}

Coordinate draw_coordinate(std::size_t n) {
  std::vector<int> index(n);
  for (std::size_t j = 0; j < n; ++j) index[j] = static_cast<int>(j);
  return {std::string(dim::draw), std::move(index), std::string(dimension(dim::draw).long_name),
          ""};
}

}  // namespace healthcast::results
