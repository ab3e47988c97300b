#include "healthcast/health/sampling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/normal.hpp>

#include "healthcast/random/stream.h"

namespace healthcast::health {

namespace {

using demography::N_AGES;
using demography::N_SEXES;

// Boost's default policy evaluates double quantiles in long double, several times slower; in
// double they are still accurate to about 1e-15 relative, far below any input's uncertainty.
using Policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

constexpr double Z975 = 1.959963984540054;  // the normal's 97.5% quantile
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

// Each sampler below maps a cell's (value, lower, upper) to its draw at the table's quantile
// level u, and leaves the cell exactly as it is when lower == upper. Consecutive cells mostly
// repeat a value or a relative width (abridged age groups spread to single years), so the table
// samplers remember the last multiplier they computed.

double standard_normal(double u) {
  return quantile(boost::math::normal_distribution<double, Policy>(), u);
}

// Relative risks: lognormal, median = value, log-sd = ln(upper / lower) / (2 z).
class Lognormal {
 public:
  explicit Lognormal(double u) : z_(standard_normal(u)) {}
  double operator()(double value, double lower, double upper) {
    if (!(lower < upper)) return value;
    const double ratio = upper / lower;
    if (ratio != ratio_) {
      ratio_ = ratio;
      multiplier_ = std::exp(z_ * std::log(ratio) / (2.0 * Z975));
    }
    return value * multiplier_;
  }

 private:
  double z_, ratio_ = NaN, multiplier_ = 1.0;
};

// Rates: gamma with mean = value and sd = (upper - lower) / (2 z). With shape k = 1 / cv^2 the
// draw is value x Q(u; k, 1/k): the relative multiplier depends on the coefficient of variation
// cv alone, so cells with the same relative interval share one quantile. The CSV files round
// the bounds to 12 digits, hence the 1e-9 tolerance on cv; it moves a draw by < 1e-9 relative.
class Gamma {
 public:
  explicit Gamma(double u) : u_(u) {}
  double operator()(double value, double lower, double upper) {
    if (value <= 0.0 || !(lower < upper)) return value;
    const double cv = (upper - lower) / (2.0 * Z975 * value);
    if (!(std::abs(cv - cv_) <= 1e-9 * cv)) {
      cv_ = cv;
      const double shape = 1.0 / (cv * cv);
      multiplier_ = quantile(boost::math::gamma_distribution<double, Policy>(shape, cv * cv), u_);
    }
    return value * multiplier_;
  }

 private:
  double u_, cv_ = NaN, multiplier_ = 1.0;
};

// Proportions: beta with mean = value and sd = (upper - lower) / (2 z). A beta's variance is
// below mean (1 - mean), and as it nears that bound the beta piles its mass at 0 and 1; the
// variance is therefore capped at mean (1 - mean) / 2 (alpha + beta >= 1), which keeps the mean.
double beta_quantile(double mean, double sd, double u) {
  const double most = mean * (1.0 - mean);
  const double variance = std::min(sd * sd, 0.5 * most);
  const double size = most / variance - 1.0;  // alpha + beta
  return quantile(boost::math::beta_distribution<double, Policy>(mean * size, (1.0 - mean) * size),
                  u);
}

class Beta {
 public:
  explicit Beta(double u) : u_(u) {}
  double operator()(double value, double lower, double upper) const {
    if (value <= 0.0 || value >= 1.0 || !(lower < upper)) return value;
    return beta_quantile(value, (upper - lower) / (2.0 * Z975), u_);
  }

 private:
  double u_;
};

// A table of proportions at level u. Unlike the gamma's, the beta's relative multiplier
// Q(u) / mean depends on the mean as well as on the relative width, so a table whose values
// vary with age (prevalence) would cost one Boost quantile per cell, about 1 ms per draw for the
// China model. For the cells that share a relative width cv, r(mean) = Q(u; mean, cv mean) / mean
// is analytic in the mean, so it is interpolated through Chebyshev nodes over the cells' range
// of means (16 exact quantiles; the error falls geometrically with the nodes, about 1e-13 on the
// China prevalences). The interpolant is checked against exact quantiles at two points where
// the interpolation error peaks; if either differs by more than 1e-10 relative (e.g. where the
// variance cap bends r), every cell of the group is computed exactly.
class BetaTable {
 public:
  explicit BetaTable(double u) : u_(u) {}

