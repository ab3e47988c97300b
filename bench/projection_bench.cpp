// Kernels of a projection on the default China model: one projected year of one region with
// every disease and risk factor on (the baseline for the performance issue), the same year
// with all-cause mortality only, the health model's set-up, and the parts of one Monte Carlo
// draw of the 2020-2050 run (set-up of the draw's inputs, projection, health indicators).
#include <benchmark/benchmark.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "healthcast/demography/projection.h"
#include "healthcast/health/dynamics.h"
#include "healthcast/health/indicators.h"
#include "healthcast/scenario/inputs.h"
#include "healthcast/scenario/scenario.h"

namespace {

using namespace healthcast;

scenario::Scenario one_year(bool with_health) {
  auto sc = scenario::load_scenario(std::string(HEALTHCAST_SOURCE_DIR) +
                                    "/scenarios/china_reference.yaml");
  sc.horizon = sc.base_year;  // one projected year
  if (!with_health)
    for (auto& region : sc.regions) region.inputs.health.clear();
  return sc;
}

void projected_year(benchmark::State& state, bool with_health) {
  const auto setup = scenario::load_inputs(one_year(with_health));
  for (auto _ : state) benchmark::DoNotOptimize(demography::project(setup.projection));
  // 2 sexes x 101 ages of cohorts, plus the newborns of each sex.
  state.counters["cohort_years"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * (2 * 101 + 2), benchmark::Counter::kIsRate);
}

void BM_ProjectedYearWithHealthModel(benchmark::State& state) { projected_year(state, true); }
void BM_ProjectedYearAllCauseOnly(benchmark::State& state) { projected_year(state, false); }

void BM_HealthModelSetUp31Years(benchmark::State& state) {
  auto sc = scenario::load_scenario(std::string(HEALTHCAST_SOURCE_DIR) +
                                    "/scenarios/china_reference.yaml");
  for (auto _ : state) benchmark::DoNotOptimize(scenario::load_inputs(sc));
}

const scenario::ScenarioData& reference_data() {
  static const auto data = scenario::read_inputs(scenario::load_scenario(
      std::string(HEALTHCAST_SOURCE_DIR) + "/scenarios/china_reference.yaml"));
  return data;
}

// The inputs of draw j: Lee-Carter path, sampled health model, interventions, dynamics.
void BM_DrawSetUp(benchmark::State& state) {
  std::uint64_t j = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(scenario::make_setup(reference_data(), scenario::DrawKey{1, j++}));
}

void BM_DrawProjection(benchmark::State& state) {
  const auto setup = scenario::make_setup(reference_data(), scenario::DrawKey{1, 0});
  for (auto _ : state) benchmark::DoNotOptimize(demography::project(setup.projection));
  state.counters["cohort_years"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * 31 * (2 * 101 + 2), benchmark::Counter::kIsRate);
}

void BM_DrawHealthIndicators(benchmark::State& state) {
  const auto setup = scenario::make_setup(reference_data(), scenario::DrawKey{1, 0});
  const auto projected = demography::project(setup.projection);
  for (auto _ : state) {
    auto ds = projected;
    health::add_health_indicators(ds, setup.health());
    benchmark::DoNotOptimize(ds);
  }
}

}  // namespace

BENCHMARK(BM_DrawSetUp)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DrawProjection)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DrawHealthIndicators)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ProjectedYearWithHealthModel)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ProjectedYearAllCauseOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HealthModelSetUp31Years)->Unit(benchmark::kMillisecond);
// As the command line does (engine/cli/main.cpp): datasets of a few MB are reused from the heap
// rather than mapped afresh, so that kernels time the engine and not the page faults.
int main(int argc, char** argv) {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
