// The example dataset of the results-file tests. tests/tools/write_example_results.cpp writes it
// for tests/python/test_results_layout.py, which checks how h5py, xarray and netCDF see it:
// keep that file's expected values in step with this one.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "healthcast/results/dataset.h"

namespace healthcast::testing {

inline results::Dataset example_dataset() {
  results::Dataset ds;
  ds.add_coordinate({"year", std::vector<int>{2020, 2021}, "calendar year", ""});
  ds.add_coordinate({"sex", std::vector<std::string>{"female", "male", "total"}, "sex", ""});
  ds.add_coordinate({"age", std::vector<int>{0, 1, 2}, "age in completed years", "years"});
  std::vector<int> steps(700);
  for (std::size_t i = 0; i < steps.size(); ++i) steps[i] = static_cast<int>(i);
  ds.add_coordinate({"step", steps, "", ""});

  results::Variable& population =
      ds.add_variable("population", {"year", "sex", "age"}, "persons", "population on 1 July");
  for (std::size_t i = 0; i < population.values.size(); ++i)
    population.values[i] = 1000.0 + 10.5 * static_cast<double>(i);
  // 1400 values: large enough to be chunked and compressed.
  results::Variable& incidence = ds.add_variable("incidence", {"year", "step"}, "", "new cases");
  for (std::size_t i = 0; i < incidence.values.size(); ++i)
    incidence.values[i] = 0.25 * static_cast<double>(i);

  ds.attributes["scenario"] =
      "名称: 基线情景\n说明: 按年龄和性别预测人口。\nsecond line, with \"quotes\"\n";
  ds.attributes["scenario_name"] = "baseline";
  return ds;
}

}  // namespace healthcast::testing
