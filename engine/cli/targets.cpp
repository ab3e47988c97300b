// healthcast targets OUT.h5 [--lang zh|en]
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/io/results_file.h"
#include "healthcast/scenario/scenario.h"

namespace healthcast::cli {

namespace {

struct TargetsOptions {
  std::filesystem::path results;
  std::string lang = "en";
};

std::string number(double v) {
  if (std::isnan(v)) return "-";
  if (std::abs(v) >= 1e5) return fmt::format("{:.0f}", v);
  return fmt::format("{:.4g}", v);
}

std::string target_text(const std::string& text, double value) {
  using scenario::Comparator;
  switch (scenario::parse_comparator(text)) {
    case Comparator::relative_change:
      return fmt::format("{:+.0f}%", 100.0 * value);
    case Comparator::decrease:
    case Comparator::increase:
    case Comparator::natural:
      return text;
    case Comparator::better_than:
      return std::isnan(value) ? "> national" : "> " + number(value);
    default:
      return text + " " + number(value);
  }
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
      {"proxy_met", {"met (proxy)", "达标（替代指标）"}},
      {"proxy_not_met", {"not met (proxy)", "未达标（替代指标）"}},
      {"before_projection", {"before projection", "早于预测起点"}},
      {"after_horizon", {"after horizon", "晚于预测终点"}},
      {"no_value", {"no value", "无值"}},
  };
  const auto found = WORDS.find(code);
  if (found == WORDS.end()) return code;
  return zh ? found->second.second : found->second.first;
}

void print_targets(const TargetsOptions& opt) {
  const auto ds = io::read_results(opt.results);
  namespace var = results::var;
  if (!ds.has_variable(var::target_year)) {
    fmt::print("{}: the scenario has no targets\n", opt.results.string());
    return;
  }
  const auto& text = ds.label(opt.lang == "zh" ? var::target_text_zh : var::target_text_en).values;
  const auto& plan = ds.label(var::target_plan).values;
  const auto& indicator = ds.label(var::target_indicator).values;
  const auto& comparator = ds.label(var::target_comparator).values;
  const auto& unit = ds.label(var::target_unit).values;
  const auto& status = ds.label(var::target_status).values;
  const auto& basis = ds.label(var::target_basis).values;
  const auto column = [&](const results::VariableSpec& v) { return ds.variable(v).values; };
  const auto year = column(var::target_year), value = column(var::target_value),
             projected = column(var::target_projected), judged = column(var::target_judged),
             gap = column(var::target_gap), first = column(var::target_first_year_met),
             probability = column(var::target_probability);
  const bool zh = opt.lang == "zh";
  fmt::print("{:<20} {:<28} {:>5} {:>12} {:>10} {:>10} {:>9} {:<22} {:>6} {}\n",
             zh ? "规划" : "plan", zh ? "指标" : "indicator", zh ? "年份" : "year",
             zh ? "目标" : "target", zh ? "预测值" : "projected", zh ? "比较值" : "judged",
             zh ? "差距" : "gap", zh ? "状态" : "status", zh ? "首次达标" : "first",
             zh ? "原文" : "plan's words");
  for (std::size_t i = 0; i < year.size(); ++i) {
    std::string shown = status_text(status[i], zh);
    if (!std::isnan(probability[i])) shown += fmt::format(" (p={:.2f})", probability[i]);
    fmt::print("{:<20} {:<28} {:>5.0f} {:>12} {:>10} {:>10} {:>9} {:<22} {:>6} {}\n", plan[i],
               indicator[i], year[i], target_text(comparator[i], value[i]), number(projected[i]),
               number(judged[i]), number(gap[i]), shown,
               std::isnan(first[i]) ? "-" : fmt::format("{:.0f}", first[i]),
               text[i].empty() ? unit[i] : text[i]);
    if (basis[i] != "modelled") fmt::print("{:<20} {:<28} {}\n", "", "", basis[i]);
  }
  if (ds.attributes.count("population_scaled"))
    fmt::print("note: {}\n", ds.attributes.at("population_scaled"));
}

}  // namespace

void add_targets_command(CLI::App& app) {
  auto opt = std::make_shared<TargetsOptions>();
  auto* cmd = app.add_subcommand("targets", "The plan's targets judged on a results file");
  cmd->add_option("results", opt->results, "Results file (HDF5)")->required();
  cmd->add_option("--lang", opt->lang, "Language of the plan's words")
      ->check(CLI::IsMember({"en", "zh"}))
      ->capture_default_str();
  cmd->callback([opt] { print_targets(*opt); });
}

}  // namespace healthcast::cli
