#pragma once

// What DigitalOcean's cloud controller (digitalocean/digitalocean-cloud-controller-manager,
// do/loadbalancers.go) refuses when it turns a LoadBalancer Service's annotations into a load
// balancer request, and what the DigitalOcean API itself refuses (value ranges). Shared by the
// admission webhook (digitalocean_admission.h) and the cloud controller (digitalocean_ccm.h),
// which both wrap these messages in their own prefixes, as the real ones do.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace starform::devcluster::digitalocean {

inline constexpr std::string_view kAnnotationPrefix = "service.beta.kubernetes.io/do-loadbalancer-";
inline constexpr std::string_view kLoadBalancerIdAnnotation =
    "kubernetes.digitalocean.com/load-balancer-id";
inline constexpr std::string_view kTypeAnnotation =
    "service.beta.kubernetes.io/do-loadbalancer-type";
inline constexpr std::string_view kHostnameAnnotation =
    "service.beta.kubernetes.io/do-loadbalancer-hostname";
inline constexpr std::string_view kDisownAnnotation =
    "service.kubernetes.io/do-loadbalancer-disown";
/// The CCM's default since v0.1.61 (DEFAULT_LB_TYPE can change it on a real cluster).
inline constexpr std::string_view kDefaultType = "REGIONAL_NETWORK";
inline constexpr std::string_view kApiBase = "https://api.digitalocean.com/v2/load_balancers";

/// The error buildLoadBalancerRequest returns for |service| (a v1 Service), as the admission path
/// builds it (no node information: nodes are assumed ready and IPv4), or "" when it builds.
std::string LoadBalancerRequestError(const nlohmann::json& service);

/// The message of the DigitalOcean API's 422 for a request that builds but has a value out of
/// the API's range (size_unit, http_idle_timeout_seconds, health check bounds), or "". The
/// ranges are the API's (openapi load_balancer_base.yml); the wording is made up: no real
/// example was found.
std::string ApiValidationError(const nlohmann::json& service);

/// The load balancer type the API reports for |service|: the annotation, else the default.
std::string LoadBalancerType(const nlohmann::json& service);

/// An annotation of |service|, or null when absent.
const std::string* Annotation(const nlohmann::json& service, std::string_view key);

/// getBool (do/annotations.go): sets |value| (false when absent) or returns its error text.
std::string BoolAnnotation(const nlohmann::json& service, std::string_view key, bool* value);

/// godo's ErrorResponse text: `POST https://...: 422 (request "<id>") <message>`.
std::string GodoError(std::string_view method, std::string_view url, int code,
                      std::string_view request_id, std::string_view message);

/// A UUID (version 4 layout) derived from |seed|: the simulation's ids are deterministic.
std::string FakeUuid(std::string_view seed);

}  // namespace starform::devcluster::digitalocean
