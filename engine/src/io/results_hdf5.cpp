// The HDF5 plumbing of results files (see results_hdf5.h): every dimension is a 1-D coordinate
// dataset made a dimension scale, every variable a float64 dataset with its scales attached in
// order. The layout is described in docs/results-format.md.
#include "results_hdf5.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <system_error>
#include <utility>
#include <variant>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <hdf5_hl.h>

#include "healthcast/io/results_file.h"
#include "healthcast/version.h"

namespace healthcast::io::detail {

namespace fs = std::filesystem;
using results::Coordinate;
using results::Dataset;
using results::Labels;
using results::Variable;

namespace {

herr_t innermost_error(unsigned, const H5E_error2_t* entry, void* out) {
  // Walking downward, the last entry visited is the innermost (most specific) one.
  if (entry != nullptr && entry->desc != nullptr) *static_cast<std::string*>(out) = entry->desc;
  return 0;
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

// One slice along the leading dimension (a year, for most results) per chunk, split further
// along the following dimensions only when a slice would exceed kMaxChunkElements.
std::vector<hsize_t> chunk_shape(const std::vector<std::size_t>& shape) {
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

}  // namespace

}  // namespace healthcast::io::detail

namespace healthcast::io {

std::string_view cf_units(std::string_view units) {
  // Counts are dimensionless in CF; person-years are time; rates per N are the number 1/N.
  static constexpr std::pair<std::string_view, std::string_view> kWords[] = {
      {"persons", "1"},       {"person-years", "year"},           {"per 1000 live births", "1e-3"},
      {"per 100000", "1e-5"}, {"per 100000 live births", "1e-5"},
  };
  for (const auto& [words, cf] : kWords)
    if (units == words) return cf;
  return units;
}

}  // namespace healthcast::io

namespace healthcast::io::detail {

std::string hdf5_detail() {
  std::string detail;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, innermost_error, &detail);
  H5Eclear2(H5E_DEFAULT);
  // Some messages span lines (a failed write lists its buffer and offsets): keep the first.
  detail = detail.substr(0, detail.find('\n'));
  return detail.empty() ? std::string() : fmt::format(" ({})", detail);
}

void Context::fail(std::string_view what) const {
  throw Error(fmt::format("{}: {}: {}{}", path_, doing_, what, hdf5_detail()));
}

Handle scalar_space(const Context& ctx) {
  return ctx.own(H5Screate(H5S_SCALAR), H5Sclose, "cannot create a dataspace");
}

Handle simple_space(const Context& ctx, const std::vector<hsize_t>& dims) {
  if (dims.empty()) return scalar_space(ctx);
  return ctx.own(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
                 "cannot create a dataspace");
}

// ---------------------------------------------------------------------------------------------
// Writer

void Writer::create_file() {
  Handle fcpl = ctx_.own(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "cannot create a property list");
  // netCDF-4 tracks the creation order of the root group's links and attributes; readers
  // (this one included) list dimensions and variables in the order they were written.
  const unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  ctx_.check(H5Pset_link_creation_order(fcpl.get(), order), "cannot track creation order");
  ctx_.check(H5Pset_attr_creation_order(fcpl.get(), order), "cannot track creation order");
  // Room for healthcast's header (magic and checksum), which HDF5 skips.
  ctx_.check(H5Pset_userblock(fcpl.get(), kUserblockSize), "cannot reserve the header");
  Handle fapl = ctx_.own(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot create a property list");
  ctx_.check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "cannot set the close mode");
  // The 1.8 format onwards: checksums on the superblock and object headers, which libhdf5 checks
  // when reading (h5py, h5netcdf and netCDF-C 4.x read it).
  ctx_.check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST),
             "cannot set the format bounds");
  // Exclusive creation: never through a file or symlink already at the temporary name.
  file_ = ctx_.own(H5Fcreate(temporary_.string().c_str(), H5F_ACC_EXCL, fcpl.get(), fapl.get()),
                   H5Fclose, "cannot create the temporary file " + temporary_.string());
  string_type_ = utf8_string_type(ctx_);
  lcpl_ = utf8_names(ctx_, H5P_LINK_CREATE);
  acpl_ = utf8_names(ctx_, H5P_ATTRIBUTE_CREATE);
}

void Writer::write_header(const Dataset& dataset) {
  write_root_attributes(dataset);
  for (std::size_t i = 0; i < dataset.coordinates().size(); ++i)
    write_coordinate(dataset.coordinates()[i], static_cast<int>(i));
}

void Writer::write_body(const Dataset& dataset) {
  for (const auto& variable : dataset.variables()) write_variable(variable);
  for (const auto& labels : dataset.labels()) write_labels(labels);
}

