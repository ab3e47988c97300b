// Writes the projection problem of a scenario's first region as plain CSV files, for the
// NumPy/SciPy and R/deSolve comparators (bench/comparators/README in bench/README.md): the base
// population, fertility, sex ratio at birth and net migration by year, and every per-cohort-year
// coefficient of the health ODE (MODEL.md §1-2) as the engine prepared it. The comparators then
// re-implement only the projection, so that all three solve the same model on the same inputs.
//
// Usage: healthcast_export_problem SCENARIO [-o FOLDER] [--draw J] [--time-projection N]
//   -o FOLDER             write the CSV files into FOLDER (created if missing)
//   --draw J              the problem of Monte Carlo draw J (seed 1) instead of the central
//                         run: its inputs and its integration tolerances (DRAW_TOLERANCES)
//   --time-projection N   time the engine's set-up (load_inputs) once and demography::project
//                         N times (the projection alone, no file output); prints one line
//                         "timing engine read_s=SET_UP projection_s=WALL cpu_s=CPU" per run
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "healthcast/demography/projection.h"
#include "healthcast/error.h"
#include "healthcast/health/dynamics.h"
#include "healthcast/scenario/inputs.h"
#include "healthcast/scenario/scenario.h"

namespace {

using namespace healthcast;
using demography::AGE_MAX;
using demography::N_AGES;
using demography::N_SEXES;

constexpr double NEWBORN_ENTRY = 0.5;  // as in engine/src/demography/projection.cpp

class Csv {
 public:
  Csv(const std::filesystem::path& path, const std::vector<std::string>& header) : out_(path) {
    if (!out_) throw Error(fmt::format("cannot write {}", path.string()));
    row(header);
  }
  template <typename T>
  void row(const std::vector<T>& values) {
    for (std::size_t i = 0; i < values.size(); ++i)
      out_ << (i ? "," : "") << fmt::format("{}", values[i]);
    out_ << '\n';
  }