  void operator()(SexAgeArray& values, const std::optional<SexAgeInterval>& interval) {
    if (!interval) return;
    cells_.clear();
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a) {
        const double value = values[s][a], lower = interval->lower[s][a];
        const double upper = interval->upper[s][a];
        if (value <= 0.0 || value >= 1.0 || !(lower < upper)) continue;
        cells_.push_back({&values[s][a], value, (upper - lower) / (2.0 * Z975 * value), false});
      }
    for (std::size_t first = 0; first < cells_.size(); ++first) {
      if (cells_[first].done) continue;
      // The group of cells with the relative width of `first` (to 1e-9, as for the gamma).
      const double cv = cells_[first].cv;
      group_.clear();
      for (std::size_t i = first; i < cells_.size(); ++i)
        if (!cells_[i].done && std::abs(cells_[i].cv - cv) <= 1e-9 * cv) {
          cells_[i].done = true;
          group_.push_back(&cells_[i]);
        }
      sample_group(cv);
    }
  }

 private:
  struct Cell {
    double* out;
    double mean, cv;
    bool done;
  };
  static constexpr int N = 16;

  double multiplier(double mean, double cv) const {
    return beta_quantile(mean, cv * mean, u_) / mean;
  }

  void sample_group(double cv) {
    double lo = group_.front()->mean, hi = lo;
    for (const Cell* c : group_) {
      lo = std::min(lo, c->mean);
      hi = std::max(hi, c->mean);
    }
    if (group_.size() > 2 * N && lo < hi && interpolate(lo, hi, cv)) return;
    double mean = NaN, r = NaN;  // exact, remembering the last cell (runs of equal values)
    for (Cell* c : group_) {
      if (c->mean != mean) r = multiplier(mean = c->mean, cv);
      *c->out = c->mean * r;
    }
  }

  // Chebyshev points of the first kind on [lo, hi] and the barycentric formula.
  bool interpolate(double lo, double hi, double cv) {
    std::array<double, N> x{}, w{}, r{};
    for (int j = 0; j < N; ++j) {
      const double angle = (2 * j + 1) * std::numbers::pi / (2 * N);
      x[j] = 0.5 * (lo + hi) + 0.5 * (hi - lo) * std::cos(angle);
      w[j] = (j % 2 == 0 ? 1.0 : -1.0) * std::sin(angle);
      r[j] = multiplier(x[j], cv);
    }
    const auto at = [&](double mean) {
      double num = 0.0, den = 0.0;
      for (int j = 0; j < N; ++j) {
        if (mean == x[j]) return r[j];
        const double t = w[j] / (mean - x[j]);
        num += t * r[j];
        den += t;
      }
      return num / den;
    };
    for (const double mean : {0.5 * (x[0] + x[1]), 0.5 * (x[N / 2 - 1] + x[N / 2])})
      if (!(std::abs(at(mean) / multiplier(mean, cv) - 1.0) <= 1e-10)) return false;
    for (Cell* c : group_) *c->out = c->mean * at(c->mean);
    return true;
  }

  double u_;
  std::vector<Cell> cells_;
  std::vector<Cell*> group_;
};

// A scalar's interval; a missing bound mirrors the other (on the log scale for relative risks),
// so that a one-sided interval gives its one half-width.
struct Bounds {
  double lower, upper;
};
Bounds bounds(const Uncertain& x, bool log_scale) {
  if (x.lower && x.upper) return {*x.lower, *x.upper};
  if (!x.lower && !x.upper) return {x.value, x.value};
  const double known = x.lower ? *x.lower : *x.upper;
  const double mirror = log_scale ? x.value * x.value / known : 2.0 * x.value - known;
  return {std::min(known, mirror), std::max(known, mirror)};
}

template <class Sampler>
void sample_scalar(Uncertain& x, Sampler sampler, bool log_scale = false) {
  const auto [lower, upper] = bounds(x, log_scale);
  x.value = sampler(x.value, lower, upper);
}

template <class Sampler>
void sample_table(SexAgeArray& values, const std::optional<SexAgeInterval>& interval,
                  Sampler sampler) {
  if (!interval) return;
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a)
      values[s][a] = sampler(values[s][a], interval->lower[s][a], interval->upper[s][a]);
}

