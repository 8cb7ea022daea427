// SecurityPolicy and ClientTrafficPolicy status.ancestors, as EG v1.9 writes them
// (envoy-gateway.md §1.2, §1.5, §1.7).

#include <algorithm>

#include "devcluster/envoy_gateway_controller.h"
#include "devcluster/server.h"

namespace starform::devcluster {

using nlohmann::json;
using namespace eg;

namespace {

struct Policy {
  const json* object;
  std::string kind;   ///< "SecurityPolicy", "ClientTrafficPolicy"
  std::string error;  ///< why it is Invalid, "" when it is not
};

// The targets of a policy: targetRefs, or the deprecated targetRef.
json Targets(const json& policy) {
  const json& spec = policy["spec"];
  if (spec.contains("targetRefs"))
    return spec["targetRefs"];
  if (spec.contains("targetRef"))
    return json::array({spec["targetRef"]});
  return json::array();
}

// The Gateways a target reaches, as policy ancestors: the Gateway itself, or a route's parents
// that are ours. Empty when the target does not exist (EG then writes no status).
json Ancestors(DevCluster& cluster, const json& target, const std::string& ns,
               const Gateways& gateways) {
  json out = json::array();
  std::string kind = target.value("kind", ""), name = target.value("name", "");
  auto ancestor = [&](const std::string& gw_ns, const std::string& gw, const json& section) {
    json ref = {{"group", kGatewayGroup}, {"kind", "Gateway"}, {"name", gw}, {"namespace", gw_ns}};
    if (section.is_string())
      ref["sectionName"] = section;
    if (std::find(out.begin(), out.end(), ref) == out.end())
      out.push_back(ref);
  };
  if (kind == "Gateway" && gateways.count(ns + "/" + name)) {
    ancestor(ns, name, target.value("sectionName", json()));
  } else if (kind == "HTTPRoute") {
    Entry route = cluster.store().Get(kHTTPRoutes, ns, name);
    if (!route)
      return out;
    for (const json& parent : (*route.object)["spec"].value("parentRefs", json::array())) {
      std::string gw_ns = parent.value("namespace", ns), gw = parent.value("name", "");
      if (parent.value("kind", "Gateway") == "Gateway" && gateways.count(gw_ns + "/" + gw))
        ancestor(gw_ns, gw, parent.value("sectionName", json()));
    }
  }
  return out;
}

// The first cross-namespace backendRef (extAuth, remote JWKS) that no ReferenceGrant allows.
std::string BackendRefError(DevCluster& cluster, const json& policy) {
  std::string ns = policy["metadata"].value("namespace", "");
  std::vector<json> refs;
  const json& spec = policy["spec"];
  for (const char* kind : {"grpc", "http"}) {
    for (const json& ref : spec.value(
             json::json_pointer(std::string("/extAuth/") + kind + "/backendRefs"), json::array()))
      refs.push_back(ref);
  }
  for (const json& provider : spec.value("/jwt/providers"_json_pointer, json::array())) {
    for (const json& ref : provider.value("/remoteJWKS/backendRefs"_json_pointer, json::array()))
      refs.push_back(ref);
  }
  for (const json& ref : refs) {
    std::string to_ns = ref.value("namespace", ns), name = ref.value("name", "");
    if (to_ns != ns && !ReferenceGranted(cluster, "gateway.envoyproxy.io", "SecurityPolicy", ns,
                                         "Service", to_ns, name))
      return "Backend ref to Service " + to_ns + "/" + name +
             " not permitted by any ReferenceGrant.";
  }
  return "";
}

bool Older(const Policy& a, const Policy& b) {
  auto stamp = [](const Policy& p) {
    return std::make_tuple((*p.object)["metadata"].value("creationTimestamp", ""),
                           (*p.object)["metadata"].value("namespace", ""),
                           (*p.object)["metadata"].value("name", ""));
  };
  return stamp(a) < stamp(b);
}

}  // namespace

void EnvoyGatewayController::ReconcilePolicies(DevCluster& cluster, const std::string& store_key,
                                               const Gateways& gateways) {
  std::vector<Entry> entries = cluster.store().List(store_key, {}).items;
  std::string kind = store_key == kSecurityPolicies ? "SecurityPolicy" : "ClientTrafficPolicy";
  std::vector<Policy> policies;
  for (const Entry& entry : entries) {
    Policy p{entry.object.get(), kind, ""};
    if (store_key == kSecurityPolicies)
      p.error = BackendRefError(cluster, *entry.object);
    policies.push_back(p);
  }
  std::sort(policies.begin(), policies.end(), Older);
  std::set<std::string> claimed;  ///< targets already attached to, "Kind/ns/name/section"
  for (const Policy& p : policies) {
    const json& policy = *p.object;
    std::string ns = policy["metadata"].value("namespace", "");
    int64_t generation = Generation(policy);
    json ours = json::array();
    for (const json& target : Targets(policy)) {
      json ancestors = Ancestors(cluster, target, ns, gateways);
      if (ancestors.empty())
        continue;
      std::string tkind = target.value("kind", ""), tname = target.value("name", "");
      bool conflicted =
          !claimed.insert(tkind + "/" + ns + "/" + tname + "/" + target.value("sectionName", ""))
               .second;
      json accepted =
          conflicted ? Condition("Accepted", false, "Conflicted",
                                 "Unable to target " + tkind + " " + tname + ", another " + p.kind +
                                     " has already attached to it",
                                 generation)
          : !p.error.empty()
              ? Condition("Accepted", false, "Invalid", p.error, generation)
              : Condition("Accepted", true, "Accepted", "Policy has been accepted.", generation);
      json conditions = {accepted};
      if (policy["spec"].contains("targetRef")) {
        json warning =
            Condition("Warning", true, "DeprecatedField",
                      "spec.targetRef is deprecated, use spec.targetRefs instead", generation);
        conditions.push_back(warning);
      }
      for (const json& ref : ancestors) {
        ours.push_back({{"ancestorRef", ref},
                        {"controllerName", kControllerName},
                        {"conditions", conditions}});
      }
    }
    std::optional<json> status = WithOurs(policy, "ancestors", std::move(ours));
    if (!status)
      continue;
    std::string resource = store_key.substr(store_key.find('/') + 1);
    WriteStatus(cluster,
                "/apis/gateway.envoyproxy.io/v1alpha1/namespaces/" + ns + "/" + resource + "/" +
                    policy["metadata"].value("name", ""),
                policy, std::move(*status));
  }
}

}  // namespace starform::devcluster
