#include "healthcast/places/graduation.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "healthcast/error.h"

namespace healthcast::places {

namespace {

using demography::AGE_MAX;
using demography::AgeArray;

// Sprague multipliers (rows: the five single years of the target group; columns: the five
// groups the panel draws on), as published; the last two panels are the first two reversed.
constexpr double FIRST[5][5] = {{0.3616, -0.2768, 0.1488, -0.0336, 0.0},
                                {0.2640, -0.0960, 0.0400, -0.0080, 0.0},
                                {0.1840, 0.0400, -0.0320, 0.0080, 0.0},
                                {0.1200, 0.1360, -0.0720, 0.0160, 0.0},
                                {0.0704, 0.1968, -0.0848, 0.0176, 0.0}};
constexpr double SECOND[5][5] = {{0.0336, 0.2272, -0.0752, 0.0144, 0.0},
                                 {0.0080, 0.2320, -0.0480, 0.0080, 0.0},
                                 {-0.0080, 0.2160, -0.0080, 0.0000, 0.0},
                                 {-0.0160, 0.1840, 0.0400, -0.0080, 0.0},
                                 {-0.0176, 0.1408, 0.0912, -0.0144, 0.0}};
constexpr double MIDDLE[5][5] = {{-0.0128, 0.0848, 0.1504, -0.0240, 0.0016},
                                 {-0.0016, 0.0144, 0.2224, -0.0416, 0.0064},
                                 {0.0064, -0.0336, 0.2544, -0.0336, 0.0064},
                                 {0.0064, -0.0416, 0.2224, 0.0144, -0.0016},
                                 {0.0016, -0.0240, 0.1504, 0.0848, -0.0128}};

// Negative values of one group set to zero and the others rescaled to the group's total.
void clear_negatives(std::span<double> single, double total) {
  if (std::none_of(single.begin(), single.end(), [](double v) { return v < 0; })) return;
  double kept = 0;
  for (double& v : single) {
    v = std::max(v, 0.0);
    kept += v;
  }
  for (double& v : single)
    v = kept > 0 ? v * total / kept : total / static_cast<double>(single.size());
}

}  // namespace

std::vector<double> sprague_matrix(std::size_t n) {
  if (n < 5) throw Error(fmt::format("Sprague graduation needs at least 5 groups, got {}", n));
  std::vector<double> m(5 * n * n, 0.0);
  auto put = [&](std::size_t g, std::size_t first_col, const double(&panel)[5][5], bool reverse) {
    for (std::size_t j = 0; j < 5; ++j)
      for (std::size_t k = 0; k < 5; ++k) {
        const double c = reverse ? panel[4 - j][4 - k] : panel[j][k];
        m[(5 * g + j) * n + first_col + k] = c;
      }
  };
  for (std::size_t g = 0; g < n; ++g) {
    if (g == 0)
      put(g, 0, FIRST, false);
    else if (g == 1)
      put(g, 0, SECOND, false);
    else if (g == n - 2)
      put(g, n - 5, SECOND, true);
    else if (g == n - 1)
      put(g, n - 5, FIRST, true);
    else
      put(g, g - 2, MIDDLE, false);
  }
  return m;
}

namespace {

// The groups: 0 or 0 and 1-4, then five-year groups, then an open group at 25..AGE_MAX.
// Returns whether age 0 is a group of its own.
bool check_groups(std::span<const int> lower, std::span<const double> counts) {
  if (lower.size() != counts.size() || lower.empty() || lower[0] != 0)
    throw Error("graduate: the groups must start at age 0 and have one count each");
  for (double c : counts)
    if (!(c >= 0)) throw Error(fmt::format("graduate: a group count is {}", c));
  const bool split_infant = lower.size() > 1 && lower[1] == 1;
  const std::size_t first5 = split_infant ? 2 : 1;  // index of the first group starting at 5
  if (split_infant && (lower.size() < 3 || lower[2] != 5))
    throw Error("graduate: group 1 must be 1-4 (the next group starts at 5)");
  for (std::size_t i = first5; i < lower.size(); ++i)
    if (lower[i] != 5 * static_cast<int>(i - first5 + 1))
      throw Error(fmt::format("graduate: groups must be five years wide; {} follows {}", lower[i],
                              lower[i - 1]));
  const int open = lower.back();
  if (open % 5 != 0 || open > AGE_MAX || open < 25)
    throw Error(fmt::format("graduate: the open group starts at {}; allowed 25..{} in steps of 5",
                            open, AGE_MAX));
  return split_infant;
}

// Share of the open group's count at age a (a >= open) by the shape; all at `open` if the
// shape is empty.
double open_share(const AgeArray& open_shape, int open, int a) {
  double shape_total = 0;
  for (int b = open; b <= AGE_MAX; ++b) shape_total += std::max(open_shape[b], 0.0);
  if (shape_total <= 0) return a == open ? 1.0 : 0.0;
  return std::max(open_shape[a], 0.0) / shape_total;
}

// Five-year groups 0-4 .. (open-5)-(open-1), then pseudo groups beyond the open age taken
// from the shape (up to two, so that the last closed groups use the middle panel).
std::vector<double> five_year_groups(std::span<const double> counts, bool split_infant, int open,
                                     const AgeArray& open_shape) {
  const std::size_t first5 = split_infant ? 2 : 1;
  std::vector<double> g5;
  g5.push_back(split_infant ? counts[0] + counts[1] : counts[0]);
  for (std::size_t i = first5; i + 1 < counts.size(); ++i) g5.push_back(counts[i]);
  const std::size_t n_closed = g5.size();
  for (int start = open; start + 5 <= AGE_MAX && g5.size() < n_closed + 2; start += 5) {
    double s = 0;
    for (int a = start; a < start + 5; ++a) s += counts.back() * open_share(open_shape, open, a);
    g5.push_back(s);
  }
  return g5;
}

}  // namespace

AgeArray graduate(std::span<const int> lower, std::span<const double> counts,
                  const AgeArray& open_shape) {
  const bool split_infant = check_groups(lower, counts);
  const int open = lower.back();
  const std::vector<double> g5 = five_year_groups(counts, split_infant, open, open_shape);
  const std::size_t n_closed = static_cast<std::size_t>(open / 5);
  const std::size_t n = g5.size();
  if (n < 5)
    throw Error(fmt::format("graduate: at least five five-year groups are needed, got {}", n));
  const auto m = sprague_matrix(n);

  AgeArray out{};
  for (std::size_t g = 0; g < n_closed; ++g) {
    for (std::size_t j = 0; j < 5; ++j) {
      double v = 0;
      for (std::size_t k = 0; k < n; ++k) v += m[(5 * g + j) * n + k] * g5[k];
      out[5 * g + j] = v;
    }
  }
  if (split_infant) {
    // Age 0 is counted; ages 1-4 keep Sprague's shape, scaled to the 1-4 count.
    out[0] = counts[0];
    double s = 0;
    for (int a = 1; a < 5; ++a) s += std::max(out[a], 0.0);
    for (int a = 1; a < 5; ++a)
      out[a] = s > 0 ? std::max(out[a], 0.0) * counts[1] / s : counts[1] / 4;
  }
  // Round-off aside, every closed group already sums to its count; negatives are cleared.
  for (std::size_t g = 0; g < n_closed; ++g) {
    const bool infant_group = split_infant && g == 0;
    std::span<double> group(out.data() + 5 * g + (infant_group ? 1 : 0), infant_group ? 4 : 5);
    clear_negatives(group, infant_group ? counts[1] : g5[g]);
  }
  for (int a = open; a <= AGE_MAX; ++a) out[a] = counts.back() * open_share(open_shape, open, a);
  return out;
}

}  // namespace healthcast::places
