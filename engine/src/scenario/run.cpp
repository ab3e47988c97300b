#include "healthcast/scenario/run.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "healthcast/demography/cohort_year.h"
#include "healthcast/health/indicators.h"
#include "healthcast/parallel/ordered.h"
#include "healthcast/results/draw_summary.h"
#include "healthcast/scenario/calibration.h"
#include "healthcast/scenario/inputs.h"
#include "healthcast/scenario/interventions.h"
#include "healthcast/scenario/targets.h"

namespace healthcast::scenario {

namespace {

namespace var = results::var;
using demography::ProgressCallback;

// The projection and health indicators of one set-up (the central run or a draw).
results::Dataset simulate(const Setup& setup, unsigned threads,
                          const ProgressCallback& progress = {}) {
  auto ds = demography::project(setup.projection, progress, threads);
  if (const auto health = setup.health(); !health.empty())
    health::add_health_indicators(ds, health);
  return ds;
}

// Population-weighted value of a (year, region, sex, category) indicator over regions, for one
// year and both sexes, weighted by the population aged 15 and over.
double across_regions(const results::Dataset& ds, const results::VariableSpec& variable,
                      std::string_view category_dim, const std::string& category, int year) {
  const auto& v = ds.variable(variable);
  const auto& pop = ds.variable(var::population);
  const std::size_t y = ds.index_of(
      "year", std::min(year, std::get<std::vector<int>>(ds.coordinate("year").values).back()));
  const std::size_t k = ds.index_of(std::string(category_dim), category);
  double sum = 0.0, weight = 0.0;
  for (std::size_t r = 0; r < ds.coordinate("region").size(); ++r) {
    double w = 0.0;
    for (std::size_t a = 15; a < ds.coordinate("age").size(); ++a)
      w += pop.at({y, r, demography::TOTAL, a});
    sum += w * v.at({y, r, demography::TOTAL, k});
    weight += w;
  }
  return weight > 0.0 ? sum / weight : 0.0;
}

// The level a "reach" intervention aims at, as projected in its full-effect year.
double level_of(const results::Dataset& ds, const Intervention& iv) {
  return iv.kind == InterventionKind::risk_factor_prevalence
             ? across_regions(ds, var::risk_factor_prevalence, results::dim::category,
                              iv.factor + "/" + iv.category, iv.ramp.full)
             : across_regions(ds, var::risk_factor_mean, results::dim::factor, iv.factor,
                              iv.ramp.full);
}

// Interventions that make a prevalence or an adult mean reach a level become the scale that
// does so: measured first on a projection without them, then corrected once on a projection
// with them (the population they are averaged over moves a little with the lever itself). The
// scale is resolved on the central run and then held in every draw: a draw changes what the
// lever achieves, not the lever.
std::vector<Intervention> resolve_reach(const ScenarioData& data, unsigned threads,
                                        const ProgressCallback& progress) {
  std::vector<Intervention> without = data.scenario.interventions;
  std::erase_if(without, reach_needs_projection);
  if (without.size() == data.scenario.interventions.size()) return data.scenario.interventions;
  const auto reference = simulate(make_setup(data, without), threads, progress);
  std::vector<Intervention> resolved = data.scenario.interventions;
  std::vector<std::pair<Intervention*, double>> wanted;
  for (auto& iv : resolved) {
    if (!reach_needs_projection(iv)) continue;
    const double now = level_of(reference, iv);
    if (now <= 0.0)
      throw InputError(iv.where, "reach",
                       fmt::format("intervention '{}': the projection without it has nothing to "
                                   "scale (level {})",
                                   iv.name, now));
    wanted.emplace_back(&iv, *iv.reach);
    iv.scale = *iv.reach / now;
    iv.reach.reset();
  }
  const auto first = simulate(make_setup(data, resolved), threads, progress);
  for (auto& [iv, level] : wanted) {
    const double achieved = level_of(first, *iv);
    if (achieved > 0.0) *iv->scale *= level / achieved;
  }
  return resolved;
}

// Adds draw j (counted from the part's first) to the dataset as V_draws for every drawn variable
// V of `layout`, as io::DrawWriter writes them to a file; the variables are made when the first
// draw arrives (the `draw` coordinate exists already).
void keep_draw(results::Dataset& out, const results::DrawLayout& layout, std::size_t j,
               const results::Dataset& draw) {
  const std::string suffix(results::DRAWS_SUFFIX);
  if (j == 0)
    for (const auto& v : layout.variables()) {
      std::vector<std::string> dims = {std::string(results::dim::draw)};
      dims.insert(dims.end(), v.dims.begin(), v.dims.end());
      out.add_variable(v.name + suffix, dims, v.units, v.long_name);
    }
  for (const auto* v : layout.match(draw, fmt::format("draw {}", j))) {
    auto& kept = out.variable(v->name + suffix);
    std::copy(v->values.begin(), v->values.end(),
              kept.values.begin() + static_cast<std::ptrdiff_t>(j * v->values.size()));
  }
}

// The targets that draws judge: those on a modelled indicator. Monitored indicators follow
// their history's trend, the same in every draw, so their probability comes from the trend's
// interval (or stays unknown) and is not judged again per draw.
struct DrawnTargets {
  Scenario scenario;               // the scenario with only those targets and no histories
  std::vector<std::size_t> index;  // their rows in the scenario's targets table

