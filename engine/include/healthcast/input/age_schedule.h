// Values by sex and age read from CSV rows (columns sex, age and a value column), on single
// years or abridged ages (left edges, the last being the open group AGE_MAX+), spread to the
// single-year grid.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "healthcast/demography/ages.h"
#include "healthcast/input/csv.h"

namespace healthcast::input {

enum class Spread {
  constant,  // the interval's value at each of its single years (rates)
  linear,    // linear between interval mid-points, flat beyond the first and last (prevalences)
};

class AgeSchedule {
 public:
  // Adds one CSV row: its `sex` (female or male; rows for "total" are skipped), `age`, and the
  // value in `column`, which must lie in [low, high].
  void add(const CsvTable& csv, std::size_t row, std::string_view column, double low, double high);
  bool empty() const { return by_sex_[0].empty() && by_sex_[1].empty(); }

  // The single-year values. `what` names the schedule in messages. Throws InputError when a
  // sex is missing or its ages do not start at 0, do not increase, or stop before AGE_MAX.
  demography::SexAgeArray single_years(const std::string& what,
                                       Spread spread = Spread::constant) const;

 private:
  std::string source_;
  std::array<std::vector<std::pair<int, double>>, demography::N_SEXES> by_sex_;
  std::array<SourceLocation, demography::N_SEXES> where_;
};

// Female or male index of a row's `sex` column; throws InputError on anything else.
std::size_t sex_index(const CsvTable& csv, std::size_t row);

}  // namespace healthcast::input
