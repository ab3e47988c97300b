#include "healthcast/scenario/solve.h"

#include <cmath>
#include <cstdint>

#include <fmt/format.h>
#include <boost/math/tools/roots.hpp>

#include "healthcast/error.h"
#include "healthcast/names.h"
#include "healthcast/results/catalogue.h"
#include "healthcast/scenario/run.h"

namespace healthcast::scenario {

namespace {

const std::vector<std::string>& field_names() {
  static const std::vector<std::string> names = {"scale", "shift", "reach", "multiply",
                                                 "reach_tfr"};
  return names;
}

std::optional<double>& field_of(Intervention& iv, const std::string& field) {
  if (field == "scale") return iv.scale;
  if (field == "shift") return iv.shift;
  if (field == "reach") return iv.reach;
  if (field == "multiply") return iv.multiply;
  if (field == "reach_tfr") return iv.reach_tfr;
  throw InputError({}, "lever", unknown_name(field, "a lever field", "fields", field_names()));
}

// The scenario reduced to the one target, with its lever set to `size`.
struct Problem {
  Scenario scenario;
  std::size_t lever = 0;
  std::string field;
  std::optional<double> probability;
  RunOptions options;
  int runs = 0;

  struct Outcome {
    double judged, gap, probability;
  };
  Outcome at(double size) {
    Scenario sc = scenario;
    field_of(sc.interventions[lever], field) = size;
    ++runs;
    const results::Dataset ds = run_scenario(sc, options);
    const auto value = [&](const results::VariableSpec& v) { return ds.variable(v).values.at(0); };
    return {value(results::var::target_judged), value(results::var::target_gap),
            probability ? value(results::var::target_probability) : NAN};
  }
};

Problem make_problem(const Scenario& scenario, const SolveRequest& r) {
  Problem p{scenario, 0, r.field, r.probability, {}, 0};
  std::vector<std::string> names;
  for (const auto& iv : scenario.interventions) names.push_back(iv.name);
  const auto lever = find_name(names, r.lever);
  if (!lever)
    throw InputError(
        {scenario.path.string(), 0, 0}, "lever",
        unknown_name(r.lever, "an intervention of the scenario", "interventions", names));
  p.lever = *lever;
  if (!field_of(p.scenario.interventions[p.lever], r.field))
    throw InputError(scenario.interventions[p.lever].where, r.field,
                     fmt::format("intervention '{}' has no '{}' to solve for; it sets: {}", r.lever,
                                 r.field, [&] {
                                   std::string set;
                                   for (const auto& f : field_names())
                                     if (field_of(p.scenario.interventions[p.lever], f))
                                       set += (set.empty() ? "" : ", ") + f;
                                   return set.empty() ? std::string("nothing") : set;
                                 }()));
  std::vector<Target> kept;
  for (const auto& t : scenario.targets)
    if (t.indicator == r.indicator && t.year == r.year) kept.push_back(t);
  if (kept.empty())
    throw InputError({scenario.path.string(), 0, 0}, "target",
                     fmt::format("the scenario has no target for {} in {}", r.indicator, r.year));
  // Judged on the model, not as set by the lever: the lever's size is what is sought.
  kept.front().lever.clear();
  p.scenario.targets = {kept.front()};
  p.scenario.monitored.clear();
  if (r.probability) {
    p.options.draws = r.draws;
    p.options.seed = r.seed;
  }
  p.options.threads = r.threads;
  return p;
}

// The size where the central gap crosses 0, by TOMS 748 (Boost.Math).
SolveResult solve_central(Problem& p, double low, double high) {
  const auto lo = p.at(low), hi = p.at(high);
  SolveResult out;
  if ((lo.gap > 0) == (hi.gap > 0)) {
    const bool low_closer = std::abs(lo.gap) < std::abs(hi.gap);
    out.size = low_closer ? low : high;
    out.judged = low_closer ? lo.judged : hi.judged;
    out.gap = low_closer ? lo.gap : hi.gap;
    out.met_everywhere = out.reachable = lo.gap <= 0;
    return out;
  }
  std::uintmax_t iterations = 60;
  const double tol = 1e-6 * (high - low);
  const auto root = boost::math::tools::toms748_solve(
      [&](double x) { return p.at(x).gap; }, low, high, lo.gap, hi.gap,
      [tol](double a, double b) { return std::abs(b - a) <= tol; }, iterations);
  // The end of the final bracket on the met side.
  const double a = root.first, b = root.second;
  const auto at_a = p.at(a);
  const bool a_met = at_a.gap <= 0;
  out.size = a_met ? a : b;
  const auto chosen = a_met ? at_a : p.at(b);
  out.judged = chosen.judged;
  out.gap = chosen.gap;
  out.reachable = true;
  return out;
}

// The size where the probability of meeting the target crosses P, by bisection: across a finite
// number of draws the probability is a step function of the size.
SolveResult solve_probability(Problem& p, double low, double high, double wanted) {
  auto lo = p.at(low), hi = p.at(high);
  SolveResult out;
  if (std::max(lo.probability, hi.probability) < wanted ||
      std::min(lo.probability, hi.probability) >= wanted) {
    // Unreachable: the end with the higher probability; met everywhere: the end barely
    // meeting it (the lower probability).
    const bool everywhere = std::min(lo.probability, hi.probability) >= wanted;
    // Equal probabilities (often 0 or 1 at both ends): the central gap nearer 0 decides.
    const bool pick_low =
        lo.probability == hi.probability
            ? std::abs(lo.gap) <= std::abs(hi.gap)
            : (everywhere ? lo.probability < hi.probability : lo.probability > hi.probability);
    const auto& best = pick_low ? lo : hi;
    out.size = pick_low ? low : high;
    out.judged = best.judged;
    out.gap = best.gap;
    out.probability = best.probability;
    out.met_everywhere = out.reachable = everywhere;
    return out;
  }
  // Keep `good` (probability >= P) and `bad` ends.
  double good = lo.probability >= wanted ? low : high, bad = good == low ? high : low;
  auto good_outcome = good == low ? lo : hi;
  for (int i = 0; i < 14; ++i) {
    const double mid = 0.5 * (good + bad);
    const auto m = p.at(mid);
    if (m.probability >= wanted) {
      good = mid;
      good_outcome = m;
    } else {
      bad = mid;
    }
  }
  out.size = good;
  out.judged = good_outcome.judged;
  out.gap = good_outcome.gap;
  out.probability = good_outcome.probability;
  out.reachable = true;
  return out;
}

}  // namespace

std::optional<std::pair<double, double>> default_range(const Intervention& lever,
                                                       const std::string& field) {
  if (field == "scale" || field == "multiply") return std::pair{0.0, 1.0};
  if (field == "reach")
    return lever.kind == InterventionKind::treatment_coverage ? std::pair{0.0, 1.0}
                                                              : std::pair{0.0, 100.0};
  return std::nullopt;
}

SolveResult solve(const Scenario& scenario, const SolveRequest& request) {
  if (!(request.low < request.high))
    throw InputError({}, "range",
                     fmt::format("the range {}..{} is empty; give LOW,HIGH with LOW < HIGH",
                                 request.low, request.high));
  if (request.probability && !(*request.probability > 0 && *request.probability <= 1))
    throw InputError({}, "probability", fmt::format("{} is outside (0, 1]", *request.probability));
  Problem p = make_problem(scenario, request);
  SolveResult out = request.probability
                        ? solve_probability(p, request.low, request.high, *request.probability)
                        : solve_central(p, request.low, request.high);
  out.runs = p.runs;
  return out;
}

}  // namespace healthcast::scenario
