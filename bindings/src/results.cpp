// The results dataset and the results file: the in-memory layout that Results.to_xarray()
// turns into an xarray.Dataset, and the C++ writer and reader (atomic writes, version checks).
#include <filesystem>
#include <string>
#include <variant>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "core.h"
#include "healthcast/io/results_file.h"
#include "healthcast/results/compare.h"
#include "healthcast/results/dataset.h"
#include "healthcast/version.h"

namespace healthcast::python {

namespace {

using results::Coordinate;
using results::Dataset;
using results::Variable;

py::object coordinate_values(const Coordinate& c) {
  if (const auto* ints = std::get_if<std::vector<int>>(&c.values))
    return py::array_t<std::int32_t>(static_cast<py::ssize_t>(ints->size()), ints->data());
  return py::cast(std::get<std::vector<std::string>>(c.values));
}

// A read-only NumPy view of a variable's values whose base is the Python Dataset object, so the
// C++ storage stays alive as long as any view of it does.
py::array variable_values(const py::object& self, const std::string& name) {
  const Variable& v = self.cast<const Dataset&>().variable(name);
  std::vector<py::ssize_t> shape(v.shape.begin(), v.shape.end());
  py::array_t<double> view(shape, v.values.data(), self);
  view.attr("setflags")(py::arg("write") = false);
  return view;
}

}  // namespace

void init_results(py::module_& m) {
  m.attr("RESULTS_FILETYPE") = std::string(RESULTS_FILETYPE);
  m.attr("RESULTS_CONVENTIONS") = std::string(RESULTS_CONVENTIONS);
  m.attr("RESULTS_FORMAT_VERSION") =
      py::make_tuple(RESULTS_FORMAT_VERSION[0], RESULTS_FORMAT_VERSION[1]);

  py::class_<Dataset>(m, "Dataset", "Results of a run: named dimensions, coordinates, variables")
      .def_property_readonly("dims",
                             [](const Dataset& ds) {
                               std::vector<std::string> names;
                               for (const auto& c : ds.coordinates()) names.push_back(c.name);
                               return names;
                             })
      .def(
          "coordinate",
          [](const Dataset& ds, const std::string& name) {
            const auto& c = ds.coordinate(name);
            return py::make_tuple(coordinate_values(c), c.long_name, c.units);
          },
          py::arg("name"), "(values, long_name, units) of a dimension")
      .def_property_readonly("variable_names",
                             [](const Dataset& ds) {
                               std::vector<std::string> names;
                               for (const auto& v : ds.variables()) names.push_back(v.name);
                               return names;
                             })
      .def(
          "variable",
          [](const Dataset& ds, const std::string& name) {
            const auto& v = ds.variable(name);
            return py::make_tuple(v.dims, v.long_name, v.units);
          },
          py::arg("name"), "(dims, long_name, units) of a variable")
      .def_property_readonly("label_names",
                             [](const Dataset& ds) {
                               std::vector<std::string> names;
                               for (const auto& l : ds.labels()) names.push_back(l.name);
                               return names;
                             })
      .def(
          "labels",
          [](const Dataset& ds, const std::string& name) {
            const auto& l = ds.label(name);
            return py::make_tuple(l.dim, l.long_name, l.values);
          },
          py::arg("name"), "(dim, long_name, values) of a text variable")
      .def("values", &variable_values, py::arg("name"),
           "read-only view of a variable's values (keeps the dataset alive)")
      .def_property_readonly("attributes", [](const Dataset& ds) { return ds.attributes; })
      .def(
          "set_attribute",
          [](Dataset& ds, const std::string& key, const std::string& value) {
            ds.attributes[key] = value;
          },
          py::arg("key"), py::arg("value"));

  // Writing and reading touch only the C++ dataset and the file, never a Python object, so the
  // GIL can be released for their (possibly long) compression and I/O.
  m.def("write_results", &io::write_results, py::arg("dataset"), py::arg("path"),
        py::call_guard<py::gil_scoped_release>(),
        "write a results file atomically (temporary file renamed over the target)");
  m.def("read_results", &io::read_results, py::arg("path"),
        py::call_guard<py::gil_scoped_release>(),
        "read a results file; checks its checksum, filetype and format version first");
  m.def("seal_results_file", &io::seal_results_file, py::arg("path"),
        "recompute the checksum of a results file edited in place (e.g. with h5py)");
  m.def(
      "cf_units", [](const std::string& units) { return std::string(io::cf_units(units)); },
      py::arg("units"), "the units as a results file stores them (UDUNITS-2, CF)");
  m.def("verify_results_file", &io::verify_results_file, py::arg("path"),
        py::call_guard<py::gil_scoped_release>(),
        "check a results file's header and checksum (FileFormatError when its bytes changed)");
  // Reads two C++ datasets (kept alive by the caller's Python objects) and builds a new one,
  // touching no Python object, like the writer above.
  m.def("compare", &results::compare, py::arg("reference"), py::arg("scenario"),
        py::call_guard<py::gil_scoped_release>(),
        "deaths averted, life-years gained, DALYs averted and indicator differences");
}

}  // namespace healthcast::python
