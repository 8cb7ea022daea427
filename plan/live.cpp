#include "plan/live.h"

#include "plan/json_access.h"
#include "plan/render.h"
#include "plan/sha256.h"

namespace starform {

std::string LiveObject::PartOf() const {
  return StringMember(labels, kApplySetPartOfLabel);
}

LiveObject KeepForPlan(nlohmann::json object) {
  LiveObject live;
  if (!object.is_object())
    return live;
  nlohmann::json& metadata = object["metadata"];
  live.key.api_version = StringMember(object, "apiVersion");
  live.key.kind = StringMember(object, "kind");
  live.key.ns = StringMember(metadata, "namespace");
  live.key.name = StringMember(metadata, "name");
  live.uid = StringMember(metadata, "uid");
  live.resource_version = StringMember(metadata, "resourceVersion");
  if (Member(metadata, "labels").is_object())
    live.labels = std::move(metadata["labels"]);
  if (Member(metadata, "annotations").is_object())
    live.annotations = std::move(metadata["annotations"]);
  if (metadata.is_object() && metadata.contains("managedFields")) {
    // Who owns what is all the diff reads: times, versions and fieldsType go.
    live.managed_fields = std::move(metadata["managedFields"]);
    if (live.managed_fields.is_array())
      for (nlohmann::json& entry : live.managed_fields)
        if (entry.is_object())
          for (const char* unused : {"apiVersion", "time", "fieldsType", "operation"})
            entry.erase(unused);
  }
  if (object.contains("spec"))
    live.spec = std::move(object["spec"]);
  return live;
}

std::string LiveContentDigest(const LiveObject& object) {
  // A fixed shape, dumped with sorted keys (nlohmann's objects are ordered), so equal content
  // always hashes equal.
  nlohmann::json content = {{"uid", object.uid},
                            {"labels", object.labels},
                            {"annotations", object.annotations},
                            {"spec", object.spec}};
  return Sha256Digest(content.dump());
}

ReadScope ReadScopeOf(const DesiredState& state, const std::vector<nlohmann::json>& rendered) {
  ReadScope scope;
  for (const nlohmann::json& object : rendered)
    scope.desired.insert(KeyOf(object));
  scope.gateway_ns = state.gateway.namespace_.value;
  scope.gateway_name = state.gateway.name.value;
  scope.gateway_class = state.gateway.class_name.value;
  for (const App& app : state.apps) {
    scope.app_namespaces.insert(app.namespace_.value);
    if (app.auth && app.auth->ext_authz && !app.auth->ext_authz->namespace_.value.empty())
      scope.app_namespaces.insert(app.auth->ext_authz->namespace_.value);
  }
  for (const Listener& listener : state.gateway.listeners)
    for (const Field<std::string>& ref : listener.certificate_refs)
      scope.secret_names.insert(ref.value);
  return scope;
}

LiveSorter::LiveSorter(const ReadScope& scope)
    : LiveSorter(scope.desired, scope.gateway_ns, scope.gateway_name) {}

LiveSorter::LiveSorter(std::set<ObjectKey> desired, std::string gateway_ns,
                       std::string gateway_name)
    : desired_(),
      gateway_ns_(std::move(gateway_ns)),
      gateway_name_(std::move(gateway_name)),
      applyset_id_(ApplySetId()) {
  for (const ObjectKey& key : desired)
    desired_[{key.kind, key.ns, key.name}] = key.api_version;
}

bool LiveSorter::NamesOurGateway(const nlohmann::json& parent_ref,
                                 const std::string& route_ns) const {
  // Gateway API defaults: group gateway.networking.k8s.io, kind Gateway, the route's namespace.
  std::string group = StringMember(parent_ref, "group");
  std::string kind = StringMember(parent_ref, "kind");
  std::string ns = StringMember(parent_ref, "namespace");
  if (!Member(parent_ref, "group").is_null() && group != "gateway.networking.k8s.io")
    return false;
  if (!kind.empty() && kind != "Gateway")
    return false;
  return StringMember(parent_ref, "name") == gateway_name_ &&
         (ns.empty() ? route_ns : ns) == gateway_ns_;
}

void LiveSorter::Add(const std::string& api_version, const std::string& kind, nlohmann::json object,
                     LiveState* state) const {
  const nlohmann::json& metadata = Member(object, "metadata");
  ObjectKey key{api_version, kind, StringMember(metadata, "namespace"),
                StringMember(metadata, "name")};
  std::string part_of = StringMember(Member(metadata, "labels"), kApplySetPartOfLabel);
  // Items of a LIST carry no apiVersion/kind of their own in JSON; the list's are theirs. The
  // key ignores the version so that an object served at another version still matches.
  bool owned = part_of == applyset_id_;
  auto desired = desired_.find({kind, key.ns, key.name});
  bool at_desired_name = desired != desired_.end();
  if (at_desired_name)
    key.api_version = desired->second;
  if (owned || at_desired_name) {
    LiveObject live = KeepForPlan(std::move(object));
    live.key = key;
    state->objects[key] = std::move(live);
    return;
  }
  if (kind != "HTTPRoute")
    return;
  const nlohmann::json& spec = Member(object, "spec");
  const nlohmann::json& parents = Member(spec, "parentRefs");
  if (!parents.is_array())
    return;
  for (const nlohmann::json& parent : parents) {
    if (!NamesOurGateway(parent, key.ns))
      continue;
    LiveForeignRoute route{key.ns, key.name, {}};
    if (Member(spec, "hostnames").is_array())
      for (const nlohmann::json& host : spec["hostnames"])
        if (host.is_string())
          route.hostnames.push_back(host.get<std::string>());
    state->foreign_routes.push_back(std::move(route));
    return;
  }
}

}  // namespace starform
