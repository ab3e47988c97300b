// The command line's subcommands: each file adds one to the app and runs it from a callback.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace healthcast::cli {

void add_run_command(CLI::App& app);
void add_validate_command(CLI::App& app);
void add_info_command(CLI::App& app);
void add_lifetable_command(CLI::App& app);
void add_targets_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_backtest_command(CLI::App& app);
void add_units_command(CLI::App& app);   // units.cpp
void add_import_command(CLI::App& app);  // units.cpp
void add_report_command(CLI::App& app);  // runs the Python module healthcast.report
void add_solve_command(CLI::App& app);
void add_merge_command(CLI::App& app);
void add_batch_command(CLI::App& app);  // runs the Python module healthcast.batch

// Runs `python -m healthcast COMMAND ARGUMENTS...` with this build's interpreter and package
// (python_module.cpp); returns only by throwing when the interpreter cannot be started.
[[noreturn]] void exec_python_command(const std::string& command,
                                      const std::vector<std::string>& arguments);

// Thrown by a command that has printed its answer but must end with another exit status
// (solve: 3 when no lever size in the range meets the target).
struct ExitStatus {
  int code;
};

}  // namespace healthcast::cli
