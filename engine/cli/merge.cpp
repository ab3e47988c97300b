// healthcast merge PART.h5... -o OUT.h5 [--keep-draws] [--threads T]
#include <filesystem>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/io/merge.h"

namespace healthcast::cli {

namespace {

namespace fs = std::filesystem;

struct MergeCommand {
  std::vector<fs::path> parts;
  fs::path output;
  io::MergeOptions options;
  bool quiet = false;
};

void merge(const MergeCommand& opt) {
  io::merge_parts(opt.parts, opt.output, opt.options);
  if (!opt.quiet) fmt::print("{} part(s) merged into {}\n", opt.parts.size(), opt.output.string());
}

}  // namespace

void add_merge_command(CLI::App& app) {
  auto opt = std::make_shared<MergeCommand>();
  auto* cmd = app.add_subcommand(
      "merge",
      "Combine parts of a run (run --draws N --draw-range A:B, --units, --regions) into the "
      "results of the whole run");
  cmd->add_option("parts", opt->parts,
                  "Part files: the draw ranges of each region set must cover 0..N-1 once; "
                  "region sets are placed in the order their first part is given")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", opt->output, "Merged results file")->required();
  cmd->add_flag("--keep-draws", opt->options.keep_draws,
                "Keep every draw (<name>_draws, target_met_draws), as run --keep-draws");
  cmd->add_option("--threads", opt->options.threads,
                  "Worker threads for the summaries (0: one per usable CPU)")
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", opt->quiet, "Print nothing on success");
  cmd->callback([opt] { merge(*opt); });
}

}  // namespace healthcast::cli
