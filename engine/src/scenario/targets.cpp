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
// The 97.5% quantile of the standard normal: a 95% interval is +-1.96 sd.
constexpr double Z_975 = 1.959963984540054;
using results::Dataset;
using Values = std::map<int, double>;

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

Values as_values(const MonitoredHistory& h) {
  Values out;
  for (std::size_t i = 0; i < h.years.size(); ++i) out[h.years[i]] = h.values[i];
  return out;
}

// The observed value in a year: exact, or interpolated linearly between the observations
// around it; NaN outside the observations. `how` says which.
double observed_at(const Values& obs, int year, std::string* how) {
  const auto hit = obs.find(year);
  if (hit != obs.end()) {
    if (how) *how = fmt::format("observed in {}", year);
    return hit->second;
  }
  const auto after = obs.upper_bound(year);
  if (after == obs.begin() || after == obs.end()) return NaN;
  const auto before = std::prev(after);
  const double w = static_cast<double>(year - before->first) / (after->first - before->first);
  if (how)
    *how = fmt::format("interpolated between the observations of {} and {}", before->first,
                       after->first);
  return (1.0 - w) * before->second + w * after->second;
}

// The plan's precision: a value rounded to `decimals` places.
double rounded(double v, int decimals) {
  const double f = std::pow(10.0, decimals);
  return std::round(v * f) / f;
}

// Life expectancies (years) change by differences; rates, ratios and shares by ratios.
bool additive(const std::string& indicator) {
  const results::IndicatorSpec* spec = results::find_indicator(indicator);
  return spec && spec->units == "years";
}

// A target's indicator over the years and how each value is obtained.
struct Series {
  std::function<double(int)> value;  // judged level (observed, chained, trend or lever)
  std::function<double(int)> raw;    // the model's (or trend's, or lever's) own value
  std::function<double(int)> sd;     // of the value, NaN when unknown
  Values observed;                   // years judged on observations
  int first = 0, last = 0;           // the years it covers
  std::string basis;                 // how its values are obtained
  std::string missing;               // why there is no value and what to supply
  TargetResult chain;                // the chain's columns (official ... convention)
};

Series no_data(std::string why) {
  Series s;
  s.missing = std::move(why);
  return s;
}

// The official level carried forward by the model's change (MODEL.md §5).
Series chained(const Scenario& sc, const Target& target, const Values& official,
               std::function<double(int)> model, bool from_national) {
  Series s;
  s.first = std::min(official.begin()->first, sc.base_year);
  s.last = sc.horizon;
  s.raw = model;
  s.observed = official;
  s.sd = [](int) { return NaN; };
  const bool add = additive(target.indicator);
  const int last_seen = official.rbegin()->first;
  double level = official.rbegin()->second;
  std::string bridge;
  if (last_seen < sc.base_year) {
    if (official.size() >= 2) {
      std::vector<double> t, z;
      for (const auto& [year, v] : official) {
        t.push_back(year);
        z.push_back(add ? v : std::log(v));
      }
      const double slope = fit_line(t, z).slope, span = sc.base_year - last_seen;
      level = add ? level + slope * span : level * std::exp(slope * span);
      bridge = fmt::format("; bridged {}-{} by the official trend ({} {:+.3g}{} a year, fit {}-{})",
                           last_seen, sc.base_year, add ? "linear" : "log-linear",
                           add ? slope : 100.0 * (std::exp(slope) - 1.0), add ? "" : "%",
                           official.begin()->first, last_seen);
    } else {
      bridge = fmt::format("; held flat {}-{}: one official observation, no trend to bridge with",
                           last_seen, sc.base_year);
    }
  }
  const int from = std::max(last_seen, sc.base_year);
  s.chain.official_year = last_seen;
  s.chain.official_value = official.rbegin()->second;
  s.chain.start_year = from;
  s.chain.start_value = level;
  s.chain.convention = add ? "difference" : "ratio";
  s.value = [official, model, add, from, level, last_seen](int year) {
    if (year <= last_seen) return observed_at(official, year, nullptr);
    const double m0 = model(from), m1 = model(year);
    return add ? level + (m1 - m0) : level * m1 / m0;
  };
  s.basis = fmt::format("official {} ({}){}{}; then the modelled change ({})",
                        official.rbegin()->second, last_seen, from_national ? ", national" : "",
                        bridge, add ? "difference" : "ratio");
  return s;
}

