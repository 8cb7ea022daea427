#pragma once

// The plan: what `apply` would do to bring the live gateway layer to the desired state, object by
// object and field by field. A plain value, made by the planner (plan/planner.h) and printed by
// the output formats (plan/plan_output.h); it is also what a saved plan file holds
// (plan/plan_file.h). Nothing here talks to a cluster.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace starform {

/// Which object: its API version and kind, and where it lives.
struct ObjectKey {
  std::string api_version;  ///< "gateway.networking.k8s.io/v1"
  std::string kind;         ///< "HTTPRoute"
  std::string ns;
  std::string name;

  /// "httproute tenant-a/shop": the kind in lower case, as kubectl names resources.
  std::string Address() const;
  /// "HTTPRoute/tenant-a/shop", the spelling --target takes (the kind in any case).
  std::string TargetSpelling() const;
  auto operator<=>(const ObjectKey&) const = default;
};

enum class Action {
  kNoOp,
  kCreate,
  kUpdate,   ///< in place, field by field
  kDelete,   ///< pruning: owned, no longer desired
  kReplace,  ///< delete then create: a field cannot change in place
};

/// "no-op", "create", "update", "delete", "replace" (the words of -o json).
const char* ActionName(Action action);

/// One changed field. Paths are dotted from the object root, list items named by their key
/// where the items have a unique "name" (`spec.listeners[name="http"].port`) and by index
/// otherwise (`spec.rules[0].matches[0].path.value`).
struct FieldChange {
  enum class Op { kAdd, kRemove, kModify };
  Op op = Op::kModify;
  std::string path;
  nlohmann::json before;  ///< null for kAdd
  nlohmann::json after;   ///< null for kRemove
  /// When the live value was set outside starform (drift): the field manager that set it
  /// ("kubectl-edit"), so the plan can say who changed it. Empty otherwise.
  std::string drift_manager;
};

struct ResourceChange {
  ObjectKey key;
  Action action = Action::kNoOp;
  /// The compared content (spec and the metadata starform sets) before and after; null when
  /// the object does not exist on that side.
  nlohmann::json before;
  nlohmann::json after;
  /// For kUpdate (and kReplace, the fields that force it): what changes. For kCreate and
  /// kDelete, empty (before/after hold the whole object).
  std::vector<FieldChange> changes;
  size_t unchanged_fields = 0;  ///< leaves compared and found equal, for "# (N ... hidden)"
  /// An existing object without starform's ApplySet label, taken over with --adopt.
  bool adopt = false;
  /// Why, for kReplace ("spec.x: field is immutable") and kDelete ("no longer desired").
  std::string reason;
  /// Set when this change makes Envoy Gateway delete and recreate the DigitalOcean load
  /// balancer (a new public IP): why, in one sentence.
  std::string recreates_load_balancer;

  // What apply needs (saved plans):
  /// The exact server-side-apply body for kCreate, kUpdate, kReplace; null otherwise.
  nlohmann::json body;
  /// Fields other managers set on the live object that apply must remove (drift): paths as in
  /// FieldChange.
  std::vector<std::string> remove_paths;
  /// Digest of the live content the plan compared (LiveContentDigest), empty when the object
  /// did not exist; apply re-reads the object and refuses the plan when it differs.
  std::string live_digest;
  std::string live_uid;
};

/// A route of someone else attached to our Gateway.
struct ForeignRoute {
  std::string ns;
  std::string name;
  std::vector<std::string> hostnames;
  /// Hostnames it shares with a desired app ("shop.example.com" claimed by tenant-a/shop):
  /// a hijack, which makes the plan an error.
  std::vector<std::string> hijacked;
};

/// An app left exactly as it is live (--skip-invalid-apps), and why.
struct SkippedApp {
  std::string ns;
  std::string name;
  std::vector<std::string> errors;  ///< the validation errors, as "file:line:col: path: message"
};

struct PlanSummary {
  size_t add = 0;  ///< creates and replaces
  size_t change = 0;
  size_t destroy = 0;  ///< deletes and replaces
  size_t unchanged = 0;
};

/// Where the plan came from: recorded so that a saved plan can be checked before it is applied.
struct PlanOrigin {
  std::string tool_version;
  std::string cluster;  ///< the desired state's cluster (do-nyc1-prod)
  std::string server;   ///< the API server URL the plan was made against
  /// The cluster's identity: the uid of its kube-system namespace, which survives a changed
  /// URL and differs between two clusters behind the same URL.
  std::string cluster_identity;
  std::string revision;        ///< the desired state's revision
  std::string source;          ///< the file (or Starbase URL) it was read from
  std::string desired_digest;  ///< sha256 of the desired state's text
  std::string created;         ///< RFC 3339 time, given by the caller (plan/ has no clock)
};

struct Plan {
  PlanOrigin origin;
  /// Every desired or owned object, in apply order (the render order; deletes last, in reverse).
  std::vector<ResourceChange> resources;
  std::vector<ForeignRoute> foreign_routes;
  std::vector<SkippedApp> skipped_apps;
  std::vector<std::string> warnings;  ///< readiness and other notes, one sentence each
  std::vector<std::string> errors;    ///< problems that make the plan fail (exit 1)
  std::vector<std::string> targets;   ///< --target values in effect (empty: everything)

  PlanSummary Summary() const;
  bool HasChanges() const;
};

}  // namespace starform
