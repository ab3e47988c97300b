#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "healthcast/health/model.h"
#include "healthcast/input/age_schedule.h"
#include "healthcast/input/csv.h"
#include "healthcast/input/yaml.h"

namespace healthcast::health {

namespace {

namespace fs = std::filesystem;
using demography::AGE_MAX;
using demography::N_AGES;
using demography::N_SEXES;
using input::AgeSchedule;
using input::CsvTable;
using input::Spread;
using input::YamlReader;

constexpr double BIG = 1e6;

std::vector<std::string> disease_names(const HealthModel& m) {
  std::vector<std::string> names;
  for (const auto& d : m.diseases) names.push_back(d.name);
  return names;
}

// Throws unless `name` is a modelled disease; the message lists the diseases.
void check_disease(const HealthModel& m, const std::string& name, const SourceLocation& where,
                   const std::string& field) {
  const auto names = disease_names(m);
  if (std::find(names.begin(), names.end(), name) == names.end())
    throw InputError(where, field,
                     fmt::format("unknown disease '{}'; the model's diseases are: {}", name,
                                 fmt::join(names, ", ")));
}

// A value under `key` with its interval under `lower`/`upper`, or `<key>_lower`/`<key>_upper`
// when the mapping holds several uncertain values.
Uncertain uncertain(const YamlReader& rd, const YAML::Node& node, const std::string& key,
                    double low, double high, bool prefixed = false) {
  Uncertain u;
  u.value = rd.number(rd.required(node, key), key, low, high);
  const std::string lower = prefixed ? key + "_lower" : "lower";
  const std::string upper = prefixed ? key + "_upper" : "upper";
  if (node[lower]) u.lower = rd.number(node[lower], lower, low, u.value);
  if (node[upper]) u.upper = rd.number(node[upper], upper, u.value, high);
  return u;
}

// A value column of a CSV file and its optional 95% interval columns (both or neither).
struct IntervalColumns {
  std::string value, lower, upper;
  bool present = false;
};

IntervalColumns interval_columns(const CsvTable& csv, const std::string& value,
                                 const std::string& lower, const std::string& upper) {
  IntervalColumns c{value, lower, upper, csv.has_column(lower)};
  if (c.present != csv.has_column(upper))
    throw InputError({csv.source(), 1, 0}, c.present ? upper : lower,
                     fmt::format("the column is missing: the 95% interval of '{}' needs both "
                                 "'{}' and '{}'",
                                 value, lower, upper));
  return c;
}

// Columns `<value>_lower` and `<value>_upper` (disease rate files).
IntervalColumns suffixed_interval_columns(const CsvTable& csv, const std::string& value) {
  return interval_columns(csv, value, value + "_lower", value + "_upper");
}

// Throws unless lower <= value <= upper on row r (value already read and range-checked).
void check_interval(const CsvTable& csv, std::size_t r, const IntervalColumns& c, double value,
                    double lower, double upper) {
  if (lower > value)
    throw InputError(csv.location(r, c.lower), c.lower,
                     fmt::format("{} is above the {} {}; a 95% interval must hold its value "
                                 "({} <= {} <= {})",
                                 lower, c.value, value, c.lower, c.value, c.upper));
  if (upper < value)
    throw InputError(csv.location(r, c.upper), c.upper,
                     fmt::format("{} is below the {} {}; a 95% interval must hold its value "
                                 "({} <= {} <= {})",
                                 upper, c.value, value, c.lower, c.value, c.upper));
}

// A schedule by sex and age with its 95% interval when the file has the interval columns.
class UncertainSchedule {
 public:
  void add(const CsvTable& csv, std::size_t r, const IntervalColumns& c, double low, double high) {
    value_.add(csv, r, c.value, low, high);
    if (!c.present) return;
    lower_.add(csv, r, c.lower, low, high);
    upper_.add(csv, r, c.upper, low, high);
    check_interval(csv, r, c, csv.number(r, c.value), csv.number(r, c.lower),
                   csv.number(r, c.upper));
  }
  SexAgeArray values(const std::string& what, Spread spread = Spread::constant) const {
    return value_.single_years(what, spread);
  }
  // The same spread as the values keeps lower <= value <= upper at every single year.
  std::optional<SexAgeInterval> interval(const std::string& what,
                                         Spread spread = Spread::constant) const {
    if (lower_.empty()) return std::nullopt;
    return SexAgeInterval{lower_.single_years(what + " (lower)", spread),
                          upper_.single_years(what + " (upper)", spread)};
  }