Series modelled_series(const Scenario& sc, const Target& target, const JudgingData& data,
                       const Dataset& ds) {
  const results::IndicatorSpec* indicator = results::find_indicator(target.indicator);
  if (!indicator) throw Error(fmt::format("'{}' is not a modelled indicator", target.indicator));
  const auto model = [&ds, indicator, &target](int year) {
    return results::indicator_value(ds, *indicator, year, target.sex);
  };
  Values official;
  if (target.sex == "total")
    if (const auto found = data.official.find(target.indicator); found != data.official.end())
      official = as_values(found->second);
  if (target.anchor) official.emplace(target.anchor->first, target.anchor->second);
  if (!official.empty()) return chained(sc, target, official, model, data.official_is_national);
  Series s;
  s.first = sc.base_year;
  s.last = sc.horizon;
  s.value = s.raw = model;
  s.sd = [](int) { return NaN; };
  s.basis = data.official_withheld
                ? "modelled (no official series of the region's own: the inherited series is the "
                  "nation's, another place's level; give the region's own in inputs.official)"
                : "modelled (no official series: the model's own level)";
  return s;
}

Series monitored_series(const Scenario& sc, const Target& target, const Monitored& monitored,
                        const MonitoredHistory& history) {
  if (history.years.empty())
    return no_data(fmt::format(
        "no data: no observed history of {}; supply `history:` (a CSV year,value of observed "
        "values) in its monitored entry",
        monitored.indicator));
  Series s;
  s.last = std::max(sc.horizon, target.year);
  const auto forecast = std::make_shared<MonitoredForecast>(
      forecast_monitored(monitored, history, sc.base_year, s.last));
  s.first = forecast->years.front();
  s.observed = forecast->observed;
  s.value = s.raw = [forecast](int year) {
    const double seen = observed_at(forecast->observed, year, nullptr);
    return !std::isnan(seen) ? seen : forecast->value[forecast->index(year)];
  };
  s.sd = [forecast](int year) {
    const auto i = forecast->index(year);
    return (forecast->upper[i] - forecast->lower[i]) / (2.0 * Z_975);
  };
  s.chain.convention = "trend";
  s.basis = "monitored trend";
  if (history.years.size() < 3)
    s.basis +=
        fmt::format("; {} observation{}: too short for a trend interval (3 needed), no probability",
                    history.years.size(), history.years.size() == 1 ? " (value held)" : "s");
  return s;
}

const Intervention* lever_of(const Scenario& sc, const Target& target) {
  for (const auto& iv : sc.interventions)
    if (iv.name == target.lever) return &iv;
  return nullptr;
}

// The quantity a lever moves, for a target on an indicator no model part reports: a treatment's
// coverage (percent), or the complement of a scaled prevalence from the indicator's observed
// base-year level.
Series lever_series(const Scenario& sc, const Target& target, const Intervention& iv,
                    const JudgingData& data, const MonitoredHistory* history) {
  Series s;
  s.first = sc.base_year;
  s.last = sc.horizon;
  s.sd = [](int) { return NaN; };
  s.chain.convention = "lever";
  if (iv.kind == InterventionKind::treatment_coverage && iv.reach) {
    const auto base = data.base_coverage.find(iv.treatment);
    if (base == data.base_coverage.end())
      return no_data(fmt::format("no data: the health model has no treatment '{}'", iv.treatment));
    s.value = s.raw = [ramp = iv.ramp, b = base->second, r = *iv.reach](int year) {
      const double w = ramp.weight(year);
      return 100.0 * ((1.0 - w) * b + w * r);
    };
    s.basis = fmt::format("lever {}: coverage {:.1f}% in {} ramped to {:.1f}% by {}", iv.name,
                          100.0 * base->second, sc.base_year, 100.0 * *iv.reach, iv.ramp.full);
    return s;
  }
  const std::optional<double> scale = iv.scale ? iv.scale : iv.multiply;
  if (!target.lever_complement || !scale || !history || history->years.empty())
    return no_data(
        fmt::format("no data: lever {} does not give {} (a treatment_coverage reach, or "
                    "a scale with lever_complement and an observed history)",
                    iv.name, target.indicator));
  const double b = observed_at(as_values(*history), sc.base_year, nullptr);
  if (std::isnan(b))
    return no_data(fmt::format("no data: no observed {} in {} to apply lever {} to",
                               target.indicator, sc.base_year, iv.name));
  s.value = s.raw = [ramp = iv.ramp, b, k = *scale](int year) {
    return 100.0 - (100.0 - b) * (1.0 + ramp.weight(year) * (k - 1.0));
  };
  s.basis = fmt::format("lever {}: 100 - (100 - {} in {}) x its scale {} (ramped)", iv.name, b,
                        sc.base_year, *scale);
  return s;
}

