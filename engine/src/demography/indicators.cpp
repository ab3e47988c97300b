#include "healthcast/demography/indicators.h"

#include <algorithm>

#include <fmt/format.h>

#include "healthcast/demography/life_table.h"
#include "healthcast/error.h"

namespace healthcast::demography {

double prob_dying(std::span<const int> x, std::span<const double> m, int start, int end) {
  const SourceLocation nowhere{"prob_dying", 0, 0};
  if (x.size() != m.size())
    throw InputError(
        nowhere, "rates",
        fmt::format("needs one rate per age; got {} ages and {} rates", x.size(), m.size()));
  if (start < 0 || end <= start || (end - start) % 5 != 0)
    throw InputError(nowhere, "start/end",
                     fmt::format("ages {} to {} do not span whole five-year groups", start, end));
  double survival = 1.0;
  for (int age = start; age < end; age += 5) {
    std::size_t i = 0;
    while (i < x.size() && x[i] != age) ++i;
    // The last left edge may close the list (rates given for 30-34 .. 65-69 only).
    if (i == x.size() || (i + 1 < x.size() && x[i + 1] != age + 5))
      throw InputError(
          nowhere, "ages",
          fmt::format("needs a five-year group {}-{} (ages given as left edges)", age, age + 4));
    if (!(m[i] >= 0.0))
      throw InputError(nowhere, "rates",
                       fmt::format("rate at age {} is {}; rates must be >= 0", age, m[i]));
    // nqx = n m / (1 + n/2 m) passes 1 above m = 0.4: a probability, so at most 1.
    survival *= std::max(0.0, 1.0 - 5.0 * m[i] / (1.0 + 2.5 * m[i]));
  }
  return 1.0 - survival;
}

std::vector<double> healthy_life_expectancy(std::span<const int> x, std::span<const double> m,
                                            std::span<const double> disability, Sex sex) {
  if (disability.size() != x.size())
    throw InputError(
        {"healthy_life_expectancy", 0, 0}, "disability",
        fmt::format("needs one value per age; got {} for {} ages", disability.size(), x.size()));
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!(disability[i] >= 0.0 && disability[i] <= 1.0))
      throw InputError({"healthy_life_expectancy", 0, 0}, "disability",
                       fmt::format("value at age {} is {}; allowed: 0 to 1", x[i], disability[i]));
  const LifeTable t = life_table(x, m, sex);
  std::vector<double> hle(x.size());
  double healthy_years = 0.0;
  for (std::size_t i = x.size(); i-- > 0;) {
    healthy_years += t.L[i] * (1.0 - disability[i]);
    hle[i] = t.l[i] > 0.0 ? healthy_years / t.l[i] : 0.0;
  }
  return hle;
}

}  // namespace healthcast::demography
