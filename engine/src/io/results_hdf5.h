// Internal to the io area: the HDF5 plumbing of results files (owned identifiers, error
// messages that name the file, the netCDF-4 writer and the atomic temporary-then-rename step),
// shared by write_results/read_results (results_file.cpp) and DrawWriter (draw_writer.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hdf5.h>

#include "healthcast/error.h"
#include "healthcast/results/dataset.h"

namespace healthcast::io::detail {

// Variables with more elements than this are chunked and compressed; smaller ones are stored
// contiguously, where compression would cost more than it saves.
constexpr std::size_t kCompressAbove = 1000;
// Upper bound on the elements of one chunk (512 KiB of float64, well inside HDF5's default
// 1 MiB chunk cache).
constexpr std::size_t kMaxChunkElements = 64 * 1024;
constexpr unsigned kGzipLevel = 4;

// Root attributes that the writer owns. filetype and format_version may not be set through
// Dataset::attributes; the provenance ones are always those of the program writing the file.
constexpr std::string_view kFiletype = "filetype";
constexpr std::string_view kFormatVersion = "format_version";
constexpr std::string_view kProvenance[] = {"software_version", "git_revision", "creation_time"};
// Root attribute naming the CF conventions (RESULTS_CONVENTIONS), also writer-owned.
constexpr std::string_view kConventions = "Conventions";

// Units in words UDUNITS does not know are stored as cf_units() in `units` and as written in
// `units_label`, which the reader prefers, so healthcast keeps its words.
constexpr std::string_view kUnitsLabel = "units_label";

// Owns one HDF5 identifier and closes it with the matching H5?close function.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

  // Closes now and returns the status (closing a file flushes it, which can fail).
  herr_t close() {
    herr_t status = 0;
    if (id_ >= 0 && closer_ != nullptr) status = closer_(id_);
    id_ = H5I_INVALID_HID;
    return status;
  }
  void reset() { static_cast<void>(close()); }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// Turns off HDF5's printing of its error stack for the lifetime of the object (failures are
// reported as exceptions instead) and restores the previous handler afterwards.
class QuietHdf5Errors {
 public:
  QuietHdf5Errors() {
    H5Eget_auto2(H5E_DEFAULT, &function_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  QuietHdf5Errors(const QuietHdf5Errors&) = delete;
  QuietHdf5Errors& operator=(const QuietHdf5Errors&) = delete;
  ~QuietHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, function_, data_); }

 private:
  H5E_auto2_t function_ = nullptr;
  void* data_ = nullptr;
};

// The most specific message on HDF5's error stack, as " (message)", and clears the stack.
std::string hdf5_detail();

// Names the file and the operation in every message.
class Context {
 public:
  Context(const std::filesystem::path& path, std::string_view doing)
      : path_(path.string()), doing_(doing) {}

  [[noreturn]] void fail(std::string_view what) const;
  hid_t check(hid_t id, std::string_view what) const {
    if (id < 0) fail(what);
    return id;
  }
  void check(herr_t status, std::string_view what) const {
    if (status < 0) fail(what);
  }
  Handle own(hid_t id, Handle::Closer closer, std::string_view what) const {
    return Handle(check(id, what), closer);
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string doing_;
};

Handle scalar_space(const Context& ctx);
Handle simple_space(const Context& ctx, const std::vector<hsize_t>& dims);

// Writes a results file's content (netCDF-4 layout) into `temporary`; messages name `target`.
// write() does it all; the pieces are public for writers that stream some variables first
// (DrawWriter): create_file(), then write_header(), then write_body(), then close().
class Writer {
 public:
  Writer(const std::filesystem::path& target, const std::filesystem::path& temporary)
      : ctx_(target, "cannot write results file"), temporary_(temporary) {}

  void write(const results::Dataset& dataset) {
    create_file();
    write_header(dataset);
    write_body(dataset);
  }

  void create_file();
  // Root attributes, then the coordinates (dimension ids 0, 1, ... in their order).
  void write_header(const results::Dataset& dataset);
  // Variables, then labels.
  void write_body(const results::Dataset& dataset);
  void write_coordinate(const results::Coordinate& coordinate, int dimension_id);

