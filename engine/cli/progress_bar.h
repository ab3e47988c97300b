// A progress bar on standard error for long command-line runs: drawn in place on a terminal,
// one line per tenth of the work in logs (batch runs), and only once a run has taken longer
// than a couple of seconds, so that short runs stay quiet.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace healthcast::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label, double delay_seconds = 2.0);
  ~ProgressBar();  // ends the bar's line if one was drawn
  // Work done out of total; cheap to call often.
  void update(std::size_t done, std::size_t total);

 private:
  std::string label_;
  double delay_;
  std::chrono::steady_clock::time_point start_, last_draw_{};
  bool terminal_ = false, drawn_ = false;
  int last_tenth_ = -1;
};

}  // namespace healthcast::cli
