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

using demography::AGE_MAX;
using demography::N_AGES;
using demography::N_SEXES;
using demography::TOTAL;
using results::Dataset;
using results::Variable;

constexpr double PER_100K = 1e5;

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
        person_years(ds.variable("person_years")),
        population(ds.variable("population")),
        all_deaths(ds.variable("deaths")),
        deaths_by_cause(ds.variable("deaths_by_cause")),
        cohort_state(ds.variable("cohort_state")) {}
  std::size_t y, r, s;
  const Variable &person_years, &population, &all_deaths, &deaths_by_cause, &cohort_state;

  double py(std::size_t a) const { return person_years.at({y, r, s, a}); }
  double pop(std::size_t a) const { return population.at({y, r, s, a}); }
  double deaths(std::size_t a) const { return all_deaths.at({y, r, s, a}); }
  double cause_deaths(std::size_t a, const std::vector<std::size_t>& causes) const {
    double total = 0.0;
    for (std::size_t c : causes) total += deaths_by_cause.at({y, r, s, a, c});
    return total;
  }
  double state(std::size_t a, std::size_t k) const { return cohort_state.at({y, r, s, a, k}); }
};

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

// Per-person state of both sexes at age a: the population-weighted mean (the projection stores
// it so under sex "total").
void add_prevalence_and_shares(Dataset& ds, const HealthModel& m) {
  const auto names = std::get<std::vector<std::string>>(ds.coordinate("state").values);
  const std::size_t n_diseases = m.diseases.size();
  std::vector<std::string> categories(names.begin() + static_cast<long>(n_diseases), names.end());
  const Variable state = ds.variable("cohort_state");
  const std::vector<std::string> by_disease = {"year", "region", "sex", "age", "disease"};
  auto& prevalence = ds.add_variable("prevalence", by_disease, "1",
                                     "share of the cohort with the disease at 1 January");
  if (!categories.empty())
    ds.add_coordinate({"category", categories, "risk factor category (factor/category)", ""});
  const std::size_t k = names.size();
  const std::size_t cells = state.values.size() / k;
  for (std::size_t i = 0; i < cells; ++i)
    for (std::size_t d = 0; d < n_diseases; ++d)
      prevalence.values[i * n_diseases + d] = state.values[i * k + d];
  if (!categories.empty()) {
    auto& shares =
        ds.add_variable("risk_factor_share", {"year", "region", "sex", "age", "category"}, "1",
                        "share of the cohort in each risk factor category at 1 January");
    const std::size_t c = categories.size();
    for (std::size_t i = 0; i < cells; ++i)
      for (std::size_t j = 0; j < c; ++j)
        shares.values[i * c + j] = state.values[i * k + n_diseases + j];
  }
}

}  // namespace

