#include "healthcast/scenario/targets.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include <fmt/format.h>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "healthcast/input/csv.h"
#include "healthcast/results/catalogue.h"

namespace healthcast::scenario {

namespace {

namespace var = results::var;
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
// Values this close to a target (relative) count as on it: levers that "reach" a level land on
// it up to integration and averaging noise, and "at most 20%" is then met at 20%.
constexpr double ON_TARGET = 1e-6;
// The 97.5% quantile of the standard normal: a 95% interval is +-1.96 sd.
constexpr double Z_975 = 1.959963984540054;
using results::Dataset;

// A target's indicator over the years: observed history where a monitored indicator has one,
// its trend or the model's value otherwise.
struct Series {
  std::function<double(int)> value;
  std::function<double(int)> sd;  // of the value, NaN when unknown
  int first = 0, last = 0;        // the years it covers
  std::string basis;              // how its values are obtained
  std::string missing;            // why there is no value and what to supply; empty otherwise
};

// The least-squares line through (t, z), with the 95% prediction interval's half-width.
struct Line {
  double tbar = 0.0, zbar = 0.0, slope = 0.0, sxx = 0.0, s = NaN, q = NaN, n = 0.0;
  bool interval() const { return !std::isnan(s); }
  double at(double year) const { return zbar + slope * (year - tbar); }
  double half_width(double year) const {
    return interval() ? q * s * std::sqrt(1.0 + 1.0 / n + (year - tbar) * (year - tbar) / sxx)
                      : NaN;
  }
};

Line fit_line(const std::vector<double>& t, const std::vector<double>& z) {
  Line l;
  l.n = static_cast<double>(t.size());
  l.tbar = std::accumulate(t.begin(), t.end(), 0.0) / l.n;
  l.zbar = std::accumulate(z.begin(), z.end(), 0.0) / l.n;
  double sxz = 0.0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    l.sxx += (t[i] - l.tbar) * (t[i] - l.tbar);
    sxz += (t[i] - l.tbar) * (z[i] - l.zbar);
  }
  l.slope = l.sxx > 0.0 ? sxz / l.sxx : 0.0;
  double rss = 0.0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double e = z[i] - (l.zbar + l.slope * (t[i] - l.tbar));
    rss += e * e;
  }
  if (t.size() >= 3) {
    l.s = std::sqrt(rss / (l.n - 2.0));
    l.q = boost::math::quantile(boost::math::students_t(l.n - 2.0), 0.975);
  }
  return l;
}

const MonitoredHistory* history_of(const Scenario& sc, const std::vector<MonitoredHistory>& all,
                                   const std::string& indicator, const Monitored** monitored) {
  for (std::size_t i = 0; i < sc.monitored.size(); ++i)
    if (sc.monitored[i].indicator == indicator) {
      *monitored = &sc.monitored[i];
      return &all.at(i);
    }
  return nullptr;
}

Series monitored_series(const Scenario& sc, const Target& target, const Monitored& monitored,
                        const MonitoredHistory& history) {
  Series series;
  series.last = std::max(sc.horizon, target.year);
  if (history.years.empty()) {
    series.missing = fmt::format(
        "no data: no observed history of {}; supply `history:` (a CSV year,value of observed "
        "values) in its monitored entry",
        monitored.indicator);
    return series;
  }
  const auto forecast = std::make_shared<MonitoredForecast>(
      forecast_monitored(monitored, history, sc.base_year, series.last));
  series.first = forecast->years.front();
  series.value = [forecast](int year) {
    const auto seen = forecast->observed.find(year);
    return seen != forecast->observed.end() ? seen->second : forecast->value[forecast->index(year)];
  };
  series.sd = [forecast](int year) {
    if (forecast->observed.count(year)) return 0.0;
    const auto i = forecast->index(year);
    return (forecast->upper[i] - forecast->lower[i]) / (2.0 * Z_975);
  };
  series.basis = "monitored trend";
  if (history.years.size() < 3)
    series.basis +=
        fmt::format("; {} observation{}: too short for a trend interval (3 needed), no probability",
                    history.years.size(), history.years.size() == 1 ? " (value held)" : "s");
  return series;
}

