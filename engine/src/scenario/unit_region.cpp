#include "unit_region.h"

#include <algorithm>

#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "healthcast/error.h"
#include "healthcast/input/age_schedule.h"
#include "healthcast/input/csv.h"
#include "healthcast/input/mortality_history.h"
#include "healthcast/places/official_figures.h"
#include "healthcast/places/units.h"
#include "healthcast/random/stream.h"
#include "mortality_methods.h"

namespace healthcast::scenario {

namespace {

using demography::AgeArray;
using demography::N_AGES;
using demography::N_SEXES;
using demography::SexAgeArray;

// The census' under-count of young children, as factors at the census date by sex and age
// (`sex,age_from,age_to,factor`; data/china/units/undercount.csv, data/SOURCES.md): the same
// adjustment as the national base population's.
SexAgeArray read_undercount(const std::filesystem::path& file) {
  SexAgeArray factor = places::BasePopulationOptions::all_ones();
  if (!std::filesystem::exists(file)) return factor;
  const auto csv = input::CsvTable::read(file);
  csv.require_columns({"sex", "age_from", "age_to", "factor"});
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const std::size_t s = input::sex_index(csv, r);
    const int from = csv.integer(r, "age_from"), to = csv.integer(r, "age_to");
    const double f = csv.number(r, "factor");
    if (from < 0 || to < from || to > demography::AGE_MAX)
      throw InputError(
          csv.location(r, "age_to"), "age_to",
          fmt::format("ages {}-{} are not a range within 0..{}", from, to, demography::AGE_MAX));
    if (!(f >= 1.0 && f <= 1.5))
      throw InputError(csv.location(r, "factor"), "factor",
                       fmt::format("{} is outside 1..1.5 (an under-count raises a count)", f));
    for (int a = from; a <= to; ++a) factor[s][static_cast<std::size_t>(a)] = f;
  }
  return factor;
}

// The national schedules the units are related to: the scenario's population, its mortality
// history (a factor-model method's `rates`) and the forecast's central rates from the base year.
places::NationalInputs national_inputs(const InputFiles& in, const MortalityForecast& mortality,
                                       int base_year) {
  if (std::find(FACTOR_MODEL_METHODS.begin(), FACTOR_MODEL_METHODS.end(), in.mortality.method) ==
      FACTOR_MODEL_METHODS.end())
    throw InputError(in.mortality.where, "method",
                     fmt::format("a region given as a census unit needs the national mortality "
                                 "history; method '{}' has none. Use {} with the history as "
                                 "'rates'",
                                 in.mortality.method, fmt::join(FACTOR_MODEL_METHODS, ", ")));
  places::NationalInputs national;
  places::add_mortality_history(national, input::read_mortality_history(in.mortality.rates));
  for (std::size_t t = 0; t < mortality.central.size(); ++t)
    national.mx[base_year + static_cast<int>(t)] = mortality.central[t];
  national.base_population = places::read_population(in.population);
  national.base.undercount = read_undercount(in.units / "undercount.csv");
  return national;
}

// The national rates of each year moved by the unit's offset in that year: the central path
// when `offsets` is null, else a drawn path ([female, male][year - base]).
std::vector<SexAgeArray> move_rates(std::vector<SexAgeArray> m, const places::UnitMortality& unit,
                                    int base, const std::array<std::vector<double>, 2>* offsets) {
  for (std::size_t t = 0; t < m.size(); ++t)
    for (std::size_t s = 0; s < N_SEXES; ++s)
      m[t][s] = offsets ? unit.apply((*offsets)[s][t], m[t][s])
                        : unit.mx(demography::SEXES[s], base + static_cast<int>(t), m[t][s]);
  return m;
}

// The unit's death rates: the national forecast (central, or the draw's) moved by the unit's
// offset path (central, or drawn from the draw's own stream, so the unit's level and the
// national forecast are drawn independently).
MortalityForecast unit_mortality(const MortalityForecast& national,
                                 const places::UnitMortality& unit, int base) {
  MortalityForecast out;
  out.central = move_rates(national.central, unit, base, nullptr);
  out.draw = [national, unit, base](const DrawKey& key) {
    auto m = national.draw ? national.draw(key) : national.central;
    random::Stream stream(key.seed, key.draw, random::Purpose::unit_mortality);
    const auto offsets = unit.draw(base, base + static_cast<int>(m.size()) - 1, stream);
    return move_rates(std::move(m), unit, base, &offsets);
  };
  return out;
}

// The unit's fertility: the national rates (central, or the draw's) times the unit's ratio,
// which a draw moves by exp(log_sd z), one z for the whole path (the level is what is uncertain).
FertilityForecast unit_fertility(const FertilityForecast& national,
                                 const places::UnitFertility& unit) {
  const auto scale = [](std::vector<AgeArray> f, const places::UnitFertility& u) {
    for (auto& year : f) year = u.asfr(year);
    return f;
  };
  FertilityForecast out;
  out.central = scale(national.central, unit);
  out.draw = [national, unit, scale](const DrawKey& key) {
    random::Stream stream(key.seed, key.draw, random::Purpose::unit_fertility);
    places::UnitFertility drawn = unit;
    drawn.ratio *= std::exp(unit.log_sd * stream.normal());
    return scale(national.draw ? national.draw(key) : national.central, drawn);
  };
  return out;
}

// The unit's net migration rates, the same every year; a draw moves every rate by z times its
// sd with one z for all ages and both sexes (fully correlated: the conservative choice, as the
// rates come from one pair of censuses).
MigrationRates unit_migration(const places::UnitMigration& unit, std::size_t years) {
  MigrationRates out;
  if (!unit.estimated) return out;
  out.central.assign(years, unit.rate);
  out.draw = [unit, years](const DrawKey& key) {
    random::Stream stream(key.seed, key.draw, random::Purpose::unit_migration);
    const double z = stream.normal();
    SexAgeArray rate = unit.rate;
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a) rate[s][a] += z * unit.sd[s][a];
    return std::vector<SexAgeArray>(years, rate);
  };
  return out;
}

