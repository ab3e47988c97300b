// The private extension module healthcast._core. The public API is the pure-Python package
// around it (bindings/python/healthcast); nothing here is meant to be imported by users.
#include "core.h"

#include "healthcast/io/results_file.h"
#include "healthcast/version.h"

PYBIND11_MODULE(_core, m) {
  namespace hp = healthcast::python;
  // No effect if h5py initialised libhdf5 first; see skip_hdf5_exit_handler.
  healthcast::io::skip_hdf5_exit_handler();
  m.doc() = "healthcast's compiled core (private: use the healthcast package)";
  m.attr("__version__") = std::string(healthcast::software_version());
  m.attr("GIT_REVISION") = std::string(healthcast::git_revision());
  // Errors first: the other areas' functions may throw while the module is still loading.
  hp::init_errors(m);
  hp::init_results(m);
  hp::init_scenario(m);
  hp::init_demography(m);
  hp::init_forecast(m);
  hp::init_catalogue(m);
}