void add_health_indicators(Dataset& ds, const std::vector<const HealthDynamics*>& regions) {
  if (regions.empty() || !ds.has_variable("cohort_state")) return;
  const HealthModel& m = regions.front()->model();
  const std::size_t years = ds.coordinate("year").size();
  const std::size_t n_regions = ds.coordinate("region").size();
  if (regions.size() != n_regions)
    throw Error("add_health_indicators needs the health dynamics of every region");
  const std::size_t n_diseases = m.diseases.size();
  const std::size_t n_causes = ds.coordinate("cause").size();

  const std::vector<std::string> by_sex = {"year", "region", "sex"};
  std::vector<std::string> standards = {"crude"};
  for (const auto& p : m.standard_populations) standards.push_back(p.name);
  ds.add_coordinate({"standard", standards, "crude rate or standard population", ""});

  ds.add_variable("premature_ncd_mortality", by_sex, "percent",
                  "probability of dying between 30 and 70 from cardiovascular "
                  "disease, cancer, diabetes or chronic respiratory disease "
                  "(WHO SDG 3.4.1)");
  ds.add_variable("cvd_mortality", {"year", "region", "sex", "standard"}, "per 100000",
                  "cardiovascular deaths per 100,000 person-years");
  ds.add_variable("crd_mortality_u70", by_sex, "per 100000",
                  "chronic respiratory deaths at ages 0-70 per 100,000 person-years "
                  "at those ages");
  ds.add_variable("cancer_5y_survival", by_sex, "percent",
                  "five-year relative survival of the year's new cancer cases, "
                  "exp(-5 f)");
  ds.add_variable("healthy_life_expectancy", {"year", "region", "sex", "age"}, "years",
                  "healthy life expectancy at exact age (Sullivan)");
  ds.add_variable("yll", {"year", "region", "sex", "cause"}, "years",
                  "years of life lost: deaths times standard remaining life "
                  "expectancy at the mid-year age");
  ds.add_variable("yld", {"year", "region", "sex", "disease"}, "years",
                  "years lived with disability: disability weight times "
                  "prevalence times person-years");
  ds.add_variable("daly", by_sex, "years",
                  "disability-adjusted life years: YLL of all causes plus YLD of "
                  "the modelled diseases and of other causes");
  ds.add_variable("maternal_mortality", {"year", "region"}, "per 100000 live births",
                  "maternal mortality ratio (risk per birth x 100,000)");

  // add_variable moves the dataset's variables: take references once all are added.
  auto& q3070 = ds.variable("premature_ncd_mortality");
  auto& cvd = ds.variable("cvd_mortality");
  auto& crd = ds.variable("crd_mortality_u70");
  auto& survival = ds.variable("cancer_5y_survival");
  auto& hle = ds.variable("healthy_life_expectancy");
  auto& yll = ds.variable("yll");
  auto& yld = ds.variable("yld");
  auto& daly = ds.variable("daly");
  auto& maternal = ds.variable("maternal_mortality");
  const auto& incidence = ds.variable("incidence");
  const auto& deaths_by_cause = ds.variable("deaths_by_cause");

  const auto ncd4 = causes_in(m, "ncd4");
  const auto cvd_causes = causes_in(m, "cvd");
  const auto crd_causes = causes_in(m, "crd");
  const auto cancers = causes_in(m, "cancer");
  std::vector<std::size_t> all_causes(n_causes);
  std::iota(all_causes.begin(), all_causes.end(), 0);
  const std::vector<int> five_year_ages = {30, 35, 40, 45, 50, 55, 60, 65};

  for (std::size_t y = 0; y < years; ++y)
    for (std::size_t r = 0; r < n_regions; ++r) {
      const HealthDynamics& dyn = *regions[r];
      maternal.at({y, r}) = PER_100K * dyn.paths().maternal_risk_per_birth[y];
      std::array<std::vector<double>, N_SEXES> disability_by_sex;  // YLD per person by age
      disability_by_sex.fill(std::vector<double>(N_AGES, 0.0));
      for (std::size_t s = 0; s <= TOTAL; ++s) {
        const Slice sl(ds, y, r, s);
        std::vector<double> m5;
        for (int x : five_year_ages)
          m5.push_back(
              group_rate(sl, ncd4, static_cast<std::size_t>(x), static_cast<std::size_t>(x + 4)));
        q3070.at({y, r, s}) = 100.0 * demography::prob_dying(five_year_ages, m5);
        cvd.at({y, r, s, 0}) = PER_100K * group_rate(sl, cvd_causes, 0, AGE_MAX);
        for (std::size_t p = 0; p < m.standard_populations.size(); ++p)
          cvd.at({y, r, s, p + 1}) =
              PER_100K * standardised_rate(sl, cvd_causes, m.standard_populations[p]);
        crd.at({y, r, s}) = PER_100K * group_rate(sl, crd_causes, 0, 70);

        // Survival of new cases; both sexes weight each sex's cases.
        double cases = 0.0, surviving = 0.0;
        for (std::size_t sex = 0; sex < N_SEXES; ++sex) {
          if (s != TOTAL && s != sex) continue;
          for (std::size_t a = 0; a < N_AGES; ++a)
            for (std::size_t c : cancers) {
              const double n = incidence.at({y, r, sex, a, c});
              cases += n;
              surviving += n * std::exp(-5.0 * dyn.rates(y, sex, a).case_fatality[c]);
            }
        }
        survival.at({y, r, s}) = cases > 0.0 ? 100.0 * surviving / cases : 0.0;

        // Sullivan: single-year life table of the year, weighted by the share without
        // disability, 1 - YLD per person. Sexes first; both sexes sum their YLD and weight
        // their disability by person-years (the loop visits female and male before total).
        std::vector<int> x(N_AGES);
        std::iota(x.begin(), x.end(), 0);
        std::vector<double> mx(N_AGES), disability(N_AGES);
        double years_lost = 0.0, years_disabled = 0.0;
        const Slice female(ds, y, r, 0), male(ds, y, r, 1);
        for (std::size_t a = 0; a < N_AGES; ++a) {
          mx[a] = sl.py(a) > 0.0 ? sl.deaths(a) / sl.py(a) : 0.0;
          if (s == TOTAL) {
            const double py_f = female.py(a), py_m = male.py(a);
            disability[a] =
                py_f + py_m > 0.0
                    ? (disability_by_sex[0][a] * py_f + disability_by_sex[1][a] * py_m) /
                          (py_f + py_m)
                    : 0.0;
          } else {
            double healthy = 1.0;
            for (std::size_t d = 0; d < n_diseases; ++d) {
              const double w = m.diseases[d].disability_weight[s][a];
              const double pi = sl.state(a, d);
              healthy *= 1.0 - w * pi;
              const double yld_d = w * pi * sl.py(a);
              yld.at({y, r, s, d}) += yld_d;
              years_disabled += yld_d;
            }
            healthy *= 1.0 - m.other_disability[s][a];
            years_disabled += m.other_disability[s][a] * sl.py(a);
            disability[a] = disability_by_sex[s][a] = 1.0 - healthy;
          }
          const double e_mid =
              0.5 * (m.standard_life_expectancy[a] +
                     m.standard_life_expectancy[std::min<std::size_t>(a + 1, AGE_MAX)]);
          for (std::size_t c = 0; c < n_causes; ++c) {
            const double lost = deaths_by_cause.at({y, r, s, a, c}) * e_mid;
            yll.at({y, r, s, c}) += lost;
            years_lost += lost;
          }
        }
        if (s == TOTAL) {
          for (std::size_t d = 0; d < n_diseases; ++d)
            yld.at({y, r, s, d}) = yld.at({y, r, 0, d}) + yld.at({y, r, 1, d});
          daly.at({y, r, s}) = daly.at({y, r, 0}) + daly.at({y, r, 1});
        } else {
          daly.at({y, r, s}) = years_lost + years_disabled;
        }
        if (mx[AGE_MAX] > 0.0) {
          const auto h = demography::healthy_life_expectancy(
              x, mx, disability, s == TOTAL ? demography::Sex::total : demography::SEXES[s]);
          for (std::size_t a = 0; a < N_AGES; ++a) hle.at({y, r, s, a}) = h[a];
        }
      }
    }

  // Risk factors: prevalence of categories at 15+, means of continuous factors at 18+.
  add_prevalence_and_shares(ds, m);
  if (ds.has_variable("risk_factor_share")) {
    ds.add_variable("risk_factor_prevalence", {"year", "region", "sex", "category"}, "percent",
                    "share of the population aged 15+ in each category");
    const auto& shares = ds.variable("risk_factor_share");
    auto& prevalence15 = ds.variable("risk_factor_prevalence");
    const std::size_t k = shares.shape.back();
    for (std::size_t y = 0; y < years; ++y)
      for (std::size_t r = 0; r < n_regions; ++r)
        for (std::size_t s = 0; s <= TOTAL; ++s) {
          const Slice sl(ds, y, r, s);
          double pop = 0.0;
          for (std::size_t a = 15; a < N_AGES; ++a) pop += sl.pop(a);
          for (std::size_t c = 0; c < k; ++c) {
            double in = 0.0;
            for (std::size_t a = 15; a < N_AGES; ++a) in += shares.at({y, r, s, a, c}) * sl.pop(a);
            prevalence15.at({y, r, s, c}) = pop > 0.0 ? 100.0 * in / pop : 0.0;
          }
        }
    const auto& labels = std::get<std::vector<std::string>>(ds.coordinate("category").values);
    const auto current = std::find(labels.begin(), labels.end(), "smoking/current");
    if (current != labels.end()) {
      ds.add_variable("smoking_prevalence_15plus", by_sex, "percent",
                      "current smokers among people aged 15 and over");
      auto& smoking = ds.variable("smoking_prevalence_15plus");
      const auto c = static_cast<std::size_t>(current - labels.begin());
      const auto& p = ds.variable("risk_factor_prevalence");
      for (std::size_t y = 0; y < years; ++y)
        for (std::size_t r = 0; r < n_regions; ++r)
          for (std::size_t s = 0; s <= TOTAL; ++s) smoking.at({y, r, s}) = p.at({y, r, s, c});
    }
  }
  if (!m.continuous.empty()) {
    std::vector<std::string> factors;
    for (const auto& f : m.continuous) factors.push_back(f.name);
    ds.add_coordinate({"factor", factors, "continuous risk factor", ""});
    ds.add_variable("risk_factor_mean", {"year", "region", "sex", "factor"}, "",
                    "mean exposure at ages 18+ (units in the health model)");
    auto& means = ds.variable("risk_factor_mean");
    for (std::size_t y = 0; y < years; ++y)
      for (std::size_t r = 0; r < n_regions; ++r)
        for (std::size_t j = 0; j < factors.size(); ++j) {
          const auto& mean = regions[r]->effective_mean(j)[y];
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
    if (salt != factors.end()) {
      ds.add_variable("salt_intake", by_sex, "g/day", "mean salt intake at ages 18+");
      auto& intake = ds.variable("salt_intake");
      const auto& means_now = ds.variable("risk_factor_mean");
      const auto j = static_cast<std::size_t>(salt - factors.begin());
      for (std::size_t y = 0; y < years; ++y)
        for (std::size_t r = 0; r < n_regions; ++r)
          for (std::size_t s = 0; s <= TOTAL; ++s)
            intake.at({y, r, s}) = means_now.at({y, r, s, j});
    }
  }
  ds.remove_variable("cohort_state");
  ds.remove_coordinate("state");
}

}  // namespace healthcast::health
