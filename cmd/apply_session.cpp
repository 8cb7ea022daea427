#include "cmd/apply_session.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>

#include "kube/env.h"
#include "plan/plan_output.h"

namespace starform {

namespace {

std::atomic<int> g_signal{0};

void OnSignal(int signal_number) {
  g_signal = signal_number;
}

std::string GatewayNamespaceOf(const Plan& plan) {
  for (const ResourceChange& change : plan.resources)
    if (change.key.kind == "Gateway" && change.action != Action::kDelete)
      return change.key.ns;
  return "";
}

ApplySetContents NextContents(const Plan& plan) {
  std::vector<ObjectKey> keys;
  for (const ResourceChange& change : plan.resources)
    if (change.action != Action::kDelete)
      keys.push_back(change.key);
  return ContentsOf(keys);
}

int Release(kube::LeaseLock& lock, int code) {
  std::string error;
  if (!lock.Release(&error))
    std::fprintf(stderr, "warning: releasing the apply lock: %s\n", error.c_str());
  return code;
}

}  // namespace

void CatchStopSignals() {
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  // No SA_RESTART: a read at the prompt returns at once.
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int StopSignal() {
  return g_signal.load();
}

bool CanAsk() {
  return isatty(STDIN_FILENO) != 0;
}

bool Ask(const Question& question) {
  std::printf("\n%s\n%s\n  Only 'yes' will be accepted to %s.\n\n  Enter a value: ",
              question.ask.c_str(), question.explain.c_str(), question.accepted_verb.c_str());
  std::fflush(stdout);
  char line[64] = {};
  std::string answer = std::fgets(line, sizeof line, stdin) != nullptr ? line : "";
  while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r'))
    answer.pop_back();
  return answer == "yes" && g_signal == 0;
}

bool Confirmed(const Plan& plan, const std::string& context, const Question& question) {
  std::string cluster = plan.origin.cluster.empty() ? "(not recorded)" : plan.origin.cluster;
  if (!plan.origin.revision.empty())
    cluster += ", revision " + plan.origin.revision;
  std::printf("\n  Context:  %s\n  Server:   %s\n  Cluster:  %s\n", context.c_str(),
              plan.origin.server.c_str(), cluster.c_str());
  return Ask(question);
}

std::optional<int> StopBeforeWriting(const Plan& plan, const std::string& context, bool ask,
                                     const Question& question) {
  if (ask && !Confirmed(plan, context, question) && g_signal == 0) {
    std::printf("\n%s\n", question.cancelled.c_str());
    return kExitError;
  }
  if (g_signal != 0)
    return 128 + g_signal;
  return std::nullopt;
}

void PrintPlan(const Plan& plan, const std::string& output, const GlobalOptions& globals) {
  if (output == "json") {
    // The result document comes only after writing: a plan that stops here is told on stderr.
    for (const std::string& error : plan.errors)
      std::fprintf(stderr, "error: %s\n", error.c_str());
    for (const SkippedApp& app : plan.skipped_apps)
      std::fprintf(stderr, "error: app %s/%s has errors and was skipped\n", app.ns.c_str(),
                   app.name.c_str());
    return;
  }
  TextOutputOptions text;
  text.color = !globals.no_color && isatty(STDOUT_FILENO);
  std::fputs(RenderPlanText(plan, text).c_str(), stdout);
}

void AddLockOptions(CLI::App* app, LockSettings* settings) {
  app->add_option("--lock-timeout", settings->timeout_seconds,
                  "Seconds to wait for the apply lock held by another apply (default 0)");
  // For tests of takeover and lost locks: a lease this long, renewed every third of it.
  app->add_option("--lock-duration", settings->duration_seconds)
      ->check(CLI::Range(3, 3600))
      ->group("");
}

std::unique_ptr<kube::LeaseLock> TakeLock(const kube::ResolvedConfig& resolved,
                                          const ConnectionOptions& connection,
                                          const GlobalOptions& globals,
                                          const LockSettings& settings) {
  kube::LeaseLockOptions options;
  options.holder_identity = kube::DefaultHolderIdentity();
  options.lease_duration = std::chrono::seconds(settings.duration_seconds);
  options.renew_interval = std::chrono::milliseconds(settings.duration_seconds * 1000 / 3);
  options.timeout =
      std::chrono::milliseconds(static_cast<long long>(settings.timeout_seconds * 1000));
  kube::ClientOptions client_options = connection.ClientOptionsFor(globals);
  // An interactive credential plugin must never compete with the prompt for the terminal: the
  // lock's clients (one renews on its own thread) run it without one.
  client_options.stdin_is_terminal = false;
  auto lock = std::make_unique<kube::LeaseLock>(resolved.rest, kube::SystemEnv(),
                                                std::move(client_options), options);
  std::string error;
  if (!lock->Acquire(&error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return nullptr;
  }
  return lock;
}

ReportMode ReportModeFor(const std::string& output) {
  if (output == "json")
    return ReportMode::kJson;
  return isatty(STDOUT_FILENO) ? ReportMode::kProgress : ReportMode::kLines;
}

int WritePlan(Planned& planned, kube::LeaseLock& lock, const WriteSettings& settings) {
  const Plan& plan = planned.plan;
  std::string error;
  // What the plan read is only as good as the lock it was read under: lost while planning,
  // another apply may have taken it and written the parent since.
  if (lock.lost()) {
    std::fprintf(stderr, "error: the apply lock was lost before the first write: %s\n",
                 lock.LostReason().c_str());
    return Release(lock, kExitError);
  }
  const LiveSeen* seen = planned.seen ? &*planned.seen : nullptr;
  if (!EnsureNamespaces(*planned.client, GatewayNamespaceOf(plan), seen, &error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return Release(lock, kExitError);
  }
  ApplyProgram program = ProgramOf(plan);
  ApplyProgress progress(plan, program, settings.mode, settings.verb);
  ApplyRun run;
  run.next = NextContents(plan);
  run.stamp = {plan.origin.cluster, plan.origin.revision, plan.origin.source};
  run.run.parallelism = settings.parallelism;
  run.run.force_conflicts = settings.force_conflicts;
  run.run.stopping = [&lock] { return g_signal != 0 || lock.lost(); };
  run.run.on_result = [&progress](const kube::WriteResult& result) { progress.OnResult(result); };
  ApplyOutcome outcome = ApplyPlan(*planned.client, planned.apis, plan, run, seen);
  progress.Finish();
  if (lock.lost())
    outcome.errors.push_back("the apply lock was lost: " + lock.LostReason());
  int code = ReportOutcome(plan, program, outcome, settings.mode, settings.verb, g_signal);
  return Release(lock, code);
}

}  // namespace starform