// Whether the lever is defined as the target itself: its reach is the target's level (in the
// target's precision), or its scale the target's relative change, from its full year on.
bool set_by(const Target& target, const Intervention& iv) {
  if (target.year < iv.ramp.full || !target.value) return false;
  if (iv.reach && is_level(target.comparator)) {
    const double level =
        *iv.reach * (iv.kind == InterventionKind::treatment_coverage ? 100.0 : 1.0);
    return rounded(level, target.decimals) == *target.value;
  }
  const std::optional<double> scale = iv.scale ? iv.scale : iv.multiply;
  return scale && target.comparator == Comparator::relative_change &&
         std::abs(*scale - 1.0 - *target.value) < 1e-9;
}

// Why the model cannot give the plan's definition, or empty. A target its lever sets is
// comparable whatever the level it starts from.
std::string not_comparable(const Target& target, const JudgingData& data, bool set_by_lever) {
  if (target.indicator == "road_traffic_deaths" && target.proxy.empty())
    return "not comparable: the model has deaths from all unintentional injuries, not road "
           "traffic deaths (per 10,000 vehicles: vehicle fleets are not modelled); give `proxy:` "
           "to judge injury deaths as a stand-in";
  if (target.comparator == Comparator::better_than && !target.value && data.national_data)
    return "not comparable: the region runs on the national data, so its value is the national "
           "value; give the region inputs of its own";
  const bool level = is_level(target.comparator) || target.comparator == Comparator::natural;
  if (level && !set_by_lever && data.national_levels.contains(target.indicator) &&
      !data.official.contains(target.indicator))
    return "not comparable: in this census unit the level of this indicator comes from national "
           "inputs (no figures of the unit's own); give the unit's own inputs (sex ratio at "
           "birth, health model) or its official value in inputs.official";
  if (level && !set_by_lever && !target.lever.empty() && target.proxy.empty() &&
      data.national_health)
    return "not comparable: in this census unit the lever starts from the national base-year "
           "level (the health model's); give the unit's own base level (its health model, or "
           "the indicator's observed history with `proxy:` if it is not the unit's own)";
  return {};
}

// How one target compares a year's judged value: the plan's precision, then the comparator.
struct Comparison {
  const Target& target;
  double goal, baseline;
  std::function<double(int)> judged, reference;
  bool higher_is_better = true;

