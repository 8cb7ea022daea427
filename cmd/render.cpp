// kubectl starform render: the desired state in, the gateway layer's manifests out.

#include <cstdio>
#include <memory>
#include <string>

#include "cmd/command.h"
#include "cmd/input.h"
#include "cmd/output.h"
#include "plan/desired_state.h"
#include "plan/render.h"

namespace starform {

namespace {

struct RenderOptions {
  std::string filename;
  std::string output = "yaml";
};

int RunRender(const RenderOptions& options) {
  std::string text, error;
  if (!ReadInput(options.filename, &text, &error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return kExitError;
  }
  DesiredState state;
  Diagnostics diags(InputName(options.filename));
  bool ok = LoadDesiredState(text, InputName(options.filename), &state, &diags);
  std::fputs(diags.ToString().c_str(), stderr);
  if (!ok)
    return kExitError;

  std::vector<nlohmann::json> objects = Render(state);
  if (options.output == "json") {
    WriteJsonList(objects, stdout);
  } else {
    WriteYamlStream(objects, stdout);
  }
  return kExitOk;
}

}  // namespace

Command AddRenderCommand(CLI::App& root, const GlobalOptions&) {
  auto options = std::make_shared<RenderOptions>();
  Command command;
  command.app = root.add_subcommand(
      "render", "Print the Gateway API and Envoy Gateway objects a desired state renders to");
  command.app->add_option("-f,--filename", options->filename, "Desired state file (- for stdin)")
      ->required();
  command.app->add_option("-o,--output", options->output, "Output format: yaml or json")
      ->check(CLI::IsMember({"yaml", "json"}));
  command.run = [options] { return RunRender(*options); };
  return command;
}

}  // namespace starform
