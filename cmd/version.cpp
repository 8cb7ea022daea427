#include <cstdio>

#include "cmd/command.h"

namespace starform {

Command AddVersionCommand(CLI::App& root, const GlobalOptions&) {
  Command command;
  command.app = root.add_subcommand("version", "Print the version of kubectl-starform");
  command.run = [] {
    std::printf("kubectl-starform %s\n", STARFORM_VERSION);
    return kExitOk;
  };
  return command;
}

}  // namespace starform
