#include "healthcast/places/population_table.h"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "healthcast/error.h"
#include "healthcast/input/csv.h"
#include "healthcast/places/graduation.h"

namespace healthcast::places {

namespace {

using demography::AGE_MAX;

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;  // continuation bytes
    if (c < 0x80)
      n = 0;
    else if ((c >> 5) == 0x6)
      n = 1;
    else if ((c >> 4) == 0xE)
      n = 2;
    else if ((c >> 3) == 0x1E)
      n = 3;
    else
      return false;
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += n + 1;
  }
  return true;
}

// Replaces every occurrence of `from` by `to` (building a new string: GCC 12 warns falsely on
// std::string::replace with -Wrestrict).
void replace_all(std::string& s, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(s.size());
  std::size_t start = 0;
  for (std::size_t pos; (pos = s.find(from, start)) != std::string::npos;
       start = pos + from.size()) {
    out.append(s, start, pos - start);
    out.append(to);
  }
  out.append(s, start, std::string::npos);
  s = std::move(out);
}

std::string lower_ascii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A label normalised: full-width digits and signs to ASCII, dashes alike, spaces and 岁 removed,
// lower case.
std::string normalise(std::string s) {
  static const std::array<const char*, 10> wide_digits = {"０", "１", "２", "３", "４",
                                                          "５", "６", "７", "８", "９"};
  for (int d = 0; d < 10; ++d)
    replace_all(s, wide_digits[d], std::string(1, static_cast<char>('0' + d)));
  for (const char* dash : {"－", "—", "–", "～", "~", "〜", "至", "到"}) replace_all(s, dash, "-");
  replace_all(s, "＋", "+");
  for (const char* drop : {"周岁", "岁", " ", "\t", "　"}) replace_all(s, drop, "");
  return lower_ascii(s);
}

struct AgeLabel {
  int lower = 0, upper = 0;  // inclusive; upper = -1 for the open group
  bool total = false;
};

std::optional<AgeLabel> parse_age(const std::string& raw) {
  const std::string s = normalise(raw);
  for (const char* t : {"合计", "总计", "总数", "总人口", "全部", "total", "all", "allages"})
    if (s == t) return AgeLabel{0, 0, true};
  if (s == "不满1" || s == "<1" || s == "under1") return AgeLabel{0, 0, false};
  int a = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), a);
  if (ec != std::errc() || a < 0) return std::nullopt;
  const std::string rest(p, s.data() + s.size());
  if (rest.empty()) return AgeLabel{a, a, false};
  for (const char* open : {"+", "及以上", "以上", "andover", "andolder", "ormore", "plus"})
    if (rest == open) return AgeLabel{a, -1, false};
  if (rest.size() > 1 && rest[0] == '-') {
    int b = 0;
    auto [q, ec2] = std::from_chars(rest.data() + 1, rest.data() + rest.size(), b);
    if (ec2 == std::errc() && q == rest.data() + rest.size() && b >= a)
      return AgeLabel{a, b, false};
  }
  return std::nullopt;
}

std::optional<std::string> find_column(const input::CsvTable& csv,
                                       std::initializer_list<const char*> names) {
  for (const auto& h : csv.columns()) {
    const std::string n = normalise(h);
    for (const char* name : names)
      if (n == normalise(name)) return h;
  }
  return std::nullopt;
}

double count(const input::CsvTable& csv, std::size_t row, const std::string& column) {
  std::string s = csv.text(row, column);
  for (const char* sep : {",", "，", " ", "　"}) replace_all(s, sep, "");
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
    throw InputError(csv.location(row, column), column,
                     fmt::format("'{}' is not a number of persons", csv.text(row, column)));
  if (v < 0)
    throw InputError(csv.location(row, column), column,
                     fmt::format("{} is negative; a count of persons must be 0 or more", v));
  return v;
}

std::string label(int lower, int upper) {
  if (upper < 0) return fmt::format("{}+", lower);
  return lower == upper ? std::to_string(lower) : fmt::format("{}-{}", lower, upper);
}

}  // namespace

std::string to_utf8(std::string_view bytes, const std::string& source, std::string& encoding) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  if (valid_utf8(bytes)) {
    encoding = "UTF-8";
    return std::string(bytes);
  }
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (cd == reinterpret_cast<iconv_t>(-1))
    throw InputError({source, 0, 0}, "", "the file is not UTF-8 and GBK conversion is unavailable");
  std::string in(bytes), out(bytes.size() * 2 + 16, '\0');
  char* src = in.data();
  char* dst = out.data();
  std::size_t left = in.size(), room = out.size();
  const std::size_t r = iconv(cd, &src, &left, &dst, &room);
  iconv_close(cd);
  if (r == static_cast<std::size_t>(-1) || left != 0)
    throw InputError({source, 0, 0}, "",
                     fmt::format("the file is neither UTF-8 nor GBK (GB18030): cannot read byte {} "
                                 "of {}; save it as UTF-8 or GBK",
                                 in.size() - left + 1, in.size()));
  out.resize(out.size() - room);
  encoding = "GBK";
  return out;
}

