// Results files in HDF5 with the netCDF-4 layout: every dimension is a 1-D coordinate dataset
// made a dimension scale, every variable a float64 dataset with its scales attached in order.
// The layout is described in docs/results-format.md.
#include "healthcast/io/results_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <ctime>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#include "healthcast/error.h"
#include "healthcast/version.h"

namespace healthcast::io {

namespace {

namespace fs = std::filesystem;
using results::Coordinate;
using results::Dataset;
using results::Labels;
using results::Variable;

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

// ---------------------------------------------------------------------------------------------
// HDF5 plumbing

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

herr_t innermost_error(unsigned, const H5E_error2_t* entry, void* out) {
  // Walking downward, the last entry visited is the innermost (most specific) one.
  if (entry != nullptr && entry->desc != nullptr) *static_cast<std::string*>(out) = entry->desc;
  return 0;
}

// The most specific message on HDF5's error stack, as " (message)", and clears the stack.
std::string hdf5_detail() {
  std::string detail;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, innermost_error, &detail);
  H5Eclear2(H5E_DEFAULT);
  return detail.empty() ? std::string() : fmt::format(" ({})", detail);
}

// Names the file and the operation in every message.
class Context {
 public:
  Context(const fs::path& path, std::string_view doing) : path_(path.string()), doing_(doing) {}

  [[noreturn]] void fail(std::string_view what) const {
    throw Error(fmt::format("{}: {}: {}{}", path_, doing_, what, hdf5_detail()));
  }
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

Handle scalar_space(const Context& ctx) {
  return ctx.own(H5Screate(H5S_SCALAR), H5Sclose, "cannot create a dataspace");
}

Handle simple_space(const Context& ctx, const std::vector<hsize_t>& dims) {
  if (dims.empty()) return scalar_space(ctx);
  return ctx.own(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
                 "cannot create a dataspace");
}

// Variable-length UTF-8 string: what netCDF-4 calls NC_STRING and h5py reads as str.
Handle utf8_string_type(const Context& ctx) {
  Handle type = ctx.own(H5Tcopy(H5T_C_S1), H5Tclose, "cannot create the string type");
  ctx.check(H5Tset_size(type.get(), H5T_VARIABLE), "cannot create the string type");
  ctx.check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "cannot create the string type");
  return type;
}

// Property list that marks link or attribute names as UTF-8.
Handle utf8_names(const Context& ctx, hid_t property_class) {
  Handle plist = ctx.own(H5Pcreate(property_class), H5Pclose, "cannot create a property list");
  ctx.check(H5Pset_char_encoding(plist.get(), H5T_CSET_UTF8), "cannot set the name encoding");
  return plist;
}

// ---------------------------------------------------------------------------------------------
// Writing

class Writer {
 public:
  Writer(const fs::path& target, const fs::path& temporary)
      : ctx_(target, "cannot write results file"), temporary_(temporary) {}

  void write(const Dataset& dataset) {
    create_file();
    write_root_attributes(dataset);
    for (std::size_t i = 0; i < dataset.coordinates().size(); ++i)
      write_coordinate(dataset.coordinates()[i], static_cast<int>(i));
    for (const auto& variable : dataset.variables()) write_variable(variable);
    for (const auto& labels : dataset.labels()) write_labels(labels);
  }

  // Closes every object and the file, which flushes it to disk.
  void close() {
    scales_.clear();
    string_type_.reset();
    acpl_.reset();
    lcpl_.reset();
    ctx_.check(file_.close(), "cannot close the temporary file " + temporary_.string());
  }

