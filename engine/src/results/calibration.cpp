#include "healthcast/results/calibration.h"

#include <fmt/format.h>

namespace healthcast::results {

std::string calibration_report(const Dataset& ds) {
  if (!ds.has_variable("calibration_e0_input")) return "";
  const auto& regions = std::get<std::vector<std::string>>(ds.coordinate("region").values);
  const int base = std::get<std::vector<int>>(ds.coordinate("year").values).front();
  const std::size_t n_ages = ds.coordinate("age").size();
  const auto sum_ages = [&](const std::string& name, std::size_t r, std::size_t s) {
    double v = 0.0;
    for (std::size_t a = 0; a < n_ages; ++a) v += ds.variable(name).at({0, r, s, a});
    return v;
  };
  std::string out;
  const auto row = [&](const char* label, auto value, const char* format) {
    out += fmt::format("  {:<38}", label);
    for (std::size_t s = 0; s < 3; ++s) out += fmt::format(fmt::runtime(format), value(s));
    out += "\n";
  };
  for (std::size_t r = 0; r < regions.size(); ++r) {
    out += fmt::format("calibration, base year {}, region {}{:>16}{:>10}{:>10}\n", base, regions[r],
                       "female", "male", "total");
    row(
        "e0 of the input death rates",
        [&](std::size_t s) {
          return ds.variable("calibration_e0_input").at({r, s});
        },
        "{:>10.3f}");
    row(
        "e0 modelled",
        [&](std::size_t s) {
          return ds.variable("life_expectancy").at({0, r, s, 0});
        },
        "{:>10.3f}");
    row(
        "population, input file (millions)",
        [&](std::size_t s) {
          return ds.variable("calibration_population_input").at({r, s}) / 1e6;
        },
        "{:>10.3f}");
    row(
        "population, modelled 1 Jan (millions)",
        [&](std::size_t s) { return sum_ages("population", r, s) / 1e6; }, "{:>10.3f}");
    row(
        "deaths, input m x modelled PY (1000s)",
        [&](std::size_t s) {
          return ds.variable("calibration_deaths_input").at({r, s}) / 1e3;
        },
        "{:>10.2f}");
    row(
        "deaths, modelled (1000s)", [&](std::size_t s) { return sum_ages("deaths", r, s) / 1e3; },
        "{:>10.2f}");
  }
  return out;
}

}  // namespace healthcast::results
