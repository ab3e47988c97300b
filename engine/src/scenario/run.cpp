#include "healthcast/scenario/run.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>

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

// Adds draw j of n to the dataset as V_draws for every drawn variable V of `layout`, as
// io::DrawWriter writes them to a file; the variables are made when the first draw arrives.
void keep_draw(results::Dataset& out, const results::DrawLayout& layout, std::size_t j,
               std::size_t n, const results::Dataset& draw) {
  const std::string suffix(results::DRAWS_SUFFIX);
  if (j == 0) {
    out.add_coordinate(results::draw_coordinate(n));
    for (const auto& v : layout.variables()) {
      std::vector<std::string> dims = {std::string(results::dim::draw)};
      dims.insert(dims.end(), v.dims.begin(), v.dims.end());
      out.add_variable(v.name + suffix, dims, v.units, v.long_name);
    }
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

// Judges the drawn targets in draws and adds the summaries, kept draws and target
// probabilities to the central run's dataset.
void run_draws(const ScenarioData& data, const Central& central, const RunOptions& options,
               unsigned threads, results::Dataset& ds, std::vector<TargetResult>& targets,
               const std::function<bool(std::size_t)>& report) {
  const std::size_t draws = options.draws;
  results::DrawSummary summary(ds);
  const DrawnTargets drawn(data.scenario);
  std::vector<double> met_count(drawn.index.size(), 0.0);
  std::vector<double> judged_count(drawn.index.size(), 0.0);
  const std::function<Draw(std::size_t)> produce = [&](std::size_t j) {
    const DrawKey key{options.seed, j};
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
  const std::function<bool(std::size_t, Draw&)> consume = [&](std::size_t j, Draw& d) {
    summary.add(d.dataset);
    for (std::size_t t = 0; t < d.met.size(); ++t)
      if (!std::isnan(d.met[t])) {
        met_count[t] += d.met[t];
        judged_count[t] += 1.0;
      }
    if (options.keep_draws) keep_draw(ds, summary.layout(), j, draws, d.dataset);
    if (options.on_draw) options.on_draw(j, d.dataset);
    return report(per_run * (j + 2));
  };
  if (!parallel::ordered_map(draws, threads, produce, consume)) throw Interrupted();
  summary.write_to(ds);
  ds.attributes["draws"] = std::to_string(draws);
  ds.attributes["seed"] = std::to_string(options.seed);
  // Modelled targets take their probability from the draws.
  for (std::size_t k = 0; k < drawn.index.size(); ++k)
    if (judged_count[k] > 0.0) targets[drawn.index[k]].probability = met_count[k] / judged_count[k];
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
  const std::size_t runs = 1 + options.draws;  // the central run counts as one
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
  if (options.draws > 0) run_draws(data, central, options, threads, ds, targets, report);
  if (has_targets) add_targets(ds, scenario, data.judging, targets);
  return ds;
}

}  // namespace

}  // namespace healthcast::scenario
