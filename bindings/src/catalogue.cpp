// The catalogue of result variables, dimensions and indicators (results/catalogue.h), as plain
// Python lists of dicts: the plots, reports and docs take names, units and titles from it.
#include <string>

#include <pybind11/stl.h>

#include "core.h"
#include "healthcast/results/catalogue.h"

namespace healthcast::python {

namespace {

py::dict variable_entry(const results::VariableSpec& v) {
  py::dict d;
  d["name"] = std::string(v.name);
  d["dims"] = v.dimensions();
  d["units"] = std::string(v.units);
  d["long_name"] = std::string(v.long_name);
  d["title"] = std::string(v.title);
  d["title_zh"] = std::string(v.title_zh);
  return d;
}

py::dict indicator_entry(const results::IndicatorSpec& i) {
  py::dict d;
  d["id"] = std::string(i.id);
  d["variable"] = std::string(i.variable->name);
  d["selector"] = std::string(i.selector);
  d["units"] = std::string(i.units);
  d["title"] = std::string(i.title);
  d["title_zh"] = std::string(i.title_zh);
  d["better"] = i.better == results::Better::higher ? "higher" : "lower";
  d["compared"] = i.compared;
  return d;
}

}  // namespace

void init_catalogue(py::module_& m) {
  m.def(
      "catalogue_variables",
      [] {
        py::list out;
        for (const auto* v : results::variables()) out.append(variable_entry(*v));
        return out;
      },
      "Every result variable: name, dims, units, long_name, title, title_zh.");
  m.def(
      "catalogue_indicators",
      [] {
        py::list out;
        for (const auto& i : results::indicators()) out.append(indicator_entry(i));
        return out;
      },
      "Every indicator a target can name: id, variable, selector, units, titles, better, "
      "compared.");
  m.def(
      "catalogue_dimension",
      [](const std::string& name) {
        const auto& d = results::dimension(name);
        return py::make_tuple(std::string(d.long_name), std::string(d.units));
      },
      py::arg("name"), "A dimension's long name and units.");
}

}  // namespace healthcast::python
