#include "healthcast/scenario/scenario.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "healthcast/input/schema.h"
#include "healthcast/input/yaml.h"
#include "healthcast/scenario/targets.h"
#include "healthcast/version.h"

namespace healthcast::scenario {

namespace {

namespace fs = std::filesystem;
using input::YamlReader;

// Periods in scenario files lie within the years a scenario may span.
std::pair<int, int> period(const YamlReader& rd, const YAML::Node& node, const std::string& field) {
  return rd.period(node, field, FIRST_YEAR, LAST_YEAR);
}

// Which keys exist, their types and ranges are the schema's business (scenarios/schema,
// checked first in parse_layer); the reader below takes the structure as given and checks
// what a schema cannot: files, names known to the model, and consistency across keys.
// Keys that belong to one mortality method only; any other method rejects them.
const std::vector<std::string> LEE_CARTER_FAMILY = {"lee_carter", "lee_miller", "bms", "li_lee"};
const std::vector<std::pair<std::string, std::vector<std::string>>> METHOD_KEYS = {
    {"jump_off", {"improvement"}},
    {"improvement_from", {"improvement"}},
    {"fit_period", LEE_CARTER_FAMILY},
    {"rotate_bx", LEE_CARTER_FAMILY},
    {"uncertainty", LEE_CARTER_FAMILY}};
const std::vector<std::string> COMPARATORS = {
    ">=", "<=", ">", "<", "relative_change", "better_than", "decrease", "increase", "natural"};

bool boolean(const YamlReader& rd, const YAML::Node& node, const std::string& field) {
  const auto flag = rd.text(node, field);
  if (flag != "true" && flag != "false") rd.fail(node, field, "expected true or false");
  return flag == "true";
}

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
    if (node["rotate_bx"]) spec.rotate_bx = boolean(rd, node["rotate_bx"], "rotate_bx");
    if (const auto u = node["uncertainty"]) {
      rd.require_map(u, "uncertainty");
      for (const auto& [key, flag] : {std::pair{"parameters", &spec.uncertainty.parameters},
                                      std::pair{"structural", &spec.uncertainty.structural},
                                      std::pair{"jump_off", &spec.uncertainty.jump_off}})
        if (u[key]) *flag = boolean(rd, u[key], key);
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
  if (node["health"]) in.health = rd.file(node["health"], "health", base);
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
  if (!over.health.empty()) under.health = over.health;
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
}

std::vector<std::string> sex_list(const YamlReader& rd, const YAML::Node& node) {
  auto sexes = rd.text_list(node, "sexes");
  for (const auto& sex : sexes)
    if (sex != "female" && sex != "male")
      rd.fail(node, "sexes", fmt::format("'{}' is not allowed; use female and/or male", sex));
  return sexes;
}

Intervention read_intervention(const YamlReader& rd, const YAML::Node& node, int index) {
  const std::string where = fmt::format("interventions[{}]", index);
  rd.require_map(node, where);
  Intervention iv;
  iv.where = rd.at(node);
  iv.name = rd.name(rd.required(node, "name"), "name");
  if (node["title"]) iv.title = rd.text(node["title"], "title");
  if (node["title_zh"]) iv.title_zh = rd.text(node["title_zh"], "title_zh");
  iv.kind = rd.text(rd.required(node, "kind"), "kind");
  iv.ramp.start = rd.integer(rd.required(node, "start"), "start", FIRST_YEAR, LAST_YEAR);
  iv.ramp.full = rd.integer(rd.required(node, "full"), "full", iv.ramp.start, LAST_YEAR);
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
  if (node["sexes"]) iv.sexes = sex_list(rd, node["sexes"]);
  if (const auto ages = node["ages"]) {
    if (!ages.IsSequence() || ages.size() != 2)
      rd.fail(ages, "ages", "expected [first age, last age], e.g. [40, 100]");
    iv.age_from = rd.integer(ages[0], "ages", 0, 100);
    iv.age_to = rd.integer(ages[1], "ages", iv.age_from, 100);
  }
  const auto number = [&](const char* key, std::optional<double>& out, double low, double high) {
    if (node[key]) out = rd.number(node[key], key, low, high);
  };
  number("scale", iv.scale, 0.0, 100.0);
  number("shift", iv.shift, -1e6, 1e6);
  number("reach", iv.reach, -1e6, 1e6);
  number("multiply", iv.multiply, 0.0, 100.0);
  number("reach_tfr", iv.reach_tfr, 0.0, 10.0);
  return iv;
}

Target read_target(const YamlReader& rd, const YAML::Node& node, int index) {
  const std::string where = fmt::format("targets[{}]", index);
  rd.require_map(node, where);
  Target t;
  t.where = rd.at(node);
  t.indicator = rd.name(rd.required(node, "indicator"), "indicator");
  t.year = rd.integer(rd.required(node, "year"), "year", FIRST_YEAR, LAST_YEAR);
  const auto comparator = rd.required(node, "comparator");
  t.comparator = rd.text(comparator, "comparator");
  if (std::find(COMPARATORS.begin(), COMPARATORS.end(), t.comparator) == COMPARATORS.end())
    rd.fail(comparator, "comparator",
            fmt::format("'{}' is not a comparator; allowed: {}", t.comparator,
                        fmt::join(COMPARATORS, ", ")));
  const bool needs_value = t.comparator != "decrease" && t.comparator != "increase" &&
                           t.comparator != "better_than" && t.comparator != "natural";
  if (node["value"])
    t.value = rd.number(node["value"], "value", -1e12, 1e12);
  else if (needs_value)
    rd.fail(node, "value", fmt::format("comparator '{}' needs a value", t.comparator));
  if (node["unit"]) t.unit = rd.text(node["unit"], "unit");
  if (node["sex"]) {
    t.sex = rd.text(node["sex"], "sex");
    if (t.sex != "female" && t.sex != "male" && t.sex != "total")
      rd.fail(node["sex"], "sex",
              fmt::format("'{}' is not allowed; use female, male or total", t.sex));
  }
  if (node["base_year"])
    t.base_year = rd.integer(node["base_year"], "base_year", FIRST_YEAR, t.year);
  const bool relative =
      t.comparator == "relative_change" || t.comparator == "decrease" || t.comparator == "increase";
  if (relative && !t.base_year)
    rd.fail(
        node, "base_year",
        fmt::format("comparator '{}' compares with a base year: give 'base_year'", t.comparator));
  if (node["reference"]) t.reference = rd.text(node["reference"], "reference");
  if (t.comparator == "better_than" && t.reference != "national" && !t.value)
    rd.fail(node, "reference",
            "comparator 'better_than' needs 'reference: national' or a 'value' to beat");
  if (const auto anchor = node["anchor"]) {
    rd.require_map(anchor, "anchor");
    t.anchor =
        std::make_pair(rd.integer(rd.required(anchor, "year"), "year", FIRST_YEAR, LAST_YEAR),
                       rd.number(rd.required(anchor, "value"), "value", -1e12, 1e12));
  }
  if (node["text_zh"]) t.text_zh = rd.text(node["text_zh"], "text_zh");
  if (node["text_en"]) t.text_en = rd.text(node["text_en"], "text_en");
  return t;
}

Monitored read_monitored(const YamlReader& rd, const YAML::Node& node, int index,
                         const fs::path& base) {
  const std::string where = fmt::format("monitored[{}]", index);
  rd.require_map(node, where);
  Monitored m;
  m.where = rd.at(node);
  m.indicator = rd.name(rd.required(node, "indicator"), "indicator");
  if (node["unit"]) m.unit = rd.text(node["unit"], "unit");
  m.history = rd.file(rd.required(node, "history"), "history", base);
  if (node["illustrative"]) m.illustrative = boolean(rd, node["illustrative"], "illustrative");
  if (node["trend"]) {
    m.trend = rd.text(node["trend"], "trend");
    if (m.trend != "linear" && m.trend != "logistic")
      rd.fail(node["trend"], "trend",
              fmt::format("'{}' is not a trend; allowed: linear, logistic", m.trend));
  }
  if (const auto bounds = node["bounds"]) {
    if (!bounds.IsSequence() || bounds.size() != 2)
      rd.fail(bounds, "bounds", "expected [lower, upper], e.g. [0, 100]");
    m.bounds = std::make_pair(rd.number(bounds[0], "bounds", -1e12, 1e12),
                              rd.number(bounds[1], "bounds", -1e12, 1e12));
    if (m.bounds->second <= m.bounds->first)
      rd.fail(bounds, "bounds", "the upper bound must exceed the lower one");
  }
  if (m.trend == "logistic" && !m.bounds)
    rd.fail(node, "bounds", "a logistic trend needs bounds: [lower, upper]");
  return m;
}

template <class T, class Read>
std::vector<T> read_list(const YamlReader& rd, const YAML::Node& node, const std::string& field,
                         Read read) {
  std::vector<T> out;
  if (!node) return out;
  if (!node.IsSequence()) rd.fail(node, field, fmt::format("expected a list of {}", field));
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

// One file of an `extends` chain, merged over what it extends. `chain` holds the files being
// read, to detect cycles.
Scenario parse_layer(std::string text, const fs::path& path, std::vector<fs::path> chain) {
  const YamlReader rd(path.string());
  const YAML::Node root = rd.parse(text);
  input::check_scenario_schema(root, rd);  // keys, types, ranges: scenarios/schema
  if (!root.IsMap())
    throw InputError({path.string(), 1, 1}, "",
                     "a scenario file is a YAML mapping that starts with 'healthcast: 1'");
  const int version = rd.integer(rd.required(root, "healthcast"), "healthcast", 1, 1000);
  if (version != SCENARIO_FORMAT_VERSION)
    rd.fail(root["healthcast"], "healthcast",
            fmt::format("format version {} is not supported; this healthcast reads version {}",
                        version, SCENARIO_FORMAT_VERSION));
  const fs::path base = path.parent_path().empty() ? fs::path(".") : path.parent_path();

  Scenario sc;
  chain.push_back(fs::weakly_canonical(path));
  if (const auto extends = root["extends"]) {
    const fs::path parent = rd.file(extends, "extends", base);
    const fs::path canonical = fs::weakly_canonical(parent);
    if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
      std::string cycle;
      for (const auto& p : chain) cycle += p.filename().string() + " -> ";
      rd.fail(extends, "extends",
              fmt::format("extending '{}' makes a cycle: {}{}", extends.Scalar(), cycle,
                          parent.filename().string()));
    }
    sc = parse_layer(read_text(parent), parent, chain);
    sc.extends.insert(sc.extends.begin(), parent);
  }
  sc.format_version = version;
  sc.path = path;
  sc.text = std::move(text);
  sc.name = rd.name(rd.required(root, "name"), "name");
  if (root["title"]) sc.title = rd.text(root["title"], "title");
  if (root["title_zh"]) sc.title_zh = rd.text(root["title_zh"], "title_zh");
  if (root["description"]) sc.description = rd.text(root["description"], "description");
  if (root["base_year"])
    sc.base_year = rd.integer(root["base_year"], "base_year", FIRST_YEAR, LAST_YEAR);
  if (root["horizon"])
    sc.horizon =
        rd.integer(root["horizon"], "horizon", std::max(sc.base_year, FIRST_YEAR), LAST_YEAR);
  if (root["population_scale"])
    sc.population_scale = rd.number(root["population_scale"], "population_scale", 1.0, 2e9);

  // Inputs: this file's keys over the extended file's; regions keep their own overrides.
  if (root["inputs"]) sc.inputs = read_inputs(rd, root["inputs"], base, sc.inputs);
  if (const YAML::Node regions = root["regions"]) {
    if (!regions.IsSequence() || regions.size() == 0)
      rd.fail(regions, "regions", "expected a list of regions, e.g. '- name: china'");
    std::vector<RegionSpec> list;
    std::set<std::string> seen;
    for (const auto& node : regions) {
      RegionSpec region;
      region.where = rd.at(node);
      if (node.IsScalar()) {
        region.name = rd.name(node, "regions");
      } else {
        rd.require_map(node, "regions");
        region.name = rd.name(rd.required(node, "name"), "name");
        if (node["inputs"]) region.own = read_inputs(rd, node["inputs"], base, {});
      }
      if (!seen.insert(region.name).second)
        rd.fail(node, "name", fmt::format("region '{}' is listed twice", region.name));
      list.push_back(std::move(region));
    }
    sc.regions = std::move(list);
  }
  for (auto& region : sc.regions) region.inputs = merge_inputs(sc.inputs, region.own);

  for (auto& iv : read_list<Intervention>(
           rd, root["interventions"], "interventions",
           [&](const YAML::Node&n, int i) { return read_intervention(rd, n, i); })) {
    for (const auto& other : sc.interventions)
      if (other.name == iv.name)
        throw InputError(iv.where, "name",
                         fmt::format("intervention '{}' is defined twice", iv.name));
    sc.interventions.push_back(std::move(iv));
  }
  for (auto& t : read_list<Target>(rd, root["targets"], "targets", [&](const YAML::Node&n, int i) {
         return read_target(rd, n, i);
       }))
    sc.targets.push_back(std::move(t));
  for (auto& m : read_list<Monitored>(
           rd, root["monitored"], "monitored",
           [&](const YAML::Node&n, int i) { return read_monitored(rd, n, i, base); }))
    sc.monitored.push_back(std::move(m));
  return sc;
}

}  // namespace

double Ramp::weight(int year) const {
  if (year < start) return 0.0;
  if (year >= full) return 1.0;
  return static_cast<double>(year - start + 1) / static_cast<double>(full - start + 1);
}

Scenario load_scenario(const fs::path& path) { return parse_scenario(read_text(path), path); }

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
    const auto& ids = modelled_indicators();
    const bool modelled = std::find(ids.begin(), ids.end(), t.indicator) != ids.end();
    const bool monitored =
        std::any_of(sc.monitored.begin(), sc.monitored.end(),
                    [&](const Monitored& m) { return m.indicator == t.indicator; });
    if (!modelled && !monitored)
      throw InputError(t.where, "indicator",
                       fmt::format("unknown indicator '{}': not modelled and not monitored. "
                                   "Modelled indicators: {}; any other indicator needs a "
                                   "'monitored' entry with its history",
                                   t.indicator, fmt::join(ids, ", ")));
  }
  for (const auto& iv : sc.interventions)
    if (iv.ramp.start > sc.horizon)
      throw InputError(iv.where, "start",
                       fmt::format("intervention '{}' starts in {}, after the horizon {}", iv.name,
                                   iv.ramp.start, sc.horizon));
  return sc;
}

}  // namespace healthcast::scenario