  bool operator()(int year, double& value, double& gap) const {
    const double v = judged(year);
    value = v;
    const double r = rounded(v, target.decimals);
    switch (target.comparator) {
      case Comparator::at_least:
        gap = goal - v;
        return r >= goal;
      case Comparator::more_than:
        gap = goal - v;
        return r > goal;
      case Comparator::at_most:
        gap = v - goal;
        return r <= goal;
      case Comparator::less_than:
        gap = v - goal;
        return r < goal;
      case Comparator::relative_change: {
        value = v / baseline - 1.0;
        // Percentages: at least whole per cent, as plans write them (-30%).
        const double change = rounded(value, std::max(target.decimals, 2));
        gap = goal < 0.0 ? value - goal : goal - value;
        return goal < 0.0 ? change <= goal : change >= goal;
      }
      case Comparator::decrease:
        gap = v - baseline;
        return v < baseline;
      case Comparator::increase:
        gap = baseline - v;
        return v > baseline;
      case Comparator::better_than: {
        const double ref = reference(year);
        gap = higher_is_better ? ref - v : v - ref;
        return higher_is_better ? v > ref : v < ref;
      }
      case Comparator::natural:
        // A sex ratio at birth of 103-107 boys per 100 girls.
        gap = v < 103.0 ? 103.0 - v : (v > 107.0 ? v - 107.0 : 0.0);
        return v >= 103.0 && v <= 107.0;
    }
    return false;
  }
};

// Monitored: the chance that the value meets a level target, from the trend's interval.
double trend_probability(const Target& target, const TargetResult& r, double sd) {
  const Comparator c = target.comparator;
  if (std::isnan(sd) || !is_level(c)) return NaN;
  const boost::math::normal dist(r.projected, sd);
  const double below = boost::math::cdf(dist, r.goal);
  return (c == Comparator::at_least || c == Comparator::more_than) ? 1.0 - below : below;
}

TargetResult unjudged(TargetResult r, const char* status, std::string why) {
  r.status = status;
  r.basis = std::move(why);
  r.judged = r.gap = r.met = r.probability = r.first_year_met = NaN;
  return r;
}

// The baseline of relative comparators: the official (or observed) value of the baseline year,
// else the judged value when the projection covers it; NaN (not comparable) otherwise.
double baseline_of(const Target& target, const Series& series, const Scenario& sc,
                   std::string& basis) {
  std::string how;
  const double seen = observed_at(series.observed, *target.base_year, &how);
  if (!std::isnan(seen)) {
    basis += fmt::format("; baseline {} {}", seen, how);
    return seen;
  }
  if (*target.base_year >= sc.base_year) return series.value(*target.base_year);
  return NaN;
}

TargetResult start(const Series& series, const Target& target) {
  TargetResult r = series.chain;
  r.goal = target.value.value_or(NaN);
  r.basis = series.basis;
  r.proxy = target.proxy;
  r.probability = r.first_year_met = r.baseline_year = r.baseline_value = NaN;
  if (r.convention != "ratio" && r.convention != "difference") {
    r.official_year = r.official_value = r.start_year = r.start_value = NaN;
  }
  r.modelled_change = r.projected = NaN;
  return r;
}

TargetResult judge(const Scenario& sc, const Target& target, const Series& series,
                   const Dataset* national) {
  TargetResult r = start(series, target);
  if (!series.missing.empty()) return unjudged(r, "no_data", series.missing);
  if (target.year < series.first || target.year > series.last)
    return unjudged(r, target.year < series.first ? "before_projection" : "after_horizon", r.basis);
  double baseline = NaN;
  if (target.base_year) {
    baseline = baseline_of(target, series, sc, r.basis);
    r.baseline_year = *target.base_year;
    r.baseline_value = baseline;
    if (std::isnan(baseline))
      return unjudged(r, "not_comparable",
                      fmt::format("not comparable: no value for the baseline year {} (the "
                                  "projection starts in {}); supply the official {} value in "
                                  "inputs.official",
                                  *target.base_year, sc.base_year, *target.base_year));
  }
  const results::IndicatorSpec* indicator = results::find_indicator(target.indicator);
  const Comparison compare{target,
                           r.goal,
                           baseline,
                           series.value,
                           [&](int year) {
                             if (target.value) return *target.value;
                             if (!national || !indicator) return NaN;
                             return results::indicator_value(*national, *indicator, year,
                                                             target.sex);
                           },
                           !indicator || indicator->better == results::Better::higher};
  r.projected = series.raw(target.year);
  const bool met = compare(target.year, r.judged, r.gap);
  const bool observed = !series.observed.empty() && target.year <= series.observed.rbegin()->first;
  if (!observed && !std::isnan(r.start_year) && target.year > r.start_year)
    r.modelled_change = r.convention == "ratio"
                            ? series.raw(target.year) / series.raw(static_cast<int>(r.start_year))
                            : series.raw(target.year) - series.raw(static_cast<int>(r.start_year));
  if (std::isnan(r.judged) || std::isnan(r.gap)) return unjudged(r, "no_value", r.basis);
  if (observed) {  // the chain is the observation itself
    std::string how;
    r.official_value = observed_at(series.observed, target.year, &how);
    r.official_year = target.year;
    r.start_year = r.start_value = NaN;
    r.basis = how + (series.chain.convention == "trend" ? " (monitored history)" : " (official)") +
              (r.baseline_year == r.baseline_year ? fmt::format("; baseline {}", baseline) : "");
  }
  r.met = met ? 1.0 : 0.0;
  r.status = observed ? (met ? "observed_met" : "observed_not_met") : (met ? "met" : "not_met");
  for (int year = std::max(series.first, sc.base_year); year <= series.last; ++year) {
    double value = 0.0, gap = 0.0;
    if (compare(year, value, gap)) {
      r.first_year_met = year;
      break;
    }
  }
  if (!observed) r.probability = trend_probability(target, r, series.sd(target.year));
  return r;
}

