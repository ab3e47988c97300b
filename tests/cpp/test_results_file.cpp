// Results files (docs/results-format.md): round trip, atomic writing, format checks.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#include "example_results.h"
#include "scratch_folder.h"

#include "healthcast/error.h"
#include "healthcast/io/results_file.h"
#include "healthcast/results/dataset.h"
#include "healthcast/version.h"

namespace fs = std::filesystem;
using healthcast::Error;
using healthcast::FileFormatError;
using healthcast::io::read_results;
using healthcast::io::seal_results_file;
using healthcast::io::write_results;
using healthcast::results::Coordinate;
using healthcast::results::Dataset;
using healthcast::results::Variable;
using healthcast::testing::example_dataset;

namespace {

class ResultsFile : public healthcast::testing::ScratchFolderTest {};

void expect_same(const Dataset& expected, const Dataset& actual) {
  ASSERT_EQ(actual.coordinates().size(), expected.coordinates().size());
  for (std::size_t i = 0; i < expected.coordinates().size(); ++i) {
    const Coordinate& e = expected.coordinates()[i];
    const Coordinate& a = actual.coordinates()[i];
    EXPECT_EQ(a.name, e.name);
    EXPECT_EQ(a.values, e.values) << "coordinate " << e.name;
    EXPECT_EQ(a.long_name, e.long_name) << "coordinate " << e.name;
    EXPECT_EQ(a.units, e.units) << "coordinate " << e.name;
  }
  ASSERT_EQ(actual.variables().size(), expected.variables().size());
  for (std::size_t i = 0; i < expected.variables().size(); ++i) {
    const Variable& e = expected.variables()[i];
    const Variable& a = actual.variables()[i];
    EXPECT_EQ(a.name, e.name);
    EXPECT_EQ(a.dims, e.dims) << "variable " << e.name;
    EXPECT_EQ(a.shape, e.shape) << "variable " << e.name;
    EXPECT_EQ(a.values, e.values) << "variable " << e.name;  // stored exactly as float64
    EXPECT_EQ(a.units, e.units) << "variable " << e.name;
    EXPECT_EQ(a.long_name, e.long_name) << "variable " << e.name;
  }
  for (const auto& [name, value] : expected.attributes) {
    ASSERT_EQ(actual.attributes.count(name), 1u) << "attribute " << name;
    EXPECT_EQ(actual.attributes.at(name), value) << "attribute " << name;
  }
}

TEST_F(ResultsFile, RoundTripKeepsCoordinatesVariablesAndAttributes) {
  const Dataset written = example_dataset();
  const fs::path file = dir_ / "run.h5";
  write_results(written, file);
  const Dataset read = read_results(file);
  expect_same(written, read);

  EXPECT_EQ(read.variable("population").at({1, 2, 0}),
            written.variable("population").at({1, 2, 0}));
  EXPECT_EQ(read.attributes.at("software_version"), healthcast::software_version());
  EXPECT_EQ(read.attributes.at("git_revision"), healthcast::git_revision());
  const std::string& created = read.attributes.at("creation_time");
  ASSERT_EQ(created.size(), 20u) << created;  // 2026-11-22T21:30:00Z
  EXPECT_EQ(created[10], 'T');
  EXPECT_EQ(created.back(), 'Z');
  EXPECT_EQ(read.attributes.count("filetype"), 0u);
  EXPECT_EQ(read.attributes.count("format_version"), 0u);
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"run.h5"});
}

TEST_F(ResultsFile, LabelsAlongADimensionRoundTrip) {
  Dataset written = example_dataset();
  auto& words = written.add_labels("plan_words", "sex", "the plan's own words");
  words.values = {"人均预期寿命达到79.0岁", "", "smoking below 20%"};
  const fs::path file = dir_ / "labels.h5";
  write_results(written, file);
  const Dataset read = read_results(file);
  ASSERT_TRUE(read.has_labels("plan_words"));
  EXPECT_EQ(read.label("plan_words").dim, "sex");
  EXPECT_EQ(read.label("plan_words").values, words.values);
  EXPECT_EQ(read.label("plan_words").long_name, "the plan's own words");
  EXPECT_FALSE(read.has_variable("plan_words"));
}

