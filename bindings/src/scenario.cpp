// Scenarios and runs. A run is parse_scenario -> run_scenario, all in C++, so that C++
// does every check whether the scenario comes from a file or from text edited in Python.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include <pybind11/functional.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "core.h"
#include "healthcast/demography/projection.h"
#include "healthcast/error.h"
#include "healthcast/io/merge.h"
#include "healthcast/io/results_file.h"
#include "healthcast/parallel/ordered.h"
#include "healthcast/results/dataset.h"
#include "healthcast/scenario/inputs.h"
#include "healthcast/scenario/run.h"
#include "healthcast/scenario/scenario.h"
#include "healthcast/scenario/solve.h"

namespace healthcast::python {

namespace {

namespace fs = std::filesystem;

py::dict describe(const scenario::Scenario& sc) {
  py::dict d;
  d["format_version"] = sc.format_version;
  d["name"] = sc.name;
  d["title"] = sc.title;
  d["description"] = sc.description;
  d["base_year"] = sc.base_year;
  d["horizon"] = sc.horizon;
  py::list regions;
  for (const auto& r : sc.regions) regions.append(r.name);
  d["regions"] = regions;
  d["path"] = sc.path;
  d["text"] = sc.text;
  return d;
}

// Projects a scenario given as text. `progress(done, total)`, when given, is called after each
// region-year of the central run and after each draw. The run can be stopped by Ctrl-C: the C++
// progress callback checks for pending signals, and a pending KeyboardInterrupt (or an exception
// from `progress`) stops the run and is raised in place of the C++ "interrupted" error.
// With `output`, the dataset is also written there (atomically), still without the GIL.
results::Dataset run(const std::string& text, const fs::path& path,
                     const std::optional<py::function>& progress, std::size_t draws,
                     std::uint64_t seed, unsigned threads, bool keep_draws,
                     std::optional<std::pair<std::size_t, std::size_t>> draw_range,
                     std::vector<std::string> units, std::vector<std::string> regions,
                     const std::optional<fs::path>& output) {
  std::optional<py::error_already_set> python_error;
  const demography::ProgressCallback callback = [&](std::size_t done, std::size_t total) {
    py::gil_scoped_acquire gil;  // briefly, to look at signals and update the progress bar
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (progress) (*progress)(done, total);
      return true;
    } catch (py::error_already_set& e) {
      python_error.emplace(std::move(e));
      return false;  // project() then throws Error("interrupted")
    }
  };

  results::Dataset ds;
  try {
    // Safe without the GIL: everything below works on C++ objects owned by this frame (the
    // text and path were copied out of Python by the argument casters); the only way back into
    // Python is the callback above, which takes the GIL before touching anything.
    py::gil_scoped_release no_gil;
    scenario::RunOptions options;
    options.draws = draws;
    options.seed = seed;
    options.threads = threads;
    // A part keeps its draws for the merge, as `healthcast run --draw-range` does.
    options.keep_draws = keep_draws || draw_range.has_value();
    options.draw_range = draw_range;
    options.units = std::move(units);
    options.regions = std::move(regions);
    options.progress = callback;
    ds = scenario::run_scenario(scenario::parse_scenario(text, path), options);
    if (output) io::write_results(ds, *output);
  } catch (const Error&) {
    if (python_error) throw std::move(*python_error);  // the GIL is held again here
    throw;
  }
  return ds;
}

// Goal seeking (scenario/solve.h) on a scenario given as text; low/high default to the
// lever's default range.
py::dict solve(const std::string& text, const fs::path& path, const std::string& indicator,
               int year, const std::string& lever, const std::string& field,
               std::optional<double> low, std::optional<double> high,
               std::optional<double> probability, std::size_t draws, std::uint64_t seed,
               unsigned threads) {
  scenario::SolveResult s;
  {
    // Safe without the GIL: only C++ objects copied out of the arguments are used.
    py::gil_scoped_release no_gil;
    const auto sc = scenario::parse_scenario(text, path);
    scenario::SolveRequest r{indicator, year,        lever, field, 0,
                             1,         probability, draws, seed,  threads};
    for (const auto& iv : sc.interventions)
      if (iv.name == lever)
        if (const auto range = scenario::default_range(iv, field)) std::tie(r.low, r.high) = *range;
    if (low) r.low = *low;
    if (high) r.high = *high;
    s = scenario::solve(sc, r);
  }
  py::dict d;
  d["reachable"] = s.reachable;
  d["size"] = s.size;
  d["judged"] = s.judged;
  d["gap"] = s.gap;
  d["probability"] = probability ? py::cast(s.probability) : py::none();
  d["met_everywhere"] = s.met_everywhere;
  d["runs"] = s.runs;
  return d;
}

}  // namespace

void init_scenario(py::module_& m) {
  m.def(
      "load_scenario", [](const fs::path& path) { return describe(scenario::load_scenario(path)); },
      py::arg("path"), "read and check a scenario file; returns its header fields and text");
  m.def(
      "parse_scenario",
      [](std::string text, const fs::path& path) {
        return describe(scenario::parse_scenario(std::move(text), path));
      },
      py::arg("text"), py::arg("path"),
      "check scenario text; `path` names it in messages and anchors relative input paths");
  m.def("run", &run, py::arg("text"), py::arg("path"), py::arg("progress") = py::none(),
        py::arg("draws") = 0, py::arg("seed") = 0, py::arg("threads") = 1,
        py::arg("keep_draws") = false, py::arg("draw_range") = py::none(),
        py::arg("units") = std::vector<std::string>{},
        py::arg("regions") = std::vector<std::string>{}, py::arg("output") = py::none(),
        "project a scenario given as text (with Monte Carlo draws when draws > 0, only draws "
        "[a, b) with draw_range), return the results dataset and, with output, write it there");
  m.def(
      "merge",
      [](const std::vector<fs::path>& parts, const fs::path& output, bool keep_draws,
         unsigned threads) {
        // Safe without the GIL: the paths were copied out of Python by the argument casters.
        py::gil_scoped_release no_gil;
        io::MergeOptions options;
        options.keep_draws = keep_draws;
        options.threads = threads;
        io::merge_parts(parts, output, options);
      },
      py::arg("parts"), py::arg("output"), py::arg("keep_draws") = false, py::arg("threads") = 0,
      "merge parts of a run into the whole run's results file (io/merge.h)");
  m.def(
      "usable_cpus", [] { return parallel::usable_cpus(); },
      "CPUs this process may use: its affinity mask and SLURM_CPUS_PER_TASK");
  m.def("solve", &solve, py::arg("text"), py::arg("path"), py::arg("indicator"), py::arg("year"),
        py::arg("lever"), py::arg("field"), py::arg("low") = py::none(),
        py::arg("high") = py::none(), py::arg("probability") = py::none(), py::arg("draws") = 100,
        py::arg("seed") = 1, py::arg("threads") = 0,
        "the lever size that meets a target (scenario/solve.h)");
}

}  // namespace healthcast::python
