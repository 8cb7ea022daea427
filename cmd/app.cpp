#include "cmd/app.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cmd/args.h"
#include "cmd/command.h"

namespace starform {

namespace {

// Repeatable options take one value per occurrence (`--target a --target b`), as kubectl's do;
// CLI11's default would also swallow the words after the first value.
void MakeRepeatableOptionsStrict(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    if (option->get_items_expected_max() > 1 && option->get_type_size() == 1) {
      option->allow_extra_args(false);
    }
  }
  for (CLI::App* sub : app.get_subcommands({}))
    MakeRepeatableOptionsStrict(*sub);
}

}  // namespace

int RunApp(int argc, char** argv) {
  CLI::App root{"Converge a cluster's Envoy Gateway layer on its desired state.",
                "kubectl starform"};
  root.require_subcommand(1);
  root.set_help_all_flag("--help-all", "Show the help of every command");

  GlobalOptions globals;
  root.add_option("-v,--verbosity", globals.verbosity, "Log level, as kubectl's -v (0-10)")
      ->check(CLI::Range(0, 10));
  root.add_flag("--no-color", globals.no_color, "Print no colour (also with NO_COLOR set)");

  std::vector<Command> commands = {
      AddRenderCommand(root, globals),  AddShowCommand(root, globals),
      AddPlanCommand(root, globals),    AddApplyCommand(root, globals),
      AddDestroyCommand(root, globals), AddUnlockCommand(root, globals),
      AddVersionCommand(root, globals),
  };
  for (Command& command : commands)
    command.app->fallthrough();
  MakeRepeatableOptionsStrict(root);

  std::vector<std::string> args(argv + 1, argv + argc);
  args = NormalizeArgs(std::move(args));
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them reversed
  try {
    root.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    return root.exit(CLI::CallForHelp());
  } catch (const CLI::CallForAllHelp&) {
    return root.exit(CLI::CallForAllHelp());
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "error: %s\nSee 'kubectl starform --help'.\n", e.what());
    return kExitError;  // kubectl exits 1 on a usage error; CLI11's own codes mean nothing here
  }
  if (std::getenv("NO_COLOR") != nullptr && *std::getenv("NO_COLOR") != '\0') {
    globals.no_color = true;
  }
  for (Command& command : commands) {
    if (command.app->parsed())
      return command.run();
  }
  return kExitError;
}

}  // namespace starform
