#include "cmd/planning.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <future>
#include <map>
#include <optional>
#include <set>

#include "cmd/input.h"
#include "kube/dry_runner.h"
#include "plan/desired_state.h"
#include "plan/planner.h"
#include "plan/readiness.h"
#include "plan/render.h"
#include "plan/sha256.h"

namespace starform {

namespace {

std::string NowRfc3339() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

// The index N of a diagnostic about apps[N], or nullopt for one about anything else.
std::optional<size_t> AppIndexOf(const Diagnostic& diagnostic) {
  const std::string& path = diagnostic.path;
  if (path.rfind("apps[", 0) != 0)
    return std::nullopt;
  size_t end = path.find(']');
  if (end == std::string::npos)
    return std::nullopt;
  return static_cast<size_t>(std::stoul(path.substr(5, end - 5)));
}

// With --skip-invalid-apps: the state without the apps that have errors, which are recorded
// as skipped and frozen. False when an error is not about one app, or the rest is not valid.
bool SetAsideInvalidApps(const Diagnostics& diags, DesiredState* state, PlanOptions* options,
                         std::string* messages) {
  std::map<size_t, std::vector<std::string>> invalid;
  for (const Diagnostic& diagnostic : diags.all()) {
    if (diagnostic.severity != Diagnostic::Severity::kError)
      continue;
    std::optional<size_t> index = AppIndexOf(diagnostic);
    if (!index || *index >= state->apps.size())
      return false;
    invalid[*index].push_back(diagnostic.ToString());
  }
  std::vector<App> kept;
  for (size_t i = 0; i < state->apps.size(); ++i) {
    App& app = state->apps[i];
    auto errors = invalid.find(i);
    if (errors == invalid.end()) {
      kept.push_back(std::move(app));
      continue;
    }
    options->skipped_apps.push_back(
        {app.namespace_.value, app.name.value, std::move(errors->second)});
    for (const char* kind : {"HTTPRoute", "SecurityPolicy"})
      options->frozen.insert({kind, app.namespace_.value, app.name.value});
  }
  state->apps = std::move(kept);
  Diagnostics again(diags.file());
  if (!ValidateDesiredState(*state, &again)) {
    *messages += again.ToString();
    return false;
  }
  return true;
}

// The desired side of a plan: the state loaded, validated and rendered. Its messages are
// printed by the caller, so that nothing interleaves with the cluster side's.
struct DesiredSide {
  bool ok = false;
  std::string messages;  ///< diagnostics (warnings, or the errors that make it not ok)
  DesiredState state;
  std::vector<nlohmann::json> rendered;
  ReadScope scope;
  PlanOptions plan_options;  ///< the caller's, with the apps --skip-invalid-apps set aside
  std::string digest;        ///< of the document as read
};

DesiredSide LoadAndRenderUnguarded(const PlanningOptions& options, std::string text,
                                   PlanOptions plan_options) {
  DesiredSide side;
  side.plan_options = std::move(plan_options);
  side.digest = Sha256Digest(text);
  Diagnostics diags(InputName(options.filename));
  side.ok = LoadDesiredState(text, InputName(options.filename), &side.state, &diags);
  // At 10,000 apps the document is megabytes the live read can use instead.
  text = std::string();
  side.messages = diags.ToString();
  if (!side.ok && options.skip_invalid_apps) {
    side.ok = SetAsideInvalidApps(diags, &side.state, &side.plan_options, &side.messages);
    if (!side.ok)
      side.messages +=
          "error: --skip-invalid-apps sets aside only apps with errors of their own; the errors "
          "above are not all of that kind\n";
  }
  if (!side.ok)
    return side;
  side.rendered = Render(side.state);
  side.scope = ReadScopeOf(side.state, side.rendered);
  return side;
}

// On its own thread an exception would end the process from inside the cluster reads: it is
// reported as the desired side's error instead.
DesiredSide LoadAndRender(const PlanningOptions& options, std::string text,
                          PlanOptions plan_options) {
  try {
    return LoadAndRenderUnguarded(options, std::move(text), std::move(plan_options));
  } catch (const std::exception& e) {
    DesiredSide failed;
    failed.messages = std::string("error: loading the desired state: ") + e.what() + "\n";
    return failed;
  }
}

// Under this size a desired state loads in milliseconds: it is loaded before the cluster is
// contacted, so that a bad file is reported at once even when the cluster is slow to answer.
// A larger one loads on its own thread while the cluster is read.
constexpr size_t kLoadAloneBelowBytes = 256 * 1024;

std::vector<std::string> RenderedKindNames() {
  std::vector<std::string> names;
  for (const RenderedKind& kind : RenderedKinds())
    names.push_back(kind.kind);
  return names;
}

LiveSeen SeenBy(const kube::LiveRead& live) {
  LiveSeen seen;
  for (const auto& [name, labels] : live.state.facts.namespaces)
    seen.namespaces.insert(name);
  seen.applyset_parent = live.applyset_parent;
  return seen;
}

}  // namespace

void PlanningOptions::AddTo(CLI::App* app, bool filename_required) {
  CLI::Option* file =
      app->add_option("-f,--filename", filename, "Desired state file (- for stdin)");
  if (filename_required)
    file->required();
  planning_flags = {
      file,
      app->add_flag("--adopt", adopt,
                    "Take over existing objects at desired names that starform does not manage"),
      app->add_option("--target", targets,
                      "Plan only this object, KIND/NAMESPACE/NAME (repeatable)")
          ->take_all(),
      app->add_flag("--skip-invalid-apps", skip_invalid_apps,
                    "Leave apps with errors as they are live, plan the rest, and still exit 1"),
      app->add_option("--server-dry-run", server_dry_run,
                      "Confirm each change with a server-side dry run (default true)")
          ->default_str("true"),
  };
  connection.AddTo(app);
}

bool PlanningOptions::AnyGiven() const {
  for (const CLI::Option* option : planning_flags)
    if (option->count() > 0)
      return true;
  return false;
}

bool PlanFails(const Plan& plan) {
  return !plan.errors.empty() || !plan.skipped_apps.empty();
}

bool MakePlan(const PlanningOptions& options, const GlobalOptions& globals, Planned* out) {
  PlanOptions plan_options;
  plan_options.adopt = options.adopt;
  plan_options.live_digests = options.live_digests;
  std::vector<std::string> kinds = RenderedKindNames();
  for (const std::string& text : options.targets) {
    ObjectKey target;
    std::string error;
    if (!ParseTarget(text, kinds, &target, &error)) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return false;
    }
    plan_options.targets.push_back(target);
  }

