// C++ exceptions as Python exceptions. The Python classes are defined (and documented) in
// healthcast/errors.py; the translator looks them up when an exception crosses over, so the
// extension never holds Python objects in static storage.
#include <exception>

#include "core.h"
#include "healthcast/error.h"

namespace healthcast::python {

namespace {

py::object python_error(const char* name) {
  return py::module_::import("healthcast.errors").attr(name);
}

// Raises `type(message)` with extra attributes set on the instance.
void raise(const py::object& type, const std::string& message, const py::dict& attributes) {
  py::object instance = type(message);
  for (auto item : attributes) py::setattr(instance, item.first, item.second);
  PyErr_SetObject(type.ptr(), instance.ptr());
}

}  // namespace

void init_errors(py::module_& /*m*/) {
  py::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    // Looking up the Python classes may itself fail (a broken installation); then the original
    // message still reaches the user as a RuntimeError.
    try {
      std::rethrow_exception(p);
    } catch (const InputError& e) {
      try {
        py::dict attrs;
        const auto& w = e.where();
        attrs["file"] = w.file.empty() ? py::object(py::none()) : py::object(py::str(w.file));
        attrs["line"] = w.line > 0 ? py::object(py::int_(w.line)) : py::object(py::none());
        attrs["column"] = w.column > 0 ? py::object(py::int_(w.column)) : py::object(py::none());
        attrs["field"] =
            e.field().empty() ? py::object(py::none()) : py::object(py::str(e.field()));
        attrs["problem"] = py::str(e.problem());
        raise(python_error("ScenarioError"), e.what(), attrs);
      } catch (py::error_already_set& lookup) {
        lookup.restore();
      }
    } catch (const FileFormatError& e) {
      try {
        raise(python_error("ResultsFileError"), e.what(), py::dict());
      } catch (py::error_already_set& lookup) {
        lookup.restore();
      }
    } catch (const Error& e) {
      try {
        raise(python_error("HealthcastError"), e.what(), py::dict());
      } catch (py::error_already_set& lookup) {
        lookup.restore();
      }
    }
  });
}

}  // namespace healthcast::python
