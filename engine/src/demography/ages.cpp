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

bool parse_sex(std::string_view text, Sex& sex) {
  for (Sex s : {Sex::female, Sex::male, Sex::total}) {
    if (text == to_string(s)) {
      sex = s;
      return true;
    }
  }
  return false;
}

}  // namespace healthcast::demography
