#include "healthcast/forecast/factor_forecast.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "healthcast/demography/life_table.h"
#include "healthcast/error.h"
#include "healthcast/random/stream.h"

namespace healthcast::forecast {

namespace {

using demography::N_SEXES;

double e0_of(std::span<const int> ages, const Eigen::VectorXd& log_m, demography::Sex sex) {
  const Eigen::VectorXd m = log_m.array().exp().matrix();
  return demography::life_table(ages, std::span<const double>(m.data(), m.size()), sex).e_at(0);
}

// Least-squares slope of y against 0, 1, ..., n-1.
double slope(const Eigen::VectorXd& y) {
  const auto n = static_cast<double>(y.size());
  double sxy = 0.0, sxx = 0.0;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    const double x = static_cast<double>(i) - (n - 1.0) / 2.0;
    sxy += x * y(i);
    sxx += x * x;
  }
  return sxx > 0.0 ? sxy / sxx : 0.0;
}

}  // namespace

ResidualComponents residual_components(const Eigen::MatrixXd& residuals, double step) {
  const Eigen::Index ages = residuals.rows(), periods = residuals.cols(), diffs = periods - 1;
  ResidualComponents rc{Eigen::VectorXd::Zero(ages), Eigen::VectorXd::Zero(ages),
                        Eigen::VectorXd::Zero(ages)};
  if (diffs < 1) return rc;
  const Eigen::MatrixXd d = residuals.rightCols(diffs) - residuals.leftCols(diffs);
  // Halves overlap in the middle period when the count is odd.
  const Eigen::Index half = (periods + 1) / 2;
  for (Eigen::Index x = 0; x < ages; ++x) {
    // Second moments about zero: a systematic drift of the residuals counts as structural.
    const double var = d.row(x).squaredNorm() / static_cast<double>(diffs);
    double psi2 = 0.0;
    if (diffs >= 2) {
      const double cov =
          d.row(x).head(diffs - 1).dot(d.row(x).tail(diffs - 1)) / static_cast<double>(diffs - 1);
      psi2 = std::max(0.0, -cov);
    }
    psi2 = std::min(psi2, var / 2.0);
    rc.jump_off_sd(x) = std::sqrt(psi2);
    rc.structural_sd(x) = std::sqrt(std::max(0.0, var - 2.0 * psi2) / step);
    if (periods >= 3) {
      const Eigen::VectorXd row = residuals.row(x).transpose();
      const double g1 = slope(row.head(half)) / step, g2 = slope(row.tail(half)) / step;
      rc.trend_sd(x) = std::abs(g2 - g1) / std::sqrt(2.0);
    }
  }
  return rc;
}

SexFactors factors_of(const LeeCarter& lc) {
  SexFactors f;
  f.log_m0 = lc.last_log_m();
  f.bx = lc.bx();
  const auto n = lc.kt().size();
  f.k = {lc.kt()(n - 1), lc.drift(), lc.sigma(), lc.step(), static_cast<int>(n - 1)};
  auto rc = residual_components(lc.residuals(), lc.step());
  f.structural_sd = std::move(rc.structural_sd);
  f.jump_off_sd = std::move(rc.jump_off_sd);
  f.trend_sd = std::move(rc.trend_sd);
  return f;
}

SexFactors factors_of(const LiLee& ll, std::size_t sex) {
  SexFactors f = factors_of(ll.common);
  const auto& own = ll.sexes[sex];
  f.log_m0 = own.last_log_m;
  f.deviation_bx = own.bx;
  f.deviation = own.ar1;
  f.deviation_last = own.kt(own.kt.size() - 1);
  auto rc = residual_components(own.residuals, ll.common.step());
  f.structural_sd = std::move(rc.structural_sd);
  f.jump_off_sd = std::move(rc.jump_off_sd);
  f.trend_sd = std::move(rc.trend_sd);
  return f;
}

struct FactorForecast::Noise {
  std::uint64_t seed = 0, draw = 0;
};

