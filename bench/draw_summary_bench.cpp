// Kernels of Monte Carlo runs that handle whole draws: DrawSummary (exact mean, median and 95%
// interval of 100 draws: add() them, then write_to() on 1 or 2 threads) and DrawWriter::write (one
// kept draw into the results file), for a dataset of 347,541 drawn values (37 variables by 31
// years, 3 sexes and 101 ages), about the size of the default scenario's results. Budget for add:
// well under 5 ms (it runs once per draw, 1000 draws per run).
#include <cstddef>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <unistd.h>

#include "healthcast/io/draw_writer.h"
#include "healthcast/results/dataset.h"
#include "healthcast/results/draw_summary.h"

namespace {

using namespace healthcast;

results::Dataset layout() {
  results::Dataset ds;
  std::vector<int> years(31), ages(101);
  for (int i = 0; i < 31; ++i) years[static_cast<std::size_t>(i)] = 2020 + i;
  for (int i = 0; i < 101; ++i) ages[static_cast<std::size_t>(i)] = i;
  ds.add_coordinate({"year", years, "", ""});
  ds.add_coordinate({"sex", std::vector<std::string>{"female", "male", "total"}, "", ""});
  ds.add_coordinate({"age", ages, "", ""});
  for (int v = 0; v < 37; ++v)
    ds.add_variable("outcome_" + std::to_string(v), {"year", "sex", "age"}, "", "");
  return ds;
}

// 16 different draws of lognormal values, fed in turn.
const std::vector<results::Dataset>& draws() {
  static const std::vector<results::Dataset> all = [] {
    std::mt19937_64 rng(1);
    std::lognormal_distribution<double> value(0.0, 0.5);
    std::vector<results::Dataset> made(16, layout());
    for (auto& d : made)
      for (auto& v : d.variables())
        for (auto& x : v.values) x = value(rng);
    return made;
  }();
  return all;
}

void BM_DrawSummary100(benchmark::State& state) {
  const auto& all = draws();
  const auto threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    results::DrawSummary summary(all[0], threads);
    for (std::size_t j = 0; j < 100; ++j) summary.add(all[j % all.size()]);
    results::Dataset out = all[0];
    summary.write_to(out);
    benchmark::DoNotOptimize(out.variables().back().values.data());
  }
  state.counters["values"] = static_cast<double>(results::DrawLayout(all[0]).cells());
}

void BM_DrawWriterWrite(benchmark::State& state) {
  const auto& all = draws();
  const std::size_t capacity = 64;
  const auto path = std::filesystem::temp_directory_path() /
                    ("healthcast-bench-draws-" + std::to_string(::getpid()) + ".h5");
  std::size_t j = 0;
  auto writer = std::make_unique<io::DrawWriter>(path, all[0], capacity);
  for (auto _ : state) {
    if (j == capacity) {  // a new file; dropping the old one first removes it
      state.PauseTiming();
      writer.reset();
      writer = std::make_unique<io::DrawWriter>(path, all[0], capacity);
      j = 0;
      state.ResumeTiming();
    }
    writer->write(j, all[j % all.size()]);
    ++j;
  }
}

}  // namespace

BENCHMARK(BM_DrawSummary100)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DrawWriterWrite)->Unit(benchmark::kMillisecond);
