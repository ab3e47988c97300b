#include "healthcast/demography/life_table.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "healthcast/error.h"

namespace healthcast::demography {

namespace {

constexpr double RADIX = 100000.0;

double by_sex(Sex sex, double female_value, double male_value) {
  switch (sex) {
    case Sex::female:
      return female_value;
    case Sex::male:
      return male_value;
    case Sex::total:
      break;
  }
  return (BOTH_SEXES_MALE_WEIGHT * male_value + female_value) / (BOTH_SEXES_MALE_WEIGHT + 1.0);
}

void check_input(std::span<const int> x, std::span<const double> m, std::span<const double> a) {
  const SourceLocation nowhere{"life table", 0, 0};
  if (x.size() != m.size() || x.empty())
    throw InputError(
        nowhere, "mx",
        fmt::format("needs one rate per age; got {} ages and {} rates", x.size(), m.size()));
  if (!a.empty() && a.size() != x.size())
    throw InputError(
        nowhere, "ax",
        fmt::format("needs one value per age; got {} for {} ages", a.size(), x.size()));
  if (x.front() != 0)
    throw InputError(nowhere, "age", fmt::format("the first age must be 0 (got {})", x.front()));
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (i > 0 && x[i] <= x[i - 1])
      throw InputError(nowhere, "age",
                       fmt::format("ages must increase; {} follows {}", x[i], x[i - 1]));
    if (!std::isfinite(m[i]) || m[i] < 0.0)
      throw InputError(
          nowhere, "mx",
          fmt::format("rate at age {} is {}; rates must be finite and >= 0", x[i], m[i]));
  }
  if (m.back() <= 0.0)
    throw InputError(
        nowhere, "mx",
        fmt::format("the open age group {}+ needs a positive rate (got {})", x.back(), m.back()));
}

// q, l, d from m and a; the open interval has q = 1.
void fill_q_l_d(LifeTable& t) {
  const std::size_t k = t.size();
  t.l[0] = RADIX;
  for (std::size_t i = 0; i < k; ++i) {
    if (i + 1 == k) {
      t.q[i] = 1.0;
    } else {
      const double n = t.n[i];
      t.q[i] = std::min(1.0, n * t.m[i] / (1.0 + (n - t.a[i]) * t.m[i]));
    }
    t.d[i] = t.l[i] * t.q[i];
    if (i + 1 < k) t.l[i + 1] = t.l[i] - t.d[i];
  }
}

// Keyfitz's iteration for five-year groups whose neighbours are five-year groups too; the
// others keep n/2. Converges in a few rounds for any realistic schedule.
void keyfitz_iteration(LifeTable& t, const std::vector<bool>& iterate) {
  const std::size_t k = t.size();
  for (int round = 0; round < 100; ++round) {
    fill_q_l_d(t);
    double change = 0.0;
    for (std::size_t i = 1; i + 1 < k; ++i) {
      if (!iterate[i] || t.d[i] <= 0.0) continue;
      const double n = t.n[i];
      const double a_new =
          (-(n / 24.0) * t.d[i - 1] + (n / 2.0) * t.d[i] + (n / 24.0) * t.d[i + 1]) / t.d[i];
      change = std::max(change, std::abs(a_new - t.a[i]));
      t.a[i] = std::clamp(a_new, 0.0, n);
    }
    if (change < 1e-12) break;
  }
}

}  // namespace

double coale_demeny_a0(double m0, Sex sex) {
  if (m0 >= 0.107) return by_sex(sex, 0.350, 0.330);
  return by_sex(sex, 0.053 + 2.800 * m0, 0.045 + 2.684 * m0);
}

double coale_demeny_4a1(double m0, Sex sex) {
  if (m0 >= 0.107) return by_sex(sex, 1.361, 1.352);
  return by_sex(sex, 1.522 - 1.518 * m0, 1.651 - 2.816 * m0);
}

LifeTable life_table(std::span<const int> x, std::span<const double> m, Sex sex,
                     std::span<const double> a_given) {
  check_input(x, m, a_given);
  const std::size_t k = x.size();
  LifeTable t;
  t.x.assign(x.begin(), x.end());
  t.m.assign(m.begin(), m.end());
  t.n.resize(k);
  for (std::size_t i = 0; i + 1 < k; ++i) t.n[i] = x[i + 1] - x[i];
  t.n[k - 1] = 0;  // open interval
  for (auto* column : {&t.q, &t.a, &t.l, &t.d, &t.L, &t.T, &t.e}) column->assign(k, 0.0);

  std::vector<bool> iterate(k, false);
  for (std::size_t i = 0; i + 1 < k; ++i) {
    const int n = t.n[i];
    if (!a_given.empty()) {
      t.a[i] = a_given[i];
    } else if (x[i] == 0 && n == 1) {
      t.a[i] = coale_demeny_a0(m[0], sex);
    } else if (x[i] == 1 && n == 4) {
      t.a[i] = coale_demeny_4a1(m[0], sex);
    } else if (x[i] == 0) {
      // A first interval wider than one year (5q0 given as a group): no rule in MODEL.md §3
      // covers it, so fall back to the mid-point.
      t.a[i] = n / 2.0;
    } else {
      t.a[i] = n / 2.0;
      iterate[i] = n == 5 && i > 0 && t.n[i - 1] == 5 && i + 2 < k && t.n[i + 1] == 5;
    }
  }
  t.a[k - 1] = 1.0 / m[k - 1];
  if (a_given.empty())
    keyfitz_iteration(t, iterate);
  else
    fill_q_l_d(t);

  for (std::size_t i = 0; i < k; ++i)
    t.L[i] = (i + 1 < k) ? t.n[i] * t.l[i + 1] + t.a[i] * t.d[i] : t.l[i] / t.m[i];
  double T = 0.0;
  for (std::size_t i = k; i-- > 0;) {
    T += t.L[i];
    t.T[i] = T;
    t.e[i] = t.l[i] > 0.0 ? T / t.l[i] : 0.0;
  }
  return t;
}

double LifeTable::infant_mortality() const {
  if (n.empty() || x[0] != 0 || n[0] != 1)
    throw Error("infant mortality needs a first age interval of one year");
  return 1000.0 * q[0];
}

double LifeTable::under5_mortality() const {
  for (std::size_t i = 0; i < x.size(); ++i)
    if (x[i] == 5) return 1000.0 * (1.0 - l[i] / l[0]);
  throw Error("under-five mortality needs an age interval starting at 5");
}

double LifeTable::e_at(int age) const {
  for (std::size_t i = 0; i < x.size(); ++i)
    if (x[i] == age) return e[i];
  throw Error(fmt::format("no life table interval starts at age {}", age));
}

}  // namespace healthcast::demography
