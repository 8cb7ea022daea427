// The service controller's sync loop (processServiceCreateOrUpdate / syncLoadBalancerIfNeeded)
// over a fake DigitalOcean account. Each Service is synced when first seen, when a field the
// real controller's needsUpdate compares changes (annotations included, so the CCM's own
// annotation write brings one more sync, as on a real cluster), and when its retry comes.

#include "devcluster/digitalocean_ccm.h"

#include <algorithm>

#include "devcluster/digitalocean_lb_request.h"
#include "devcluster/server.h"

namespace starform::devcluster {

using nlohmann::json;

namespace {

constexpr const char* kFinalizer = "service.kubernetes.io/load-balancer-cleanup";
constexpr const char* kUser = "system:serviceaccount:kube-system:service-controller";
constexpr const char* kFieldManager = "digitalocean-cloud-controller-manager";
// Neither text is confirmed: no real example of these API answers was found.
constexpr const char* kServerErrorMessage = "Server was unable to give you a response.";
constexpr const char* kLimitMessage =
    "You have reached the load balancer limit for your account. Please contact support to "
    "increase your limit.";

const json& Meta(const json& service) {
  return service["metadata"];
}

bool HasFinalizer(const json& service) {
  const json& finalizers = Meta(service).value("finalizers", json::array());
  return std::find(finalizers.begin(), finalizers.end(), kFinalizer) != finalizers.end();
}

bool WantsLoadBalancer(const json& service) {
  const json& spec = service.value("spec", json::object());
  return spec.value("type", "") == "LoadBalancer" && !spec.contains("loadBalancerClass");
}

// The fields needsUpdate compares: a change to any of them brings a new sync.
json SyncInputs(const json& service) {
  json in = {{"annotations", Meta(service).value("annotations", json::object())},
             {"uid", Meta(service).value("uid", "")}};
  const json& spec = service.value("spec", json::object());
  for (const char* field : {"type", "loadBalancerSourceRanges", "ports", "sessionAffinity",
                            "sessionAffinityConfig", "loadBalancerIP", "externalIPs",
                            "externalTrafficPolicy", "healthCheckNodePort", "ipFamilies"}) {
    if (spec.contains(field))
      in[field] = spec[field];
  }
  return in;
}

json CurrentStatus(const json& service) {
  return service.value("status", json::object()).value("loadBalancer", json::object());
}

}  // namespace

std::unique_ptr<Controller> MakeDigitalOceanCcm(const DevCluster& cluster) {
  DigitalOceanCcmOptions options;
  options.lb_delay = cluster.options().lb_delay;
  options.lb_limit = cluster.options().lb_limit;
  options.api_failures = cluster.options().lb_api_failures;
  return std::make_unique<DigitalOceanCcm>(options);
}

DigitalOceanCcm::DigitalOceanCcm(DigitalOceanCcmOptions options)
    : options_(std::move(options)),
      events_("service-controller", kUser, kFieldManager,
              options_.wall ? options_.wall : RealWallClock()) {}

std::optional<Controller::Clock::time_point> DigitalOceanCcm::Reconcile(DevCluster& cluster,
                                                                        Clock::time_point now) {
  std::optional<Clock::time_point> wake;
  std::set<std::string> present;
  for (const json& service : cluster.List("services")) {
    std::string uid = Meta(service).value("uid", "");
    present.insert(uid);
    bool deleting = Meta(service).contains("deletionTimestamp");
    if (HasFinalizer(service) && (deleting || !WantsLoadBalancer(service))) {
      Cleanup(cluster, service, now);
      continue;
    }
    if (deleting || !WantsLoadBalancer(service)) {
      services_.erase(uid);
      continue;
    }
    auto [it, fresh] = services_.try_emplace(uid);
    ServiceState& state = it->second;
    if (fresh || SyncInputs(service) != state.last_inputs)
      state.due = now;
    if (state.due <= now)
      Sync(cluster, service, now, state);
    if (state.due != Clock::time_point::max())
      wake = std::min(wake.value_or(Clock::time_point::max()), state.due);
  }
  std::erase_if(services_, [&](const auto& entry) { return present.count(entry.first) == 0; });
  return wake;
}

void DigitalOceanCcm::Sync(DevCluster& cluster, const json& service, Clock::time_point now,
                           ServiceState& state) {
  state.last_inputs = SyncInputs(service);
  events_.Record(cluster, service, "Normal", "EnsuringLoadBalancer", "Ensuring load balancer", now);
  Outcome outcome;
  if (!HasFinalizer(service)) {
    json finalizers = Meta(service).value("finalizers", json::array());
    finalizers.push_back(kFinalizer);
    if (!Write(cluster, service, "", {{"metadata", {{"finalizers", finalizers}}}}))
      outcome.error = "failed to add load balancer cleanup finalizer";
  }
  if (outcome.error.empty())
    outcome = Ensure(cluster, service, now);
  if (!outcome.error.empty()) {
    events_.Record(cluster, service, "Warning", "SyncLoadBalancerFailed",
                   "Error syncing load balancer: " + outcome.error, now);
    if (outcome.retry_after) {
      state.due = now + *outcome.retry_after;
    } else {
      // The workqueue's per-item exponential backoff; a RetryError does not count.
      auto delay = options_.min_retry * (1LL << std::min(state.failures++, 20));
      state.due = now + std::min<Clock::duration>(delay, options_.max_retry);
    }
    return;
  }
  events_.Record(cluster, service, "Normal", "EnsuredLoadBalancer", "Ensured load balancer", now);
  if (CurrentStatus(service) != outcome.status)
    Write(cluster, service, "status", {{"status", {{"loadBalancer", outcome.status}}}});
  state.failures = 0;
  state.due = Clock::time_point::max();
}

DigitalOceanCcm::Outcome DigitalOceanCcm::Ensure(DevCluster& cluster, const json& service,
                                                 Clock::time_point now) {
  json annotations = json::object();
  Outcome outcome = EnsureLoadBalancer(service, now, &annotations);
  // The CCM's deferred servicePatcher writes the annotations whatever the outcome.
  if (!annotations.empty())
    Write(cluster, service, "", {{"metadata", {{"annotations", annotations}}}});
  if (!outcome.error.empty())
    outcome.error = "failed to ensure load balancer: " + outcome.error;
  return outcome;
}

DigitalOceanCcm::Outcome DigitalOceanCcm::EnsureLoadBalancer(const json& service,
                                                             Clock::time_point now,
                                                             json* annotations) {
  Outcome out;
  bool disowned = false;
  std::string error =
      digitalocean::BoolAnnotation(service, digitalocean::kDisownAnnotation, &disowned);
  if (!error.empty()) {
    out.error = "failed to get disown LB configuration setting: " + error;
    return out;
  }
  if (disowned) {
    out.status = CurrentStatus(service);
    return out;
  }
  if (error = digitalocean::LoadBalancerRequestError(service); !error.empty()) {
    out.error = "failed to build load-balancer request: " + error;
    return out;
  }
  LoadBalancer* lb = Find(service);
  if (lb != nullptr) {
    if (std::string invalid = digitalocean::ApiValidationError(service); !invalid.empty()) {
      std::string url = std::string(digitalocean::kApiBase) + "/" + lb->id;
      out.error = "failed to update load-balancer with ID " + lb->id + ": " +
                  ApiError("PUT", url, 422, invalid);
      return out;
    }
  } else if (out.error = Create(service, now, &lb); !out.error.empty()) {
    return out;
  }
  for (auto [key, value] : {std::pair{digitalocean::kLoadBalancerIdAnnotation, lb->id},
                            {digitalocean::kTypeAnnotation, lb->type}}) {
    const std::string* current = digitalocean::Annotation(service, key);
    if (current == nullptr || *current != value)
      (*annotations)[std::string(key)] = value;
  }
  if (now < lb->active_at) {
    out.error = "load-balancer is currently being created";
    // The real CCM polls every pending_retry; this one also wakes the moment the balancer is
    // active, so that lb_delay is exact.
    out.retry_after = std::min<Clock::duration>(options_.pending_retry, lb->active_at - now);
    return out;
  }
  if (const std::string* hostname =
          digitalocean::Annotation(service, digitalocean::kHostnameAnnotation);
      hostname != nullptr && !hostname->empty()) {
    std::string lower = *hostname;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.status = {{"ingress", {{{"hostname", lower}}}}};
  } else {
    // ipMode is what the API server (v1.32+) defaults for an ip; this server does not default
    // built-in types, so the write carries it.
    out.status = {{"ingress", {{{"ip", lb->ip}, {"ipMode", "VIP"}}}}};
  }
  return out;
}

std::string DigitalOceanCcm::Create(const json& service, Clock::time_point now, LoadBalancer** lb) {
  const std::string url(digitalocean::kApiBase);
  ++create_calls_;
  if (options_.api_failures < 0 || create_calls_ <= options_.api_failures)
    return "failed to create load-balancer: " + ApiError("POST", url, 500, kServerErrorMessage);
  if (std::string invalid = digitalocean::ApiValidationError(service); !invalid.empty())
    return "failed to create load-balancer: " + ApiError("POST", url, 422, invalid);
  if (options_.lb_limit > 0 && lbs_.size() >= static_cast<size_t>(options_.lb_limit))
    return "failed to create load-balancer: " + ApiError("POST", url, 422, kLimitMessage);
  std::string id;
  do {
    id = digitalocean::FakeUuid("load-balancer:" + std::to_string(next_lb_++));
  } while (lbs_.count(id) != 0);
  *lb = &lbs_[id];
  **lb = {id, NextIp(), digitalocean::LoadBalancerType(service), now + options_.lb_delay};
  return "";
}

DigitalOceanCcm::LoadBalancer* DigitalOceanCcm::Find(const json& service) {
  const std::string* id =
      digitalocean::Annotation(service, digitalocean::kLoadBalancerIdAnnotation);
  if (id == nullptr || id->empty())
    return nullptr;
  if (auto it = lbs_.find(*id); it != lbs_.end())
    return &it->second;
  // A Service that already has a balancer (state from before a restart): the account
  // remembers it, so its address stays.
  json ingress = CurrentStatus(service).value("ingress", json::array());
  if (ingress.empty())
    return nullptr;
  std::string ip = ingress[0].value("ip", "");
  if (ip.empty() || !ips_in_use_.insert(ip).second)
    ip = NextIp();
  LoadBalancer& lb = lbs_[*id];
  lb = {*id, ip, digitalocean::LoadBalancerType(service), Clock::time_point::min()};
  return &lb;
}

void DigitalOceanCcm::Cleanup(DevCluster& cluster, const json& service, Clock::time_point now) {
  LoadBalancer* lb = Find(service);
  if (lb != nullptr) {
    events_.Record(cluster, service, "Normal", "DeletingLoadBalancer", "Deleting load balancer",
                   now);
    bool disowned = false;
    digitalocean::BoolAnnotation(service, digitalocean::kDisownAnnotation, &disowned);
    if (!disowned) {
      ips_in_use_.erase(lb->ip);
      lbs_.erase(lb->id);
    }
  }
  json finalizers = json::array();
  for (const json& f : Meta(service).value("finalizers", json::array())) {
    if (f != kFinalizer)
      finalizers.push_back(f);
  }
  // An empty list is dropped, as the real server's encoding omits it.
  json remaining = finalizers.empty() ? json(nullptr) : finalizers;
  if (!Write(cluster, service, "", {{"metadata", {{"finalizers", remaining}}}}))
    return;  // tried again at the next run
  events_.Record(cluster, service, "Normal", "DeletedLoadBalancer", "Deleted load balancer", now);
  if (!Meta(service).contains("deletionTimestamp") && !CurrentStatus(service).empty())
    Write(cluster, service, "status", {{"status", {{"loadBalancer", {{"ingress", nullptr}}}}}});
  services_.erase(Meta(service).value("uid", ""));
}

std::string DigitalOceanCcm::ApiError(std::string_view method, std::string_view url, int code,
                                      std::string_view message) {
  std::string request_id = digitalocean::FakeUuid("request:" + std::to_string(++error_requests_));
  return digitalocean::GodoError(method, url, code, request_id, message);
}

std::string DigitalOceanCcm::NextIp() {
  // Documentation ranges (RFC 5737): never a real address.
  static const char* kPools[] = {"203.0.113.", "198.51.100.", "192.0.2."};
  constexpr int kSize = 3 * 254;
  for (int tries = 0; tries < kSize; ++tries) {
    int n = next_ip_++ % kSize;
    std::string ip = kPools[n / 254] + std::to_string(n % 254 + 1);
    if (ips_in_use_.insert(ip).second)
      return ip;
  }
  return "203.0.113.254";  // all taken: far past any account limit
}

bool DigitalOceanCcm::Write(DevCluster& cluster, const json& service,
                            const std::string& subresource, const json& patch) {
  LocalRequest request;
  request.method = "PATCH";
  request.target = "/api/v1/namespaces/" + Meta(service).value("namespace", "") + "/services/" +
                   Meta(service).value("name", "") +
                   (subresource.empty() ? "" : "/" + subresource) +
                   "?fieldManager=" + kFieldManager;
  // As client-go's service patch helpers send it; this server applies it as a merge patch.
  request.content_type = "application/strategic-merge-patch+json";
  request.body = patch.dump();
  request.user = kUser;
  return cluster.Call(request).status == 200;
}

}  // namespace starform::devcluster
