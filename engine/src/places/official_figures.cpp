#include "healthcast/places/official_figures.h"

#include <cmath>

#include <fmt/format.h>

#include "healthcast/error.h"
#include "healthcast/places/relational_mortality.h"

namespace healthcast::places {

namespace {

using demography::N_AGES;
using demography::N_SEXES;
using demography::SEXES;

// A TFR ratio given by an official figure is known to about 5% (the yearbook's own error).
constexpr double OFFICIAL_TFR_LOG_SD = 0.05;

void recalibrate_mortality(UnitInputs& in, const OfficialFigures::LifeExpectancy& e0,
                           const demography::SexAgeArray& national_mx) {
  UnitMortality& m = in.mortality;
  const std::array<double, 2> target = {e0.female, e0.male};
  for (std::size_t s = 0; s < N_SEXES; ++s) {
    const double level = fit_level_to_e0(national_mx[s], target[s], SEXES[s], m.model);
    // The sd of the level that an e0 error of e0.sd years means, from the slope de0/dlevel.
    const double h = 1e-3;
    const double slope =
        (life_expectancy(relational_mx(national_mx[s], level + h, m.model), SEXES[s]) -
         life_expectancy(relational_mx(national_mx[s], level - h, m.model), SEXES[s])) /
        (2 * h);
    in.notes.push_back(
        fmt::format("mortality: {} level refitted to the official e0 {:.2f} in {} (was {:.2f}), sd "
                    "{:.2f} years",
                    demography::sex_name(s), target[s], e0.year,
                    life_expectancy(m.mx(SEXES[s], e0.year, national_mx[s]), SEXES[s]), e0.sd));
    m.offset0[s] = level;
    m.sd0[s] = e0.sd / std::max(std::abs(slope), 1e-9);
  }
  m.origin_year = e0.year;
}

void recalibrate_fertility(UnitInputs& in, const OfficialFigures::Value& tfr, double national) {
  if (!(national > 0)) throw Error(fmt::format("the national TFR of {} is not known", tfr.year));
  in.notes.push_back(fmt::format(
      "fertility: ratio to the nation from the official TFR {:.2f} in {} (national {:.2f}): {:.3f} "
      "(was {:.3f})",
      tfr.value, tfr.year, national, tfr.value / national, in.fertility.ratio));
  in.fertility.ratio = tfr.value / national;
  in.fertility.log_sd = OFFICIAL_TFR_LOG_SD;
}

void recalibrate_migration(UnitInputs& in, const OfficialFigures::Value& total) {
  double modelled = 0;
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a)
      modelled += in.migration.rate[s][a] * in.population[s][a];
  if (!in.migration.estimated || std::abs(modelled) < 1.0)
    throw InputError({}, "net_migration",
                     "the unit has no estimated age pattern of migration to scale to the "
                     "official total (see its notes); give its net migration by age and sex as a "
                     "file in the region's own inputs (net_migration: year,sex,age,net_migrants)");
  const double factor = total.value / modelled;
  in.notes.push_back(fmt::format(
      "migration: rates scaled by {:.3f} so that the base population's net migrants total the "
      "official {:.0f} a year (estimated {:.0f})",
      factor, total.value, modelled));
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a) {
      in.migration.rate[s][a] *= factor;
      in.migration.sd[s][a] *= std::abs(factor);
    }
}

}  // namespace

void apply_official_figures(UnitInputs& in, const OfficialFigures& figures,
                            const NationalAt& national) {
  if (figures.e0) recalibrate_mortality(in, *figures.e0, national.mx_e0_year);
  if (figures.tfr) recalibrate_fertility(in, *figures.tfr, national.tfr);
  if (figures.net_migration) recalibrate_migration(in, *figures.net_migration);
}

}  // namespace healthcast::places
