// healthcast targets OUT.h5 [--lang zh|en] [--format table|csv|json]
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/io/results_file.h"
#include "healthcast/results/catalogue.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::cli {

namespace {

namespace var = results::var;

struct TargetsOptions {
  std::filesystem::path results;
  std::string lang = "en";
  std::string format = "table";
};

// Every column of the targets table, in the order csv and json give them: the name and the
// results variable (numbers) or label (text) it comes from.
struct Column {
  const char* name;
  const results::VariableSpec* source;
  bool text;
};
const std::vector<Column>& columns() {
  static const std::vector<Column> all = {
      {"plan", &var::target_plan, true},
      {"indicator", &var::target_indicator, true},
      {"year", &var::target_year, false},
      {"sex", &var::target_sex, true},
      {"comparator", &var::target_comparator, true},
      {"target", &var::target_value, false},
      {"unit", &var::target_unit, true},
      {"precision", &var::target_precision, false},
      {"modelled", &var::target_projected, false},
      {"judged", &var::target_judged, false},
      {"gap", &var::target_gap, false},
      {"status", &var::target_status, true},
      {"probability", &var::target_probability, false},
      {"first_year_met", &var::target_first_year_met, false},
      {"official_year", &var::target_official_year, false},
      {"official_value", &var::target_official_value, false},
      {"start_year", &var::target_start_year, false},
      {"start_value", &var::target_start_value, false},
      {"modelled_change", &var::target_modelled_change, false},
      {"convention", &var::target_convention, true},
      {"baseline_year", &var::target_baseline_year, false},
      {"baseline_value", &var::target_baseline_value, false},
      {"proxy", &var::target_proxy, true},
      {"basis", &var::target_basis, true},
      {"text_zh", &var::target_text_zh, true},
      {"text_en", &var::target_text_en, true},
  };
  return all;
}

// The table as text cells (numbers in full precision, NaN empty) or numbers.
struct Table {
  std::map<std::string, std::vector<std::string>> text;
  std::map<std::string, std::vector<double>> number;
  std::size_t rows = 0;
};

Table read_table(const results::Dataset& ds) {
  Table t;
  for (const auto& c : columns()) {
    if (c.text)
      t.text[c.name] = ds.label(*c.source).values;
    else
      t.number[c.name] = ds.variable(*c.source).values;
  }
  t.rows = t.number["year"].size();
  return t;
}

std::string quoted_csv(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\')
      out += std::string("\\") + ch;
    else if (ch == '\n')
      out += "\\n";
    else
      out += ch;
  }
  return out + "\"";
}

std::string full(double v) { return std::isnan(v) ? "" : fmt::format("{}", v); }

void print_csv(const Table& t) {
  std::string line;
  for (const auto& c : columns()) line += (line.empty() ? "" : ",") + std::string(c.name);
  fmt::print("{}\n", line);
  for (std::size_t i = 0; i < t.rows; ++i) {
    line.clear();
    for (const auto& c : columns()) {
      if (&c != &columns().front()) line += ",";
      line += c.text ? quoted_csv(t.text.at(c.name)[i]) : full(t.number.at(c.name)[i]);
    }
    fmt::print("{}\n", line);
  }
}

void print_json(const Table& t) {
  fmt::print("[");
  for (std::size_t i = 0; i < t.rows; ++i) {
    std::string row;
    for (const auto& c : columns()) {
      const std::string value =
          c.text ? json_string(t.text.at(c.name)[i])
                 : (std::isnan(t.number.at(c.name)[i]) ? "null" : full(t.number.at(c.name)[i]));
      row += fmt::format("{}\"{}\": {}", row.empty() ? "" : ", ", c.name, value);
    }
    fmt::print("{}\n  {{{}}}", i ? "," : "", row);
  }
  fmt::print("\n]\n");
}

// A status code as printed: words in English, its translation in Chinese.
std::string status_text(const std::string& code, bool zh) {
  static const std::map<std::string, std::pair<std::string, std::string>> WORDS = {
      {"met", {"met", "达标"}},
      {"not_met", {"not met", "未达标"}},
      {"observed_met", {"observed met", "观测已达标"}},
      {"observed_not_met", {"observed not met", "观测未达标"}},
      {"no_data", {"no data", "无数据"}},
      {"not_comparable", {"not comparable", "不可比"}},
      {"set_by_lever", {"set by lever", "由措施设定"}},
      {"before_projection", {"before projection", "早于预测起点"}},
      {"after_horizon", {"after horizon", "晚于预测终点"}},
      {"no_value", {"no value", "无值"}},
  };
  const auto found = WORDS.find(code);
  if (found == WORDS.end()) return code;
  return zh ? found->second.second : found->second.first;
}

