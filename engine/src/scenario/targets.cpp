#include "healthcast/scenario/targets.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include <fmt/format.h>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "healthcast/input/csv.h"

namespace healthcast::scenario {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
// Values this close to a target (relative) count as on it: levers that "reach" a level land on
// it up to integration and averaging noise, and "at most 20%" is then met at 20%.
constexpr double ON_TARGET = 1e-6;
using results::Dataset;

// Plans are for one city or province: targets are judged on the first region.
constexpr std::size_t region0 = 0;

double sum_over_ages(const Dataset& ds, const std::string& var, std::size_t y, std::size_t s) {
  const auto& v = ds.variable(var);
  double total = 0.0;
  for (std::size_t a = 0; a < ds.coordinate("age").size(); ++a) total += v.at({y, region0, s, a});
  return total;
}

// Reads the series of a monitored indicator: observed history where the year has one, the
// trend forecast otherwise.
struct Series {
  std::function<double(int)> value;
  std::function<double(int)> sd;  // of the value, NaN when unknown
};

}  // namespace

const std::vector<std::string>& modelled_indicators() {
  static const std::vector<std::string> ids = {
      "life_expectancy",   "healthy_life_expectancy", "infant_mortality",
      "under5_mortality",  "maternal_mortality",      "premature_ncd_mortality",
      "cvd_mortality",     "cvd_mortality_asr_who",   "cvd_mortality_asr_china",
      "crd_mortality_u70", "cancer_5y_survival",      "smoking_prevalence_15plus",
      "salt_intake",       "sex_ratio_at_birth",      "road_traffic_deaths",
      "population"};
  return ids;
}

double indicator_value(const Dataset& ds, const std::string& id, int year, const std::string& sex) {
  const auto& years = std::get<std::vector<int>>(ds.coordinate("year").values);
  if (years.empty() || year < years.front() || year > years.back()) return NaN;
  const std::size_t y = ds.index_of("year", year);
  const std::size_t s = ds.index_of("sex", sex);
  const auto by_sex = [&](const std::string& var) { return ds.variable(var).at({y, region0, s}); };
  const auto needs = [&](const std::string& var) {
    if (!ds.has_variable(var))
      throw Error(
          fmt::format("indicator '{}' needs the health model (no '{}' in the results)", id, var));
  };
  if (id == "life_expectancy" || id == "healthy_life_expectancy") {
    needs(id);
    return ds.variable(id).at({y, region0, s, 0});
  }
  if (id == "maternal_mortality") {
    needs(id);
    return ds.variable(id).at({y, region0});
  }
  if (id == "cvd_mortality" || id == "cvd_mortality_asr_who" || id == "cvd_mortality_asr_china") {
    needs("cvd_mortality");
    const std::string standard = id == "cvd_mortality"
                                     ? "crude"
                                     : (id == "cvd_mortality_asr_who" ? "who_world" : "china_2000");
    return ds.variable("cvd_mortality").at({y, region0, s, ds.index_of("standard", standard)});
  }
  if (id == "sex_ratio_at_birth")
    return 100.0 * ds.variable("births").at({y, region0, 1}) /
           ds.variable("births").at({y, region0, 0});
  if (id == "road_traffic_deaths") {
    needs("deaths_by_cause");
    const auto& v = ds.variable("deaths_by_cause");
    const std::size_t c = ds.index_of("cause", std::string("injuries"));
    double total = 0.0;
    for (std::size_t a = 0; a < ds.coordinate("age").size(); ++a)
      total += v.at({y, region0, s, a, c});
    return total;
  }
  if (id == "population") return sum_over_ages(ds, "population", y, s);
  if (std::find(modelled_indicators().begin(), modelled_indicators().end(), id) !=
      modelled_indicators().end()) {
    needs(id);
    return by_sex(id);
  }
  throw Error(fmt::format("'{}' is not a modelled indicator", id));
}

MonitoredForecast forecast_monitored(const Monitored& m, int first_year, int last_year) {
  const auto csv = input::CsvTable::read(m.history);
  csv.require_columns({"year", "value"});
  MonitoredForecast out;
  std::vector<double> t, v;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    t.push_back(csv.integer(r, "year"));
    v.push_back(csv.number(r, "value"));
    out.observed[csv.integer(r, "year")] = v.back();
    if (m.bounds && (v.back() <= m.bounds->first || v.back() >= m.bounds->second))
      throw InputError(csv.location(r, "value"), "value",
                       fmt::format("{} lies outside the logistic bounds ({}, {})", v.back(),
                                   m.bounds->first, m.bounds->second));
  }
  if (t.empty()) throw InputError({csv.source(), 1, 0}, "", "the history has no observations");
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
  std::vector<double> z(v.size());
  std::transform(v.begin(), v.end(), z.begin(), to_fit);
  const double n = static_cast<double>(t.size());
  const double tbar = std::accumulate(t.begin(), t.end(), 0.0) / n;
  const double zbar = std::accumulate(z.begin(), z.end(), 0.0) / n;
  double sxx = 0.0, sxz = 0.0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    sxx += (t[i] - tbar) * (t[i] - tbar);
    sxz += (t[i] - tbar) * (z[i] - zbar);
  }
  const double slope = sxx > 0.0 ? sxz / sxx : 0.0;
  double rss = 0.0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double e = z[i] - (zbar + slope * (t[i] - tbar));
    rss += e * e;
  }
  const bool interval = t.size() >= 3;
  const double s = interval ? std::sqrt(rss / (n - 2.0)) : NaN;
  const double q = interval ? boost::math::quantile(boost::math::students_t(n - 2.0), 0.975) : NaN;
  out.illustrative = m.illustrative;
  for (int year = std::min(first_year, out.observed.begin()->first); year <= last_year; ++year) {
    const double centre = zbar + slope * (year - tbar);
    const double half =
        interval ? q * s * std::sqrt(1.0 + 1.0 / n + (year - tbar) * (year - tbar) / sxx) : NaN;
    out.years.push_back(year);
    out.value.push_back(from_fit(centre));
    out.lower.push_back(interval ? from_fit(centre - half) : NaN);
    out.upper.push_back(interval ? from_fit(centre + half) : NaN);
  }
  return out;
}

