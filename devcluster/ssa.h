#pragma once

// Server-side apply (PATCH with Content-Type application/apply-patch+yaml) as the API server
// does it: the applied configuration is merged onto the live object by the schema's rules,
// field ownership is recorded per manager in metadata.managedFields, fields the manager stopped
// applying are removed unless someone else owns them, and taking a field another manager owns
// with a different value is a 409 Conflict unless force=true.
//
// Pure functions over JSON: no I/O, the time is passed in. The caller (the HTTP server) does
// what is outside the field manager: require ?fieldManager (422 "is required for apply
// patch"), reject ?force on other patch types, 404 a status apply to a missing object, check
// metadata.resourceVersion preconditions, then prune/default/validate the result against the
// CRD schema (kube::Admit) and set uid, creationTimestamp, generation and resourceVersion. A
// result with changed == false is a no-op: answer the live object, keep its resourceVersion.
//
// Sources: kubernetes/apimachinery util/managedfields/internal (fieldmanager.go,
// structuredmerge.go, stripmeta.go, managedfieldsupdater.go, skipnonapplied.go,
// capmanagers.go, versioncheck.go, lastappliedupdater.go, conflict.go) and
// sigs.k8s.io/structured-merge-diff (merge/update.go, typed/, fieldpath/).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/schema.h"

namespace starform::devcluster {

struct ApplyRequest {
  /// The stored object, or nullptr: the apply creates it.
  const nlohmann::json* live = nullptr;
  /// The request body, as JSON (YAML decoded).
  nlohmann::json applied;
  /// ?fieldManager.
  std::string manager;
  /// ?force=true: take conflicting fields instead of failing.
  bool force = false;
  /// The endpoint: "gateway.networking.k8s.io/v1" and "Gateway". The body must say the same.
  std::string api_version;
  std::string kind;
  /// From the URL: the result's name must be |name|; its namespace, if it has one, |namespace_|
  /// (and it gets |namespace_| if it has none). Empty |name|: not checked.
  std::string name;
  std::string namespace_;
  /// "" for the resource, "status" for the status subresource.
  std::string subresource;
  /// Whether the resource has a status subresource (its reset fields: status for the resource,
  /// spec for the status subresource).
  bool status_subresource = false;
  /// RFC 3339, e.g. "2026-11-26T10:00:00Z".
  std::string now;
  /// The version's compiled schema (kube/crd.h CrdVersion::schema, or BuiltinSchema()); nullptr:
  /// schemaless (objects are granular maps, lists atomic).
  const kube::Schema* schema = nullptr;
};

/// One field another manager owns with a value the apply would change.
struct FieldConflict {
  std::string manager;      ///< "kubectl-edit"
  std::string operation;    ///< "Update" or "Apply"
  std::string api_version;  ///< of the owner's entry, e.g. "gateway.networking.k8s.io/v1"
  std::string subresource;  ///< of the owner's entry, usually ""
  std::string field;        ///< ".spec.listeners[name=\"http\"].port"

  /// The owner as conflict messages name it: `"kubectl-edit" using
  /// gateway.networking.k8s.io/v1` for an Update, `"other-applier"` for an Apply, with
  /// ` with subresource "status"` after the name for a subresource's entry.
  std::string OwnerString() const;
  bool operator==(const FieldConflict&) const = default;
};

/// A failure that is not a conflict, as the server answers it.
struct ApplyError {
  int code = 0;        ///< 400 or 500
  std::string reason;  ///< "BadRequest"; "" for a 500 (the server's unknown reason)
  std::string message;
};

struct ApplyResult {
  /// The object to store, with metadata.managedFields; null on failure.
  nlohmann::json object;
  /// False when the result equals the live object: nothing to store.
  bool changed = false;
  /// Non-empty: 409 Conflict (ConflictStatus()).
  std::vector<FieldConflict> conflicts;
  /// Set: the failure (ErrorStatus()).
  std::optional<ApplyError> error;

  bool ok() const { return conflicts.empty() && !error; }
};

ApplyResult ServerSideApply(const ApplyRequest& request);

/// "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using
/// gateway.networking.k8s.io/v1: .spec.listeners[name=\"http\"].port"; with several, "Apply
/// failed with 2 conflicts: conflicts with \"a\" using v1:\n- .spec.x\n- .spec.y" (owners in
/// the order of their identifiers, as conflict.go sorts them).
std::string ConflictMessage(const std::vector<FieldConflict>& conflicts);

/// The 409 Status: reason Conflict, details.causes one per field (reason FieldManagerConflict,
/// message "conflict with <owner>", field the path), and no name or kind in details.
nlohmann::json ConflictStatus(const std::vector<FieldConflict>& conflicts);

/// The Status for an ApplyError.
nlohmann::json ErrorStatus(const ApplyError& error);

}  // namespace starform::devcluster