namespace {

struct Columns {
  std::string age, male, female;
};

// The age, male and female columns, by their usual Chinese or English headers.
Columns find_columns(const input::CsvTable& csv, const std::string& source) {
  const auto age =
      find_column(csv, {"年龄", "年龄组", "年龄段", "年龄别", "age", "agegroup", "age_group"});
  const auto male =
      find_column(csv, {"男", "男性", "男性人口", "男性人数", "male", "males", "men"});
  const auto female =
      find_column(csv, {"女", "女性", "女性人口", "女性人数", "female", "females", "women"});
  std::string missing;
  if (!age) missing += " an age column (年龄 or age)";
  if (!male) missing += " a male column (男 or male)";
  if (!female) missing += " a female column (女 or female)";
  if (!missing.empty()) {
    throw InputError(
        {source, 1, 0}, "",
        fmt::format("the header lacks{}; it has {}", missing, fmt::join(csv.columns(), ", ")));
  }
  return {*age, *male, *female};
}

// A group [lo, hi] (hi < 0: open) must start where the previous one ended (`expected`), be
// five years wide (or 0 and 1-4), and an open group must start at 25..AGE_MAX in steps of 5.
void check_group(const input::CsvTable& csv, std::size_t r, const std::string& age, int lo, int hi,
                 int expected, const std::vector<int>& lower) {
  if (lo != expected)
    throw InputError(csv.location(r, age), age,
                     lo > expected
                         ? fmt::format("group {} follows {}: ages {}-{} are missing", label(lo, hi),
                                       expected == 0 ? "the start of the table"
                                                     : label(lower.back(), expected - 1),
                                       expected, lo - 1)
                         : fmt::format("group {} overlaps the previous group (which ends at {})",
                                       label(lo, hi), expected - 1));
  const bool five = hi >= 0 && hi - lo == 4 && lo % 5 == 0;
  const bool infant = (lo == 0 && hi == 0) || (lo == 1 && hi == 4);
  if (hi >= 0 && !five && !infant)
    throw InputError(csv.location(r, age), age,
                     fmt::format("group {} is not five years wide; allowed: 0, 1-4, then 5-9, "
                                 "10-14, ... (or 0-4, 5-9, ...) and an open last group",
                                 label(lo, hi)));
  if (hi < 0 && (lo % 5 != 0 || lo > AGE_MAX || lo < 25))
    throw InputError(
        csv.location(r, age), age,
        fmt::format("the open group starts at {}; allowed: 25 to {} in steps of 5", lo, AGE_MAX));
}

}  // namespace

GroupedPopulation parse_population_table(std::string_view bytes, const std::string& source) {
  GroupedPopulation out;
  out.source = source;
  const std::string text = to_utf8(bytes, source, out.encoding);
  const auto csv = input::CsvTable::parse(text, source);
  const Columns col = find_columns(csv, source);
  const std::string& age = col.age;
  int expected = 0;  // the lower age the next group must start at
  int open_line = 0;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    const auto parsed = parse_age(csv.text(r, age));
    if (!parsed)
      throw InputError(csv.location(r, age), age,
                       fmt::format("'{}' is not an age group; write e.g. 0-4, 1-4, 85+ or "
                                   "85岁及以上",
                                   csv.text(r, age)));
    if (parsed->total) continue;
    if (open_line)
      throw InputError(csv.location(r, age), age,
                       fmt::format("group {} follows the open group of line {}; the open group "
                                   "must be last",
                                   csv.text(r, age), open_line));
    const int lo = parsed->lower, hi = parsed->upper;
    check_group(csv, r, age, lo, hi, expected, out.lower);
    out.lower.push_back(lo);
    out.counts[0].push_back(count(csv, r, col.female));
    out.counts[1].push_back(count(csv, r, col.male));
    if (hi < 0) {
      open_line = csv.location(r, age).line;
      expected = -1;
    } else {
      expected = hi + 1;
    }
  }
  if (out.lower.empty()) throw InputError({source, 0, 0}, "", "the table has no age groups");
  if (!open_line)
    throw InputError({source, 0, 0}, age,
                     fmt::format("the last group ({}) is closed; the table must end with an open "
                                 "group such as 85+ or 85岁及以上",
                                 label(out.lower.back(), expected - 1)));
  return out;
}

GroupedPopulation read_population_table(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError({path.string(), 0, 0}, "",
                     std::filesystem::exists(path) ? "cannot read the file" : "file not found");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return parse_population_table(bytes.str(), path.string());
}

demography::SexAgeArray graduate_table(const GroupedPopulation& table,
                                       const demography::SexAgeArray& national_shape) {
  demography::SexAgeArray out{};
  for (std::size_t s = 0; s < demography::N_SEXES; ++s)
    out[s] = graduate(table.lower, table.counts[s], national_shape[s]);
  return out;
}

}  // namespace healthcast::places
