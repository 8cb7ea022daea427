#pragma once

// For tests: the upstream CRDs in shared/crds (STARFORM_SHARED_DIR), each loaded once per test
// binary, since the largest takes a while to parse.

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

#include "kube/crd.h"

namespace starform::kube::testing {

inline std::string SharedCrdPath(const std::string& file) {
  return std::string(STARFORM_SHARED_DIR) + "/crds/" + file;
}

/// The CRD in shared/crds/|file|; throws (failing the test) if it does not load.
inline const Crd& SharedCrd(const std::string& file) {
  static std::mutex mutex;
  static std::map<std::string, Crd> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto found = loaded.find(file); found != loaded.end())
    return found->second;
  Crd crd;
  Diagnostics diags(file);
  if (!LoadCrdFile(SharedCrdPath(file), &crd, &diags)) {
    throw std::runtime_error("cannot load " + file + ":\n" + diags.ToString());
  }
  return loaded.emplace(file, std::move(crd)).first->second;
}

/// The compiled schema of |version| in shared/crds/|file|.
inline const Schema& SharedSchema(const std::string& file, const std::string& version) {
  const CrdVersion* found = SharedCrd(file).Version(version);
  if (!found || !found->schema)
    throw std::runtime_error(file + " has no schema for " + version);
  return *found->schema;
}

inline constexpr const char* kHTTPRoutes = "gateway.networking.k8s.io_httproutes.yaml";
inline constexpr const char* kGateways = "gateway.networking.k8s.io_gateways.yaml";
inline constexpr const char* kGatewayClasses = "gateway.networking.k8s.io_gatewayclasses.yaml";
inline constexpr const char* kReferenceGrants = "gateway.networking.k8s.io_referencegrants.yaml";
inline constexpr const char* kSecurityPolicies = "gateway.envoyproxy.io_securitypolicies.yaml";
inline constexpr const char* kSecurityPolicies150 =
    "gateway.envoyproxy.io_securitypolicies.v1.5.0.yaml";
inline constexpr const char* kEnvoyProxies = "gateway.envoyproxy.io_envoyproxies.yaml";
inline constexpr const char* kClientTrafficPolicies =
    "gateway.envoyproxy.io_clienttrafficpolicies.yaml";

}  // namespace starform::kube::testing
