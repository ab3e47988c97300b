// Results files in HDF5 with the netCDF-4 layout: every dimension is a 1-D coordinate dataset
// made a dimension scale, every variable a float64 dataset with its scales attached in order.
// The layout is described in docs/results-format.md.
#include "healthcast/io/results_file.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <hdf5.h>

#include "healthcast/error.h"
#include "healthcast/version.h"
#include "results_hdf5.h"

namespace healthcast::io {

namespace {

namespace fs = std::filesystem;
using detail::Context;
using detail::Handle;
using detail::hdf5_detail;
using detail::kFiletype;
using detail::kFormatVersion;
using detail::QuietHdf5Errors;
using results::Coordinate;
using results::Dataset;
using results::Labels;
using results::Variable;

// ---------------------------------------------------------------------------------------------
// Reading

class Reader {
 public:
  explicit Reader(const fs::path& path) : path_(path), ctx_(path, "cannot read results file") {}

  // The root attributes only.
  std::map<std::string, std::string> attributes() {
    open();
    check_format();
    Dataset dataset;
    read_root_attributes(dataset);
    return dataset.attributes;
  }

  Dataset read() {
    open();
    check_format();
    Dataset dataset;
    read_root_attributes(dataset);
    // Coordinates are the datasets marked as dimension scales, numbered by _Netcdf4Dimid; each
    // variable lists its dimensions by those numbers in _Netcdf4Coordinates (netCDF-4's own
    // attributes). The dimension-scale references (DIMENSION_LIST, for xarray and other readers)
    // are never followed: libhdf5's H5DS functions hang on crafted ones.
    std::map<int, std::string> dimensions;
    std::vector<std::pair<std::string, Handle>> variables;
    for (auto& [name, object] : datasets_in_creation_order()) {
      if (optional_text(object.get(), "CLASS") != "DIMENSION_SCALE") {
        variables.emplace_back(name, std::move(object));
        continue;
      }
      const std::vector<int> id = int_attribute(object.get(), name, "_Netcdf4Dimid", 1, 1);
      if (!dimensions.emplace(id[0], name).second)
        damaged(fmt::format("dimensions '{}' and '{}' have the same _Netcdf4Dimid {}",
                            dimensions.at(id[0]), name, id[0]));
      dataset.add_coordinate(read_coordinate(name, object.get()));
    }
    for (const auto& [name, object] : variables)
      read_variable(dataset, dimensions, name, object.get());
    return dataset;
  }

 private:
  [[noreturn]] void not_results(std::string_view why) const {
    H5Eclear2(H5E_DEFAULT);
    throw FileFormatError(
        fmt::format("{}: not a healthcast results file ({})", path_.string(), why));
  }

  [[noreturn]] void damaged(std::string_view why) const {
    H5Eclear2(H5E_DEFAULT);
    throw FileFormatError(
        fmt::format("{}: damaged or not a healthcast results file ({})", path_.string(), why));
  }

  // An integer attribute of `min_count` to `max_count` values (a scalar counts as one).
  std::vector<int> int_attribute(hid_t object, const std::string& object_name, const char* name,
                                 hssize_t min_count, hssize_t max_count) const {
    const std::string what = fmt::format("'{}' has no integer attribute {} of {} to {} values",
                                         object_name, name, min_count, max_count);
    if (H5Aexists(object, name) <= 0) damaged(what);
    Handle attribute = ctx_.own(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, what);
    Handle space = ctx_.own(H5Aget_space(attribute.get()), H5Sclose, what);
    Handle type = ctx_.own(H5Aget_type(attribute.get()), H5Tclose, what);
    const hssize_t count = H5Sget_simple_extent_npoints(space.get());
    if (H5Tget_class(type.get()) != H5T_INTEGER || count < min_count || count > max_count)
      damaged(what);
    std::vector<int> values(static_cast<std::size_t>(count));
    ctx_.check(H5Aread(attribute.get(), H5T_NATIVE_INT, values.data()), what);
    return values;
  }

