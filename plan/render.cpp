// Render(): the order of the rendered objects and the metadata they share. What each kind looks
// like is in render_gateway.cpp (the shared Gateway layer) and render_app.cpp (per app).

#include "plan/render.h"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "plan/render_internal.h"

namespace starform {

namespace {

// RFC 4648 §5 without padding: Go's base64.RawURLEncoding, which kubectl uses for the id.
std::string Base64UrlNoPadding(const unsigned char* data, size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    uint32_t n = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (size - i == 1) {
    uint32_t n = uint32_t{data[i]} << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (size - i == 2) {
    uint32_t n = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

// The apps in the contract's order for namespaced objects: by namespace, then name. Sorting
// pointers once keeps Render O(n log n) for both SecurityPolicies and HTTPRoutes.
std::vector<const App*> AppsByNamespaceAndName(const std::vector<App>& apps) {
  std::vector<const App*> sorted;
  sorted.reserve(apps.size());
  for (const App& app : apps)
    sorted.push_back(&app);
  std::sort(sorted.begin(), sorted.end(), [](const App* a, const App* b) {
    int by_namespace = a->namespace_.value.compare(b->namespace_.value);
    if (by_namespace != 0)
      return by_namespace < 0;
    return a->name.value < b->name.value;
  });
  return sorted;
}

}  // namespace

const std::vector<RenderedKind>& RenderedKinds() {
  static const std::vector<RenderedKind> kinds = {
      {"gateway.envoyproxy.io/v1alpha1", "EnvoyProxy", "envoyproxies"},
      {"gateway.networking.k8s.io/v1", "Gateway", "gateways"},
      {"gateway.envoyproxy.io/v1alpha1", "ClientTrafficPolicy", "clienttrafficpolicies"},
      {"gateway.networking.k8s.io/v1beta1", "ReferenceGrant", "referencegrants"},
      {"gateway.envoyproxy.io/v1alpha1", "SecurityPolicy", "securitypolicies"},
      {"gateway.networking.k8s.io/v1", "HTTPRoute", "httproutes"},
  };
  return kinds;
}

std::string ApplySetId() {
  // KEP-3659: sha256("<name>.<namespace>.<Kind>.<group>"); ConfigMap is in the core group, so the
  // group part is empty and the string ends in '.'.
  std::string key =
      std::string(kApplySetParentName) + "." + kApplySetParentNamespace + ".ConfigMap.";
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest;
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest.data());
  return "applyset-" + Base64UrlNoPadding(digest.data(), digest.size()) + "-v1";
}

std::vector<nlohmann::json> Render(const DesiredState& state) {
  using namespace render_internal;
  const std::string id = ApplySetId();
  std::vector<const App*> apps = AppsByNamespaceAndName(state.apps);

  std::vector<nlohmann::json> objects;
  objects.reserve(3 + 2 * apps.size());
  // The EnvoyProxy comes before the Gateway that names it, as Envoy Gateway's docs ask, so that
  // the Gateway is never provisioned with the GatewayClass's proxy settings first.
  objects.push_back(RenderEnvoyProxy(state.gateway, id));
  objects.push_back(RenderGateway(state.gateway, id));
  objects.push_back(RenderIdentityHeadersPolicy(state.gateway, id));
  for (nlohmann::json& grant : RenderReferenceGrants(state.apps, id)) {
    objects.push_back(std::move(grant));
  }
  // SecurityPolicies before the HTTPRoutes they protect: a route that is live before its policy
  // would serve without auth for a moment.
  for (const App* app : apps) {
    if (app->auth)
      objects.push_back(RenderSecurityPolicy(*app, id));
  }
  for (const App* app : apps)
    objects.push_back(RenderHttpRoute(*app, state.gateway, id));
  return objects;
}

namespace render_internal {

nlohmann::json NewObject(const char* api_version, const char* kind, std::string_view name,
                         std::string_view namespace_, const std::string& applyset_id) {
  nlohmann::json labels = nlohmann::json::object();
  labels[kApplySetPartOfLabel] = applyset_id;
  labels[kManagedByLabel] = kManagedByValue;
  nlohmann::json metadata = nlohmann::json::object();
  metadata["name"] = name;
  metadata["namespace"] = namespace_;
  metadata["labels"] = std::move(labels);
  nlohmann::json object = nlohmann::json::object();
  object["apiVersion"] = api_version;
  object["kind"] = kind;
  object["metadata"] = std::move(metadata);
  object["spec"] = nlohmann::json::object();
  return object;
}

nlohmann::json ServiceBackendRef(std::string_view name, std::string_view namespace_, int64_t port,
                                 int64_t weight) {
  // group, kind and weight are the API server's defaults, written so that a diff against the live
  // object shows no change.
  nlohmann::json ref = nlohmann::json::object();
  ref["group"] = "";
  ref["kind"] = "Service";
  ref["name"] = name;
  if (!namespace_.empty())
    ref["namespace"] = namespace_;
  ref["port"] = port;
  ref["weight"] = weight;
  return ref;
}

}  // namespace render_internal

}  // namespace starform
