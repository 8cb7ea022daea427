#include "devcluster/managed_fields.h"

#include <algorithm>
#include <vector>

namespace starform::devcluster {

using nlohmann::json;

namespace smd {

namespace {

constexpr char kCurrentOperation[] = "current-operation";
constexpr char kAncientChanges[] = "ancient-changes";

FieldSet MakeSet(std::initializer_list<Path> paths) {
  FieldSet set;
  for (const Path& path : paths)
    set.Insert(path);
  return set;
}

PathElement F(const char* name) {
  return PathElement::Field(name);
}

}  // namespace

const FieldSet* ResetFieldSet(std::string_view subresource, bool status_subresource) {
  static const FieldSet kStatus = MakeSet({{F("status")}});
  static const FieldSet kSpec = MakeSet({{F("spec")}});
  if (subresource == "status")
    return &kSpec;
  if (subresource.empty() && status_subresource)
    return &kStatus;
  return nullptr;
}

void StripMeta(ManagerSets* managers, const std::string& id) {
  static const FieldSet kStrip = MakeSet({
      {F("apiVersion")},
      {F("kind")},
      {F("metadata")},
      {F("metadata"), F("name")},
      {F("metadata"), F("namespace")},
      {F("metadata"), F("creationTimestamp")},
      {F("metadata"), F("selfLink")},
      {F("metadata"), F("uid")},
      {F("metadata"), F("clusterName")},
      {F("metadata"), F("generation")},
      {F("metadata"), F("managedFields")},
      {F("metadata"), F("resourceVersion")},
  });
  auto found = managers->find(id);
  if (found == managers->end())
    return;
  found->second.set = found->second.set.Difference(kStrip);
  if (found->second.set.Empty())
    managers->erase(found);
}

void TimedUpdate(const UpdaterOptions& options, const json& live, const json& updated,
                 Managed* managed, const std::string& id, const std::string& now) {
  // The write runs as a manager of its own so that only what it changed is seen, then joins
  // what |id| owned before (managedfieldsupdater.go).
  UpdateManagers(options, live, updated, &managed->fields, kCurrentOperation);
  StripMeta(&managed->fields, kCurrentOperation);
  auto current = managed->fields.find(kCurrentOperation);
  if (current == managed->fields.end())
    return;
  VersionedSet set = std::move(current->second);
  managed->fields.erase(current);
  if (auto previous = managed->fields.find(id); previous != managed->fields.end()) {
    set.set = set.set.Union(previous->second.set);
  }
  managed->fields[id] = std::move(set);
  managed->times[id] = now;
}

void CapUpdateManagers(Managed* managed, size_t max) {
  std::vector<std::string> updaters;
  for (const auto& [id, set] : managed->fields) {
    if (!set.applied)
      updaters.push_back(id);
  }
  if (updaters.size() <= max)
    return;
  auto seconds = [&](const std::string& id) {
    auto time = managed->times.find(id);
    return time == managed->times.end() ? int64_t{0} : UnixSeconds(time->second);
  };
  std::sort(updaters.begin(), updaters.end(), [&](const std::string& a, const std::string& b) {
    const int64_t sa = seconds(a), sb = seconds(b);
    return sa != sb ? sa < sb : a < b;
  });
  std::map<std::string, std::string> first_by_version;
  size_t length = updaters.size();
  for (size_t i = 0; i < updaters.size() && length > max; ++i) {
    const std::string& id = updaters[i];
    VersionedSet set = managed->fields[id];
    const std::string version = set.api_version;
    const std::string bucket = ManagerIdentifier({kAncientChanges, "Update", version, ""});
    auto first = first_by_version.find(version);
    if (first == first_by_version.end()) {
      first_by_version.emplace(version, id);
      continue;
    }
    if (!managed->fields.count(bucket)) {
      managed->fields[bucket] = managed->fields[first->second];
      managed->fields.erase(first->second);
    }
    VersionedSet& merged = managed->fields[bucket];
    merged = VersionedSet{set.set.Union(merged.set), set.api_version, set.applied};
    managed->fields.erase(id);
    --length;
    // The bucket takes the time of the newest update merged into it.
    if (auto time = managed->times.find(id); time != managed->times.end()) {
      managed->times[bucket] = time->second;
    } else {
      managed->times.erase(bucket);
    }
  }
  for (auto it = managed->times.begin(); it != managed->times.end();) {
    it = managed->fields.count(it->first) ? std::next(it) : managed->times.erase(it);
  }
}

json WithoutManagedFields(const json& object) {
  json out = object;
  if (auto meta = out.find("metadata"); meta != out.end() && meta->is_object()) {
    meta->erase("managedFields");
  }
  return out;
}

}  // namespace smd

namespace {

const json* ManagedFieldsOf(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object())
    return nullptr;
  auto found = meta->find("managedFields");
  return found == meta->end() ? nullptr : &*found;
}

smd::Managed DecodeOrEmpty(const json* entries) {
  smd::Managed managed;
  std::string error;
  if (!entries || !smd::DecodeManagedFields(*entries, &managed, &error))
    return smd::Managed();
  return managed;
}

bool HasUid(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object())
    return false;
  auto uid = meta->find("uid");
  return uid != meta->end() && uid->is_string() && !uid->get_ref<const std::string&>().empty();
}

}  // namespace

