#pragma once

namespace starform {

/// Parses the command line, runs one subcommand and returns the process exit code.
int RunApp(int argc, char** argv);

}  // namespace starform
