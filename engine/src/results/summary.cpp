#include "healthcast/results/summary.h"

#include <algorithm>

#include <fmt/format.h>

namespace healthcast::results {

namespace {

std::string coordinate_extent(const Coordinate& c) {
  if (const auto* v = std::get_if<std::vector<int>>(&c.values)) {
    if (v->empty()) return "(empty)";
    return fmt::format("{}..{}", v->front(), v->back());
  }
  std::string out;
  for (const auto& label : std::get<std::vector<std::string>>(c.values))
    out += (out.empty() ? "" : ", ") + label;
  return out;
}

}  // namespace

std::string population_summary(const Dataset& ds) {
  const auto& years = std::get<std::vector<int>>(ds.coordinate("year").values);
  const auto& regions = std::get<std::vector<std::string>>(ds.coordinate("region").values);
  const auto& pop = ds.variable("population");
  const auto& e = ds.variable("life_expectancy");
  const std::size_t n_ages = ds.coordinate("age").size();
  std::string out;
  for (std::size_t r = 0; r < regions.size(); ++r) {
    out += fmt::format("region {}\n", regions[r]);
    out += fmt::format("{:>6}  {:>28}  {:>28}\n", "", "population at 1 Jan (millions)",
                       "life expectancy at birth");
    out += fmt::format("{:>6}  {:>8} {:>9} {:>9}  {:>8} {:>9} {:>9}\n", "year", "female", "male",
                       "total", "female", "male", "total");
    for (std::size_t y = 0; y < years.size(); ++y) {
      if (!(y == 0 || y + 1 == years.size() || (years[y] - years.front()) % 10 == 0)) continue;
      double p[3] = {0, 0, 0};
      for (std::size_t s = 0; s < 3; ++s)
        for (std::size_t a = 0; a < n_ages; ++a) p[s] += pop.at({y, r, s, a});
      out += fmt::format("{:>6}  {:>8.2f} {:>9.2f} {:>9.2f}  {:>8.2f} {:>9.2f} {:>9.2f}\n",
                         years[y], p[0] / 1e6, p[1] / 1e6, p[2] / 1e6, e.at({y, r, 0, 0}),
                         e.at({y, r, 1, 0}), e.at({y, r, 2, 0}));
    }
  }
  return out;
}

std::string describe(const Dataset& ds) {
  std::string out = "dimensions:\n";
  for (const auto& c : ds.coordinates())
    out += fmt::format("  {:<8} {:>4}  {}\n", c.name, c.size(), coordinate_extent(c));
  out += "variables:\n";
  for (const auto& v : ds.variables()) {
    std::string dims;
    for (const auto& d : v.dims) dims += (dims.empty() ? "" : ", ") + d;
    out += fmt::format("  {:<18} ({})  [{}]  {}\n", v.name, dims, v.units, v.long_name);
  }
  out += "attributes:\n";
  for (const auto& [key, value] : ds.attributes) {
    const auto newline = value.find('\n');
    std::string shown = value.substr(0, newline);
    if (newline != std::string::npos)
      shown += fmt::format("  ... ({} lines)", 1 + std::count(value.begin(), value.end(), '\n'));
    out += fmt::format("  {:<18} {}\n", key, shown);
  }
  return out;
}

}  // namespace healthcast::results
