#include "healthcast/results/compare.h"

#include <algorithm>

#include <fmt/format.h>

#include "healthcast/error.h"
#include "healthcast/results/draw_summary.h"

namespace healthcast::results {

namespace {

// Sum of a (year, region, sex, age[, k]) variable over its trailing dimensions.
double sum_after(const Variable& v, std::size_t y, std::size_t r, std::size_t s) {
  std::size_t inner = 1;
  for (std::size_t k = 3; k < v.shape.size(); ++k) inner *= v.shape[k];
  const std::size_t start = ((y * v.shape[1] + r) * v.shape[2] + s) * inner;
  double total = 0.0;
  for (std::size_t i = 0; i < inner; ++i) total += v.values[start + i];
  return total;
}

void require_same(const Dataset& a, const Dataset& b, std::string_view dim) {
  if (a.coordinate(std::string(dim)).values != b.coordinate(std::string(dim)).values)
    throw Error(
        fmt::format("the runs differ in their '{}' values: compare runs of scenarios "
                    "with the same years, regions and sexes",
                    dim));
}

// A flow that the scenario changes, per year and cumulated: averted (reference minus scenario)
// or gained (scenario minus reference).
struct Flow {
  const VariableSpec& per_year;
  const VariableSpec& cumulative;
  const VariableSpec& source;
  double sign;
};

void add_flow(Dataset& out, const Flow& f, const Dataset& reference, const Dataset& scenario) {
  out.add_variable(f.per_year);
  out.add_variable(f.cumulative);
  const auto& a = reference.variable(f.source);
  const auto& b = scenario.variable(f.source);
  auto& v = out.variable(f.per_year);
  const std::size_t years = v.shape[0], regions = v.shape[1], sexes = v.shape[2];
  for (std::size_t r = 0; r < regions; ++r)
    for (std::size_t s = 0; s < sexes; ++s)
      for (std::size_t y = 0; y < years; ++y)
        v.at({y, r, s}) = f.sign * (sum_after(a, y, r, s) - sum_after(b, y, r, s));
  auto& c = out.variable(f.cumulative);
  const auto& per_year = out.variable(f.per_year);
  for (std::size_t r = 0; r < regions; ++r)
    for (std::size_t s = 0; s < sexes; ++s) {
      double total = 0.0;
      for (std::size_t y = 0; y < years; ++y) c.at({y, r, s}) = total += per_year.at({y, r, s});
    }
}

// Scenario minus reference of an indicator variable at its first entry of any further
// dimension (age 0, or the crude rate).
void add_difference(Dataset& out, const VariableSpec& spec, const Dataset& reference,
                    const Dataset& scenario) {
  const auto& a = reference.variable(spec);
  const auto& b = scenario.variable(spec);
  auto& d = out.add_variable(
      std::string(spec.name) + std::string(DIFFERENCE_SUFFIX),
      {std::string(dim::year), std::string(dim::region), std::string(dim::sex)}, a.units,
      fmt::format("{} (at birth or crude), scenario minus reference", spec.name));
  const std::size_t years = d.shape[0], regions = d.shape[1], sexes = d.shape[2];
  std::size_t inner = 1;
  for (std::size_t k = 3; k < a.shape.size(); ++k) inner *= a.shape[k];
  for (std::size_t y = 0; y < years; ++y)
    for (std::size_t r = 0; r < regions; ++r)
      for (std::size_t s = 0; s < sexes; ++s) {
        const std::size_t i = ((y * regions + r) * sexes + s) * inner;
        d.at({y, r, s}) = b.values[i] - a.values[i];
      }
}

std::string scenario_name(const Dataset& ds) {
  return ds.attributes.count("scenario_name") ? ds.attributes.at("scenario_name") : std::string();
}

// The comparison of the central runs (or of one pair of draws).
Dataset compare_runs(const Dataset& reference, const Dataset& scenario) {
  for (const auto d : {dim::year, dim::region, dim::sex}) require_same(reference, scenario, d);
  Dataset out;
  for (const auto d : {dim::year, dim::region, dim::sex})
    out.add_coordinate(reference.coordinate(std::string(d)));
  add_flow(out, {var::deaths_averted, var::cumulative_deaths_averted, var::deaths, 1.0}, reference,
           scenario);
  add_flow(out,
           {var::life_years_gained, var::cumulative_life_years_gained, var::person_years, -1.0},
           reference, scenario);
  if (reference.has_variable(var::daly) && scenario.has_variable(var::daly))
    add_flow(out, {var::dalys_averted, var::cumulative_dalys_averted, var::daly, 1.0}, reference,
             scenario);
  for (const IndicatorSpec& indicator : indicators()) {
    const VariableSpec& spec = *indicator.variable;
    if (indicator.compared && reference.has_variable(spec) && scenario.has_variable(spec) &&
        !out.has_variable(std::string(spec.name) + std::string(DIFFERENCE_SUFFIX)))
      add_difference(out, spec, reference, scenario);
  }
  return out;
}

std::size_t kept_draws(const Dataset& ds) {
  return ds.has_coordinate(dim::draw) ? ds.coordinate(std::string(dim::draw)).size() : 0;
}

std::string attribute(const Dataset& ds, const std::string& key) {
  const auto it = ds.attributes.find(key);
  return it == ds.attributes.end() ? std::string() : it->second;
}

// Why two runs' kept draws cannot be paired draw by draw; empty when they can.
std::string why_not_paired(const Dataset& reference, const Dataset& scenario) {
  const std::size_t a = kept_draws(reference), b = kept_draws(scenario);
  if (a == 0 && b == 0) return "no kept draws";
  if (a == 0 || b == 0) return "only one run has kept draws (run both with --keep-draws)";
  if (a != b) return fmt::format("the runs kept {} and {} draws", a, b);
  if (attribute(reference, "seed") != attribute(scenario, "seed"))
    return fmt::format(
        "the runs' seeds differ ({} and {}): their draws are not common random "
        "numbers",
        attribute(reference, "seed"), attribute(scenario, "seed"));
  return {};
}

}  // namespace

Dataset kept_draw(const Dataset& ds, std::size_t j) {
  const std::size_t n = kept_draws(ds);
  if (j >= n) throw Error(fmt::format("draw {} is not among the {} kept draws", j, n));
  Dataset out;
  for (const auto& c : ds.coordinates())
    if (c.name != dim::draw && c.name != dim::statistic) out.add_coordinate(c);
  for (const auto& v : ds.variables()) {
    if (!v.name.ends_with(DRAWS_SUFFIX) || v.dims.empty() || v.dims.front() != dim::draw) continue;
    auto& d = out.add_variable(v.name.substr(0, v.name.size() - DRAWS_SUFFIX.size()),
                               {v.dims.begin() + 1, v.dims.end()}, v.units, v.long_name);
    const std::size_t size = d.values.size();
    std::copy_n(v.values.begin() + static_cast<std::ptrdiff_t>(j * size), size, d.values.begin());
  }
  return out;
}

Dataset compare(const Dataset& reference, const Dataset& scenario) {
  Dataset out = compare_runs(reference, scenario);
  const std::string unpaired = why_not_paired(reference, scenario);
  if (unpaired.empty()) {
    // Common random numbers: draw j of both runs shares every uncertain input, so the
    // difference of draw j is the levers' effect in that draw and its spread is the
    // uncertainty of the effect, not of the levels.
    const std::size_t n = kept_draws(reference);
    const Dataset first = compare_runs(kept_draw(reference, 0), kept_draw(scenario, 0));
    DrawSummary summary(first);
    summary.add(first);
    for (std::size_t j = 1; j < n; ++j)
      summary.add(compare_runs(kept_draw(reference, j), kept_draw(scenario, j)));
    summary.write_to(out);
    out.attributes["draws_paired"] =
        fmt::format("{} draws paired by number (common random numbers, seed {})", n,
                    attribute(reference, "seed"));
  } else {
    out.attributes["draws_paired"] = "not paired, no intervals: " + unpaired;
  }
  out.attributes["reference_scenario"] = scenario_name(reference);
  out.attributes["compared_scenario"] = scenario_name(scenario);
  return out;
}

}  // namespace healthcast::results
