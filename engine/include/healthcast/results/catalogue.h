// The one catalogue of what a run produces: every result variable (name, dimensions, units,
// long names in English and Chinese) and every indicator a plan's target can name (where its
// value is read, its units and names, and how it is judged). The projection, the health
// indicators, targets, comparisons, `healthcast info`, the Python plots and
// docs/results-format.md all take their names from here (tests check the doc against it).
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace healthcast::results {

// Dimension names.
namespace dim {
inline constexpr std::string_view year = "year";
inline constexpr std::string_view region = "region";
inline constexpr std::string_view sex = "sex";
inline constexpr std::string_view age = "age";
inline constexpr std::string_view cause = "cause";
inline constexpr std::string_view disease = "disease";
inline constexpr std::string_view category = "category";
inline constexpr std::string_view factor = "factor";
inline constexpr std::string_view standard = "standard";
inline constexpr std::string_view statistic = "statistic";
inline constexpr std::string_view draw = "draw";
inline constexpr std::string_view target = "target";
inline constexpr std::string_view monitored = "monitored";
}  // namespace dim

// A dimension's description, stored with its coordinate.
struct DimensionSpec {
  std::string_view name;
  std::string_view long_name;
  std::string_view units;  // "" for labels
};
// The entry of a dimension; throws Error for a name the catalogue lacks.
const DimensionSpec& dimension(std::string_view name);

// A result variable. Units are as stored in the file's `units` attribute ("" for none or for
// units that depend on the health model's inputs); `title` and `title_zh` are short labels
// for plots and tables, `long_name` the file's description.
struct VariableSpec {
  std::string_view name;
  std::array<std::string_view, 5> dims{};  // leading entries; the rest empty
  std::string_view units;
  std::string_view long_name;
  std::string_view title;
  std::string_view title_zh;

  std::size_t rank() const;
  std::vector<std::string> dimensions() const;
};

namespace var {
// Demography (every run).
inline constexpr VariableSpec population{"population", {dim::year, dim::region, dim::sex, dim::age},
                                         "persons",    "population at 1 January",
                                         "Population", "人口"};
inline constexpr VariableSpec deaths{
    "deaths",  {dim::year, dim::region, dim::sex, dim::age},
    "persons", "deaths in the year, by age at 1 January (newborns of the year at age 0)",
    "Deaths",  "死亡人数"};
inline constexpr VariableSpec person_years{
    "person_years", {dim::year, dim::region, dim::sex, dim::age},
    "person-years", "person-years lived in the year",
    "Person-years", "人年数"};
inline constexpr VariableSpec net_migration{
    "net_migration", {dim::year, dim::region, dim::sex, dim::age},
    "persons",       "net migrants in the year",
    "Net migration", "净迁移人数"};
inline constexpr VariableSpec life_expectancy{
    "life_expectancy", {dim::year, dim::region, dim::sex, dim::age},
    "years",           "period life expectancy at exact age",
    "Life expectancy", "预期寿命"};
inline constexpr VariableSpec births{"births",  {dim::year, dim::region, dim::sex},
                                     "persons", "live births in the year, by sex of the child",
                                     "Births",  "出生人数"};
inline constexpr VariableSpec infant_mortality{
    "infant_mortality",     {dim::year, dim::region, dim::sex},
    "per 1000 live births", "infant mortality rate, 1000 q0 of the period life table",
    "Infant mortality",     "婴儿死亡率"};
inline constexpr VariableSpec under5_mortality{
    "under5_mortality",     {dim::year, dim::region, dim::sex},
    "per 1000 live births", "under-five mortality, 1000 (1 - l5/l0) of the period life table",
    "Under-five mortality", "5岁以下儿童死亡率"};
// With a health model: flows by cause and disease, and the per-person cohort state.
inline constexpr VariableSpec deaths_by_cause{
    "deaths_by_cause", {dim::year, dim::region, dim::sex, dim::age, dim::cause},
    "persons",         "deaths in the year by cause, by age at 1 January",
    "Deaths",          "死亡人数"};
inline constexpr VariableSpec incidence{
    "incidence", {dim::year, dim::region, dim::sex, dim::age, dim::disease},
    "persons",   "new cases in the year, by age at 1 January",
    "New cases", "新发病例数"};
inline constexpr VariableSpec prevalence{
    "prevalence", {dim::year, dim::region, dim::sex, dim::age, dim::disease},
    "1",          "share of the cohort with the disease at 1 January",
    "Prevalence", "患病率"};
inline constexpr VariableSpec risk_factor_share{
    "risk_factor_share",
    {dim::year, dim::region, dim::sex, dim::age, dim::category},
    "1",
    "share of the cohort in each risk factor category at 1 January",
    "Risk factor share",
    "危险因素各类别比例"};
// Health indicators (MODEL.md §3).
inline constexpr VariableSpec premature_ncd_mortality{
    "premature_ncd_mortality",
    {dim::year, dim::region, dim::sex},
    "percent",
    "probability of dying between 30 and 70 from cardiovascular disease, cancer, diabetes or "
    "chronic respiratory disease (WHO SDG 3.4.1)",
    "Premature NCD mortality (30q70)",
    "重大慢性病过早死亡率"};
inline constexpr VariableSpec cvd_mortality{"cvd_mortality",
                                            {dim::year, dim::region, dim::sex, dim::standard},
                                            "per 100000",
                                            "cardiovascular deaths per 100,000 person-years",
                                            "Cardiovascular mortality",
                                            "心血管疾病死亡率"};
inline constexpr VariableSpec crd_mortality_u70{
    "crd_mortality_u70",
    {dim::year, dim::region, dim::sex},
    "per 100000",
    "chronic respiratory deaths at ages 0-70 per 100,000 person-years at those ages",
    "Chronic respiratory mortality under 70",
    "70岁以下慢性呼吸系统疾病死亡率"};
inline constexpr VariableSpec cancer_5y_survival{
    "cancer_5y_survival",
    {dim::year, dim::region, dim::sex},
    "percent",
    "five-year relative survival of the year's new cancer cases, exp(-5 f)",
    "Cancer five-year survival",
    "总体癌症5年生存率"};
inline constexpr VariableSpec healthy_life_expectancy{
    "healthy_life_expectancy",
    {dim::year, dim::region, dim::sex, dim::age},
    "years",
    "healthy life expectancy at exact age (Sullivan)",
    "Healthy life expectancy",
    "健康预期寿命"};
inline constexpr VariableSpec yll{
    "yll",
    {dim::year, dim::region, dim::sex, dim::cause},
    "years",
    "years of life lost: deaths times standard remaining life expectancy at the mid-year age",
    "Years of life lost",
    "寿命损失年"};
inline constexpr VariableSpec yld{
    "yld",
    {dim::year, dim::region, dim::sex, dim::disease},
    "years",
    "years lived with disability: disability weight times prevalence times person-years",
    "Years lived with disability",
    "伤残损失年"};
inline constexpr VariableSpec daly{
    "daly",
    {dim::year, dim::region, dim::sex},
    "years",
    "disability-adjusted life years: YLL of all causes plus YLD of the modelled diseases and "
    "of other causes",
    "DALYs",
    "伤残调整生命年"};
inline constexpr VariableSpec maternal_mortality{
    "maternal_mortality",     {dim::year, dim::region},
    "per 100000 live births", "maternal mortality ratio (risk per birth x 100,000)",
    "Maternal mortality",     "孕产妇死亡率"};
inline constexpr VariableSpec risk_factor_prevalence{
    "risk_factor_prevalence",
    {dim::year, dim::region, dim::sex, dim::category},
    "percent",
    "share of the population aged 15+ in each category",
    "Risk factor prevalence, 15+",
    "15岁以上人群危险因素流行率"};
inline constexpr VariableSpec smoking_prevalence_15plus{
    "smoking_prevalence_15plus",
    {dim::year, dim::region, dim::sex},
    "percent",
    "current smokers among people aged 15 and over",
    "Smoking prevalence, 15+",
    "15岁以上人群吸烟率"};
inline constexpr VariableSpec risk_factor_mean{
    "risk_factor_mean",
    {dim::year, dim::region, dim::sex, dim::factor},
    "",
    "mean exposure at ages 18+ (units in the health model)",
    "Mean exposure, 18+",
    "18岁以上人群平均暴露水平"};
inline constexpr VariableSpec salt_intake{"salt_intake", {dim::year, dim::region, dim::sex},
                                          "g/day",       "mean salt intake at ages 18+",
                                          "Salt intake", "人均每日食盐摄入量"};
// The base year's inputs against the model (healthcast info).
inline constexpr VariableSpec calibration_e0_input{
    "calibration_e0_input",
    {dim::region, dim::sex},
    "years",
    "life expectancy at birth of the base year's input death rates",
    "e0 of the input death rates",
    "输入死亡率的出生预期寿命"};
inline constexpr VariableSpec calibration_population_input{
    "calibration_population_input",
    {dim::region, dim::sex},
    "persons",
    "base population given in the input file",
    "Population, input file",
    "输入文件的基期人口"};
inline constexpr VariableSpec calibration_deaths_input{
    "calibration_deaths_input",
    {dim::region, dim::sex},
    "persons",
    "input death rates times the modelled person-years, base year",
    "Deaths, input rates x modelled person-years",
    "输入死亡率乘以模型人年数"};
// Plan targets (dimension `target`), numbers.
inline constexpr VariableSpec target_year{"target_year",        {dim::target}, "",
                                          "year of the target", "Year",        "年份"};
inline constexpr VariableSpec target_value{
    "target_value",
    {dim::target},
    "",
    "target value (for relative changes: the change, a fraction)",
    "Target",
    "目标值"};
inline constexpr VariableSpec target_projected{
    "target_projected",
    {dim::target},
    "",
    "the model's own (or the trend's, or the lever's) value in the target year",
    "Projected",
    "预测值"};
inline constexpr VariableSpec target_judged{
    "target_judged",
    {dim::target},
    "",
    "value compared with the target (the chain's value, an observation, or a relative change)",
    "Judged",
    "比较值"};
inline constexpr VariableSpec target_gap{
    "target_gap", {dim::target},
    "",           "still to go to the target (positive), or ahead of it (negative)",
    "Gap",        "差距"};
inline constexpr VariableSpec target_met{
    "target_met", {dim::target}, "", "1 met, 0 not met, NaN not judged", "Met", "是否达标"};
inline constexpr VariableSpec target_first_year_met{
    "target_first_year_met", {dim::target}, "", "first projected year in which the target is met",
    "First year met",        "首次达标年份"};
inline constexpr VariableSpec target_probability{
    "target_probability",
    {dim::target},
    "",
    "probability of meeting the target (needs draws or an interval)",
    "Probability",
    "达标概率"};
inline constexpr VariableSpec target_precision{
    "target_precision", {dim::target},   "", "decimals of the target value as the plan writes it",
    "Precision",        "精度（小数位）"};
inline constexpr VariableSpec target_official_year{
    "target_official_year",
    {dim::target},
    "",
    "year of the last official value the chain starts from",
    "Official year",
    "官方数据年份"};
inline constexpr VariableSpec target_official_value{
    "target_official_value", {dim::target}, "", "last official value the chain starts from",
    "Official value",        "官方数据"};
inline constexpr VariableSpec target_start_year{
    "target_start_year",
    {dim::target},
    "",
    "year the modelled change starts (the later of the official year and the base year)",
    "Start year",
    "推算起始年份"};
inline constexpr VariableSpec target_start_value{
    "target_start_value",
    {dim::target},
    "",
    "official level in the start year (bridged by the official trend when the official year is "
    "earlier)",
    "Start value",
    "推算起始值"};
inline constexpr VariableSpec target_modelled_change{
    "target_modelled_change",
    {dim::target},
    "",
    "modelled change from the start year to the target year (a ratio, or a difference for years)",
    "Modelled change",
    "模型变化"};
inline constexpr VariableSpec target_baseline_year{
    "target_baseline_year", {dim::target}, "", "baseline year of a relative target",
    "Baseline year",        "基线年份"};
inline constexpr VariableSpec target_baseline_value{
    "target_baseline_value",
    {dim::target},
    "",
    "value of the baseline year (official where there is one)",
    "Baseline value",
    "基线值"};
// Plan targets, text (stored as string variables along `target`).
inline constexpr VariableSpec target_plan{"target_plan",          {dim::target}, "",
                                          "scenario (plan) name", "Plan",        "规划"};
inline constexpr VariableSpec target_indicator{"target_indicator", {dim::target}, "",
                                               "indicator id",     "Indicator",   "指标"};
inline constexpr VariableSpec target_comparator{"target_comparator", {dim::target}, "",
                                                "comparator",        "Comparator",  "比较方式"};
inline constexpr VariableSpec target_unit{"target_unit", {dim::target}, "", "unit", "Unit", "单位"};
inline constexpr VariableSpec target_sex{"target_sex", {dim::target}, "", "sex", "Sex", "性别"};
inline constexpr VariableSpec target_status{
    "target_status",
    {dim::target},
    "",
    "met, not_met, observed_met, observed_not_met, no_data, not_comparable, set_by_lever, "
    "before_projection, after_horizon or no_value",
    "Status",
    "状态"};
inline constexpr VariableSpec target_basis{
    "target_basis", {dim::target}, "", "how the value was obtained", "Basis", "依据"};
inline constexpr VariableSpec target_text_zh{"target_text_zh",       {dim::target},  "",
                                             "the plan's own words", "Plan's words", "规划原文"};
inline constexpr VariableSpec target_text_en{
    "target_text_en",         {dim::target},     "", "the plan's words in English",
    "Plan's words (English)", "规划原文（英文）"};
inline constexpr VariableSpec target_convention{
    "target_convention",
    {dim::target},
    "",
    "how the chain carries the official level: ratio, difference, trend, lever, or empty",
    "Convention",
    "推算方式"};
inline constexpr VariableSpec target_proxy{
    "target_proxy", {dim::target}, "", "what stands in for the plan's definition (empty: none)",
    "Proxy",        "替代指标"};
// Monitored indicators (dimension `monitored`).
inline constexpr VariableSpec monitored_value{"monitored_value",
                                              {dim::monitored, dim::year},
                                              "",
                                              "trend forecast of monitored indicators (value)",
                                              "Trend",
                                              "趋势预测"};
inline constexpr VariableSpec monitored_lower{"monitored_lower",
                                              {dim::monitored, dim::year},
                                              "",
                                              "trend forecast of monitored indicators (lower)",
                                              "Trend, lower bound",
                                              "趋势预测下限"};
inline constexpr VariableSpec monitored_upper{"monitored_upper",
                                              {dim::monitored, dim::year},
                                              "",
                                              "trend forecast of monitored indicators (upper)",
                                              "Trend, upper bound",
                                              "趋势预测上限"};
inline constexpr VariableSpec monitored_unit{"monitored_unit", {dim::monitored}, "",
                                             "unit",           "Unit",           "单位"};
inline constexpr VariableSpec monitored_history{
    "monitored_history", {dim::monitored}, "", "observed, or none (no observed history: no data)",
    "History",           "历史数据"};
// Comparisons of a scenario with a reference (healthcast compare).
inline constexpr VariableSpec deaths_averted{
    "deaths_averted", {dim::year, dim::region, dim::sex},
    "persons",        "deaths averted against the reference",
    "Deaths averted", "避免死亡数"};
inline constexpr VariableSpec cumulative_deaths_averted{
    "cumulative_deaths_averted",
    {dim::year, dim::region, dim::sex},
    "persons",
    "deaths averted against the reference, summed from the first year",
    "Deaths averted, cumulative",
    "累计避免死亡数"};
inline constexpr VariableSpec life_years_gained{"life_years_gained",
                                                {dim::year, dim::region, dim::sex},
                                                "years",
                                                "life-years gained against the reference",
                                                "Life-years gained",
                                                "增加的生命年"};
inline constexpr VariableSpec cumulative_life_years_gained{
    "cumulative_life_years_gained",
    {dim::year, dim::region, dim::sex},
    "years",
    "life-years gained against the reference, summed from the first year",
    "Life-years gained, cumulative",
    "累计增加的生命年"};
inline constexpr VariableSpec dalys_averted{"dalys_averted", {dim::year, dim::region, dim::sex},
                                            "years",         "DALYs averted against the reference",
                                            "DALYs averted", "避免的伤残调整生命年"};
inline constexpr VariableSpec cumulative_dalys_averted{
    "cumulative_dalys_averted",
    {dim::year, dim::region, dim::sex},
    "years",
    "DALYs averted against the reference, summed from the first year",
    "DALYs averted, cumulative",
    "累计避免的伤残调整生命年"};
}  // namespace var

// Every variable of the catalogue, in the order above.
std::span<const VariableSpec* const> variables();
// The entry of a variable, or null. Derived variables (<name>_summary, <name>_draws,
// <name>_difference) are found through their base name.
const VariableSpec* find_variable(std::string_view name);

// Suffixes of variables derived from a catalogue variable.
inline constexpr std::string_view SUMMARY_SUFFIX = "_summary";
inline constexpr std::string_view DRAWS_SUFFIX = "_draws";
inline constexpr std::string_view DIFFERENCE_SUFFIX = "_difference";

// Which way an indicator improves, for "better than" targets and for reports.
enum class Better { higher, lower };

// How an indicator's value is read from a results dataset.
enum class Reading {
  at_birth,      // a by-age variable at age 0
  by_sex,        // a (year, region, sex) variable
  without_sex,   // a (year, region) variable: the same for every sex
  standard,      // a (year, region, sex, standard) variable at the standard `selector`
  cause_total,   // deaths_by_cause at cause `selector`, summed over ages
  age_total,     // a by-age count summed over ages
  births_ratio,  // male births per 100 female births
};

// An indicator a target can name (docs/scenario-format.md, "Indicators").
struct IndicatorSpec {
  std::string_view id;
  const VariableSpec* variable;
  Reading reading;
  std::string_view selector;  // the standard or cause that `reading` needs, else empty
  std::string_view units;
  std::string_view title;
  std::string_view title_zh;
  Better better;
  // Whether `healthcast compare` reports the scenario-minus-reference difference of its variable.
  bool compared = false;
};

// Every indicator the model produces, in the order of docs/scenario-format.md.
std::span<const IndicatorSpec> indicators();
// The indicator with this id, or null.
const IndicatorSpec* find_indicator(std::string_view id);
// Ids of every modelled indicator.
std::vector<std::string> indicator_ids();

class Dataset;
// The indicator's value in a region of a run for a year and sex ("total" where the indicator
// has no sex); NaN for a year outside the projection. Throws Error naming what is missing when
// the run lacks the indicator's variable (e.g. a run without the health model).
double indicator_value(const Dataset& ds, const IndicatorSpec& indicator, int year,
                       std::string_view sex, std::size_t region = 0);

}  // namespace healthcast::results