  std::string text;
  std::string error;
  if (!ReadInput(options.filename, &text, &error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return false;
  }
  size_t size = text.size();
  std::future<DesiredSide> loading = std::async(std::launch::async, LoadAndRender,
                                                std::cref(options), std::move(text), plan_options);
  std::optional<DesiredSide> side;
  auto take_side = [&]() -> bool {
    if (!side) {
      side = loading.get();
      std::fputs(side->messages.c_str(), stderr);
    }
    return side->ok;
  };
  if (size < kLoadAloneBelowBytes && !take_side())
    return false;

  // The cluster side. Its failures are reported after the desired state's own.
  std::string cluster_error;
  kube::ResolvedConfig resolved;
  out->client = options.connection.Connect(globals, &resolved, &cluster_error);
  std::optional<kube::LiveReader> reader;
  if (out->client && kube::Preflight(*out->client, &out->apis, &cluster_error)) {
    reader.emplace(*out->client, out->apis);
    reader->ReadUnscoped([&]() -> const ReadScope* {
      if (!side && loading.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
        return nullptr;
      if (take_side())
        return &side->scope;
      out->client->StopStarting();  // the plan is over: no need to wait for more reads
      return nullptr;
    });
  }
  if (!take_side())
    return false;
  kube::LiveRead live;
  if (reader && !reader->Finish(side->scope, &live, &cluster_error))
    reader.reset();
  if (!reader) {
    std::fprintf(stderr, "error: %s\n", cluster_error.c_str());
    return false;
  }
  const DesiredState& state = side->state;
  if (std::optional<std::string> guard = ClusterGuardError(state.cluster.value, live.state.facts)) {
    std::fprintf(stderr, "error: %s\n", guard->c_str());
    return false;
  }
  std::vector<std::string> readiness = ReadinessWarnings(state, live.state.facts);
  out->seen = SeenBy(live);
  PlanOrigin origin;
  origin.tool_version = STARFORM_VERSION;
  origin.cluster = state.cluster.value;
  origin.server = out->client->config().host;
  origin.cluster_identity = live.cluster_identity;
  origin.revision = state.revision.value;
  origin.source = InputName(options.filename);
  origin.desired_digest = side->digest;
  origin.created = NowRfc3339();
  std::vector<nlohmann::json> desired = std::move(side->rendered);
  plan_options = std::move(side->plan_options);
  // The desired state is not needed past this point; at 10,000 apps it is tens of megabytes.
  side.reset();

  Planner planner(std::move(desired), std::move(live.state), std::move(plan_options));
  if (options.server_dry_run)
    kube::ConfirmByDryRun(*out->client, out->apis, planner);

  out->plan = planner.Finish(std::move(origin));
  out->plan.warnings.insert(out->plan.warnings.begin(), readiness.begin(), readiness.end());
  return true;
}

bool MakeDestroyPlan(std::unique_ptr<kube::Client> client, Planned* out) {
  std::string error;
  out->client = std::move(client);
  kube::LiveRead live;
  // With nothing desired, the reader keeps exactly the owned objects.
  if (!kube::Preflight(*out->client, &out->apis, &error) ||
      !kube::ReadLive(*out->client, out->apis, ReadScope{}, &live, &error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return false;
  }
  out->seen = SeenBy(live);
  PlanOrigin origin;
  origin.tool_version = STARFORM_VERSION;
  origin.cluster = live.state.facts.served_cluster.value_or("");
  origin.server = out->client->config().host;
  origin.cluster_identity = live.cluster_identity;
  origin.source = "kubectl starform destroy";
  origin.created = NowRfc3339();
  Planner planner({}, std::move(live.state), PlanOptions{});
  out->plan = planner.Finish(std::move(origin));
  return true;
}

}  // namespace starform
