// Historical death rates by period, sex and age (`from_year,to_year,sex,age,mx`, e.g.
// data/china/mortality_history.csv): what the Lee-Carter method fits and the back-test scores.
#pragma once

#include <array>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Dense>

#include "healthcast/demography/projection.h"

namespace healthcast::input {

struct MortalityHistory {
  std::string source;                        // the file, for messages
  std::vector<int> ages;                     // left edges, from 0 to AGE_MAX (the open group)
  std::vector<std::pair<int, int>> periods;  // [from_year, to_year], increasing
  std::array<Eigen::MatrixXd, demography::N_SEXES> mx;  // [female, male]: ages x periods

  // A period's time on the Lee-Carter axis: its middle, (from + to) / 2.
  double mid(std::size_t period) const;
  // Indices of the periods that lie wholly within [first_year, last_year].
  std::vector<std::size_t> within(int first_year, int last_year) const;
};

// Reads and checks the file: every period must hold both sexes on the same ages (starting at
// 0, increasing, the last AGE_MAX), and periods must not overlap. Rows for sex "total" are
// skipped. Throws InputError with the file, line and field.
MortalityHistory read_mortality_history(const std::filesystem::path& path);

// Rates on the left edges `ages` spread to single years 0..AGE_MAX, constant in each interval.
demography::AgeArray to_single_ages(std::span<const int> ages, const Eigen::VectorXd& m);

}  // namespace healthcast::input