Series modelled_series(const Scenario& sc, const Target& target, const Dataset& ds) {
  const results::IndicatorSpec* indicator = results::find_indicator(target.indicator);
  if (!indicator) throw Error(fmt::format("'{}' is not a modelled indicator", target.indicator));
  Series series;
  series.first = sc.base_year;
  series.last = sc.horizon;
  series.value = [&ds, indicator, &target](int year) {
    return results::indicator_value(ds, *indicator, year, target.sex);
  };
  series.sd = [](int) { return NaN; };
  series.basis = "modelled";
  return series;
}

// Anchoring (MODEL.md §5): the official baseline moved by the modelled relative change.
std::function<double(int)> anchored(const Scenario& sc, const Target& target, const Series& series,
                                    std::string& basis) {
  if (!target.anchor) return series.value;
  const int from = std::max(target.anchor->first, sc.base_year);
  const double official = target.anchor->second;
  const double at = series.value(from);
  basis = fmt::format("anchored to {} in {}{}", official, target.anchor->first,
                      target.anchor->first < sc.base_year
                          ? fmt::format(" (taken as the {} level)", sc.base_year)
                          : std::string());
  return [value = series.value, official, at](int year) { return official * value(year) / at; };
}

// The baseline of relative comparators.
double baseline_of(const Target& target, const Series& series,
                   const std::function<double(int)>& judged, std::string& basis) {
  if (!target.base_year) return NaN;
  if (*target.base_year >= series.first) return judged(*target.base_year);
  if (target.anchor && target.anchor->first == *target.base_year) return target.anchor->second;
  basis +=
      fmt::format("; change measured from {} (no value for {})", series.first, *target.base_year);
  return judged(series.first);
}

// How one target compares a year's judged value: whether it is met, the value compared and
// the gap.
struct Comparison {
  const Target& target;
  double goal, baseline;
  std::function<double(int)> judged, reference;

  bool operator()(int year, double& value, double& gap) const {
    const double v = judged(year);
    value = v;
    const double slack = ON_TARGET * std::abs(goal);
    switch (target.comparator) {
      case Comparator::at_least:
        return (gap = v - goal) >= -slack;
      case Comparator::more_than:
        return (gap = v - goal) > slack;
      case Comparator::at_most:
        return (gap = v - goal) <= slack;
      case Comparator::less_than:
        return (gap = v - goal) < -slack;
      case Comparator::relative_change:
        value = v / baseline - 1.0;
        gap = value - goal;
        return goal < 0.0 ? gap <= slack : gap >= -slack;
      case Comparator::decrease:
        gap = v - baseline;
        return v < baseline;
      case Comparator::increase:
        gap = v - baseline;
        return v > baseline;
      case Comparator::better_than: {
        const double ref = reference(year);
        gap = v - ref;
        // "Better" is higher for every indicator a plan sets this way (life expectancy).
        return v > ref;
      }
      case Comparator::natural:
        // A sex ratio at birth of 103-107 boys per 100 girls.
        gap = v < 103.0 ? v - 103.0 : (v > 107.0 ? v - 107.0 : 0.0);
        return v >= 103.0 && v <= 107.0;
    }
    return false;
  }
};

// Monitored: the chance that the value meets a level target, from the trend's interval.
double trend_probability(const Target& target, const TargetResult& r, double sd) {
  const Comparator c = target.comparator;
  if (std::isnan(sd) || target.anchor || !is_level(c)) return NaN;
  if (sd == 0.0) return r.met;
  const boost::math::normal dist(r.projected, sd);
  const double below = boost::math::cdf(dist, r.goal);
  return (c == Comparator::at_least || c == Comparator::more_than) ? 1.0 - below : below;
}

