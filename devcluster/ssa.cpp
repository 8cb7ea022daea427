#include "devcluster/ssa.h"

#include <algorithm>
#include <map>

#include "devcluster/managed_fields.h"
#include "devcluster/managed_fields_entries.h"
#include "devcluster/ssa_last_applied.h"
#include "devcluster/ssa_typed.h"
#include "devcluster/ssa_updater.h"

namespace starform::devcluster {

using nlohmann::json;

namespace {

std::string StringAt(const json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

const json& MetadataOf(const json& object) {
  static const json kEmpty = json::object();
  auto meta = object.find("metadata");
  return meta != object.end() && meta->is_object() ? *meta : kEmpty;
}

// schema.GroupVersionKind.String() of an object, as unstructured objects parse apiVersion.
std::string GvkString(const json& object) {
  std::string api_version = StringAt(object, "apiVersion");
  std::string group, version;
  const size_t slashes = std::count(api_version.begin(), api_version.end(), '/');
  if (api_version.empty() || api_version == "/" || slashes > 1) {
    // no group/version (ParseGroupVersion fails on more than one slash)
  } else if (slashes == 0) {
    version = api_version;
  } else {
    const size_t slash = api_version.find('/');
    group = api_version.substr(0, slash);
    version = api_version.substr(slash + 1);
  }
  const std::string kind = slashes > 1 ? std::string() : StringAt(object, "kind");
  return group + "/" + version + ", Kind=" + kind;
}

std::string EndpointGvk(const ApplyRequest& request) {
  return GvkString(json{{"apiVersion", request.api_version}, {"kind", request.kind}});
}

ApplyResult Fail(int code, std::string reason, std::string message) {
  ApplyResult result;
  result.object = nullptr;
  result.error = ApplyError{code, std::move(reason), std::move(message)};
  return result;
}

// typed.ValidationErrors.Error().
std::string ValidationMessage(const std::vector<std::string>& errors) {
  if (errors.size() == 1)
    return errors[0];
  std::string out = "errors:";
  for (const std::string& error : errors)
    out += "\n  " + error;
  return out;
}

FieldConflict ToFieldConflict(const smd::Conflict& conflict, const smd::ManagerSets& managers) {
  smd::ManagerInfo info;
  smd::ParseManagerIdentifier(conflict.manager_id, &info);
  FieldConflict out;
  out.manager = info.manager;
  out.operation = info.operation;
  out.api_version = info.api_version;
  if (auto found = managers.find(conflict.manager_id); found != managers.end()) {
    out.api_version = found->second.api_version;
  }
  out.subresource = info.subresource;
  out.field = smd::PathString(conflict.path);
  return out;
}

std::string OwnerIdentifier(const FieldConflict& conflict) {
  return smd::ManagerIdentifier(
      {conflict.manager, conflict.operation, conflict.api_version, conflict.subresource});
}

}  // namespace

std::string FieldConflict::OwnerString() const {
  std::string out = smd::GoQuote(manager);
  if (!subresource.empty())
    out += " with subresource " + smd::GoQuote(subresource);
  if (operation == "Update")
    out += " using " + api_version;
  return out;
}

namespace {

// One pass of the field manager chain below lastAppliedManager: skipNonApplied,
// buildManagerInfo, managedFieldsUpdater, stripMeta and structuredMerge.
struct Attempt {
  json object;
  smd::Managed managed;
  std::vector<smd::Conflict> conflicts;
  std::optional<ApplyError> error;
};

Attempt ApplyOnce(const ApplyRequest& request, const smd::UpdaterOptions& options,
                  const json& stripped_live, smd::Managed managed, bool force) {
  Attempt attempt;
  // skipNonAppliedManager: an object nobody tracked yet is first owned, as it is, by
  // "before-first-apply".
  if (managed.fields.empty()) {
    const json empty_object = {{"apiVersion", request.api_version}, {"kind", request.kind}};
    const std::string before = smd::ManagerIdentifier(
        {"before-first-apply", "Update", request.api_version, request.subresource});
    smd::TimedUpdate(options, empty_object, stripped_live, &managed, before, request.now);
    smd::CapUpdateManagers(&managed);
  }

  // structuredMergeManager.Apply.
  const json& applied_meta = MetadataOf(request.applied);
  if (auto found = applied_meta.find("managedFields");
      found != applied_meta.end() && !found->is_null()) {
    attempt.error = ApplyError{400, "BadRequest", "metadata.managedFields must be nil"};
    return attempt;
  }
  if (auto errors = smd::ValidateApplied(request.applied, options.type); !errors.empty()) {
    attempt.error =
        ApplyError{500, "",
                   "failed to create typed patch object (" + StringAt(applied_meta, "namespace") +
                       "/" + StringAt(applied_meta, "name") + "; " + GvkString(request.applied) +
                       "): " + ValidationMessage(errors)};
    return attempt;
  }
  const std::string id =
      smd::ManagerIdentifier({request.manager.empty() ? "unknown" : request.manager, "Apply",
                              request.api_version, request.subresource});
  bool noop = false;
  if (!smd::ApplyUpdate(options, stripped_live, request.applied, &managed.fields, id, force,
                        &attempt.object, &noop, &attempt.conflicts)) {
    attempt.managed = std::move(managed);
    return attempt;
  }
  // stripMetaManager, then managedFieldsUpdater: the time moves only when the object changed.
  smd::StripMeta(&managed.fields, id);
  if (noop) {
    attempt.object = stripped_live;
  } else {
    smd::DropRemovalMarkers(&attempt.object);
    managed.times[id] = request.now;
  }
  attempt.managed = std::move(managed);
  return attempt;
}

// lastAppliedManager: kubectl taking over from its client-side apply may take, as if forced,
// the fields it applied that way and nobody changed since.
void AllowClientSideApplyUpgrade(const ApplyRequest& request, const smd::UpdaterOptions& options,
                                 const json& stripped_live, const smd::Managed& managed,
                                 Attempt* attempt) {
  if (request.manager != "kubectl" || attempt->conflicts.empty())
    return;
  std::optional<smd::FieldSet> allowed =
      smd::AllowedConflictsFromLastApplied(stripped_live, request.api_version, options.type);
  if (!allowed)
    return;
  std::vector<smd::Conflict> remaining;
  for (const smd::Conflict& conflict : attempt->conflicts) {
    if (!allowed->Has(conflict.path))
      remaining.push_back(conflict);
  }
  if (!remaining.empty()) {
    attempt->conflicts = std::move(remaining);
    return;
  }
  *attempt = ApplyOnce(request, options, stripped_live, managed, /*force=*/true);
}

}  // namespace

ApplyResult ServerSideApply(const ApplyRequest& request) {
  if (!request.applied.is_object()) {
    return Fail(400, "BadRequest", "error decoding YAML: the body is not an object");
  }
  if (auto meta = request.applied.find("metadata");
      meta != request.applied.end() && !meta->is_object() && !meta->is_null()) {
    // The typed conversion cannot read it as ObjectMeta (a 500, as the server answers).
    return Fail(500, "",
                "failed to create typed patch object (/; " + GvkString(request.applied) +
                    "): .metadata: expected map, got " + meta->dump());
  }
  const json empty_object = {{"apiVersion", request.api_version}, {"kind", request.kind}};
  const json& live = request.live ? *request.live : empty_object;

  // FieldManager.Apply: the live object's managers.
  smd::Managed managed;
  std::string decode_error;
  if (auto found = MetadataOf(live).find("managedFields"); found != MetadataOf(live).end()) {
    if (!smd::DecodeManagedFields(*found, &managed, &decode_error)) {
      return Fail(500, "", "failed to decode managed fields: " + decode_error);
    }
  }
  const json stripped_live = smd::WithoutManagedFields(live);

  // versionCheckManager.
  const std::string applied_gvk = GvkString(request.applied);
  if (applied_gvk != EndpointGvk(request)) {
    return Fail(400, "BadRequest", "invalid object type: " + applied_gvk);
  }

  smd::UpdaterOptions options;
  options.type = smd::TypeRef::Root(request.schema);
  options.api_version = request.api_version;
  options.ignore = smd::ResetFieldSet(request.subresource, request.status_subresource);

  Attempt attempt = ApplyOnce(request, options, stripped_live, managed, request.force);
  AllowClientSideApplyUpgrade(request, options, stripped_live, managed, &attempt);
  if (attempt.error)
    return Fail(attempt.error->code, attempt.error->reason, attempt.error->message);
  if (!attempt.conflicts.empty()) {
    ApplyResult result;
    result.object = nullptr;
    for (const smd::Conflict& conflict : attempt.conflicts) {
      result.conflicts.push_back(ToFieldConflict(conflict, attempt.managed.fields));
    }
    return result;
  }
  json object = std::move(attempt.object);
  if (request.manager == "kubectl")
    smd::UpdateLastApplied(request.applied, &object);

  // The patch handler's checkName, then the store's namespace defaulting.
  const json& meta = MetadataOf(object);
  if (!request.name.empty() && StringAt(meta, "name") != request.name) {
    return Fail(400, "BadRequest",
                "the name of the object (" + StringAt(meta, "name") +
                    ") does not match the name on the URL (" + request.name + ")");
  }
  if (!request.namespace_.empty()) {
    const std::string ns = StringAt(meta, "namespace");
    if (!ns.empty() && ns != request.namespace_) {
      return Fail(400, "BadRequest",
                  "the namespace of the object (" + ns +
                      ") does not match the namespace on the URL (" + request.namespace_ + ")");
    }
    if (ns.empty())
      object["metadata"]["namespace"] = request.namespace_;
  }

  if (attempt.managed.fields.empty()) {
    if (auto m = object.find("metadata"); m != object.end() && m->is_object())
      m->erase("managedFields");
  } else {
    object["metadata"]["managedFields"] = smd::EncodeManagedFields(attempt.managed);
  }
  ResetFields(request.live, &object, request.subresource, request.status_subresource);

  ApplyResult result;
  result.changed = !request.live || object != *request.live;
  result.object = std::move(object);
  return result;
}

std::string ConflictMessage(const std::vector<FieldConflict>& conflicts) {
  if (conflicts.size() == 1) {
    return "Apply failed with 1 conflict: conflict with " + conflicts[0].OwnerString() + ": " +
           conflicts[0].field;
  }
  std::map<std::string, std::vector<const FieldConflict*>> by_owner;
  for (const FieldConflict& conflict : conflicts) {
    by_owner[OwnerIdentifier(conflict)].push_back(&conflict);
  }
  std::string lines;
  for (const auto& [id, owned] : by_owner) {
    if (!lines.empty())
      lines += "\n";
    lines += "conflicts with " + owned.front()->OwnerString() + ":";
    for (const FieldConflict* conflict : owned)
      lines += "\n- " + conflict->field;
  }
  return "Apply failed with " + std::to_string(conflicts.size()) + " conflicts: " + lines;
}

json ConflictStatus(const std::vector<FieldConflict>& conflicts) {
  json causes = json::array();
  for (const FieldConflict& conflict : conflicts) {
    causes.push_back({{"reason", "FieldManagerConflict"},
                      {"message", "conflict with " + conflict.OwnerString()},
                      {"field", conflict.field}});
  }
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", json::object()},
          {"status", "Failure"},
          {"message", ConflictMessage(conflicts)},
          {"reason", "Conflict"},
          {"details", {{"causes", std::move(causes)}}},
          {"code", 409}};
}

json ErrorStatus(const ApplyError& error) {
  json status = {{"kind", "Status"},    {"apiVersion", "v1"},       {"metadata", json::object()},
                 {"status", "Failure"}, {"message", error.message}, {"code", error.code}};
  if (!error.reason.empty())
    status["reason"] = error.reason;
  return status;
}

}  // namespace starform::devcluster
