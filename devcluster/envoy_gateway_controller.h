#pragma once

// A simulated Envoy Gateway v1.9 controller (docs/devcluster.md, "Simulated controllers —
// Envoy Gateway"): it accepts the GatewayClasses whose controllerName is Envoy Gateway's,
// provisions one LoadBalancer Service per Gateway in envoy-gateway-system the way EG names and
// labels it, and writes the status EG writes on Gateways, HTTPRoutes, SecurityPolicies and
// ClientTrafficPolicies, with EG's reasons and messages. No Envoy runs: a Gateway is
// Programmed once its Service has a load balancer address (DigitalOcean's simulated cloud
// controller gives it one).

#include <functional>
#include <map>
#include <set>
#include <string>

#include "devcluster/controller.h"
#include "devcluster/envoy_gateway_internal.h"
#include "devcluster/store.h"

namespace starform::devcluster {

class EnvoyGatewayController : public Controller {
 public:
  struct Options {
    std::string controller_namespace = "envoy-gateway-system";
    /// The managedFields manager of its writes (EG's client user agent is "envoy-gateway").
    std::string field_manager = "envoy-gateway";
    /// RFC 3339 "now" for lastTransitionTime; the wall clock when empty.
    std::function<std::string()> wall_clock;
  };
  EnvoyGatewayController() : EnvoyGatewayController(Options{}) {}
  explicit EnvoyGatewayController(Options options);

  std::string name() const override { return "envoy-gateway"; }
  std::vector<std::string> watches() const override;
  std::optional<Clock::time_point> Reconcile(DevCluster& cluster, Clock::time_point now) override;

  /// "envoy-<ns>-<name>-<hash>": the Service EG makes for Gateway ns/name (GetHashedName).
  static std::string ServiceName(const std::string& ns, const std::string& name);

 private:
  struct RouteResult {
    uint64_t rv = 0;                    ///< the route's resourceVersion this was computed from
    uint64_t world = 0;                 ///< world_ when computed
    std::vector<std::string> backends;  ///< "ns/name" of the Services it refers to
    std::vector<std::pair<std::string, std::string>> attached;  ///< (gateway key, listener)
  };

  // What changed since the last run (envoy_gateway_controller.cpp).
  void CollectChanges(DevCluster& cluster);
  // envoy_gateway_gateways.cpp
  /// Our accepted GatewayClasses by name, after writing every class's status.
  std::map<std::string, nlohmann::json> ReconcileClasses(DevCluster& cluster);
  /// Our Gateways; provisions their Services and leaves their status (attachedRoutes
  /// still 0) in |pending| by "ns/name".
  eg::Gateways ReconcileGateways(DevCluster& cluster,
                                 const std::map<std::string, nlohmann::json>& classes,
                                 std::map<std::string, nlohmann::json>* pending);
  void WriteGatewayStatuses(DevCluster& cluster, std::map<std::string, nlohmann::json>& pending);
  void ApplyService(DevCluster& cluster, const nlohmann::json& service);
  void DeleteStaleServices(DevCluster& cluster, const std::set<std::string>& keep);
  // envoy_gateway_routes.cpp
  void ReconcileRoutes(DevCluster& cluster, const eg::Gateways& gateways);
  RouteResult ReconcileRoute(DevCluster& cluster, const Entry& route, const eg::Gateways& gateways);
  // envoy_gateway_policies.cpp
  void ReconcilePolicies(DevCluster& cluster, const std::string& store_key,
                         const eg::Gateways& gateways);

  /// PUTs |object| with |status| to its status subresource when the status differs; returns
  /// the new resourceVersion, or 0 when nothing was written.
  uint64_t WriteStatus(DevCluster& cluster, const std::string& path, const nlohmann::json& object,
                       nlohmann::json status);
  std::string Now() const;

  Options options_;
  uint64_t seen_rv_ = 0;
  bool first_ = true;
  uint64_t world_ = 1;  ///< bumped when anything a route's status depends on changes, but routes
  std::set<std::string> changed_services_;  ///< "ns/name" since the last run
  bool policies_dirty_ = true;
  std::map<std::string, RouteResult> routes_;               ///< by "ns/name"
  std::map<std::string, nlohmann::json> applied_services_;  ///< last apply body by name
};

}  // namespace starform::devcluster
