// kubectl starform apply: makes the cluster's gateway layer match the plan — planned here and
// confirmed at the prompt, or saved by `plan --out` — under the apply lock, in the apply
// program's order, and reports what it did.

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cmd/apply_session.h"
#include "cmd/plan_file_io.h"
#include "plan/apply_program.h"
#include "plan/plan_file.h"

namespace starform {

namespace {

struct ApplyCommandOptions {
  PlanningOptions planning;
  std::string plan_file;
  bool auto_approve = false;
  std::string output = "text";
  LockSettings lock;
  size_t parallelism = 16;
  bool force_conflicts = false;
  bool allow_empty = false;
  std::optional<size_t> max_destroy;
};

bool Usage(const ApplyCommandOptions& options, bool interactive, std::string* error) {
  if (!options.plan_file.empty() && options.planning.AnyGiven()) {
    *error =
        "a saved plan is applied exactly as it was made: -f, --adopt, --target, "
        "--skip-invalid-apps and --server-dry-run cannot be used with it";
  } else if (options.plan_file.empty() && options.planning.filename.empty()) {
    *error = "apply needs the desired state (-f FILE) or a plan saved by `plan --out`";
  } else if (options.plan_file.empty() && !options.auto_approve && options.output == "json") {
    *error = "-o json cannot prompt for approval: apply a saved plan, or pass --auto-approve";
  } else if (options.plan_file.empty() && !options.auto_approve && !interactive) {
    *error =
        "no terminal to ask for approval on: pass --auto-approve to apply without asking, "
        "or apply a plan saved by `plan --out`";
  } else {
    return true;
  }
  return false;
}

// Terraform's (../shared/notes/plan-apply-anchors.md §1.4).
const Question kApplyQuestion{"Do you want to perform these actions?",
                              "  kubectl starform will perform the actions described above.",
                              "approve", "Apply cancelled."};

// The saved plan at |path|, checked against the cluster |planned->client| serves: the same
// cluster, and every object as the plan saw it.
bool LoadSavedPlan(const std::string& path, Planned* planned) {
  std::string error;
  if (!ReadPlanFile(path, &planned->plan, &error) ||
      !kube::Preflight(*planned->client, &planned->apis, &error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return false;
  }
  const Plan& plan = planned->plan;
  kube::Result<nlohmann::json> system =
      planned->client->Get({"", "v1", "namespaces", false}, "", "kube-system");
  std::vector<ObjectKey> keys;
  for (const ResourceChange& change : plan.resources)
    keys.push_back(change.key);
  LiveDigests now;
  if (!system || !kube::ReadDigests(*planned->client, planned->apis, keys, &now, &error)) {
    std::fprintf(stderr, "error: %s\n",
                 system ? error.c_str()
                        : ("reading namespace kube-system: " + system.error().Describe()).c_str());
    return false;
  }
  std::vector<std::string> stale = StaleReasons(plan, planned->client->config().host,
                                                system.value()["metadata"].value("uid", ""), now);
  for (const std::string& reason : stale)
    std::fprintf(stderr, "error: %s\n", reason.c_str());
  if (!stale.empty())
    std::fprintf(stderr, "Make a new plan with `kubectl starform plan --out`, then apply it.\n");
  return stale.empty();
}

int RunApply(ApplyCommandOptions options, const GlobalOptions& globals) {
  std::string error;
  if (!Usage(options, CanAsk(), &error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return kExitError;
  }
  CatchStopSignals();
  kube::ResolvedConfig resolved;
  std::unique_ptr<kube::Client> probe =
      options.planning.connection.Connect(globals, &resolved, &error);
  if (!probe) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return kExitError;
  }
  std::unique_ptr<kube::LeaseLock> lock =
      TakeLock(resolved, options.planning.connection, globals, options.lock);
  if (!lock)
    return kExitError;

  Planned planned;
  options.planning.live_digests = true;
  if (!options.plan_file.empty()) {
    planned.client = std::move(probe);
    if (!LoadSavedPlan(options.plan_file, &planned))
      return kExitError;
  } else if (!MakePlan(options.planning, globals, &planned)) {
    return kExitError;
  }
  const Plan& plan = planned.plan;
  PrintPlan(plan, options.output, globals);
  if (PlanFails(plan))
    return kExitError;
  SafetyRails rails{options.allow_empty, options.max_destroy};
  size_t apps = 0;
  for (const ResourceChange& change : plan.resources)
    apps += change.key.kind == "HTTPRoute" && change.action != Action::kDelete;
  std::vector<std::string> refusals = SafetyRefusals(plan, apps, rails);
  for (const std::string& refusal : refusals)
    std::fprintf(stderr, "error: %s\n", refusal.c_str());
  if (!refusals.empty())
    return kExitError;
  bool ask = plan.HasChanges() && options.plan_file.empty() && !options.auto_approve;
  if (std::optional<int> stop =
          StopBeforeWriting(plan, resolved.rest.context_name, ask, kApplyQuestion))
    return *stop;
  if (ask)
    planned.seen.reset();  // minutes may have passed at the prompt: look again before writing
  WriteSettings settings;
  settings.parallelism = options.parallelism;
  settings.force_conflicts = options.force_conflicts;
  settings.mode = ReportModeFor(options.output);
  return WritePlan(planned, *lock, settings);
}

}  // namespace

Command AddApplyCommand(CLI::App& root, const GlobalOptions& globals) {
  auto options = std::make_shared<ApplyCommandOptions>();
  Command command;
  command.app = root.add_subcommand(
      "apply", "Make the cluster's gateway layer match the desired state, or a saved plan");
  options->planning.AddTo(command.app, /*filename_required=*/false);
  command.app->add_option("planfile", options->plan_file,
                          "A plan saved by `kubectl starform plan --out`");
  command.app->add_flag("--auto-approve", options->auto_approve,
                        "Apply without asking for approval");
  command.app->add_option("-o,--output", options->output, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  AddLockOptions(command.app, &options->lock);
  command.app
      ->add_option("--parallelism", options->parallelism,
                   "Writes in flight at once within a stage (default 16)")
      ->check(CLI::Range(1, 256));
  command.app->add_flag("--force-conflicts", options->force_conflicts,
                        "Take adopted objects' fields from other managers");
  command.app->add_flag("--allow-empty", options->allow_empty,
                        "Apply a desired state without apps (removes every app)");
  command.app->add_option("--max-destroy", options->max_destroy,
                          "Most objects apply may delete (default 10% of those it owns, at "
                          "least 5)");
  command.run = [options, &globals] { return RunApply(*options, globals); };
  return command;
}

}  // namespace starform
