#include "healthcast/scenario/inputs.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fertility_forecast.h"
#include "healthcast/demography/life_table.h"
#include "healthcast/health/dynamics.h"
#include "healthcast/health/rates.h"
#include "healthcast/health/sampling.h"
#include "healthcast/input/age_schedule.h"
#include "healthcast/input/csv.h"
#include "healthcast/results/catalogue.h"
#include "healthcast/scenario/interventions.h"
#include "mortality_methods.h"
#include "unit_region.h"

namespace healthcast::scenario {

namespace {

using demography::AGE_MAX;
using demography::AgeArray;
using demography::N_AGES;
using demography::N_SEXES;
using demography::Sex;
using demography::SexAgeArray;
using input::CsvTable;

using input::sex_index;

// Largest death rate accepted in input files, per person-year.
constexpr double MAX_RATE = 10.0;

// An age, or an inclusive age range "15-19", within 0..AGE_MAX.
std::pair<int, int> age_range(const CsvTable& csv, std::size_t row) {
  const auto& text = csv.text(row, "age");
  int first = 0, last = 0;
  char dash = 0;
  const int fields = std::sscanf(text.c_str(), "%d%c%d", &first, &dash, &last);
  if (fields == 1 && text.find_first_not_of("0123456789") == std::string::npos) {
    last = first;
  } else if (!(fields == 3 && dash == '-' && last >= first)) {
    throw InputError(
        csv.location(row, "age"), "age",
        fmt::format("'{}' is not an age (e.g. 30) or an age range (e.g. 15-19)", text));
  }
  if (first < 0 || last > AGE_MAX)
    throw InputError(csv.location(row, "age"), "age",
                     fmt::format("'{}' is outside the ages 0..{}", text, AGE_MAX));
  return {first, last};
}

double checked(const CsvTable& csv, std::size_t row, std::string_view column, double low,
               double high, std::string_view meaning) {
  const double v = csv.number(row, column);
  if (v < low || v > high)
    throw InputError(
        csv.location(row, column), std::string(column),
        fmt::format("{} is out of range for {}; allowed: {} to {}", v, meaning, low, high));
  return v;
}

// The value of a yearly series for year t: the latest given year not after t, else the first.
template <class T>
const T& value_for_year(const std::map<int, T>& series, int year) {
  auto it = series.upper_bound(year);
  if (it == series.begin()) return it->second;
  return std::prev(it)->second;
}

template <class T>
std::vector<T> for_each_year(const std::map<int, T>& series, int base_year, int horizon) {
  std::vector<T> out;
  for (int t = base_year; t <= horizon; ++t) out.push_back(value_for_year(series, t));
  return out;
}

void require_rows(const CsvTable& csv) {
  if (csv.rows() == 0) throw InputError({csv.source(), 1, 0}, "", "the file has no data rows");
}

SexAgeArray read_population(const std::filesystem::path& path) {
  auto csv = CsvTable::read(path);
  csv.require_columns({"sex", "age", "population"});
  require_rows(csv);
  SexAgeArray pop{};
  std::array<std::array<bool, N_AGES>, N_SEXES> seen{};
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const std::size_t s = sex_index(csv, r);
    const int age = csv.integer(r, "age");
    if (age < 0 || age > AGE_MAX)
      throw InputError(csv.location(r, "age"), "age",
                       fmt::format("{} is outside the ages 0..{} ({} = {} and over)", age, AGE_MAX,
                                   AGE_MAX, AGE_MAX));
    if (seen[s][age])
      throw InputError(csv.location(r, "age"), "age",
                       fmt::format("age {} appears twice for {}", age, demography::sex_name(s)));
    seen[s][age] = true;
    pop[s][age] = checked(csv, r, "population", 0.0, 1e10, "a population count");
  }
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (int a = 0; a <= AGE_MAX; ++a)
      if (!seen[s][a])
        throw InputError({csv.source(), 0, 0}, "age",
                         fmt::format("no {} population at age {}: the file needs every age "
                                     "0..{} for both sexes ({} = {} and over)",
                                     demography::sex_name(s), a, AGE_MAX, AGE_MAX, AGE_MAX));
  return pop;
}

std::vector<AgeArray> read_fertility(const std::filesystem::path& path, int base, int horizon) {
  auto csv = CsvTable::read(path);
  csv.require_columns({"year", "age", "asfr"});
  require_rows(csv);
  std::map<int, AgeArray> series;
  std::set<std::pair<int, int>> covered;  // (year, age): each once
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const int year = csv.integer(r, "year");
    const auto [first, last] = age_range(csv, r);
    const double asfr = checked(csv, r, "asfr", 0.0, 1.0, "births per woman-year");
    auto& ages = series[year];
    for (int a = first; a <= last; ++a) {
      if (!covered.emplace(year, a).second)
        throw InputError(csv.location(r, "age"), "age",
                         fmt::format("year {}, age {} is given twice", year, a));
      ages[a] = asfr;
    }
  }
  return for_each_year(series, base, horizon);
}

