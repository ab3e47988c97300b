// The age and sex grid of the projection: single years 0..AGE_MAX, AGE_MAX an open group.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace healthcast::demography {

inline constexpr int AGE_MAX = 100;  // the open group 100+
inline constexpr std::size_t N_AGES = AGE_MAX + 1;

// Female and male are projected; total is both sexes combined (a result, never a state).
enum class Sex { female, male, total };
inline constexpr std::array<Sex, 2> SEXES = {Sex::female, Sex::male};
inline constexpr std::size_t N_SEXES = 2;

using AgeArray = std::array<double, N_AGES>;
using SexAgeArray = std::array<AgeArray, N_SEXES>;  // indexed [female, male][age]

std::string_view to_string(Sex sex);
// Parses "female", "male" or "total"; returns false on anything else.
bool parse_sex(std::string_view text, Sex& sex);

}  // namespace healthcast::demography
