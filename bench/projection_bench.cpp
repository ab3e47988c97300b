// Kernels of a projection on the default China model: one projected year of one region with
// every disease and risk factor on (the baseline for the performance issue), the same year
// with all-cause mortality only, and the health model's set-up.
#include <benchmark/benchmark.h>

#include "healthcast/demography/projection.h"
#include "healthcast/health/dynamics.h"
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
  for (auto _ : state) benchmark::DoNotOptimize(demography::project(setup));
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

}  // namespace

BENCHMARK(BM_ProjectedYearWithHealthModel)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ProjectedYearAllCauseOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HealthModelSetUp31Years)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
