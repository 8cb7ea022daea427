#include "devcluster/envoy_gateway_controller.h"

#include <openssl/sha.h>

#include <iostream>

#include "devcluster/rest.h"
#include "devcluster/server.h"

namespace starform::devcluster {

using nlohmann::json;
using namespace eg;

EnvoyGatewayController::EnvoyGatewayController(Options options) : options_(std::move(options)) {}

std::vector<std::string> EnvoyGatewayController::watches() const {
  return {kGatewayClasses,        kGateways,     kHTTPRoutes, kReferenceGrants, kSecurityPolicies,
          kClientTrafficPolicies, kEnvoyProxies, kServices,   kSecrets,         kNamespaces};
}

std::string EnvoyGatewayController::ServiceName(const std::string& ns, const std::string& name) {
  std::string ns_name = ns + "/" + name;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(ns_name.data()), ns_name.size(), digest);
  static const char kHex[] = "0123456789abcdef";
  std::string hash;
  for (int i = 0; i < 4; ++i) {
    hash += kHex[digest[i] >> 4];
    hash += kHex[digest[i] & 15];
  }
  std::string resource = ns + "-" + name;
  if (resource.size() > 48) {
    resource.resize(48);
    while (!resource.empty() && resource.back() == '-')  // no "--" before the hash
      resource.pop_back();
  }
  return "envoy-" + resource + "-" + hash;
}

std::string EnvoyGatewayController::Now() const {
  if (options_.wall_clock)
    return options_.wall_clock();
  return NowRfc3339();
}

namespace {

// Whether a change is more than a status (or managedFields) write: what a status depends on.
bool SpecChanged(const Event& event) {
  if (event.type != EventType::kModified)
    return true;
  const json& a = *event.prev.object;
  const json& b = *event.entry.object;
  for (const char* field : {"spec", "data", "type"}) {
    if (a.value(field, json()) != b.value(field, json()))
      return true;
  }
  return a["metadata"].value("labels", json()) != b["metadata"].value("labels", json()) ||
         a["metadata"].value("annotations", json()) != b["metadata"].value("annotations", json());
}

}  // namespace

void EnvoyGatewayController::CollectChanges(DevCluster& cluster) {
  uint64_t rv = cluster.store().current_rv();
  if (first_) {
    first_ = false;
    seen_rv_ = rv;
    return;
  }
  for (const std::string& key : watches()) {
    std::vector<Event> events;
    if (!cluster.store().EventsSince(key, seen_rv_, Clock::time_point{}, &events)) {
      ++world_;  // older than the history: recompute everything
      policies_dirty_ = true;
      continue;
    }
    for (const Event& event : events) {
      if (!SpecChanged(event))
        continue;
      if (key == kServices) {
        changed_services_.insert(event.key);
      } else if (key == kHTTPRoutes || key == kSecurityPolicies || key == kClientTrafficPolicies) {
        policies_dirty_ = true;
      } else {
        ++world_;
        policies_dirty_ = true;
      }
    }
  }
  seen_rv_ = rv;
}

std::optional<Controller::Clock::time_point> EnvoyGatewayController::Reconcile(DevCluster& cluster,
                                                                               Clock::time_point) {
  CollectChanges(cluster);
  std::map<std::string, json> classes = ReconcileClasses(cluster);
  std::map<std::string, json> pending;
  Gateways gateways = ReconcileGateways(cluster, classes, &pending);
  ReconcileRoutes(cluster, gateways);
  WriteGatewayStatuses(cluster, pending);
  if (policies_dirty_) {
    ReconcilePolicies(cluster, kSecurityPolicies, gateways);
    ReconcilePolicies(cluster, kClientTrafficPolicies, gateways);
    policies_dirty_ = false;
  }
  changed_services_.clear();
  return std::nullopt;
}

uint64_t EnvoyGatewayController::WriteStatus(DevCluster& cluster, const std::string& path,
                                             const json& object, json status) {
  json live = object.value("status", json::object());
  CarryTransitionTimes(live, &status, Now());
  if (SameStatus(live, status))
    return 0;
  json body = object;
  body["status"] = std::move(status);
  LocalRequest request;
  request.method = "PUT";
  request.target = path + "/status?fieldManager=" + options_.field_manager;
  request.body = body.dump();
  LocalResponse response = cluster.Call(request);
  if (response.status != 200) {
    // A conflict means someone wrote meanwhile: that change wakes the next run.
    if (response.status != 409 && response.status != 404)
      std::cerr << "envoy-gateway: PUT " << request.target << ": " << response.body << "\n";
    return 0;
  }
  json stored = json::parse(response.body, nullptr, false);
  std::string rv = Str(stored, json::json_pointer("/metadata/resourceVersion"));
  return rv.empty() ? 0 : std::stoull(rv);
}

}  // namespace starform::devcluster