 private:
  void create_file() {
    Handle fcpl = ctx_.own(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "cannot create a property list");
    // netCDF-4 tracks the creation order of the root group's links and attributes; readers
    // (this one included) list dimensions and variables in the order they were written.
    const unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
    ctx_.check(H5Pset_link_creation_order(fcpl.get(), order), "cannot track creation order");
    ctx_.check(H5Pset_attr_creation_order(fcpl.get(), order), "cannot track creation order");
    Handle fapl = ctx_.own(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot create a property list");
    ctx_.check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "cannot set the close mode");
    file_ = ctx_.own(H5Fcreate(temporary_.string().c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                     H5Fclose, "cannot create the temporary file " + temporary_.string());
    string_type_ = utf8_string_type(ctx_);
    lcpl_ = utf8_names(ctx_, H5P_LINK_CREATE);
    acpl_ = utf8_names(ctx_, H5P_ATTRIBUTE_CREATE);
  }

  void write_string_attribute(hid_t object, const std::string& name, const std::string& value) {
    Handle space = scalar_space(ctx_);
    Handle attribute = ctx_.own(
        H5Acreate2(object, name.c_str(), string_type_.get(), space.get(), acpl_.get(), H5P_DEFAULT),
        H5Aclose, fmt::format("cannot create attribute '{}'", name));
    const char* text = value.c_str();
    ctx_.check(H5Awrite(attribute.get(), string_type_.get(), &text),
               fmt::format("cannot write attribute '{}'", name));
  }

  void write_int_attribute(hid_t object, const std::string& name, const std::vector<int>& values,
                           bool scalar) {
    Handle space = scalar ? scalar_space(ctx_) : simple_space(ctx_, {values.size()});
    Handle attribute = ctx_.own(
        H5Acreate2(object, name.c_str(), H5T_STD_I32LE, space.get(), acpl_.get(), H5P_DEFAULT),
        H5Aclose, fmt::format("cannot create attribute '{}'", name));
    ctx_.check(H5Awrite(attribute.get(), H5T_NATIVE_INT, values.data()),
               fmt::format("cannot write attribute '{}'", name));
  }

  void write_optional_text(hid_t object, const char* name, const std::string& value) {
    if (!value.empty()) write_string_attribute(object, name, value);
  }

  void write_root_attributes(const Dataset& dataset) {
    const hid_t root = file_.get();
    write_string_attribute(root, std::string(kFiletype), std::string(RESULTS_FILETYPE));
    write_int_attribute(root, std::string(kFormatVersion),
                        {RESULTS_FORMAT_VERSION[0], RESULTS_FORMAT_VERSION[1]}, false);
    write_string_attribute(root, "software_version", std::string(software_version()));
    write_string_attribute(root, "git_revision", std::string(git_revision()));
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    write_string_attribute(root, "creation_time",
                           fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(now)));
    for (const auto& [name, value] : dataset.attributes) {
      if (name == kFiletype || name == kFormatVersion)
        ctx_.fail(fmt::format("attribute '{}' is reserved for the file format", name));
      bool provenance = false;
      for (auto reserved : kProvenance) provenance = provenance || name == reserved;
      if (provenance) continue;  // always those of the program writing this file
      if (name.empty()) ctx_.fail("an attribute has an empty name");
      write_string_attribute(root, name, value);
    }
  }

  Handle create_dataset(const std::string& name, hid_t type, hid_t space, hid_t dcpl,
                        std::string_view kind) {
    if (name.empty()) ctx_.fail(fmt::format("a {} has an empty name", kind));
    return ctx_.own(
        H5Dcreate2(file_.get(), name.c_str(), type, space, lcpl_.get(), dcpl, H5P_DEFAULT),
        H5Dclose, fmt::format("cannot create {} '{}'", kind, name));
  }

  void write_coordinate(const Coordinate& coordinate, int dimension_id) {
    const std::string& name = coordinate.name;
    Handle space = simple_space(ctx_, {coordinate.size()});
    Handle dataset;
    if (const auto* numbers = std::get_if<std::vector<int>>(&coordinate.values)) {
      dataset = create_dataset(name, H5T_STD_I32LE, space.get(), H5P_DEFAULT, "coordinate");
      if (!numbers->empty())
        ctx_.check(
            H5Dwrite(dataset.get(), H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, numbers->data()),
            fmt::format("cannot write coordinate '{}'", name));
    } else {
      const auto& labels = std::get<std::vector<std::string>>(coordinate.values);
      dataset = create_dataset(name, string_type_.get(), space.get(), H5P_DEFAULT, "coordinate");
      std::vector<const char*> pointers;
      pointers.reserve(labels.size());
      for (const auto& label : labels) pointers.push_back(label.c_str());
      if (!pointers.empty())
        ctx_.check(H5Dwrite(dataset.get(), string_type_.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                            pointers.data()),
                   fmt::format("cannot write coordinate '{}'", name));
    }
    ctx_.check(H5DSset_scale(dataset.get(), name.c_str()),
               fmt::format("cannot make '{}' a dimension scale", name));
    write_int_attribute(dataset.get(), "_Netcdf4Dimid", {dimension_id}, true);
    write_optional_text(dataset.get(), "long_name", coordinate.long_name);
    write_optional_text(dataset.get(), "units", coordinate.units);
    scales_.emplace(name, std::move(dataset));
  }

