// healthcast report RESULTS.h5 [--reference REF.h5] [--lang zh|en] [-o FILE] [--format html|xlsx]
// The report is Python (healthcast.report: templates, plots, openpyxl): this command runs
// `python -m healthcast report` with the interpreter and package of the build it belongs to,
// and exits with its code.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/error.h"

namespace healthcast::cli {

namespace {

struct ReportOptions {
  std::string results, reference, lang = "en", output, format;
};

[[noreturn]] void run_python_report(const ReportOptions& opt) {
#if defined(HEALTHCAST_PYTHON_EXE) && defined(HEALTHCAST_PYTHON_PATH)
  std::vector<std::string> args = {HEALTHCAST_PYTHON_EXE, "-m", "healthcast", "report"};
  args.insert(args.end(), {opt.results, "--lang", opt.lang});
  if (!opt.reference.empty()) args.insert(args.end(), {"--reference", opt.reference});
  if (!opt.output.empty()) args.insert(args.end(), {"-o", opt.output});
  if (!opt.format.empty()) args.insert(args.end(), {"--format", opt.format});
  // The build's package first, so that the report matches this program's results format.
  std::string path = HEALTHCAST_PYTHON_PATH;
  if (const char* old = std::getenv("PYTHONPATH"); old && *old) path += fmt::format(":{}", old);
  setenv("PYTHONPATH", path.c_str(), 1);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  execv(argv[0], argv.data());
  throw Error(
      fmt::format("cannot run the report's Python interpreter {}: {} (configure the build "
                  "with -DHEALTHCAST_PYTHON=/usr/bin/python3)",
                  argv[0], std::strerror(errno)));
#else
  (void)opt;
  throw Error(
      "this build has no Python package (HEALTHCAST_BUILD_PYTHON=OFF); `healthcast report` "
      "needs it: configure with -DHEALTHCAST_BUILD_PYTHON=ON");
#endif
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
