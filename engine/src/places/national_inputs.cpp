#include "healthcast/places/national_inputs.h"

#include <cmath>

#include "healthcast/error.h"
#include "healthcast/input/age_schedule.h"

namespace healthcast::places {

using demography::N_AGES;
using demography::N_SEXES;
using demography::SexAgeArray;

SexAgeArray NationalInputs::mx_at(int year) const {
  if (mx.empty()) throw Error("the national inputs hold no death rates");
  auto after = mx.lower_bound(year);
  if (after == mx.end()) return std::prev(after)->second;
  if (after->first == year || after == mx.begin()) return after->second;
  const auto before = std::prev(after);
  const double w = static_cast<double>(year - before->first) / (after->first - before->first);
  SexAgeArray out{};
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a) {
      const double m0 = before->second[s][a], m1 = after->second[s][a];
      out[s][a] = m0 > 0 && m1 > 0 ? std::exp((1.0 - w) * std::log(m0) + w * std::log(m1))
                                   : (1.0 - w) * m0 + w * m1;
    }
  return out;
}

void add_mortality_history(NationalInputs& inputs, const input::MortalityHistory& history) {
  for (std::size_t p = 0; p < history.periods.size(); ++p) {
    SexAgeArray m{};
    for (std::size_t s = 0; s < N_SEXES; ++s)
      m[s] = input::to_single_ages(history.ages, history.mx[s].col(static_cast<Eigen::Index>(p)));
    inputs.mx[static_cast<int>(std::floor(history.mid(p)))] = m;
  }
}

SexAgeArray read_population(const std::filesystem::path& path) {
  const auto csv = input::CsvTable::read(path);
  csv.require_columns({"sex", "age", "population"});
  input::AgeSchedule schedule;
  for (std::size_t r = 0; r < csv.rows(); ++r) schedule.add(csv, r, "population", 0.0, 1e10);
  return schedule.single_years("population");
}

NationalInputs read_national_inputs(const std::filesystem::path& dir) {
  NationalInputs in;
  in.base_population = read_population(dir / "population_2020.csv");
  add_mortality_history(in, input::read_mortality_history(dir / "mortality_history.csv"));
  return in;
}

}  // namespace healthcast::places
