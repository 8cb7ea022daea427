// kubectl starform show FILE: prints a saved plan (plan --out FILE), as text or as the -o json
// document (without the apply section, which is for apply only).

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cmd/command.h"
#include "cmd/plan_file_io.h"
#include "plan/plan_output.h"

namespace starform {

Command AddShowCommand(CLI::App& root, const GlobalOptions& globals) {
  struct Options {
    std::string file;
    std::string output = "text";
    bool diff = false;
  };
  auto options = std::make_shared<Options>();
  Command command;
  command.app = root.add_subcommand("show", "Print a saved plan (plan --out FILE)");
  command.app->add_option("file", options->file, "The saved plan (- for stdin)")->required();
  command.app->add_option("-o,--output", options->output, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  command.app->add_flag("--diff", options->diff,
                        "With text output: a unified diff of each changed object's YAML");
  command.run = [options, &globals] {
    Plan plan;
    std::string error;
    if (!ReadPlanFile(options->file, &plan, &error)) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return static_cast<int>(kExitError);
    }
    std::string text;
    if (options->output == "json") {
      text = FormatJsonDocument(PlanToJson(plan));
    } else {
      TextOutputOptions text_options;
      text_options.color = !globals.no_color && isatty(1) != 0;
      text_options.diff = options->diff;
      text = RenderPlanText(plan, text_options);
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
    return static_cast<int>(kExitOk);
  };
  return command;
}

}  // namespace starform
