#pragma once

// The pieces Render() is assembled from, one function per rendered kind. Internal to
// plan/render*.cpp and their tests; callers use plan/render.h.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/desired_state.h"

namespace starform::render_internal {

inline constexpr const char* kGatewayApiGroup = "gateway.networking.k8s.io";
inline constexpr const char* kEnvoyGatewayGroup = "gateway.envoyproxy.io";
inline constexpr const char* kGatewayApiV1 = "gateway.networking.k8s.io/v1";
// ReferenceGrant v1 exists only from Gateway API v1.5; v1beta1 is served (and is still the storage
// version) by every release the contract supports (v1.4+).
inline constexpr const char* kGatewayApiV1beta1 = "gateway.networking.k8s.io/v1beta1";
inline constexpr const char* kEnvoyGatewayV1alpha1 = "gateway.envoyproxy.io/v1alpha1";

/// An object with apiVersion, kind and metadata (name, namespace, starform's ownership labels) and
/// an empty spec.
nlohmann::json NewObject(const char* api_version, const char* kind, std::string_view name,
                         std::string_view namespace_, const std::string& applyset_id);

/// {group: "", kind: Service, name, namespace?, port, weight}: a backend reference with the group,
/// kind and weight the API server would default written out.
nlohmann::json ServiceBackendRef(std::string_view name, std::string_view namespace_, int64_t port,
                                 int64_t weight);

nlohmann::json RenderEnvoyProxy(const Gateway& gateway, const std::string& applyset_id);
nlohmann::json RenderGateway(const Gateway& gateway, const std::string& applyset_id);
nlohmann::json RenderIdentityHeadersPolicy(const Gateway& gateway, const std::string& applyset_id);

/// The name of the ClientTrafficPolicy that strips identity headers: "<gateway>-identity-headers".
std::string IdentityHeadersPolicyName(const Gateway& gateway);

/// One ReferenceGrant per (shared namespace, app namespace) pair that some app's extAuthz crosses,
/// ordered by namespace, then name.
std::vector<nlohmann::json> RenderReferenceGrants(const std::vector<App>& apps,
                                                  const std::string& applyset_id);

nlohmann::json RenderSecurityPolicy(const App& app, const std::string& applyset_id);
nlohmann::json RenderHttpRoute(const App& app, const Gateway& gateway,
                               const std::string& applyset_id);

/// The namespace an app's extAuthz Service lives in (the contract's default is the app's own).
std::string_view ExtAuthzNamespace(const App& app, const ExtAuthz& ext_authz);

}  // namespace starform::render_internal
