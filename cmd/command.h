#pragma once

// What every subcommand file provides: a CLI11 subcommand and the function that runs it once
// the command line has been parsed. Subcommands read options from the CLI11 app they add, and
// share only GlobalOptions.

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace starform {

/// Exit codes, as Terraform and kubectl use them.
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,
  kExitChanges = 2,  ///< plan --detailed-exitcode: the plan has changes
};

struct GlobalOptions {
  int verbosity = 0;  ///< -v / --v, as kubectl's klog levels
  bool no_color = false;
};

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;  ///< returns the exit code
};

Command AddRenderCommand(CLI::App& root, const GlobalOptions& globals);
Command AddShowCommand(CLI::App& root, const GlobalOptions& globals);
Command AddPlanCommand(CLI::App& root, const GlobalOptions& globals);
Command AddApplyCommand(CLI::App& root, const GlobalOptions& globals);
Command AddDestroyCommand(CLI::App& root, const GlobalOptions& globals);
Command AddUnlockCommand(CLI::App& root, const GlobalOptions& globals);
Command AddVersionCommand(CLI::App& root, const GlobalOptions& globals);

}  // namespace starform
