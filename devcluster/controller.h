#pragma once

// The simulated controllers (Envoy Gateway, DigitalOcean's cloud controller). Each is
// level-triggered, as a real controller with an informer is: whenever something it watches
// changes, or the time it asked to be woken comes, it reads what it needs and writes only what
// differs. Writes go through DevCluster::Call, so they pass the same admission (DigitalOcean's
// webhook), managedFields and resourceVersion checks as any client's and show in the request
// log. Time comes in as a value so tests can drive a controller step by step.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace starform::devcluster {

class DevCluster;

class Controller {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~Controller() = default;

  /// For logs and thread names: "envoy-gateway", "digitalocean-ccm".
  virtual std::string name() const = 0;
  /// The store keys (ResourceType::StoreKey()) whose changes wake this controller.
  virtual std::vector<std::string> watches() const = 0;
  /// Moves the cluster one step toward what this controller wants. Returns when it must run
  /// again even if nothing changes (a load balancer's delay, a periodic event), or nullopt.
  /// Must be idempotent: a run with nothing to do writes nothing.
  virtual std::optional<Clock::time_point> Reconcile(DevCluster& cluster,
                                                     Clock::time_point now) = 0;
};

}  // namespace starform::devcluster
