// kubectl starform plan: what apply would change, object by object and field by field, as text
// (Terraform's manner), JSON or Markdown; optionally saved for apply.

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cmd/command.h"
#include "cmd/plan_file_io.h"
#include "cmd/planning.h"
#include "plan/plan_file.h"
#include "plan/plan_output.h"

namespace starform {

namespace {

struct PlanCommandOptions {
  PlanningOptions planning;
  std::string output = "text";
  bool diff = false;
  bool detailed_exitcode = false;
  std::string out;
};

int RunPlan(PlanCommandOptions options, const GlobalOptions& globals) {
  options.planning.live_digests = !options.out.empty();
  Planned planned;
  if (!MakePlan(options.planning, globals, &planned))
    return kExitError;
  const Plan& plan = planned.plan;
  if (options.output == "json") {
    std::fputs(FormatJsonDocument(PlanToJson(plan)).c_str(), stdout);
  } else if (options.output == "markdown") {
    std::fputs(RenderPlanMarkdown(plan).c_str(), stdout);
  } else {
    TextOutputOptions text;
    text.color = !globals.no_color && isatty(STDOUT_FILENO);
    text.diff = options.diff;
    std::fputs(RenderPlanText(plan, text).c_str(), stdout);
  }
  bool fails = PlanFails(plan);
  if (!options.out.empty()) {
    if (fails) {
      std::fprintf(stderr, "error: the plan has errors; %s was not written\n", options.out.c_str());
      return kExitError;
    }
    std::string error;
    if (!WritePlanFile(options.out, PlanFileDocument(plan), &error)) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return kExitError;
    }
    if (options.output == "text")
      std::printf(
          "\nSaved the plan to: %s\n\nTo perform exactly these actions, run:\n"
          "    kubectl starform apply %s\n",
          options.out.c_str(), options.out.c_str());
  } else if (options.output == "text" && plan.HasChanges() && !fails) {
    std::printf(
        "\nNote: You didn't use the --out option to save this plan, so starform can't "
        "guarantee to take exactly these actions if you run \"kubectl starform apply\" now.\n");
  }
  if (fails)
    return kExitError;
  if (options.detailed_exitcode && plan.HasChanges())
    return kExitChanges;
  return kExitOk;
}

}  // namespace

Command AddPlanCommand(CLI::App& root, const GlobalOptions& globals) {
  auto options = std::make_shared<PlanCommandOptions>();
  Command command;
  command.app = root.add_subcommand(
      "plan", "Show what apply would change in the cluster's gateway layer, without changing it");
  options->planning.AddTo(command.app);
  command.app->add_option("-o,--output", options->output, "Output format: text, json or markdown")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  command.app->add_flag("--diff", options->diff,
                        "Under each changed object, a unified diff of its YAML");
  command.app->add_flag("--detailed-exitcode", options->detailed_exitcode,
                        "Exit 0 without changes, 2 with changes, 1 on error");
  command.app->add_option("--out", options->out,
                          "Save the plan to this file (mode 0600) for `kubectl starform apply`");
  command.run = [options, &globals] { return RunPlan(*options, globals); };
  return command;
}

}  // namespace starform