json RecordUpdate(const UpdateRequest& request, json updated) {
  // UpdateNoErrors: an object the field manager cannot read is stored without managed fields.
  if (!updated.is_object())
    return updated;
  if (auto meta = updated.find("metadata"); meta != updated.end() && !meta->is_object()) {
    return updated;
  }
  // decodeManagedFields: a subresource write cannot change managedFields; otherwise the request
  // may set them (or clear them with [] or [{}]), and a request without them keeps the live ones.
  // A create compares with the new, empty object of the kind (scheme.New).
  json empty_live = {{"apiVersion", request.api_version}};
  if (auto kind = updated.find("kind"); kind != updated.end())
    empty_live["kind"] = *kind;
  const json& live = request.live ? *request.live : empty_live;
  smd::Managed managed;
  const json* requested = ManagedFieldsOf(updated);
  if (!request.subresource.empty()) {
    managed = DecodeOrEmpty(ManagedFieldsOf(live));
  } else if (requested && smd::IsResetManagedFields(*requested)) {
    managed = smd::Managed();
  } else {
    std::string error;
    if (!requested || !smd::DecodeManagedFields(*requested, &managed, &error) ||
        managed.fields.empty()) {
      managed = DecodeOrEmpty(ManagedFieldsOf(live));
    }
  }
  json stripped_live = smd::WithoutManagedFields(live);
  updated = smd::WithoutManagedFields(updated);

  // skipNonAppliedManager: an existing object without managed fields stays untracked until it
  // is applied to.
  if (managed.fields.empty() && request.live && HasUid(*request.live))
    return updated;

  smd::UpdaterOptions options;
  options.type = smd::TypeRef::Root(request.schema);
  options.api_version = request.api_version;
  options.ignore = smd::ResetFieldSet(request.subresource, request.status_subresource);
  const std::string id =
      smd::ManagerIdentifier({request.manager.empty() ? "unknown" : request.manager, "Update",
                              request.api_version, request.subresource});
  smd::TimedUpdate(options, stripped_live, updated, &managed, id, request.now);
  smd::CapUpdateManagers(&managed);
  if (!managed.fields.empty()) {
    updated["metadata"]["managedFields"] = smd::EncodeManagedFields(managed);
  }
  return updated;
}

std::string DefaultFieldManager(std::string_view user_agent) {
  std::string_view prefix = user_agent.substr(0, user_agent.find('/'));
  std::string out;
  for (size_t i = 0; i < prefix.size();) {
    unsigned char c = static_cast<unsigned char>(prefix[i]);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    length = std::min(length, prefix.size() - i);
    std::string_view rune = prefix.substr(i, length);
    i += length;
    const bool printable = length > 1 || (c >= 0x20 && c < 0x7f);
    if (!printable)
      continue;
    if (out.size() + rune.size() > 128)
      break;
    out.append(rune);
  }
  return out;
}

void ResetFields(const json* live, json* object, std::string_view subresource,
                 bool status_subresource) {
  if (subresource == "status") {
    if (!live)
      return;
    json result = smd::WithoutManagedFields(*live);
    if (auto status = object->find("status"); status != object->end()) {
      result["status"] = *status;
    } else {
      result.erase("status");
    }
    if (const json* entries = ManagedFieldsOf(*object))
      result["metadata"]["managedFields"] = *entries;
    *object = std::move(result);
    return;
  }
  if (!subresource.empty() || !status_subresource)
    return;
  const json* status = nullptr;
  if (live) {
    if (auto found = live->find("status"); found != live->end())
      status = &*found;
  }
  if (status) {
    (*object)["status"] = *status;
  } else {
    object->erase("status");
  }
}

}  // namespace starform::devcluster