  explicit DrawnTargets(const Scenario& full) : scenario(full) {
    scenario.targets.clear();
    scenario.monitored.clear();
    for (std::size_t t = 0; t < full.targets.size(); ++t) {
      const auto& target = full.targets[t];
      if (std::none_of(full.monitored.begin(), full.monitored.end(),
                       [&](const Monitored& m) { return m.indicator == target.indicator; })) {
        scenario.targets.push_back(target);
        index.push_back(t);
      }
    }
  }
};

struct Draw {
  results::Dataset dataset;
  std::vector<double> met;  // per drawn target: 1 met, 0 not, NaN not judged
};

// The central run and what judging its targets needs: the scenario's resolved interventions
// and the national run when a target compares with it.
struct Central {
  std::vector<Intervention> interventions;
  results::Dataset dataset;
  std::optional<results::Dataset> national;
};

// The draws a run makes: [first, end) of options.draws.
std::pair<std::size_t, std::size_t> draw_span(const RunOptions& options) {
  return options.draw_range.value_or(std::pair<std::size_t, std::size_t>{0, options.draws});
}

bool keeps_outcomes(const RunOptions& options) {
  return options.keep_draws || options.keep_outcomes || options.draw_range.has_value();
}

// Judges the drawn targets in draws and adds the summaries, kept draws and target
// probabilities to the central run's dataset; `outcomes` gets each draw's target outcomes (draw
// after draw, one per target of the scenario, NaN where not judged) when they are kept.
void run_draws(const ScenarioData& data, const Central& central, const RunOptions& options,
               unsigned threads, results::Dataset& ds, std::vector<TargetResult>& targets,
               std::vector<double>& outcomes, const std::function<bool(std::size_t)>& report) {
  // Plain variables, not a structured binding: the lambdas below capture them (clang 14 cannot
  // capture a binding).
  const std::size_t first = draw_span(options).first;
  const std::size_t count = draw_span(options).second - first;
  results::DrawSummary summary(ds, threads, options.draw_memory);
  const DrawnTargets drawn(data.scenario);
  const std::size_t all_targets = data.scenario.targets.size();
  if (keeps_outcomes(options)) {
    ds.add_coordinate(results::draw_coordinate(count, first));
    outcomes.assign(count * all_targets, std::numeric_limits<double>::quiet_NaN());
  }
  std::vector<double> met_count(drawn.index.size(), 0.0);
  std::vector<double> judged_count(drawn.index.size(), 0.0);
  const std::function<Draw(std::size_t)> produce = [&](std::size_t i) {
    const DrawKey key{options.seed, first + i};
    Draw d{simulate(make_setup(data, central.interventions, key), 1), {}};
    if (!drawn.index.empty()) {
      std::optional<results::Dataset> national_draw;
      if (data.national) national_draw = simulate(make_setup(*data.national, key), 1);
      const results::Dataset* national =
          national_draw ? &*national_draw : (needs_national(data.scenario) ? &d.dataset : nullptr);
      for (const auto& t : evaluate_targets(drawn.scenario, data.judging, d.dataset, national))
        d.met.push_back(judged_in_draws(t) ? t.met : std::numeric_limits<double>::quiet_NaN());
    }
    return d;
  };
  const std::size_t per_run =
      data.regions.size() *
      static_cast<std::size_t>(data.scenario.horizon - data.scenario.base_year + 1);
  const std::function<bool(std::size_t, Draw&)> consume = [&](std::size_t i, Draw& d) {
    summary.add(d.dataset);
    for (std::size_t t = 0; t < d.met.size(); ++t) {
      if (!outcomes.empty()) outcomes[i * all_targets + drawn.index[t]] = d.met[t];
      if (!std::isnan(d.met[t])) {
        met_count[t] += d.met[t];
        judged_count[t] += 1.0;
      }
    }
    if (options.keep_draws) keep_draw(ds, summary.layout(), i, d.dataset);
    if (options.on_draw) options.on_draw(first + i, d.dataset);
    return report(per_run * (i + 2));
  };
  if (!parallel::ordered_map(count, threads, produce, consume)) throw Interrupted();
  summary.write_to(ds);
  ds.attributes["draws"] = std::to_string(options.draws);
  ds.attributes["seed"] = std::to_string(options.seed);
  // Modelled targets take their probability from the draws.
  for (std::size_t k = 0; k < drawn.index.size(); ++k)
    if (judged_count[k] > 0.0) targets[drawn.index[k]].probability = met_count[k] / judged_count[k];
}

// Whether the regions of a run are projected and judged each on its own, so that runs on
// disjoint sets of regions can be merged into the run on all of them: no targets (judged on
// all regions together) and no lever that reaches a level (resolved on all regions together).
bool regions_separable(const Scenario& scenario) {
  return scenario.targets.empty() && scenario.monitored.empty() &&
         std::none_of(scenario.interventions.begin(), scenario.interventions.end(),
                      reach_needs_projection);
}

// What a part of a run shares with the other parts and what it covers (io/merge.h).
void describe_part(results::Dataset& ds, const Scenario& scenario, const RunOptions& options) {
  const auto [first, end] = draw_span(options);
  ds.attributes["draw_range"] = fmt::format("{}:{}", first, end);
  std::string names;
  for (const auto& r : scenario.regions) names += r.name + "\n";
  ds.attributes["part_regions"] = names;
  ds.attributes["regions_separable"] = regions_separable(scenario) ? "yes" : "no";
}

// Which regions are census units and how their inputs were derived, as root attributes
// `units` (region: codes name, one a line) and `unit_notes` (region: note, one a line).
void describe_units(results::Dataset& ds, const ScenarioData& data) {
  std::string units, notes;
  for (const auto& r : data.regions) {
    if (r.unit.empty()) continue;
    units += fmt::format("{}: {}\n", r.name, r.unit);
    for (const auto& note : r.notes) notes += fmt::format("{}: {}\n", r.name, note);
  }
  if (!units.empty()) ds.attributes["units"] = units;
  if (!notes.empty()) ds.attributes["unit_notes"] = notes;
}

// The scenario's provenance and levers as root attributes.
void describe(results::Dataset& ds, const Scenario& scenario) {
  ds.attributes["scenario_name"] = scenario.name;
  ds.attributes["scenario_title"] = scenario.title;
  ds.attributes["scenario_path"] =
      std::filesystem::absolute(scenario.path).lexically_normal().string();
  ds.attributes["scenario_text"] = scenario.text;
  if (scenario.population_scale > 0.0)
    ds.attributes["population_scaled"] = fmt::format(
        "national default data scaled to a base population of {:.0f} persons (no data of the "
        "region's own)",
        scenario.population_scale);
  std::string interventions;
  for (const auto& iv : scenario.interventions)
    interventions += fmt::format("{}{} ({}, {}-{})", interventions.empty() ? "" : "; ", iv.name,
                                 to_string(iv.kind), iv.ramp.start, iv.ramp.full);
  if (!interventions.empty()) ds.attributes["interventions"] = interventions;
}

// The interventions as "name (file:line)", for a message about a run that failed.
std::string intervention_list(const Scenario& scenario) {
  std::string list;
  for (const auto& iv : scenario.interventions)
    list += fmt::format("{}{} ({}:{})", list.empty() ? "" : ", ", iv.name, iv.where.file,
                        iv.where.line);
  return list.empty() ? std::string("none") : list;
}

results::Dataset run_projections(const Scenario& scenario, const RunOptions& options);

}  // namespace

results::Dataset run_scenario(const Scenario& scenario, const RunOptions& options) {
  if (options.draw_range) {
    const auto [first, end] = *options.draw_range;
    if (!(first < end && end <= options.draws))
      throw Error(
          fmt::format("draw range {}:{} is not within the {} draws: give A:B with 0 <= A < "
                      "B <= {}",
                      first, end, options.draws, options.draws));
  }
  if (!options.units.empty() || !options.regions.empty())
    return run_scenario(select_places(scenario, options.units, options.regions), [&] {
      RunOptions rest = options;
      rest.units.clear();
      rest.regions.clear();
      return rest;
    }());
  try {
    return run_projections(scenario, options);
  } catch (const demography::IntegrationError& e) {
    throw Error(fmt::format(
        "{}: the run failed: {}; check its interventions: {}; and the health model's inputs",
        scenario.path.string(), e.what(), intervention_list(scenario)));
  }
}

namespace {

results::Dataset run_projections(const Scenario& scenario, const RunOptions& options) {
  const unsigned threads = parallel::thread_count(options.threads);
  const std::size_t runs = 1 + (draw_span(options).second - draw_span(options).first);  // + central
  std::size_t per_run = 0;  // region-years of one run, known once inputs are read
  const auto report = [&](std::size_t done) {
    return !options.progress || options.progress(done, per_run * runs);
  };
  // Work before the central projection only asks whether to go on.
  const ProgressCallback ask = [&](std::size_t, std::size_t) { return report(0); };

  // Parse (done) -> read every input once -> set up -> project -> indicators -> targets.
  const ScenarioData data = read_inputs(scenario, ask);
  per_run =
      data.regions.size() * static_cast<std::size_t>(scenario.horizon - scenario.base_year + 1);
  Central central{resolve_reach(data, threads, ask), {}, {}};
  const Setup setup = make_setup(data, central.interventions);
  central.dataset =
      simulate(setup, threads, [&](std::size_t done, std::size_t) { return report(done); });
  results::Dataset& ds = central.dataset;
  add_calibration(ds, setup.projection);
  describe(ds, scenario);
  describe_units(ds, data);

  // Targets that must beat the national value need a run of the extends chain's root, with
  // the same draw (so that both sides of the comparison share their uncertain inputs).
  const bool has_targets = !scenario.targets.empty() || !scenario.monitored.empty();
  if (has_targets && data.national)
    central.national = simulate(make_setup(*data.national), threads, ask);
  std::vector<TargetResult> targets;
  if (has_targets)
    targets = evaluate_targets(
        scenario, data.judging, ds,
        central.national ? &*central.national : (needs_national(scenario) ? &ds : nullptr));
  std::vector<double> outcomes;
  if (options.draws > 0) {
    run_draws(data, central, options, threads, ds, targets, outcomes, report);
    ds.attributes["inputs_hash"] = inputs_hash(scenario);
  }
  if (options.draw_range) describe_part(ds, scenario, options);
  if (has_targets) add_targets(ds, scenario, data.judging, targets);
  if (!outcomes.empty()) {
    const auto& met = results::var::target_met;
    auto& kept =
        ds.add_variable(std::string(met.name) + std::string(results::DRAWS_SUFFIX),
                        {std::string(results::dim::draw), std::string(results::dim::target)},
                        std::string(met.units), std::string(met.long_name));
    kept.values = std::move(outcomes);
  }
  return ds;
}

}  // namespace

namespace {

// FNV-1a over bytes, continued from `hash`.
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash) {
  for (const unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

void add_input(std::set<std::filesystem::path>& files, const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& entry : fs::recursive_directory_iterator(path, ec))
      if (entry.is_regular_file(ec)) files.insert(fs::weakly_canonical(entry.path(), ec));
  } else if (fs::is_regular_file(path, ec)) {
    files.insert(fs::weakly_canonical(path, ec));
  }
}

}  // namespace

