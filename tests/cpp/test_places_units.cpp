// places/: the shipped census units (data/china/units) and the inputs derived for them, against
// the published census and official figures.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "healthcast/error.h"
#include "healthcast/places/unit_inputs.h"
#include "healthcast/places/units.h"
#include "scratch_folder.h"

namespace {

using namespace healthcast;
using namespace healthcast::places;
using demography::AGE_MAX;
using demography::Sex;

const std::filesystem::path DATA = std::filesystem::path(HEALTHCAST_SOURCE_DIR) / "data" / "china";

const UnitsData& shipped_units() {
  static const UnitsData units = read_units(DATA / "units");
  return units;
}

const UnitModel& shipped_model() {
  static const UnitModel model(shipped_units(), read_national_inputs(DATA));
  return model;
}

// Published totals (census communiques; the sidecar's examples).
TEST(PlacesUnits, ReadsTheShippedUnitsWithTheirCensusTotals) {
  const auto& u = shipped_units();
  EXPECT_EQ(u.units.size(), 3313u);
  EXPECT_EQ(u.at("000000").population, 1409778724.0);
  for (const auto& [code, pop] :
       std::vector<std::pair<std::string, double>>{{"210100", 9070093},
                                                   {"211100", 1389691},
                                                   {"410200", 4824016},
                                                   {"410212", 672139},
                                                   {"330700", 7050683},
                                                   {"331100", 2507396},
                                                   {"210000", 42591407}}) {
    EXPECT_EQ(u.at(code).population, pop) << code;
    EXPECT_EQ(total(u.groups2020(code)), pop) << code;
  }
  EXPECT_EQ(u.at("210100").name_zh, "沈阳市");
  EXPECT_EQ(u.at("410212").parent, "410200");
  EXPECT_EQ(u.at("419001").parent, "410000");  // 济源, administered by the province
  EXPECT_TRUE(u.at("210100").in_2010);
  EXPECT_FALSE(u.at("410212").in_2010);  // 祥符区 was 开封县 (410224) in 2010
  // Official e0 2010 of Liaoning (female 78.86, male 74.12).
  EXPECT_EQ(*u.official_e0.at("210000").at(2010).female, 78.86);
  EXPECT_EQ(*u.official_e0.at("210000").at(2010).male, 74.12);
}

TEST(PlacesUnits, ProvincesAddUpToTheNationInEveryAgeGroup) {
  const auto& u = shipped_units();
  SexGroups sum{};
  for (const auto& unit : u.units)
    if (unit.level == Level::province)
      for (std::size_t s = 0; s < 2; ++s)
        for (std::size_t g = 0; g < N_GROUPS; ++g) sum[s][g] += u.groups2020(unit.code)[s][g];
  EXPECT_EQ(sum, u.groups2020("000000"));
}

TEST(PlacesUnits, SearchesByCodePrefixAndByChineseName) {
  const auto& u = shipped_units();
  const auto by_name = u.search("沈阳");
  ASSERT_FALSE(by_name.empty());
  EXPECT_EQ(by_name.front()->code, "210100");
  const auto by_code = u.search("4102");
  EXPECT_GT(by_code.size(), 5u);
  for (const Unit* x : by_code) EXPECT_TRUE(x->code.starts_with("4102"));
  EXPECT_TRUE(u.search("no such place").empty());
  EXPECT_THROW(u.at("999999"), InputError);
}

class PlacesUnitsFiles : public healthcast::testing::ScratchFolderTest {};

TEST_F(PlacesUnitsFiles, ABadValueNamesTheFileLineAndField) {
  for (const auto& entry : std::filesystem::directory_iterator(DATA / "units"))
    std::filesystem::copy_file(entry.path(), dir_ / entry.path().filename());
  // Line 4 of units.csv gets an unknown level.
  std::ifstream in(dir_ / "units.csv");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  in.close();
  const auto pos = lines[3].find(",prefecture,");
  ASSERT_NE(pos, std::string::npos);
  lines[3].replace(pos, 12, ",city,");
  std::ofstream out(dir_ / "units.csv");
  for (const auto& l : lines) out << l << "\n";
  out.close();
  try {
    read_units(dir_);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().line, 4);
    EXPECT_EQ(e.field(), "level");
    EXPECT_NE(std::string(e.what()).find("units.csv:4:3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'city'"), std::string::npos) << e.what();
  }
}

