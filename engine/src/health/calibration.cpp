#include "healthcast/health/calibration.h"

#include <algorithm>

namespace healthcast::health {

using demography::AGE_MAX;
using demography::N_AGES;

DiseaseRates derive_disease_rates(const demography::AgeArray& prevalence,
                                  const demography::AgeArray& mortality,
                                  const demography::AgeArray& remission) {
  DiseaseRates out;
  for (std::size_t a = 0; a < N_AGES; ++a) {
    const double now = prevalence[a];
    const double next = a < static_cast<std::size_t>(AGE_MAX) ? prevalence[a + 1] : now;
    const double mean = 0.5 * (now + next);
    const double f = mean > 0.0 ? mortality[a] / mean : 0.0;
    const double i =
        mean < 1.0 ? (next - now + remission[a] * mean + f * mean * (1.0 - mean)) / (1.0 - mean)
                   : 0.0;
    out.case_fatality[a] = f;
    out.incidence[a] = std::max(0.0, i);
  }
  return out;
}

}  // namespace healthcast::health
