// The health model's inputs on the single-year grid (MODEL.md §2): chronic diseases, residual
// causes of death, disease interactions, risk factors and treatments. Read from a health-model
// file (docs/health-inputs.md) by load_health_model.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "healthcast/demography/ages.h"
#include "healthcast/error.h"

namespace healthcast::health {

using demography::AgeArray;
using demography::SexAgeArray;

// A number known with a 95% interval (sample_health_model draws from it, health/sampling.h).
struct Uncertain {
  double value = 0.0;
  std::optional<double> lower, upper;
};

// The 95% interval of a table by sex and age (lower <= value <= upper in every cell), kept
// where the input file gives one; cells with lower == upper are certain.
struct SexAgeInterval {
  SexAgeArray lower{}, upper{};
};

// How a rate moves from the base year on: an annual percent change, or the relative change of
// the scenario's all-cause mortality at the same age and sex. When both incidence and case
// fatality follow all-cause mortality they share its change: incidence takes the power 1 - w of
// the all-cause ratio and case fatality w (HealthPaths::case_fatality_share); a rate that
// follows alone takes all of it. In a coherent reference (health/coherence.h) a case fatality
// that follows all-cause is calibrated so that the cause's death rate follows it exactly.
struct Trend {
  bool follows_all_cause = false;
  double annual_percent_change = 0.0;
};

struct Disease {
  std::string name, title, title_zh;
  std::vector<std::string> groups;  // indicator groups: cvd, cancer, crd, diabetes, ncd4, ...
  SexAgeArray prevalence{};         // base year, fraction
  SexAgeArray mortality{};          // cause-specific death rate in the base period
  SexAgeArray remission{};          // per year
  SexAgeArray disability_weight{};  // average per prevalent case
  Trend incidence_trend, case_fatality_trend;
  // 95% intervals from the columns <field>_lower and <field>_upper of the rate file, if any.
  std::optional<SexAgeInterval> prevalence_interval{}, mortality_interval{}, remission_interval{},
      disability_weight_interval{};
};

// A named part of other-cause mortality, kept at its base share of other-cause deaths.
struct ResidualCause {
  std::string name;
  std::vector<std::string> groups;
  SexAgeArray mortality{};
};

// Incidence of `to` is multiplied by 1 + (rr - 1) pi_from (MODEL.md §2.1).
struct Interaction {
  std::string from, to;
  Uncertain rr;                          // a summary value
  std::optional<SexAgeArray> rr_by_age;  // by age and sex where the source gives it
  std::optional<SexAgeInterval> rr_by_age_interval{};
};

struct CategoricalFactor {
  std::string name;
  std::vector<std::string> categories;
  std::size_t at_birth = 0;
  // shares[sex][age][category] in the base year
  std::array<std::vector<std::vector<double>>, demography::N_SEXES> shares;
  struct Transition {
    std::size_t from = 0, to = 0;
    SexAgeArray rate{};
  };
  std::vector<Transition> transitions;
  // table[sex][age][category]
  using CategoryTable = std::array<std::vector<std::vector<double>>, demography::N_SEXES>;
  // relative_risk[disease][sex][age][category]
  std::map<std::string, CategoryTable> relative_risk;
  // The 95% interval of relative_risk[disease] where the file gives lower and upper columns;
  // the reference category (a category without rows) is 1 with the interval [1, 1].
  struct RrInterval {
    CategoryTable lower, upper;
  };
  std::map<std::string, RrInterval> relative_risk_interval{};
};

enum class Family { normal, lognormal };

struct ContinuousFactor {
  std::string name, unit;
  Family family = Family::normal;
  SexAgeArray mean{}, sd{};  // base year; for lognormal the mean and sd of the exposure itself
  // RR(x) = rr^((x - tmrel) / per) above tmrel, 1 below.
  struct LogLinear {
    SexAgeArray rr{};
    double per = 1.0, tmrel = 0.0;
    std::optional<SexAgeInterval> rr_interval{};
  };
  std::map<std::string, LogLinear> log_linear;
  // RR at exposure levels by age (log-linear interpolation, 1 at exposure 0).
  struct Curve {
    std::vector<double> exposure;
    std::array<std::vector<double>, demography::N_AGES> rr;  // rr[age][level]
    struct Interval {
      std::array<std::vector<double>, demography::N_AGES> lower, upper;  // [age][level]
    };
    std::optional<Interval> rr_interval{};
  };
  std::map<std::string, Curve> curves;
  // Mediation: a change of the mean by d moves `factor`'s mean by per_unit * d.
  struct ActsThrough {
    std::string factor;
    Uncertain per_unit;
  };
  std::optional<ActsThrough> acts_through;
  // Plausible range of a mean {low, high}, in `unit` (health.yaml `plausible`): interventions
  // that move a mean outside it are refused.
  std::optional<std::array<double, 2>> plausible;
};

struct Treatment {
  std::string name;
  // The affected: those above a threshold of a continuous factor, or those with a disease.
  std::string affected_factor, affected_disease;
  double threshold = 0.0;
  Uncertain coverage;                        // base-year share of the affected who are treated
  std::map<std::string, Uncertain> effects;  // disease -> incidence RR of treated vs untreated
};

struct HealthModel {
  std::filesystem::path path;
  std::vector<Disease> diseases;
  std::vector<ResidualCause> residual_causes;
  std::vector<Interaction> interactions;
  std::vector<CategoricalFactor> categorical;
  std::vector<ContinuousFactor> continuous;
  std::vector<Treatment> treatments;
  Uncertain maternal_risk_per_birth;
  // Log change of the maternal risk per year after the base year (the official trend); 0: held.
  Uncertain maternal_annual_change;
  // Multiplier of other-cause mortality (the causes not modelled as diseases), 1 with the 95%
  // interval of `other_causes: {lower, upper}`: a draw takes it as its own uncertain input.
  Uncertain other_causes_scale{1.0, std::nullopt, std::nullopt};
  SexAgeArray other_disability{};       // YLD per person from causes not modelled
  AgeArray standard_life_expectancy{};  // remaining life expectancy for YLL, single years
  // Standard populations for age-standardised rates: weights by five-year group (left edges
  // 0, 5, ..., the last open), by name.
  struct StandardPopulation {
    std::string name;
    std::vector<int> ages;
    std::vector<double> weights;
  };
  std::vector<StandardPopulation> standard_populations;

  std::size_t disease_index(const std::string& name) const;  // throws Error if absent
  const ContinuousFactor* continuous_factor(const std::string& name) const;
  std::size_t continuous_index(const std::string& name) const;  // throws Error if absent
};

// Reads and checks a health-model file and the CSV files it names (docs/health-inputs.md).
// Throws InputError naming the file, line and field.
HealthModel load_health_model(const std::filesystem::path& path);

}  // namespace healthcast::health