std::vector<double> read_sex_ratio(const std::filesystem::path& path, int base, int horizon) {
  auto csv = CsvTable::read(path);
  csv.require_columns({"year", "srb"});
  require_rows(csv);
  std::map<int, double> series;
  for (std::size_t r = 0; r < csv.rows(); ++r)
    if (!series
             .emplace(csv.integer(r, "year"),
                      checked(csv, r, "srb", 0.8, 1.5, "the sex ratio at birth (males per female)"))
             .second)
      throw InputError(csv.location(r, "year"), "year",
                       fmt::format("year {} is given twice", csv.integer(r, "year")));
  return for_each_year(series, base, horizon);
}

std::vector<SexAgeArray> read_migration(const std::filesystem::path& path, int base, int horizon) {
  auto csv = CsvTable::read(path);
  csv.require_columns({"year", "sex", "age", "net_migrants"});
  require_rows(csv);
  std::map<int, SexAgeArray> series;
  std::set<std::tuple<int, std::size_t, int>> covered;  // (year, sex, age): each once
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const std::size_t s = sex_index(csv, r);
    const auto [first, last] = age_range(csv, r);
    const int y = csv.integer(r, "year");
    const double migrants =
        checked(csv, r, "net_migrants", -1e9, 1e9, "net migrants of a year, sex and age") /
        (last - first + 1);
    auto& year = series[y];
    for (int a = first; a <= last; ++a) {
      if (!covered.emplace(y, s, a).second)
        throw InputError(
            csv.location(r, "age"), "age",
            fmt::format("year {}, {}, age {} is given twice", y, demography::sex_name(s), a));
      year[s][a] += migrants;
    }
  }
  return for_each_year(series, base, horizon);
}

// Method "rates": death rates by year (`year,sex,age,mx`), held constant outside their years.
MortalityForecast mortality_from_rates(const MortalitySpec& spec, int base, int horizon) {
  auto csv = CsvTable::read(spec.rates);
  csv.require_columns({"year", "sex", "age", "mx"});
  require_rows(csv);
  std::map<int, input::AgeSchedule> schedules;
  for (std::size_t r = 0; r < csv.rows(); ++r)
    schedules[csv.integer(r, "year")].add(csv, r, "mx", 0.0, MAX_RATE);
  std::map<int, SexAgeArray> series;
  for (const auto& [year, sched] : schedules)
    series[year] = sched.single_years(fmt::format("death rates of year {}", year));
  return {for_each_year(series, base, horizon), {}};
}

// Method "improvement": rates of the jump-off period, declining at the average annual
// improvement by age and sex observed between an earlier period and the jump-off period.
// Reads `from_year,to_year,sex,age,mx`.
MortalityForecast mortality_by_improvement(const MortalitySpec& spec, int base, int horizon) {
  auto csv = CsvTable::read(spec.rates);
  csv.require_columns({"from_year", "to_year", "sex", "age", "mx"});
  require_rows(csv);
  input::AgeSchedule jump_off, earlier;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const int from = csv.integer(r, "from_year"), to = csv.integer(r, "to_year");
    if (from == spec.jump_off_from && to == spec.jump_off_to)
      jump_off.add(csv, r, "mx", 0.0, MAX_RATE);
    if (from == spec.improvement_from && to == spec.improvement_to)
      earlier.add(csv, r, "mx", 0.0, MAX_RATE);
  }
  const auto label = [](int a, int b) { return fmt::format("death rates of {}-{}", a, b); };
  for (const auto& [sched, from, to] :
       {std::tuple{&jump_off, spec.jump_off_from, spec.jump_off_to},
        std::tuple{&earlier, spec.improvement_from, spec.improvement_to}})
    if (sched->empty())
      throw InputError(
          spec.where, "mortality",
          fmt::format("{} has no rows with from_year={} and to_year={}", csv.source(), from, to));
  const SexAgeArray m1 = jump_off.single_years(label(spec.jump_off_from, spec.jump_off_to));
  const SexAgeArray m0 = earlier.single_years(label(spec.improvement_from, spec.improvement_to));
  const double mid1 = 0.5 * (spec.jump_off_from + spec.jump_off_to + 1);
  const double mid0 = 0.5 * (spec.improvement_from + spec.improvement_to + 1);
  SexAgeArray improvement{};
  for (std::size_t s = 0; s < N_SEXES; ++s)
    for (std::size_t a = 0; a < N_AGES; ++a) {
      if (m1[s][a] <= 0.0 || m0[s][a] <= 0.0)
        throw InputError(spec.where, "mortality",
                         fmt::format("a zero death rate at age {} in {} leaves no improvement "
                                     "rate; method 'improvement' needs positive rates",
                                     a, csv.source()));
      improvement[s][a] = std::log(m0[s][a] / m1[s][a]) / (mid1 - mid0);
    }
  std::vector<SexAgeArray> out;
  for (int t = base; t <= horizon; ++t) {
    SexAgeArray m{};
    const double elapsed = t + 0.5 - mid1;  // from the jump-off mid-point to mid-year t
    for (std::size_t s = 0; s < N_SEXES; ++s)
      for (std::size_t a = 0; a < N_AGES; ++a)
        m[s][a] = m1[s][a] * std::exp(-improvement[s][a] * elapsed);
    out.push_back(m);
  }
  return {out, {}};
}

}  // namespace

