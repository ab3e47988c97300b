// libFuzzer target: a results file's bytes through the results reader (the checksum check,
// then libhdf5). A damaged file may only end in FileFormatError.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "healthcast/error.h"
#include "healthcast/io/results_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("healthcast-fuzz-results-" + std::to_string(::getpid()) + ".h5");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    static_cast<void>(healthcast::io::read_results(path));
  } catch (const healthcast::FileFormatError&) {
  }
  return 0;
}