TEST_F(ResultsFile, ZeroSizeDimensionsAndScalarVariables) {
  Dataset written;
  written.add_coordinate({"year", std::vector<int>{2030}, "", ""});
  written.add_coordinate({"district", std::vector<std::string>{}, "district", ""});
  written.add_coordinate({"age", std::vector<int>{}, "", "years"});
  written.add_variable("beds", {"year", "district"}, "beds", "hospital beds");
  written.add_variable("cases", {"district", "age"}, "", "");
  written.add_variable("total_cost", {}, "CNY", "total cost").values = {1.5e9};
  const fs::path file = dir_ / "empty.h5";
  write_results(written, file);
  expect_same(written, read_results(file));
}

TEST_F(ResultsFile, CreatesMissingParentDirectories) {
  const fs::path file = dir_ / "a" / "b" / "c" / "run.h5";
  write_results(example_dataset(), file);
  EXPECT_TRUE(fs::is_regular_file(file));
  EXPECT_EQ(entries(file.parent_path()), std::vector<std::string>{"run.h5"});
}

TEST_F(ResultsFile, ReplacesAnExistingFile) {
  const fs::path file = dir_ / "run.h5";
  { std::ofstream(file) << "old contents"; }
  Dataset second = example_dataset();
  second.attributes["scenario_name"] = "second";
  write_results(second, file);
  EXPECT_EQ(read_results(file).attributes.at("scenario_name"), "second");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"run.h5"});
}

TEST_F(ResultsFile, FailedWriteLeavesNoFileBehind) {
  const fs::path file = dir_ / "run.h5";

  // A variable over a dimension the dataset lacks (only possible by bypassing add_variable).
  Dataset unknown_dim = example_dataset();
  unknown_dim.variables().push_back(
      Variable{"deaths", {"year", "region"}, {2, 4}, std::vector<double>(8, 0.0), "persons", ""});
  try {
    write_results(unknown_dim, file);
    ADD_FAILURE() << "write_results accepted an unknown dimension";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("region"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(file));
  EXPECT_TRUE(entries(dir_).empty());

  // A name HDF5 itself refuses (a path into a missing group): fails inside the library.
  Dataset bad_name = example_dataset();
  bad_name.add_variable("no/such/group", {"year"}, "", "");
  try {
    write_results(bad_name, file);
    ADD_FAILURE() << "write_results accepted the name 'no/such/group'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no/such/group"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(file));
  EXPECT_TRUE(entries(dir_).empty());

  // The format's own attributes cannot be overridden.
  Dataset reserved = example_dataset();
  reserved.attributes["filetype"] = "something else";
  EXPECT_THROW(write_results(reserved, file), Error);
  EXPECT_FALSE(fs::exists(file));
  EXPECT_TRUE(entries(dir_).empty());
}

TEST_F(ResultsFile, FailedRenameLeavesNoTemporaryFile) {
  const fs::path target = dir_ / "run.h5";
  fs::create_directory(target);  // the final rename over a directory fails
  EXPECT_THROW(write_results(example_dataset(), target), Error);
  EXPECT_TRUE(fs::is_directory(target));
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"run.h5"});
}

TEST_F(ResultsFile, FailedWriteKeepsThePreviousFile) {
  const fs::path file = dir_ / "run.h5";
  write_results(example_dataset(), file);
  Dataset broken = example_dataset();
  broken.variables().push_back(Variable{"deaths", {"region"}, {4}, std::vector<double>(4), "", ""});
  EXPECT_THROW(write_results(broken, file), Error);
  expect_same(example_dataset(), read_results(file));
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"run.h5"});
}