const std::map<std::string, MortalityMethod>& mortality_methods() {
  static const std::map<std::string, MortalityMethod> methods = [] {
    std::map<std::string, MortalityMethod> m = {{"improvement", mortality_by_improvement},
                                                {"rates", mortality_from_rates}};
    for (const auto name : FACTOR_MODEL_METHODS) m.emplace(name, mortality_by_factor_model);
    return m;
  }();
  return methods;
}

namespace {

// Both-sexes infant mortality (per 1,000) of a year's rates with age 0 scaled by k: each sex's
// life-table q0, weighted by its share of births.
double infant_mortality_of(const demography::SexAgeArray& m, double k, double srb) {
  std::vector<int> x(demography::N_AGES);
  std::iota(x.begin(), x.end(), 0);
  double q0 = 0.0;
  for (const demography::Sex sex : demography::SEXES) {
    std::vector<double> rates(m[demography::index(sex)].begin(), m[demography::index(sex)].end());
    rates[0] *= k;
    const double share = sex == demography::Sex::male ? srb / (1.0 + srb) : 1.0 / (1.0 + srb);
    q0 += share * demography::life_table(x, rates, sex).q[0];
  }
  return 1000.0 * q0;
}

// Scales the age-0 rates of both sexes, in every year and every draw, by the factor that makes
// the base year's infant mortality equal the official value (found by bisection: q0 rises with
// k). The ages above keep the forecast's rates.
void calibrate_infant_mortality(MortalityForecast& f, double official, double srb) {
  double lo = 0.05, hi = 5.0;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (infant_mortality_of(f.central.front(), mid, srb) < official ? lo : hi) = mid;
  }
  const double k = 0.5 * (lo + hi);
  const auto scale = [k](std::vector<demography::SexAgeArray>& years) {
    for (auto& m : years)
      for (auto& ages : m) ages[0] *= k;
  };
  scale(f.central);
  if (f.draw)
    f.draw = [inner = f.draw, scale](const DrawKey& key) {
      auto years = inner(key);
      scale(years);
      return years;
    };
}