TargetResult judge(const Scenario& sc, const Target& target, const Series& series,
                   const Dataset* national) {
  TargetResult r;
  r.goal = target.value.value_or(NaN);
  r.probability = NaN;
  r.first_year_met = NaN;
  r.basis = series.basis;
  if (!series.missing.empty()) {
    r.status = "no_data";
    r.basis = series.missing;
    r.projected = r.judged = r.gap = r.met = NaN;
    return r;
  }
  const auto judged = anchored(sc, target, series, r.basis);
  const double baseline = baseline_of(target, series, judged, r.basis);
  const results::IndicatorSpec* indicator = results::find_indicator(target.indicator);
  const Comparison compare{target, r.goal, baseline, judged, [&](int year) {
                             if (target.value) return *target.value;
                             if (!national || !indicator) return NaN;
                             return results::indicator_value(*national, *indicator, year,
                                                             target.sex);
                           }};
  if (target.year < series.first || target.year > series.last) {
    r.status = target.year < series.first ? "before_projection" : "after_horizon";
    r.projected = r.judged = r.gap = r.met = NaN;
    return r;
  }
  r.projected = series.value(target.year);
  const bool met = compare(target.year, r.judged, r.gap);
  if (std::isnan(r.judged) || std::isnan(r.gap)) {
    r.met = NaN;
    r.status = "no_value";
  } else {
    r.met = met ? 1.0 : 0.0;
    r.status = met ? "met" : "not_met";
  }
  for (int year = std::max(series.first, sc.base_year); year <= series.last; ++year) {
    double value = 0.0, gap = 0.0;
    if (compare(year, value, gap)) {
      r.first_year_met = year;
      break;
    }
  }
  r.probability = trend_probability(target, r, series.sd(target.year));
  return r;
}

void add_monitored_table(Dataset& ds, const Scenario& sc,
                         const std::vector<MonitoredHistory>& histories) {
  if (sc.monitored.empty()) return;
  std::vector<std::string> names;
  for (const auto& m : sc.monitored) names.push_back(m.indicator);
  ds.add_coordinate(results::dim::monitored, names);
  for (const auto* v : {&var::monitored_value, &var::monitored_lower, &var::monitored_upper})
    ds.add_variable(*v);
  auto& units = ds.add_labels(var::monitored_unit);
  for (std::size_t i = 0; i < sc.monitored.size(); ++i) units.values[i] = sc.monitored[i].unit;
  auto& kind = ds.add_labels(var::monitored_history);
  for (std::size_t i = 0; i < sc.monitored.size(); ++i)
    kind.values[i] = histories[i].years.empty() ? "none" : "observed";
  for (std::size_t i = 0; i < sc.monitored.size(); ++i) {
    if (histories[i].years.empty()) {
      for (const auto* v : {&var::monitored_value, &var::monitored_lower, &var::monitored_upper})
        for (int year = sc.base_year; year <= sc.horizon; ++year)
          ds.variable(*v).at({i, static_cast<std::size_t>(year - sc.base_year)}) = NaN;
      continue;
    }
    const auto f = forecast_monitored(sc.monitored[i], histories[i], sc.base_year, sc.horizon);
    for (int year = sc.base_year; year <= sc.horizon; ++year) {
      const std::size_t y = static_cast<std::size_t>(year - sc.base_year);
      ds.variable(var::monitored_value).at({i, y}) = f.value[f.index(year)];
      ds.variable(var::monitored_lower).at({i, y}) = f.lower[f.index(year)];
      ds.variable(var::monitored_upper).at({i, y}) = f.upper[f.index(year)];
    }
  }
}

}  // namespace

MonitoredHistory read_monitored_history(const Monitored& m) {
  const auto csv = input::CsvTable::read(m.history);
  csv.require_columns({"year", "value"});
  MonitoredHistory h;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    h.years.push_back(csv.integer(r, "year"));
    h.values.push_back(csv.number(r, "value"));
    if (m.bounds && (h.values.back() <= m.bounds->first || h.values.back() >= m.bounds->second))
      throw InputError(csv.location(r, "value"), "value",
                       fmt::format("{} lies outside the logistic bounds ({}, {})", h.values.back(),
                                   m.bounds->first, m.bounds->second));
  }
  if (h.years.empty())
    throw InputError({csv.source(), 1, 0}, "", "the history has no observations");
  return h;
}