TEST_F(ResultsFile, RejectsMissingAndNonHdf5Files) {
  EXPECT_THROW(read_results(dir_ / "missing.h5"), FileFormatError);

  const fs::path text = dir_ / "notes.h5";
  { std::ofstream(text) << "year,population\n2020,1000\n"; }
  try {
    read_results(text);
    ADD_FAILURE() << "read_results accepted a text file";
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find(text.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a healthcast results file"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(read_results(dir_), FileFormatError);
}

// Minimal HDF5 helpers for forging and inspecting files in the tests below.
std::string string_attribute(hid_t object, const char* name) {
  const hid_t attr = H5Aopen(object, name, H5P_DEFAULT);
  const hid_t type = H5Aget_type(attr);
  std::string value;
  if (H5Tis_variable_str(type) > 0) {
    char* text = nullptr;
    H5Aread(attr, type, &text);
    value = text;
    H5free_memory(text);
  }
  H5Tclose(type);
  H5Aclose(attr);
  return value;
}

void write_int_pair(hid_t object, const char* name, int major, int minor) {
  if (H5Aexists(object, name) > 0) H5Adelete(object, name);
  const hsize_t two = 2;
  const hid_t space = H5Screate_simple(1, &two, nullptr);
  const hid_t attr = H5Acreate2(object, name, H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT);
  const int values[2] = {major, minor};
  H5Awrite(attr, H5T_NATIVE_INT, values);
  H5Aclose(attr);
  H5Sclose(space);
}

TEST_F(ResultsFile, StoresFiletypeAndFormatVersion) {
  const fs::path file = dir_ / "run.h5";
  write_results(example_dataset(), file);
  const hid_t h5 = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(h5, 0);
  EXPECT_EQ(string_attribute(h5, "filetype"), healthcast::RESULTS_FILETYPE);
  const hid_t attr = H5Aopen(h5, "format_version", H5P_DEFAULT);
  const hid_t space = H5Aget_space(attr);
  EXPECT_EQ(H5Sget_simple_extent_npoints(space), 2);
  int version[2] = {-1, -1};
  H5Aread(attr, H5T_NATIVE_INT, version);
  EXPECT_EQ(version[0], healthcast::RESULTS_FORMAT_VERSION[0]);
  EXPECT_EQ(version[1], healthcast::RESULTS_FORMAT_VERSION[1]);
  H5Sclose(space);
  H5Aclose(attr);

  // Small variables are contiguous, large ones chunked one year at a time and compressed.
  const hid_t population = H5Dopen2(h5, "population", H5P_DEFAULT);
  const hid_t small = H5Dget_create_plist(population);
  EXPECT_EQ(H5Pget_layout(small), H5D_CONTIGUOUS);
  const hid_t incidence = H5Dopen2(h5, "incidence", H5P_DEFAULT);
  const hid_t large = H5Dget_create_plist(incidence);
  ASSERT_EQ(H5Pget_layout(large), H5D_CHUNKED);
  hsize_t chunk[2] = {0, 0};
  EXPECT_EQ(H5Pget_chunk(large, 2, chunk), 2);
  EXPECT_EQ(chunk[0], 1u);
  EXPECT_EQ(chunk[1], 700u);
  EXPECT_EQ(H5Pget_nfilters(large), 2);
  H5Pclose(large);
  H5Pclose(small);
  H5Dclose(incidence);
  H5Dclose(population);
  H5Fclose(h5);
}

TEST_F(ResultsFile, RejectsPlainHdf5AndOtherFiletypes) {
  const fs::path plain = dir_ / "plain.h5";
  H5Fclose(H5Fcreate(plain.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  try {
    read_results(plain);
    ADD_FAILURE() << "read_results accepted a plain HDF5 file";
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("damaged or not a healthcast results file"),
              std::string::npos)
        << e.what();
  }
  // Sealed, it gets as far as the filetype check.
  const fs::path sealed = dir_ / "sealed.h5";
  const hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  H5Pset_userblock(fcpl, 512);
  H5Fclose(H5Fcreate(sealed.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT));
  H5Pclose(fcpl);
  seal_results_file(sealed);
  try {
    read_results(sealed);
    ADD_FAILURE() << "read_results accepted a file without filetype";
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("filetype"), std::string::npos) << e.what();
  }

  const fs::path other = dir_ / "other.h5";
  write_results(example_dataset(), other);
  const hid_t h5 = H5Fopen(other.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  H5Adelete(h5, "filetype");
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attr = H5Acreate2(h5, "filetype", type, space, H5P_DEFAULT, H5P_DEFAULT);
  const char* text = "someone-elses-results";
  H5Awrite(attr, type, &text);
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  H5Fclose(h5);
  seal_results_file(other);  // edited in place: a new checksum
  try {
    read_results(other);
    ADD_FAILURE() << "read_results accepted another filetype";
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("someone-elses-results"), std::string::npos) << e.what();
  }
}

TEST_F(ResultsFile, ChecksTheMajorVersionOnly) {
  const fs::path file = dir_ / "run.h5";
  const int major = healthcast::RESULTS_FORMAT_VERSION[0];

  write_results(example_dataset(), file);
  hid_t h5 = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  write_int_pair(h5, "format_version", major, 7);  // a later minor version: still readable
  H5Fclose(h5);
  seal_results_file(file);  // edited in place: a new checksum
  EXPECT_NO_THROW(read_results(file));

  h5 = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  write_int_pair(h5, "format_version", major + 1, 0);
  H5Fclose(h5);
  seal_results_file(file);  // edited in place: a new checksum
  try {
    read_results(file);
    ADD_FAILURE() << "read_results accepted another major version";
  } catch (const FileFormatError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(fmt::format("{}.0", major + 1)), std::string::npos) << message;
    EXPECT_NE(message.find(fmt::format("{}.x", major)), std::string::npos) << message;
  }
}

// Issue 18: a temporary name that could be guessed (<out>.tmp-<pid>) was opened through a symlink
// planted there, overwriting the link's target.
TEST_F(ResultsFile, TheTemporaryFileIsNotTheOldPredictableName) {
  const fs::path victim = dir_ / "victim.txt";
  { std::ofstream(victim) << "keep me"; }
  const fs::path file = dir_ / "run.h5";
  fs::create_symlink(victim, fs::path(file.string() + fmt::format(".tmp-{}", ::getpid())));
  write_results(example_dataset(), file);
  std::ifstream in(victim);
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "keep me");
  expect_same(example_dataset(), read_results(file));
}