// Reads every region's files; regions that share a health-model file share the loaded model.
std::vector<RegionData> read_regions(const Scenario& scenario,
                                     const demography::ProgressCallback& progress) {
  std::vector<RegionData> regions;
  std::map<std::filesystem::path, std::shared_ptr<const health::HealthModel>> health_models;
  UnitModels unit_models;
  const int base = scenario.base_year, horizon = scenario.horizon;
  const auto& methods = mortality_methods();
  for (const auto& spec : scenario.regions) {
    const auto& in = spec.inputs;
    const auto method = methods.find(in.mortality.method);
    if (method == methods.end()) {
      std::vector<std::string> names;
      for (const auto& [name, _] : methods) names.push_back(name);
      throw InputError(in.mortality.where, "method",
                       fmt::format("unknown mortality method '{}'; available: {}",
                                   in.mortality.method, fmt::join(names, ", ")));
    }
    RegionData region;
    region.name = spec.name;
    region.population = read_population(in.population);
    region.fertility = fertility_forecast(read_fertility(in.fertility, base, horizon),
                                          in.fertility_uncertainty, base, horizon);
    region.sex_ratio_at_birth = read_sex_ratio(in.sex_ratio_at_birth, base, horizon);
    region.net_migration = read_migration(in.net_migration, base, horizon);
    region.mortality = method->second(in.mortality, base, horizon);
    if (in.mortality.infant_mortality)
      calibrate_infant_mortality(region.mortality, *in.mortality.infant_mortality,
                                 region.sex_ratio_at_birth.front());
    if (!spec.unit.empty())
      derive_unit_region(spec, unit_models.get(in, region.mortality, base), base, horizon, region);
    if (!in.health.empty()) {
      auto& loaded = health_models[in.health];
      if (!loaded)
        loaded = std::make_shared<health::HealthModel>(health::load_health_model(in.health));
      region.health = loaded;
      if (in.case_fatality_share) region.case_fatality_share = *in.case_fatality_share;
      auto paths = health::reference_paths(*loaded, region.mortality.central.size());
      paths.case_fatality_share = region.case_fatality_share;
      region.envelope = std::make_shared<const health::CauseEnvelope>(health::fit_cause_envelope(
          loaded, region.mortality.central, paths, demography::ProjectionSetup{}.tolerances));
    }
    regions.push_back(std::move(region));
    if (progress &&
        !progress(0, scenario.regions.size() * regions.front().mortality.central.size()))
      throw Interrupted();
  }
  return regions;
}

// Whether the health model produces the indicator (the demography's indicators need none).
bool from_health_model(const results::IndicatorSpec& spec) {
  namespace var = results::var;
  static const results::VariableSpec* const DEMOGRAPHY[] = {
      &var::population,      &var::deaths, &var::person_years,     &var::net_migration,
      &var::life_expectancy, &var::births, &var::infant_mortality, &var::under5_mortality};
  return std::find(std::begin(DEMOGRAPHY), std::end(DEMOGRAPHY), spec.variable) ==
         std::end(DEMOGRAPHY);
}

// What judging the targets reads: monitored histories, the first region's official series
// (whether it is the extends root's), whether that region runs on the root's inputs, and the
// base-year coverage of each treatment.
JudgingData read_judging(const Scenario& scenario, const std::vector<RegionData>& regions) {
  JudgingData out;
  for (const auto& m : scenario.monitored)
    out.monitored.push_back(m.history.empty() ? MonitoredHistory{} : read_monitored_history(m));
  const InputFiles& in =
      scenario.regions.empty() ? scenario.inputs : scenario.regions.front().inputs;
  const bool unit = !scenario.regions.empty() && !scenario.regions.front().unit.empty();
  if (scenario.root && !scenario.root->regions.empty()) {
    const InputFiles& root = scenario.root->regions.front().inputs;
    out.official_is_national = !in.official.empty() && in.official == root.official;
    out.national_data = !unit && in.population == root.population && in.health == root.health &&
                        in.mortality.rates == root.mortality.rates;
    if (unit && in.sex_ratio_at_birth == root.sex_ratio_at_birth)
      out.national_levels.insert("sex_ratio_at_birth");
    out.national_health = unit && !in.health.empty() && in.health == root.health;
    if (out.national_health)
      for (const auto& spec : results::indicators())
        if (from_health_model(spec)) out.national_levels.emplace(spec.id);
  }
  out.official_withheld = unit && out.official_is_national;
  if (out.official_withheld) out.official_is_national = false;
  if (!in.official.empty() && !out.official_withheld)
    out.official = read_official_history(in.official);
  if (!regions.empty() && regions.front().health)
    for (const auto& t : regions.front().health->treatments)
      out.base_coverage[t.name] = t.coverage.value;
  return out;
}

}  // namespace

namespace {

// A target on an indicator of the health model needs a health model in every region: said here,
// at the target's line (validate), not after the whole run.
void check_targets_have_a_model(const ScenarioData& data) {
  for (const auto& region : data.regions) {
    if (region.health) continue;
    for (const auto& t : data.scenario.targets) {
      const auto* spec = results::find_indicator(t.indicator);
      if (spec == nullptr || !from_health_model(*spec)) continue;
      throw InputError(t.where, "indicator",
                       fmt::format("'{}' needs the health model, and region '{}' has none (add "
                                   "'health:' under 'inputs')",
                                   t.indicator, region.name));
    }
  }
}

}  // namespace

