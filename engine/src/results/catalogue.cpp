#include "healthcast/results/catalogue.h"

#include <algorithm>
#include <array>
#include <limits>

#include <fmt/format.h>

#include "healthcast/error.h"
#include "healthcast/results/dataset.h"

namespace healthcast::results {

std::size_t VariableSpec::rank() const {
  return static_cast<std::size_t>(std::find(dims.begin(), dims.end(), std::string_view()) -
                                  dims.begin());
}

std::vector<std::string> VariableSpec::dimensions() const {
  return {dims.begin(), dims.begin() + static_cast<std::ptrdiff_t>(rank())};
}

namespace {

constexpr std::array DIMENSIONS = {
    DimensionSpec{dim::year, "calendar year", ""},
    DimensionSpec{dim::region, "region", ""},
    DimensionSpec{dim::sex, "sex", ""},
    DimensionSpec{dim::age, "age in completed years (100 = 100 and over)", "years"},
    DimensionSpec{dim::cause, "cause of death", ""},
    DimensionSpec{dim::disease, "chronic disease", ""},
    DimensionSpec{dim::category, "risk factor category (factor/category)", ""},
    DimensionSpec{dim::factor, "continuous risk factor", ""},
    DimensionSpec{dim::standard, "crude rate or standard population", ""},
    DimensionSpec{dim::statistic,
                  "summary statistic over Monte Carlo draws: mean, median, lower_95 (2.5% "
                  "quantile) and upper_95 (97.5% quantile)",
                  ""},
    DimensionSpec{dim::draw, "Monte Carlo draw", ""},
    DimensionSpec{dim::target, "plan target (row of the targets table)", ""},
    DimensionSpec{dim::monitored, "monitored indicator (not modelled)", ""},
};

constexpr std::array VARIABLES = {
    &var::population,
    &var::deaths,
    &var::person_years,
    &var::net_migration,
    &var::life_expectancy,
    &var::births,
    &var::infant_mortality,
    &var::under5_mortality,
    &var::deaths_by_cause,
    &var::incidence,
    &var::prevalence,
    &var::risk_factor_share,
    &var::premature_ncd_mortality,
    &var::cvd_mortality,
    &var::crd_mortality_u70,
    &var::cancer_5y_survival,
    &var::healthy_life_expectancy,
    &var::yll,
    &var::yld,
    &var::daly,
    &var::maternal_mortality,
    &var::risk_factor_prevalence,
    &var::smoking_prevalence_15plus,
    &var::risk_factor_mean,
    &var::salt_intake,
    &var::calibration_e0_input,
    &var::calibration_population_input,
    &var::calibration_deaths_input,
    &var::target_year,
    &var::target_value,
    &var::target_projected,
    &var::target_judged,
    &var::target_gap,
    &var::target_met,
    &var::target_first_year_met,
    &var::target_probability,
    &var::target_precision,
    &var::target_official_year,
    &var::target_official_value,
    &var::target_start_year,
    &var::target_start_value,
    &var::target_modelled_change,
    &var::target_baseline_year,
    &var::target_baseline_value,
    &var::target_plan,
    &var::target_indicator,
    &var::target_comparator,
    &var::target_unit,
    &var::target_sex,
    &var::target_status,
    &var::target_basis,
    &var::target_convention,
    &var::target_proxy,
    &var::target_text_zh,
    &var::target_text_en,
    &var::monitored_value,
    &var::monitored_lower,
    &var::monitored_upper,
    &var::monitored_unit,
    &var::monitored_history,
    &var::deaths_averted,
    &var::cumulative_deaths_averted,
    &var::life_years_gained,
    &var::cumulative_life_years_gained,
    &var::dalys_averted,
    &var::cumulative_dalys_averted,
};

// The order of docs/scenario-format.md's list of modelled indicators.
const std::array INDICATORS = {
    IndicatorSpec{"life_expectancy", &var::life_expectancy, Reading::at_birth, "", "years",
                  "Life expectancy at birth", "人均预期寿命", Better::higher, true},
    IndicatorSpec{"healthy_life_expectancy", &var::healthy_life_expectancy, Reading::at_birth, "",
                  "years", "Healthy life expectancy at birth", "健康预期寿命", Better::higher,
                  true},
    IndicatorSpec{"infant_mortality", &var::infant_mortality, Reading::by_sex, "",
                  "per 1000 live births", "Infant mortality rate", "婴儿死亡率", Better::lower},
    IndicatorSpec{"under5_mortality", &var::under5_mortality, Reading::by_sex, "",
                  "per 1000 live births", "Under-five mortality rate", "5岁以下儿童死亡率",
                  Better::lower},
    IndicatorSpec{"maternal_mortality", &var::maternal_mortality, Reading::without_sex, "",
                  "per 100000 live births", "Maternal mortality ratio", "孕产妇死亡率",
                  Better::lower},
    IndicatorSpec{"premature_ncd_mortality", &var::premature_ncd_mortality, Reading::by_sex, "",
                  "percent", "Premature mortality from the four major NCDs (30q70)",
                  "重大慢性病过早死亡率", Better::lower, true},
    IndicatorSpec{"cvd_mortality", &var::cvd_mortality, Reading::standard, "crude", "per 100000",
                  "Cardiovascular mortality (crude)", "心脑血管疾病死亡率", Better::lower, true},
    IndicatorSpec{"cvd_mortality_asr_who", &var::cvd_mortality, Reading::standard, "who_world",
                  "per 100000", "Cardiovascular mortality, age-standardised (WHO world)",
                  "心脑血管疾病标化死亡率（世界标准人口）", Better::lower},
    IndicatorSpec{"cvd_mortality_asr_china", &var::cvd_mortality, Reading::standard, "china_2000",
                  "per 100000", "Cardiovascular mortality, age-standardised (China 2000)",
                  "心脑血管疾病标化死亡率（中国2000年标准人口）", Better::lower},
    IndicatorSpec{"crd_mortality_u70", &var::crd_mortality_u70, Reading::by_sex, "", "per 100000",
                  "Chronic respiratory mortality at ages 70 and under",
                  "70岁及以下人群慢性呼吸系统疾病死亡率", Better::lower, true},
    IndicatorSpec{"cancer_5y_survival", &var::cancer_5y_survival, Reading::by_sex, "", "percent",
                  "Cancer five-year survival", "总体癌症5年生存率", Better::higher, true},
    IndicatorSpec{"smoking_prevalence_15plus", &var::smoking_prevalence_15plus, Reading::by_sex, "",
                  "percent", "Smoking prevalence at ages 15+", "15岁以上人群吸烟率", Better::lower,
                  true},
    IndicatorSpec{"salt_intake", &var::salt_intake, Reading::by_sex, "", "g/day",
                  "Salt intake per person per day", "人均每日食盐摄入量", Better::lower, true},
    IndicatorSpec{"sex_ratio_at_birth", &var::births, Reading::births_ratio, "",
                  "males per 100 females", "Sex ratio at birth", "出生人口性别比", Better::lower},
    IndicatorSpec{"road_traffic_deaths", &var::deaths_by_cause, Reading::cause_total, "injuries",
                  "persons", "Road traffic deaths", "道路交通事故死亡人数", Better::lower},
    IndicatorSpec{"population", &var::population, Reading::age_total, "", "persons", "Population",
                  "常住人口", Better::higher},
};

}  // namespace

const DimensionSpec& dimension(std::string_view name) {
  for (const DimensionSpec& d : DIMENSIONS)
    if (d.name == name) return d;
  throw Error(fmt::format("no dimension '{}' in the results catalogue", name));
}

std::span<const VariableSpec* const> variables() { return VARIABLES; }

const VariableSpec* find_variable(std::string_view name) {
  for (const std::string_view suffix : {SUMMARY_SUFFIX, DRAWS_SUFFIX, DIFFERENCE_SUFFIX})
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      name.remove_suffix(suffix.size());
      break;
    }
  for (const VariableSpec* v : VARIABLES)
    if (v->name == name) return v;
  return nullptr;
}

