#include "progress_bar.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace healthcast::cli {

ProgressBar::ProgressBar(std::string label, double delay_seconds)
    : label_(std::move(label)),
      delay_(delay_seconds),
      start_(std::chrono::steady_clock::now()),
      terminal_(isatty(fileno(stderr)) != 0) {}

ProgressBar::~ProgressBar() {
  if (drawn_ && terminal_) fmt::print(stderr, "\n");
}

void ProgressBar::update(std::size_t done, std::size_t total) {
  if (total == 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < delay_) return;
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  const double eta = fraction > 0.0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  if (terminal_) {
    // Redraw at most ten times a second, and always at the end.
    if (drawn_ && done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
    constexpr int WIDTH = 30;
    const int filled = static_cast<int>(fraction * WIDTH);
    fmt::print(stderr, "\r{} [{}{}] {:3.0f}%  {:.1f} s, {:.0f} s left ", label_,
               std::string(static_cast<std::size_t>(filled), '#'),
               std::string(static_cast<std::size_t>(WIDTH - filled), ' '), 100.0 * fraction,
               elapsed, eta);
    std::fflush(stderr);
    last_draw_ = now;
    drawn_ = true;
    return;
  }
  const int tenth = static_cast<int>(fraction * 10.0);
  if (tenth == last_tenth_) return;
  last_tenth_ = tenth;
  fmt::print(stderr, "{}: {:.0f}% after {:.1f} s, about {:.0f} s left\n", label_, 100.0 * fraction,
             elapsed, eta);
}

}  // namespace healthcast::cli
