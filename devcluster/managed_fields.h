#pragma once

// metadata.managedFields for the writes that are not server-side applies: create, update (PUT),
// merge and JSON patches, and status writes record the fields their manager changed as an
// Update entry, as the API server's field manager does
// (apimachinery util/managedfields/internal: fieldmanager.go and the managers it chains).
//
// Pure functions over JSON: no I/O, the time is passed in. Server-side apply is in ssa.h.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "devcluster/managed_fields_entries.h"
#include "devcluster/ssa_updater.h"
#include "kube/schema.h"

namespace starform::devcluster {

/// A write that is not an apply.
struct UpdateRequest {
  /// The stored object; nullptr for a create.
  const nlohmann::json* live = nullptr;
  /// ?fieldManager, else DefaultFieldManager(User-Agent); "" is recorded as "unknown".
  std::string manager;
  /// The endpoint's group/version: "gateway.networking.k8s.io/v1", "v1".
  std::string api_version;
  /// "" for the resource itself, "status" for the status subresource.
  std::string subresource;
  /// Whether the resource has a status subresource: then the resource ignores status and the
  /// status subresource ignores spec (the strategies' reset fields).
  bool status_subresource = false;
  /// RFC 3339, e.g. "2026-11-26T10:00:00Z": the time of changed entries.
  std::string now;
  /// The version's compiled schema (kube/crd.h CrdVersion::schema, or BuiltinSchema());
  /// nullptr: schemaless.
  const kube::Schema* schema = nullptr;
};

/// |updated| (the object the request would store: the PUT body, or the live object with the
/// patch applied, before the strategy resets fields) with metadata.managedFields set:
///  - the managers come from |updated|'s managedFields if it has any (a client may edit them;
///    [] or [{}] clears them), else from the live object; a subresource write always uses the
///    live object's;
///  - every manager loses the fields this write changed or removed; |manager| gains the fields
///    it changed or added, and its entry's time becomes |now| if it gained any;
///  - an object that exists but has no managed fields stays untracked (as the server does);
///  - at most 10 Update entries are kept: older ones merge into "ancient-changes".
/// The caller then resets what the strategy resets (ResetFields) and stores the result.
nlohmann::json RecordUpdate(const UpdateRequest& request, nlohmann::json updated);

/// The field manager of a write without ?fieldManager: the User-Agent up to its first "/",
/// printable characters only, at most 128 bytes (apiserver handlers/rest.go).
std::string DefaultFieldManager(std::string_view user_agent);

/// The strategy's reset fields, applied to |object| (the object to store): with a status
/// subresource, a write to the resource keeps |live|'s status (none on create), and a write to
/// the status subresource keeps everything of |live| but status and metadata.managedFields.
void ResetFields(const nlohmann::json* live, nlohmann::json* object, std::string_view subresource,
                 bool status_subresource);

namespace smd {

/// The reset fields the updater ignores: {status} for the resource, {spec} for status; nullptr
/// when the resource has no status subresource.
const FieldSet* ResetFieldSet(std::string_view subresource, bool status_subresource);

/// stripMetaManager: |id| never owns apiVersion, kind, metadata or metadata's name, namespace,
/// creationTimestamp, selfLink, uid, clusterName, generation, managedFields, resourceVersion.
void StripMeta(ManagerSets* managers, const std::string& id);

/// managedFieldsUpdater over stripMeta over the updater: what |updated| changed becomes |id|'s
/// (merged with what it owned), with time |now|, if it changed anything.
void TimedUpdate(const UpdaterOptions& options, const nlohmann::json& live,
                 const nlohmann::json& updated, Managed* managed, const std::string& id,
                 const std::string& now);

/// capManagersManager: keeps at most |max| Update entries by merging the oldest into an
/// "ancient-changes" entry per API version.
void CapUpdateManagers(Managed* managed, size_t max = 10);

/// |object| without metadata.managedFields.
nlohmann::json WithoutManagedFields(const nlohmann::json& object);

}  // namespace smd

}  // namespace starform::devcluster
