// libFuzzer target: a results file's bytes, sealed, through the results reader. fuzz_results
// reads in this process (the header check, then libhdf5), where libhdf5 may crash or hang on a
// crafted file: `./hc fuzz` runs it in libFuzzer's fork mode and keeps going.
// fuzz_results_sandboxed (HEALTHCAST_FUZZ_SANDBOXED) is the reader programs use, which reads in a
// child process: every input that stopped fuzz_results must end in FileFormatError there.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "healthcast/error.h"
#include "healthcast/io/results_file.h"
#include "results_hdf5.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("healthcast-fuzz-results-" + std::to_string(::getpid()) + ".h5");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  // Sealed first (a correct CRC-32 in the header), as someone crafting a file would: every input
  // then reaches libhdf5. Inputs without HDF5's signature after the 512-byte header are refused.
  try {
    healthcast::io::seal_results_file(path);
  } catch (const healthcast::Error&) {
    return 0;
  }
  try {
#ifdef HEALTHCAST_FUZZ_SANDBOXED
    static_cast<void>(healthcast::io::read_results(path));
#else
    static_cast<void>(healthcast::io::detail::read_results_in_process(path));
#endif
  } catch (const healthcast::FileFormatError&) {
  }
  return 0;
}
