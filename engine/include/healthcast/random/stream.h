// Explicit random streams (STYLE.md: "random streams are explicit arguments derived from
// (seed, draw)"). A stream is a pure function of (seed, draw, purpose) and its own counter, so
// draw j gives the same numbers however many draws are run, in whatever order or thread.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>

#include <Random123/philox.h>
#include <Random123/u01fixedpt.h>

namespace healthcast::random {

// What a stream is used for; separate purposes give independent streams for the same draw.
enum class Purpose : std::uint64_t {
  lee_carter_kt = 1,
  health_inputs = 2,
  // Added after the first two; existing purposes keep their numbers so their draws never shift.
  mortality_parameters = 3,  // the innovation variance of k drawn from its posterior
  mortality_structural = 4,  // age-specific random-walk departures from the factor model
  mortality_jump_off = 5,    // error of the jump-off rates
  mortality_sex_factor = 6,  // Li-Lee sex-specific AR(1) deviations
  fertility_tfr = 7,         // the TFR path's deviation from its central path
  // A census unit's levels relative to the nation (places/unit_inputs.h).
  unit_mortality = 20,  // the path of the unit's mortality offset
  unit_fertility = 21,  // the unit's fertility ratio
  unit_migration = 22,  // the unit's migration rates
};

// Counter-based (Random123's Philox4x64-10): key = (seed, draw), counter = (purpose, n, 0, 0)
// for the n-th block of four 64-bit words. No state is shared between streams.
class Stream {
 public:
  Stream(std::uint64_t seed, std::uint64_t draw, Purpose purpose)
      : key_{{seed, draw}}, purpose_(static_cast<std::uint64_t>(purpose)) {}

  // Uniform on the open interval (0, 1): the next 64-bit word, fixed-point converted.
  double uniform() {
    if (used_ == 4) refill();
    return ::u01fixedpt_open_open_64_double(block_.v[used_++]);
  }

  // Standard normal by Box-Muller; the pair's second value is kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double radius = std::sqrt(-2.0 * std::log(uniform()));
    const double angle = 2.0 * std::numbers::pi * uniform();
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  using Philox = r123::Philox4x64;

  void refill() {
    block_ = Philox()(Philox::ctr_type{{purpose_, counter_++, 0, 0}}, key_);
    used_ = 0;
  }

  Philox::key_type key_;
  std::uint64_t purpose_;
  std::uint64_t counter_ = 0;
  Philox::ctr_type block_{};
  std::size_t used_ = 4;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace healthcast::random