  // One slice along the leading dimension (a year, for most results) per chunk, split further
  // along the following dimensions only when a slice would exceed kMaxChunkElements.
  static std::vector<hsize_t> chunk_shape(const std::vector<std::size_t>& shape) {
    std::vector<hsize_t> chunk(shape.begin(), shape.end());
    std::size_t rest = 1;  // elements of the trailing dimensions kept whole
    for (std::size_t k = chunk.size(); k-- > 0;) {
      const std::size_t room = std::max<std::size_t>(1, kMaxChunkElements / rest);
      const bool leading = k == 0 && chunk.size() > 1;
      chunk[k] = leading ? 1 : std::min<std::size_t>(shape[k], room);
      rest *= static_cast<std::size_t>(chunk[k]);
    }
    return chunk;
  }

  void check_variable(const Variable& variable) const {
    const std::string& name = variable.name;
    if (scales_.count(name) != 0)
      ctx_.fail(fmt::format("variable '{}' has the name of a dimension", name));
    if (variable.dims.size() != variable.shape.size())
      ctx_.fail(fmt::format("variable '{}' has {} dimensions but a shape of rank {}", name,
                            variable.dims.size(), variable.shape.size()));
    std::size_t total = 1;
    for (std::size_t k = 0; k < variable.dims.size(); ++k) {
      const std::string& dim = variable.dims[k];
      auto scale = scales_.find(dim);
      if (scale == scales_.end())
        ctx_.fail(
            fmt::format("variable '{}' uses dimension '{}', which the dataset lacks", name, dim));
      hsize_t size = 0;
      Handle space = ctx_.own(H5Dget_space(scale->second.get()), H5Sclose, "cannot read a shape");
      ctx_.check(H5Sget_simple_extent_dims(space.get(), &size, nullptr), "cannot read a shape");
      if (variable.shape[k] != size)
        ctx_.fail(fmt::format("variable '{}' has {} values along '{}', the dimension has {}", name,
                              variable.shape[k], dim, size));
      total *= variable.shape[k];
    }
    if (variable.values.size() != total)
      ctx_.fail(fmt::format("variable '{}' has {} values, its shape needs {}", name,
                            variable.values.size(), total));
  }

