// Per app: the HTTPRoute, the SecurityPolicy, and the ReferenceGrants that let SecurityPolicies
// reach ext_authz Services in shared namespaces. Server-side defaults are from the Gateway API
// v1.6.1 and Envoy Gateway v1.9.0 CRDs (../shared/tools/crd_defaults.py); each one is written
// explicitly.
//
// The per-app objects are built with operator[] rather than nlohmann's brace initialisers: those
// build a temporary two-element array for every key, about tripling the allocations, and
// rendering 10,000 apps is bound by allocation (on a cold heap, by page faults).

#include <map>
#include <set>
#include <string>
#include <utility>

#include "plan/render_internal.h"

namespace starform::render_internal {

namespace {

// Envoy Gateway v1.9's server-side default for remoteJWKS.cacheDuration (new in v1.6).
constexpr const char* kJwksCacheDuration = "300s";

nlohmann::json ArrayOf(size_t capacity) {
  nlohmann::json out = nlohmann::json::array();
  out.get_ref<nlohmann::json::array_t&>().reserve(capacity);
  return out;
}

nlohmann::json Strings(const std::vector<Field<std::string>>& fields) {
  nlohmann::json out = ArrayOf(fields.size());
  for (const Field<std::string>& field : fields) {
    out.push_back(field.value);
  }
  return out;
}

// {group, kind, name}: a local policy target, or the start of a parent reference.
nlohmann::json LocalRef(const char* group, const char* kind, const std::string& name) {
  nlohmann::json ref = nlohmann::json::object();
  ref["group"] = group;
  ref["kind"] = kind;
  ref["name"] = name;
  return ref;
}

nlohmann::json RenderJwtProvider(const JwtProvider& provider) {
  nlohmann::json out = nlohmann::json::object();
  out["name"] = provider.name.value;
  // Unset issuer and audiences mean "not checked"; there is no server default to write.
  if (provider.issuer.present) {
    out["issuer"] = provider.issuer.value;
  }
  if (!provider.audiences.empty()) {
    out["audiences"] = Strings(provider.audiences);
  }
  nlohmann::json& jwks = out["remoteJWKS"];
  jwks["uri"] = provider.jwks_uri.value;
  jwks["cacheDuration"] = kJwksCacheDuration;
  // An explicit [] in the document means no claim headers: the field is left out, as an empty
  // list and an absent one mean the same to Envoy Gateway (and neither has a server default).
  if (!provider.claim_to_headers.empty()) {
    nlohmann::json claims = ArrayOf(provider.claim_to_headers.size());
    for (const ClaimToHeader& c : provider.claim_to_headers) {
      nlohmann::json& claim = claims.emplace_back(nlohmann::json::object());
      claim["claim"] = c.claim.value;
      claim["header"] = c.header.value;
    }
    out["claimToHeaders"] = std::move(claims);
  }
  return out;
}

nlohmann::json RenderJwt(const Jwt& jwt) {
  nlohmann::json providers = ArrayOf(jwt.providers.size());
  for (const JwtProvider& provider : jwt.providers) {
    providers.push_back(RenderJwtProvider(provider));
  }
  nlohmann::json out = nlohmann::json::object();
  out["providers"] = std::move(providers);
  // optional has no server default, so false is left out: v1.9's CEL rule "optional and failOpen
  // cannot both be set" tests has(optional), and an explicit false would count as set.
  if (jwt.optional.value) {
    out["optional"] = true;
  }
  return out;
}

nlohmann::json RenderExtAuth(const App& app, const ExtAuthz& ext_authz) {
  std::string_view service_namespace = ExtAuthzNamespace(app, ext_authz);
  // A namespace is written only when it is not the policy's own (a shared namespace, which needs
  // a ReferenceGrant); weight 1 is the v1.9 default.
  nlohmann::json backend_refs = ArrayOf(1);
  backend_refs.push_back(ServiceBackendRef(
      ext_authz.service.value, service_namespace == app.namespace_.value ? "" : service_namespace,
      ext_authz.port.value, 1));
  nlohmann::json out = nlohmann::json::object();
  if (ext_authz.protocol.value == "GRPC") {
    out["grpc"]["backendRefs"] = std::move(backend_refs);
  } else {
    nlohmann::json& http = out["http"];
    http["backendRefs"] = std::move(backend_refs);
    if (ext_authz.path.present) {
      http["path"] = ext_authz.path.value;
    }
    if (!ext_authz.headers_to_backend.empty()) {
      http["headersToBackend"] = Strings(ext_authz.headers_to_backend);
    }
  }
  // failOpen defaults to false in the CRD: fail closed unless the document says otherwise.
  out["failOpen"] = ext_authz.fail_open.value;
  return out;
}

nlohmann::json RenderRule(const Rule& rule) {
  nlohmann::json out = nlohmann::json::object();
  // One match per rule; the path is written even when it is the default PathPrefix "/", which the
  // server would otherwise fill in.
  nlohmann::json matches = ArrayOf(1);
  nlohmann::json& path = matches.emplace_back(nlohmann::json::object())["path"];
  path["type"] = rule.match.value;
  path["value"] = rule.path.value;
  out["matches"] = std::move(matches);
  nlohmann::json backend_refs = ArrayOf(rule.backends.size());
  for (const Backend& backend : rule.backends) {
    backend_refs.push_back(
        ServiceBackendRef(backend.service.value, "", backend.port.value, backend.weight.value));
  }
  out["backendRefs"] = std::move(backend_refs);
  if (rule.timeout.present) {
    out["timeouts"]["request"] = rule.timeout.value;
  }
  return out;
}

}  // namespace

std::string_view ExtAuthzNamespace(const App& app, const ExtAuthz& ext_authz) {
  if (ext_authz.namespace_.value.empty()) {
    return app.namespace_.value;
  }
  return ext_authz.namespace_.value;
}

std::vector<nlohmann::json> RenderReferenceGrants(const std::vector<App>& apps,
                                                  const std::string& applyset_id) {
  // (shared namespace, app namespace) -> Services; ordered containers give the contract's order,
  // since every grant's name is "starform-" + the app namespace, and a stable list of Services.
  std::map<std::pair<std::string_view, std::string_view>, std::set<std::string_view>> grants;
  for (const App& app : apps) {
    if (!app.auth || !app.auth->ext_authz) {
      continue;
    }
    std::string_view target = ExtAuthzNamespace(app, *app.auth->ext_authz);
    if (target != app.namespace_.value) {
      grants[{target, app.namespace_.value}].insert(app.auth->ext_authz->service.value);
    }
  }
  std::vector<nlohmann::json> out;
  out.reserve(grants.size());
  for (const auto& [namespaces, services] : grants) {
    const auto& [shared_namespace, app_namespace] = namespaces;
    nlohmann::json object =
        NewObject(kGatewayApiV1beta1, "ReferenceGrant", "starform-" + std::string(app_namespace),
                  shared_namespace, applyset_id);
    // Only SecurityPolicies of that one tenant namespace, and only the Services they name: a
    // tenant must never gain access to anything else in a platform namespace. Validation keeps
    // the Services at most 16, the CRD's limit.
    object["spec"]["from"] = nlohmann::json::array({{{"group", kEnvoyGatewayGroup},
                                                     {"kind", "SecurityPolicy"},
                                                     {"namespace", app_namespace}}});
    nlohmann::json to = ArrayOf(services.size());
    for (std::string_view service : services) {
      to.push_back({{"group", ""}, {"kind", "Service"}, {"name", service}});
    }
    object["spec"]["to"] = std::move(to);
    out.push_back(std::move(object));
  }
  return out;
}

nlohmann::json RenderSecurityPolicy(const App& app, const std::string& applyset_id) {
  nlohmann::json object = NewObject(kEnvoyGatewayV1alpha1, "SecurityPolicy", app.name.value,
                                    app.namespace_.value, applyset_id);
  nlohmann::json& spec = object["spec"];
  // targetRefs (not the deprecated targetRef); a policy can only target its own namespace.
  nlohmann::json target_refs = ArrayOf(1);
  target_refs.push_back(LocalRef(kGatewayApiGroup, "HTTPRoute", app.name.value));
  spec["targetRefs"] = std::move(target_refs);
  if (app.auth->jwt) {
    spec["jwt"] = RenderJwt(*app.auth->jwt);
  }
  if (app.auth->ext_authz) {
    spec["extAuth"] = RenderExtAuth(app, *app.auth->ext_authz);
  }
  return object;
}

nlohmann::json RenderHttpRoute(const App& app, const Gateway& gateway,
                               const std::string& applyset_id) {
  nlohmann::json object =
      NewObject(kGatewayApiV1, "HTTPRoute", app.name.value, app.namespace_.value, applyset_id);
  nlohmann::json& spec = object["spec"];
  // group and kind are the CRD defaults; namespace has none (it would mean the route's own).
  nlohmann::json parent_refs = ArrayOf(1);
  nlohmann::json& parent =
      parent_refs.emplace_back(LocalRef(kGatewayApiGroup, "Gateway", gateway.name.value));
  parent["namespace"] = gateway.namespace_.value;
  if (app.listener.present) {
    parent["sectionName"] = app.listener.value;
  }
  spec["parentRefs"] = std::move(parent_refs);
  spec["hostnames"] = Strings(app.hostnames);
  nlohmann::json rules = ArrayOf(app.rules.size());
  for (const Rule& rule : app.rules) {
    rules.push_back(RenderRule(rule));
  }
  spec["rules"] = std::move(rules);
  return object;
}

}  // namespace starform::render_internal