FactorForecast::FactorForecast(std::vector<int> ages, double jump_off_time,
                               std::array<SexFactors, N_SEXES> sexes,
                               std::optional<Rotation> rotation, Uncertainty uncertainty)
    : ages_(std::move(ages)),
      jump_off_time_(jump_off_time),
      sexes_(std::move(sexes)),
      rotation_(rotation),
      uncertainty_(uncertainty) {
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    const auto& f = sexes_[s];
    const auto n = static_cast<Eigen::Index>(ages_.size());
    if (f.log_m0.size() != n || f.bx.size() != n ||
        (f.deviation_bx.size() != 0 && f.deviation_bx.size() != n) || f.structural_sd.size() != n ||
        f.jump_off_sd.size() != n)
      throw Error(fmt::format("factor forecast: every age vector needs {} ages", n));
    if (rotation_) ultimate_[s] = ultimate_bx(f.bx, ages_);
    // d e0 / d log m_x at the jump-off, by central differences.
    const auto sex = demography::SEXES[s];
    e0_gradient_[s].resize(n);
    for (Eigen::Index x = 0; x < n; ++x) {
      Eigen::VectorXd up = f.log_m0, down = f.log_m0;
      up(x) += 1e-4;
      down(x) -= 1e-4;
      e0_gradient_[s](x) = (e0_of(ages_, up, sex) - e0_of(ages_, down, sex)) / 2e-4;
    }
  }
}

std::array<Eigen::MatrixXd, N_SEXES> FactorForecast::central(std::span<const double> times) const {
  return simulate(times, nullptr);
}

std::array<Eigen::MatrixXd, N_SEXES> FactorForecast::draw(std::span<const double> times,
                                                          std::uint64_t seed,
                                                          std::uint64_t draw) const {
  const Noise noise{seed, draw};
  return simulate(times, &noise);
}

// The random quantities of one draw (none for the central path), in the order the streams are
// consumed, so that draw j stays a function of (seed, j) alone.
struct FactorForecast::Shocks {
  std::vector<double> z_k;   // K's standard-normal innovations: the drift's first, then a year's
  double sigma_scale = 1.0;  // sigma drawn from its posterior, relative to its estimate
  std::optional<random::Stream> sex_rng, structural_rng;
  bool drawn = false;
};

// Annual parameters of each sex.
struct FactorForecast::Annual {
  double drift, sd, phi, c, dev_sd;
};

FactorForecast::Shocks FactorForecast::shocks(std::size_t steps, const Noise* noise,
                                              Paths& path) const {
  Shocks sh;
  sh.z_k.assign(steps + 1, 0.0);
  if (!noise) return sh;
  sh.drawn = true;
  random::Stream k_rng(noise->seed, noise->draw, random::Purpose::lee_carter_kt);
  for (double& z : sh.z_k) z = k_rng.normal();
  const int nu = sexes_[0].k.differences - 1;
  if (uncertainty_.parameters && nu >= 1) {
    random::Stream rng(noise->seed, noise->draw, random::Purpose::mortality_parameters);
    double chi2 = 0.0;
    for (int i = 0; i < nu; ++i) chi2 += std::pow(rng.normal(), 2);
    sh.sigma_scale = std::sqrt(nu / chi2);
  }
  if (uncertainty_.jump_off) {
    random::Stream rng(noise->seed, noise->draw, random::Purpose::mortality_jump_off);
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (Eigen::Index x = 0; x < path[s].size(); ++x)
        path[s](x) += sexes_[s].jump_off_sd(x) * rng.normal();
  }
  sh.sex_rng.emplace(noise->seed, noise->draw, random::Purpose::mortality_sex_factor);
  if (uncertainty_.structural)
    sh.structural_rng.emplace(noise->seed, noise->draw, random::Purpose::mortality_structural);
  return sh;
}

std::array<FactorForecast::Annual, N_SEXES> FactorForecast::annual_parameters(
    const Shocks& sh) const {
  std::array<Annual, N_SEXES> annual{};
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    const auto& f = sexes_[s];
    const double step = f.k.step;
    const double sigma = f.k.sigma * sh.sigma_scale;
    const double drift =
        f.k.drift + (f.k.differences > 0 ? sh.z_k[0] * sigma / std::sqrt(f.k.differences) : 0.0);
    annual[s].drift = drift / step;
    annual[s].sd = sigma / std::sqrt(step);
    // AR(1) per step turned annual: the same mean, phi^(1/step), and the variance over a step
    // kept: s_a^2 (1 - phi_a^(2 step)) / (1 - phi_a^2) = sigma^2.
    const double phi = f.deviation.phi;
    annual[s].phi = std::pow(phi, 1.0 / step);
    annual[s].c = f.deviation.mean() * (1.0 - annual[s].phi);
    annual[s].dev_sd =
        phi > 0.0 ? f.deviation.sigma *
                        std::sqrt((1.0 - annual[s].phi * annual[s].phi) / (1.0 - phi * phi))
                  : f.deviation.sigma;
  }
  return annual;
}

