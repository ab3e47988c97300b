// Life tables and stand-alone mortality indicators on arrays from Python.
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "core.h"
#include "healthcast/demography/indicators.h"
#include "healthcast/demography/life_table.h"
#include "healthcast/error.h"

namespace healthcast::python {

namespace {

using demography::Sex;

Sex sex_from(const std::string& name) {
  Sex sex{};
  if (!demography::parse_sex(name, sex))
    throw InputError({}, "sex", "'" + name + "' is not a sex; allowed: female, male, total");
  return sex;
}

// Copies into new arrays that Python owns.
py::array_t<double> to_array(const std::vector<double>& v) {
  return py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data());
}
py::array_t<int> to_array(const std::vector<int>& v) {
  return py::array_t<int>(static_cast<py::ssize_t>(v.size()), v.data());
}

py::dict life_table(const std::vector<int>& x, const std::vector<double>& m,
                    const std::string& sex) {
  const auto t = demography::life_table(x, m, sex_from(sex));
  py::dict d;
  d["age"] = to_array(t.x);
  d["n"] = to_array(t.n);
  d["mx"] = to_array(t.m);
  d["qx"] = to_array(t.q);
  d["ax"] = to_array(t.a);
  d["lx"] = to_array(t.l);
  d["dx"] = to_array(t.d);
  d["Lx"] = to_array(t.L);
  d["Tx"] = to_array(t.T);
  d["ex"] = to_array(t.e);
  return d;
}

}  // namespace

void init_demography(py::module_& m) {
  m.def("life_table", &life_table, py::arg("x"), py::arg("m"), py::arg("sex"),
        "life table columns (age, n, mx, qx, ax, lx, dx, Lx, Tx, ex) as arrays");
  m.def(
      "prob_dying",
      [](const std::vector<int>& x, const std::vector<double>& mx, int start, int end) {
        return demography::prob_dying(x, mx, start, end);
      },
      py::arg("x"), py::arg("m"), py::arg("start"), py::arg("end"),
      "probability of dying between exact ages start and end (WHO 30q70 method)");
  m.def(
      "healthy_life_expectancy",
      [](const std::vector<int>& x, const std::vector<double>& mx,
         const std::vector<double>& disability, const std::string& sex) {
        return to_array(demography::healthy_life_expectancy(x, mx, disability, sex_from(sex)));
      },
      py::arg("x"), py::arg("m"), py::arg("disability"), py::arg("sex"),
      "Sullivan healthy life expectancy at each age of x");
}

}  // namespace healthcast::python