 private:
  AgeSchedule value_, lower_, upper_;
};

Trend trend(const YamlReader& rd, const YAML::Node& node, const std::string& field) {
  Trend t;
  if (!node) return t;
  if (node.IsScalar() && node.Scalar() == "all_cause") {
    t.follows_all_cause = true;
  } else {
    t.annual_percent_change = rd.number(node, field, -50.0, 50.0);
  }
  return t;
}

Disease read_disease(const YamlReader& rd, const YAML::Node& node, const fs::path& base) {
  rd.require_map(node, "diseases");
  rd.check_keys(node, "a disease", {"name", "title", "title_zh", "groups", "rates", "trends"});
  Disease d;
  d.name = rd.name(rd.required(node, "name"), "name");
  d.title = node["title"] ? rd.text(node["title"], "title") : d.name;
  if (node["title_zh"]) d.title_zh = rd.text(node["title_zh"], "title_zh");
  if (node["groups"]) d.groups = rd.text_list(node["groups"], "groups");
  if (const auto t = node["trends"]) {
    rd.require_map(t, "trends");
    rd.check_keys(t, "'trends'", {"incidence", "case_fatality"});
    d.incidence_trend = trend(rd, t["incidence"], "incidence");
    d.case_fatality_trend = trend(rd, t["case_fatality"], "case_fatality");
  }
  const auto csv = CsvTable::read(rd.file(rd.required(node, "rates"), "rates", base));
  csv.require_columns({"sex", "age", "prevalence", "mortality", "remission", "disability_weight"});
  const auto prevalence_columns = suffixed_interval_columns(csv, "prevalence");
  const auto mortality_columns = suffixed_interval_columns(csv, "mortality");
  const auto remission_columns = suffixed_interval_columns(csv, "remission");
  const auto weight_columns = suffixed_interval_columns(csv, "disability_weight");
  UncertainSchedule prevalence, mortality, remission, weight;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    prevalence.add(csv, r, prevalence_columns, 0.0, 0.99);
    mortality.add(csv, r, mortality_columns, 0.0, 10.0);
    remission.add(csv, r, remission_columns, 0.0, 10.0);
    weight.add(csv, r, weight_columns, 0.0, 1.0);
  }
  const std::string what = fmt::format("disease '{}'", d.name);
  d.prevalence = prevalence.values(what, Spread::linear);
  d.prevalence_interval = prevalence.interval(what, Spread::linear);
  d.mortality = mortality.values(what);
  d.mortality_interval = mortality.interval(what);
  d.remission = remission.values(what);
  d.remission_interval = remission.interval(what);
  d.disability_weight = weight.values(what);
  d.disability_weight_interval = weight.interval(what);
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a)
      if (d.mortality[s][a] > 0.0 && d.prevalence[s][a] <= 0.0)
        throw InputError({csv.source(), 0, 0}, "prevalence",
                         fmt::format("{} deaths at age {} ({}) need a positive prevalence", what, a,
                                     demography::sex_name(s)));
  return d;
}

void read_residual_causes(const YamlReader& rd, const YAML::Node& node, const fs::path& base,
                          HealthModel& m) {
  rd.require_map(node, "residual_causes");
  rd.check_keys(node, "'residual_causes'", {"rates", "groups"});
  const auto csv = CsvTable::read(rd.file(rd.required(node, "rates"), "rates", base));
  csv.require_columns({"sex", "age", "cause", "mortality"});
  std::map<std::string, AgeSchedule> schedules;
  std::vector<std::string> order;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const auto& cause = csv.text(r, "cause");
    if (!schedules.count(cause)) order.push_back(cause);
    schedules[cause].add(csv, r, "mortality", 0.0, 10.0);
  }
  for (const auto& name : order) {
    if (std::find_if(m.diseases.begin(), m.diseases.end(),
                     [&](const Disease& d) { return d.name == name; }) != m.diseases.end())
      throw InputError({csv.source(), 0, 0}, "cause",
                       fmt::format("'{}' is both a disease and a residual cause", name));
    ResidualCause c{name, {}, schedules[name].single_years(fmt::format("cause '{}'", name))};
    if (const auto groups = node["groups"]; groups && groups[name])
      c.groups = rd.text_list(groups[name], name);
    m.residual_causes.push_back(std::move(c));
  }
  if (const auto groups = node["groups"])
    for (const auto& entry : groups)
      if (!schedules.count(entry.first.as<std::string>()))
        rd.fail(entry.first, entry.first.as<std::string>(),
                fmt::format("no such cause in {}; causes there: {}", csv.source(),
                            fmt::join(order, ", ")));
}

