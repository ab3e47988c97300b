// Version constants: the software, the scenario file format and the results file format.
#pragma once

#include <array>
#include <string_view>

namespace healthcast {

std::string_view software_version();
std::string_view git_revision();

// Scenario files carry `healthcast: <SCENARIO_FORMAT_VERSION>`; older versions are upgraded or
// rejected with a message, never silently misread.
inline constexpr int SCENARIO_FORMAT_VERSION = 1;

// Results files: the `filetype` root attribute and `format_version` [major, minor]. A reader
// accepts any minor version of its major version (minor versions only add variables). 2.0: the
// checksummed header and each variable's _Netcdf4Coordinates, both required by the reader.
inline constexpr std::string_view RESULTS_FILETYPE = "healthcast-results";
inline constexpr std::array<int, 2> RESULTS_FORMAT_VERSION = {2, 0};
// The CF metadata conventions results files follow (root attribute `Conventions`).
inline constexpr std::string_view RESULTS_CONVENTIONS = "CF-1.8";

}  // namespace healthcast
