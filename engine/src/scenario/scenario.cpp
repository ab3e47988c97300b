#include "healthcast/scenario/scenario.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "healthcast/io/yaml.h"
#include "healthcast/version.h"

namespace healthcast::scenario {

namespace {

namespace fs = std::filesystem;
using io::YamlReader;

// Periods in scenario files lie within the years a scenario may span.
std::pair<int, int> period(const YamlReader& rd, const YAML::Node& node, const std::string& field) {
  return rd.period(node, field, FIRST_YEAR, LAST_YEAR);
}

const std::vector<std::string> ROOT_KEYS = {"healthcast", "name",    "title",  "description",
                                            "base_year",  "horizon", "inputs", "regions"};
const std::vector<std::string> INPUT_KEYS = {"population", "fertility", "sex_ratio_at_birth",
                                             "net_migration", "mortality", "health"};
const std::vector<std::string> MORTALITY_KEYS = {"method", "rates", "jump_off",
                                                 "improvement_from", "fit_period"};
// Keys that belong to one mortality method only; any other method rejects them.
const std::vector<std::pair<std::string, std::string>> METHOD_KEYS = {
    {"jump_off", "improvement"}, {"improvement_from", "improvement"}, {"fit_period", "lee_carter"}};
const std::vector<std::string> REGION_KEYS = {"name", "inputs"};

MortalitySpec read_mortality(const YamlReader& rd, const YAML::Node& node, const fs::path& base) {
  rd.require_map(node, "mortality");
  rd.check_keys(node, "'mortality'", MORTALITY_KEYS);
  MortalitySpec spec;
  spec.where = rd.at(node);
  spec.method = rd.text(rd.required(node, "method"), "method");
  spec.rates = rd.file(rd.required(node, "rates"), "rates", base);
  for (const auto& [key, owner] : METHOD_KEYS)
    if (node[key] && spec.method != owner)
      rd.fail(node[key], key,
              fmt::format("only used by method '{}', not '{}'", owner, spec.method));
  if (spec.method == "improvement") {
    std::tie(spec.jump_off_from, spec.jump_off_to) =
        period(rd, rd.required(node, "jump_off"), "jump_off");
    std::tie(spec.improvement_from, spec.improvement_to) =
        period(rd, rd.required(node, "improvement_from"), "improvement_from");
    if (spec.improvement_to >= spec.jump_off_from)
      rd.fail(node["improvement_from"], "improvement_from",
              fmt::format("must end before the jump-off period starts ({})", spec.jump_off_from));
  } else if (spec.method == "lee_carter" && node["fit_period"]) {
    std::tie(spec.fit_from, spec.fit_to) = period(rd, node["fit_period"], "fit_period");
  }
  return spec;
}

// Reads an `inputs` block over `defaults`; keys it omits keep their default.
InputFiles read_inputs(const YamlReader& rd, const YAML::Node& node, const fs::path& base,
                       InputFiles defaults) {
  rd.require_map(node, "inputs");
  rd.check_keys(node, "'inputs'", INPUT_KEYS);
  InputFiles in = std::move(defaults);
  if (node["population"]) in.population = rd.file(node["population"], "population", base);
  if (node["fertility"]) in.fertility = rd.file(node["fertility"], "fertility", base);
  if (node["sex_ratio_at_birth"])
    in.sex_ratio_at_birth = rd.file(node["sex_ratio_at_birth"], "sex_ratio_at_birth", base);
  if (node["net_migration"])
    in.net_migration = rd.file(node["net_migration"], "net_migration", base);
  if (node["mortality"]) in.mortality = read_mortality(rd, node["mortality"], base);
  if (node["health"]) in.health = rd.file(node["health"], "health", base);
  return in;
}

void check_complete(const YamlReader& rd, const YAML::Node& node, const RegionSpec& region) {
  const auto& in = region.inputs;
  const std::vector<std::pair<std::string, bool>> present = {
      {"population", !in.population.empty()},
      {"fertility", !in.fertility.empty()},
      {"sex_ratio_at_birth", !in.sex_ratio_at_birth.empty()},
      {"net_migration", !in.net_migration.empty()},
      {"mortality", !in.mortality.method.empty()}};
  for (const auto& [key, ok] : present)
    if (!ok)
      rd.fail(node, key,
              fmt::format("region '{}' has no '{}' input: give it under the scenario's "
                          "'inputs' or the region's own 'inputs'",
                          region.name, key));
}

}  // namespace

Scenario load_scenario(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError({path.string(), 0, 0}, "",
                     fs::exists(path) ? "cannot read the scenario file"
                                      : "scenario file not found");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_scenario(buffer.str(), path);
}

Scenario parse_scenario(std::string text, const fs::path& path) {
  Scenario sc;
  sc.path = path;
  sc.text = std::move(text);
  const YamlReader rd(path.string());
  const YAML::Node root = rd.parse(sc.text);
  if (!root.IsMap())
    throw InputError({path.string(), 1, 1}, "",
                     "a scenario file is a YAML mapping that starts with 'healthcast: 1'");
  rd.check_keys(root, "the scenario", ROOT_KEYS);

  sc.format_version = rd.integer(rd.required(root, "healthcast"), "healthcast", 1, 1000);
  if (sc.format_version != SCENARIO_FORMAT_VERSION)
    rd.fail(root["healthcast"], "healthcast",
            fmt::format("format version {} is not supported; this healthcast reads version {}",
                        sc.format_version, SCENARIO_FORMAT_VERSION));
  sc.name = rd.name(rd.required(root, "name"), "name");
  if (root["title"]) sc.title = rd.text(root["title"], "title");
  if (root["description"]) sc.description = rd.text(root["description"], "description");
  sc.base_year = rd.integer(rd.required(root, "base_year"), "base_year", FIRST_YEAR, LAST_YEAR);
  sc.horizon = rd.integer(rd.required(root, "horizon"), "horizon", sc.base_year, LAST_YEAR);

  const fs::path base = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  InputFiles defaults;
  if (root["inputs"]) defaults = read_inputs(rd, root["inputs"], base, defaults);

  const YAML::Node regions = rd.required(root, "regions");
  if (!regions.IsSequence() || regions.size() == 0)
    rd.fail(regions, "regions", "expected a list of regions, e.g. '- name: china'");
  std::set<std::string> seen;
  for (const auto& node : regions) {
    RegionSpec region;
    region.where = rd.at(node);
    region.inputs = defaults;
    if (node.IsScalar()) {
      region.name = rd.name(node, "regions");
    } else {
      rd.require_map(node, "regions");
      rd.check_keys(node, "a region", REGION_KEYS);
      region.name = rd.name(rd.required(node, "name"), "name");
      if (node["inputs"]) region.inputs = read_inputs(rd, node["inputs"], base, defaults);
    }
    if (!seen.insert(region.name).second)
      rd.fail(node, "name", fmt::format("region '{}' is listed twice", region.name));
    check_complete(rd, node, region);
    sc.regions.push_back(std::move(region));
  }
  return sc;
}

}  // namespace healthcast::scenario
