#include "healthcast/scenario/scenario.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "healthcast/version.h"

namespace healthcast::scenario {

namespace {

namespace fs = std::filesystem;

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Reads typed values out of YAML nodes and reports problems at the node's line and column.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  SourceLocation at(const YAML::Node& node) const {
    const auto mark = node.Mark();
    return {file_, mark.line + 1, mark.column + 1};
  }

  [[noreturn]] void fail(const YAML::Node& node, const std::string& field,
                         const std::string& problem) const {
    throw InputError(at(node), field, problem);
  }

  void require_map(const YAML::Node& node, const std::string& field) const {
    if (!node.IsMap()) fail(node, field, "expected a mapping of keys to values");
  }

  // Every key must be one of `allowed`; an unknown key names the nearest allowed one.
  void check_keys(const YAML::Node& map, const std::string& where,
                  const std::vector<std::string>& allowed) const {
    for (const auto& entry : map) {
      const auto key = entry.first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string nearest;
      std::size_t best = std::string::npos;
      for (const auto& a : allowed) {
        const std::size_t d = edit_distance(key, a);
        if (d < best) best = d, nearest = a;
      }
      std::string hint = best <= std::max<std::size_t>(2, key.size() / 3)
                             ? fmt::format("; did you mean '{}'?", nearest)
                             : "";
      fail(entry.first, key,
           fmt::format("unknown key in {}{} Allowed keys: {}", where, hint.empty() ? "." : hint,
                       list_names(allowed)));
    }
  }

  YAML::Node required(const YAML::Node& map, const std::string& key) const {
    YAML::Node child = map[key];
    if (!child) fail(map, key, fmt::format("required key '{}' is missing", key));
    return child;
  }

  std::string text(const YAML::Node& node, const std::string& field) const {
    if (!node.IsScalar()) fail(node, field, "expected a text value");
    return node.Scalar();
  }

  int integer(const YAML::Node& node, const std::string& field, int low, int high) const {
    int value = 0;
    if (!node.IsScalar() || !YAML::convert<int>::decode(node, value))
      fail(node, field,
           fmt::format("expected a whole number from {} to {}, got '{}'", low, high,
                       node.IsScalar() ? node.Scalar() : std::string("a non-scalar value")));
    if (value < low || value > high)
      fail(node, field, fmt::format("{} is out of range; allowed: {} to {}", value, low, high));
    return value;
  }

  // A period written as [first, last] or "first-last".
  std::pair<int, int> period(const YAML::Node& node, const std::string& field) const {
    int first = 0, last = 0;
    if (node.IsSequence() && node.size() == 2) {
      first = integer(node[0], field, FIRST_YEAR, LAST_YEAR);
      last = integer(node[1], field, FIRST_YEAR, LAST_YEAR);
    } else if (node.IsScalar() &&
               std::sscanf(node.Scalar().c_str(), "%d-%d", &first, &last) == 2) {
      for (int y : {first, last})
        if (y < FIRST_YEAR || y > LAST_YEAR)
          fail(node, field, fmt::format("year {} is out of range; allowed: {} to {}", y,
                                        FIRST_YEAR, LAST_YEAR));
    } else {
      fail(node, field, "expected a period as [first year, last year] or \"2015-2019\"");
    }
    if (last < first)
      fail(node, field, fmt::format("the period ends ({}) before it starts ({})", last, first));
    return {first, last};
  }

  // An input file path, relative to the scenario's folder; it must exist.
  fs::path file(const YAML::Node& node, const std::string& field, const fs::path& base) const {
    const fs::path p = base / text(node, field);
    if (!fs::is_regular_file(p))
      fail(node, field, fmt::format("input file '{}' not found (resolved to {})", node.Scalar(),
                                    p.lexically_normal().string()));
    return p.lexically_normal();
  }

 private:
  std::string file_;
};

const std::vector<std::string> ROOT_KEYS = {"healthcast", "name",    "title",  "description",
                                            "base_year",  "horizon", "inputs", "regions"};
const std::vector<std::string> INPUT_KEYS = {"population", "fertility", "sex_ratio_at_birth",
                                             "net_migration", "mortality"};
const std::vector<std::string> MORTALITY_KEYS = {"method", "rates", "jump_off",
                                                 "improvement_from", "fit_period"};
// Keys that belong to one mortality method only; any other method rejects them.
const std::vector<std::pair<std::string, std::string>> METHOD_KEYS = {
    {"jump_off", "improvement"}, {"improvement_from", "improvement"}, {"fit_period", "lee_carter"}};
const std::vector<std::string> REGION_KEYS = {"name", "inputs"};

bool valid_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-';
  });
}

MortalitySpec read_mortality(const Reader& rd, const YAML::Node& node, const fs::path& base) {
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
        rd.period(rd.required(node, "jump_off"), "jump_off");
    std::tie(spec.improvement_from, spec.improvement_to) =
        rd.period(rd.required(node, "improvement_from"), "improvement_from");
    if (spec.improvement_to >= spec.jump_off_from)
      rd.fail(node["improvement_from"], "improvement_from",
              fmt::format("must end before the jump-off period starts ({})", spec.jump_off_from));
  } else if (spec.method == "lee_carter" && node["fit_period"]) {
    std::tie(spec.fit_from, spec.fit_to) = rd.period(node["fit_period"], "fit_period");
  }
  return spec;
}

// Reads an `inputs` block over `defaults`; keys it omits keep their default.
InputFiles read_inputs(const Reader& rd, const YAML::Node& node, const fs::path& base,
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
  return in;
}

void check_complete(const Reader& rd, const YAML::Node& node, const RegionSpec& region) {
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
  const Reader rd(path.string());
  YAML::Node root;
  try {
    root = YAML::Load(sc.text);
  } catch (const YAML::ParserException& e) {
    throw InputError({path.string(), e.mark.line + 1, e.mark.column + 1}, "",
                     fmt::format("not valid YAML: {}", e.msg));
  }
  if (!root.IsMap())
    throw InputError({path.string(), 1, 1}, "",
                     "a scenario file is a YAML mapping that starts with 'healthcast: 1'");
  rd.check_keys(root, "the scenario", ROOT_KEYS);

  sc.format_version = rd.integer(rd.required(root, "healthcast"), "healthcast", 1, 1000);
  if (sc.format_version != SCENARIO_FORMAT_VERSION)
    rd.fail(root["healthcast"], "healthcast",
            fmt::format("format version {} is not supported; this healthcast reads version {}",
                        sc.format_version, SCENARIO_FORMAT_VERSION));
  sc.name = rd.text(rd.required(root, "name"), "name");
  if (!valid_name(sc.name))
    rd.fail(root["name"], "name",
            fmt::format("'{}' is not allowed; use letters, digits, '_' and '-'", sc.name));
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
      region.name = node.Scalar();
    } else {
      rd.require_map(node, "regions");
      rd.check_keys(node, "a region", REGION_KEYS);
      region.name = rd.text(rd.required(node, "name"), "name");
      if (node["inputs"]) region.inputs = read_inputs(rd, node["inputs"], base, defaults);
    }
    if (!valid_name(region.name))
      rd.fail(node, "name",
              fmt::format("region name '{}' is not allowed; use letters, digits, '_' and '-'",
                          region.name));
    if (!seen.insert(region.name).second)
      rd.fail(node, "name", fmt::format("region '{}' is listed twice", region.name));
    check_complete(rd, node, region);
    sc.regions.push_back(std::move(region));
  }
  return sc;
}

}  // namespace healthcast::scenario
