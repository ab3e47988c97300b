#include "healthcast/scenario/scenario.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "healthcast/demography/ages.h"
#include "healthcast/input/schema.h"
#include "healthcast/input/yaml.h"
#include "healthcast/names.h"
#include "healthcast/results/catalogue.h"

namespace healthcast::scenario {

namespace {

namespace fs = std::filesystem;
using input::YamlReader;

// Which keys exist, their types, ranges and allowed values are the schema's business
// (scenarios/schema, checked first in parse_layer); the reader below takes the structure as
// given and checks what a schema cannot: files, names known to the model, and consistency
// across keys and across the files of an extends chain.

// Periods in scenario files lie within the years a scenario may span (the schema's period).
std::pair<int, int> period(const YamlReader& rd, const YAML::Node& node, const std::string& field) {
  return rd.period(node, field, FIRST_YEAR, LAST_YEAR);
}
// Keys that belong to one mortality method only; any other method rejects them.
const std::vector<std::string> LEE_CARTER_FAMILY = {"lee_carter", "lee_miller", "bms", "li_lee"};
const std::vector<std::pair<std::string, std::vector<std::string>>> METHOD_KEYS = {
    {"jump_off", {"improvement"}},
    {"improvement_from", {"improvement"}},
    {"fit_period", LEE_CARTER_FAMILY},
    {"rotate_bx", LEE_CARTER_FAMILY},
    {"uncertainty", LEE_CARTER_FAMILY}};

// A true/false value (the schema checked that it is a boolean).
bool boolean(const YAML::Node& node) { return node.as<bool>(); }

MortalitySpec read_mortality(const YamlReader& rd, const YAML::Node& node, const fs::path& base) {
  rd.require_map(node, "mortality");
  MortalitySpec spec;
  spec.where = rd.at(node);
  spec.method = rd.text(rd.required(node, "method"), "method");
  spec.rates = rd.file(rd.required(node, "rates"), "rates", base);
  for (const auto& [key, owners] : METHOD_KEYS)
    if (node[key] && std::find(owners.begin(), owners.end(), spec.method) == owners.end())
      rd.fail(node[key], key,
              fmt::format("only used by method{} '{}', not '{}'", owners.size() > 1 ? "s" : "",
                          fmt::join(owners, ", "), spec.method));
  if (spec.method == "improvement") {
    std::tie(spec.jump_off_from, spec.jump_off_to) =
        period(rd, rd.required(node, "jump_off"), "jump_off");
    std::tie(spec.improvement_from, spec.improvement_to) =
        period(rd, rd.required(node, "improvement_from"), "improvement_from");
    if (spec.improvement_to >= spec.jump_off_from)
      rd.fail(node["improvement_from"], "improvement_from",
              fmt::format("must end before the jump-off period starts ({})", spec.jump_off_from));
  } else if (std::find(LEE_CARTER_FAMILY.begin(), LEE_CARTER_FAMILY.end(), spec.method) !=
             LEE_CARTER_FAMILY.end()) {
    if (node["fit_period"])
      std::tie(spec.fit_from, spec.fit_to) = period(rd, node["fit_period"], "fit_period");
    if (node["rotate_bx"]) spec.rotate_bx = boolean(node["rotate_bx"]);
    if (node["infant_mortality"])
      spec.infant_mortality = rd.number(node["infant_mortality"], "infant_mortality", 0.01, 500.0);
    if (const auto u = node["uncertainty"]) {
      rd.require_map(u, "uncertainty");
      for (const auto& [key, flag] : {std::pair{"parameters", &spec.uncertainty.parameters},
                                      std::pair{"structural", &spec.uncertainty.structural},
                                      std::pair{"jump_off", &spec.uncertainty.jump_off}})
        if (u[key]) *flag = boolean(u[key]);
    }
  }
  return spec;
}

// Reads an `inputs` block over `defaults`; keys it omits keep their default.
InputFiles read_inputs(const YamlReader& rd, const YAML::Node& node, const fs::path& base,
                       InputFiles defaults) {
  rd.require_map(node, "inputs");
  InputFiles in = std::move(defaults);
  if (node["population"]) in.population = rd.file(node["population"], "population", base);
  if (const auto f = node["fertility"]) {
    // A file of rates, or {rates: file, uncertainty: file of TFR intervals}.
    if (f.IsMap()) {
      in.fertility = rd.file(rd.required(f, "rates"), "rates", base);
      in.fertility_uncertainty =
          f["uncertainty"] ? rd.file(f["uncertainty"], "uncertainty", base) : fs::path();
    } else {
      in.fertility = rd.file(f, "fertility", base);
      in.fertility_uncertainty.clear();
    }
  }
  if (node["sex_ratio_at_birth"])
    in.sex_ratio_at_birth = rd.file(node["sex_ratio_at_birth"], "sex_ratio_at_birth", base);
  if (node["net_migration"])
    in.net_migration = rd.file(node["net_migration"], "net_migration", base);
  if (node["mortality"]) in.mortality = read_mortality(rd, node["mortality"], base);
  if (const auto h = node["health"]) {
    // A health-model file, or {model: file, case_fatality_share: w}.
    if (h.IsMap()) {
      in.health = rd.file(rd.required(h, "model"), "model", base);
      in.case_fatality_share.reset();
      if (h["case_fatality_share"])
        in.case_fatality_share =
            rd.number(h["case_fatality_share"], "case_fatality_share", 0.0, 1.0);
    } else {
      in.health = rd.file(h, "health", base);
      in.case_fatality_share.reset();
    }
  }
  if (node["units"]) in.units = rd.folder(node["units"], "units", base);
  if (node["official"]) in.official = rd.file(node["official"], "official", base);
  return in;
}

// `over`'s keys where given, `under`'s elsewhere.
InputFiles merge_inputs(InputFiles under, const InputFiles& over) {
  if (!over.population.empty()) under.population = over.population;
  if (!over.fertility.empty()) {
    under.fertility = over.fertility;
    under.fertility_uncertainty = over.fertility_uncertainty;
  }
  if (!over.sex_ratio_at_birth.empty()) under.sex_ratio_at_birth = over.sex_ratio_at_birth;
  if (!over.net_migration.empty()) under.net_migration = over.net_migration;
  if (!over.mortality.method.empty()) under.mortality = over.mortality;
  if (!over.health.empty()) {
    under.health = over.health;
    under.case_fatality_share = over.case_fatality_share;
  }
  if (!over.units.empty()) under.units = over.units;
  if (!over.official.empty()) under.official = over.official;
  return under;
}

void check_complete(const SourceLocation& where, const RegionSpec& region) {
  const auto& in = region.inputs;
  const std::vector<std::pair<std::string, bool>> present = {
      {"population", !in.population.empty()},
      {"fertility", !in.fertility.empty()},
      {"sex_ratio_at_birth", !in.sex_ratio_at_birth.empty()},
      {"net_migration", !in.net_migration.empty()},
      {"mortality", !in.mortality.method.empty()}};
  for (const auto& [key, ok] : present)
    if (!ok)
      throw InputError(where, key,
                       fmt::format("region '{}' has no '{}' input: give it under the scenario's "
                                   "'inputs' or the region's own 'inputs'",
                                   region.name, key));
  if (!region.unit.empty() && in.units.empty())
    throw InputError(where, "unit",
                     fmt::format("region '{}' is a census unit but the scenario has no 'units' "
                                 "input: add `units: <path to data/china/units>` to 'inputs'",
                                 region.name));
}

Intervention read_intervention(const YamlReader& rd, const YAML::Node& node, int index) {
  rd.require_map(node, fmt::format("interventions[{}]", index));
  Intervention iv;
  iv.where = rd.at(node);
  iv.name = rd.name(rd.required(node, "name"), "name");
  if (node["title"]) iv.title = rd.text(node["title"], "title");
  if (node["title_zh"]) iv.title_zh = rd.text(node["title_zh"], "title_zh");
  const auto kind = rd.required(node, "kind");
  const auto k = find_name(intervention_kind_names(), rd.text(kind, "kind"));
  if (!k)
    rd.fail(kind, "kind",
            unknown_name(kind.Scalar(), "an intervention kind", "available",
                         intervention_kind_names()));
  iv.kind = static_cast<InterventionKind>(*k);
  iv.ramp.start = rd.integer(rd.required(node, "start"), "start");
  iv.ramp.full = rd.integer(rd.required(node, "full"), "full");
  const auto text = [&](const char* key, std::string& out) {
    if (node[key]) out = rd.text(node[key], key);
  };
  text("factor", iv.factor);
  text("category", iv.category);
  text("to", iv.to);
  text("from", iv.from);
  text("treatment", iv.treatment);
  if (node["diseases"]) iv.diseases = rd.text_list(node["diseases"], "diseases");
  if (node["causes"]) iv.causes = rd.text_list(node["causes"], "causes");
  if (node["sexes"]) iv.sexes = rd.text_list(node["sexes"], "sexes");
  if (const auto ages = node["ages"]) {
    iv.age_from = rd.integer(ages[0], "ages");
    iv.age_to = rd.integer(ages[1], "ages", iv.age_from, demography::AGE_MAX);
  }
  const auto number = [&](const char* key, std::optional<double>& out) {
    if (node[key]) out = rd.number(node[key], key);
  };
  number("scale", iv.scale);
  number("shift", iv.shift);
  number("reach", iv.reach);
  number("multiply", iv.multiply);
  number("reach_tfr", iv.reach_tfr);
  return iv;
}

// Decimals of a number as written ("82.09": 2, "20": 0, "-0.2": 1).
int decimals_of(const std::string& text) {
  const auto dot = text.find('.');
  if (dot == std::string::npos) return 0;
  const auto end = text.find_first_of("eE", dot);
  return static_cast<int>((end == std::string::npos ? text.size() : end) - dot - 1);
}

Target read_target(const YamlReader& rd, const YAML::Node& node, int index) {
  rd.require_map(node, fmt::format("targets[{}]", index));
  Target t;
  t.where = rd.at(node);
  t.indicator = rd.name(rd.required(node, "indicator"), "indicator");
  t.year = rd.integer(rd.required(node, "year"), "year");
  t.comparator = parse_comparator(rd.text(rd.required(node, "comparator"), "comparator"));
  if (node["value"]) {
    t.value = rd.number(node["value"], "value");
    t.decimals = decimals_of(node["value"].Scalar());
  }
  if (node["lever"]) t.lever = rd.name(node["lever"], "lever");
  if (node["lever_complement"]) t.lever_complement = boolean(node["lever_complement"]);
  if (node["proxy"]) t.proxy = rd.text(node["proxy"], "proxy");
  if (node["unit"]) t.unit = rd.text(node["unit"], "unit");
  if (node["sex"]) t.sex = rd.text(node["sex"], "sex");
  if (node["base_year"])
    t.base_year = rd.integer(node["base_year"], "base_year", FIRST_YEAR, t.year);
  if (node["reference"]) t.reference = rd.text(node["reference"], "reference");
  if (t.comparator == Comparator::better_than && t.reference != "national" && !t.value)
    rd.fail(node, "reference",
            "comparator 'better_than' needs 'reference: national' or a 'value' to beat");
  if (const auto anchor = node["anchor"])
    t.anchor = std::make_pair(rd.integer(rd.required(anchor, "year"), "year"),
                              rd.number(rd.required(anchor, "value"), "value"));
  if (node["text_zh"]) t.text_zh = rd.text(node["text_zh"], "text_zh");
  if (node["text_en"]) t.text_en = rd.text(node["text_en"], "text_en");
  return t;
}

Monitored read_monitored(const YamlReader& rd, const YAML::Node& node, int index,
                         const fs::path& base) {
  rd.require_map(node, fmt::format("monitored[{}]", index));
  Monitored m;
  m.where = rd.at(node);
  m.indicator = rd.name(rd.required(node, "indicator"), "indicator");
  if (node["unit"]) m.unit = rd.text(node["unit"], "unit");
  if (node["history"]) m.history = rd.file(node["history"], "history", base);
  if (node["trend"]) m.trend = rd.text(node["trend"], "trend");
  if (const auto bounds = node["bounds"]) {
    m.bounds = std::make_pair(rd.number(bounds[0], "bounds"), rd.number(bounds[1], "bounds"));
    if (m.bounds->second <= m.bounds->first)
      rd.fail(bounds, "bounds", "the upper bound must exceed the lower one");
  }
  return m;
}

template <class T, class Read>
std::vector<T> read_list(const YAML::Node& node, Read read) {
  std::vector<T> out;
  if (!node) return out;
  int index = 0;
  for (const auto& item : node) out.push_back(read(item, index++));
  return out;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(
        {path.string(), 0, 0}, "",
        fs::exists(path) ? "cannot read the scenario file" : "scenario file not found");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Scenario parse_layer(std::string text, const fs::path& path, std::vector<fs::path> chain);

// Longest extends chain: a real plan extends one or two files; without a limit a chain of
// thousands used gigabytes and overflowed the stack.
constexpr std::size_t MAX_EXTENDS_DEPTH = 32;

// The scenario that `extends` names, parsed; refuses a file already in the chain (a cycle).
Scenario parse_extended(const YamlReader& rd, const YAML::Node& extends, const fs::path& base,
                        const std::vector<fs::path>& chain) {
  if (chain.size() >= MAX_EXTENDS_DEPTH)
    rd.fail(extends, "extends",
            fmt::format("the chain of extended files is longer than {} files (starting at {})",
                        MAX_EXTENDS_DEPTH, chain.front().filename().string()));
  const fs::path parent = rd.file(extends, "extends", base);
  const fs::path canonical = fs::weakly_canonical(parent);
  if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
    std::string cycle;
    for (const auto& p : chain) cycle += p.filename().string() + " -> ";
    rd.fail(extends, "extends",
            fmt::format("extending '{}' makes a cycle: {}{}", extends.Scalar(), cycle,
                        parent.filename().string()));
  }
  Scenario sc = parse_layer(read_text(parent), parent, chain);
  // The file extended by no other is the chain's root, a scenario of its own.
  if (!sc.root) sc.root = std::make_shared<const Scenario>(sc);
  sc.extends.insert(sc.extends.begin(), parent);
  return sc;
}

// Name, titles, years and scale: this file's keys over the extended file's.
void read_header(const YamlReader& rd, const YAML::Node& root, Scenario& sc) {
  sc.name = rd.name(rd.required(root, "name"), "name");
  if (root["title"]) sc.title = rd.text(root["title"], "title");
  if (root["title_zh"]) sc.title_zh = rd.text(root["title_zh"], "title_zh");
  if (root["description"]) sc.description = rd.text(root["description"], "description");
  if (root["base_year"]) sc.base_year = rd.integer(root["base_year"], "base_year");
  // The extended file's base year may be later than this file's horizon: not a schema rule.
  if (root["horizon"])
    sc.horizon =
        rd.integer(root["horizon"], "horizon", std::max(sc.base_year, FIRST_YEAR), LAST_YEAR);
  if (root["population_scale"])
    sc.population_scale = rd.number(root["population_scale"], "population_scale");
}

// A unit's official figures (`official: {e0: {year, female, male, sd}, tfr: {year, value},
// net_migration: {year, value}}`); ranges are the schema's.
places::OfficialFigures read_official(const YamlReader& rd, const YAML::Node& node) {
  places::OfficialFigures f;
  if (const auto e0 = node["e0"]) {
    places::OfficialFigures::LifeExpectancy v;
    v.year = rd.integer(rd.required(e0, "year"), "year");
    v.female = rd.number(rd.required(e0, "female"), "female");
    v.male = rd.number(rd.required(e0, "male"), "male");
    if (e0["sd"]) v.sd = rd.number(e0["sd"], "sd");
    f.e0 = v;
  }
  const auto value = [&](const char* key) -> std::optional<places::OfficialFigures::Value> {
    const auto n = node[key];
    if (!n) return std::nullopt;
    return places::OfficialFigures::Value{rd.integer(rd.required(n, "year"), "year"),
                                          rd.number(rd.required(n, "value"), "value")};
  };
  f.tfr = value("tfr");
  f.net_migration = value("net_migration");
  return f;
}

// The regions, each with its own inputs over the scenario's.
std::vector<RegionSpec> read_regions(const YamlReader& rd, const YAML::Node& regions,
                                     const fs::path& base) {
  std::vector<RegionSpec> list;
  std::set<std::string> seen;
  for (const auto& node : regions) {
    RegionSpec region;
    region.where = rd.at(node);
    if (node.IsScalar()) {
      region.name = rd.name(node, "regions");
    } else {
      region.name = rd.name(rd.required(node, "name"), "name");
      if (node["inputs"]) region.own = read_inputs(rd, node["inputs"], base, {});
      if (const auto unit = node["unit"])
        region.unit = unit.IsSequence() ? rd.text_list(unit, "unit")
                                        : std::vector<std::string>{rd.text(unit, "unit")};
      if (node["official"]) {
        if (region.unit.empty())
          rd.fail(node["official"], "official",
                  "official figures recalibrate a census unit; give the region a 'unit'");
        region.official = read_official(rd, node["official"]);
      }
    }
    if (!seen.insert(region.name).second)
      rd.fail(node, "name", fmt::format("region '{}' is listed twice", region.name));
    list.push_back(std::move(region));
  }
  return list;
}

// One file of an `extends` chain, merged over what it extends. `chain` holds the files being
// read, to detect cycles.
Scenario parse_layer(std::string text, const fs::path& path, std::vector<fs::path> chain) {
  const YamlReader rd(path.string());
  const YAML::Node root = rd.parse(text);
  // Keys, types, ranges, allowed values and the format version: scenarios/schema.
  input::check_scenario_schema(root, rd);
  const fs::path base = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  chain.push_back(fs::weakly_canonical(path));
  Scenario sc = root["extends"] ? parse_extended(rd, root["extends"], base, chain) : Scenario();
  sc.format_version = rd.integer(rd.required(root, "healthcast"), "healthcast");
  sc.path = path;
  sc.text = std::move(text);
  read_header(rd, root, sc);
  if (root["inputs"]) sc.inputs = read_inputs(rd, root["inputs"], base, sc.inputs);
  if (root["regions"]) sc.regions = read_regions(rd, root["regions"], base);
  for (auto& region : sc.regions) region.inputs = merge_inputs(sc.inputs, region.own);
  for (auto& iv : read_list<Intervention>(root["interventions"], [&](const YAML::Node&n, int i) {
         return read_intervention(rd, n, i);
       })) {
    for (const auto& other : sc.interventions)
      if (other.name == iv.name)
        throw InputError(iv.where, "name",
                         fmt::format("intervention '{}' is defined twice", iv.name));
    sc.interventions.push_back(std::move(iv));
  }
  for (auto& t : read_list<Target>(
           root["targets"], [&](const YAML::Node&n, int i) { return read_target(rd, n, i); }))
    sc.targets.push_back(std::move(t));
  for (auto& m : read_list<Monitored>(root["monitored"], [&](const YAML::Node&n, int i) {
         return read_monitored(rd, n, i, base);
       }))
    sc.monitored.push_back(std::move(m));
  return sc;
}

constexpr std::array<std::string_view, 9> COMPARATOR_TEXT = {
    ">=", ">", "<=", "<", "relative_change", "better_than", "decrease", "increase", "natural"};

}  // namespace

std::string_view to_string(Comparator comparator) {
  return COMPARATOR_TEXT[static_cast<std::size_t>(comparator)];
}

Comparator parse_comparator(std::string_view text) {
  for (std::size_t i = 0; i < COMPARATOR_TEXT.size(); ++i)
    if (COMPARATOR_TEXT[i] == text) return static_cast<Comparator>(i);
  throw Error(fmt::format("'{}' is not a comparator", text));
}

bool is_level(Comparator c) {
  return c == Comparator::at_least || c == Comparator::more_than || c == Comparator::at_most ||
         c == Comparator::less_than;
}

const std::vector<std::string>& intervention_kind_names() {
  static const std::vector<std::string> names = {
      "risk_factor_prevalence", "risk_factor_mean", "transition_rate",
      "treatment_coverage",     "incidence",        "case_fatality",
      "other_mortality",        "fertility",        "migration",
      "maternal_mortality"};
  return names;
}

std::string_view to_string(InterventionKind kind) {
  return intervention_kind_names().at(static_cast<std::size_t>(kind));
}

double Ramp::weight(int year) const {
  if (year < start) return 0.0;
  if (year >= full) return 1.0;
  return static_cast<double>(year - start + 1) / static_cast<double>(full - start + 1);
}

Scenario load_scenario(const fs::path& path) { return parse_scenario(read_text(path), path); }

Scenario matching_reference(const Scenario& plan) {
  Scenario ref = plan.root ? *plan.root : plan;
  ref.regions = plan.regions;
  ref.base_year = plan.base_year;
  ref.horizon = plan.horizon;
  ref.population_scale = plan.population_scale;
  ref.interventions.clear();
  ref.targets.clear();
  ref.monitored.clear();
  return ref;
}

Scenario parse_scenario(std::string text, const fs::path& path) {
  Scenario sc = parse_layer(std::move(text), path, {});
  const SourceLocation file{path.string(), 1, 1};
  if (sc.base_year == 0)
    throw InputError(file, "base_year",
                     "required key 'base_year' is missing (here or in the "
                     "file it extends)");
  if (sc.horizon == 0)
    throw InputError(file, "horizon",
                     "required key 'horizon' is missing (here or in the file "
                     "it extends)");
  if (sc.horizon < sc.base_year)
    throw InputError(file, "horizon",
                     fmt::format("{} is before the base year {}", sc.horizon, sc.base_year));
  if (sc.regions.empty())
    throw InputError(file, "regions",
                     "required key 'regions' is missing (here or in the file "
                     "it extends)");
  for (const auto& region : sc.regions) check_complete(region.where, region);
  for (const auto& t : sc.targets) {
    const bool modelled = results::find_indicator(t.indicator) != nullptr;
    const bool monitored =
        std::any_of(sc.monitored.begin(), sc.monitored.end(),
                    [&](const Monitored& m) { return m.indicator == t.indicator; });
    if (!modelled && !monitored)
      throw InputError(t.where, "indicator",
                       fmt::format("unknown indicator '{}': not modelled and not monitored. "
                                   "Modelled indicators: {}; any other indicator needs a "
                                   "'monitored' entry with its history",
                                   t.indicator, fmt::join(results::indicator_ids(), ", ")));
    if (!t.lever.empty() &&
        std::none_of(sc.interventions.begin(), sc.interventions.end(),
                     [&](const Intervention& iv) { return iv.name == t.lever; }))
      throw InputError(t.where, "lever",
                       fmt::format("'{}' is not an intervention of the scenario", t.lever));
  }
  for (const auto& iv : sc.interventions)
    if (iv.ramp.start > sc.horizon)
      throw InputError(iv.where, "start",
                       fmt::format("intervention '{}' starts in {}, after the horizon {}", iv.name,
                                   iv.ramp.start, sc.horizon));
  return sc;
}

}  // namespace healthcast::scenario
