#include "healthcast/health/indicators.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "healthcast/demography/indicators.h"
#include "healthcast/error.h"

namespace healthcast::health {

namespace {

namespace var = results::var;
namespace dim = results::dim;
using demography::AGE_MAX;
using demography::N_AGES;
using demography::N_SEXES;
using demography::TOTAL;
using results::Dataset;
using results::Variable;

constexpr double PER_100K = 1e5;
// Ages of the five-year groups of 30q70 (WHO SDG 3.4.1).
const std::vector<int> AGES_30_TO_65 = {30, 35, 40, 45, 50, 55, 60, 65};

// Indices along the cause dimension of the causes in an indicator group.
std::vector<std::size_t> causes_in(const HealthModel& m, const std::string& group) {
  std::vector<std::size_t> out;
  const auto has = [&](const std::vector<std::string>& groups) {
    return std::find(groups.begin(), groups.end(), group) != groups.end();
  };
  for (std::size_t d = 0; d < m.diseases.size(); ++d)
    if (has(m.diseases[d].groups)) out.push_back(d);
  for (std::size_t c = 0; c < m.residual_causes.size(); ++c)
    if (has(m.residual_causes[c].groups)) out.push_back(m.diseases.size() + c);
  return out;
}

// Reads one (year, region, sex) slice of the projection's variables.
struct Slice {
  Slice(const Dataset& ds, std::size_t y_, std::size_t r_, std::size_t s_)
      : y(y_),
        r(r_),
        s(s_),
        person_years(ds.variable(var::person_years)),
        population(ds.variable(var::population)),
        all_deaths(ds.variable(var::deaths)),
        deaths_by_cause(ds.variable(var::deaths_by_cause)),
        prevalence(ds.variable(var::prevalence)) {}
  std::size_t y, r, s;
  const Variable &person_years, &population, &all_deaths, &deaths_by_cause, &prevalence;