std::span<const IndicatorSpec> indicators() { return INDICATORS; }

const IndicatorSpec* find_indicator(std::string_view id) {
  for (const IndicatorSpec& i : INDICATORS)
    if (i.id == id) return &i;
  return nullptr;
}

std::vector<std::string> indicator_ids() {
  std::vector<std::string> ids;
  for (const IndicatorSpec& i : INDICATORS) ids.emplace_back(i.id);
  return ids;
}

}  // namespace healthcast::results

namespace healthcast::results {

double indicator_value(const Dataset& ds, const IndicatorSpec& indicator, int year,
                       std::string_view sex, std::size_t r) {
  const auto& years = std::get<std::vector<int>>(ds.coordinate(std::string(dim::year)).values);
  if (years.empty() || year < years.front() || year > years.back())
    return std::numeric_limits<double>::quiet_NaN();
  if (!ds.has_variable(*indicator.variable))
    throw Error(fmt::format("indicator '{}' needs the health model (no '{}' in the results)",
                            indicator.id, indicator.variable->name));
  const Variable& v = ds.variable(*indicator.variable);
  const std::size_t y = ds.index_of(std::string(dim::year), year);
  const std::size_t s = ds.index_of(std::string(dim::sex), std::string(sex));
  const auto total_over_ages = [&](std::size_t k, std::size_t per_age) {
    double total = 0.0;
    for (std::size_t a = 0; a < ds.coordinate(std::string(dim::age)).size(); ++a)
      total += v.values[v.offset({y, r, s, a}) * per_age + k];
    return total;
  };
  switch (indicator.reading) {
    case Reading::at_birth:
      return v.at({y, r, s, 0});
    case Reading::by_sex:
      return v.at({y, r, s});
    case Reading::without_sex:
      return v.at({y, r});
    case Reading::standard:
      return v.at(
          {y, r, s, ds.index_of(std::string(dim::standard), std::string(indicator.selector))});
    case Reading::cause_total:
      return total_over_ages(ds.index_of(std::string(dim::cause), std::string(indicator.selector)),
                             v.shape.back());
    case Reading::age_total:
      return total_over_ages(0, 1);
    case Reading::births_ratio:
      return 100.0 * v.at({y, r, 1}) / v.at({y, r, 0});
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace healthcast::results
