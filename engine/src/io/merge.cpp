// Merging parts of a run: group the parts by their regions, check that each group's draw ranges
// tile 0..N, recompute each group's exact summaries and target probabilities from the parts'
// draws in draw order (as the whole run computes them), then put the groups side by side along
// `region`.
#include "healthcast/io/merge.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "healthcast/error.h"
#include "healthcast/io/results_file.h"
#include "healthcast/parallel/ordered.h"
#include "healthcast/results/compare.h"

namespace healthcast::io {

namespace {

namespace fs = std::filesystem;
using results::Dataset;
namespace dim = results::dim;

// Attributes only a part has: what it covers.
constexpr std::array<std::string_view, 3> PART_ATTRIBUTES = {"draw_range", "part_regions",
                                                             "regions_separable"};

// Attributes every part of one run shares, and what they are, for messages.
constexpr std::array<std::pair<std::string_view, std::string_view>, 7> SHARED = {{
    {"scenario_name", "scenario"},
    {"scenario_text", "scenario text"},
    {"inputs_hash", "inputs (inputs_hash)"},
    {"draws", "number of draws"},
    {"seed", "seed"},
    {"software_version", "program version"},
    {"git_revision", "program revision"},
}};

struct Part {
  fs::path path;
  std::map<std::string, std::string> attributes;
  std::size_t first = 0, end = 0;
  std::vector<std::string> regions;

