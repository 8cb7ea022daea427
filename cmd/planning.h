#pragma once

// Making a plan, shared by `plan` and `apply`: read and validate the desired state (setting
// aside invalid apps with --skip-invalid-apps), render it, connect, check the cluster serves the
// rendered kinds and is the cluster the state is for, read the live layer, diff, confirm by
// server-side dry run, and add readiness warnings. Problems are printed as "error: ..." on
// stderr; the plan's own errors stay in the plan for its output to show.

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cmd/command.h"
#include "cmd/connection.h"
#include "kube/client.h"
#include "kube/live_reader.h"
#include "plan/plan.h"

namespace starform {

struct PlanningOptions {
  std::string filename;
  bool adopt = false;
  std::vector<std::string> targets;
  bool skip_invalid_apps = false;
  bool server_dry_run = true;
  bool live_digests = true;  ///< for a saved plan (plan --out, apply)
  ConnectionOptions connection;

  /// Adds -f, --adopt, --target, --skip-invalid-apps, --server-dry-run and the connection
  /// flags to |app|.
  void AddTo(CLI::App* app, bool filename_required = true);
  /// Whether a planning flag (-f, --adopt, --target, --skip-invalid-apps, --server-dry-run)
  /// was given; a saved plan takes none.
  bool AnyGiven() const;
  std::vector<CLI::Option*> planning_flags;  ///< set by AddTo
};

/// What the plan's live read saw that apply would otherwise read again before its first write.
/// Read under the apply lock, which keeps every other apply out (apply checks the lock is still
/// held before using it); nobody else writes the parent. A namespace deleted meanwhile fails
/// the writes into it, and the next apply, reading afresh, creates it.
struct LiveSeen {
  std::set<std::string> namespaces;  ///< every namespace that existed
  std::optional<nlohmann::json> applyset_parent;
};

struct Planned {
  Plan plan;
  std::unique_ptr<kube::Client> client;  ///< still connected, for apply
  kube::RenderedApis apis;
  /// Set when the plan was made from a live read in this run; not for a saved plan.
  std::optional<LiveSeen> seen;
};

/// Makes the plan. Returns false after printing why when no plan could be made (bad input,
/// no cluster, a read failed, the cluster guard).
bool MakePlan(const PlanningOptions& options, const GlobalOptions& globals, Planned* out);

/// The plan of `destroy`: every object starform owns, deleted (in the reverse of the render
/// order), read through |client|. Needs no desired state: the cluster it names is the one the
/// ApplySet parent records. Returns false after printing why when no plan could be made.
bool MakeDestroyPlan(std::unique_ptr<kube::Client> client, Planned* out);

/// Whether a plan's outcome must make the command fail: it has errors, or apps were skipped.
bool PlanFails(const Plan& plan);

}  // namespace starform
