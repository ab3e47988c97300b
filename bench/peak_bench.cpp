// The machine's measured floating-point peak per core, to say what fraction of it the engine
// reaches: independent fused multiply-adds on the widest vectors the compiler targets here
// (-march=native), enough chains in flight to hide the FMA latency.
#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>

namespace {

constexpr std::size_t LANES = 8;    // doubles per 512-bit vector (the compiler picks the width)
constexpr std::size_t CHAINS = 16;  // independent accumulators

void BM_PeakFmaDouble(benchmark::State& state) {
  alignas(64) std::array<std::array<double, LANES>, CHAINS> acc{};
  for (auto& a : acc) a.fill(1.0);
  const double x = 0.999999, y = 1e-7;
  constexpr std::size_t ROUNDS = 1000;
  for (auto _ : state) {
    for (std::size_t r = 0; r < ROUNDS; ++r)
      for (auto& a : acc)
#pragma GCC unroll 8
        for (std::size_t l = 0; l < LANES; ++l) a[l] = a[l] * x + y;
    benchmark::DoNotOptimize(acc);
  }
  // Two floating-point operations per multiply-add.
  state.counters["flops"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * ROUNDS * CHAINS * LANES * 2.0,
                         benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_PeakFmaDouble);
BENCHMARK_MAIN();