const MonitoredHistory* history_of(const Scenario& sc, const JudgingData& data,
                                   const std::string& indicator, const Monitored** monitored) {
  for (std::size_t i = 0; i < sc.monitored.size(); ++i)
    if (sc.monitored[i].indicator == indicator) {
      *monitored = &sc.monitored[i];
      return &data.monitored.at(i);
    }
  return nullptr;
}

TargetResult judge_target(const Scenario& sc, const Target& target, const JudgingData& data,
                          const Dataset& ds, const Dataset* national) {
  const Monitored* monitored = nullptr;
  const MonitoredHistory* history = history_of(sc, data, target.indicator, &monitored);
  const Intervention* lever = target.lever.empty() ? nullptr : lever_of(sc, target);
  Series series = lever && !results::find_indicator(target.indicator)
                      ? lever_series(sc, target, *lever, data, history)
                  : history ? monitored_series(sc, target, *monitored, *history)
                            : modelled_series(sc, target, data, ds);
  const bool set = lever && set_by(target, *lever);
  if (const std::string why = not_comparable(target, data, set); !why.empty())
    return unjudged(start(series, target), "not_comparable", why);
  if (!target.proxy.empty()) series.basis = "proxy: " + target.proxy + "; " + series.basis;
  TargetResult r = judge(sc, target, series, national);
  if (set && series.missing.empty()) {
    // Defined as the target: what the lever is set to, not a verdict on integration noise.
    r.status = "set_by_lever";
    r.judged = r.goal;
    r.gap = NaN;
    if (std::isnan(r.projected)) r.projected = series.raw(target.year);
    r.met = r.probability = r.first_year_met = NaN;
    r.basis = fmt::format("set by lever {}: defined as the target from {} on (modelled: {:.4g})",
                          lever->name, lever->ramp.full, r.projected);
  }
  return r;
}

