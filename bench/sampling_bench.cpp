// Kernel of the Monte Carlo draws of the health model's inputs: one draw of the default China
// model (data/china/health.yaml), a copy of the central model with every uncertain table
// resampled. Budget: < 1 ms per draw. The copy alone is timed beside it for reference.
#include <benchmark/benchmark.h>

#include "healthcast/health/model.h"
#include "healthcast/health/sampling.h"

namespace {

using namespace healthcast;

const health::HealthModel& china_model() {
  static const health::HealthModel model =
      health::load_health_model(std::string(HEALTHCAST_SOURCE_DIR) + "/data/china/health.yaml");
  return model;
}

void BM_SampleHealthModelOneDraw(benchmark::State& state) {
  const auto& central = china_model();
  std::uint64_t draw = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(health::sample_health_model(central, 20240, draw++));
}

void BM_CopyHealthModel(benchmark::State& state) {
  const auto& central = china_model();
  for (auto _ : state) {
    health::HealthModel copy = central;
    benchmark::DoNotOptimize(copy);
  }
}

}  // namespace

BENCHMARK(BM_SampleHealthModelOneDraw)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CopyHealthModel)->Unit(benchmark::kMicrosecond);
