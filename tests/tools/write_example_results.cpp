// Writes the results-file tests' example dataset (tests/cpp/example_results.h) to the file given,
// for tests/python/test_results_layout.py, which checks how h5py, xarray and netCDF read it.
#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "example_results.h"
#include "healthcast/io/results_file.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: {} FILE.h5\n", argv[0]);
    return 2;
  }
  try {
    healthcast::io::write_results(healthcast::testing::example_dataset(), argv[1]);
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