std::string unit_text(const std::string& unit, bool zh) {
  static const std::map<std::string, std::string> ZH = {
      {"years", "岁"},
      {"percent", "%"},
      {"fraction", "比例"},
      {"per 1000 live births", "‰"},
      {"per 100000 live births", "/10万"},
      {"per 100000", "/10万"},
      {"per 1000", "/千人"},
      {"per 10000", "/万人"},
      {"g/day", "克/日"},
      {"persons", "人"},
      {"count", "个"},
  };
  if (!zh) return unit;
  const auto found = ZH.find(unit);
  return found == ZH.end() ? unit : found->second;
}

std::string indicator_text(const std::string& id, bool zh) {
  const results::IndicatorSpec* spec = results::find_indicator(id);
  return zh && spec ? std::string(spec->title_zh) : id;
}

// A number to `decimals` places ("-" for NaN).
std::string fixed(double v, int decimals) {
  if (std::isnan(v)) return "-";
  return fmt::format("{:.{}f}", v, std::max(decimals, 0));
}

struct Row {
  const Table& t;
  std::size_t i;
  bool zh;
  double num(const char* c) const { return t.number.at(c)[i]; }
  const std::string& str(const char* c) const { return t.text.at(c)[i]; }
  bool relative() const { return str("comparator") == "relative_change"; }
  // Decimals to print judged values with: the target's; percentages of a relative change as
  // whole per cent at least.
  int decimals() const {
    // Targets without a value (decrease, increase, better than national): two decimals.
    const int d = std::isnan(num("target")) ? 2 : static_cast<int>(num("precision"));
    return relative() ? std::max(d - 2, 0) : d;
  }
  std::string value(double v) const {
    return relative() ? (std::isnan(v) ? "-" : fixed(100.0 * v, decimals()) + "%")
                      : fixed(v, decimals());
  }
};

std::string target_text(const Row& r) {
  const std::string c = r.str("comparator");
  const double v = r.num("target");
  if (c == "relative_change") return fmt::format("{:+.{}f}%", 100.0 * v, r.decimals());
  static const std::map<std::string, std::string> ZH = {
      {"decrease", "下降"}, {"increase", "上升"}, {"natural", "自然平衡"}};
  if (c == "decrease" || c == "increase" || c == "natural") return r.zh ? ZH.at(c) : c;
  if (c == "better_than")
    return std::isnan(v) ? (r.zh ? "优于全国" : "> national") : "> " + r.value(v);
  return c + " " + r.value(v);
}

std::string gap_text(const Row& r) {
  const double gap = r.num("gap");
  if (std::isnan(gap)) return "-";
  // One decimal finer than the target, so that a small gap does not print as 0.
  const std::string amount = r.relative() ? fixed(100.0 * std::abs(gap), r.decimals() + 1) + "%"
                                          : fixed(std::abs(gap), r.decimals() + 1);
  if (gap > 0.0) return fmt::format("{} {}", r.zh ? "差距" : "short by", amount);
  return fmt::format("{} {}", r.zh ? "超出" : "ahead by", amount);
}

// The chain in words: official value, bridge, modelled change, judged value.
std::string chain_text(const Row& r) {
  const std::string conv = r.str("convention");
  if (r.str("status").rfind("observed", 0) == 0)
    return r.zh ? fmt::format("观测值 {:.4g}（{:.0f}年）", r.num("official_value"), r.num("year"))
                : fmt::format("observed {:.4g} ({:.0f})", r.num("official_value"), r.num("year"));
  if (conv != "ratio" && conv != "difference") return {};
  std::string s =
      r.zh ? fmt::format("官方 {}（{:.0f}年）", r.num("official_value"), r.num("official_year"))
           : fmt::format("official {} ({:.0f})", r.num("official_value"), r.num("official_year"));
  if (r.num("start_year") != r.num("official_year"))
    s += r.zh ? fmt::format(" → {:.0f}年 {:.4g}（按官方趋势衔接）", r.num("start_year"),
                            r.num("start_value"))
              : fmt::format(" -> {:.4g} in {:.0f} (bridged)", r.num("start_value"),
                            r.num("start_year"));
  const double change = r.num("modelled_change");
  if (!std::isnan(change))
    s += fmt::format(fmt::runtime(r.zh ? " → 模型变化 {}{:.4f}（{:.0f}–{:.0f}年）"
                                       : " -> modelled change {}{:.4f} ({:.0f}-{:.0f})"),
                     conv == "ratio" ? "x" : (change >= 0 ? "+" : ""), change, r.num("start_year"),
                     r.num("year"));
  if (!std::isnan(r.num("baseline_value")))
    s += fmt::format(fmt::runtime(r.zh ? "；基线 {}（{:.0f}年）" : "; baseline {} ({:.0f})"),
                     r.num("baseline_value"), r.num("baseline_year"));
  return s;
}

