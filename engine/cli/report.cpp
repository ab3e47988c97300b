// healthcast report RESULTS.h5 [--reference REF.h5] [--lang zh|en] [-o FILE] [--format html|xlsx]
// The report is Python (healthcast.report: templates, plots, openpyxl): this command runs
// `python -m healthcast report` (exec_python_command) and exits with its code.
#include <memory>
#include <string>
#include <vector>

#include "commands.h"

namespace healthcast::cli {

namespace {

struct ReportOptions {
  std::string results, reference, lang = "en", output, format;
};

[[noreturn]] void run_python_report(const ReportOptions& opt) {
  std::vector<std::string> args = {opt.results, "--lang", opt.lang};
  if (!opt.reference.empty()) args.insert(args.end(), {"--reference", opt.reference});
  if (!opt.output.empty()) args.insert(args.end(), {"-o", opt.output});
  if (!opt.format.empty()) args.insert(args.end(), {"--format", opt.format});
  exec_python_command("report", args);
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto opt = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand(
      "report",
      "A planner's report of a results file: one self-contained HTML file (or xlsx), zh or en");
  cmd->add_option("results", opt->results, "Results file (HDF5) of the plan's run")->required();
  cmd->add_option("--reference", opt->reference,
                  "Results file of the matching reference run (same units and years): adds "
                  "deaths averted, life-years gained and DALYs averted");
  cmd->add_option("--lang", opt->lang, "Language of the report")
      ->check(CLI::IsMember({"en", "zh"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", opt->output,
                  "File to write (default: report.html, or report.xlsx with --format xlsx)");
  cmd->add_option("--format", opt->format,
                  "html (one self-contained file) or xlsx; default: "
                  "from the output's suffix, else html")
      ->check(CLI::IsMember({"html", "xlsx"}));
  cmd->callback([opt] { run_python_report(*opt); });
}

}  // namespace healthcast::cli
