#include "healthcast/results/compare.h"

#include <fmt/format.h>

#include "healthcast/error.h"

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

void require_same(const Dataset& a, const Dataset& b, const std::string& dim) {
  if (a.coordinate(dim).values != b.coordinate(dim).values)
    throw Error(
        fmt::format("the runs differ in their '{}' values: compare runs of scenarios "
                    "with the same years, regions and sexes",
                    dim));
}

}  // namespace

Dataset compare(const Dataset& reference, const Dataset& scenario) {
  for (const char* dim : {"year", "region", "sex"}) require_same(reference, scenario, dim);
  Dataset out;
  for (const char* dim : {"year", "region", "sex"}) out.add_coordinate(reference.coordinate(dim));
  const std::vector<std::string> dims = {"year", "region", "sex"};

  // Flows that the scenario changes: averted (reference minus scenario) or gained.
  struct Flow {
    std::string name, source, long_name;
    double sign;  // +1: reference minus scenario (averted); -1: scenario minus reference
  };
  std::vector<Flow> flows = {{"deaths_averted", "deaths", "deaths averted", 1.0},
                             {"life_years_gained", "person_years", "life-years gained", -1.0}};
  if (reference.has_variable("daly") && scenario.has_variable("daly"))
    flows.push_back({"dalys_averted", "daly", "DALYs averted", 1.0});
  for (const auto& f : flows) {
    out.add_variable(f.name, dims, f.source == "deaths" ? "persons" : "years",
                     f.long_name + " against the reference");
    out.add_variable("cumulative_" + f.name, dims, f.source == "deaths" ? "persons" : "years",
                     f.long_name + " against the reference, summed from the first year");
  }
  const std::vector<std::string> indicators = {
      "life_expectancy",   "healthy_life_expectancy", "premature_ncd_mortality",   "cvd_mortality",
      "crd_mortality_u70", "cancer_5y_survival",      "smoking_prevalence_15plus", "salt_intake"};
  std::vector<std::string> present;
  for (const auto& name : indicators)
    if (reference.has_variable(name) && scenario.has_variable(name)) {
      present.push_back(name);
      out.add_variable(name + "_difference", dims, reference.variable(name).units,
                       fmt::format("{} (at birth or crude), scenario minus reference", name));
    }

  const std::size_t years = out.coordinate("year").size();
  const std::size_t regions = out.coordinate("region").size();
  const std::size_t sexes = out.coordinate("sex").size();
  for (const auto& f : flows) {
    const auto& a = reference.variable(f.source);
    const auto& b = scenario.variable(f.source);
    auto& v = out.variable(f.name);
    for (std::size_t r = 0; r < regions; ++r)
      for (std::size_t s = 0; s < sexes; ++s)
        for (std::size_t y = 0; y < years; ++y)
          v.at({y, r, s}) = f.sign * (sum_after(a, y, r, s) - sum_after(b, y, r, s));
    auto& c = out.variable("cumulative_" + f.name);
    const auto& per_year = out.variable(f.name);
    for (std::size_t r = 0; r < regions; ++r)
      for (std::size_t s = 0; s < sexes; ++s) {
        double total = 0.0;
        for (std::size_t y = 0; y < years; ++y) c.at({y, r, s}) = total += per_year.at({y, r, s});
      }
  }
  for (const auto& name : present) {
    const auto& a = reference.variable(name);
    const auto& b = scenario.variable(name);
    auto& d = out.variable(name + "_difference");
    // The first entry of any further dimension: age 0, or the crude rate.
    std::size_t inner = 1;
    for (std::size_t k = 3; k < a.shape.size(); ++k) inner *= a.shape[k];
    for (std::size_t y = 0; y < years; ++y)
      for (std::size_t r = 0; r < regions; ++r)
        for (std::size_t s = 0; s < sexes; ++s) {
          const std::size_t i = ((y * regions + r) * sexes + s) * inner;
          d.at({y, r, s}) = b.values[i] - a.values[i];
        }
  }
  out.attributes["reference_scenario"] = reference.attributes.count("scenario_name")
                                             ? reference.attributes.at("scenario_name")
                                             : std::string();
  out.attributes["compared_scenario"] = scenario.attributes.count("scenario_name")
                                            ? scenario.attributes.at("scenario_name")
                                            : std::string();
  return out;
}

}  // namespace healthcast::results
