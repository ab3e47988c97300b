#include "healthcast/demography/ages.h"

namespace healthcast::demography {

std::string_view to_string(Sex sex) {
  switch (sex) {
    case Sex::female:
      return "female";
    case Sex::male:
      return "male";
    case Sex::total:
      return "total";
  }
  return "?";
}

std::string_view sex_name(std::size_t index) { return to_string(SEXES_AND_TOTAL.at(index)); }

bool parse_sex(std::string_view text, Sex& sex) {
  for (Sex s : SEXES_AND_TOTAL) {
    if (text == to_string(s)) {
      sex = s;
      return true;
    }
  }
  return false;
}

}  // namespace healthcast::demography