// Reads `disease,sex,age,<key...>,rr[,lower,upper]` rows into rr[disease][key] schedules.
using RrSchedules = std::map<std::string, std::map<std::string, UncertainSchedule>>;

RrSchedules read_rr_rows(const HealthModel& m, const fs::path& path, const std::string& key,
                         double low = 0.01, double high = 1000.0) {
  const auto csv = CsvTable::read(path);
  if (key.empty())
    csv.require_columns({"disease", "sex", "age", "rr"});
  else
    csv.require_columns({"disease", "sex", "age", "rr", key});
  const auto columns = interval_columns(csv, "rr", "lower", "upper");
  RrSchedules out;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const auto& disease = csv.text(r, "disease");
    check_disease(m, disease, csv.location(r, "disease"), "disease");
    out[disease][key.empty() ? "" : csv.text(r, key)].add(csv, r, columns, low, high);
  }
  return out;
}

// The position of a category of `f`; throws InputError at `where` otherwise.
std::size_t category_of(const CategoricalFactor& f, const std::string& label,
                        const SourceLocation& where, const std::string& field) {
  const auto it = std::find(f.categories.begin(), f.categories.end(), label);
  if (it == f.categories.end())
    throw InputError(where, field,
                     fmt::format("'{}' is not a category of '{}'; categories: {}", label, f.name,
                                 fmt::join(f.categories, ", ")));
  return static_cast<std::size_t>(it - f.categories.begin());
}

// Base-year shares by sex, age and category (sex,age,category,share), summing to 1.
void read_shares(const fs::path& path, CategoricalFactor& f) {
  const std::size_t k = f.categories.size();
  const auto csv = CsvTable::read(path);
  csv.require_columns({"sex", "age", "category", "share"});
  std::vector<AgeSchedule> shares(k);
  for (std::size_t r = 0; r < csv.rows(); ++r)
    shares[category_of(f, csv.text(r, "category"), csv.location(r, "category"), "category")].add(
        csv, r, "share", 0.0, 1.0);
  std::vector<SexAgeArray> share_values;
  for (std::size_t c = 0; c < k; ++c)
    share_values.push_back(
        shares[c].single_years(fmt::format("'{}' share of {}", f.categories[c], f.name)));
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    f.shares[s].assign(N_AGES, std::vector<double>(k, 0.0));
    for (std::size_t a = 0; a < N_AGES; ++a) {
      double sum = 0.0;
      for (std::size_t c = 0; c < k; ++c) sum += f.shares[s][a][c] = share_values[c][s][a];
      if (std::abs(sum - 1.0) > 1e-6)
        throw InputError({csv.source(), 0, 0}, "share",
                         fmt::format("{} shares at age {} ({}) sum to {}, not 1", f.name, a,
                                     demography::sex_name(s), sum));
    }
  }
}

// Transition rates between categories (sex,age,from,to,rate), per year.
void read_transitions(const fs::path& path, CategoricalFactor& f) {
  const auto csv = CsvTable::read(path);
  csv.require_columns({"sex", "age", "from", "to", "rate"});
  std::map<std::pair<std::size_t, std::size_t>, AgeSchedule> rates;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const auto from = category_of(f, csv.text(r, "from"), csv.location(r, "from"), "from");
    const auto to = category_of(f, csv.text(r, "to"), csv.location(r, "to"), "to");
    if (from == to)
      throw InputError(csv.location(r, "to"), "to", "a transition needs two categories");
    rates[{from, to}].add(csv, r, "rate", 0.0, 100.0);
  }
  for (const auto& [pair, schedule] : rates)
    f.transitions.push_back(
        {pair.first, pair.second,
         schedule.single_years(fmt::format("{} transition {} -> {}", f.name,
                                           f.categories[pair.first], f.categories[pair.second]))});
}

