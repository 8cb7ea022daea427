#pragma once

// The planner decides; it does nothing. Given the rendered objects and what the cluster holds
// (plan/live.h), it makes a draft plan by comparing them on the client; the objects the draft
// would change are then confirmed by a server-side-apply dry run (done by the caller, who has a
// cluster), whose results the planner folds in: a difference the server absorbs (a default of a
// newer CRD, say) is no change, a field the server drops is an error, and a field that cannot
// change in place makes a replacement. As ninja's Plan and Builder split deciding from doing.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/live.h"
#include "plan/plan.h"

namespace starform {

struct PlanOptions {
  bool adopt = false;  ///< take over unowned objects at desired names
  /// Record each live object's LiveContentDigest (a saved plan needs them; printing a plan
  /// does not, and at 10,000 apps they cost a tenth of its time).
  bool live_digests = true;
  /// --target: only these objects are planned (kind matched without regard to case).
  std::vector<ObjectKey> targets;
  /// (kind, namespace, name) of objects left exactly as they are live: the apps skipped by
  /// --skip-invalid-apps.
  std::set<std::tuple<std::string, std::string, std::string>> frozen;
  std::vector<SkippedApp> skipped_apps;
};

/// Parses a --target value, "KIND/NAMESPACE/NAME" (kind in any case, "httproute" or
/// "HTTPRoute"). |kinds| are the rendered kinds; the result carries the kind as spelled there.
bool ParseTarget(const std::string& text, const std::vector<std::string>& kinds, ObjectKey* out,
                 std::string* error);

/// The outcome of a server-side-apply dry run of one object.
struct DryRunOutcome {
  bool ok = false;
  nlohmann::json object;  ///< when ok: the object as the server would store it
  std::string error;      ///< when not ok: the server's refusal, as the user should read it
  /// When not ok because a field cannot change in place: which and why ("spec.x: field is
  /// immutable").
  std::string immutable;
};

/// The cluster guard: an error when the cluster already serves another Starform cluster.
std::optional<std::string> ClusterGuardError(const std::string& desired_cluster,
                                             const ClusterFacts& facts);

class Planner {
 public:
  /// |desired| in render order. |live| as the cluster reader filled it.
  Planner(std::vector<nlohmann::json> desired, LiveState live, PlanOptions options);

  /// The objects (indexes into draft().resources) whose change a dry run should confirm: every
  /// create and update of the draft, except those in a namespace that does not exist yet.
  std::vector<size_t> ToConfirm() const;
  /// The object to dry-run for resources[index]: the body to apply.
  const nlohmann::json& Body(size_t index) const { return plan_.resources[index].body; }
  /// Folds the dry run of resources[index] into the plan.
  void Confirm(size_t index, const DryRunOutcome& outcome);

  const Plan& draft() const { return plan_; }
  /// The plan: load-balancer warnings added, summary ready. |origin| is recorded as given.
  Plan Finish(PlanOrigin origin);

 private:
  struct Entry {
    const LiveObject* live = nullptr;  ///< in live_.objects
    std::set<std::string> label_keys;
    std::set<std::string> annotation_keys;
  };
  void PlanDesired(nlohmann::json desired);
  void PlanPrunes();
  void CheckForeignRoutes(const std::vector<nlohmann::json>& desired);
  void Settle(size_t index);
  void FlagLoadBalancerChanges();
  bool Targeted(const ObjectKey& key) const;
  bool Frozen(const ObjectKey& key) const;

  std::set<ObjectKey> desired_keys_;
  LiveState live_;
  PlanOptions options_;
  Plan plan_;
  std::vector<Entry> entries_;  ///< parallel to plan_.resources
};

}  // namespace starform
