// Period life tables from central death rates on single-year or abridged ages (MODEL.md §3).
#pragma once

#include <span>
#include <vector>

#include "healthcast/demography/ages.h"

namespace healthcast::demography {

// Columns of a period life table, one row per age interval [x, x+n). The last row is the open
// interval (n = 0 by convention). Rates are per person-year, l has radix 100,000, L and T are
// person-years, e is in years.
struct LifeTable {
  std::vector<int> x;
  std::vector<int> n;
  std::vector<double> m, q, a, l, d, L, T, e;

  std::size_t size() const { return x.size(); }
  // Infant mortality rate: 1000 q_0.
  double infant_mortality() const;
  // Under-five mortality: 1000 (1 - l_5 / l_0). Needs an interval boundary at age 5.
  double under5_mortality() const;
  // Life expectancy at an age that starts an interval.
  double e_at(int age) const;
};

// Boys per girl at birth: the weight of the male rule when both sexes are combined.
inline constexpr double BOTH_SEXES_MALE_WEIGHT = 1.05;

// Builds the table from death rates m on ages x (left edges, increasing, starting at 0; the
// last interval is open). Separation factors a follow MODEL.md §3: a_0 and 4a_1 by the
// Coale-Demeny rules for the given sex (both sexes: weighted 1.05 males to 1 female, the sex
// ratio at birth), a = 0.5 for other single years, Keyfitz's iteration for five-year groups,
// and 1/m in the open group. When `a_given` is not empty it replaces those rules for every
// closed interval (for reproducing a published table). Throws InputError on negative or
// non-finite rates, ages that do not start at 0 or do not increase, or a zero open-group rate.
LifeTable life_table(std::span<const int> x, std::span<const double> m, Sex sex,
                     std::span<const double> a_given = {});

// Coale-Demeny separation factors as functions of m_0 (MODEL.md §3).
double coale_demeny_a0(double m0, Sex sex);
double coale_demeny_4a1(double m0, Sex sex);

}  // namespace healthcast::demography