  // A float64 variable of this shape that has no name in the file yet (its values are written
  // by the caller); name_variable() links it into the root group once the dimensions exist, so
  // that it is listed after the variables written before that.
  Handle create_unnamed_variable(const std::string& name, const std::vector<std::size_t>& shape);
  void name_variable(const Handle& dataset, const std::string& name,
                     const std::vector<std::string>& dims, const std::vector<std::size_t>& shape,
                     const std::string& units, const std::string& long_name);

  // Closes every object and the file, which flushes it to disk.
  void close();

  const Context& context() const { return ctx_; }
  bool has_dimension(const std::string& name) const { return scales_.count(name) != 0; }

 private:
  void write_string_attribute(hid_t object, const std::string& name, const std::string& value);
  void write_int_attribute(hid_t object, const std::string& name, const std::vector<int>& values,
                           bool scalar);
  void write_optional_text(hid_t object, const char* name, const std::string& value);
  void write_units(hid_t object, const std::string& units);
  void write_root_attributes(const results::Dataset& dataset);
  Handle create_dataset(const std::string& name, hid_t type, hid_t space, hid_t dcpl,
                        std::string_view kind);
  Handle variable_creation_list(const std::string& name, const std::vector<std::size_t>& shape);
  void check_shape(const std::string& name, const std::vector<std::string>& dims,
                   const std::vector<std::size_t>& shape) const;
  void check_variable(const results::Variable& variable) const;
  void attach_dimensions(hid_t dataset, const std::string& name,
                         const std::vector<std::string>& dims);
  void describe_variable(hid_t dataset, const std::string& name,
                         const std::vector<std::string>& dims, const std::string& units,
                         const std::string& long_name);
  void write_variable(const results::Variable& variable);
  void write_labels(const results::Labels& labels);

  Context ctx_;
  std::filesystem::path temporary_;
  // Declared first so that it is destroyed last, after every object in it.
  Handle file_;
  Handle string_type_;
  Handle lcpl_;
  Handle acpl_;
  struct Scale {
    Handle dataset;
    int id;  // _Netcdf4Dimid
  };
  std::map<std::string, Scale> scales_;
};

// Creates the folder that will hold `path`; throws Error naming both when it cannot.
void create_parent_directory(const std::filesystem::path& path);
// A fresh, unpredictable temporary name beside `path` ("<path>.tmp-<16 hex digits>"), listed
// for removal on SIGINT/SIGTERM (remove_temporary_files()). The Writer creates it exclusively
// (H5F_ACC_EXCL: O_EXCL, so a file or symlink planted at that name is never followed).
std::filesystem::path temporary_path(const std::filesystem::path& path);
// Removes the temporary file (if any) and takes it off the list; never throws.
void remove_temporary(const std::filesystem::path& temporary) noexcept;
// Seals the finished temporary file (seal_results_file), flushes it to disk and renames it
// onto `path`; throws Error.
void move_into_place(const std::filesystem::path& temporary, const std::filesystem::path& path);

// Bytes reserved at the start of every results file (an HDF5 userblock, which HDF5 skips) for
// healthcast's own header: a magic line and a CRC-32 of every byte after the block.
constexpr hsize_t kUserblockSize = 512;
// Checks that the file exists and is not a folder, then the header and checksum, before libhdf5
// opens the file; sets `size` to its size in bytes. Throws FileFormatError ("no such file",
// "damaged or not a healthcast results file").
void verify_results_file(const std::filesystem::path& path, std::uint64_t& size);

// read_results() and write_results() without the child process (results_child.cpp): what the
// child runs; reading is also the fuzz target's entry. libhdf5 may crash or hang reading a
// crafted file. Writing writes `temporary`, then seals it and renames it onto `path`.
results::Dataset read_results_in_process(const std::filesystem::path& path);
std::map<std::string, std::string> read_results_attributes_in_process(
    const std::filesystem::path& path);
void write_results_in_process(const results::Dataset& dataset, const std::filesystem::path& path,
                              const std::filesystem::path& temporary);

}  // namespace healthcast::io::detail
