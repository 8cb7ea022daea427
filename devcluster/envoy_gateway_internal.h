#pragma once

// Shared by the parts of the simulated Envoy Gateway controller: how it reads the cluster and
// builds conditions. Not for other users.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace starform::devcluster {

class DevCluster;

namespace eg {

inline constexpr const char* kControllerName = "gateway.envoyproxy.io/gatewayclass-controller";
inline constexpr const char* kGatewayGroup = "gateway.networking.k8s.io";
inline constexpr const char* kGatewayClasses = "gateway.networking.k8s.io/gatewayclasses";
inline constexpr const char* kGateways = "gateway.networking.k8s.io/gateways";
inline constexpr const char* kHTTPRoutes = "gateway.networking.k8s.io/httproutes";
inline constexpr const char* kReferenceGrants = "gateway.networking.k8s.io/referencegrants";
inline constexpr const char* kSecurityPolicies = "gateway.envoyproxy.io/securitypolicies";
inline constexpr const char* kClientTrafficPolicies = "gateway.envoyproxy.io/clienttrafficpolicies";
inline constexpr const char* kEnvoyProxies = "gateway.envoyproxy.io/envoyproxies";
inline constexpr const char* kServices = "/services";
inline constexpr const char* kSecrets = "/secrets";
inline constexpr const char* kNamespaces = "/namespaces";

/// A metav1.Condition. lastTransitionTime is filled when the status is written.
nlohmann::json Condition(const std::string& type, bool status, const std::string& reason,
                         const std::string& message, int64_t generation);
/// |want|'s conditions with each lastTransitionTime kept from |live| when the condition's
/// status did not change, else |now| (meta.SetStatusCondition's rule). Applies to every
/// "conditions" array found at the same path in both.
void CarryTransitionTimes(const nlohmann::json& live, nlohmann::json* want, const std::string& now);
/// Whether two statuses are equal ignoring lastTransitionTime (EG's isStatusEqual).
bool SameStatus(const nlohmann::json& a, const nlohmann::json& b);

/// |object|'s status with status.<list> made of the other controllers' entries and then |ours|;
/// nullopt when neither the live list nor |ours| has an entry of ours (nothing to write).
std::optional<nlohmann::json> WithOurs(const nlohmann::json& object, const std::string& list,
                                       nlohmann::json ours);

int64_t Generation(const nlohmann::json& object);
std::string Str(const nlohmann::json& object, const nlohmann::json::json_pointer& at);
/// "namespace/name".
std::string Key(const nlohmann::json& object);

/// A Gateway of ours, as the route and policy parts need it.
struct Listener {
  std::string name;
  std::string hostname;  ///< "" when unset
  std::string protocol;
  int port = 0;
  nlohmann::json allowed_namespaces;  ///< allowedRoutes.namespaces ({from: Same} by default)
  bool valid = true;                  ///< Accepted (routes attach only to accepted listeners)
};
struct Gateway {
  std::string ns;
  std::string name;
  std::vector<Listener> listeners;
};
/// Our Gateways (those of a GatewayClass with our controllerName), keyed "ns/name".
using Gateways = std::map<std::string, Gateway>;

/// Whether a ReferenceGrant in |to_ns| lets |from_kind| objects (group |from_group|) of
/// |from_ns| refer to the |to_kind| object |to_name| (group "" for core).
bool ReferenceGranted(DevCluster& cluster, const std::string& from_group,
                      const std::string& from_kind, const std::string& from_ns,
                      const std::string& to_kind, const std::string& to_ns,
                      const std::string& to_name);

/// The Envoy Service EG provisions in |ns| for |gateway| of |gateway_class|, configured by
/// |envoy_proxy| (null when none): the body it server-side applies.
nlohmann::json DesiredService(const nlohmann::json& gateway, const nlohmann::json& gateway_class,
                              const nlohmann::json& envoy_proxy, const std::string& ns);

/// Whether namespace |ns| matches a label selector {matchLabels, matchExpressions}.
bool NamespaceSelected(DevCluster& cluster, const std::string& ns, const nlohmann::json& selector);

}  // namespace eg
}  // namespace starform::devcluster