void Writer::close() {
  scales_.clear();
  string_type_.reset();
  acpl_.reset();
  lcpl_.reset();
  ctx_.check(file_.close(), "cannot close the temporary file " + temporary_.string());
}

void Writer::write_string_attribute(hid_t object, const std::string& name,
                                    const std::string& value) {
  Handle space = scalar_space(ctx_);
  Handle attribute = ctx_.own(
      H5Acreate2(object, name.c_str(), string_type_.get(), space.get(), acpl_.get(), H5P_DEFAULT),
      H5Aclose, fmt::format("cannot create attribute '{}'", name));
  const char* text = value.c_str();
  ctx_.check(H5Awrite(attribute.get(), string_type_.get(), &text),
             fmt::format("cannot write attribute '{}'", name));
}

void Writer::write_int_attribute(hid_t object, const std::string& name,
                                 const std::vector<int>& values, bool scalar) {
  Handle space = scalar ? scalar_space(ctx_) : simple_space(ctx_, {values.size()});
  Handle attribute = ctx_.own(
      H5Acreate2(object, name.c_str(), H5T_STD_I32LE, space.get(), acpl_.get(), H5P_DEFAULT),
      H5Aclose, fmt::format("cannot create attribute '{}'", name));
  ctx_.check(H5Awrite(attribute.get(), H5T_NATIVE_INT, values.data()),
             fmt::format("cannot write attribute '{}'", name));
}

void Writer::write_optional_text(hid_t object, const char* name, const std::string& value) {
  if (!value.empty()) write_string_attribute(object, name, value);
}

void Writer::write_units(hid_t object, const std::string& units) {
  const std::string_view cf = cf_units(units);
  write_optional_text(object, "units", std::string(cf));
  if (cf != units) write_string_attribute(object, std::string(kUnitsLabel), units);
}

void Writer::write_root_attributes(const Dataset& dataset) {
  const hid_t root = file_.get();
  write_string_attribute(root, std::string(kFiletype), std::string(RESULTS_FILETYPE));
  write_string_attribute(root, std::string(kConventions), std::string(RESULTS_CONVENTIONS));
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
    bool provenance = name == kConventions;
    for (auto reserved : kProvenance) provenance = provenance || name == reserved;
    if (provenance) continue;  // always those of the program writing this file
    if (name.empty()) ctx_.fail("an attribute has an empty name");
    write_string_attribute(root, name, value);
  }
}

Handle Writer::create_dataset(const std::string& name, hid_t type, hid_t space, hid_t dcpl,
                              std::string_view kind) {
  if (name.empty()) ctx_.fail(fmt::format("a {} has an empty name", kind));
  return ctx_.own(
      H5Dcreate2(file_.get(), name.c_str(), type, space, lcpl_.get(), dcpl, H5P_DEFAULT), H5Dclose,
      fmt::format("cannot create {} '{}'", kind, name));
}

void Writer::write_coordinate(const Coordinate& coordinate, int dimension_id) {
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
  write_units(dataset.get(), coordinate.units);
  scales_.emplace(name, Scale{std::move(dataset), dimension_id});
}

void Writer::check_shape(const std::string& name, const std::vector<std::string>& dims,
                         const std::vector<std::size_t>& shape) const {
  if (scales_.count(name) != 0)
    ctx_.fail(fmt::format("variable '{}' has the name of a dimension", name));
  if (dims.size() != shape.size())
    ctx_.fail(fmt::format("variable '{}' has {} dimensions but a shape of rank {}", name,
                          dims.size(), shape.size()));
  for (std::size_t k = 0; k < dims.size(); ++k) {
    const std::string& dim = dims[k];
    auto scale = scales_.find(dim);
    if (scale == scales_.end())
      ctx_.fail(
          fmt::format("variable '{}' uses dimension '{}', which the dataset lacks", name, dim));
    hsize_t size = 0;
    Handle space =
        ctx_.own(H5Dget_space(scale->second.dataset.get()), H5Sclose, "cannot read a shape");
    ctx_.check(H5Sget_simple_extent_dims(space.get(), &size, nullptr), "cannot read a shape");
    if (shape[k] != size)
      ctx_.fail(fmt::format("variable '{}' has {} values along '{}', the dimension has {}", name,
                            shape[k], dim, size));
  }
}

void Writer::check_variable(const Variable& variable) const {
  check_shape(variable.name, variable.dims, variable.shape);
  std::size_t total = 1;
  for (const std::size_t size : variable.shape) total *= size;
  if (variable.values.size() != total)
    ctx_.fail(fmt::format("variable '{}' has {} values, its shape needs {}", variable.name,
                          variable.values.size(), total));
}