// Issue 18: one flipped bit crashed or hung libhdf5 (double free in H5DSis_scale, SIGSEGV in
// H5HG_read, a hang in H5DSget_num_scales). Every byte position tried is refused cleanly.
TEST_F(ResultsFile, AnyFlippedByteIsRefusedAsDamaged) {
  const fs::path file = dir_ / "run.h5";
  write_results(example_dataset(), file);
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const fs::path bad = dir_ / "bad.h5";
  for (std::size_t offset = 0; offset < bytes.size(); offset += 97) {
    std::string copy = bytes;
    copy[offset] = static_cast<char>(copy[offset] ^ 0x04);
    { std::ofstream(bad, std::ios::binary) << copy; }
    try {
      read_results(bad);
      ADD_FAILURE() << "a flipped byte at " << offset << " was not noticed";
    } catch (const FileFormatError& e) {
      EXPECT_NE(std::string(e.what()).find("damaged or not a healthcast results file"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST_F(ResultsFile, ATruncatedOrExtendedFileIsRefused) {
  const fs::path file = dir_ / "run.h5";
  write_results(example_dataset(), file);
  const auto size = fs::file_size(file);
  fs::resize_file(file, size - 1);
  EXPECT_THROW(read_results(file), FileFormatError);
  fs::resize_file(file, size + 10);
  EXPECT_THROW(read_results(file), FileFormatError);
}

TEST_F(ResultsFile, WrittenWithChecksummedMetadata) {
  const fs::path file = dir_ / "run.h5";
  write_results(example_dataset(), file);
  const hid_t h5 = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(h5, 0);
  const hid_t fapl = H5Fget_access_plist(h5);
  H5F_libver_t low = H5F_LIBVER_EARLIEST, high = H5F_LIBVER_EARLIEST;
  H5Pget_libver_bounds(fapl, &low, &high);
  const hid_t fcpl = H5Fget_create_plist(h5);
  unsigned superblock = 0, freelist = 0, stab = 0, shhdr = 0;
  H5Pget_version(fcpl, &superblock, &freelist, &stab, &shhdr);
  EXPECT_GE(superblock, 2u);  // version 2 onwards carries a checksum
  hsize_t userblock = 0;
  H5Pget_userblock(fcpl, &userblock);
  EXPECT_EQ(userblock, 512u);
  H5Pclose(fcpl);
  H5Pclose(fapl);
  H5Fclose(h5);
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Issue 18: a crafted file, not a damaged one: its checksum is right (sealed after the change),
// but the first object of its global heap (the text of the filetype attribute) claims 2^40
// bytes. libhdf5 copies that many bytes and crashes (SIGSEGV) in H5HG_read; the reader's child
// process takes the crash and the file is refused. Before the child process, this test died.
TEST_F(ResultsFile, ACraftedFileThatCrashesLibhdf5IsRefused) {
  const fs::path file = dir_ / "crafted.h5";
  write_results(example_dataset(), file);
  std::string bytes = file_bytes(file);
  const std::size_t heap = bytes.find("GCOL");
  ASSERT_NE(heap, std::string::npos);
  // Collection header: "GCOL", version, 3 reserved, 8-byte size; then object 1: index (2),
  // reference count (2), reserved (4), 8-byte size, data.
  ASSERT_EQ(bytes.substr(heap + 32, 18), "healthcast-results");
  const std::uint64_t huge = std::uint64_t{1} << 40;
  std::memcpy(bytes.data() + heap + 24, &huge, sizeof huge);
  { std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes; }
  seal_results_file(file);
  try {
    read_results(file);
    ADD_FAILURE() << "the crafted file was read";
  } catch (const FileFormatError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(file.string() + ": damaged or not a healthcast results file"),
              std::string::npos)
        << message;
  }
}

// Issue 18: a crafted file on which libhdf5 never returns. The last object of the global heap
// claims 24 bytes more than it holds, so that libhdf5 reads the next object header inside the
// zeros of the heap's free space: an object of size 0 that it steps over for ever (found by
// changing bytes of a sealed file; the old reader hung in `info`). The child's time limit
// ends it.
TEST_F(ResultsFile, ACraftedFileThatHangsLibhdf5IsRefusedWithinTheLimit) {
  const fs::path file = dir_ / "crafted.h5";
  write_results(example_dataset(), file);
  std::string bytes = file_bytes(file);
  const std::size_t heap = bytes.find("GCOL");
  ASSERT_NE(heap, std::string::npos);
  auto u64_at = [&](std::size_t at) {
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data() + at, sizeof n);
    return n;
  };
  // Objects: index (2 bytes), reference count (2), reserved (4), size (8), data padded to 8.
  std::size_t at = heap + 16, last = 0;
  while (bytes[at] != 0 || bytes[at + 1] != 0) {
    last = at;
    at += 16 + (u64_at(at + 8) + 7) / 8 * 8;
  }
  ASSERT_GT(last, 0u);
  ASSERT_GE(u64_at(at + 8), 64u);  // the free space the header will be read from
  const std::uint64_t longer = (u64_at(last + 8) + 7) / 8 * 8 + 24;
  std::memcpy(bytes.data() + last + 8, &longer, sizeof longer);
  { std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes; }
  seal_results_file(file);
  const auto start = std::chrono::steady_clock::now();
  try {
    read_results(file);
    ADD_FAILURE() << "the crafted file was read";
  } catch (const FileFormatError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("damaged or not a healthcast results file (libhdf5 "), std::string::npos)
        << message;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

// The reader takes each variable's dimensions from _Netcdf4Coordinates and never follows the
// dimension-scale references (libhdf5's H5DS functions hang on crafted ones): a file whose
// scales are detached still reads with the right dimensions; one without the attribute is
// refused. (The reader before this read the scales and refused the first file.)
TEST_F(ResultsFile, DimensionsComeFromNetcdfCoordinatesNotTheScales) {
  const fs::path file = dir_ / "run.h5";
  write_results(example_dataset(), file);
  hid_t h5 = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t population = H5Dopen2(h5, "population", H5P_DEFAULT);
  hid_t year = H5Dopen2(h5, "year", H5P_DEFAULT);
  EXPECT_GE(H5DSdetach_scale(population, year, 0), 0);
  H5Dclose(year);
  H5Dclose(population);
  H5Fclose(h5);
  seal_results_file(file);
  expect_same(example_dataset(), read_results(file));

  h5 = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  population = H5Dopen2(h5, "population", H5P_DEFAULT);
  H5Adelete(population, "_Netcdf4Coordinates");
  H5Dclose(population);
  H5Fclose(h5);
  seal_results_file(file);
  try {
    read_results(file);
    ADD_FAILURE() << "a variable without _Netcdf4Coordinates was read";
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("'population' has no integer attribute "
                                         "_Netcdf4Coordinates"),
              std::string::npos)
        << e.what();
  }
}

// Sealing writes the header into the 512-byte userblock; a file without one (written by
// another program, or by healthcast before format 2.0) is refused rather than overwritten.
TEST_F(ResultsFile, SealingAFileWithoutAUserblockIsRefused) {
  const fs::path plain = dir_ / "plain.h5";
  H5Fclose(H5Fcreate(plain.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  const std::string before = file_bytes(plain);
  EXPECT_THROW(seal_results_file(plain), Error);
  EXPECT_EQ(file_bytes(plain), before);
}

}  // namespace