void add_monitored_table(Dataset& ds, const Scenario& sc, const JudgingData& data) {
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
    kind.values[i] = data.monitored[i].years.empty() ? "none" : "observed";
  for (std::size_t i = 0; i < sc.monitored.size(); ++i) {
    const bool none = data.monitored[i].years.empty();
    const auto f =
        none ? MonitoredForecast{}
             : forecast_monitored(sc.monitored[i], data.monitored[i], sc.base_year, sc.horizon);
    for (int year = sc.base_year; year <= sc.horizon; ++year) {
      const std::size_t y = static_cast<std::size_t>(year - sc.base_year);
      ds.variable(var::monitored_value).at({i, y}) = none ? NaN : f.value[f.index(year)];
      ds.variable(var::monitored_lower).at({i, y}) = none ? NaN : f.lower[f.index(year)];
      ds.variable(var::monitored_upper).at({i, y}) = none ? NaN : f.upper[f.index(year)];
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

std::map<std::string, MonitoredHistory> read_official_history(const std::filesystem::path& file) {
  const auto csv = input::CsvTable::read(file);
  csv.require_columns({"indicator", "year", "value"});
  std::map<std::string, MonitoredHistory> out;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const std::string& id = csv.text(r, "indicator");
    if (!results::find_indicator(id))
      throw InputError(csv.location(r, "indicator"), "indicator",
                       fmt::format("'{}' is not a modelled indicator (docs/scenario-format.md, "
                                   "\"Indicators\")",
                                   id));
    const double value = csv.number(r, "value");
    if (!(value > 0.0))
      throw InputError(csv.location(r, "value"), "value",
                       fmt::format("{} is not a positive official value", value));
    out[id].years.push_back(csv.integer(r, "year"));
    out[id].values.push_back(value);
  }
  return out;
}

MonitoredForecast forecast_monitored(const Monitored& m, const MonitoredHistory& history,
                                     int first_year, int last_year) {
  MonitoredForecast out;
  out.observed = as_values(history);
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

bool judged_in_draws(const TargetResult& r) { return r.status == "met" || r.status == "not_met"; }

bool needs_national(const Scenario& sc) {
  return std::any_of(sc.targets.begin(), sc.targets.end(), [](const Target& t) {
    return t.comparator == Comparator::better_than && !t.value;
  });
}

std::vector<TargetResult> evaluate_targets(const Scenario& sc, const JudgingData& data,
                                           const Dataset& ds, const Dataset* national) {
  std::vector<TargetResult> out;
  for (const auto& target : sc.targets) out.push_back(judge_target(sc, target, data, ds, national));
  return out;
}

void add_targets(Dataset& ds, const Scenario& sc, const JudgingData& data,
                 const std::vector<TargetResult>& results) {
  add_monitored_table(ds, sc, data);
  if (sc.targets.empty()) return;
  std::vector<int> index(sc.targets.size());
  std::iota(index.begin(), index.end(), 1);
  ds.add_coordinate(results::dim::target, index);
  const std::array numbers = {
      &var::target_year,          &var::target_value,           &var::target_precision,
      &var::target_projected,     &var::target_judged,          &var::target_gap,
      &var::target_met,           &var::target_first_year_met,  &var::target_probability,
      &var::target_official_year, &var::target_official_value,  &var::target_start_year,
      &var::target_start_value,   &var::target_modelled_change, &var::target_baseline_year,
      &var::target_baseline_value};
  for (const auto* v : numbers) ds.add_variable(*v);
  const std::array texts = {&var::target_plan,    &var::target_indicator,  &var::target_comparator,
                            &var::target_unit,    &var::target_sex,        &var::target_status,
                            &var::target_basis,   &var::target_convention, &var::target_proxy,
                            &var::target_text_zh, &var::target_text_en};
  for (const auto* v : texts) ds.add_labels(*v);
  for (std::size_t i = 0; i < sc.targets.size(); ++i) {
    const Target& t = sc.targets[i];
    const TargetResult& r = results[i];
    const double values[] = {static_cast<double>(t.year),
                             r.goal,
                             static_cast<double>(t.decimals),
                             r.projected,
                             r.judged,
                             r.gap,
                             r.met,
                             r.first_year_met,
                             r.probability,
                             r.official_year,
                             r.official_value,
                             r.start_year,
                             r.start_value,
                             r.modelled_change,
                             r.baseline_year,
                             r.baseline_value};
    for (std::size_t k = 0; k < numbers.size(); ++k) ds.variable(*numbers[k]).at({i}) = values[k];
    const std::string labels[] = {sc.name,   t.indicator,  std::string(to_string(t.comparator)),
                                  t.unit,    t.sex,        r.status,
                                  r.basis,   r.convention, r.proxy,
                                  t.text_zh, t.text_en};
    for (std::size_t k = 0; k < texts.size(); ++k) ds.label(*texts[k]).values[i] = labels[k];
  }
}

}  // namespace healthcast::scenario