  void write_variable(const Variable& variable) {
    check_variable(variable);
    const std::string& name = variable.name;
    Handle space = simple_space(ctx_, {variable.shape.begin(), variable.shape.end()});
    Handle dcpl =
        ctx_.own(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "cannot create a property list");
    if (variable.values.size() > kCompressAbove && !variable.shape.empty()) {
      const std::vector<hsize_t> chunk = chunk_shape(variable.shape);
      ctx_.check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()),
                 fmt::format("cannot set the chunk shape of '{}'", name));
      ctx_.check(H5Pset_shuffle(dcpl.get()), "cannot enable the shuffle filter");
      ctx_.check(H5Pset_deflate(dcpl.get(), kGzipLevel), "cannot enable gzip compression");
    }
    Handle dataset = create_dataset(name, H5T_IEEE_F64LE, space.get(), dcpl.get(), "variable");
    if (!variable.values.empty())
      ctx_.check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                          variable.values.data()),
                 fmt::format("cannot write variable '{}'", name));
    for (std::size_t k = 0; k < variable.dims.size(); ++k)
      ctx_.check(
          H5DSattach_scale(dataset.get(), scales_.at(variable.dims[k]).get(),
                           static_cast<unsigned>(k)),
          fmt::format("cannot attach dimension '{}' to variable '{}'", variable.dims[k], name));
    write_optional_text(dataset.get(), "units", variable.units);
    write_optional_text(dataset.get(), "long_name", variable.long_name);
  }

  void write_labels(const Labels& labels) {
    if (scales_.count(labels.name) != 0)
      ctx_.fail(fmt::format("labels '{}' have the name of a dimension", labels.name));
    const auto scale = scales_.find(labels.dim);
    if (scale == scales_.end())
      ctx_.fail(fmt::format("labels '{}' use dimension '{}', which the dataset lacks", labels.name,
                            labels.dim));
    Handle space = simple_space(ctx_, {labels.values.size()});
    Handle dataset =
        create_dataset(labels.name, string_type_.get(), space.get(), H5P_DEFAULT, "variable");
    std::vector<const char*> pointers;
    for (const auto& value : labels.values) pointers.push_back(value.c_str());
    if (!pointers.empty())
      ctx_.check(H5Dwrite(dataset.get(), string_type_.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                          pointers.data()),
                 fmt::format("cannot write labels '{}'", labels.name));
    ctx_.check(H5DSattach_scale(dataset.get(), scale->second.get(), 0),
               fmt::format("cannot attach dimension '{}' to labels '{}'", labels.dim, labels.name));
    write_optional_text(dataset.get(), "long_name", labels.long_name);
  }

  Context ctx_;
  fs::path temporary_;
  // Declared first so that it is destroyed last, after every object in it.
  Handle file_;
  Handle string_type_;
  Handle lcpl_;
  Handle acpl_;
  std::map<std::string, Handle> scales_;
};

// Flushes the finished temporary file to stable storage before it replaces the target.
void sync_to_disk(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // the rename still happens; durability is best effort
  static_cast<void>(::fsync(fd));
  ::close(fd);
}

// ---------------------------------------------------------------------------------------------
// Reading

class Reader {
 public:
  explicit Reader(const fs::path& path) : path_(path), ctx_(path, "cannot read results file") {}

  Dataset read() {
    open();
    check_format();
    Dataset dataset;
    read_root_attributes(dataset);
    std::vector<Handle> variables;
    for (auto& [name, object] : datasets_in_creation_order()) {
      const htri_t is_scale = H5DSis_scale(object.get());
      ctx_.check(static_cast<herr_t>(is_scale), fmt::format("cannot inspect '{}'", name));
      if (is_scale > 0)
        dataset.add_coordinate(read_coordinate(name, object.get()));
      else
        variables.push_back(std::move(object));
    }
    for (const auto& object : variables) read_variable(dataset, object.get());
    return dataset;
  }

 private:
  [[noreturn]] void not_results(std::string_view why) const {
    H5Eclear2(H5E_DEFAULT);
    throw FileFormatError(
        fmt::format("{}: not a healthcast results file ({})", path_.string(), why));
  }

  void open() {
    std::error_code ec;
    if (!fs::exists(path_, ec))
      throw FileFormatError(
          fmt::format("{}: cannot read results file: no such file", path_.string()));
    if (fs::is_directory(path_, ec)) not_results("it is a directory");
    if (H5Fis_hdf5(path_.string().c_str()) <= 0) not_results("not an HDF5 file");
    const hid_t file = H5Fopen(path_.string().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) not_results("cannot open it as HDF5" + hdf5_detail());
    file_ = Handle(file, H5Fclose);
  }