// A note in Chinese for what the English basis says in words.
std::string zh_note(const Row& r) {
  const std::string status = r.str("status"), basis = r.str("basis");
  if (status == "no_data")
    return "无观测数据：请在 monitored 条目中提供 history（year,value 观测值）";
  if (status == "not_comparable") {
    if (basis.find("injuries") != std::string::npos)
      return "不可比：模型只有全部意外伤害死亡，没有道路交通万车死亡率（未模拟机动车保有量）；可用 "
             "proxy 指定替代指标";
    if (basis.find("national data") != std::string::npos)
      return "不可比：本地区使用全国数据，其数值即全国数值；需提供本地区自己的输入数据";
    return fmt::format(
        "不可比：缺少基线年份 {:.0f} 的数值；请在 inputs.official 中提供该年官方数据",
        r.num("baseline_year"));
  }
  std::string note;
  if (status == "set_by_lever") note = "由措施设定（措施按目标值定义）";
  if (!r.str("proxy").empty()) note += (note.empty() ? "" : "；") + ("替代指标：" + r.str("proxy"));
  if (basis.find("too short") != std::string::npos)
    note += (note.empty() ? "" : "；") + std::string("观测值过少（少于3个），无趋势区间和概率");
  if (r.str("convention") == "trend")
    note += (note.empty() ? "" : "；") + std::string("监测指标趋势外推");
  if (basis.find("national") != std::string::npos && r.str("convention") == "ratio")
    note += (note.empty() ? "" : "；") + std::string("官方数据为全国数据");
  if (basis.find("no official series") != std::string::npos)
    note += (note.empty() ? "" : "；") + std::string("无官方数据：采用模型自身水平");
  return note;
}

void print_table(const Table& t, bool zh) {
  fmt::print("{:<20} {:<28} {:>5} {:>12} {:>10} {:>10} {:>16} {:<22} {:>6} {}\n",
             zh ? "规划" : "plan", zh ? "指标" : "indicator", zh ? "年份" : "year",
             zh ? "目标" : "target", zh ? "模型值" : "modelled", zh ? "比较值" : "judged",
             zh ? "差距" : "gap", zh ? "状态" : "status", zh ? "首次达标" : "first",
             zh ? "原文" : "plan's words");
  for (std::size_t i = 0; i < t.rows; ++i) {
    const Row r{t, i, zh};
    std::string shown = status_text(r.str("status"), zh);
    if (!std::isnan(r.num("probability")))
      shown += fmt::format(" (p={:.2f})", r.num("probability"));
    if (!r.str("proxy").empty()) shown += zh ? "（替代）" : " (proxy)";
    const std::string words = r.str(zh ? "text_zh" : "text_en");
    fmt::print(
        "{:<20} {:<28} {:>5.0f} {:>12} {:>10} {:>10} {:>16} {:<22} {:>6} {}\n", r.str("plan"),
        indicator_text(r.str("indicator"), zh), r.num("year"), target_text(r),
        fixed(r.num("modelled"), r.decimals() + 1), r.value(r.num("judged")), gap_text(r), shown,
        std::isnan(r.num("first_year_met")) ? "-" : fmt::format("{:.0f}", r.num("first_year_met")),
        words.empty() ? unit_text(r.str("unit"), zh) : words);
    const std::string chain = chain_text(r);
    if (!chain.empty()) fmt::print("{:<20} {}\n", "", chain);
    const std::string note = zh ? zh_note(r) : r.str("basis");
    if (!note.empty() && note != "modelled") fmt::print("{:<20} {}\n", "", note);
  }
}

void print_targets(const TargetsOptions& opt) {
  const auto ds = io::read_results(opt.results);
  if (!ds.has_variable(var::target_year)) {
    if (opt.format == "table")
      fmt::print("{}: the scenario has no targets\n", opt.results.string());
    if (opt.format == "json") fmt::print("[]\n");
    if (opt.format == "csv") print_csv(Table{});
    return;
  }
  const Table t = read_table(ds);
  if (opt.format == "csv") return print_csv(t);
  if (opt.format == "json") return print_json(t);
  print_table(t, opt.lang == "zh");
  if (ds.attributes.count("population_scaled"))
    fmt::print("note: {}\n", ds.attributes.at("population_scaled"));
}

}  // namespace

void add_targets_command(CLI::App& app) {
  auto opt = std::make_shared<TargetsOptions>();
  auto* cmd = app.add_subcommand("targets", "The plan's targets judged on a results file");
  cmd->add_option("results", opt->results, "Results file (HDF5)")->required();
  cmd->add_option("--lang", opt->lang, "Language of the table: statuses, notes, names, units")
      ->check(CLI::IsMember({"en", "zh"}))
      ->capture_default_str();
  cmd->add_option("--format", opt->format,
                  "table (for reading), csv or json (one row per target with every column)")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->callback([opt] { print_targets(*opt); });
}

}  // namespace healthcast::cli
