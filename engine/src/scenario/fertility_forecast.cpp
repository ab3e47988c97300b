#include "fertility_forecast.h"

#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "healthcast/forecast/tfr_deviation.h"
#include "healthcast/input/csv.h"

namespace healthcast::scenario {

FertilityForecast fertility_forecast(std::vector<demography::AgeArray> central,
                                     const std::filesystem::path& uncertainty, int base_year,
                                     int horizon) {
  FertilityForecast forecast{std::move(central), {}};
  if (uncertainty.empty()) return forecast;
  auto csv = input::CsvTable::read(uncertainty);
  csv.require_columns({"year", "tfr", "lower95", "upper95"});
  if (csv.rows() == 0) throw InputError({csv.source(), 1, 0}, "", "the file has no data rows");
  std::vector<int> years;
  std::vector<double> sd;
  // Half the 95% interval's width on the log scale, in standard deviations.
  constexpr double Z95 = 1.959963984540054;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const int year = csv.integer(r, "year");
    if (!years.empty() && year != years.back() + 1)
      throw InputError(
          csv.location(r, "year"), "year",
          fmt::format("{} follows {}; the years must be consecutive", year, years.back()));
    const double tfr = csv.number(r, "tfr"), lo = csv.number(r, "lower95"),
                 hi = csv.number(r, "upper95");
    if (!(lo > 0.0 && lo <= tfr && tfr <= hi && hi < 20.0))
      throw InputError(csv.location(r, "lower95"), "lower95",
                       fmt::format("the interval {} to {} around a TFR of {} is not allowed: need "
                                   "0 < lower95 <= tfr <= upper95 < 20 births per woman",
                                   lo, hi, tfr));
    years.push_back(year);
    sd.push_back(std::log(hi / lo) / (2.0 * Z95));
  }
  const auto deviation =
      std::make_shared<const forecast::TfrDeviation>(forecast::fit_tfr_deviation(years, sd));
  forecast.draw = [rates = forecast.central, deviation, base_year, horizon](const DrawKey& key) {
    const auto d = deviation->draw(base_year, horizon, key.seed, key.draw);
    auto out = rates;
    for (std::size_t y = 0; y < out.size(); ++y)
      for (double& f : out[y]) f *= std::exp(d[y]);
    return out;
  };
  return forecast;
}

}  // namespace healthcast::scenario