ScenarioData read_inputs(const Scenario& scenario, const demography::ProgressCallback& progress) {
  ScenarioData data{scenario, read_regions(scenario, progress), {}, {}};
  check_targets_have_a_model(data);
  data.judging = read_judging(scenario, data.regions);
  // Without a root there is no national run: such targets are judged on the plan's own values.
  if (needs_national(scenario) && scenario.root)
    data.national = std::make_shared<const ScenarioData>(read_inputs(*scenario.root, progress));
  return data;
}

std::vector<health::RegionHealth> Setup::health() const {
  std::vector<health::RegionHealth> out;
  for (const auto& dynamics : health_dynamics)
    if (dynamics) out.push_back({&dynamics->model(), &dynamics->rates()});
  return out;
}

Setup make_setup(const ScenarioData& data, const std::vector<Intervention>& interventions,
                 const std::optional<DrawKey>& draw) {
  const Scenario& scenario = data.scenario;
  Setup setup;
  setup.projection.base_year = scenario.base_year;
  setup.projection.horizon = scenario.horizon;
  if (draw) setup.projection.tolerances = demography::DRAW_TOLERANCES;
  // A draw samples each distinct health model once, so regions sharing a model share its draw.
  std::map<const health::HealthModel*, std::shared_ptr<const health::HealthModel>> sampled;
  for (const auto& in : data.regions) {
    demography::RegionInputs region;
    region.name = in.name;
    region.population = in.population;
    region.fertility = draw && in.fertility.draw ? in.fertility.draw(*draw) : in.fertility.central;
    region.sex_ratio_at_birth = in.sex_ratio_at_birth;
    region.net_migration = in.net_migration;
    region.net_migration_rate =
        draw && in.migration_rate.draw ? in.migration_rate.draw(*draw) : in.migration_rate.central;
    region.death_rate = draw && in.mortality.draw ? in.mortality.draw(*draw) : in.mortality.central;
    std::shared_ptr<const health::HealthModel> model = in.health;
    if (model && draw) {
      auto& own = sampled[in.health.get()];
      if (!own)
        own = std::make_shared<health::HealthModel>(
            health::sample_health_model(*in.health, draw->seed, draw->draw));
      model = own;
    }
    std::optional<health::HealthPaths> paths;
    if (model) {
      paths = health::reference_paths(*model, region.death_rate.size());
      paths->case_fatality_share = in.case_fatality_share;
    }
    // A draw's other causes take what the diseases leave of its own all-cause forecast.
    std::shared_ptr<const health::CauseEnvelope> envelope = in.envelope;
    if (model && draw && in.mortality.draw)
      envelope = std::make_shared<const health::CauseEnvelope>(health::refit_other_share(
          in.health, region.death_rate, *paths, *in.envelope, setup.projection.tolerances));
    InterventionTarget target{scenario.base_year, region, paths ? &*paths : nullptr, model.get()};
    apply_interventions(interventions, target);
    std::shared_ptr<const health::HealthDynamics> dynamics;
    if (model) {
      dynamics = std::make_shared<const health::HealthDynamics>(
          model, region.death_rate, *paths, setup.projection.tolerances, envelope.get());
      region.dynamics = dynamics;
    }
    setup.projection.regions.push_back(std::move(region));
    setup.health_dynamics.push_back(std::move(dynamics));
  }
  if (scenario.population_scale > 0.0)
    scale_population(setup.projection, scenario.population_scale);
  return setup;
}

Setup make_setup(const ScenarioData& data, const std::optional<DrawKey>& draw) {
  return make_setup(data, data.scenario.interventions, draw);
}

Setup load_inputs(const Scenario& scenario, const demography::ProgressCallback& progress) {
  return make_setup(read_inputs(scenario, progress));
}

void check_inputs(const Scenario& scenario) {
  const ScenarioData data = read_inputs(scenario);
  std::vector<Intervention> neutral = scenario.interventions;
  for (auto& iv : neutral)
    if (reach_needs_projection(iv)) {
      iv.reach.reset();
      iv.scale = 1.0;
    }
  make_setup(data, neutral);
}

void scale_population(demography::ProjectionSetup& setup, double persons) {
  double total = 0.0;
  for (const auto& r : setup.regions)
    for (const auto& ages : r.population)
      for (double p : ages) total += p;
  if (total <= 0.0) return;
  const double factor = persons / total;
  for (auto& r : setup.regions) {
    for (auto& ages : r.population)
      for (double& p : ages) p *= factor;
    for (auto& year : r.net_migration)
      for (auto& ages : year)
        for (double& m : ages) m *= factor;
  }
}

}  // namespace healthcast::scenario