MonitoredForecast forecast_monitored(const Monitored& m, const MonitoredHistory& history,
                                     int first_year, int last_year) {
  MonitoredForecast out;
  for (std::size_t i = 0; i < history.years.size(); ++i)
    out.observed[history.years[i]] = history.values[i];
  // Logistic: fit the logit of the position between the bounds.
  const auto to_fit = [&](double x) {
    if (!m.bounds) return x;
    const double p = (x - m.bounds->first) / (m.bounds->second - m.bounds->first);
    return std::log(p / (1.0 - p));
  };
  const auto from_fit = [&](double z) {
    if (!m.bounds) return z;
    return m.bounds->first + (m.bounds->second - m.bounds->first) / (1.0 + std::exp(-z));
  };
  const std::vector<double> t(history.years.begin(), history.years.end());
  std::vector<double> z(history.values.size());
  std::transform(history.values.begin(), history.values.end(), z.begin(), to_fit);
  const Line line = fit_line(t, z);
  for (int year = std::min(first_year, out.observed.begin()->first); year <= last_year; ++year) {
    const double centre = line.at(year), half = line.half_width(year);
    out.years.push_back(year);
    out.value.push_back(from_fit(centre));
    out.lower.push_back(line.interval() ? from_fit(centre - half) : NaN);
    out.upper.push_back(line.interval() ? from_fit(centre + half) : NaN);
  }
  return out;
}

bool needs_national(const Scenario& sc) {
  return std::any_of(sc.targets.begin(), sc.targets.end(), [](const Target& t) {
    return t.comparator == Comparator::better_than && !t.value;
  });
}

std::vector<TargetResult> evaluate_targets(const Scenario& sc,
                                           const std::vector<MonitoredHistory>& histories,
                                           const Dataset& ds, const Dataset* national) {
  std::vector<TargetResult> out;
  for (const auto& target : sc.targets) {
    const Monitored* monitored = nullptr;
    const MonitoredHistory* history = history_of(sc, histories, target.indicator, &monitored);
    const Series series = history ? monitored_series(sc, target, *monitored, *history)
                                  : modelled_series(sc, target, ds);
    out.push_back(judge(sc, target, series, national));
  }
  return out;
}

void add_targets(Dataset& ds, const Scenario& sc, const std::vector<MonitoredHistory>& histories,
                 const std::vector<TargetResult>& results) {
  add_monitored_table(ds, sc, histories);
  if (sc.targets.empty()) return;
  std::vector<int> index(sc.targets.size());
  std::iota(index.begin(), index.end(), 1);
  ds.add_coordinate(results::dim::target, index);
  const std::array numbers = {
      &var::target_year, &var::target_value, &var::target_projected,      &var::target_judged,
      &var::target_gap,  &var::target_met,   &var::target_first_year_met, &var::target_probability};
  for (const auto* v : numbers) ds.add_variable(*v);
  const std::array texts = {&var::target_plan,  &var::target_indicator, &var::target_comparator,
                            &var::target_unit,  &var::target_sex,       &var::target_status,
                            &var::target_basis, &var::target_text_zh,   &var::target_text_en};
  for (const auto* v : texts) ds.add_labels(*v);
  for (std::size_t i = 0; i < sc.targets.size(); ++i) {
    const Target& t = sc.targets[i];
    const TargetResult& r = results[i];
    const double values[] = {static_cast<double>(t.year),
                             r.goal,
                             r.projected,
                             r.judged,
                             r.gap,
                             r.met,
                             r.first_year_met,
                             r.probability};
    for (std::size_t k = 0; k < numbers.size(); ++k) ds.variable(*numbers[k]).at({i}) = values[k];
    const std::string labels[] = {sc.name, t.indicator, std::string(to_string(t.comparator)),
                                  t.unit,  t.sex,       r.status,
                                  r.basis, t.text_zh,   t.text_en};
    for (std::size_t k = 0; k < texts.size(); ++k) ds.label(*texts[k]).values[i] = labels[k];
  }
}

}  // namespace healthcast::scenario
