// healthcast batch MANIFEST.yaml -o OUTDIR [--workers N | --scheduler ADDRESS] [--force]
// healthcast batch status OUTDIR
// Batches run scenario x unit x draw tasks on Dask distributed (Python: healthcast.batch); this
// command hands every argument to `python -m healthcast batch`, which parses them (its --help
// is the full usage) and exits with its code.
#include "commands.h"

namespace healthcast::cli {

void add_batch_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "batch",
      "Scenarios x census units x draw chunks as tasks on Dask distributed, resumable; "
      "`batch status OUTDIR` counts its tasks (docs/batch.md)");
  // Everything after `batch`, --help included, belongs to the Python side.
  cmd->set_help_flag();
  cmd->prefix_command();
  cmd->callback([cmd] { exec_python_command("batch", cmd->remaining()); });
}

}  // namespace healthcast::cli