std::vector<TargetResult> evaluate_targets(const Scenario& sc, const Dataset& ds,
                                           const Dataset* national) {
  std::vector<TargetResult> out;
  for (const auto& target : sc.targets) {
    TargetResult r;
    r.goal = target.value.value_or(NaN);
    r.probability = NaN;
    r.first_year_met = NaN;

    // The indicator's series and its basis.
    Series series;
    const auto monitored =
        std::find_if(sc.monitored.begin(), sc.monitored.end(),
                     [&](const Monitored& m) { return m.indicator == target.indicator; });
    int first = sc.base_year, last = sc.horizon;
    if (monitored != sc.monitored.end()) {
      last = std::max(sc.horizon, target.year);
      const auto forecast =
          std::make_shared<MonitoredForecast>(forecast_monitored(*monitored, sc.base_year, last));
      first = forecast->years.front();
      series.value = [forecast](int year) {
        const auto seen = forecast->observed.find(year);
        return seen != forecast->observed.end() ? seen->second
                                                : forecast->value[forecast->index(year)];
      };
      series.sd = [forecast](int year) {
        if (forecast->observed.count(year)) return 0.0;
        const auto i = forecast->index(year);
        return (forecast->upper[i] - forecast->lower[i]) / (2.0 * 1.959963984540054);
      };
      r.basis =
          monitored->illustrative ? "monitored trend (illustrative history)" : "monitored trend";
    } else {
      series.value = [&ds, &target](int year) {
        return indicator_value(ds, target.indicator, year, target.sex);
      };
      series.sd = [](int) { return NaN; };
      r.basis = "modelled";
    }
    // Anchoring (MODEL.md §5): the official baseline moved by the modelled relative change.
    std::function<double(int)> judged = series.value;
    if (target.anchor) {
      const int from = std::max(target.anchor->first, sc.base_year);
      const double official = target.anchor->second;
      const double at = series.value(from);
      judged = [series, official, at](int year) { return official * series.value(year) / at; };
      r.basis = fmt::format("anchored to {} in {}{}", official, target.anchor->first,
                            target.anchor->first < sc.base_year
                                ? fmt::format(" (taken as the {} level)", sc.base_year)
                                : std::string());
    }
    // The baseline of relative comparators.
    double baseline = NaN;
    if (target.base_year) {
      if (*target.base_year >= first)
        baseline = judged(*target.base_year);
      else if (target.anchor && target.anchor->first == *target.base_year)
        baseline = target.anchor->second;
      else {
        baseline = judged(first);
        r.basis +=
            fmt::format("; change measured from {} (no value for {})", first, *target.base_year);
      }
    }
    const auto reference = [&](int year) {
      if (target.value) return *target.value;
      if (!national) return NaN;
      return indicator_value(*national, target.indicator, year, target.sex);
    };
    const auto compare = [&](int year, double& value, double& gap) -> bool {
      const double v = judged(year);
      const std::string& c = target.comparator;
      value = v;
      if (c == ">=" || c == ">" || c == "<=" || c == "<") {
        gap = v - r.goal;
        const double slack = ON_TARGET * std::abs(r.goal);
        return c == ">="   ? gap >= -slack
               : c == ">"  ? gap > slack
               : c == "<=" ? gap <= slack
                           : gap < -slack;
      }
      if (c == "relative_change") {
        value = v / baseline - 1.0;
        gap = value - r.goal;
        const double slack = ON_TARGET * std::abs(r.goal);
        return r.goal < 0.0 ? gap <= slack : gap >= -slack;
      }
      if (c == "decrease" || c == "increase") {
        gap = v - baseline;
        return c == "decrease" ? v < baseline : v > baseline;
      }
      if (c == "better_than") {
        const double ref = reference(year);
        gap = v - ref;
        // "Better" is higher for every indicator a plan sets this way (life expectancy).
        return v > ref;
      }
      // natural: a sex ratio at birth of 103-107 boys per 100 girls
      gap = v < 103.0 ? v - 103.0 : (v > 107.0 ? v - 107.0 : 0.0);
      return v >= 103.0 && v <= 107.0;
    };
    if (target.year < first) {
      r.status = "before the projection";
      r.projected = r.judged = r.gap = r.met = NaN;
    } else if (target.year > last) {
      r.status = "after the horizon";
      r.projected = r.judged = r.gap = r.met = NaN;
    } else {
      r.projected = series.value(target.year);
      const bool met = compare(target.year, r.judged, r.gap);
      if (std::isnan(r.judged) || std::isnan(r.gap)) {
        r.met = NaN;
        r.status = "no value";
      } else {
        r.met = met ? 1.0 : 0.0;
        r.status = met ? "met" : "not met";
      }
      for (int year = std::max(first, sc.base_year); year <= last; ++year) {
        double value = 0.0, gap = 0.0;
        if (compare(year, value, gap)) {
          r.first_year_met = year;
          break;
        }
      }
      // Monitored: the chance that the value meets a level target, from the trend's interval.
      const double sd = series.sd(target.year);
      const std::string& c = target.comparator;
      if (!std::isnan(sd) && !target.anchor && (c == ">=" || c == ">" || c == "<=" || c == "<")) {
        if (sd == 0.0) {
          r.probability = r.met;
        } else {
          const boost::math::normal dist(r.projected, sd);
          const double below = boost::math::cdf(dist, r.goal);
          r.probability = (c == ">=" || c == ">") ? 1.0 - below : below;
        }
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

void add_targets(Dataset& ds, const Scenario& sc, const std::vector<TargetResult>& results) {
  if (!sc.monitored.empty()) {
    std::vector<std::string> names;
    for (const auto& m : sc.monitored) names.push_back(m.indicator);
    ds.add_coordinate({"monitored", names, "monitored indicator (not modelled)", ""});
    for (const char* v : {"monitored_value", "monitored_lower", "monitored_upper"})
      ds.add_variable(
          v, {"monitored", "year"}, "",
          fmt::format("trend forecast of monitored indicators ({})", std::string(v).substr(10)));
    auto& units = ds.add_labels("monitored_unit", "monitored", "unit");
    for (std::size_t i = 0; i < sc.monitored.size(); ++i) units.values[i] = sc.monitored[i].unit;
    auto& kind = ds.add_labels("monitored_history", "monitored",
                               "observed, or illustrative (a placeholder history)");
    for (std::size_t i = 0; i < sc.monitored.size(); ++i)
      kind.values[i] = sc.monitored[i].illustrative ? "illustrative" : "observed";
    for (std::size_t i = 0; i < sc.monitored.size(); ++i) {
      const auto f = forecast_monitored(sc.monitored[i], sc.base_year, sc.horizon);
      for (int year = sc.base_year; year <= sc.horizon; ++year) {
        const std::size_t y = static_cast<std::size_t>(year - sc.base_year);
        ds.variable("monitored_value").at({i, y}) = f.value[f.index(year)];
        ds.variable("monitored_lower").at({i, y}) = f.lower[f.index(year)];
        ds.variable("monitored_upper").at({i, y}) = f.upper[f.index(year)];
      }
    }
  }
  if (sc.targets.empty()) return;
  std::vector<int> index(sc.targets.size());
  std::iota(index.begin(), index.end(), 1);
  ds.add_coordinate({"target", index, "plan target (row of the targets table)", ""});
  const std::vector<std::pair<std::string, std::string>> numbers = {
      {"target_year", "year of the target"},
      {"target_value", "target value (for relative changes: the change, a fraction)"},
      {"target_projected", "projected value of the indicator in the target year"},
      {"target_judged", "value compared with the target (anchored, or a relative change)"},
      {"target_gap", "judged value minus target (or minus the reference value)"},
      {"target_met", "1 met, 0 not met, NaN not judged"},
      {"target_first_year_met", "first projected year in which the target is met"},
      {"target_probability", "probability of meeting the target (needs draws or an interval)"}};
  for (const auto& [name, long_name] : numbers) ds.add_variable(name, {"target"}, "", long_name);
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"target_plan", "scenario (plan) name"},
      {"target_indicator", "indicator id"},
      {"target_comparator", "comparator"},
      {"target_unit", "unit"},
      {"target_sex", "sex"},
      {"target_status", "status"},
      {"target_basis", "how the value was obtained"},
      {"target_text_zh", "the plan's own words"},
      {"target_text_en", "the plan's words in English"}};
  for (const auto& [name, long_name] : texts) ds.add_labels(name, "target", long_name);
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
    for (std::size_t k = 0; k < numbers.size(); ++k)
      ds.variable(numbers[k].first).at({i}) = values[k];
    const std::string labels[] = {sc.name,  t.indicator, t.comparator, t.unit,   t.sex,
                                  r.status, r.basis,     t.text_zh,    t.text_en};
    for (std::size_t k = 0; k < texts.size(); ++k) {
      const auto& name = texts[k].first;
      ds.label(name).values[i] = labels[k];
    }
  }
}

}  // namespace healthcast::scenario
