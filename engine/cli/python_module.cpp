// Commands written in Python (healthcast report, healthcast batch) run `python -m healthcast
// COMMAND ARGS...` with the interpreter and package of the build this program belongs to.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/error.h"

namespace healthcast::cli {

[[noreturn]] void exec_python_command(const std::string& command,
                                      const std::vector<std::string>& arguments) {
#if defined(HEALTHCAST_PYTHON_EXE) && defined(HEALTHCAST_PYTHON_PATH)
  std::vector<std::string> args = {HEALTHCAST_PYTHON_EXE, "-m", "healthcast", command};
  args.insert(args.end(), arguments.begin(), arguments.end());
  // The build's package first, so that the Python side matches this program's results format.
  std::string path = HEALTHCAST_PYTHON_PATH;
  if (const char* old = std::getenv("PYTHONPATH"); old && *old) path += fmt::format(":{}", old);
  setenv("PYTHONPATH", path.c_str(), 1);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  execv(argv[0], argv.data());
  throw Error(
      fmt::format("cannot run `healthcast {}`'s Python interpreter {}: {} (configure the "
                  "build with -DHEALTHCAST_PYTHON=/usr/bin/python3)",
                  command, argv[0], std::strerror(errno)));
#else
  (void)arguments;
  throw Error(fmt::format(
      "this build has no Python package (HEALTHCAST_BUILD_PYTHON=OFF); `healthcast {}` needs "
      "it: configure with -DHEALTHCAST_BUILD_PYTHON=ON",
      command));
#endif
}

}  // namespace healthcast::cli
