#include "cmd/planning.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <set>

#include <openssl/sha.h>

#include "cmd/input.h"
#include "kube/dry_runner.h"
#include "plan/desired_state.h"
#include "plan/planner.h"
#include "plan/readiness.h"
#include "plan/render.h"

namespace starform {

namespace {

std::string Sha256Hex(const std::string& text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest;
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  std::string hex = "sha256:";
  char buffer[3];
  for (unsigned char byte : digest) {
    std::snprintf(buffer, sizeof buffer, "%02x", byte);
    hex += buffer;
  }
  return hex;
}

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
bool SetAsideInvalidApps(const Diagnostics& diags, DesiredState* state, PlanOptions* options) {
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
    std::fputs(again.ToString().c_str(), stderr);
    return false;
  }
  return true;
}

bool LoadState(const PlanningOptions& options, std::string* text, DesiredState* state,
               PlanOptions* plan_options) {
  std::string error;
  if (!ReadInput(options.filename, text, &error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return false;
  }
  Diagnostics diags(InputName(options.filename));
  bool ok = LoadDesiredState(*text, InputName(options.filename), state, &diags);
  std::fputs(diags.ToString().c_str(), stderr);
  if (ok)
    return true;
  if (!options.skip_invalid_apps)
    return false;
  if (!SetAsideInvalidApps(diags, state, plan_options)) {
    std::fprintf(stderr,
                 "error: --skip-invalid-apps sets aside only apps with errors of their own; "
                 "the errors above are not all of that kind\n");
    return false;
  }
  return true;
}

std::vector<std::string> RenderedKindNames() {
  std::vector<std::string> names;
  for (const RenderedKind& kind : RenderedKinds())
    names.push_back(kind.kind);
  return names;
}

}  // namespace

void PlanningOptions::AddTo(CLI::App* app) {
  app->add_option("-f,--filename", filename, "Desired state file (- for stdin)")->required();
  app->add_flag("--adopt", adopt,
                "Take over existing objects at desired names that starform does not manage");
  app->add_option("--target", targets, "Plan only this object, KIND/NAMESPACE/NAME (repeatable)")
      ->take_all();
  app->add_flag("--skip-invalid-apps", skip_invalid_apps,
                "Leave apps with errors as they are live, plan the rest, and still exit 1");
  app->add_option("--server-dry-run", server_dry_run,
                  "Confirm each change with a server-side dry run (default true)")
      ->default_str("true");
  connection.AddTo(app);
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
  DesiredState state;
  if (!LoadState(options, &text, &state, &plan_options))
    return false;
  std::vector<nlohmann::json> desired = Render(state);

  kube::ResolvedConfig resolved;
  out->client = options.connection.Connect(globals, &resolved);
  if (!out->client)
    return false;
  kube::Client& client = *out->client;
  std::string error;
  if (!kube::Preflight(client, &out->apis, &error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return false;
  }
  std::set<ObjectKey> keys;
  for (const nlohmann::json& object : desired)
    keys.insert({object["apiVersion"], object["kind"], object["metadata"]["namespace"],
                 object["metadata"]["name"]});
  LiveSorter sorter(std::move(keys), state.gateway.namespace_.value, state.gateway.name.value);
  kube::LiveRead live;
  if (!kube::ReadLive(client, out->apis, sorter, state, &live, &error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return false;
  }
  if (std::optional<std::string> guard = ClusterGuardError(state.cluster.value, live.state.facts)) {
    std::fprintf(stderr, "error: %s\n", guard->c_str());
    return false;
  }
  std::vector<std::string> readiness = ReadinessWarnings(state, live.state.facts);
  PlanOrigin origin;
  origin.tool_version = STARFORM_VERSION;
  origin.cluster = state.cluster.value;
  origin.server = client.config().host;
  origin.cluster_identity = live.cluster_identity;
  origin.revision = state.revision.value;
  origin.source = InputName(options.filename);
  origin.desired_digest = Sha256Hex(text);
  origin.created = NowRfc3339();
  // The document is not needed past this point; at 10,000 apps it is tens of megabytes.
  state = DesiredState();
  text = std::string();

  Planner planner(std::move(desired), std::move(live.state), std::move(plan_options));
  if (options.server_dry_run)
    kube::ConfirmByDryRun(client, out->apis, planner);

  out->plan = planner.Finish(std::move(origin));
  out->plan.warnings.insert(out->plan.warnings.begin(), readiness.begin(), readiness.end());
  return true;
}

}  // namespace starform