  void check_format() {
    const hid_t root = file_.get();
    if (H5Aexists(root, std::string(kFiletype).c_str()) <= 0) not_results("no filetype attribute");
    std::string filetype;
    if (!read_string_attribute(root, std::string(kFiletype), filetype))
      not_results("the filetype attribute is not text");
    if (filetype != RESULTS_FILETYPE)
      not_results(fmt::format("filetype is '{}', expected '{}'", filetype, RESULTS_FILETYPE));

    const std::string supported = fmt::format("{}.x", RESULTS_FORMAT_VERSION[0]);
    if (H5Aexists(root, std::string(kFormatVersion).c_str()) <= 0)
      throw FileFormatError(fmt::format(
          "{}: results file has no format_version attribute (this program reads version {})",
          path_.string(), supported));
    Handle attribute = ctx_.own(H5Aopen(root, std::string(kFormatVersion).c_str(), H5P_DEFAULT),
                                H5Aclose, "cannot open attribute 'format_version'");
    Handle space = ctx_.own(H5Aget_space(attribute.get()), H5Sclose, "cannot read a shape");
    Handle type = ctx_.own(H5Aget_type(attribute.get()), H5Tclose, "cannot read a type");
    const hssize_t count = H5Sget_simple_extent_npoints(space.get());
    if (H5Tget_class(type.get()) != H5T_INTEGER || count != 2)
      throw FileFormatError(fmt::format(
          "{}: format_version is not a pair of integers [major, minor] (this program reads "
          "version {})",
          path_.string(), supported));
    int version[2] = {0, 0};
    ctx_.check(H5Aread(attribute.get(), H5T_NATIVE_INT, version),
               "cannot read attribute 'format_version'");
    if (version[0] != RESULTS_FORMAT_VERSION[0])
      throw FileFormatError(fmt::format(
          "{}: results format version {}.{} is not supported; this program (healthcast {}) "
          "reads version {}",
          path_.string(), version[0], version[1], software_version(), supported));
  }

  // Reads a scalar (or one-element) text attribute; returns false if it is not text.
  bool read_string_attribute(hid_t object, const std::string& name, std::string& out) const {
    Handle attribute = ctx_.own(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose,
                                fmt::format("cannot open attribute '{}'", name));
    Handle type = ctx_.own(H5Aget_type(attribute.get()), H5Tclose, "cannot read a type");
    if (H5Tget_class(type.get()) != H5T_STRING) return false;
    Handle space = ctx_.own(H5Aget_space(attribute.get()), H5Sclose, "cannot read a shape");
    if (H5Sget_simple_extent_npoints(space.get()) != 1) return false;
    Handle memory = ctx_.own(H5Tcopy(type.get()), H5Tclose, "cannot copy a type");
    const std::string what = fmt::format("cannot read attribute '{}'", name);
    if (H5Tis_variable_str(type.get()) > 0) {
      char* text = nullptr;
      ctx_.check(H5Aread(attribute.get(), memory.get(), &text), what);
      out = text != nullptr ? std::string(text) : std::string();
      H5free_memory(text);
    } else {
      const std::size_t size = H5Tget_size(type.get());
      std::string buffer(size, '\0');
      ctx_.check(H5Aread(attribute.get(), memory.get(), buffer.data()), what);
      out = buffer.substr(0, buffer.find('\0'));
    }
    return true;
  }

  std::string optional_text(hid_t object, const char* name) const {
    std::string text;
    if (H5Aexists(object, name) > 0) read_string_attribute(object, name, text);
    return text;
  }

  static herr_t collect_name(hid_t, const char* name, const H5A_info_t*, void* out) {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  }

  void read_root_attributes(Dataset& dataset) const {
    std::vector<std::string> names;
    hsize_t position = 0;
    ctx_.check(
        H5Aiterate2(file_.get(), H5_INDEX_NAME, H5_ITER_INC, &position, collect_name, &names),
        "cannot list the root attributes");
    for (const auto& name : names) {
      // filetype and format_version are checked above; names starting with '_' belong to
      // netCDF or HDF5 (for example _NCProperties).
      if (name == kFiletype || name == kFormatVersion || name.starts_with('_')) continue;
      std::string value;
      if (read_string_attribute(file_.get(), name, value)) dataset.attributes[name] = value;
    }
  }