std::string inputs_hash(const Scenario& scenario) {
  std::uint64_t hash = fnv1a(scenario.text, 0xcbf29ce484222325ULL);
  std::set<std::filesystem::path> files(scenario.extends.begin(), scenario.extends.end());
  auto add_all = [&](const InputFiles& in) {
    for (const auto* path :
         {&in.population, &in.fertility, &in.fertility_uncertainty, &in.sex_ratio_at_birth,
          &in.net_migration, &in.mortality.rates, &in.health, &in.units, &in.official})
      add_input(files, *path);
    // The health model names its tables relative to its own folder.
    if (!in.health.empty()) add_input(files, in.health.parent_path());
  };
  add_all(scenario.inputs);
  for (const auto& region : scenario.regions) add_all(region.inputs);
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof())
      throw Error(fmt::format("{}: cannot read the input file to fingerprint it", file.string()));
    hash = fnv1a(file.filename().string(), hash);
    hash = fnv1a(bytes, hash);
  }
  return fmt::format("{:016x}", hash);
}

Scenario select_places(const Scenario& scenario, const std::vector<std::string>& units,
                       const std::vector<std::string>& regions) {
  const SourceLocation where{scenario.path.string(), 0, 0};
  Scenario out = scenario;
  if (!units.empty()) {
    if (scenario.inputs.units.empty())
      throw InputError(where, "units",
                       "--units needs the census units data: add `units: <path to "
                       "data/china/units>` to the scenario's 'inputs'");
    out.regions.clear();
    for (const auto& code : units) {
      RegionSpec region;
      region.name = code;
      region.unit = {code};
      region.inputs = scenario.inputs;
      region.where = where;
      out.regions.push_back(std::move(region));
    }
  }
  if (!regions.empty()) {
    std::vector<RegionSpec> kept;
    for (const auto& name : regions) {
      const auto found = std::find_if(out.regions.begin(), out.regions.end(),
                                      [&](const RegionSpec& r) { return r.name == name; });
      if (found == out.regions.end()) {
        std::string names;
        for (const auto& r : out.regions) names += (names.empty() ? "" : ", ") + r.name;
        throw InputError(
            where, "regions",
            fmt::format("no region {} to keep; the run's regions are: {}", printable(name), names));
      }
      kept.push_back(*found);
    }
    out.regions = std::move(kept);
  }
  std::set<std::string> seen;
  for (const auto& r : out.regions)
    if (!seen.insert(r.name).second)
      throw InputError(where, "regions",
                       fmt::format("region {} is given twice", printable(r.name)));
  return out;
}

}  // namespace healthcast::scenario
