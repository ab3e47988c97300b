#include "healthcast/places/units.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "healthcast/error.h"
#include "healthcast/input/csv.h"

namespace healthcast::places {

namespace {

using demography::AGE_MAX;

constexpr std::array<const char*, N_GROUPS> GROUP_LABELS = {
    "0",     "1-4",   "5-9",   "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44",
    "45-49", "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85+"};

bool is_code(std::string_view s) {
  return s.size() == 6 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string code_field(const input::CsvTable& csv, std::size_t row, std::string_view column,
                       bool may_be_empty = false) {
  const auto& s = csv.text(row, column);
  if (may_be_empty && s.empty()) return s;
  if (!is_code(s))
    throw InputError(csv.location(row, column), std::string(column),
                     fmt::format("'{}' is not a 6-digit code", s));
  return s;
}

Level level_field(const input::CsvTable& csv, std::size_t row) {
  const auto& s = csv.text(row, "level");
  for (Level l : {Level::nation, Level::province, Level::prefecture, Level::county})
    if (s == to_string(l)) return l;
  throw InputError(
      csv.location(row, "level"), "level",
      fmt::format("'{}' is not allowed; use nation, province, prefecture or county", s));
}

std::optional<double> optional_number(const input::CsvTable& csv, std::size_t row,
                                      std::string_view column, double low, double high) {
  if (csv.text(row, column).empty()) return std::nullopt;
  const double v = csv.number(row, column);
  if (v < low || v > high)
    throw InputError(csv.location(row, column), std::string(column),
                     fmt::format("{} is outside the allowed range {} to {}", v, low, high));
  return v;
}

bool flag_field(const input::CsvTable& csv, std::size_t row, std::string_view column) {
  const int v = csv.integer(row, column);
  if (v != 0 && v != 1)
    throw InputError(csv.location(row, column), std::string(column),
                     fmt::format("{} is not allowed; use 0 or 1", v));
  return v == 1;
}

std::map<std::string, SexGroups, std::less<>> read_census(const std::filesystem::path& path) {
  const auto csv = input::CsvTable::read(path);
  csv.require_columns({"code", "sex"});
  for (const char* g : GROUP_LABELS) csv.require_columns({g});
  std::map<std::string, SexGroups, std::less<>> out;
  std::map<std::string, std::array<bool, 2>> seen;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const auto code = code_field(csv, r, "code");
    const auto& sex = csv.text(r, "sex");
    if (sex != "female" && sex != "male")
      throw InputError(csv.location(r, "sex"), "sex",
                       fmt::format("'{}' is not allowed; use female or male", sex));
    const std::size_t s = sex == "female" ? 0 : 1;
    if (seen[code][s])
      throw InputError(csv.location(r, "code"), "code",
                       fmt::format("{} {} appears twice", code, sex));
    seen[code][s] = true;
    auto& groups = out[code][s];
    for (std::size_t g = 0; g < N_GROUPS; ++g) {
      const double v = csv.number(r, GROUP_LABELS[g]);
      if (v < 0 || v != std::floor(v))
        throw InputError(csv.location(r, GROUP_LABELS[g]), GROUP_LABELS[g],
                         fmt::format("{} is not a count of persons (a whole number >= 0)", v));
      groups[g] = v;
    }
  }
  for (const auto& [code, both] : seen)
    if (!both[0] || !both[1])
      throw InputError({csv.source(), 0, 0}, "sex",
                       fmt::format("unit {} has no {} row", code, both[0] ? "male" : "female"));
  return out;
}

}  // namespace

std::string_view to_string(Level level) {
  switch (level) {
    case Level::nation:
      return "nation";
    case Level::province:
      return "province";
    case Level::prefecture:
      return "prefecture";
    case Level::county:
      return "county";
  }
  return "?";
}

double total(const SexGroups& g) {
  double t = 0;
  for (const auto& s : g)
    for (double v : s) t += v;
  return t;
}

const Unit* UnitsData::find(std::string_view code) const {
  auto it = std::lower_bound(units.begin(), units.end(), code,
                             [](const Unit& u, std::string_view c) { return u.code < c; });
  return it != units.end() && it->code == code ? &*it : nullptr;
}

const Unit& UnitsData::at(std::string_view code) const {
  if (const Unit* u = find(code)) return *u;
  std::string hint;
  if (!code.empty() &&
      std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    const auto similar = search(code.substr(0, std::min<std::size_t>(code.size(), 4)));
    for (std::size_t i = 0; i < similar.size() && i < 5; ++i)
      hint += fmt::format("{}{} {}", i ? ", " : "; units with that prefix: ", similar[i]->code,
                          similar[i]->name_zh);
  }
  throw InputError({(dir / "units.csv").string(), 0, 0}, "unit",
                   fmt::format("'{}' is not a unit code of the 2020 census{}", code, hint));
}

const SexGroups& UnitsData::groups2020(std::string_view code) const {
  auto it = census2020.find(code);
  if (it == census2020.end())
    throw InputError({(dir / "census2020.csv").string(), 0, 0}, "code",
                     fmt::format("unit {} has no age groups", code));
  return it->second;
}

std::vector<const Unit*> UnitsData::search(std::string_view query) const {
  const bool digits = !query.empty() && std::all_of(query.begin(), query.end(),
                                                    [](char c) { return c >= '0' && c <= '9'; });
  std::vector<const Unit*> out;
  for (const auto& u : units)
    if (digits ? std::string_view(u.code).starts_with(query)
               : u.name_zh.find(query) != std::string::npos)
      out.push_back(&u);
  return out;
}

std::vector<const Unit*> UnitsData::children(std::string_view code) const {
  std::vector<const Unit*> out;
  for (const auto& u : units)
    if (u.parent == code) out.push_back(&u);
  return out;
}

std::string UnitsData::province_of(std::string_view code) const {
  const Unit& u = at(code);
  if (u.level == Level::nation) return {};
  return u.code.substr(0, 2) + "0000";
}

namespace {

// units.csv: the units in code order, the nation first, every parent a unit of the file.
void read_unit_table(const std::filesystem::path& file, UnitsData& d) {
  const auto csv = input::CsvTable::read(file);
  csv.require_columns(
      {"code", "name_zh", "level", "parent", "population", "in_2010", "boundary_changed", "ceb"});
  std::vector<SourceLocation> parent_at;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    parent_at.push_back(csv.location(r, "parent"));
    Unit u;
    u.code = code_field(csv, r, "code");
    u.name_zh = csv.text(r, "name_zh");
    u.level = level_field(csv, r);
    u.parent = code_field(csv, r, "parent", u.level == Level::nation);
    u.population = csv.number(r, "population");
    if (u.population < 0)
      throw InputError(csv.location(r, "population"), "population",
                       fmt::format("{} is negative", u.population));
    u.in_2010 = flag_field(csv, r, "in_2010");
    u.boundary_changed = flag_field(csv, r, "boundary_changed");
    u.ceb = optional_number(csv, r, "ceb", 0.0, 15.0);
    if (!d.units.empty() && u.code <= d.units.back().code)
      throw InputError(
          csv.location(r, "code"), "code",
          fmt::format("codes must increase; {} follows {}", u.code, d.units.back().code));
    d.units.push_back(std::move(u));
  }
  if (d.units.empty() || d.units.front().code != NATION_CODE)
    throw InputError({csv.source(), 2, 0}, "code",
                     fmt::format("the first unit must be the nation, {}", NATION_CODE));
  for (std::size_t i = 0; i < d.units.size(); ++i)
    if (!d.units[i].parent.empty() && !d.find(d.units[i].parent))
      throw InputError(parent_at[i], "parent",
                       fmt::format("{} is not the code of a unit in the file", d.units[i].parent));
}

// census2010_units.csv: 2010 codes with their crude birth and death rates and children ever born.
void read_units2010(const std::filesystem::path& file, UnitsData& d) {
  const auto csv = input::CsvTable::read(file);
  csv.require_columns({"code", "name_zh", "level", "parent", "cbr", "cdr", "ceb"});
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    Unit2010 u;
    u.code = code_field(csv, r, "code");
    u.name_zh = csv.text(r, "name_zh");
    u.level = level_field(csv, r);
    u.parent = code_field(csv, r, "parent", u.level == Level::nation);
    u.cbr = optional_number(csv, r, "cbr", 0.0, 100.0);
    u.cdr = optional_number(csv, r, "cdr", 0.0, 100.0);
    u.ceb = optional_number(csv, r, "ceb", 0.0, 15.0);
    if (!d.census2010.contains(u.code))
      throw InputError(csv.location(r, "code"), "code",
                       fmt::format("{} has no age groups in census2010.csv", u.code));
    d.units2010.emplace(u.code, std::move(u));
  }
}