  // Every dataset in the root group, in creation order when the file tracks it.
  std::vector<std::pair<std::string, Handle>> datasets_in_creation_order() const {
    H5G_info_t info;
    ctx_.check(H5Gget_info(file_.get(), &info), "cannot list the root group");
    H5_index_t index = H5_INDEX_CRT_ORDER;
    std::vector<std::pair<std::string, Handle>> datasets;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      ssize_t length =
          H5Lget_name_by_idx(file_.get(), ".", index, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
      if (length < 0 && index == H5_INDEX_CRT_ORDER && i == 0) {
        H5Eclear2(H5E_DEFAULT);  // creation order not tracked: fall back to name order
        index = H5_INDEX_NAME;
        length =
            H5Lget_name_by_idx(file_.get(), ".", index, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
      }
      if (length < 0) ctx_.fail("cannot list the root group");
      std::string name(static_cast<std::size_t>(length) + 1, '\0');
      ctx_.check(static_cast<herr_t>(H5Lget_name_by_idx(file_.get(), ".", index, H5_ITER_INC, i,
                                                        name.data(), name.size(), H5P_DEFAULT)),
                 "cannot list the root group");
      name.resize(static_cast<std::size_t>(length));
      Handle object = ctx_.own(H5Oopen(file_.get(), name.c_str(), H5P_DEFAULT), H5Oclose,
                               fmt::format("cannot open '{}'", name));
      if (H5Iget_type(object.get()) != H5I_DATASET) continue;  // groups, named types
      datasets.emplace_back(name, std::move(object));
    }
    return datasets;
  }

  std::vector<hsize_t> shape_of(hid_t dataset, const std::string& name) const {
    Handle space = ctx_.own(H5Dget_space(dataset), H5Sclose,
                            fmt::format("cannot read the shape of '{}'", name));
    const int rank = H5Sget_simple_extent_ndims(space.get());
    ctx_.check(static_cast<herr_t>(rank), fmt::format("cannot read the shape of '{}'", name));
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (rank > 0)
      ctx_.check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr),
                 fmt::format("cannot read the shape of '{}'", name));
    return dims;
  }

  std::vector<std::string> read_strings(hid_t dataset, hid_t type, std::size_t count,
                                        const std::string& what) const {
    std::vector<std::string> labels;
    labels.reserve(count);
    Handle memory = ctx_.own(H5Tcopy(type), H5Tclose, what);
    if (count > 0 && H5Tis_variable_str(type) > 0) {
      std::vector<char*> pointers(count, nullptr);
      ctx_.check(H5Dread(dataset, memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
                 what);
      for (const char* p : pointers) labels.emplace_back(p != nullptr ? p : "");
      Handle space = ctx_.own(H5Dget_space(dataset), H5Sclose, what);
      H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, pointers.data());
    } else if (count > 0) {
      const std::size_t size = H5Tget_size(type);
      std::string buffer(size * count, '\0');
      ctx_.check(H5Dread(dataset, memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()),
                 what);
      for (std::size_t i = 0; i < count; ++i) {
        std::string label = buffer.substr(i * size, size);
        labels.push_back(label.substr(0, label.find('\0')));
      }
    }
    return labels;
  }

  Coordinate read_coordinate(const std::string& name, hid_t dataset) const {
    const std::vector<hsize_t> dims = shape_of(dataset, name);
    if (dims.size() != 1)
      throw FileFormatError(fmt::format("{}: dimension '{}' has a coordinate variable of rank {}",
                                        path_.string(), name, dims.size()));
    const auto count = static_cast<std::size_t>(dims[0]);
    const std::string what = fmt::format("cannot read coordinate '{}'", name);
    Handle type = ctx_.own(H5Dget_type(dataset), H5Tclose, what);
    Coordinate coordinate;
    coordinate.name = name;
    switch (H5Tget_class(type.get())) {
      case H5T_INTEGER: {
        std::vector<int> numbers(count);
        if (count > 0)
          ctx_.check(
              H5Dread(dataset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, numbers.data()),
              what);
        coordinate.values = std::move(numbers);
        break;
      }
      case H5T_STRING: {
        std::vector<std::string> labels = read_strings(dataset, type.get(), count, what);
        coordinate.values = std::move(labels);
        break;
      }
      default:
        throw FileFormatError(fmt::format(
            "{}: dimension '{}' has coordinate values that are neither integers nor text",
            path_.string(), name));
    }
    coordinate.long_name = optional_text(dataset, "long_name");
    coordinate.units = optional_text(dataset, "units");
    return coordinate;
  }

  static herr_t scale_name(hid_t, unsigned, hid_t scale, void* out) {
    // The dimension is named after the scale dataset (netCDF-4 does the same); if several
    // scales are attached, the last one wins, as in netCDF-C.
    const ssize_t length = H5Iget_name(scale, nullptr, 0);
    if (length < 0) return -1;
    std::string name(static_cast<std::size_t>(length) + 1, '\0');
    if (H5Iget_name(scale, name.data(), name.size()) < 0) return -1;
    name.resize(static_cast<std::size_t>(length));
    *static_cast<std::string*>(out) = name.substr(name.rfind('/') + 1);
    return 0;
  }

  void read_variable(Dataset& dataset, hid_t object) const {
    const ssize_t length = H5Iget_name(object, nullptr, 0);
    std::string path(static_cast<std::size_t>(std::max<ssize_t>(length, 0)) + 1, '\0');
    ctx_.check(static_cast<herr_t>(H5Iget_name(object, path.data(), path.size())),
               "cannot read a variable name");
    path.resize(static_cast<std::size_t>(length));
    const std::string name = path.substr(path.rfind('/') + 1);
    const std::string what = fmt::format("cannot read variable '{}'", name);

    const std::vector<hsize_t> shape = shape_of(object, name);
    std::vector<std::string> dims;
    for (std::size_t k = 0; k < shape.size(); ++k) {
      const auto axis = static_cast<unsigned>(k);
      std::string dim;
      if (H5DSget_num_scales(object, axis) > 0)
        ctx_.check(H5DSiterate_scales(object, axis, nullptr, scale_name, &dim), what);
      if (dim.empty())
        throw FileFormatError(fmt::format("{}: variable '{}' has no dimension attached to axis {}",
                                          path_.string(), name, k));
      dims.push_back(std::move(dim));
    }

    Handle type = ctx_.own(H5Dget_type(object), H5Tclose, what);
    const H5T_class_t type_class = H5Tget_class(type.get());
    if (type_class == H5T_STRING && shape.size() == 1) {
      Labels& labels = dataset.add_labels(name, dims[0], optional_text(object, "long_name"));
      labels.values = read_strings(object, type.get(), static_cast<std::size_t>(shape[0]), what);
      return;
    }
    if (type_class != H5T_FLOAT && type_class != H5T_INTEGER)
      throw FileFormatError(
          fmt::format("{}: variable '{}' does not hold numbers", path_.string(), name));

    Variable& variable = dataset.add_variable(name, dims, optional_text(object, "units"),
                                              optional_text(object, "long_name"));
    for (std::size_t k = 0; k < shape.size(); ++k)
      if (variable.shape[k] != shape[k])
        throw FileFormatError(
            fmt::format("{}: variable '{}' has {} values along '{}', the dimension has {}",
                        path_.string(), name, shape[k], dims[k], variable.shape[k]));
    if (!variable.values.empty())
      ctx_.check(
          H5Dread(object, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, variable.values.data()),
          what);
  }

  fs::path path_;
  Context ctx_;
  Handle file_;
};

}  // namespace

