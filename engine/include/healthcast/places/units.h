// China's census units (the nation, provinces, prefectures, counties) as data: the tables of
// data/china/units/ that data/tools/build_units.py writes (format in data/SOURCES.md, "Census
// units"). Populations are persons at the census moment (1 November 2010 or 2020); crude rates
// are per 1,000 population per year; children ever born are per woman aged 15-64.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "healthcast/demography/ages.h"

namespace healthcast::places {

enum class Level { nation, province, prefecture, county };
std::string_view to_string(Level level);

// The census's age groups: 0, 1-4, 5-9, ..., 80-84 and the open group 85+.
inline constexpr std::size_t N_GROUPS = 19;
inline constexpr std::array<int, N_GROUPS> GROUP_LOWER = {0,  1,  5,  10, 15, 20, 25, 30, 35, 40,
                                                          45, 50, 55, 60, 65, 70, 75, 80, 85};
using Groups = std::array<double, N_GROUPS>;                // persons by group
using SexGroups = std::array<Groups, demography::N_SEXES>;  // [female, male]

// The nation has no administrative code; the tables use this one.
inline constexpr std::string_view NATION_CODE = "000000";

// A unit of the 2020 census (codes of 2020).
struct Unit {
  std::string code;     // 6-digit administrative code
  std::string name_zh;  // Chinese name, UTF-8
  Level level = Level::county;
  std::string parent;             // prefecture, or province for directly administered counties
  double population = 0;          // persons, 2020 census
  bool in_2010 = false;           // the code exists at the same level in the 2010 census
  bool boundary_changed = false;  // in 2010, but its area differs (data/SOURCES.md)
  std::optional<double> ceb;      // children ever born per woman aged 15-64, 2020
};

// What the 2010 census adds for a unit (codes of 2010).
struct Unit2010 {
  std::string code, name_zh;
  Level level = Level::county;
  std::string parent;
  std::optional<double> cbr, cdr;  // births, deaths in the 12 months before the census, per 1,000
  std::optional<double> ceb;       // children ever born per woman aged 15-64
};

// Official life expectancy at birth (years) from the 1990, 2000 and 2010 censuses.
struct OfficialE0 {
  std::optional<double> female, male, total;
};

struct UnitsData {
  std::filesystem::path dir;
  std::vector<Unit> units;  // sorted by code; the nation first
  std::map<std::string, SexGroups, std::less<>> census2020, census2010;
  std::map<std::string, Unit2010, std::less<>> units2010;
  // Provinces (2020 codes) and the nation -> year -> e0.
  std::map<std::string, std::map<int, OfficialE0>, std::less<>> official_e0;
  // National age-specific fertility by calendar year (WPP2024 estimates, 1950-2023): births
  // per woman per year by single age 0..AGE_MAX (zero outside 10-54), constant within the
  // source's five-year groups.
  std::map<int, demography::AgeArray> national_asfr;

  // nullptr when the code is not a 2020 unit.
  const Unit* find(std::string_view code) const;
  // The unit or throws InputError naming the code (and, if any, units whose code starts with it).
  const Unit& at(std::string_view code) const;
  // The 2020 census groups of a unit (every unit has them).
  const SexGroups& groups2020(std::string_view code) const;
  // Units whose code starts with `query` when it is all digits, else whose Chinese name
  // contains it; in code order.
  std::vector<const Unit*> search(std::string_view query) const;
  // Units whose parent is `code`.
  std::vector<const Unit*> children(std::string_view code) const;
  // The province of a unit (itself for a province; empty for the nation).
  std::string province_of(std::string_view code) const;
};

// Reads every table of `dir`. Throws InputError naming the file, line and field of a bad value.
UnitsData read_units(const std::filesystem::path& dir);

// Sum over both sexes and all groups.
double total(const SexGroups& g);

}  // namespace healthcast::places