// Relative risks by disease and category (a category without rows is the reference: rr = 1,
// interval [1, 1]).
void read_category_rrs(const HealthModel& m, const fs::path& path, CategoricalFactor& f) {
  const std::size_t k = f.categories.size();
  const auto to_table = [&](const std::vector<SexAgeArray>& values) {
    CategoricalFactor::CategoryTable table;
    for (std::size_t s = 0; s < N_SEXES; ++s) {
      table[s].assign(N_AGES, std::vector<double>(k, 1.0));
      for (std::size_t a = 0; a < N_AGES; ++a)
        for (std::size_t c = 0; c < k; ++c) table[s][a][c] = values[c][s][a];
    }
    return table;
  };
  for (auto& [disease, by_category] : read_rr_rows(m, path, "category")) {
    SexAgeArray ones;
    for (auto& ages : ones) ages.fill(1.0);
    std::vector<SexAgeArray> values(k, ones), lower(k, ones), upper(k, ones);
    bool has_interval = false;
    for (std::size_t c = 0; c < k; ++c) {
      const auto it = by_category.find(f.categories[c]);
      if (it == by_category.end()) continue;
      const auto what = fmt::format("{} rr of '{}' for {}", f.name, f.categories[c], disease);
      values[c] = it->second.values(what);
      if (const auto interval = it->second.interval(what)) {
        has_interval = true;
        lower[c] = interval->lower;
        upper[c] = interval->upper;
      }
    }
    for (const auto& [label, _] : by_category)
      category_of(f, label, {path.string(), 0, 0}, "category");
    f.relative_risk[disease] = to_table(values);
    if (has_interval) f.relative_risk_interval[disease] = {to_table(lower), to_table(upper)};
  }
}

CategoricalFactor read_categorical(const YamlReader& rd, const YAML::Node& node,
                                   const fs::path& base, const HealthModel& m) {
  rd.check_keys(node, "a categorical risk factor",
                {"name", "kind", "categories", "at_birth", "shares", "transitions",
                 "relative_risks", "source"});
  CategoricalFactor f;
  f.name = rd.name(rd.required(node, "name"), "name");
  f.categories = rd.text_list(rd.required(node, "categories"), "categories");
  if (f.categories.size() < 2)
    rd.fail(node["categories"], "categories", "needs at least two categories");
  const auto birth = rd.required(node, "at_birth");
  f.at_birth = category_of(f, rd.text(birth, "at_birth"), rd.at(birth), "at_birth");
  read_shares(rd.file(rd.required(node, "shares"), "shares", base), f);
  if (node["transitions"]) read_transitions(rd.file(node["transitions"], "transitions", base), f);
  read_category_rrs(m, rd.file(rd.required(node, "relative_risks"), "relative_risks", base), f);
  return f;
}

Family read_family(const YamlReader& rd, const YAML::Node& family) {
  const auto name = rd.text(family, "family");
  if (name == "normal") return Family::normal;
  if (name == "lognormal") return Family::lognormal;
  rd.fail(family, "family",
          fmt::format("'{}' is not a known distribution; use normal or lognormal", name));
}

// Log-linear relative risks per unit of exposure above a theoretical minimum
// (disease,sex,age,rr,per,tmrel and an optional interval).
void read_log_linear_rrs(const HealthModel& m, const fs::path& path, ContinuousFactor& f) {
  const auto table = CsvTable::read(path);
  table.require_columns({"disease", "sex", "age", "rr", "per", "tmrel"});
  for (auto& [disease, schedules] : read_rr_rows(m, path, "")) {
    ContinuousFactor::LogLinear ll;
    const auto what = fmt::format("{} rr for {}", f.name, disease);
    ll.rr = schedules[""].values(what);
    ll.rr_interval = schedules[""].interval(what);
    for (std::size_t r = 0; r < table.rows(); ++r)
      if (table.text(r, "disease") == disease) {
        ll.per = table.number(r, "per");
        ll.tmrel = table.number(r, "tmrel");
        if (ll.per <= 0.0) throw InputError(table.location(r, "per"), "per", "must be positive");
      }
    f.log_linear[disease] = ll;
  }
}