Handle Writer::variable_creation_list(const std::string& name,
                                      const std::vector<std::size_t>& shape) {
  Handle dcpl = ctx_.own(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "cannot create a property list");
  std::size_t total = 1;
  for (const std::size_t size : shape) total *= size;
  if (total > kCompressAbove && !shape.empty()) {
    const std::vector<hsize_t> chunk = chunk_shape(shape);
    ctx_.check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()),
               fmt::format("cannot set the chunk shape of '{}'", name));
    ctx_.check(H5Pset_shuffle(dcpl.get()), "cannot enable the shuffle filter");
    ctx_.check(H5Pset_deflate(dcpl.get(), kGzipLevel), "cannot enable gzip compression");
  }
  return dcpl;
}

// The dimension scales for xarray, h5py and netCDF-C, and their numbers (_Netcdf4Coordinates,
// as netCDF-C and h5netcdf write it) for healthcast's reader, which never follows the scales'
// object references (libhdf5's H5DS functions hang on crafted ones).
void Writer::attach_dimensions(hid_t dataset, const std::string& name,
                               const std::vector<std::string>& dims) {
  std::vector<int> ids;
  for (std::size_t k = 0; k < dims.size(); ++k) {
    const Scale& scale = scales_.at(dims[k]);
    ctx_.check(H5DSattach_scale(dataset, scale.dataset.get(), static_cast<unsigned>(k)),
               fmt::format("cannot attach dimension '{}' to '{}'", dims[k], name));
    ids.push_back(scale.id);
  }
  if (!ids.empty()) write_int_attribute(dataset, "_Netcdf4Coordinates", ids, false);
}

void Writer::describe_variable(hid_t dataset, const std::string& name,
                               const std::vector<std::string>& dims, const std::string& units,
                               const std::string& long_name) {
  attach_dimensions(dataset, name, dims);
  write_units(dataset, units);
  write_optional_text(dataset, "long_name", long_name);
}

void Writer::write_variable(const Variable& variable) {
  check_variable(variable);
  const std::string& name = variable.name;
  Handle space = simple_space(ctx_, {variable.shape.begin(), variable.shape.end()});
  Handle dcpl = variable_creation_list(name, variable.shape);
  Handle dataset = create_dataset(name, H5T_IEEE_F64LE, space.get(), dcpl.get(), "variable");
  if (!variable.values.empty())
    ctx_.check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                        variable.values.data()),
               fmt::format("cannot write variable '{}'", name));
  describe_variable(dataset.get(), name, variable.dims, variable.units, variable.long_name);
}

Handle Writer::create_unnamed_variable(const std::string& name,
                                       const std::vector<std::size_t>& shape) {
  if (name.empty()) ctx_.fail("a variable has an empty name");
  Handle space = simple_space(ctx_, {shape.begin(), shape.end()});
  Handle dcpl = variable_creation_list(name, shape);
  return ctx_.own(H5Dcreate_anon(file_.get(), H5T_IEEE_F64LE, space.get(), dcpl.get(), H5P_DEFAULT),
                  H5Dclose, fmt::format("cannot create variable '{}'", name));
}

void Writer::name_variable(const Handle& dataset, const std::string& name,
                           const std::vector<std::string>& dims,
                           const std::vector<std::size_t>& shape, const std::string& units,
                           const std::string& long_name) {
  check_shape(name, dims, shape);
  if (H5Lexists(file_.get(), name.c_str(), H5P_DEFAULT) > 0)
    ctx_.fail(fmt::format("variable '{}' is written twice", name));
  ctx_.check(H5Olink(dataset.get(), file_.get(), name.c_str(), lcpl_.get(), H5P_DEFAULT),
             fmt::format("cannot create variable '{}'", name));
  describe_variable(dataset.get(), name, dims, units, long_name);
}

void Writer::write_labels(const Labels& labels) {
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
    ctx_.check(
        H5Dwrite(dataset.get(), string_type_.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
        fmt::format("cannot write labels '{}'", labels.name));
  attach_dimensions(dataset.get(), labels.name, {labels.dim});
  write_optional_text(dataset.get(), "long_name", labels.long_name);
}

// ---------------------------------------------------------------------------------------------
// The atomic step

void create_parent_directory(const fs::path& path) {
  const fs::path parent = path.parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec)
    throw Error(fmt::format("{}: cannot write results file: cannot create directory '{}': {}",
                            path.string(), parent.string(), ec.message()));
}

}  // namespace healthcast::io::detail