void write_results(const Dataset& dataset, const fs::path& path) {
  if (path.empty()) throw Error("cannot write results file: the path is empty");
  QuietHdf5Errors quiet;

  const fs::path parent = path.parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec)
      throw Error(fmt::format("{}: cannot write results file: cannot create directory '{}': {}",
                              path.string(), parent.string(), ec.message()));
  }

  fs::path temporary = path;
  temporary += fmt::format(".tmp-{}", static_cast<long>(::getpid()));
  try {
    {
      Writer writer(path, temporary);
      writer.write(dataset);
      writer.close();
    }
    sync_to_disk(temporary);
    std::error_code ec;
    fs::rename(temporary, path, ec);
    if (ec)
      throw Error(fmt::format("{}: cannot write results file: cannot move {} into place: {}",
                              path.string(), temporary.string(), ec.message()));
  } catch (...) {
    // The writer's handles are closed by now (stack unwinding); drop the partial file.
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw;
  }
}

Dataset read_results(const fs::path& path) {
  QuietHdf5Errors quiet;
  try {
    return Reader(path).read();
  } catch (const FileFormatError&) {
    throw;
  } catch (const Error& error) {
    // Inconsistent content (an unknown dimension, a repeated name) means a damaged file.
    const std::string message = error.what();
    if (message.starts_with(path.string() + ":")) throw FileFormatError(message);
    throw FileFormatError(fmt::format("{}: {}", path.string(), message));
  }
}

}  // namespace healthcast::io