// Relative risks tabulated at exposure levels by age band (disease,age,exposure,rr and an
// optional interval).
void read_rr_curves(const HealthModel& m, const fs::path& path, ContinuousFactor& f) {
  const auto csv_curve = CsvTable::read(path);
  csv_curve.require_columns({"disease", "age", "exposure", "rr"});
  const auto columns = interval_columns(csv_curve, "rr", "lower", "upper");
  // rows: disease, age (start of the age band the curve applies from), exposure, rr and its
  // interval (rr, rr when the file has none)
  struct Point {
    double rr, lower, upper;
  };
  std::map<std::string, std::map<int, std::map<double, Point>>> rows;
  for (std::size_t r = 0; r < csv_curve.rows(); ++r) {
    const auto& disease = csv_curve.text(r, "disease");
    check_disease(m, disease, csv_curve.location(r, "disease"), "disease");
    const int age = csv_curve.integer(r, "age");
    if (age < 0 || age > AGE_MAX)
      throw InputError(csv_curve.location(r, "age"), "age",
                       fmt::format("{} is outside the ages 0..{}", age, AGE_MAX));
    const double x = csv_curve.number(r, "exposure");
    const double rr = csv_curve.number(r, "rr");
    if (x < 0.0 || rr <= 0.0)
      throw InputError(csv_curve.location(r, "rr"), "rr",
                       "exposures must be >= 0 and relative risks > 0");
    Point point{rr, rr, rr};
    if (columns.present) {
      point.lower = csv_curve.number(r, "lower");
      point.upper = csv_curve.number(r, "upper");
      if (point.lower <= 0.0)
        throw InputError(csv_curve.location(r, "lower"), "lower",
                         fmt::format("{} is not allowed; relative risks must be > 0", point.lower));
      check_interval(csv_curve, r, columns, rr, point.lower, point.upper);
    }
    rows[disease][age][x] = point;
  }
  for (auto& [disease, by_age] : rows) {
    ContinuousFactor::Curve curve;
    const auto& first = by_age.begin()->second;
    for (const auto& [x, _] : first) curve.exposure.push_back(x);
    for (const auto& [age, points] : by_age)
      if (points.size() != curve.exposure.size())
        throw InputError({csv_curve.source(), 0, 0}, "exposure",
                         fmt::format("the {} curve for ages {}+ has {} exposure levels; every "
                                     "age needs the same {}",
                                     disease, age, points.size(), curve.exposure.size()));
    if (columns.present) curve.rr_interval.emplace();
    for (int a = 0; a <= AGE_MAX; ++a) {
      // The curve of the latest age band starting at or below a (the first band below it).
      auto it = by_age.upper_bound(a);
      if (it != by_age.begin()) --it;
      for (const auto& [x, point] : it->second) {
        curve.rr[a].push_back(point.rr);
        if (!curve.rr_interval) continue;
        curve.rr_interval->lower[a].push_back(point.lower);
        curve.rr_interval->upper[a].push_back(point.upper);
      }
    }
    f.curves[disease] = std::move(curve);
  }
}

ContinuousFactor read_continuous(const YamlReader& rd, const YAML::Node& node, const fs::path& base,
                                 const HealthModel& m) {
  rd.check_keys(node, "a continuous risk factor",
                {"name", "kind", "unit", "family", "exposure", "relative_risks", "rr_curve",
                 "acts_through", "plausible", "source"});
  ContinuousFactor f;
  f.name = rd.name(rd.required(node, "name"), "name");
  if (node["unit"]) f.unit = rd.text(node["unit"], "unit");
  f.family = read_family(rd, rd.required(node, "family"));
  const auto csv = CsvTable::read(rd.file(rd.required(node, "exposure"), "exposure", base));
  csv.require_columns({"sex", "age", "mean", "sd"});
  AgeSchedule mean, sd;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    mean.add(csv, r, "mean", f.family == Family::lognormal ? 1e-9 : -BIG, BIG);
    sd.add(csv, r, "sd", 0.0, BIG);
  }
  f.mean = mean.single_years(fmt::format("{} exposure", f.name), Spread::linear);
  f.sd = sd.single_years(fmt::format("{} exposure", f.name), Spread::linear);
  if (node["relative_risks"])
    read_log_linear_rrs(m, rd.file(node["relative_risks"], "relative_risks", base), f);
  if (node["rr_curve"]) read_rr_curves(m, rd.file(node["rr_curve"], "rr_curve", base), f);
  if (const auto through = node["acts_through"]) {
    rd.require_map(through, "acts_through");
    rd.check_keys(through, "'acts_through'", {"factor", "per_unit", "lower", "upper"});
    f.acts_through =
        ContinuousFactor::ActsThrough{rd.name(rd.required(through, "factor"), "factor"),
                                      uncertain(rd, through, "per_unit", -BIG, BIG)};
  }
  if (const auto range = node["plausible"]) {
    if (!range.IsSequence() || range.size() != 2)
      rd.fail(range, "plausible", "needs two numbers [low, high], in the factor's unit");
    f.plausible = {rd.number(range[0], "plausible", -BIG, BIG),
                   rd.number(range[1], "plausible", -BIG, BIG)};
    if ((*f.plausible)[0] >= (*f.plausible)[1]) rd.fail(range, "plausible", "needs low < high");
  }
  if (f.acts_through && f.acts_through->factor == f.name)
    rd.fail(node["acts_through"], "factor", fmt::format("'{}' cannot act through itself", f.name));
  // A chain of mediation must end (salt -> sbp); a cycle is found by the factor closing it.
  std::string chain = f.name;
  for (auto next = f.acts_through ? f.acts_through->factor : std::string();
       !next.empty() && chain.size() < 10000;) {
    chain += " -> " + next;
    if (next == f.name)
      rd.fail(node["acts_through"], "factor",
              fmt::format("factors act through each other in a cycle: {}", chain));
    const ContinuousFactor* step = m.continuous_factor(next);
    next = step != nullptr && step->acts_through ? step->acts_through->factor : std::string();
  }
  if (f.log_linear.empty() && f.curves.empty() && !f.acts_through)
    rd.fail(node, f.name,
            "a continuous factor needs relative_risks, rr_curve or acts_through to matter");
  return f;
}

