// The healthcast command line. Each subcommand lives in its own file (commands.h).
#include <signal.h>

#include <cstdio>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "commands.h"
#include "healthcast/error.h"
#include "healthcast/io/results_file.h"
#include "healthcast/version.h"

namespace {
// SIGINT/SIGTERM: remove the temporary results files being written, then die of the signal as
// before (the shell sees the usual status).
extern "C" void on_terminating_signal(int signal) {
  healthcast::io::remove_temporary_files();
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  sigemptyset(&fallback.sa_mask);
  sigaction(signal, &fallback, nullptr);
  raise(signal);
}

void remove_temporaries_on_signals() {
  struct sigaction action {};
  action.sa_handler = on_terminating_signal;
  sigemptyset(&action.sa_mask);
  for (const int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &action, nullptr);
}

// Exit codes: 0 success, 2 bad input (scenario, data file, arguments), 1 anything else.
constexpr int EXIT_BAD_INPUT = 2;
}  // namespace

int main(int argc, char** argv) {
  using namespace healthcast;
#if defined(__GLIBC__)
  // Each Monte Carlo draw builds and frees a results dataset of a few MB. Keep such blocks in
  // the heap for reuse instead of mapping fresh (zeroed, page-faulting) memory every draw.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
  io::skip_hdf5_exit_handler();
  remove_temporaries_on_signals();
  CLI::App app{"healthcast: population and health scenario projections for health plans"};
  app.set_version_flag("--version",
                       fmt::format("healthcast {} ({})", software_version(), git_revision()));
  app.require_subcommand(1);
  cli::add_run_command(app);
  cli::add_validate_command(app);
  cli::add_info_command(app);
  cli::add_lifetable_command(app);
  cli::add_targets_command(app);
  cli::add_compare_command(app);
  cli::add_backtest_command(app);
  cli::add_units_command(app);
  cli::add_import_command(app);
  cli::add_solve_command(app);
  cli::add_merge_command(app);
  cli::add_report_command(app);
  cli::add_batch_command(app);

  try {
    app.parse(argc, argv);  // runs the chosen subcommand's callback
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const cli::ExitStatus& e) {
    return e.code;
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return EXIT_BAD_INPUT;
  } catch (const InputError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return EXIT_BAD_INPUT;
  } catch (const FileFormatError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return EXIT_BAD_INPUT;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
