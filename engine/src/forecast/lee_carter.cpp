#include "healthcast/forecast/lee_carter.h"

#include <cmath>

#include <fmt/format.h>

#include "healthcast/error.h"
#include "healthcast/random/stream.h"

namespace healthcast::forecast {

namespace {

void check_inputs(const Eigen::Ref<const Eigen::MatrixXd>& mx, std::span<const int> ages,
                  std::span<const double> years) {
  if (static_cast<std::size_t>(mx.rows()) != ages.size() ||
      static_cast<std::size_t>(mx.cols()) != years.size())
    throw Error(
        fmt::format("Lee-Carter: the rates are {} x {} but there are {} ages and {} "
                    "years; rows are ages and columns are years",
                    mx.rows(), mx.cols(), ages.size(), years.size()));
  if (years.size() < 3)
    throw Error(
        fmt::format("Lee-Carter needs at least 3 years or periods to fit; got {}", years.size()));
  const double step = years[1] - years[0];
  for (std::size_t t = 1; t < years.size(); ++t)
    if (!(step > 0.0) || std::abs(years[t] - years[t - 1] - step) > 1e-9 * step)
      throw Error(
          fmt::format("Lee-Carter: the years must increase in equal steps; {} follows "
                      "{} after a step of {}",
                      years[t], years[t - 1], step));
  for (Eigen::Index t = 0; t < mx.cols(); ++t)
    for (Eigen::Index x = 0; x < mx.rows(); ++x)
      if (!(mx(x, t) > 0.0) || !std::isfinite(mx(x, t)))
        throw Error(
            fmt::format("Lee-Carter: the death rate at age {} in {} is {}; log rates "
                        "need positive finite values",
                        ages[x], years[t], mx(x, t)));
}

}  // namespace

LeeCarter LeeCarter::fit(const Eigen::Ref<const Eigen::MatrixXd>& mx, std::span<const int> ages,
                         std::span<const double> years) {
  check_inputs(mx, ages, years);
  LeeCarter lc;
  lc.ages_.assign(ages.begin(), ages.end());
  lc.years_.assign(years.begin(), years.end());
  lc.step_ = years[1] - years[0];
  const Eigen::MatrixXd log_m = mx.array().log().matrix();
  lc.last_log_m_ = log_m.col(log_m.cols() - 1);
  lc.ax_ = log_m.rowwise().mean();
  const Eigen::MatrixXd centred = log_m.colwise() - lc.ax_;

  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd u = svd.matrixU().col(0);
  const double s = svd.singularValues()(0);
  const double sum_u = u.sum();
  if (!(s > 0.0) || std::abs(sum_u) < 1e-12)
    throw Error(
        "Lee-Carter: the log rates do not change over time (or their first singular "
        "vector sums to zero), so b_x cannot be normalised to sum 1");
  // Scaling u by 1/sum(u) gives sum b_x = 1 and fixes the sign; k absorbs the inverse scale.
  // sum k_t = 0 holds because every row of `centred` sums to zero.
  lc.bx_ = u / sum_u;
  lc.kt_ = svd.matrixV().col(0) * (s * sum_u);
  lc.explained_ = s * s / svd.singularValues().squaredNorm();

  const Eigen::Index n = lc.kt_.size();
  lc.drift_ = (lc.kt_(n - 1) - lc.kt_(0)) / static_cast<double>(n - 1);
  double ss = 0.0;
  for (Eigen::Index t = 1; t < n; ++t) ss += std::pow(lc.kt_(t) - lc.kt_(t - 1) - lc.drift_, 2);
  lc.sigma_ = std::sqrt(ss / static_cast<double>(n - 2));
  lc.drift_se_ = lc.sigma_ / std::sqrt(static_cast<double>(n - 1));
  return lc;
}

Eigen::MatrixXd LeeCarter::fitted() const {
  return ((bx_ * kt_.transpose()).colwise() + ax_).array().exp().matrix();
}

double LeeCarter::k_at(double year) const {
  return kt_(kt_.size() - 1) + drift_per_year() * (year - years_.back());
}

Eigen::VectorXd LeeCarter::rates(double k, JumpOff jump_off) const {
  const Eigen::VectorXd log_m = jump_off == JumpOff::observed
                                    ? Eigen::VectorXd(last_log_m_ + bx_ * (k - kt_(kt_.size() - 1)))
                                    : Eigen::VectorXd(ax_ + bx_ * k);
  return log_m.array().exp().matrix();
}

LeeCarterForecast LeeCarter::forecast(int horizon, int draws, std::uint64_t seed,
                                      JumpOff jump_off) const {
  if (horizon < 1 || draws < 0)
    throw Error(
        fmt::format("Lee-Carter forecast: horizon must be at least 1 year and draws "
                    "at least 0; got horizon {}, draws {}",
                    horizon, draws));
  LeeCarterForecast f;
  const auto h_count = static_cast<Eigen::Index>(horizon);
  f.mx.resize(bx_.size(), h_count);
  for (int h = 1; h <= horizon; ++h) {
    const double t = years_.back() + h;
    const double steps = h / step_;
    f.years.push_back(t);
    f.kt.push_back(k_at(t));
    f.kt_sd_innovation.push_back(sigma_ * std::sqrt(steps));
    f.kt_sd.push_back(std::sqrt(steps * sigma_ * sigma_ + steps * steps * drift_se_ * drift_se_));
    f.mx.col(h - 1) = rates(f.kt.back(), jump_off);
  }
  if (draws > 0) {
    f.kt_draws.resize(draws, h_count);
    for (int j = 0; j < draws; ++j) {
      const auto k = k_draw(f.years, seed, static_cast<std::uint64_t>(j));
      for (Eigen::Index h = 0; h < h_count; ++h) f.kt_draws(j, h) = k[static_cast<std::size_t>(h)];
    }
  }
  return f;
}

std::vector<double> LeeCarter::k_draw(std::span<const double> times, std::uint64_t seed,
                                      std::uint64_t draw) const {
  const double last = years_.back();
  double latest = last;
  for (double t : times) latest = std::max(latest, t);
  // The annual path k_0 = k_T, k_1, ..., far enough to cover every time asked for.
  random::Stream rng(seed, draw, random::Purpose::lee_carter_kt);
  const double drift_year = (drift_ + drift_se_ * rng.normal()) / step_;
  const double annual_sd = sigma_ / std::sqrt(step_);
  std::vector<double> path{kt_(kt_.size() - 1)};
  while (last + static_cast<double>(path.size() - 1) < latest)
    path.push_back(path.back() + drift_year + annual_sd * rng.normal());
  std::vector<double> out;
  out.reserve(times.size());
  for (double t : times) {
    const double h = t - last;
    if (h <= 0.0) {
      out.push_back(k_at(t));
      continue;
    }
    const auto below = static_cast<std::size_t>(std::floor(h));
    const double frac = h - static_cast<double>(below);
    out.push_back(frac == 0.0 ? path[below] : (1.0 - frac) * path[below] + frac * path[below + 1]);
  }
  return out;
}

}  // namespace healthcast::forecast
