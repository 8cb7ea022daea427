// kubectl starform destroy: deletes every object starform manages in the cluster's gateway
// layer, as terraform destroy does, after the same confirmation, under the same lock and in the
// same order as apply (an HTTPRoute before its SecurityPolicy).

#include <cstdio>
#include <memory>
#include <string>

#include "cmd/apply_session.h"

namespace starform {

namespace {

struct DestroyCommandOptions {
  ConnectionOptions connection;
  bool auto_approve = false;
  std::string output = "text";
  LockSettings lock;
  size_t parallelism = 16;
};

// Terraform's, with the explanation in starform's words.
const Question kDestroyQuestion{
    "Do you really want to destroy all resources?",
    "  kubectl starform will destroy every object it manages in this cluster's gateway layer,\n"
    "  as shown above. There is no undo.",
    "confirm", "Destroy cancelled."};

int RunDestroy(DestroyCommandOptions options, const GlobalOptions& globals) {
  if (!options.auto_approve && (options.output == "json" || !CanAsk())) {
    std::fprintf(stderr, "error: %s\n",
                 options.output == "json"
                     ? "-o json cannot prompt for confirmation: pass --auto-approve"
                     : "no terminal to ask for confirmation on: pass --auto-approve to destroy "
                       "without asking");
    return kExitError;
  }
  CatchStopSignals();
  std::string error;
  kube::ResolvedConfig resolved;
  std::unique_ptr<kube::Client> client = options.connection.Connect(globals, &resolved, &error);
  if (!client) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return kExitError;
  }
  std::unique_ptr<kube::LeaseLock> lock =
      TakeLock(resolved, options.connection, globals, options.lock);
  if (!lock)
    return kExitError;
  Planned planned;
  if (!MakeDestroyPlan(std::move(client), &planned))
    return kExitError;
  const Plan& plan = planned.plan;
  PrintPlan(plan, options.output, globals);
  if (PlanFails(plan))
    return kExitError;
  if (!plan.HasChanges())
    return kExitOk;  // nothing owned: nothing to write, not even the parent
  if (std::optional<int> stop = StopBeforeWriting(plan, resolved.rest.context_name,
                                                  !options.auto_approve, kDestroyQuestion))
    return *stop;
  if (!options.auto_approve)
    planned.seen.reset();  // minutes may have passed at the prompt: look again before writing
  WriteSettings settings;
  settings.parallelism = options.parallelism;
  settings.mode = ReportModeFor(options.output);
  settings.verb = ReportVerb::kDestroy;
  return WritePlan(planned, *lock, settings);
}

}  // namespace

Command AddDestroyCommand(CLI::App& root, const GlobalOptions& globals) {
  auto options = std::make_shared<DestroyCommandOptions>();
  Command command;
  command.app = root.add_subcommand(
      "destroy", "Delete every object starform manages in the cluster's gateway layer");
  options->connection.AddTo(command.app);
  command.app->add_flag("--auto-approve", options->auto_approve,
                        "Destroy without asking for confirmation");
  command.app->add_option("-o,--output", options->output, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  AddLockOptions(command.app, &options->lock);
  command.app
      ->add_option("--parallelism", options->parallelism,
                   "Deletes in flight at once within a stage (default 16)")
      ->check(CLI::Range(1, 256));
  command.run = [options, &globals] { return RunDestroy(*options, globals); };
  return command;
}

}  // namespace starform
