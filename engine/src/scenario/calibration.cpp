#include "healthcast/scenario/calibration.h"

#include <numeric>
#include <vector>

#include "healthcast/demography/life_table.h"

namespace healthcast::scenario {

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

void add_calibration(results::Dataset& ds, const demography::ProjectionSetup& setup) {
  namespace var = results::var;
  // add_variable may move the dataset's variables: references are taken once all are added.
  for (const auto* v : {&var::calibration_e0_input, &var::calibration_population_input,
                        &var::calibration_deaths_input})
    ds.add_variable(*v);
  auto& e = ds.variable(var::calibration_e0_input);
  auto& p = ds.variable(var::calibration_population_input);
  auto& d = ds.variable(var::calibration_deaths_input);
  const auto& py = ds.variable(var::person_years);
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
      m_total[a] = total_py[a] > 0.0
                       ? total_deaths[a] / total_py[a]
                       : (in.death_rate.front()[0][a] +
                          demography::BOTH_SEXES_MALE_WEIGHT * in.death_rate.front()[1][a]) /
                             (1.0 + demography::BOTH_SEXES_MALE_WEIGHT);
    e.at({r, TOTAL}) = e0(m_total, demography::Sex::total);
  }
}

}  // namespace healthcast::scenario