  double py(std::size_t a) const { return person_years.at({y, r, s, a}); }
  double pop(std::size_t a) const { return population.at({y, r, s, a}); }
  double deaths(std::size_t a) const { return all_deaths.at({y, r, s, a}); }
  double cause_deaths(std::size_t a, const std::vector<std::size_t>& causes) const {
    double total = 0.0;
    for (std::size_t c : causes) total += deaths_by_cause.at({y, r, s, a, c});
    return total;
  }
  double pi(std::size_t a, std::size_t d) const { return prevalence.at({y, r, s, a, d}); }
};

// Calls f(y, r, s) for every year, region and sex (female, male, total).
template <class F>
void for_each_slice(const Dataset& ds, F f) {
  for (std::size_t y = 0; y < ds.coordinate(std::string(dim::year)).size(); ++y)
    for (std::size_t r = 0; r < ds.coordinate(std::string(dim::region)).size(); ++r)
      for (std::size_t s = 0; s <= TOTAL; ++s) f(y, r, s);
}

// Death rate of a cause group over ages [from, to] (inclusive), per person-year.
double group_rate(const Slice& sl, const std::vector<std::size_t>& causes, std::size_t from,
                  std::size_t to) {
  double d = 0.0, py = 0.0;
  for (std::size_t a = from; a <= std::min<std::size_t>(to, AGE_MAX); ++a) {
    d += sl.cause_deaths(a, causes);
    py += sl.py(a);
  }
  return py > 0.0 ? d / py : 0.0;
}

// Age-standardised rate over five-year groups with the given weights (last group open).
double standardised_rate(const Slice& sl, const std::vector<std::size_t>& causes,
                         const HealthModel::StandardPopulation& standard) {
  double rate = 0.0, weights = 0.0;
  for (std::size_t g = 0; g < standard.ages.size(); ++g) {
    const auto from = static_cast<std::size_t>(standard.ages[g]);
    if (from > static_cast<std::size_t>(AGE_MAX)) break;
    const std::size_t to = g + 1 < standard.ages.size()
                               ? static_cast<std::size_t>(standard.ages[g + 1]) - 1
                               : static_cast<std::size_t>(AGE_MAX);
    rate += standard.weights[g] * group_rate(sl, causes, from, to);
    weights += standard.weights[g];
  }
  return weights > 0.0 ? rate / weights : 0.0;
}

// 30q70 of the four major NCDs, cardiovascular mortality (crude and standardised) and chronic
// respiratory mortality under 70.
void add_cause_mortality(Dataset& ds, const HealthModel& m) {
  std::vector<std::string> standards = {"crude"};
  for (const auto& p : m.standard_populations) standards.push_back(p.name);
  ds.add_coordinate(dim::standard, standards);
  ds.add_variable(var::premature_ncd_mortality);
  ds.add_variable(var::cvd_mortality);
  ds.add_variable(var::crd_mortality_u70);
  auto& q3070 = ds.variable(var::premature_ncd_mortality);
  auto& cvd = ds.variable(var::cvd_mortality);
  auto& crd = ds.variable(var::crd_mortality_u70);
  const auto ncd4 = causes_in(m, "ncd4"), cvd_causes = causes_in(m, "cvd"),
             crd_causes = causes_in(m, "crd");
  for_each_slice(ds, [&](std::size_t y, std::size_t r, std::size_t s) {
    const Slice sl(ds, y, r, s);
    std::vector<double> m5;
    for (int x : AGES_30_TO_65)
      m5.push_back(
          group_rate(sl, ncd4, static_cast<std::size_t>(x), static_cast<std::size_t>(x + 4)));
    q3070.at({y, r, s}) = 100.0 * demography::prob_dying(AGES_30_TO_65, m5);
    cvd.at({y, r, s, 0}) = PER_100K * group_rate(sl, cvd_causes, 0, AGE_MAX);
    for (std::size_t p = 0; p < m.standard_populations.size(); ++p)
      cvd.at({y, r, s, p + 1}) =
          PER_100K * standardised_rate(sl, cvd_causes, m.standard_populations[p]);
    crd.at({y, r, s}) = PER_100K * group_rate(sl, crd_causes, 0, 70);
  });
}

// Five-year survival exp(-5 f) of the year's new cancer cases; both sexes weight each sex's
// cases.
void add_cancer_survival(Dataset& ds, const HealthModel& m,
                         const std::vector<RegionHealth>& regions) {
  auto& survival = ds.add_variable(var::cancer_5y_survival);
  const auto& incidence = ds.variable(var::incidence);
  const auto cancers = causes_in(m, "cancer");
  for_each_slice(ds, [&](std::size_t y, std::size_t r, std::size_t s) {
    double cases = 0.0, surviving = 0.0;
    for (std::size_t sex = 0; sex < N_SEXES; ++sex) {
      if (s != TOTAL && s != sex) continue;
      for (std::size_t a = 0; a < N_AGES; ++a)
        for (std::size_t c : cancers) {
          const double n = incidence.at({y, r, sex, a, c});
          cases += n;
          surviving += n * std::exp(-5.0 * regions[r].rates->at(y, sex, a).case_fatality[c]);
        }
    }
    survival.at({y, r, s}) = cases > 0.0 ? 100.0 * surviving / cases : 0.0;
  });
}

void add_maternal_mortality(Dataset& ds, const std::vector<RegionHealth>& regions) {
  auto& maternal = ds.add_variable(var::maternal_mortality);
  for (std::size_t y = 0; y < maternal.shape[0]; ++y)
    for (std::size_t r = 0; r < regions.size(); ++r)
      maternal.at({y, r}) = PER_100K * regions[r].rates->maternal_risk_per_birth(y);
}

// Years lost and lived with disability of one slice of one sex, and its disability by age
// (YLD per person: 1 - prod_d (1 - w_d pi_d) x (1 - other-cause disability)).
struct SexBurden {
  std::vector<double> disability = std::vector<double>(N_AGES, 0.0);
  double years_lost = 0.0, years_disabled = 0.0;
};

// Adds YLL by cause into `yll` and returns the years lost in all, over the slice's ages.
double add_years_lost(const Slice& sl, const HealthModel& m, Variable& yll) {
  const std::size_t n_causes = sl.deaths_by_cause.shape.back();
  double years_lost = 0.0;
  for (std::size_t a = 0; a < N_AGES; ++a) {
    const double e_mid = 0.5 * (m.standard_life_expectancy[a] +
                                m.standard_life_expectancy[std::min<std::size_t>(a + 1, AGE_MAX)]);
    for (std::size_t c = 0; c < n_causes; ++c) {
      const double lost = sl.deaths_by_cause.at({sl.y, sl.r, sl.s, a, c}) * e_mid;
      yll.at({sl.y, sl.r, sl.s, c}) += lost;
      years_lost += lost;
    }
  }
  return years_lost;
}

SexBurden sex_burden(const Slice& sl, const HealthModel& m, Variable& yld, Variable& yll) {
  SexBurden b;
  for (std::size_t a = 0; a < N_AGES; ++a) {
    double healthy = 1.0;
    for (std::size_t d = 0; d < m.diseases.size(); ++d) {
      const double w = m.diseases[d].disability_weight[sl.s][a];
      const double pi = sl.pi(a, d);
      healthy *= 1.0 - w * pi;
      const double yld_d = w * pi * sl.py(a);
      yld.at({sl.y, sl.r, sl.s, d}) += yld_d;
      b.years_disabled += yld_d;
    }
    healthy *= 1.0 - m.other_disability[sl.s][a];
    b.years_disabled += m.other_disability[sl.s][a] * sl.py(a);
    b.disability[a] = 1.0 - healthy;
  }
  b.years_lost = add_years_lost(sl, m, yll);
  return b;
}

// Sullivan: the single-year life table of the slice, weighted by the share without disability.
void store_healthy_life_expectancy(const Slice& sl, const std::vector<double>& disability,
                                   Variable& hle) {
  std::vector<int> x(N_AGES);
  std::iota(x.begin(), x.end(), 0);
  std::vector<double> mx(N_AGES);
  for (std::size_t a = 0; a < N_AGES; ++a) mx[a] = sl.py(a) > 0.0 ? sl.deaths(a) / sl.py(a) : 0.0;
  if (mx[AGE_MAX] <= 0.0) return;
  const auto h =
      demography::healthy_life_expectancy(x, mx, disability, demography::SEXES_AND_TOTAL[sl.s]);
  for (std::size_t a = 0; a < N_AGES; ++a) hle.at({sl.y, sl.r, sl.s, a}) = h[a];
}

// YLL, YLD, DALYs and healthy life expectancy. Each sex first; both sexes sum the sexes' YLD
// and DALYs and weight their disability by person-years.
void add_burden(Dataset& ds, const HealthModel& m) {
  // add_variable may move the dataset's variables: references are taken once all are added.
  for (const auto* v : {&var::healthy_life_expectancy, &var::yll, &var::yld, &var::daly})
    ds.add_variable(*v);
  auto& hle = ds.variable(var::healthy_life_expectancy);
  auto& yll = ds.variable(var::yll);
  auto& yld = ds.variable(var::yld);
  auto& daly = ds.variable(var::daly);
  for (std::size_t y = 0; y < hle.shape[0]; ++y)
    for (std::size_t r = 0; r < hle.shape[1]; ++r) {
      std::array<SexBurden, N_SEXES> by_sex;
      for (std::size_t s = 0; s < N_SEXES; ++s) {
        const Slice sl(ds, y, r, s);
        by_sex[s] = sex_burden(sl, m, yld, yll);
        daly.at({y, r, s}) = by_sex[s].years_lost + by_sex[s].years_disabled;
        store_healthy_life_expectancy(sl, by_sex[s].disability, hle);
      }
      const Slice both(ds, y, r, TOTAL), female(ds, y, r, 0), male(ds, y, r, 1);
      add_years_lost(both, m, yll);
      for (std::size_t d = 0; d < m.diseases.size(); ++d)
        yld.at({y, r, TOTAL, d}) = yld.at({y, r, 0, d}) + yld.at({y, r, 1, d});
      daly.at({y, r, TOTAL}) = daly.at({y, r, 0}) + daly.at({y, r, 1});
      std::vector<double> disability(N_AGES);
      for (std::size_t a = 0; a < N_AGES; ++a) {
        const double py_f = female.py(a), py_m = male.py(a);
        disability[a] =
            py_f + py_m > 0.0
                ? (by_sex[0].disability[a] * py_f + by_sex[1].disability[a] * py_m) / (py_f + py_m)
                : 0.0;
      }
      store_healthy_life_expectancy(both, disability, hle);
    }
}

// Prevalence of each risk-factor category among people aged 15+, and of current smoking.
void add_risk_factor_prevalence(Dataset& ds) {
  if (!ds.has_variable(var::risk_factor_share)) return;
  ds.add_variable(var::risk_factor_prevalence);
  const auto& shares = ds.variable(var::risk_factor_share);
  auto& prevalence15 = ds.variable(var::risk_factor_prevalence);
  const std::size_t k = shares.shape.back();
  for_each_slice(ds, [&](std::size_t y, std::size_t r, std::size_t s) {
    const Slice sl(ds, y, r, s);
    double pop = 0.0;
    for (std::size_t a = 15; a < N_AGES; ++a) pop += sl.pop(a);
    for (std::size_t c = 0; c < k; ++c) {
      double in = 0.0;
      for (std::size_t a = 15; a < N_AGES; ++a) in += shares.at({y, r, s, a, c}) * sl.pop(a);
      prevalence15.at({y, r, s, c}) = pop > 0.0 ? 100.0 * in / pop : 0.0;
    }
  });
  const auto& labels =
      std::get<std::vector<std::string>>(ds.coordinate(std::string(dim::category)).values);
  const auto current = std::find(labels.begin(), labels.end(), "smoking/current");
  if (current == labels.end()) return;
  auto& smoking = ds.add_variable(var::smoking_prevalence_15plus);
  const auto c = static_cast<std::size_t>(current - labels.begin());
  const auto& p = ds.variable(var::risk_factor_prevalence);
  for_each_slice(ds, [&](std::size_t y, std::size_t r, std::size_t s) {
    smoking.at({y, r, s}) = p.at({y, r, s, c});
  });
}

// Means of the continuous factors at ages 18+ (population-weighted), and of salt intake.
void add_risk_factor_means(Dataset& ds, const HealthModel& m,
                           const std::vector<RegionHealth>& regions) {
  if (m.continuous.empty()) return;
  std::vector<std::string> factors;
  for (const auto& f : m.continuous) factors.push_back(f.name);
  ds.add_coordinate(dim::factor, factors);
  auto& means = ds.add_variable(var::risk_factor_mean);
  for (std::size_t y = 0; y < means.shape[0]; ++y)
    for (std::size_t r = 0; r < regions.size(); ++r)
      for (std::size_t j = 0; j < factors.size(); ++j) {
        const auto& mean = regions[r].rates->effective_mean(j)[y];
        double both = 0.0, both_pop = 0.0;
        for (std::size_t s = 0; s < N_SEXES; ++s) {
          const Slice sl(ds, y, r, s);
          double sum = 0.0, pop = 0.0;
          for (std::size_t a = 18; a < N_AGES; ++a) {
            sum += mean[s][a] * sl.pop(a);
            pop += sl.pop(a);
          }
          means.at({y, r, s, j}) = pop > 0.0 ? sum / pop : 0.0;
          both += sum;
          both_pop += pop;
        }
        means.at({y, r, TOTAL, j}) = both_pop > 0.0 ? both / both_pop : 0.0;
      }
  const auto salt = std::find(factors.begin(), factors.end(), "salt");
  if (salt == factors.end()) return;
  auto& intake = ds.add_variable(var::salt_intake);
  const auto& means_now = ds.variable(var::risk_factor_mean);
  const auto j = static_cast<std::size_t>(salt - factors.begin());
  for_each_slice(ds, [&](std::size_t y, std::size_t r, std::size_t s) {
    intake.at({y, r, s}) = means_now.at({y, r, s, j});
  });
}

}  // namespace

void add_health_indicators(Dataset& ds, const std::vector<RegionHealth>& regions) {
  if (regions.empty()) return;
  if (regions.size() != ds.coordinate(std::string(dim::region)).size())
    throw Error("add_health_indicators needs the health model of every region");
  // Regions share the model's structure (the projection checks it); its groups, disability
  // weights and standards are the first region's.
  const HealthModel& m = *regions.front().model;
  add_cause_mortality(ds, m);
  add_cancer_survival(ds, m, regions);
  add_burden(ds, m);
  add_maternal_mortality(ds, regions);
  add_risk_factor_prevalence(ds);
  add_risk_factor_means(ds, m, regions);
}

}  // namespace healthcast::health