  void open() {
    detail::verify_results_file(path_, size_);
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
      if (size == 0 || size > size_)
        damaged(fmt::format("attribute '{}' claims {} bytes", name, size));
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

  // The units as healthcast wrote them: the words of units_label, else the CF units.
  std::string units_of(hid_t object) const {
    std::string label = optional_text(object, std::string(detail::kUnitsLabel).c_str());
    return label.empty() ? optional_text(object, "units") : label;
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
    if (info.nlinks > size_ / 8)
      damaged(fmt::format("the root group claims {} links", info.nlinks));
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

  // A damaged or crafted file may claim far more values than its bytes can hold (gzip packs at
  // most about 1032 to 1): refuse before allocating.
  void check_claim(const std::string& name, const std::vector<hsize_t>& shape,
                   std::size_t bytes_per_value) const {
    const double limit = 1100.0 * static_cast<double>(size_) + double(1 << 20);
    double bytes = static_cast<double>(bytes_per_value);
    for (const hsize_t n : shape) bytes *= static_cast<double>(n);
    if (bytes > limit)
      throw FileFormatError(
          fmt::format("{}: damaged or not a healthcast results file ('{}' claims {:.3g} bytes "
                      "of values, more than a file of {} bytes can hold)",
                      path_.string(), name, bytes, size_));
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
    check_claim(name, dims, sizeof(double));
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
    coordinate.units = units_of(dataset);
    return coordinate;
  }

  void read_variable(Dataset& dataset, const std::map<int, std::string>& dimensions,
                     const std::string& name, hid_t object) const {
    const std::string what = fmt::format("cannot read variable '{}'", name);
    const std::vector<hsize_t> shape = shape_of(object, name);
    check_claim(name, shape, sizeof(double));
    std::vector<std::string> dims;
    if (!shape.empty()) {
      const auto rank = static_cast<hssize_t>(shape.size());
      for (const int id : int_attribute(object, name, "_Netcdf4Coordinates", rank, rank)) {
        const auto dim = dimensions.find(id);
        if (dim == dimensions.end())
          damaged(fmt::format("variable '{}' names dimension number {}, which the file lacks", name,
                              id));
        dims.push_back(dim->second);
      }
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

    Variable& variable =
        dataset.add_variable(name, dims, units_of(object), optional_text(object, "long_name"));
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
  std::uint64_t size_ = 0;  // bytes, bounds what a variable may claim to hold
  Context ctx_;
  Handle file_;
};

}  // namespace

namespace detail {

void write_results_in_process(const Dataset& dataset, const fs::path& path,
                              const fs::path& temporary) {
  QuietHdf5Errors quiet;
  try {
    {
      Writer writer(path, temporary);
      writer.write(dataset);
      writer.close();
    }
    move_into_place(temporary, path);
  } catch (...) {
    // The writer's handles are closed by now (stack unwinding); drop the partial file.
    remove_temporary(temporary);
    throw;
  }
}

namespace {

// Reads with `read`, every failure becoming FileFormatError naming the file.
template <class Read>
auto reading(const fs::path& path, Read&& read) {
  QuietHdf5Errors quiet;
  try {
    return read(Reader(path));
  } catch (const FileFormatError&) {
    throw;
  } catch (const Error& error) {
    // Inconsistent content (an unknown dimension, a repeated name) means a damaged file.
    const std::string message = error.what();
    if (message.starts_with(path.string() + ":")) throw FileFormatError(message);
    throw FileFormatError(fmt::format("{}: {}", path.string(), message));
  }
}

}  // namespace

Dataset read_results_in_process(const fs::path& path) {
  return reading(path, [](Reader&& reader) { return reader.read(); });
}

std::map<std::string, std::string> read_results_attributes_in_process(const fs::path& path) {
  return reading(path, [](Reader&& reader) { return reader.attributes(); });
}

}  // namespace detail

}  // namespace healthcast::io