// province_e0.csv: official life expectancy by province, year and sex.
void read_province_e0(const std::filesystem::path& file, UnitsData& d) {
  const auto csv = input::CsvTable::read(file);
  csv.require_columns({"code", "year", "sex", "e0"});
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const auto code = code_field(csv, r, "code");
    const int year = csv.integer(r, "year");
    const double e0 = csv.number(r, "e0");
    if (e0 < 20 || e0 > 100)
      throw InputError(csv.location(r, "e0"), "e0", fmt::format("{} is outside 20..100 years", e0));
    auto& e = d.official_e0[code][year];
    const auto& sex = csv.text(r, "sex");
    if (sex == "female")
      e.female = e0;
    else if (sex == "male")
      e.male = e0;
    else if (sex == "total")
      e.total = e0;
    else
      throw InputError(csv.location(r, "sex"), "sex",
                       fmt::format("'{}' is not allowed; use female, male or total", sex));
  }
}

// national_asfr.csv: national fertility by five-year group, spread to single years.
void read_national_asfr(const std::filesystem::path& file, UnitsData& d) {
  const auto csv = input::CsvTable::read(file);
  csv.require_columns({"year", "age", "asfr"});
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const int year = csv.integer(r, "year");
    const auto& age = csv.text(r, "age");
    int lo = 0, hi = 0;
    if (std::sscanf(age.c_str(), "%d-%d", &lo, &hi) != 2 || lo < 10 || hi > 54 || hi != lo + 4)
      throw InputError(csv.location(r, "age"), "age",
                       fmt::format("'{}' is not a five-year group between 10-14 and 50-54", age));
    const double f = csv.number(r, "asfr");
    if (f < 0 || f > 1)
      throw InputError(csv.location(r, "asfr"), "asfr",
                       fmt::format("{} is outside 0..1 births per woman per year", f));
    auto& a = d.national_asfr.try_emplace(year, demography::AgeArray{}).first->second;
    for (int x = lo; x <= hi; ++x) a[x] = f;
  }
}

}  // namespace

UnitsData read_units(const std::filesystem::path& dir) {
  UnitsData d;
  d.dir = dir;
  if (!std::filesystem::is_directory(dir))
    throw InputError({dir.string(), 0, 0}, "",
                     "the units data folder does not exist (expected units.csv, census2020.csv, "
                     "... as data/tools/build_units.py writes them)");
  read_unit_table(dir / "units.csv", d);
  d.census2020 = read_census(dir / "census2020.csv");
  d.census2010 = read_census(dir / "census2010.csv");
  for (const auto& u : d.units)
    if (!d.census2020.contains(u.code))
      throw InputError({(dir / "census2020.csv").string(), 0, 0}, "code",
                       fmt::format("unit {} of units.csv has no rows", u.code));
  read_units2010(dir / "census2010_units.csv", d);
  read_province_e0(dir / "province_e0.csv", d);
  read_national_asfr(dir / "national_asfr.csv", d);
  return d;
}

}  // namespace healthcast::places