// Structural changes are made e0-neutral to first order (projected off the e0 gradient at the
// jump-off): they move the age pattern, while the level of mortality is K's, whose uncertainty
// carries e0's.
Eigen::VectorXd FactorForecast::e0_neutral(std::size_t s, Eigen::VectorXd v) const {
  const Eigen::VectorXd& g = e0_gradient_[s];
  return v - g * (g.dot(v) / g.squaredNorm());
}

// Each sex's persistent structural trend: the structural stream's first values.
FactorForecast::Paths FactorForecast::structural_trends(Shocks& sh) const {
  Paths trend;
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    const auto n_ages = static_cast<Eigen::Index>(ages_.size());
    trend[s] = Eigen::VectorXd::Zero(n_ages);
    if (!sh.structural_rng) continue;
    for (Eigen::Index x = 0; x < n_ages; ++x)
      trend[s](x) = sexes_[s].trend_sd(x) * sh.structural_rng->normal();
    trend[s] = e0_neutral(s, trend[s]);
  }
  return trend;
}

// One year of every sex: K's step (with b_x rotated toward its ultimate pattern as e0 rises),
// the sex's own deviation, and the structural trend and step.
void FactorForecast::step_year(std::size_t y, Shocks& sh, const std::array<Annual, N_SEXES>& annual,
                               const Paths& trend, std::array<double, N_SEXES>& dev,
                               Paths& path) const {
  double weight = 0.0;
  if (rotation_) {
    const double e0 = 0.5 * (e0_of(ages_, path[0], demography::Sex::female) +
                             e0_of(ages_, path[1], demography::Sex::male));
    weight = rotation_weight(e0, *rotation_);
  }
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    const auto& f = sexes_[s];
    const double dk = annual[s].drift + (sh.drawn ? annual[s].sd * sh.z_k[y] : 0.0);
    if (weight > 0.0)
      path[s] += ((1.0 - weight) * f.bx + weight * ultimate_[s]) * dk;
    else
      path[s] += f.bx * dk;
    if (f.deviation_bx.size() > 0) {
      const double next = annual[s].c + annual[s].phi * dev[s] +
                          (sh.drawn ? annual[s].dev_sd * sh.sex_rng->normal() : 0.0);
      path[s] += f.deviation_bx * (next - dev[s]);
      dev[s] = next;
    }
    if (sh.structural_rng) {
      Eigen::VectorXd step(path[s].size());
      for (Eigen::Index x = 0; x < step.size(); ++x)
        step(x) = f.structural_sd(x) * sh.structural_rng->normal();
      path[s] += trend[s] + e0_neutral(s, step);
    }
  }
}

std::array<Eigen::MatrixXd, N_SEXES> FactorForecast::simulate(std::span<const double> times,
                                                              const Noise* noise) const {
  double latest = jump_off_time_;
  for (double t : times) latest = std::max(latest, t);
  const auto steps = static_cast<std::size_t>(std::ceil(latest - jump_off_time_ - 1e-9));
  Paths path;  // the current year's log rates
  for (std::size_t s = 0; s < N_SEXES; ++s) path[s] = sexes_[s].log_m0;
  Shocks sh = shocks(steps, noise, path);
  const auto annual = annual_parameters(sh);
  std::array<double, N_SEXES> dev{};
  for (std::size_t s = 0; s < N_SEXES; ++s) dev[s] = sexes_[s].deviation_last;
  const Paths trend = structural_trends(sh);
  std::vector<Paths> years{path};
  for (std::size_t y = 1; y <= steps; ++y) {
    step_year(y, sh, annual, trend, dev, path);
    years.push_back(path);
  }
  // Columns at the asked times, interpolated between years.
  std::array<Eigen::MatrixXd, N_SEXES> out;
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    out[s].resize(static_cast<Eigen::Index>(ages_.size()), static_cast<Eigen::Index>(times.size()));
    for (std::size_t i = 0; i < times.size(); ++i) {
      const double h = std::max(0.0, times[i] - jump_off_time_);
      const auto below = std::min(static_cast<std::size_t>(std::floor(h)), steps);
      const double frac = h - static_cast<double>(below);
      out[s].col(static_cast<Eigen::Index>(i)) =
          frac <= 1e-12 || below == steps
              ? years[below][s]
              : Eigen::VectorXd((1.0 - frac) * years[below][s] + frac * years[below + 1][s]);
    }
  }
  return out;
}

}  // namespace healthcast::forecast
