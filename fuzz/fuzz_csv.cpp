// libFuzzer target: a CSV input's text through the CSV reader and every cell read as a number
// and as a whole number, as the input readers do.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "healthcast/error.h"
#include "healthcast/input/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto table = healthcast::input::CsvTable::parse(text, "fuzz.csv");
    for (std::size_t r = 0; r < table.rows(); ++r)
      for (const auto& column : table.columns()) {
        try {
          static_cast<void>(table.number(r, column));
        } catch (const healthcast::InputError&) {
        }
        try {
          static_cast<void>(table.integer(r, column));
        } catch (const healthcast::InputError&) {
        }
      }
  } catch (const healthcast::InputError&) {
  }
  return 0;
}