// The national TFR of a year: WPP's estimates in the units data up to 2023, then the scenario's
// central national fertility.
double national_tfr(const places::UnitModel& model, const FertilityForecast& national, int base,
                    int year) {
  const auto& asfr = model.units().national_asfr;
  const AgeArray* rates = nullptr;
  if (const auto it = asfr.find(year); it != asfr.end()) rates = &it->second;
  const auto t = static_cast<std::size_t>(year - base);
  if (!rates && year >= base && t < national.central.size()) rates = &national.central[t];
  if (!rates) return 0.0;
  double tfr = 0;
  for (double f : *rates) tfr += f;
  return tfr;
}

// Net migration counts given for a unit must be for that unit: a year's net migrants beyond
// 10% of the base population are counts made for another population (the nation's, say).
void check_counts_fit(const RegionSpec& spec, const RegionData& region, int base) {
  double persons = 0;
  for (const auto& ages : region.population)
    for (double p : ages) persons += p;
  for (std::size_t t = 0; t < region.net_migration.size(); ++t) {
    double net = 0;
    for (const auto& ages : region.net_migration[t])
      for (double m : ages) net += m;
    if (std::abs(net) > 0.1 * persons)
      throw InputError(
          {spec.own.net_migration.string(), 0, 0}, "net_migrants",
          fmt::format("{:.0f} net migrants in year {} against a base population of {:.0f} for "
                      "region '{}': counts made for another population? A census unit's "
                      "migration is given as counts for that unit only; leave the file out to use "
                      "the unit's own census-based rates",
                      net, base + static_cast<int>(t), persons, spec.name));
  }
}