  std::string attribute(std::string_view key) const {
    const auto it = attributes.find(std::string(key));
    return it == attributes.end() ? std::string() : it->second;
  }
  std::string describe() const {
    return fmt::format("{} (draws {}:{})", path.string(), first, end);
  }
};

std::size_t whole_number(const std::string& text, const Part& part, std::string_view what) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    throw FileFormatError(fmt::format("{}: its {} {} is not a whole number (a damaged part?)",
                                      part.path.string(), what, printable(text)));
  return std::stoull(text);
}

Part read_part(const fs::path& path) {
  Part part;
  part.path = path;
  part.attributes = read_results_attributes(path);
  const std::string range = part.attribute("draw_range");
  if (range.empty())
    throw FileFormatError(fmt::format(
        "{}: not a part of a run (it has no attribute draw_range): make parts with `healthcast "
        "run SCENARIO --draws N --draw-range A:B`",
        path.string()));
  const auto colon = range.find(':');
  part.first = whole_number(range.substr(0, colon), part, "draw_range");
  part.end =
      whole_number(colon == std::string::npos ? "" : range.substr(colon + 1), part, "draw_range");
  std::string names = part.attribute("part_regions");
  for (std::size_t at = 0; at < names.size();) {
    const std::size_t line = names.find('\n', at);
    part.regions.push_back(names.substr(at, line - at));
    at = line == std::string::npos ? names.size() : line + 1;
  }
  return part;
}

// Parts of the same regions, in draw order once checked.
struct Group {
  std::vector<std::string> regions;
  std::vector<const Part*> parts;
};

void check_shared(const std::vector<Part>& parts) {
  const Part& first = parts.front();
  for (const Part& part : parts)
    for (const auto& [key, what] : SHARED)
      if (part.attribute(key) != first.attribute(key))
        throw FileFormatError(fmt::format(
            "{} and {} are not parts of one run: their {} differ ({} and {}); parts must "
            "share the scenario, inputs, seed, number of draws and program version",
            first.path.string(), part.path.string(), what, printable(first.attribute(key), 40),
            printable(part.attribute(key), 40)));
}

// The draw ranges of one group tile 0..draws exactly.
void check_tiling(Group& group, std::size_t draws) {
  std::stable_sort(group.parts.begin(), group.parts.end(),
                   [](const Part* a, const Part* b) { return a->first < b->first; });
  std::size_t next = 0;
  const Part* previous = nullptr;
  for (const Part* part : group.parts) {
    if (part->first >= part->end || part->end > draws)
      throw FileFormatError(fmt::format("{}: draw range {}:{} is not within the run's {} draws",
                                        part->path.string(), part->first, part->end, draws));
    if (part->first > next)
      throw FileFormatError(fmt::format(
          "draws {} to {} of {} are in no part (a gap {}{}): run them with --draw-range {}:{}",
          next, part->first - 1, draws, previous ? "after " + previous->describe() + ", " : "",
          "before " + part->describe(), next, part->first));
    if (part->first < next)
      throw FileFormatError(fmt::format("{} and {} overlap (draws {} to {} are in both)",
                                        previous->describe(), part->describe(), part->first,
                                        std::min(next, part->end) - 1));
    next = part->end;
    previous = part;
  }
  if (next < draws)
    throw FileFormatError(fmt::format(
        "draws {} to {} of {} are in no part (a gap after {}): run them with --draw-range {}:{}",
        next, draws - 1, draws, previous->describe(), next, draws));
}

std::vector<Group> group_parts(const std::vector<Part>& parts) {
  std::vector<Group> groups;
  for (const Part& part : parts) {
    auto found = std::find_if(groups.begin(), groups.end(),
                              [&](const Group& g) { return g.regions == part.regions; });
    if (found == groups.end()) found = groups.insert(groups.end(), Group{part.regions, {}});
    found->parts.push_back(&part);
  }
  std::map<std::string, const Part*> owner;
  for (const Group& group : groups)
    for (const auto& region : group.regions) {
      const auto [it, added] = owner.emplace(region, group.parts.front());
      if (!added)
        throw FileFormatError(fmt::format(
            "region {} is in {} and in {}, whose regions differ: parts of one region set "
            "must have the same regions, and the sets no region in common",
            printable(region), it->second->path.string(), group.parts.front()->path.string()));
    }
  if (groups.size() > 1)
    for (const Part& part : parts)
      if (part.attribute("regions_separable") != "yes")
        throw FileFormatError(fmt::format(
            "{}: parts of different regions can be merged only when each region is projected "
            "and judged on its own; this scenario has targets or a lever that reaches a level, "
            "resolved over all its regions together: run all the regions in every part",
            part.path.string()));
  return groups;
}

// What a V_draws variable looks like, to rebuild it over all the draws.
struct KeptVariable {
  std::string name;
  std::vector<std::string> dims;
  std::string units, long_name;
  std::vector<double> values;
};

bool over_draws(const results::Variable& v) {
  return !v.dims.empty() && v.dims.front() == dim::draw;
}

// One group's parts merged along draws: the central run of the first part with the summaries
// and target probabilities of all draws (and, kept, the draws themselves).
Dataset merge_draws(const Group& group, std::size_t draws, const MergeOptions& options) {
  Dataset merged;
  std::optional<results::DrawSummary> summary;
  std::vector<KeptVariable> kept;  // every variable over draws, target outcomes included
  const std::string outcomes_name =
      std::string(results::var::target_met.name) + std::string(results::DRAWS_SUFFIX);
  for (const Part* part : group.parts) {
    Dataset ds = read_results(part->path);
    const results::Coordinate numbers =
        results::draw_coordinate(part->end - part->first, part->first);
    if (!ds.has_coordinate(dim::draw) ||
        ds.coordinate(std::string(dim::draw)).values != numbers.values)
      throw FileFormatError(
          fmt::format("{}: its draws are not numbered {} to {} as its draw_range says",
                      part->path.string(), part->first, part->end - 1));
    for (std::size_t j = 0; j < part->end - part->first; ++j) {
      const Dataset draw = results::kept_draw(ds, j);
      if (!summary) summary.emplace(draw, options.threads, options.draw_memory);
      summary->add(draw);
    }
    if (kept.empty())
      for (const auto& v : ds.variables())
        if (over_draws(v)) kept.push_back({v.name, v.dims, v.units, v.long_name, {}});
    for (auto& k : kept) {
      if (!ds.has_variable(k.name))
        throw FileFormatError(fmt::format("{}: variable '{}' is missing ({} has it)",
                                          part->path.string(), k.name,
                                          group.parts.front()->path.string()));
      // The draws themselves only when kept: the summaries hold their own copy, within budget.
      if (!options.keep_draws && k.name != outcomes_name) continue;
      const auto& values = ds.variable(k.name).values;
      k.values.insert(k.values.end(), values.begin(), values.end());
    }
    if (part == group.parts.front()) {
      for (const auto& k : kept) ds.remove_variable(k.name);
      ds.remove_coordinate(std::string(dim::draw));
      merged = std::move(ds);
    }
  }
  summary->update(merged);

  // Each drawn target's probability from its outcomes in all draws, as the run computes it.
  for (const auto& k : kept)
    if (k.name == outcomes_name) {
      auto& probability = merged.variable(results::var::target_probability).values;
      const std::size_t targets = probability.size();
      for (std::size_t t = 0; t < targets; ++t) {
        double met = 0.0, judged = 0.0;
        for (std::size_t j = 0; j < draws; ++j)
          if (const double m = k.values[j * targets + t]; !std::isnan(m)) {
            met += m;
            judged += 1.0;
          }
        if (judged > 0.0) probability[t] = met / judged;
      }
    }

  if (options.keep_draws) {
    merged.add_coordinate(results::draw_coordinate(draws));
    for (auto& k : kept) {
      auto& v = merged.add_variable(k.name, k.dims, k.units, k.long_name);
      v.values = std::move(k.values);
    }
  }
  for (const auto key : PART_ATTRIBUTES) merged.attributes.erase(std::string(key));
  return merged;
}

// Equal bits (NaN equal to NaN of the same bits).
bool same_values(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// The groups side by side along `region`, in the groups' order; everything without the region
// dimension must be the same in every group.
Dataset concat_regions(const std::vector<Dataset>& groups, const std::vector<Group>& parts) {
  const std::string region(dim::region);
  const Dataset& first = groups.front();
  auto differs = [&](std::size_t g, std::string_view what) {
    return FileFormatError(fmt::format(
        "{} differs between {} and {}: the regions of these parts were not run alike", what,
        parts.front().parts.front()->path.string(), parts[g].parts.front()->path.string()));
  };
  Dataset out;
  for (const auto& c : first.coordinates()) {
    if (c.name != region) {
      for (std::size_t g = 1; g < groups.size(); ++g)
        if (!groups[g].has_coordinate(c.name) || groups[g].coordinate(c.name).values != c.values)
          throw differs(g, fmt::format("dimension '{}'", c.name));
      out.add_coordinate(c);
      continue;
    }
    std::vector<std::string> names;
    for (const auto& group : groups) {
      const auto& labels = std::get<std::vector<std::string>>(group.coordinate(region).values);
      names.insert(names.end(), labels.begin(), labels.end());
    }
    out.add_coordinate({c.name, std::move(names), c.long_name, c.units});
  }
  for (const auto& v : first.variables()) {
    const auto axis = std::find(v.dims.begin(), v.dims.end(), region);
    for (std::size_t g = 1; g < groups.size(); ++g)
      if (!groups[g].has_variable(v.name) || groups[g].variable(v.name).dims != v.dims)
        throw differs(g, fmt::format("variable '{}'", v.name));
    auto& joined = out.add_variable(v.name, v.dims, v.units, v.long_name);
    if (axis == v.dims.end()) {
      for (std::size_t g = 1; g < groups.size(); ++g)
        if (!same_values(groups[g].variable(v.name).values, v.values))
          throw differs(g, fmt::format("variable '{}' (without the region dimension)", v.name));
      joined.values = v.values;
      continue;
    }
    const auto k = static_cast<std::size_t>(axis - v.dims.begin());
    std::size_t outer = 1, inner = 1;
    for (std::size_t d = 0; d < k; ++d) outer *= v.shape[d];
    for (std::size_t d = k + 1; d < v.shape.size(); ++d) inner *= v.shape[d];
    auto at = joined.values.begin();
    for (std::size_t o = 0; o < outer; ++o)
      for (const auto& group : groups) {
        const auto& part = group.variable(v.name);
        const std::size_t slice = part.shape[k] * inner;
        at = std::copy_n(part.values.begin() + static_cast<std::ptrdiff_t>(o * slice), slice, at);
      }
  }
  for (const auto& l : first.labels()) {
    for (std::size_t g = 1; g < groups.size(); ++g)
      if (!groups[g].has_labels(l.name) || groups[g].label(l.name).dim != l.dim ||
          (l.dim != region && groups[g].label(l.name).values != l.values))
        throw differs(g, fmt::format("text variable '{}'", l.name));
    auto& joined = out.add_labels(l.name, l.dim, l.long_name);
    if (l.dim != region) {
      joined.values = l.values;
      continue;
    }
    joined.values.clear();
    for (const auto& group : groups) {
      const auto& values = group.label(l.name).values;
      joined.values.insert(joined.values.end(), values.begin(), values.end());
    }
  }
  // Attributes written one line per region follow the regions; the rest is the same in all.
  for (const auto& group : groups)
    for (const auto& [key, value] : group.attributes) {
      if (key == "units" || key == "unit_notes") {
        out.attributes[key] += value;
      } else if (key != "creation_time") {
        const auto [it, added] = out.attributes.emplace(key, value);
        if (!added && it->second != value)
          throw differs(static_cast<std::size_t>(&group - groups.data()),
                        fmt::format("attribute '{}'", key));
      }
    }
  return out;
}

}  // namespace

void merge_parts(const std::vector<fs::path>& paths, const fs::path& output,
                 const MergeOptions& options) {
  if (paths.empty()) throw Error("nothing to merge: give the parts' files");
  std::vector<Part> parts;
  for (const auto& path : paths) {
    for (const auto& other : parts)
      if (fs::weakly_canonical(other.path) == fs::weakly_canonical(path))
        throw FileFormatError(fmt::format("{} is given twice", path.string()));
    parts.push_back(read_part(path));
  }
  check_shared(parts);
  const std::size_t draws = whole_number(parts.front().attribute("draws"), parts.front(), "draws");
  std::vector<Group> groups = group_parts(parts);
  for (auto& group : groups) check_tiling(group, draws);

  MergeOptions run = options;
  run.threads = parallel::thread_count(options.threads);
  std::vector<Dataset> merged;
  for (const auto& group : groups) merged.push_back(merge_draws(group, draws, run));
  Dataset result = groups.size() == 1 ? std::move(merged.front()) : concat_regions(merged, groups);
  std::string from;
  for (const auto& group : groups)
    for (const Part* part : group.parts) from += part->describe() + "\n";
  result.attributes.erase("creation_time");
  result.attributes["merged_from"] = from;
  write_results(result, output);
}

}  // namespace healthcast::io
