// libFuzzer target: a scenario file's text through the YAML reader and the schema checker.
// Bad input may only end in InputError; anything else (a crash, a sanitizer report, another
// exception) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "healthcast/error.h"
#include "healthcast/input/schema.h"
#include "healthcast/input/yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const healthcast::input::YamlReader reader("fuzz.yaml");
  try {
    healthcast::input::check_scenario_schema(reader.parse(text), reader);
  } catch (const healthcast::InputError&) {
  }
  return 0;
}
