// healthcast units [QUERY] [--data DIR] [--level LEVEL]
// healthcast import population TABLE.csv -o OUT.csv [--national FILE]
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/error.h"
#include "healthcast/places/national_inputs.h"
#include "healthcast/places/population_table.h"
#include "healthcast/places/units.h"

#ifndef HEALTHCAST_DEFAULT_DATA_DIR
#define HEALTHCAST_DEFAULT_DATA_DIR "data"
#endif

namespace healthcast::cli {

namespace {

// The data folder: the environment's HEALTHCAST_DATA_DIR, else the repository's data/ that the
// program was built from.
std::filesystem::path default_data_dir() {
  if (const char* env = std::getenv("HEALTHCAST_DATA_DIR"); env && *env) return env;
  return HEALTHCAST_DEFAULT_DATA_DIR;
}

// --data may name the units folder itself or a data folder holding china/units.
std::filesystem::path units_dir(const std::filesystem::path& given) {
  const auto base = given.empty() ? default_data_dir() : given;
  if (std::filesystem::exists(base / "units.csv")) return base;
  if (std::filesystem::exists(base / "china" / "units" / "units.csv"))
    return base / "china" / "units";
  throw InputError({base.string(), 0, 0}, "",
                   "no census units here (expected units.csv, or china/units/units.csv); give "
                   "the folder with --data DIR or the environment variable HEALTHCAST_DATA_DIR");
}

struct UnitsOptions {
  std::string query;
  std::filesystem::path data;
  std::string level;
};

void list_units(const UnitsOptions& opt) {
  const auto dir = units_dir(opt.data);
  const places::UnitsData units = places::read_units(dir);
  auto found = opt.query.empty() ? std::vector<const places::Unit*>{} : units.search(opt.query);
  if (opt.query.empty())
    for (const auto& u : units.units) found.push_back(&u);
  std::erase_if(found, [&](const places::Unit* u) {
    return !opt.level.empty() && places::to_string(u->level) != opt.level;
  });
  if (found.empty())
    throw InputError({dir.string(), 0, 0}, "",
                     fmt::format("no unit matches '{}'{}; search by a code prefix (e.g. 2101) or "
                                 "part of a Chinese name (e.g. 沈阳)",
                                 opt.query, opt.level.empty() ? "" : " at level " + opt.level));
  fmt::print("{:<8} {:<16} {:<11} {:<8} {:>14}\n", "code", "name", "level", "parent", "population");
  for (const places::Unit* u : found)
    fmt::print("{:<8} {:<16} {:<11} {:<8} {:>14}\n", u->code, u->name_zh,
               places::to_string(u->level), u->parent, fmt::format("{:.0f}", u->population));
  fmt::print(stderr, "{} unit{} (2020 census population, persons; {})\n", found.size(),
             found.size() == 1 ? "" : "s", dir.string());
}

struct ImportOptions {
  std::filesystem::path table;
  std::filesystem::path out;
  std::filesystem::path national;
};

void import_population(const ImportOptions& opt) {
  const auto table = places::read_population_table(opt.table);
  const auto national_path =
      opt.national.empty() ? default_data_dir() / "china" / "population_2020.csv" : opt.national;
  const auto shape = places::read_population(national_path);
  const auto single = places::graduate_table(table, shape);
  // Written beside the target and renamed, so that a failure leaves no half-written file.
  const auto tmp = opt.out.string() + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) throw InputError({opt.out.string(), 0, 0}, "", "cannot write the file");
    out << "sex,age,population\n";
    for (std::size_t s = 0; s < demography::N_SEXES; ++s)
      for (int a = 0; a <= demography::AGE_MAX; ++a)
        out << fmt::format("{},{},{:.10g}\n", demography::to_string(demography::SEXES[s]), a,
                           single[s][a]);
    if (!out) throw InputError({opt.out.string(), 0, 0}, "", "cannot write the file");
  }
  std::filesystem::rename(tmp, opt.out);
  double total[2] = {0, 0};
  for (std::size_t s = 0; s < 2; ++s)
    for (double v : table.counts[s]) total[s] += v;
  fmt::print(
      "{}: {} age groups ({}), {} females and {} males, graduated to single years 0..{}+ "
      "(Sprague; the open group {}+ split by the shape of {}); wrote {}\n",
      opt.table.string(), table.lower.size(), table.encoding, total[0], total[1],
      demography::AGE_MAX, table.lower.back(), national_path.string(), opt.out.string());
}

}  // namespace

void add_units_command(CLI::App& app) {
  auto opt = std::make_shared<UnitsOptions>();
  auto* cmd = app.add_subcommand(
      "units",
      "List China's census units (nation, provinces, prefectures, counties): code, Chinese name, "
      "level, parent and 2020 census population; QUERY is a code prefix (digits) or part of a "
      "Chinese name");
  cmd->add_option("query", opt->query, "Code prefix (e.g. 4102) or part of a name (e.g. 开封)");
  cmd->add_option("--data", opt->data,
                  "Units folder (or a data folder holding china/units); default: "
                  "$HEALTHCAST_DATA_DIR, else " HEALTHCAST_DEFAULT_DATA_DIR);
  cmd->add_option("--level", opt->level, "Only units of this level")
      ->check(CLI::IsMember({"nation", "province", "prefecture", "county"}));
  cmd->callback([opt] { list_units(*opt); });
}

void add_import_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("import", "Turn a planner's own tables into scenario inputs");
  cmd->require_subcommand(1);
  auto opt = std::make_shared<ImportOptions>();
  auto* pop = cmd->add_subcommand(
      "population",
      "A yearbook-style population table (age groups 0, 1-4 or 0-4, 5-9, ..., an open last group "
      "such as 85+; columns 年龄/男/女 or age/male/female; UTF-8 or GBK) to the single-year "
      "sex,age,population file scenarios read");
  pop->add_option("table", opt->table, "CSV table of the population by age group and sex")
      ->required();
  pop->add_option("-o,--output", opt->out, "Single-year population CSV to write")->required();
  pop->add_option("--national", opt->national,
                  "Single-year population whose shape splits the open group; default: "
                  "china/population_2020.csv of the data folder");
  pop->callback([opt] { import_population(*opt); });
}

}  // namespace healthcast::cli
