#include "healthcast/places/unit_inputs.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "healthcast/error.h"
#include "healthcast/places/base_population.h"
#include "healthcast/places/shrinkage.h"

namespace healthcast::places {

namespace {

using demography::AGE_MAX;
using demography::AgeArray;
using demography::N_AGES;
using demography::N_SEXES;
using demography::Sex;
using demography::SexAgeArray;

using demography::SEXES;
constexpr std::array<int, 3> OFFICIAL_YEARS = {1990, 2000, 2010};
const std::string NATION(NATION_CODE);

std::size_t sex_index(Sex sex) {
  if (sex == Sex::total) throw Error("unit mortality is by sex; 'total' is not a sex here");
  return demography::index(sex);
}

std::optional<double> official(const OfficialE0& e, std::size_t s) {
  return s == 0 ? e.female : e.male;
}

std::string province_code(std::string_view code) { return std::string(code.substr(0, 2)) + "0000"; }

// A log relative level with its sampling variance (v = inf: not observed).
struct Evidence {
  double y = 0;
  double v = INFINITY;
};

struct FertilityEvidence {
  double y = 0;         // mean ln ratio to the nation over the indicators
  double v = INFINITY;  // sampling variance of y
  double spread = 0;    // variance among the indicators' ln ratios
  std::vector<std::pair<std::string, double>> ratios;
};

double women_15_49(const SexGroups& g) {
  double w = 0;
  for (std::size_t i = 4; i <= 10; ++i) w += g[0][i];  // groups 15-19 .. 45-49
  return w;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
double UnitMortality::offset(Sex sex, int year) const {
  return ar1.mean(offset0[sex_index(sex)], std::max(0, year - origin_year));
}

double UnitMortality::sd(Sex sex, int year) const {
  const double s0 = sd0[sex_index(sex)];
  return std::sqrt(ar1.variance(s0 * s0, std::max(0, year - origin_year)));
}

AgeArray UnitMortality::apply(double level, const AgeArray& national) const {
  return relational_mx(national, level, model);
}

AgeArray UnitMortality::mx(Sex sex, int year, const AgeArray& national) const {
  return apply(offset(sex, year), national);
}

std::array<std::vector<double>, 2> UnitMortality::draw(int first, int last,
                                                       random::Stream& stream) const {
  // Both sexes take the same normals: they share the unit's relative level.
  random::Stream copy = stream;
  return {draw_offset_path(ar1, offset0[0], sd0[0], origin_year, first, last, copy),
          draw_offset_path(ar1, offset0[1], sd0[1], origin_year, first, last, stream)};
}

AgeArray UnitFertility::asfr(const AgeArray& national) const {
  AgeArray out{};
  for (std::size_t a = 0; a < N_AGES; ++a) out[a] = ratio * national[a];
  return out;
}

// ---------------------------------------------------------------------------------------------
struct UnitModel::Impl {
  UnitsData units;
  NationalInputs national;
  DerivationOptions opt;

  SexAgeArray m_origin{};  // national rates in the origin year
  SexAgeArray m_middle{};  // national rates in the middle of the intercensal decade
  SexAgeArray m_census{};  // national rates in the census year (date shift)
  // code (nation or province) -> sex -> year -> level of the official e0 on the national rates
  std::map<std::string, std::array<std::map<int, double>, 2>, std::less<>> levels;
  std::map<std::string, std::array<double, 2>, std::less<>> province_sd;  // sd of the 2010 offset
  std::map<std::string, SexAgeArray, std::less<>> province_m;  // provinces' origin-year rates
  Ar1 ar1;
  // Mortality: ln SMR relative to the province, raw and shrunk, by 2010 code.
  std::map<std::string, Evidence, std::less<>> smr;
  std::map<std::string, Shrunk, std::less<>> smr_shrunk;
  double tau2_pref = 0, tau2_county = 0;
  double cdr_slope = 1, cdr_noise = 0;  // calibration of census death rates on official e0
  int cdr_provinces = 0;
  // Fertility by 2020 code.
  std::array<FertilityIndex, 3> nation_fertility;
  AgeArray parity{};
  std::map<std::string, FertilityEvidence, std::less<>> fertility;
  std::map<std::string, Shrunk, std::less<>> fertility_shrunk;
  double tau2_fert_pref = 0, tau2_fert_county = 0;
  CohortRates nation_migration{};  // the nation's residual: the censuses' relative coverage

  double official_offset(std::string_view code, int year, std::size_t s) const {
    const auto it = levels.find(code);
    const auto nat = levels.find(NATION);
    if (it == levels.end() || !it->second[s].contains(year) || !nat->second[s].contains(year))
      throw Error(fmt::format("no official e0 of {} for {} in {}", code,
                              demography::to_string(SEXES[s]), year));
    return it->second[s].at(year) - nat->second[s].at(year);
  }

  void fit_official_levels() {
    for (const auto& [code, years] : units.official_e0) {
      for (int year : OFFICIAL_YEARS) {
        auto e = years.find(year);
        if (e == years.end()) continue;
        const SexAgeArray m = national.mx_at(year);
        for (std::size_t s = 0; s < N_SEXES; ++s)
          if (auto e0 = official(e->second, s))
            levels[code][s][year] = fit_level_to_e0(m[s], *e0, SEXES[s], opt.model);
      }
    }
    if (!levels.contains(NATION))
      throw Error("the official e0 table has no national row (code 000000)");
    // The offsets' pace: pairs of consecutive official years over provinces and sexes.
    std::vector<std::pair<double, double>> pairs;
    for (const auto& [code, by_sex] : levels) {
      if (code == NATION_CODE) continue;
      for (std::size_t s = 0; s < N_SEXES; ++s)
        for (std::size_t i = 0; i + 1 < OFFICIAL_YEARS.size(); ++i)
          if (by_sex[s].contains(OFFICIAL_YEARS[i]) && by_sex[s].contains(OFFICIAL_YEARS[i + 1]))
            pairs.emplace_back(official_offset(code, OFFICIAL_YEARS[i], s),
                               official_offset(code, OFFICIAL_YEARS[i + 1], s));
    }
    ar1 = estimate_ar1(pairs, OFFICIAL_YEARS[1] - OFFICIAL_YEARS[0]);
    // Each province's origin-year rates and the sd of its offset from the official e0's error.
    for (const auto& u : units.units) {
      if (u.level != Level::province) continue;
      const auto e = units.official_e0.find(u.code);
      SexAgeArray m{};
      std::array<double, 2> sd{0.0, 0.0};
      for (std::size_t s = 0; s < N_SEXES; ++s) {
        const double lev =
            official_offset(u.code, opt.origin_year, s) + levels.at(NATION)[s].at(opt.origin_year);
        m[s] = relational_mx(m_origin[s], lev, opt.model);
        const double e0 = *official(e->second.at(opt.origin_year), s);
        const double hi =
            fit_level_to_e0(m_origin[s], e0 - opt.official_e0_sd, SEXES[s], opt.model);
        const double lo =
            fit_level_to_e0(m_origin[s], e0 + opt.official_e0_sd, SEXES[s], opt.model);
        sd[s] = 0.5 * (hi - lo);
      }
      province_m[u.code] = m;
      province_sd[u.code] = sd;
    }
  }

  // The census death rates calibrated on the provinces' official e0: across the provinces,
  // x = ln(expected deaths at the official provincial rates / at the official national rates)
  // against y = ln SMR of the census death rate relative to the nation's, by least squares
  // through the origin, x = b y + e. A unit's relative level within its province is then
  // z = b (ln SMR_unit - ln SMR_province), observed with variance b^2 / deaths + var(e): the
  // census misreports deaths unevenly, and the provinces show by how much.
  // Then z is shrunk: prefectures toward their province, counties toward their prefecture.
  // ln SMR of a unit's 2010 census death rate against the rates m, with its Poisson variance.
  std::optional<Evidence> log_smr(const std::string& code, const SexAgeArray& m) const {
    const Unit2010& u = units.units2010.at(code);
    if (!u.cdr) return std::nullopt;
    const auto& groups = units.census2010.at(code);
    const SexAgeArray p = graduate_census(groups, national.base_population);
    const double expected = expected_deaths(p, m);
    if (!(expected > 0)) return std::nullopt;
    const double observed = *u.cdr / 1000.0 * total(groups);
    return Evidence{std::log((observed + 0.5) / expected), 1.0 / (observed + 0.5)};
  }

  // The slope b and the noise var(e) of x = b y + e across the provinces (see below).
  void calibrate_census_deaths(const SexAgeArray& national_official) {
    const auto nation = log_smr(NATION, national_official);
    if (!nation) throw Error("the 2010 census has no national crude death rate");
    double sxy = 0, syy = 0;
    std::vector<std::pair<double, double>> xy;
    for (const auto& [code, m] : province_m) {
      const auto y = log_smr(code, national_official);
      if (!y) continue;
      const SexAgeArray p = graduate_census(units.census2010.at(code), national.base_population);
      const double x = std::log(expected_deaths(p, m) / expected_deaths(p, national_official));
      xy.emplace_back(x, y->y - nation->y);
      sxy += x * (y->y - nation->y);
      syy += (y->y - nation->y) * (y->y - nation->y);
    }
    if (xy.size() < 3 || !(syy > 0)) throw Error("too few provinces to calibrate the death rates");
    cdr_slope = sxy / syy;
    double ss = 0;
    for (const auto& [x, y] : xy) ss += (x - cdr_slope * y) * (x - cdr_slope * y);
    cdr_noise = ss / static_cast<double>(xy.size() - 1);
    cdr_provinces = static_cast<int>(xy.size());
  }

  // Each unit of a level shrunk toward its prior (its parent's shrunk value) by the
  // between-unit variance tau2 estimated from the level's units.
  template <class PriorOf>
  void shrink_level(Level kind, PriorOf prior_of, double& tau2) {
    std::vector<double> d, v;
    for (const auto& [code, e] : smr)
      if (units.units2010.at(code).level == kind) {
        d.push_back(e.y - prior_of(code).value);
        v.push_back(e.v);
      }
    tau2 = d.size() >= 3 ? between_variance(d, v) : 0.0;
    for (const auto& [code, e] : smr)
      if (units.units2010.at(code).level == kind) {
        const Shrunk prior = prior_of(code);
        Shrunk s = shrink(e.y, e.v, prior.value, tau2);
        s.variance += (1.0 - s.weight) * (1.0 - s.weight) * prior.variance;
        smr_shrunk[code] = s;
      }
  }

  // The census death rates calibrated on the provinces' official e0: across the provinces,
  // x = ln(expected deaths at the official provincial rates / at the official national rates)
  // against y = ln SMR of the census death rate relative to the nation's, by least squares
  // through the origin, x = b y + e. A unit's relative level within its province is then
  // z = b (ln SMR_unit - ln SMR_province), observed with variance b^2 / deaths + var(e): the
  // census misreports deaths unevenly, and the provinces show by how much.
  // Then z is shrunk: prefectures toward their province, counties toward their prefecture.
  void fit_relative_mortality() {
    SexAgeArray national_official{};
    for (std::size_t s = 0; s < N_SEXES; ++s)
      national_official[s] =
          relational_mx(m_origin[s], levels.at(NATION)[s].at(opt.origin_year), opt.model);
    calibrate_census_deaths(national_official);
    std::map<std::string, double, std::less<>> province_log_smr;
    for (const auto& [code, m] : province_m)
      if (auto e = log_smr(code, m)) province_log_smr[code] = e->y;
    for (const auto& [code, u] : units.units2010) {
      if (u.level != Level::prefecture && u.level != Level::county) continue;
      const auto prov = province_log_smr.find(province_code(code));
      if (prov == province_log_smr.end()) continue;
      if (auto e = log_smr(code, province_m.at(prov->first)))
        smr[code] = {cdr_slope * (e->y - prov->second), cdr_slope * cdr_slope * e->v + cdr_noise};
    }
    auto province_prior = [](const std::string&) { return Shrunk{0.0, 0.0, 0.0}; };
    shrink_level(Level::prefecture, province_prior, tau2_pref);
    auto prefecture_prior = [&](const std::string& code) {
      const auto it = smr_shrunk.find(units.units2010.at(code).parent);
      return it != smr_shrunk.end() ? it->second : Shrunk{0.0, 0.0, 0.0};
    };
    shrink_level(Level::county, prefecture_prior, tau2_county);
  }

  FertilityEvidence fertility_evidence(const Unit& u) const {
    const SexGroups& g = units.census2020.at(u.code);
    std::vector<std::pair<FertilityIndex, const FertilityIndex*>> found;
    found.emplace_back(child_woman_index(g, units.national_asfr, opt.census_year),
                       &nation_fertility[0]);
    if (u.ceb)
      found.emplace_back(parity_index(g, *u.ceb, parity, opt.census_year), &nation_fertility[1]);
    if (u.in_2010) {
      const auto& u10 = units.units2010.at(u.code);
      if (u10.cbr)
        found.emplace_back(birth_rate_index(units.census2010.at(u.code), *u10.cbr,
                                            units.national_asfr, opt.origin_year),
                           &nation_fertility[2]);
    }
    FertilityEvidence out;
    std::vector<double> logs;
    double v = 0;
    for (const auto& [idx, nat] : found) {
      if (!std::isfinite(idx.index) || !(idx.index > 0)) continue;
      const double r = idx.index / nat->index;
      out.ratios.emplace_back(idx.name, r);
      logs.push_back(std::log(r));
      v += idx.log_variance;
    }
    if (logs.empty()) return out;
    const double n = static_cast<double>(logs.size());
    double mean = 0;
    for (double x : logs) mean += x / n;
    double spread = 0;
    for (double x : logs) spread += logs.size() > 1 ? (x - mean) * (x - mean) / (n - 1) : 0.0;
    out.y = mean;
    out.v = v / (n * n);
    out.spread = spread;
    return out;
  }

  void fit_fertility() {
    const Unit& nation = units.at(NATION);
    parity = cohort_parity(units.national_asfr, opt.census_year);
    const SexGroups& g20 = units.census2020.at(NATION);
    nation_fertility[0] = child_woman_index(g20, units.national_asfr, opt.census_year);
    nation_fertility[1] = parity_index(g20, nation.ceb.value_or(NAN), parity, opt.census_year);
    const auto& n10 = units.units2010.at(NATION);
    nation_fertility[2] = birth_rate_index(units.census2010.at(NATION), n10.cbr.value_or(NAN),
                                           units.national_asfr, opt.origin_year);
    for (const auto& u : units.units)
      if (u.level != Level::nation) fertility[u.code] = fertility_evidence(u);
    // Shrinkage: provinces keep their own value; prefectures toward the province, counties
    // toward their parent.
    auto fit_level = [&](Level kind, double& tau2) {
      std::vector<double> d, v;
      for (const auto& u : units.units)
        if (u.level == kind && std::isfinite(fertility[u.code].v)) {
          d.push_back(fertility[u.code].y - fertility_shrunk.at(u.parent).value);
          v.push_back(fertility[u.code].v);
        }
      tau2 = d.size() >= 3 ? between_variance(d, v) : 0.0;
      for (const auto& u : units.units)
        if (u.level == kind) {
          const Shrunk prior = fertility_shrunk.at(u.parent);
          const auto& e = fertility[u.code];
          Shrunk s = shrink(e.y, e.v, prior.value, tau2);
          s.variance += (1.0 - s.weight) * (1.0 - s.weight) * prior.variance;
          fertility_shrunk[u.code] = s;
        }
    };
    fertility_shrunk[NATION] = Shrunk{0.0, 0.0, 1.0};
    for (const auto& u : units.units)
      if (u.level == Level::province)
        fertility_shrunk[u.code] = Shrunk{fertility[u.code].y, fertility[u.code].v, 1.0};
    fit_level(Level::prefecture, tau2_fert_pref);
    fit_level(Level::county, tau2_fert_county);
  }

  // ---- per unit --------------------------------------------------------------------------
  // The unit's level relative to its province (log of the relative death rate, with its
  // variance): its own 2010 death rate (shrunk), or its parent's with the between-unit
  // variance added; and the census counts that level applies to.
  std::pair<Shrunk, const SexGroups*> relative_level(const Unit& u, const std::string& prov,
                                                     std::vector<std::string>& notes) const {
    Shrunk rel{0.0, tau2_pref, 0.0};
    const SexGroups* groups = nullptr;
    const auto own = u.in_2010 ? smr_shrunk.find(u.code) : smr_shrunk.end();
    if (own != smr_shrunk.end()) {
      rel = own->second;
      groups = &units.census2010.at(u.code);
      notes.push_back(fmt::format(
          "mortality: level of {} from the official e0 of {} and the unit's {} crude death rate "
          "relative to the province (indirectly standardised, calibrated on the provinces: "
          "relative death rate {:.3f}, weight {:.2f} on the unit's own figure against its "
          "parent's, giving {:.3f})",
          units.at(prov).name_zh, opt.origin_year, opt.origin_year, std::exp(smr.at(u.code).y),
          rel.weight, std::exp(rel.value)));
      if (u.boundary_changed)
        notes.push_back(
            fmt::format("mortality: the {} death rate is of the unit's {} area, "
                        "which differs from its 2020 area",
                        opt.origin_year, opt.origin_year));
    } else {
      const auto parent = smr_shrunk.find(u.parent);
      if (u.level == Level::county && parent != smr_shrunk.end())
        rel = Shrunk{parent->second.value, parent->second.variance + tau2_county, 0.0};
      else if (u.level == Level::county)
        rel = Shrunk{0.0, tau2_pref + tau2_county, 0.0};
      groups = &units.census2020.at(u.code);
      notes.push_back(fmt::format(
          "mortality: {} has no {} death rate under this code; its level relative to the "
          "province is its {}'s, with the between-unit variance added",
          u.code, opt.origin_year,
          u.level == Level::county && parent != smr_shrunk.end() ? "prefecture" : "province"));
    }
    if (std::abs(rel.value) > std::log(1.6))
      notes.push_back(fmt::format(
          "mortality: the {} death rate behind this level is {:.2f} times the province's after "
          "standardisation: check for a disaster in the census year or a district of young "
          "migrants (who often return home before they die); give the unit's official e0 if "
          "known",
          opt.origin_year, std::exp(rel.value)));
    return {rel, groups};
  }

  // The shift of the relational model's level that gives the unit's counts, at the province's
  // rates, the relative deaths `rel`; and its sd (half the shift between rel -+ one sd).
  std::pair<double, double> level_shift(const Shrunk& rel, const SexGroups& groups,
                                        const std::string& prov) const {
    const SexAgeArray p = graduate_census(groups, national.base_population);
    const SexAgeArray& pm = province_m.at(prov);
    const double sd = std::sqrt(rel.variance);
    const double delta = fit_shift_to_deaths_ratio(pm, p, std::exp(rel.value), opt.model);
    const double up = fit_shift_to_deaths_ratio(pm, p, std::exp(rel.value + sd), opt.model);
    const double down = fit_shift_to_deaths_ratio(pm, p, std::exp(rel.value - sd), opt.model);
    return {delta, 0.5 * (up - down)};
  }

  UnitMortality mortality_of(const Unit& u, std::vector<std::string>& notes) const {
    UnitMortality out;
    out.model = opt.model;
    out.origin_year = opt.origin_year;
    if (u.level == Level::nation) {
      out.ar1 = Ar1{1.0, 0.0, 0.0, 0};
      return out;
    }
    out.ar1 = ar1;
    const std::string prov = province_code(u.code);
    const auto& psd = province_sd.at(prov);
    std::array<double, 2> offset{}, var{};
    for (std::size_t s = 0; s < N_SEXES; ++s) {
      offset[s] = official_offset(prov, opt.origin_year, s);
      var[s] = psd[s] * psd[s];
    }
    if (u.level == Level::province) {
      notes.push_back(fmt::format(
          "mortality: {} on the national rates, level from the official e0 of {} (female {:.2f}, "
          "male {:.2f}), converging to the national path by {:.4f} a year",
          opt.model == RelationalModel::brass_logit ? "Brass logit" : "proportional hazards",
          opt.origin_year, *units.official_e0.at(prov).at(opt.origin_year).female,
          *units.official_e0.at(prov).at(opt.origin_year).male, ar1.phi));
    } else {
      const auto [rel, groups] = relative_level(u, prov, notes);
      const auto [delta, delta_sd] = level_shift(rel, *groups, prov);
      for (std::size_t s = 0; s < N_SEXES; ++s) {
        offset[s] += delta;
        var[s] += delta_sd * delta_sd;
      }
    }
    for (std::size_t s = 0; s < N_SEXES; ++s) {
      out.offset0[s] = offset[s];
      out.sd0[s] = std::sqrt(var[s]);
    }
    return out;
  }

  UnitFertility fertility_of(const Unit& u, std::vector<std::string>& notes) const {
    UnitFertility out;
    if (u.level == Level::nation) return out;
    const auto& e = fertility.at(u.code);
    const auto& s = fertility_shrunk.at(u.code);
    out.ratio = std::exp(s.value);
    out.log_sd = std::max(opt.min_fertility_log_sd, std::sqrt(e.spread + s.variance));
    out.indicators = e.ratios;
    std::string parts;
    for (const auto& [name, r] : e.ratios)
      parts += fmt::format("{}{} {:.3f}", parts.empty() ? "" : ", ", name, r);
    notes.push_back(fmt::format(
        "fertility: the national age schedule x {:.3f} (sd of the log {:.3f}), the geometric mean "
        "of the indirectly standardised ratios to the nation ({}){}",
        out.ratio, out.log_sd, parts.empty() ? "none available" : parts,
        s.weight < 0.99 ? fmt::format(", shrunk toward the parent (weight {:.2f})", s.weight)
                        : ""));
    return out;
  }

  // Raw census-survival cohort rates of a 2010-matched unit at the given rates, with a prior.
  CensusSurvival survival(const std::string& code, const SexAgeArray& m,
                          const CohortRates* prior) const {
    return census_survival(units.census2010.at(code), units.census2020.at(code), m,
                           opt.census_year - opt.origin_year, prior,
                           prior ? opt.migration_prior_persons : 0.0);
  }

  // The prior for a unit's cohort rates: its parent's raw rates (at the province's rates), or
  // the province's, or the nation's.
  CohortRates prior_rates(const Unit& u) const {
    for (const std::string& code : {u.parent, province_code(u.code)}) {
      if (code == u.code || code.empty()) continue;
      const Unit* p = units.find(code);
      if (!p || !p->in_2010 || p->boundary_changed || p->level == Level::nation) continue;
      const std::string prov = province_code(code);
      SexAgeArray m{};
      for (std::size_t s = 0; s < N_SEXES; ++s)
        m[s] = relational_mx(m_middle[s],
                             ar1.mean(official_offset(prov, opt.origin_year, s),
                                      (opt.census_year - opt.origin_year) / 2.0),
                             opt.model);
      const auto ps = survival(code, m, &nation_migration);
      return ps.rate;
    }
    return nation_migration;
  }

  UnitMigration migration_of(const Unit& u, const UnitMortality& mortality,
                             std::vector<std::string>& notes) const {
    UnitMigration out;
    if (u.level == Level::nation) {
      notes.push_back("migration: the nation keeps the national migration input");
      return out;
    }
    if (!u.in_2010 || u.boundary_changed) {
      notes.push_back(fmt::format(
          "migration: zero: {} the {} census under the same code and area, so the census "
          "survival method cannot be applied; give the unit's net migration in the scenario",
          !u.in_2010 ? "the unit is not in" : "the unit's area changed since", opt.origin_year));
      return out;
    }
    const int middle = (opt.origin_year + opt.census_year) / 2;
    SexAgeArray m{};
    for (std::size_t s = 0; s < N_SEXES; ++s) m[s] = mortality.mx(SEXES[s], middle, m_middle[s]);
    const CohortRates prior = prior_rates(u);
    const CensusSurvival cs = survival(u.code, m, &prior);
    CohortRates rate{}, sd{};
    bool capped = false;
    const double years = opt.census_year - opt.origin_year;
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t c = 0; c < N_COHORTS; ++c) {
        double r = cs.rate[s][c] - nation_migration[s][c];
        if (std::abs(r) > opt.max_migration_rate) {
          r = std::copysign(opt.max_migration_rate, r);
          capped = true;
        }
        rate[s][c] = r;
        sd[s][c] = std::hypot(cs.sampling_sd[s][c], nation_migration[s][c]);
        out.net_10y[s] += cs.expected[s][c] * std::expm1(years * r);
      }
    out.estimated = true;
    out.rate = rates_by_age(rate);
    out.sd = rates_by_age(sd);
    notes.push_back(fmt::format(
        "migration: census survival {}-{} by the unit's life table, less the nation's residual "
        "(the censuses' relative coverage): net {:+.0f} persons over the decade ({:+.2f}% a year "
        "of the 2020 population), applied as rates to the unit's own population",
        opt.origin_year, opt.census_year, out.net_10y[0] + out.net_10y[1],
        100.0 * (out.net_10y[0] + out.net_10y[1]) / years / std::max(u.population, 1.0)));
    if (capped)
      notes.push_back(fmt::format("migration: some cohort rates were capped at {:.2f} a year",
                                  opt.max_migration_rate));
    return out;
  }

  UnitInputs derive_one(const Unit& u) const {
    UnitInputs in;
    in.name = u.name_zh;
    in.codes = {u.code};
    in.level = u.level;
    in.census = units.census2020.at(u.code);
    in.population = base_population(in.census, national.base_population, m_census, national.base);
    in.mortality = mortality_of(u, in.notes);
    in.fertility = fertility_of(u, in.notes);
    in.migration = migration_of(u, in.mortality, in.notes);
    return in;
  }
};

// ---------------------------------------------------------------------------------------------
UnitModel::UnitModel(const UnitsData& units, NationalInputs national, DerivationOptions options)
    : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.units = units;
  d.national = std::move(national);
  d.opt = options;
  if (d.units.units.empty() || d.units.units.front().code != NATION_CODE)
    throw Error("the units data have no nation");
  d.m_origin = d.national.mx_at(options.origin_year);
  d.m_middle = d.national.mx_at((options.origin_year + options.census_year) / 2);
  d.m_census = d.national.mx_at(options.census_year);
  d.fit_official_levels();
  d.fit_relative_mortality();
  d.fit_fertility();
  d.nation_migration = census_survival(d.units.census2010.at(NATION), d.units.census2020.at(NATION),
                                       d.m_middle, options.census_year - options.origin_year)
                           .rate;
}

UnitModel::~UnitModel() = default;
UnitModel::UnitModel(UnitModel&&) noexcept = default;

const Ar1& UnitModel::ar1() const { return impl_->ar1; }
double UnitModel::between_variance_prefectures() const { return impl_->tau2_pref; }
double UnitModel::between_variance_counties() const { return impl_->tau2_county; }
UnitModel::DeathRateCalibration UnitModel::death_rate_calibration() const {
  return {impl_->cdr_slope, impl_->cdr_noise, impl_->cdr_provinces};
}
const NationalInputs& UnitModel::national() const { return impl_->national; }
const UnitsData& UnitModel::units() const { return impl_->units; }
double UnitModel::official_offset(std::string_view province, int year, Sex sex) const {
  return impl_->official_offset(province, year, sex_index(sex));
}

UnitInputs UnitModel::derive(std::string_view code) const {
  return impl_->derive_one(impl_->units.at(code));
}

namespace {

// A member listed twice, or lying inside another member, would be counted twice.
void check_aggregate_members(const UnitsData& units, std::span<const std::string> codes) {
  std::set<std::string> seen;
  for (const auto& c : codes) {
    if (!seen.insert(c).second)
      throw InputError({}, "unit", fmt::format("unit {} is listed twice in the aggregate", c));
    for (const Unit* u = &units.at(c); !u->parent.empty(); u = &units.at(u->parent))
      if (std::find(codes.begin(), codes.end(), u->parent) != codes.end())
        throw InputError(
            {}, "unit",
            fmt::format("unit {} lies inside unit {} of the same aggregate", c, u->parent));
  }
}

template <class Groups>
double persons(const Groups& groups) {
  double n = 0;
  for (double v : groups) n += v;
  return n;
}

// Census groups and base populations are summed.
void sum_counts(std::span<const UnitInputs> parts, UnitInputs& out) {
  for (const auto& p : parts)
    for (std::size_t s = 0; s < N_SEXES; ++s) {
      for (std::size_t g = 0; g < N_GROUPS; ++g) out.census[s][g] += p.census[s][g];
      for (std::size_t a = 0; a < N_AGES; ++a) out.population[s][a] += p.population[s][a];
    }
}

// Mortality offsets are weighted by each sex's population, fertility by women 15-49.
void weight_levels(std::span<const UnitInputs> parts, UnitInputs& out) {
  const double equal = 1.0 / static_cast<double>(parts.size());
  // Totals summed member by member, in the order the members were given.
  std::array<double, N_SEXES> sex_total{};
  double women = 0;
  for (const auto& p : parts) {
    for (std::size_t s = 0; s < N_SEXES; ++s) sex_total[s] += persons(p.census[s]);
    women += women_15_49(p.census);
  }
  out.mortality = parts.front().mortality;
  out.mortality.offset0 = {0.0, 0.0};
  out.mortality.sd0 = {0.0, 0.0};
  double log_ratio = 0, log_sd = 0;
  for (const auto& p : parts) {
    for (std::size_t s = 0; s < N_SEXES; ++s) {
      const double w = sex_total[s] > 0 ? persons(p.census[s]) / sex_total[s] : equal;
      out.mortality.offset0[s] += w * p.mortality.offset0[s];
      out.mortality.sd0[s] += w * p.mortality.sd0[s];  // as if fully correlated: conservative
    }
    const double w = women > 0 ? women_15_49(p.census) / women : equal;
    log_ratio += w * std::log(p.fertility.ratio);
    log_sd += w * p.fertility.log_sd;
  }
  out.fertility.ratio = std::exp(log_ratio);
  out.fertility.log_sd = log_sd;
}

// Migration: rates weighted by each member's base population at each age; members without
// an estimate contribute zero migration (their notes say so).
void weight_migration(std::span<const UnitInputs> parts, UnitInputs& out) {
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a) {
      double num = 0, sd = 0;
      for (const auto& p : parts) {
        num += p.population[s][a] * p.migration.rate[s][a];
        sd += p.population[s][a] * p.migration.sd[s][a];
      }
      const double den = out.population[s][a];
      out.migration.rate[s][a] = den > 0 ? num / den : 0.0;
      out.migration.sd[s][a] = den > 0 ? sd / den : 0.0;
    }
  for (const auto& p : parts) {
    out.migration.estimated = out.migration.estimated || p.migration.estimated;
    for (std::size_t s = 0; s < N_SEXES; ++s) out.migration.net_10y[s] += p.migration.net_10y[s];
  }
}

}  // namespace