void sample_categories(CategoricalFactor::CategoryTable& table,
                       const CategoricalFactor::RrInterval& interval, Lognormal sampler) {
  // Category outermost: the sampler's memory then sees each category's runs of equal values.
  const std::size_t k = table[0].empty() ? 0 : table[0][0].size();
  for (std::size_t c = 0; c < k; ++c)
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a)
        table[s][a][c] = sampler(table[s][a][c], interval.lower[s][a][c], interval.upper[s][a][c]);
}

void sample_curve(ContinuousFactor::Curve& curve, Lognormal sampler) {
  if (!curve.rr_interval) return;
  const auto& lower = curve.rr_interval->lower;
  const auto& upper = curve.rr_interval->upper;
  std::vector<double> previous;  // the central rr of age a - 1
  for (std::size_t a = 0; a < N_AGES; ++a) {
    // Single ages repeat their age band's curve: the draw of the age below serves again.
    if (a > 0 && curve.rr[a] == previous && lower[a] == lower[a - 1] && upper[a] == upper[a - 1]) {
      curve.rr[a] = curve.rr[a - 1];
      continue;
    }
    previous = curve.rr[a];
    for (std::size_t i = 0; i < curve.rr[a].size(); ++i)
      curve.rr[a][i] = sampler(curve.rr[a][i], lower[a][i], upper[a][i]);
  }
}

}  // namespace

HealthModel sample_health_model(const HealthModel& central, std::uint64_t seed,
                                std::uint64_t draw) {
  HealthModel m = central;
  random::Stream stream(seed, draw, random::Purpose::health_inputs);
  // One quantile level per table, in model order, taken whether or not the table is uncertain:
  // adding an interval to one input then leaves the draws of every other input unchanged.
  const auto level = [&stream] { return stream.uniform(); };

  for (auto& d : m.diseases) {
    BetaTable{level()}(d.prevalence, d.prevalence_interval);
    sample_table(d.mortality, d.mortality_interval, Gamma(level()));
    sample_table(d.remission, d.remission_interval, Gamma(level()));
    BetaTable{level()}(d.disability_weight, d.disability_weight_interval);
  }
  for (auto& i : m.interactions) {
    Lognormal sampler(level());  // the summary rr and the table by age move together
    sample_scalar(i.rr, sampler, true);
    if (i.rr_by_age) sample_table(*i.rr_by_age, i.rr_by_age_interval, sampler);
  }
  for (auto& f : m.categorical)
    for (auto& [disease, table] : f.relative_risk) {
      const Lognormal sampler(level());
      if (const auto it = f.relative_risk_interval.find(disease);
          it != f.relative_risk_interval.end())
        sample_categories(table, it->second, sampler);
    }
  for (auto& f : m.continuous) {
    for (auto& [disease, ll] : f.log_linear)
      sample_table(ll.rr, ll.rr_interval, Lognormal(level()));
    for (auto& [disease, curve] : f.curves) sample_curve(curve, Lognormal(level()));
    if (f.acts_through) {  // normal, mean = value, sd = (upper - lower) / (2 z)
      auto& per_unit = f.acts_through->per_unit;
      const auto [lower, upper] = bounds(per_unit, false);
      per_unit.value += standard_normal(level()) * (upper - lower) / (2.0 * Z975);
    }
  }
  for (auto& t : m.treatments) {
    sample_scalar(t.coverage, Beta(level()));
    for (auto& [disease, effect] : t.effects) sample_scalar(effect, Lognormal(level()), true);
  }
  sample_scalar(m.maternal_risk_per_birth, Beta(level()));
  {  // the trend's slope: normal, sd = (upper - lower) / (2 z)
    auto& change = m.maternal_annual_change;
    const auto [lower, upper] = bounds(change, false);
    change.value += standard_normal(level()) * (upper - lower) / (2.0 * Z975);
  }
  // Last, so that the levels of the inputs above are those of models without it.
  sample_scalar(m.other_causes_scale, Gamma(level()));
  return m;
}

}  // namespace healthcast::health