// Risk factor kinds, chosen by `kind:` in the file.
using FactorReader =
    std::function<void(const YamlReader&, const YAML::Node&, const fs::path&, HealthModel&)>;
const std::map<std::string, FactorReader>& factor_kinds() {
  static const std::map<std::string, FactorReader> kinds = {
      {"categorical",
       [](const YamlReader& rd, const YAML::Node& n, const fs::path& b, HealthModel& m) {
         m.categorical.push_back(read_categorical(rd, n, b, m));
       }},
      {"continuous", [](const YamlReader& rd, const YAML::Node& n, const fs::path& b,
                        HealthModel& m) { m.continuous.push_back(read_continuous(rd, n, b, m)); }},
  };
  return kinds;
}

Treatment read_treatment(const YamlReader& rd, const YAML::Node& node, const HealthModel& m) {
  rd.require_map(node, "treatments");
  rd.check_keys(
      node, "a treatment",
      {"name", "affected", "coverage", "coverage_lower", "coverage_upper", "effects", "source"});
  Treatment t;
  t.name = rd.name(rd.required(node, "name"), "name");
  const auto affected = rd.required(node, "affected");
  rd.require_map(affected, "affected");
  rd.check_keys(affected, "'affected'", {"factor", "above", "disease"});
  if (affected["disease"]) {
    t.affected_disease = rd.name(affected["disease"], "disease");
    check_disease(m, t.affected_disease, rd.at(affected["disease"]), "disease");
  } else {
    t.affected_factor = rd.name(rd.required(affected, "factor"), "factor");
    if (!m.continuous_factor(t.affected_factor))
      rd.fail(affected["factor"], "factor",
              fmt::format("'{}' is not a continuous risk factor defined above", t.affected_factor));
    t.threshold = rd.number(rd.required(affected, "above"), "above", -BIG, BIG);
  }
  t.coverage = uncertain(rd, node, "coverage", 0.0, 1.0, true);
  const auto effects = rd.required(node, "effects");
  if (!effects.IsSequence()) rd.fail(effects, "effects", "expected a list of {disease, rr}");
  for (const auto& e : effects) {
    rd.require_map(e, "effects");
    rd.check_keys(e, "an effect", {"disease", "rr", "lower", "upper", "source"});
    const auto disease = rd.name(rd.required(e, "disease"), "disease");
    check_disease(m, disease, rd.at(e["disease"]), "disease");
    t.effects[disease] = uncertain(rd, e, "rr", 0.01, 2.0);
  }
  return t;
}

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError({path.string(), 0, 0}, "",
                     fs::exists(path) ? "cannot read the file" : "health model file not found");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

std::size_t HealthModel::disease_index(const std::string& name) const {
  for (std::size_t d = 0; d < diseases.size(); ++d)
    if (diseases[d].name == name) return d;
  throw Error(fmt::format("no disease '{}' in the health model", name));
}

const ContinuousFactor* HealthModel::continuous_factor(const std::string& name) const {
  for (const auto& f : continuous)
    if (f.name == name) return &f;
  return nullptr;
}