TEST(PlacesDerivation, ProvincesReproduceTheirOfficialE0OnTheOfficialScale) {
  // A province's offset added to the nation's official level on the national rates gives back
  // the province's official e0 (the table's values, not the fit's).
  const auto& model = shipped_model();
  const auto m2010 = model.national().mx_at(2010);
  const auto& nation = shipped_units().official_e0.at("000000").at(2010);
  for (const char* code : {"210000", "330000", "410000", "540000"}) {
    const auto in = model.derive(code);
    const auto& official = shipped_units().official_e0.at(code).at(2010);
    const double nat_f =
        fit_level_to_e0(m2010[0], *nation.female, Sex::female, RelationalModel::brass_logit);
    const double e0 =
        life_expectancy(in.mortality.apply(nat_f + in.mortality.offset0[0], m2010[0]), Sex::female);
    EXPECT_NEAR(e0, *official.female, 1e-6) << code;
  }
  // Shanghai's mortality below the nation's in 2010 and still in 2030, Yunnan's above (a
  // positive level is higher mortality).
  const auto sh = model.derive("310000"), yn = model.derive("530000");
  EXPECT_LT(sh.mortality.offset(Sex::male, 2030), 0.0);
  EXPECT_GT(yn.mortality.offset(Sex::male, 2030), 0.0);
  // The offsets converge: smaller in 2050 than in 2010, at the AR(1) pace.
  EXPECT_NEAR(sh.mortality.offset(Sex::male, 2050),
              std::pow(model.ar1().phi, 40) * sh.mortality.offset0[1], 1e-12);
}

TEST(PlacesDerivation, TheNationKeepsTheNationalInputs) {
  const auto in = shipped_model().derive("000000");
  EXPECT_EQ(in.mortality.offset(Sex::female, 2030), 0.0);
  EXPECT_EQ(in.mortality.sd(Sex::male, 2040), 0.0);
  EXPECT_EQ(in.fertility.ratio, 1.0);
  EXPECT_FALSE(in.migration.estimated);
  double sum = 0;
  for (const auto& s : in.population)
    for (double v : s) sum += v;
  // Ten months back at national rates, no migration: a little under the census total (births of
  // 2020 outnumber deaths), within 1%.
  EXPECT_NEAR(sum / 1409778724.0, 1.0, 0.01);
}

TEST(PlacesDerivation, TheSmallestCountiesGetFiniteNonZeroRates) {
  const auto& units = shipped_units();
  const auto& model = shipped_model();
  std::vector<const Unit*> counties;
  for (const auto& u : units.units)
    if (u.level == Level::county) counties.push_back(&u);
  std::sort(counties.begin(), counties.end(),
            [](const Unit* a, const Unit* b) { return a->population < b->population; });
  const auto national_2017 = model.national().mx_at(2017);
  demography::AgeArray asfr{};
  asfr.fill(0.0);
  for (int a = 15; a < 50; ++a) asfr[a] = 0.04;
  for (std::size_t i = 0; i < 12; ++i) {
    const Unit& u = *counties[i];
    const auto in = model.derive(u.code);
    double pop = 0;
    for (std::size_t s = 0; s < 2; ++s)
      for (int a = 0; a <= AGE_MAX; ++a) {
        EXPECT_GE(in.population[s][a], 0.0) << u.code;
        EXPECT_TRUE(std::isfinite(in.population[s][a])) << u.code;
        pop += in.population[s][a];
        EXPECT_TRUE(std::isfinite(in.migration.rate[s][a])) << u.code;
        EXPECT_LE(std::abs(in.migration.rate[s][a]), 0.2) << u.code;
      }
    EXPECT_NEAR(pop / u.population, 1.0, 0.05) << u.code;
    for (Sex sex : {Sex::female, Sex::male})
      for (int year : {2020, 2050}) {
        const auto m = in.mortality.mx(sex, year, national_2017[sex == Sex::female ? 0 : 1]);
        for (int a = 0; a <= AGE_MAX; ++a) {
          EXPECT_GT(m[a], 0.0) << u.code << " " << a;
          EXPECT_TRUE(std::isfinite(m[a])) << u.code << " " << a;
        }
        EXPECT_TRUE(std::isfinite(in.mortality.sd(sex, year)));
      }
    EXPECT_GT(in.fertility.ratio, 0.2) << u.code;
    EXPECT_LT(in.fertility.ratio, 5.0) << u.code;
    EXPECT_TRUE(std::isfinite(in.fertility.log_sd));
    const auto f = in.fertility.asfr(asfr);
    EXPECT_GT(f[25], 0.0);
    EXPECT_FALSE(in.notes.empty());
  }
}

