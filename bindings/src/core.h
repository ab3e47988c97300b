// Declarations shared by the binding sources: one init function per area, called in order by
// the single PYBIND11_MODULE in module.cpp.
#pragma once

#include <pybind11/pybind11.h>

namespace healthcast::python {

namespace py = pybind11;

void init_errors(py::module_& m);
void init_results(py::module_& m);
void init_scenario(py::module_& m);
void init_demography(py::module_& m);
void init_forecast(py::module_& m);
void init_catalogue(py::module_& m);

}  // namespace healthcast::python
