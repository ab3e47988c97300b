// A planner's own population table, as statistical yearbooks print it: one row per age group
// (0, 1-4 or 0-4, 5-9, ..., an open last group such as 85+ or 85岁及以上), columns for males and
// females, headers in Chinese or English (年龄/男/女, age/male/female), encoded in UTF-8 or GBK
// (GB18030). Counts are persons.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "healthcast/demography/ages.h"

namespace healthcast::places {

struct GroupedPopulation {
  std::string source;
  std::vector<int> lower;                                       // lower ages, the last group open
  std::array<std::vector<double>, demography::N_SEXES> counts;  // [female, male] per group
  std::string encoding;                                         // "UTF-8" or "GBK"
};

// Reads and checks the table. Recognised headers (case and spaces ignored): age: 年龄, 年龄组,
// 年龄段, 年龄别, age, age group; males: 男, 男性, 男性人口, male, males, men; females: 女, 女性,
// 女性人口, female, females, women; other columns (合计, total) are ignored. Age labels: 0, 0-4,
// 0～4岁, 1-4, 85+, 85岁及以上, 85 and over, 不满1岁 (dashes, tildes and 至 alike; full-width
// digits allowed); rows labelled 合计/总计/total are skipped. Counts may have thousands
// separators. Throws InputError naming the file, line and column of: an unreadable encoding, a
// missing column, an unknown age label, a group missing or out of order, a group not five years
// wide (besides 0 and 1-4), a last group that is not open, a negative or non-numeric count.
GroupedPopulation read_population_table(const std::filesystem::path& path);
GroupedPopulation parse_population_table(std::string_view bytes, const std::string& source);

// Text as UTF-8: unchanged if it is valid UTF-8 (a byte-order mark dropped), else converted from
// GB18030 (a superset of GBK and GB2312). `encoding` receives the name; throws InputError naming
// `source` if neither fits.
std::string to_utf8(std::string_view bytes, const std::string& source, std::string& encoding);

// The table graduated to single years 0..AGE_MAX by sex (graduation.h), the open group split by
// `national_shape`.
demography::SexAgeArray graduate_table(const GroupedPopulation& table,
                                       const demography::SexAgeArray& national_shape);

}  // namespace healthcast::places