 private:
  std::ofstream out_;
};

// fmt's "{}" prints doubles in their shortest round-trip form, so nothing is lost in the CSV.
std::vector<std::string> cells(std::initializer_list<double> keys,
                               const std::vector<double>& more) {
  std::vector<std::string> out;
  for (double k : keys) out.push_back(fmt::format("{}", k));
  for (double v : more) out.push_back(fmt::format("{}", v));
  return out;
}

struct Shape {
  std::size_t diseases, residuals, categories;
};

void export_problem(const scenario::Setup& setup, const std::filesystem::path& dir) {
  const auto& region = setup.projection.regions.front();
  const auto* dyn = setup.health_dynamics.front().get();
  if (!dyn) throw Error("the scenario's first region has no health model; nothing to export");
  const health::HealthModel& m = dyn->model();
  const health::HealthPaths& paths = dyn->paths();
  // adjust_state is a no-op only without prevalence adjustments; the comparators leave it out.
  for (const auto& adj : paths.prevalence_adjustments)
    for (std::size_t y = 0; y < adj.scale.size(); ++y)
      if (adj.scale[y] != 1.0 || adj.shift[y] != 0.0)
        throw Error(
            "the scenario adjusts a risk-factor prevalence; the comparators do not model it");
  const std::size_t years =
      static_cast<std::size_t>(setup.projection.horizon - setup.projection.base_year + 1);
  const Shape sh{m.diseases.size(), m.residual_causes.size(), 0};
  std::size_t K = 0;
  for (const auto& f : m.categorical) K += f.categories.size();
  std::filesystem::create_directories(dir);
  const auto year_of = [&](std::size_t y) {
    return static_cast<double>(setup.projection.base_year + y);
  };

  {
    Csv c(dir / "grid.csv", {"key", "value"});
    c.row(std::vector<std::string>{"base_year", fmt::format("{}", setup.projection.base_year)});
    c.row(std::vector<std::string>{"horizon", fmt::format("{}", setup.projection.horizon)});
    c.row(std::vector<std::string>{"newborn_entry", fmt::format("{}", NEWBORN_ENTRY)});
    c.row(
        std::vector<std::string>{"rtol", fmt::format("{}", setup.projection.tolerances.relative)});
    c.row(
        std::vector<std::string>{"atol", fmt::format("{}", setup.projection.tolerances.absolute)});
    c.row(std::vector<std::string>{"region", region.name});
  }
  {
    // kind,index,name: diseases, residual causes, causes (diseases, residuals, other) and
    // categories (all categorical factors' categories in order; the state after the diseases).
    Csv c(dir / "names.csv", {"kind", "index", "name"});
    const auto put = [&](const std::string& kind, const std::vector<std::string>& names) {
      for (std::size_t i = 0; i < names.size(); ++i)
        c.row(std::vector<std::string>{kind, fmt::format("{}", i), names[i]});
    };
    put("disease", dyn->disease_names());
    std::vector<std::string> residuals, categories;
    for (const auto& rc : m.residual_causes) residuals.push_back(rc.name);
    for (const auto& f : m.categorical)
      for (const auto& cat : f.categories) categories.push_back(f.name + "/" + cat);
    put("residual_cause", residuals);
    put("cause", dyn->cause_names());
    put("category", categories);
  }
  {
    Csv c(dir / "population.csv", {"sex", "age", "population"});
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a)
        c.row(cells({double(s), double(a), region.population[s][a]}, {}));
  }
  {
    Csv f(dir / "fertility.csv", {"year", "age", "asfr"});
    Csv b(dir / "sex_ratio_at_birth.csv", {"year", "srb"});
    Csv n(dir / "net_migration.csv", {"year", "sex", "age", "net_migrants"});
    for (std::size_t y = 0; y < years; ++y) {
      b.row(cells({year_of(y), region.sex_ratio_at_birth[y]}, {}));
      for (std::size_t a = 0; a < N_AGES; ++a)
        f.row(cells({year_of(y), double(a), region.fertility[y][a]}, {}));
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t a = 0; a < N_AGES; ++a)
          n.row(cells({year_of(y), double(s), double(a), region.net_migration[y][s][a]}, {}));
    }
  }
  const std::size_t n_state = sh.diseases + K;
  {
    std::vector<std::string> header = {"sex", "age"};
    // The state's blocks in order: "prevalence/<disease>", then "<factor>/<category>".
    for (const auto& block : dyn->state_layout().blocks())
      for (const auto& label : block.labels)
        header.push_back(block.variable == &results::var::prevalence ? "prevalence/" + label
                                                                     : label);
    Csv c(dir / "initial_state.csv", header);
    std::vector<double> state(n_state);
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a) {
        dyn->initial_state(s, a, state);
        c.row(cells({double(s), double(a)}, state));
      }
    header.erase(header.begin() + 1);
    Csv nb(dir / "newborn_state.csv", header);
    for (std::size_t s = 0; s < N_SEXES; ++s) {
      dyn->newborn_state(s, state);
      nb.row(cells({double(s)}, state));
    }
  }

  {
    std::vector<std::string> header = {"year", "sex", "age", "other_mortality"};
    for (const auto& kind : {"incidence", "case_fatality", "remission"})
      for (const auto& d : m.diseases) header.push_back(std::string(kind) + "." + d.name);
    for (const auto& rc : m.residual_causes) header.push_back("residual_share." + rc.name);
    Csv c(dir / "rates.csv", header);
    for (std::size_t y = 0; y < years; ++y)
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t a = 0; a < N_AGES; ++a) {
          const auto& r = dyn->rates().at(y, s, a);
          std::vector<double> v = {r.other_mortality};
          v.insert(v.end(), r.incidence.begin(), r.incidence.end());
          v.insert(v.end(), r.case_fatality.begin(), r.case_fatality.end());
          v.insert(v.end(), r.remission.begin(), r.remission.end());
          // Share of other-cause deaths that each residual cause takes in this year.
          v.insert(v.end(), r.residual_share.begin(), r.residual_share.end());
          c.row(cells({year_of(y), double(s), double(a)}, v));
        }
  }

  // Transitions between categories (indices into the categories block) and their rates.
  {
    Csv list(dir / "transitions.csv", {"transition", "factor", "from", "to"});
    std::vector<std::string> header = {"year", "sex", "age"};
    std::size_t first = 0, t_all = 0;
    for (const auto& f : m.categorical) {
      for (const auto& t : f.transitions) {
        list.row(std::vector<std::string>{fmt::format("{}", t_all), f.name,
                                          fmt::format("{}", first + t.from),
                                          fmt::format("{}", first + t.to)});
        header.push_back(fmt::format("rate_{}", t_all++));
      }
      first += f.categories.size();
    }
    Csv c(dir / "transition_rates.csv", header);
    for (std::size_t y = 0; y < years; ++y)
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t a = 0; a < N_AGES; ++a) {
          std::vector<double> v;
          for (std::size_t j = 0; j < m.categorical.size(); ++j)
            for (std::size_t t = 0; t < m.categorical[j].transitions.size(); ++t)
              v.push_back(m.categorical[j].transitions[t].rate[s][a] *
                          paths.transition_multiplier[j][t][y]);
          c.row(cells({year_of(y), double(s), double(a)}, v));
        }
  }

  // Categorical factors' effects on incidence: incidence of `disease` times
  // (shares . rr) / base_mean_rr, rr over all categories (zero outside the factor's own).
  {
    Csv list(dir / "category_effects.csv", {"effect", "factor", "disease"});
    std::vector<std::string> header = {"effect", "sex", "age", "base_mean_rr"};
    for (std::size_t k = 0; k < K; ++k) header.push_back(fmt::format("rr_{}", k));
    Csv c(dir / "category_rr.csv", header);
    std::size_t first = 0, e = 0;
    for (std::size_t j = 0; j < m.categorical.size(); ++j) {
      const auto& f = m.categorical[j];
      for (std::size_t d = 0; d < sh.diseases; ++d) {
        const auto it = f.relative_risk.find(m.diseases[d].name);
        if (it == f.relative_risk.end()) continue;
        list.row(std::vector<std::string>{fmt::format("{}", e), f.name, fmt::format("{}", d)});
        for (std::size_t s = 0; s < N_SEXES; ++s)
          for (std::size_t a = 0; a < N_AGES; ++a) {
            const auto& rr = it->second[s][a];
            std::vector<double> v(K + 1, 0.0);
            v[0] = dyn->base_mean_relative_risk(j, d, s, a);
            for (std::size_t k = 0; k < rr.size(); ++k) v[1 + first + k] = rr[k];
            c.row(cells({double(e), double(s), double(a)}, v));
          }
        ++e;
      }
      first += f.categories.size();
    }
  }

  // Disease-to-disease effects (interactions, treatments of the affected with a disease):
  // incidence of `to` times (1 + slope pi_from) / base_value, as the engine prepares them.
  {
    std::vector<health::HealthDynamics::PrevalenceFactor> factors;
    dyn->prevalence_factors(0, 0, 0, factors);
    Csv list(dir / "prevalence_effects.csv", {"effect", "kind", "from", "to"});
    std::vector<std::string> header = {"year", "sex", "age"};
    for (std::size_t e = 0; e < factors.size(); ++e) {
      list.row(std::vector<std::string>{
          fmt::format("{}", e), e < m.interactions.size() ? "interaction" : "treatment",
          fmt::format("{}", factors[e].from), fmt::format("{}", factors[e].to)});
      header.push_back(fmt::format("slope_{}", e));
    }
    for (std::size_t e = 0; e < factors.size(); ++e) header.push_back(fmt::format("base_{}", e));
    Csv c(dir / "prevalence_effect_values.csv", header);
    for (std::size_t y = 0; y < years; ++y)
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t a = 0; a < N_AGES; ++a) {
          dyn->prevalence_factors(y, s, a, factors);
          std::vector<double> values;
          for (const auto& f : factors) values.push_back(f.slope);
          for (const auto& f : factors) values.push_back(1.0 / f.inverse_base_value);
          c.row(cells({year_of(y), double(s), double(a)}, values));
        }
  }
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string scenario_path, out_dir;
  int time_runs = 0;
  std::optional<scenario::DrawKey> draw;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" && i + 1 < args.size()) {
      out_dir = args[++i];
    } else if (args[i] == "--draw" && i + 1 < args.size()) {
      draw = scenario::DrawKey{1, std::stoull(args[++i])};
    } else if (args[i] == "--time-projection" && i + 1 < args.size()) {
      time_runs = std::stoi(args[++i]);
    } else if (scenario_path.empty() && !args[i].starts_with("-")) {
      scenario_path = args[i];
    } else {
      std::cerr << "usage: healthcast_export_problem SCENARIO [-o FOLDER] "
                   "[--draw J] [--time-projection N]\n";
      return 2;
    }
  }
  if (scenario_path.empty()) {
    std::cerr << "usage: healthcast_export_problem SCENARIO [-o FOLDER] [--draw J] "
                 "[--time-projection N]\n";
    return 2;
  }
  try {
    auto t0 = std::chrono::steady_clock::now();
    const auto sc = scenario::load_scenario(scenario_path);
    const auto setup = scenario::make_setup(scenario::read_inputs(sc), draw);
    const double setup_s = seconds_since(t0);
    if (!out_dir.empty()) {
      export_problem(setup, out_dir);
      std::cout << "exported " << sc.name << " (" << setup.projection.regions.front().name << ", "
                << setup.projection.base_year << "-" << setup.projection.horizon << ") to "
                << out_dir << "\n";
    }
    // One line per projection, in the comparators' format (read_s = the engine's set-up).
    for (int r = 0; r < time_runs; ++r) {
      t0 = std::chrono::steady_clock::now();
      const std::clock_t c0 = std::clock();
      const auto ds = demography::project(setup.projection);
      const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
      std::cout << fmt::format("timing engine read_s={:.4f} projection_s={:.4f} cpu_s={:.4f}\n",
                               setup_s, seconds_since(t0), cpu);
    }
  } catch (const std::exception& e) {
    std::cerr << "healthcast_export_problem: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
