// libFuzzer target: a health.yaml through the health-model loader. The file is written into a
// scratch folder holding a copy of nothing else, so inputs it names are missing: the loader must
// refuse them with InputError, as it must refuse any bad text.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "healthcast/error.h"
#include "healthcast/health/model.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path folder = [] {
    auto p =
        std::filesystem::temp_directory_path() / ("healthcast-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(p);
    return p;
  }();
  const auto path = folder / "health.yaml";
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    static_cast<void>(healthcast::health::load_health_model(path));
  } catch (const healthcast::InputError&) {
  } catch (const healthcast::FileFormatError&) {
  }
  return 0;
}