UnitInputs UnitModel::derive(std::span<const std::string> codes, std::string name) const {
  if (codes.empty()) throw InputError({}, "unit", "an aggregate needs at least one unit code");
  if (codes.size() == 1) {
    UnitInputs one = derive(codes[0]);
    if (!name.empty()) one.name = std::move(name);
    return one;
  }
  check_aggregate_members(impl_->units, codes);
  std::vector<UnitInputs> parts;
  for (const auto& c : codes) parts.push_back(derive(c));

  UnitInputs out;
  out.name = name.empty() ? fmt::format("aggregate of {} units", codes.size()) : std::move(name);
  out.codes.assign(codes.begin(), codes.end());
  out.level = parts.front().level;
  sum_counts(parts, out);
  weight_levels(parts, out);
  weight_migration(parts, out);
  out.notes.push_back(
      fmt::format("aggregate of {} units: counts summed, mortality offsets weighted "
                  "by each sex's population, fertility by women 15-49, migration "
                  "rates by the population at each age",
                  codes.size()));
  for (const auto& p : parts)
    for (const auto& note : p.notes) out.notes.push_back(p.codes[0] + " " + p.name + ": " + note);
  return out;
}

UnitInputs derive_unit_inputs(const UnitsData& units, std::span<const std::string> codes,
                              const NationalInputs& national, std::string name,
                              const DerivationOptions& options) {
  const UnitModel model(units, national, options);
  return model.derive(codes, std::move(name));
}

}  // namespace healthcast::places
