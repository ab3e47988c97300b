// Mortality forecasting on arrays from Python: the Lee-Carter model (fit, forecast, draws).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "core.h"
#include "healthcast/error.h"
#include "healthcast/forecast/lee_carter.h"

namespace healthcast::python {

namespace {

using forecast::JumpOff;
using forecast::LeeCarter;

JumpOff jump_off_from(const std::string& name) {
  if (name == "observed") return JumpOff::observed;
  if (name == "fitted") return JumpOff::fitted;
  throw InputError({}, "jump_off", "'" + name + "' is not a jump-off; allowed: observed, fitted");
}

// Copies into a new array that Python owns.
py::array_t<double> to_array(const std::vector<double>& v) {
  return py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data());
}

// The arguments are copied out of NumPy by the casters (mx into an owned Eigen matrix), so the
// fit touches no Python object and can run without the GIL.
LeeCarter fit(const Eigen::MatrixXd& mx, const std::vector<int>& ages,
              const std::vector<double>& years) {
  py::gil_scoped_release no_gil;
  return LeeCarter::fit(mx, ages, years);
}

py::dict forecast_dict(const LeeCarter& lc, int horizon, int draws, std::uint64_t seed,
                       const std::string& jump_off) {
  const JumpOff where = jump_off_from(jump_off);
  forecast::LeeCarterForecast f;
  {
    // Only the C++ model (kept alive by the Python object that called this method) and the
    // local result are touched; with many draws this is the long part.
    py::gil_scoped_release no_gil;
    f = lc.forecast(horizon, draws, seed, where);
  }
  py::dict d;
  d["years"] = to_array(f.years);
  d["kt"] = to_array(f.kt);
  d["kt_sd_innovation"] = to_array(f.kt_sd_innovation);
  d["kt_sd"] = to_array(f.kt_sd);
  d["mx"] = py::cast(std::move(f.mx));
  d["kt_draws"] = py::cast(std::move(f.kt_draws));
  return d;
}

}  // namespace

void init_forecast(py::module_& m) {
  py::class_<LeeCarter>(m, "LeeCarter", "Lee-Carter mortality model: log m = a_x + b_x k_t")
      .def_static("fit", &fit, py::arg("mx"), py::arg("ages"), py::arg("years"),
                  "fit to death rates (ages x years) by the SVD of the centred log rates")
      .def_property_readonly("ages", &LeeCarter::ages)
      .def_property_readonly("years", &LeeCarter::years)
      .def_property_readonly("ax", &LeeCarter::ax, py::return_value_policy::copy)
      .def_property_readonly("bx", &LeeCarter::bx, py::return_value_policy::copy)
      .def_property_readonly("kt", &LeeCarter::kt, py::return_value_policy::copy)
      .def_property_readonly("step", &LeeCarter::step)
      .def_property_readonly("drift", &LeeCarter::drift)
      .def_property_readonly("drift_per_year", &LeeCarter::drift_per_year)
      .def_property_readonly("sigma", &LeeCarter::sigma)
      .def_property_readonly("drift_se", &LeeCarter::drift_se)
      .def_property_readonly("explained", &LeeCarter::explained)
      .def("fitted", &LeeCarter::fitted, "fitted rates exp(a_x + b_x k_t), ages x years")
      .def("k_at", &LeeCarter::k_at, py::arg("year"), "mean k at any time (the drift line)")
      .def(
          "rates",
          [](const LeeCarter& lc, double k, const std::string& jump_off) {
            return lc.rates(k, jump_off_from(jump_off));
          },
          py::arg("k"), py::arg("jump_off"), "death rates by age for a value of k")
      .def("forecast", &forecast_dict, py::arg("horizon"), py::arg("draws"), py::arg("seed"),
           py::arg("jump_off"),
           "mean path, its standard deviations, rates (ages x years) and k draws (draws x years)");
}

}  // namespace healthcast::python
