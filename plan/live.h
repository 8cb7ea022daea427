#pragma once

// The live side of a plan: what the planner keeps of each object the cluster returned (enough
// to diff, to name who changed a field, and to tell later whether it changed; never status), how
// a listed object is sorted into owned, unowned-at-a-desired-name or foreign, and the other
// facts of the cluster that the rendered objects assume (namespaces, Secrets, Services, the
// GatewayClass). Built by the cluster reader (kube/cluster_reader.h) page by page.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/desired_state.h"
#include "plan/plan.h"

namespace starform {

struct LiveObject {
  ObjectKey key;
  std::string uid;
  std::string resource_version;
  nlohmann::json labels = nlohmann::json::object();
  nlohmann::json annotations = nlohmann::json::object();
  nlohmann::json spec;            ///< null when the object has none
  nlohmann::json managed_fields;  ///< metadata.managedFields as served, or null

  /// The object's applyset.kubernetes.io/part-of label ("" when it has none).
  std::string PartOf() const;
};

/// The parts of |object| the planner reads, moved out of it; status and server-owned metadata
/// are dropped.
LiveObject KeepForPlan(nlohmann::json object);

/// sha256 (hex) of what makes an object's planned change valid: its uid, spec, labels and
/// annotations. Status and managedFields are left out, so a controller updating status does not
/// make a saved plan stale.
std::string LiveContentDigest(const LiveObject& object);

/// A route of someone else that names our Gateway as a parent.
struct LiveForeignRoute {
  std::string ns;
  std::string name;
  std::vector<std::string> hostnames;
};

/// What readiness checks need to know of the cluster besides the rendered kinds.
struct ClusterFacts {
  /// Labels of every namespace, by name.
  std::map<std::string, nlohmann::json> namespaces;
  /// "namespace/name" of each Secret the Gateway's listeners reference that exists.
  std::set<std::string> secrets;
  /// Ports of each Service ("namespace/name") in the namespaces the apps use.
  std::map<std::string, std::set<int64_t>> services;
  bool services_known = false;  ///< false: Services were not read (no warnings about them)
  std::optional<nlohmann::json> gateway_class;  ///< the desired GatewayClass, when it exists
  /// The spec of the EnvoyProxy the GatewayClass names, when it names one and it exists.
  std::optional<nlohmann::json> class_envoy_proxy_spec;
  /// The ApplySet parent's starform.dev/cluster annotation, when the parent exists.
  std::optional<std::string> served_cluster;
};

struct LiveState {
  /// Objects of the rendered kinds that are owned or sit at a desired name.
  std::map<ObjectKey, LiveObject> objects;
  std::vector<LiveForeignRoute> foreign_routes;
  ClusterFacts facts;
};

/// What reading the live state needs to know of the desired state: which objects are desired
/// (to sort the listed ones) and what the rendered objects assume exists.
struct ReadScope {
  std::set<ObjectKey> desired;
  std::string gateway_ns;
  std::string gateway_name;
  std::string gateway_class;
  std::set<std::string> app_namespaces;  ///< whose Services readiness checks (apps, ext_authz)
  std::set<std::string> secret_names;    ///< the listeners' Secrets, in the Gateway's namespace
};

/// The scope of a plan of |state|, which renders to |rendered|.
ReadScope ReadScopeOf(const DesiredState& state, const std::vector<nlohmann::json>& rendered);

/// Decides, for each listed object, whether the plan needs it, and keeps only that.
class LiveSorter {
 public:
  /// |desired| are the keys of the rendered objects; the Gateway is the one routes attach to.
  LiveSorter(std::set<ObjectKey> desired, std::string gateway_ns, std::string gateway_name);
  explicit LiveSorter(const ReadScope& scope);

  /// Files |object| (one item of a LIST of |api_version|/|kind|) into |state|: owned objects
  /// and objects at a desired name are kept, foreign HTTPRoutes naming our Gateway are listed,
  /// everything else is dropped.
  void Add(const std::string& api_version, const std::string& kind, nlohmann::json object,
           LiveState* state) const;

 private:
  bool NamesOurGateway(const nlohmann::json& parent_ref, const std::string& route_ns) const;

  /// (kind, namespace, name) of each desired object, to its API version.
  std::map<std::tuple<std::string, std::string, std::string>, std::string> desired_;
  std::string gateway_ns_;
  std::string gateway_name_;
  std::string applyset_id_;
};

}  // namespace starform