// A unit's official figures replace its derived levels (places/official_figures.h); the years
// must lie where the national schedules are known.
void apply_official(const RegionSpec& spec, const places::UnitModel& model,
                    const RegionData& national, int base, places::UnitInputs& in) {
  const auto& f = spec.official;
  places::NationalAt at;
  if (f.e0) {
    if (f.e0->year > base)
      throw InputError(spec.where, "official.e0.year",
                       fmt::format("{} is after the base year {}: give the e0 of a year up to "
                                   "the base year",
                                   f.e0->year, base));
    at.mx_e0_year = model.national().mx_at(f.e0->year);
  }
  if (f.tfr) {
    if (f.tfr->value < 0.3 || f.tfr->value > 8)
      throw InputError(spec.where, "official.tfr.value",
                       fmt::format("{} is outside 0.3..8 births per woman", f.tfr->value));
    at.tfr = national_tfr(model, national.fertility, base, f.tfr->year);
    if (!(at.tfr > 0))
      throw InputError(
          spec.where, "official.tfr.year",
          fmt::format("no national fertility for {}; allowed: 1950 to the horizon", f.tfr->year));
  }
  try {
    places::apply_official_figures(in, f, at);
  } catch (const InputError& e) {
    throw InputError(spec.where, "official." + e.field(), e.problem());
  }
}

}  // namespace

const places::UnitModel& UnitModels::get(const InputFiles& national,
                                         const MortalityForecast& mortality, int base_year) {
  const std::string key =
      fmt::format("{}|{}|{}", national.units.string(), national.population.string(),
                  national.mortality.rates.string());
  auto& model = models_[key];
  if (!model)
    model = std::make_unique<places::UnitModel>(places::read_units(national.units),
                                                national_inputs(national, mortality, base_year));
  return *model;
}

void derive_unit_region(const RegionSpec& spec, const places::UnitModel& model, int base_year,
                        int horizon, RegionData& region) {
  if (base_year != 2020)
    throw InputError(spec.where, "unit",
                     fmt::format("region '{}' is a census unit, whose base population is that "
                                 "of 1 January 2020; the scenario's base_year is {}",
                                 spec.name, base_year));
  places::UnitInputs in;
  try {
    in = model.derive(spec.unit, spec.unit.size() > 1 ? spec.name : std::string());
  } catch (const InputError& e) {
    throw InputError(spec.where, "unit", e.problem());
  }
  apply_official(spec, model, region, base_year, in);
  // The region's own input files are the unit's own data: they replace what is derived.
  const auto years = static_cast<std::size_t>(horizon - base_year + 1);
  const InputFiles& own = spec.own;
  if (own.population.empty()) region.population = in.population;
  if (own.mortality.method.empty())
    region.mortality = unit_mortality(region.mortality, in.mortality, base_year);
  if (own.fertility.empty()) region.fertility = unit_fertility(region.fertility, in.fertility);
  if (own.net_migration.empty()) {
    region.net_migration.assign(years, SexAgeArray{});
    region.migration_rate = unit_migration(in.migration, years);
  }
  if (!own.net_migration.empty()) check_counts_fit(spec, region, base_year);
  for (const auto& [given, what] : {std::pair{!own.population.empty(), "population"},
                                    {!own.mortality.method.empty(), "mortality"},
                                    {!own.fertility.empty(), "fertility"},
                                    {!own.net_migration.empty(), "net_migration"}})
    if (given)
      in.notes.push_back(
          fmt::format("{}: the region's own input file, not the census unit's", what));
  region.unit = fmt::format("{} {}", fmt::join(in.codes, "+"), in.name);
  region.notes = std::move(in.notes);
  // What the census cannot give a unit stays national: say so beside the derived inputs.
  region.notes.push_back(
      "national inputs: the sex ratio at birth, maternal risk and the health model's risk "
      "factors, treatments and disease rates relative to all-cause mortality (no figures of the "
      "unit's own)");
}

}  // namespace healthcast::scenario
