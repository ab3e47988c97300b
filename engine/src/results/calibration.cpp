#include "healthcast/results/calibration.h"

#include <numeric>
#include <vector>

#include <fmt/format.h>

#include "healthcast/demography/life_table.h"

namespace healthcast::results {

namespace {

using demography::AGE_MAX;
using demography::N_AGES;
using demography::N_SEXES;
using demography::TOTAL;

double e0(const std::vector<double>& m, demography::Sex sex) {
  std::vector<int> x(N_AGES);
  std::iota(x.begin(), x.end(), 0);
  return demography::life_table(x, m, sex).e_at(0);
}

}  // namespace

void add_calibration(Dataset& ds, const demography::ProjectionSetup& setup) {
  const std::vector<std::string> dims = {"region", "sex"};
  auto& e = ds.add_variable("calibration_e0_input", dims, "years",
                            "life expectancy at birth of the base year's input death rates");
  auto& p = ds.add_variable("calibration_population_input", dims, "persons",
                            "base population given in the input file");
  auto& d = ds.add_variable("calibration_deaths_input", dims, "persons",
                            "input death rates times the modelled person-years, base year");
  const auto& py = ds.variable("person_years");
  for (std::size_t r = 0; r < setup.regions.size(); ++r) {
    const auto& in = setup.regions[r];
    // Both sexes: the input rates weighted by the modelled person-years, as the model's own
    // total life table weights deaths and person-years.
    std::vector<double> total_deaths(N_AGES), total_py(N_AGES);
    for (std::size_t s = 0; s < N_SEXES; ++s) {
      const auto& m = in.death_rate.front()[s];
      double pop = 0.0, deaths = 0.0;
      for (std::size_t a = 0; a < N_AGES; ++a) {
        const double years = py.at({0, r, s, a});
        pop += in.population[s][a];
        deaths += m[a] * years;
        total_deaths[a] += m[a] * years;
        total_py[a] += years;
      }
      e.at({r, s}) = e0(std::vector<double>(m.begin(), m.end()), demography::SEXES[s]);
      p.at({r, s}) = pop;
      d.at({r, s}) = deaths;
      p.at({r, TOTAL}) += pop;
      d.at({r, TOTAL}) += deaths;
    }
    std::vector<double> m_total(N_AGES);
    for (std::size_t a = 0; a <= AGE_MAX; ++a)
      m_total[a] = total_py[a] > 0.0 ? total_deaths[a] / total_py[a] : 0.0;
    e.at({r, TOTAL}) = e0(m_total, demography::Sex::total);
  }
}

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
