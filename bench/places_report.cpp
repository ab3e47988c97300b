// The figures of docs/places.md: every census unit's derived inputs, from the shipped data.
//   healthcast_places_report [--data REPO/data] [--csv counties.csv]
// Prints the seed units, the 31 provinces' fitted e0 against the official table, the
// distribution of e0 2020 across counties with the outliers, and the time per unit. The
// national 2020 schedule is the 2015-2019 WPP2024 rates moved (Brass logit) to WPP2024's e0 of
// 2020 (female 80.9992, male 75.2450; PPgp/wpp2024 data/e01dt.rda), as a run's first year
// would be near it.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "healthcast/places/base_population.h"
#include "healthcast/places/unit_inputs.h"

namespace {

using namespace healthcast;
using namespace healthcast::places;
using demography::Sex;

constexpr double WPP_E0_2020_FEMALE = 80.9992, WPP_E0_2020_MALE = 75.2450;

double share_65(const SexGroups& g) {
  double old = 0, all = 0;
  for (const auto& s : g)
    for (std::size_t i = 0; i < N_GROUPS; ++i) {
      all += s[i];
      if (GROUP_LOWER[i] >= 65) old += s[i];
    }
  return old / all;
}

double share_65(const demography::SexAgeArray& p) {
  double old = 0, all = 0;
  for (const auto& s : p)
    for (int a = 0; a <= demography::AGE_MAX; ++a) {
      all += s[a];
      if (a >= 65) old += s[a];
    }
  return old / all;
}

struct E0 {
  double mean, low, high;
};

E0 e0_of(const UnitMortality& m, Sex sex, int year, const demography::AgeArray& national) {
  const double x = m.offset(sex, year), sd = m.sd(sex, year);
  return {life_expectancy(m.apply(x, national), sex),
          life_expectancy(m.apply(x + 1.96 * sd, national), sex),
          life_expectancy(m.apply(x - 1.96 * sd, national), sex)};
}

double quantile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double pos = p * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(pos);
  const double w = pos - static_cast<double>(i);
  return i + 1 < v.size() ? (1 - w) * v[i] + w * v[i + 1] : v[i];
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path data = HEALTHCAST_SOURCE_DIR "/data";
  std::string csv_out;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--data") data = argv[i + 1];
    if (key == "--csv") csv_out = argv[i + 1];
  }
  const auto t_read = std::chrono::steady_clock::now();
  const UnitsData units = read_units(data / "china" / "units");
  NationalInputs national = read_national_inputs(data / "china");
  {
    const auto m2017 = national.mx_at(2017);
    demography::SexAgeArray m2020{};
    m2020[0] = relational_mx(
        m2017[0],
        fit_level_to_e0(m2017[0], WPP_E0_2020_FEMALE, Sex::female, RelationalModel::brass_logit),
        RelationalModel::brass_logit);
    m2020[1] = relational_mx(
        m2017[1],
        fit_level_to_e0(m2017[1], WPP_E0_2020_MALE, Sex::male, RelationalModel::brass_logit),
        RelationalModel::brass_logit);
    national.mx[2020] = m2020;
  }
  const auto t_model = std::chrono::steady_clock::now();
  const UnitModel model(units, national);
  const auto t_built = std::chrono::steady_clock::now();
  const auto m2010 = national.mx_at(2010), m2020 = national.mx_at(2020);
  // The nation's official 2010 e0 as a level on the national 2010 rates: a unit's 2010 e0 on the
  // official scale is its offset added to it (on the national input's scale, plain offset).
  const auto& nat2010 = units.official_e0.at("000000").at(2010);
  const std::array<double, 2> official_level = {
      fit_level_to_e0(m2010[0], *nat2010.female, Sex::female, RelationalModel::brass_logit),
      fit_level_to_e0(m2010[1], *nat2010.male, Sex::male, RelationalModel::brass_logit)};
  auto fit2010 = [&](const UnitMortality& m, std::size_t s) {
    return life_expectancy(m.apply(official_level[s] + m.offset0[s], m2010[s]),
                           s == 0 ? Sex::female : Sex::male);
  };
  fmt::print(
      "National 2010: official e0 {:.2f} / {:.2f}; the national input rates give {:.2f} / "
      "{:.2f} (female / male)\n",
      *nat2010.female, *nat2010.male, life_expectancy(m2010[0], Sex::female),
      life_expectancy(m2010[1], Sex::male));

  fmt::print("Reading the data: {:.0f} ms; fitting the shared parts: {:.0f} ms\n",
             std::chrono::duration<double, std::milli>(t_model - t_read).count(),
             std::chrono::duration<double, std::milli>(t_built - t_model).count());
  const Ar1& ar = model.ar1();
  fmt::print(
      "AR(1) of the provinces' offsets (Brass alpha), {} decade pairs: phi = {:.4f} a year "
      "(se {:.4f}; {:.3f} per decade), sigma = {:.4f} a year\n",
      ar.pairs, ar.phi, ar.phi_se, std::pow(ar.phi, 10), ar.sigma);
  fmt::print(
      "Between-unit variance of ln SMR 2010: prefectures {:.4f} (sd {:.3f}), counties {:.4f} "
      "(sd {:.3f})\n\n",
      model.between_variance_prefectures(), std::sqrt(model.between_variance_prefectures()),
      model.between_variance_counties(), std::sqrt(model.between_variance_counties()));
  const auto cal = model.death_rate_calibration();
  fmt::print(
      "Census death rates against official e0 over {} provinces: slope {:.3f}, residual sd "
      "{:.3f}\n\n",
      cal.provinces, cal.slope, std::sqrt(cal.residual_variance));

  // ---- seed units --------------------------------------------------------------------------
  fmt::print("{:<8} {:<10} {:>12} {:>6} {:>6} | {:>22} {:>22} | {:>11} {:>11} | {:>6} {:>9}\n",
             "code", "name", "pop 2020", "65+ %", "model", "e0 2020 female (95%)",
             "e0 2020 male (95%)", "prov e0 f/m", "fit 2010 f/m", "TFR x", "mig %/yr");
  for (const char* code : {"000000", "210100", "211100", "410212", "410200", "330700", "331100"}) {
    const UnitInputs in = model.derive(code);
    const E0 f = e0_of(in.mortality, Sex::female, 2020, m2020[0]);
    const E0 m = e0_of(in.mortality, Sex::male, 2020, m2020[1]);
    const std::string prov = units.province_of(code).empty() ? "000000" : units.province_of(code);
    const auto& official = units.official_e0.at(prov).at(2010);
    const double fit_f = fit2010(in.mortality, 0), fit_m = fit2010(in.mortality, 1);
    const double pop = total(in.census);
    fmt::print(
        "{:<8} {:<10} {:>12.0f} {:>6.2f} {:>6.2f} | {:>6.2f} ({:>5.2f}-{:>5.2f}) {:>6.2f} "
        "({:>5.2f}-{:>5.2f}) | {:>5.2f}/{:>5.2f} {:>5.2f}/{:>5.2f} | {:>6.3f} {:>9.3f}\n",
        code, in.name, pop, 100 * share_65(in.census), 100 * share_65(in.population), f.mean, f.low,
        f.high, m.mean, m.low, m.high, *official.female, *official.male, fit_f, fit_m,
        in.fertility.ratio,
        100.0 * (in.migration.net_10y[0] + in.migration.net_10y[1]) / 10.0 / pop);
  }
  fmt::print("\nFertility indicators (ratio to the nation) and migration of the seed units:\n");
  for (const char* code : {"210100", "211100", "410212", "410200", "330700", "331100"}) {
    const UnitInputs in = model.derive(code);
    fmt::print("  {} {}: TFR x {:.3f} (log sd {:.3f}):", code, in.name, in.fertility.ratio,
               in.fertility.log_sd);
    for (const auto& [name, r] : in.fertility.indicators) fmt::print(" {} {:.3f};", name, r);
    fmt::print(" net migration 2010-2020 {:+.0f}\n",
               in.migration.net_10y[0] + in.migration.net_10y[1]);
  }
  fmt::print("\n");

  // ---- provinces ---------------------------------------------------------------------------
  // (a) the fit: the official e0 back from the province's offset on the official scale;
  // (b) a check of the census-death-rate method: each province's e0 2010 predicted from its
  //     2010 census crude death rate alone (indirectly standardised against the nation at the
  //     official national level, calibrated with a slope fitted on the other 30 provinces).
  double max_err = 0;
  std::vector<std::array<double, 4>> cdr_rows;  // official f, m, predicted f, m
  std::map<std::string, double> log_smr;        // relative to the nation
  std::map<std::string, double> x_official;
  demography::SexAgeArray nat_off{};
  for (std::size_t s = 0; s < 2; ++s)
    nat_off[s] = relational_mx(m2010[s], official_level[s], RelationalModel::brass_logit);
  auto smr_of = [&](const std::string& code) {
    const auto& g = units.census2010.at(code);
    const auto p = graduate_census(g, national.base_population);
    return std::log(*units.units2010.at(code).cdr / 1000.0 * total(g) /
                    expected_deaths(p, nat_off));
  };
  const double nation_smr = smr_of("000000");
  for (const auto& u : units.units) {
    if (u.level != Level::province) continue;
    const auto p = graduate_census(units.census2010.at(u.code), national.base_population);
    const UnitInputs in = model.derive(u.code);
    demography::SexAgeArray m_off{};
    for (std::size_t s = 0; s < 2; ++s)
      m_off[s] = in.mortality.apply(official_level[s] + in.mortality.offset0[s], m2010[s]);
    x_official[u.code] = std::log(expected_deaths(p, m_off) / expected_deaths(p, nat_off));
    log_smr[u.code] = smr_of(u.code) - nation_smr;
  }
  fmt::print(
      "Provinces: official e0 2010 / fitted (official scale) / predicted from the census death "
      "rate alone; estimated e0 2015 and 2020 (national input scale)\n");
  double se_f = 0, se_m = 0;
  int n = 0;
  for (const auto& u : units.units) {
    if (u.level != Level::province) continue;
    const UnitInputs in = model.derive(u.code);
    const auto& official = units.official_e0.at(u.code).at(2010);
    const double fit_f = fit2010(in.mortality, 0), fit_m = fit2010(in.mortality, 1);
    max_err =
        std::max({max_err, std::abs(fit_f - *official.female), std::abs(fit_m - *official.male)});
    double sxy = 0, syy = 0;  // slope without this province
    for (const auto& [code, y] : log_smr)
      if (code != u.code) {
        sxy += x_official[code] * y;
        syy += y * y;
      }
    const auto p = graduate_census(units.census2010.at(u.code), national.base_population);
    const double shift = fit_shift_to_deaths_ratio(
        nat_off, p, std::exp(sxy / syy * log_smr[u.code]), RelationalModel::brass_logit);
    const double pred_f = life_expectancy(
        relational_mx(m2010[0], official_level[0] + shift, RelationalModel::brass_logit),
        Sex::female);
    const double pred_m = life_expectancy(
        relational_mx(m2010[1], official_level[1] + shift, RelationalModel::brass_logit),
        Sex::male);
    se_f += (pred_f - *official.female) * (pred_f - *official.female);
    se_m += (pred_m - *official.male) * (pred_m - *official.male);
    ++n;
    const auto m2015 = national.mx_at(2015);
    const E0 f20 = e0_of(in.mortality, Sex::female, 2020, m2020[0]);
    const E0 m20 = e0_of(in.mortality, Sex::male, 2020, m2020[1]);
    fmt::print(
        "{} {:<10} 2010 f {:.2f} {:.2f} {:.2f} m {:.2f} {:.2f} {:.2f} | 2015 f {:.2f} m {:.2f} | "
        "2020 f {:.2f} ({:.2f}-{:.2f}) m {:.2f} ({:.2f}-{:.2f})\n",
        u.code, u.name_zh, *official.female, fit_f, pred_f, *official.male, fit_m, pred_m,
        life_expectancy(in.mortality.mx(Sex::female, 2015, m2015[0]), Sex::female),
        life_expectancy(in.mortality.mx(Sex::male, 2015, m2015[1]), Sex::male), f20.mean, f20.low,
        f20.high, m20.mean, m20.low, m20.high);
  }
  fmt::print(
      "largest |fitted - official| e0 2010: {:.4f} years; from the death rate alone "
      "(leave-one-out slope): RMSE female {:.2f}, male {:.2f} years\n\n",
      max_err, std::sqrt(se_f / n), std::sqrt(se_m / n));

  // ---- all counties ------------------------------------------------------------------------
  std::vector<const Unit*> counties;
  for (const auto& u : units.units)
    if (u.level == Level::county) counties.push_back(&u);
  std::vector<double> ef, em, width;
  struct Row {
    const Unit* u;
    double f, m, smr;
    std::size_t notes;
  };
  std::vector<Row> rows;
  std::ofstream csv;
  if (!csv_out.empty()) {
    csv.open(csv_out);
    csv << "code,name_zh,population,e0_2020_female,e0_2020_male,sd_offset_2020,tfr_ratio,"
           "migration_rate\n";
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t all_units = 0, finite_problems = 0, extreme = 0, no_2010 = 0;
  for (const auto& u : units.units) {
    const UnitInputs in = model.derive(u.code);
    ++all_units;
    for (std::size_t s = 0; s < 2; ++s)
      for (int a = 0; a <= demography::AGE_MAX; ++a)
        if (!std::isfinite(in.population[s][a]) || in.population[s][a] < 0 ||
            !std::isfinite(in.migration.rate[s][a]))
          ++finite_problems;
    if (u.level != Level::county) continue;
    for (const auto& note : in.notes)
      extreme += note.find("behind this level") != std::string::npos;
    no_2010 += !u.in_2010;
    const double f = life_expectancy(in.mortality.mx(Sex::female, 2020, m2020[0]), Sex::female);
    const double m = life_expectancy(in.mortality.mx(Sex::male, 2020, m2020[1]), Sex::male);
    ef.push_back(f);
    em.push_back(m);
    width.push_back(e0_of(in.mortality, Sex::female, 2020, m2020[0]).high -
                    e0_of(in.mortality, Sex::female, 2020, m2020[0]).low);
    rows.push_back({&u, f, m, 0.0, in.notes.size()});
    if (csv)
      csv << fmt::format(
          "{},{},{:.0f},{:.3f},{:.3f},{:.4f},{:.4f},{:.5f}\n", u.code, u.name_zh, u.population, f,
          m, in.mortality.sd(Sex::female, 2020), in.fertility.ratio,
          (in.migration.net_10y[0] + in.migration.net_10y[1]) / 10.0 / std::max(u.population, 1.0));
  }
  const auto t1 = std::chrono::steady_clock::now();
  const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  fmt::print(
      "All {} units derived in {:.0f} ms ({:.3f} ms per unit); non-finite or negative "
      "values: {}\n",
      all_units, ms, ms / static_cast<double>(all_units), finite_problems);
  fmt::print("Counties ({}): e0 2020 female quantiles 0/1/5/25/50/75/95/99/100%: ", ef.size());
  for (double p : {0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0})
    fmt::print("{:.2f} ", quantile(ef, p));
  fmt::print("\n  male: ");
  for (double p : {0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0})
    fmt::print("{:.2f} ", quantile(em, p));
  fmt::print(
      "\n  counties whose level rests on a 2010 death rate beyond 1.6x or 1/1.6x the "
      "province's: {}; counties not in the 2010 census: {}",
      extreme, no_2010);
  fmt::print("\n  width of the female 95% interval: median {:.2f}, max {:.2f}\n",
             quantile(width, 0.5), quantile(width, 1.0));
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.f < b.f; });
  auto show = [&](const Row& r) {
    const UnitInputs in = model.derive(r.u->code);
    fmt::print("  {} {} (pop {:.0f}, in 2010: {}) female {:.2f} male {:.2f}\n", r.u->code,
               r.u->name_zh, r.u->population, r.u->in_2010 ? "yes" : "no", r.f, r.m);
    for (const auto& note : in.notes)
      if (note.starts_with("mortality")) fmt::print("      {}\n", note);
  };
  fmt::print("Lowest e0 2020 (female):\n");
  for (std::size_t i = 0; i < 8; ++i) show(rows[i]);
  fmt::print("Highest e0 2020 (female):\n");
  for (std::size_t i = rows.size() - 8; i < rows.size(); ++i) show(rows[i]);
  // The smallest counties: borrowing strength.
  std::sort(counties.begin(), counties.end(),
            [](const Unit* a, const Unit* b) { return a->population < b->population; });
  fmt::print("Smallest counties:\n");
  for (std::size_t i = 0; i < 5; ++i) {
    const UnitInputs in = model.derive(counties[i]->code);
    fmt::print("  {} {} pop {:.0f}: e0 2020 f {:.2f} m {:.2f}, TFR x {:.3f}, migration {}\n",
               counties[i]->code, counties[i]->name_zh, counties[i]->population,
               life_expectancy(in.mortality.mx(Sex::female, 2020, m2020[0]), Sex::female),
               life_expectancy(in.mortality.mx(Sex::male, 2020, m2020[1]), Sex::male),
               in.fertility.ratio, in.migration.estimated ? "estimated" : "zero");
  }
  // Timing of one unit alone, repeated.
  const auto t2 = std::chrono::steady_clock::now();
  const int reps = 200;
  for (int i = 0; i < reps; ++i) (void)model.derive("210100");
  const auto t3 = std::chrono::steady_clock::now();
  fmt::print("Shenyang derived {} times: {:.3f} ms each\n", reps,
             std::chrono::duration<double, std::milli>(t3 - t2).count() / reps);
  return 0;
}
