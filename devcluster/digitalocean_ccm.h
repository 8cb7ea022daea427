#pragma once

// DigitalOcean's cloud controller as DOKS runs it, simulated: Kubernetes' service controller
// (k8s.io/cloud-provider controllers/service, events from "service-controller") driving
// digitalocean-cloud-controller-manager's load balancers (do/loadbalancers.go) in a fake
// account. For each Service of type LoadBalancer it adds the load-balancer-cleanup finalizer,
// creates a load balancer that turns active |lb_delay| later, writes back the load-balancer-id
// and type annotations, and then status.loadBalancer.ingress; while the balancer is new it
// reports the real "currently being created" warning. Deleting the Service (or changing its
// type) deletes the balancer and lifts the finalizer. See docs/devcluster.md.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "devcluster/controller.h"
#include "devcluster/event_recorder.h"

namespace starform::devcluster {

struct DigitalOceanCcmOptions {
  /// From the balancer's creation until it is active (status "new" meanwhile).
  std::chrono::milliseconds lb_delay{0};
  /// The CCM's RetryError delay while a balancer is new; the warning repeats this often.
  std::chrono::milliseconds pending_retry{15000};
  /// The service controller's backoff after any other error: doubles from min to max.
  std::chrono::milliseconds min_retry{5000};
  std::chrono::milliseconds max_retry{300000};
  /// The account's load balancer limit: creations past it get the API's 422. 0: no limit.
  int lb_limit = 0;
  /// The API answers this many load balancer creations (account-wide, counted from the
  /// first) with a 500. -1: every one.
  int api_failures = 0;
  /// Wall-clock time for event timestamps and names; RealWallClock() when empty.
  WallClock wall;
};

class DigitalOceanCcm : public Controller {
 public:
  explicit DigitalOceanCcm(DigitalOceanCcmOptions options);

  std::string name() const override { return "digitalocean-ccm"; }
  std::vector<std::string> watches() const override { return {"/services"}; }
  std::optional<Clock::time_point> Reconcile(DevCluster& cluster, Clock::time_point now) override;

  /// The load balancers the fake account holds.
  size_t load_balancer_count() const { return lbs_.size(); }

 private:
  struct LoadBalancer {
    std::string id, ip, type;
    Clock::time_point active_at;
  };
  struct ServiceState {
    Clock::time_point due;       ///< the next sync
    int failures = 0;            ///< for the backoff; a success resets it
    nlohmann::json last_inputs;  ///< what the last sync saw (needsUpdate's fields)
  };
  struct Outcome {
    nlohmann::json status;                       ///< status.loadBalancer when ensured
    std::string error;                           ///< "" when ensured
    std::optional<Clock::duration> retry_after;  ///< a RetryError, not a failure
  };

  void Sync(DevCluster& cluster, const nlohmann::json& service, Clock::time_point now,
            ServiceState& state);
  Outcome Ensure(DevCluster& cluster, const nlohmann::json& service, Clock::time_point now);
  Outcome EnsureLoadBalancer(const nlohmann::json& service, Clock::time_point now,
                             nlohmann::json* annotations);
  std::string Create(const nlohmann::json& service, Clock::time_point now, LoadBalancer** lb);
  LoadBalancer* Find(const nlohmann::json& service);
  void Cleanup(DevCluster& cluster, const nlohmann::json& service, Clock::time_point now);
  std::string ApiError(std::string_view method, std::string_view url, int code,
                       std::string_view message);
  std::string NextIp();
  bool Write(DevCluster& cluster, const nlohmann::json& service, const std::string& subresource,
             const nlohmann::json& patch);

  DigitalOceanCcmOptions options_;
  EventRecorder events_;
  std::map<std::string, ServiceState> services_;  ///< by Service uid
  std::map<std::string, LoadBalancer> lbs_;       ///< the account, by id
  std::set<std::string> ips_in_use_;
  int next_lb_ = 1;         ///< seeds the next balancer's id
  int next_ip_ = 0;         ///< the next address of the pool to try
  int create_calls_ = 0;    ///< for api_failures
  int error_requests_ = 0;  ///< seeds request ids of failed API calls
};

/// The controller a dev cluster runs: lb_delay, lb_limit and lb_api_failures from its options.
std::unique_ptr<Controller> MakeDigitalOceanCcm(const DevCluster& cluster);

}  // namespace starform::devcluster