TEST(PlacesDerivation, AnAggregateOfACitysCountiesIsTheCity) {
  const auto& units = shipped_units();
  const auto& model = shipped_model();
  std::vector<std::string> codes;
  for (const Unit* c : units.children("410200")) codes.push_back(c->code);
  ASSERT_GT(codes.size(), 5u);
  const auto agg = model.derive(codes, "kaifeng");
  // No uncoded zone in Kaifeng: its counties' census groups add up to the city's.
  EXPECT_EQ(agg.census, units.groups2020("410200"));
  EXPECT_EQ(agg.name, "kaifeng");
  // Levels are weighted means of the members'.
  double lo = 1e9, hi = -1e9;
  for (const auto& c : codes) {
    const auto in = model.derive(c);
    lo = std::min(lo, in.mortality.offset0[0]);
    hi = std::max(hi, in.mortality.offset0[0]);
  }
  EXPECT_GE(agg.mortality.offset0[0], lo);
  EXPECT_LE(agg.mortality.offset0[0], hi);
  // A member inside another, or twice, is refused.
  const std::vector<std::string> nested = {"410200", "410212"};
  EXPECT_THROW(model.derive(nested, "x"), InputError);
  const std::vector<std::string> twice = {"410212", "410212"};
  EXPECT_THROW(model.derive(twice, "x"), InputError);
}

TEST(PlacesDerivation, UnitsMissingFromThe2010CensusGetZeroMigrationWithANote) {
  const auto in = shipped_model().derive("410212");
  EXPECT_FALSE(in.migration.estimated);
  bool noted = false;
  for (const auto& n : in.notes) noted = noted || n.starts_with("migration: zero");
  EXPECT_TRUE(noted);
  for (const auto& s : in.migration.rate)
    for (double v : s) EXPECT_EQ(v, 0.0);
  const auto city = shipped_model().derive("410200");
  EXPECT_TRUE(city.migration.estimated);
}

TEST(PlacesDerivation, ExtremeOrChangedUnitsSayWhyInTheirNotes) {
  auto has = [](const UnitInputs& in, std::string_view text) {
    return std::any_of(in.notes.begin(), in.notes.end(),
                       [&](const std::string& n) { return n.find(text) != std::string::npos; });
  };
  // 舟曲县: the mudslide of August 2010 fell in the census's twelve months of deaths.
  EXPECT_TRUE(has(shipped_model().derive("623023"), "disaster in the census year"));
  // 静安区 took 闸北区 in 2015 and kept its code: no migration from the two censuses.
  const auto jingan = shipped_model().derive("310106");
  EXPECT_TRUE(shipped_units().at("310106").boundary_changed);
  EXPECT_FALSE(jingan.migration.estimated);
  EXPECT_TRUE(has(jingan, "area changed"));
}

}  // namespace
