// Results files: one self-describing HDF5 file per run, readable by xarray (netCDF-4 layout:
// dimension scales with coordinate variables). See docs/results-format.md.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "healthcast/results/dataset.h"

namespace healthcast::io {

// Writes the dataset atomically: into a temporary file beside `path`, renamed over `path` only
// once complete, so that a failed run never leaves a partial file at the target path.
// Root attributes written: filetype, format_version [major, minor], software_version,
// git_revision, creation_time (UTC, ISO 8601), plus every entry of dataset.attributes.
void write_results(const results::Dataset& dataset, const std::filesystem::path& path);

// Reads a results file. Checks filetype and format version before anything else and throws
// FileFormatError with the path and what was found when the file is not a readable results file.
// A file whose healthcast header (a userblock holding a CRC-32 of the rest) is missing or does
// not match its bytes is refused before libhdf5 opens it: "damaged or not a healthcast results
// file". libhdf5 then reads the file in a child process (fork) under CPU, memory and time
// limits, so that a crafted file that makes libhdf5 crash or hang is refused the same way.
results::Dataset read_results(const std::filesystem::path& path);

// The root attributes of a results file, as read_results() gives them, without its variables
// (checked as read_results() checks the file).
std::map<std::string, std::string> read_results_attributes(const std::filesystem::path& path);

// Recomputes the checksum in the header of a results file edited in place (for example with
// h5py), so that read_results() accepts it again.
void seal_results_file(const std::filesystem::path& path);

// The CF form of a variable's units, which UDUNITS-2 parses: "persons" -> "1" (counts are
// dimensionless), "person-years" -> "year", "per 1000 live births" -> "1e-3", "per 100000"
// and "per 100000 live births" -> "1e-5"; any other units unchanged ("years", "percent", "1").
// Files store it as `units` and the words as `units_label` (docs/results-format.md).
std::string_view cf_units(std::string_view units);

// Checks a results file's header and checksum without opening it with libhdf5 (reads every byte
// once): throws FileFormatError ("damaged or not a healthcast results file") when its bytes
// changed since it was written. A batch checks its finished task files this way on resume.
void verify_results_file(const std::filesystem::path& path);

// Keeps libhdf5 from closing files in its exit handler. Once a write has failed (a full disk),
// libhdf5 1.10 crashes (SIGSEGV) closing that file again at exit; every file this program
// opens is closed by its owner, so there is nothing left for the handler to do. Effective only
// before any other HDF5 call: first thing in main() or at module import.
void skip_hdf5_exit_handler() noexcept;

// Removes every temporary results file this process is still writing. Async-signal-safe: for a
// SIGINT/SIGTERM handler, which should then end the process.
void remove_temporary_files() noexcept;

}  // namespace healthcast::io
