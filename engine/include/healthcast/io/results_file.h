// Results files: one self-describing HDF5 file per run, readable by xarray (netCDF-4 layout:
// dimension scales with coordinate variables). See docs/results-format.md.
#pragma once

#include <filesystem>

#include "healthcast/results/dataset.h"

namespace healthcast::io {

// Writes the dataset atomically: into a temporary file beside `path`, renamed over `path` only
// once complete, so that a failed run never leaves a partial file at the target path.
// Root attributes written: filetype, format_version [major, minor], software_version,
// git_revision, creation_time (UTC, ISO 8601), plus every entry of dataset.attributes.
void write_results(const results::Dataset& dataset, const std::filesystem::path& path);

// Reads a results file. Checks filetype and format version before anything else and throws
// FileFormatError with the path and what was found when the file is not a readable results file.
results::Dataset read_results(const std::filesystem::path& path);

}  // namespace healthcast::io
