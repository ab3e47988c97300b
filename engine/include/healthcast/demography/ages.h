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

// Position of a sex along [female, male] arrays (SexAgeArray) and along the results' sex
// dimension [female, male, total].
constexpr std::size_t index(Sex sex) { return static_cast<std::size_t>(sex); }
inline constexpr std::size_t TOTAL = index(Sex::total);
inline constexpr std::array<Sex, 3> SEXES_AND_TOTAL = {Sex::female, Sex::male, Sex::total};

std::string_view to_string(Sex sex);
// The name of the sex at a position of the results' sex dimension: female, male, total.
std::string_view sex_name(std::size_t index);
// Parses "female", "male" or "total"; returns false on anything else.
bool parse_sex(std::string_view text, Sex& sex);

}  // namespace healthcast::demography
