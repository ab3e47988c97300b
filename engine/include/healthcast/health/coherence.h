// A reference forecast whose all-cause mortality is the mortality method's (MODEL.md §2.1):
// other-cause mortality is what the all-cause forecast leaves after the diseases' death rates
// in the reference run, year by year.
#pragma once

#include <memory>
#include <vector>

#include "healthcast/demography/cohort_year.h"
#include "healthcast/health/rates.h"

namespace healthcast::health {

// The diseases' death rate (all diseases together, deaths per person-year) of each cohort-year
// of the reference, [year][sex][age]: one person per cohort followed from the base year's state
// (and newborns from birth) through the years with `paths`. A person's disease and risk-factor
// state does not depend on other-cause mortality or the cohort's size, so this is the reference
// projection's disease mortality without the population (the open age group takes the cohort
// from 99, as newborns enter at mid-year).
std::vector<SexAgeArray> reference_disease_mortality(std::shared_ptr<const HealthModel> model,
                                                     const std::vector<SexAgeArray>& all_cause,
                                                     const HealthPaths& paths,
                                                     demography::IntegrationTolerances tolerances);

// The envelope of a coherent reference (MODEL.md §2.1, docs/health-inputs.md "Causes within
// all-cause mortality"): base_year_envelope's decomposition; for each disease whose case
// fatality follows all-cause mortality, case_fatality_factor calibrated (a few fixed-point
// rounds of the reference pass) so that its death rate in the reference is its base rate times
// m(y) / m(0) at every age and sex, its incidence keeping its own trend (r^(1 - w) when it follows
// all-cause too); and other_share in every year 1 - (the diseases' reference death rate) /
// all-cause, never below other_share_floor (cells held there are counted in floor_hits). With
// it the reference's all-cause mortality is `all_cause`, and every change (an intervention, a
// draw of the disease inputs) moves all-cause mortality away from it through the diseases.
CauseEnvelope fit_cause_envelope(std::shared_ptr<const HealthModel> model,
                                 const std::vector<SexAgeArray>& all_cause,
                                 const HealthPaths& paths,
                                 demography::IntegrationTolerances tolerances);

// The envelope of a draw whose all-cause forecast is `all_cause`: `envelope` (the central one)
// with other_share refitted to that forecast with the central disease inputs (`central`). A draw
// with central disease inputs then has exactly its forecast's all-cause mortality, and a drawn
// disease input or the drawn other-cause multiplier adds its own spread to it: all-cause
// mortality in a draw is the drawn causes plus a residual drawn as its own input.
CauseEnvelope refit_other_share(std::shared_ptr<const HealthModel> central,
                                const std::vector<SexAgeArray>& all_cause, const HealthPaths& paths,
                                const CauseEnvelope& envelope,
                                demography::IntegrationTolerances tolerances);

}  // namespace healthcast::health
