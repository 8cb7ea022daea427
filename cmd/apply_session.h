#pragma once

// What apply and destroy share around their plans: the stop signals, Terraform's confirmation
// prompt after a banner naming where the actions go, the apply lock, and the writes themselves
// (namespaces, the ApplySet parent, the program with progress, the report, the lock released).

#include <memory>
#include <optional>
#include <string>

#include "cmd/apply_report.h"
#include "cmd/command.h"
#include "cmd/connection.h"
#include "cmd/planning.h"
#include "kube/lease_lock.h"
#include "kube/rest_config.h"

namespace starform {

/// From here on SIGINT and SIGTERM stop new writes (and interrupt a prompt) instead of
/// killing the process.
void CatchStopSignals();
/// The stop signal that arrived, or 0.
int StopSignal();

/// Terraform's question: "Do you want to perform these actions?" and its explanation, then
/// "Only 'yes' will be accepted to <approve or confirm>." Only "yes" answers yes; a stop signal
/// at the prompt answers no.
struct Question {
  std::string ask;
  std::string explain;        ///< one or more lines, each indented by two spaces
  std::string accepted_verb;  ///< "approve" or "confirm"
  std::string cancelled;      ///< printed on any other answer: "Apply cancelled."
};

/// Prints |question| and reads the answer from stdin.
bool Ask(const Question& question);

/// Prints the banner (context, server, cluster and revision) and |question|, and reads the
/// answer from stdin.
bool Confirmed(const Plan& plan, const std::string& context, const Question& question);

/// Asks |question| after the banner when |ask|. Returns the exit code to stop with before any
/// write (1 after printing question.cancelled; 128 + the signal when a stop signal came), or
/// nullopt to go on.
std::optional<int> StopBeforeWriting(const Plan& plan, const std::string& context, bool ask,
                                     const Question& question);

/// Prints |plan| as text (in colour on a terminal); with |output| json only its errors, on stderr.
void PrintPlan(const Plan& plan, const std::string& output, const GlobalOptions& globals);

/// Whether stdin is a terminal a question can be asked on.
bool CanAsk();

struct LockSettings {
  double timeout_seconds = 0;  ///< --lock-timeout
  int duration_seconds = 60;   ///< --lock-duration (hidden; renewed every third of it)
};

/// Adds --lock-timeout and the hidden --lock-duration to |app|.
void AddLockOptions(CLI::App* app, LockSettings* settings);

/// Takes the apply lock on the cluster |resolved| names. Null after printing why.
std::unique_ptr<kube::LeaseLock> TakeLock(const kube::ResolvedConfig& resolved,
                                          const ConnectionOptions& connection,
                                          const GlobalOptions& globals,
                                          const LockSettings& settings);

struct WriteSettings {
  size_t parallelism = 16;
  bool force_conflicts = false;
  ReportMode mode = ReportMode::kLines;
  ReportVerb verb = ReportVerb::kApply;
};

/// Writes |planned|'s plan under |lock| and reports it; returns the exit code. Releases the
/// lock.
int WritePlan(Planned& planned, kube::LeaseLock& lock, const WriteSettings& settings);

/// The report mode for "-o text|json" on this process's stdout.
ReportMode ReportModeFor(const std::string& output);

}  // namespace starform