std::size_t HealthModel::continuous_index(const std::string& name) const {
  for (std::size_t j = 0; j < continuous.size(); ++j)
    if (continuous[j].name == name) return j;
  throw Error(fmt::format("no continuous factor '{}'", name));
}

namespace {

Interaction read_interaction(const YamlReader& rd, const YAML::Node& node, const fs::path& base,
                             const HealthModel& m) {
  rd.require_map(node, "interactions");
  rd.check_keys(node, "an interaction", {"from", "to", "rr", "lower", "upper", "by_age", "source"});
  Interaction i{rd.name(rd.required(node, "from"), "from"),
                rd.name(rd.required(node, "to"), "to"),
                uncertain(rd, node, "rr", 0.01, 100),
                {}};
  check_disease(m, i.from, rd.at(node["from"]), "from");
  check_disease(m, i.to, rd.at(node["to"]), "to");
  if (i.from == i.to)
    rd.fail(node["to"], "to", fmt::format("'{}' cannot interact with itself", i.from));
  for (const auto& other : m.interactions)
    if (other.from == i.from && other.to == i.to)
      rd.fail(node, "from", fmt::format("the interaction {} -> {} is given twice", i.from, i.to));
  if (node["by_age"]) {
    const auto csv = CsvTable::read(rd.file(node["by_age"], "by_age", base));
    csv.require_columns({"sex", "age", "rr"});
    const auto columns = interval_columns(csv, "rr", "lower", "upper");
    UncertainSchedule schedule;
    for (std::size_t r = 0; r < csv.rows(); ++r) schedule.add(csv, r, columns, 0.01, 100.0);
    const auto what = fmt::format("interaction {} -> {}", i.from, i.to);
    i.rr_by_age = schedule.values(what);
    i.rr_by_age_interval = schedule.interval(what);
  }
  return i;
}

// The items of a list under `key`, each read by `read` (nothing when the key is absent).
template <class Read>
void for_each_item(const YamlReader& rd, const YAML::Node& root, const std::string& key,
                   Read read) {
  const auto list = root[key];
  if (!list) return;
  if (!list.IsSequence()) rd.fail(list, key, "expected a list");
  for (const auto& node : list) read(node);
}

void read_risk_factors(const YamlReader& rd, const YAML::Node& root, const fs::path& base,
                       HealthModel& m) {
  for_each_item(rd, root, "risk_factors", [&](const YAML::Node& node) {
    rd.require_map(node, "risk_factors");
    const auto kind_node = rd.required(node, "kind");
    const auto kind = rd.text(kind_node, "kind");
    const auto& kinds = factor_kinds();
    const auto it = kinds.find(kind);
    if (it == kinds.end()) {
      std::vector<std::string> names;
      for (const auto& [n, _] : kinds) names.push_back(n);
      rd.fail(kind_node, "kind",
              fmt::format("unknown risk factor kind '{}'; available: {}", kind,
                          fmt::join(names, ", ")));
    }
    it->second(rd, node, base, m);
  });
  for (const auto& f : m.continuous) {
    if (f.acts_through && !m.continuous_factor(f.acts_through->factor))
      throw InputError({m.path.string(), 0, 0}, "acts_through",
                       fmt::format("'{}' acts through '{}', which is not a continuous factor",
                                   f.name, f.acts_through->factor));
  }
}

// Remaining life expectancy at exact ages, linear in between and held beyond the last age.
AgeArray read_standard_life_table(const fs::path& path) {
  const auto csv = CsvTable::read(path);
  csv.require_columns({"age", "ex"});
  std::vector<std::pair<int, double>> points;
  for (std::size_t r = 0; r < csv.rows(); ++r)
    points.emplace_back(csv.integer(r, "age"), csv.number(r, "ex"));
  std::sort(points.begin(), points.end());
  if (points.empty() || points.front().first != 0)
    throw InputError({csv.source(), 0, 0}, "age", "the standard life table must start at 0");
  AgeArray e{};
  for (int a = 0; a <= AGE_MAX; ++a) {
    auto hi = std::lower_bound(points.begin(), points.end(), std::make_pair(a, -1.0));
    if (hi == points.end()) {
      e[a] = points.back().second;
    } else if (hi->first == a || hi == points.begin()) {
      e[a] = hi->second;
    } else {
      const auto lo = std::prev(hi);
      const double w = double(a - lo->first) / double(hi->first - lo->first);
      e[a] = (1 - w) * lo->second + w * hi->second;
    }
  }
  return e;
}

std::vector<HealthModel::StandardPopulation> read_standard_populations(const fs::path& path) {
  const auto csv = CsvTable::read(path);
  csv.require_columns({"age"});
  std::vector<HealthModel::StandardPopulation> out;
  for (const auto& column : csv.columns()) {
    if (column == "age") continue;
    HealthModel::StandardPopulation p{column, {}, {}};
    for (std::size_t r = 0; r < csv.rows(); ++r) {
      p.ages.push_back(csv.integer(r, "age"));
      p.weights.push_back(csv.number(r, column));
      if (p.weights.back() < 0.0)
        throw InputError(csv.location(r, column), column, "weights must be >= 0");
      if (p.ages.back() != 5 * static_cast<int>(r))
        throw InputError(csv.location(r, "age"), "age",
                         "standard populations need five-year groups 0, 5, 10, ...");
    }
    out.push_back(std::move(p));
  }
  return out;
}

// Maternal risk, other-cause disability and the standards of YLL and age standardisation.
void read_population_inputs(const YamlReader& rd, const YAML::Node& root, const fs::path& base,
                            HealthModel& m) {
  if (const auto node = root["maternal_mortality"]) {
    rd.require_map(node, "maternal_mortality");
    rd.check_keys(node, "'maternal_mortality'",
                  {"risk_per_birth", "lower", "upper", "annual_change", "annual_change_lower",
                   "annual_change_upper", "source"});
    m.maternal_risk_per_birth = uncertain(rd, node, "risk_per_birth", 0.0, 0.1);
    if (node["annual_change"])
      m.maternal_annual_change = uncertain(rd, node, "annual_change", -0.5, 0.5, true);
  }
  if (const auto node = root["other_causes"]) {
    rd.require_map(node, "other_causes");
    rd.check_keys(node, "'other_causes'", {"lower", "upper", "source"});
    auto& u = m.other_causes_scale;
    if (node["lower"]) u.lower = rd.number(node["lower"], "lower", 0.0, 1.0);
    if (node["upper"]) u.upper = rd.number(node["upper"], "upper", 1.0, 10.0);
  }
  if (root["other_disability"]) {
    const auto csv = CsvTable::read(rd.file(root["other_disability"], "other_disability", base));
    csv.require_columns({"sex", "age", "disability"});
    AgeSchedule schedule;
    for (std::size_t r = 0; r < csv.rows(); ++r) schedule.add(csv, r, "disability", 0.0, 1.0);
    m.other_disability = schedule.single_years("other-cause disability", Spread::linear);
  }
  if (root["standard_life_table"])
    m.standard_life_expectancy =
        read_standard_life_table(rd.file(root["standard_life_table"], "standard_life_table", base));
  if (root["standard_populations"])
    m.standard_populations = read_standard_populations(
        rd.file(root["standard_populations"], "standard_populations", base));
}

}  // namespace

HealthModel load_health_model(const fs::path& path) {
  const YamlReader rd(path.string());
  const YAML::Node root = rd.parse(read_text_file(path));
  if (!root.IsMap())
    throw InputError({path.string(), 1, 1}, "", "a health model file is a YAML mapping");
  rd.check_keys(root, "the health model",
                {"base_period", "diseases", "residual_causes", "interactions", "risk_factors",
                 "treatments", "maternal_mortality", "other_causes", "other_disability",
                 "standard_life_table", "standard_populations", "sources"});
  const fs::path base = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  HealthModel m;
  m.path = path;
  const auto diseases = rd.required(root, "diseases");
  if (!diseases.IsSequence()) rd.fail(diseases, "diseases", "expected a list of diseases");
  std::set<std::string> seen;
  for (const auto& node : diseases) {
    m.diseases.push_back(read_disease(rd, node, base));
    if (!seen.insert(m.diseases.back().name).second)
      rd.fail(node, "name", fmt::format("disease '{}' is defined twice", m.diseases.back().name));
  }
  if (root["residual_causes"]) read_residual_causes(rd, root["residual_causes"], base, m);
  for_each_item(rd, root, "interactions", [&](const YAML::Node& node) {
    m.interactions.push_back(read_interaction(rd, node, base, m));
  });
  read_risk_factors(rd, root, base, m);
  for_each_item(rd, root, "treatments", [&](const YAML::Node& node) {
    m.treatments.push_back(read_treatment(rd, node, m));
  });
  read_population_inputs(rd, root, base, m);
  return m;
}

}  // namespace healthcast::health
