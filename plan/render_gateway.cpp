// The shared layer: the EnvoyProxy, the Gateway and the ClientTrafficPolicy that strips identity
// headers. Server-side defaults are from the Gateway API v1.6.1 and Envoy Gateway v1.9.0 CRDs
// (../shared/tools/crd_defaults.py); each one is written explicitly, so that a diff against the
// live object shows no perpetual change.

#include <string>

#include "plan/render_internal.h"

namespace starform::render_internal {

namespace {

constexpr const char* kDoAnnotationPrefix = "service.beta.kubernetes.io/do-loadbalancer-";

// DigitalOcean reads every annotation as a string; its docs ask for quoted booleans.
std::string AnnotationBool(bool value) {
  return value ? "true" : "false";
}

// The load balancer block as DigitalOcean CCM annotations; only the fields the document gives, so
// that the CCM's own defaults (and the type it backfills) stay in charge of the rest.
nlohmann::json LoadBalancerAnnotations(const LoadBalancer& lb) {
  nlohmann::json annotations = nlohmann::json::object();
  for (const LoadBalancer::Annotation& extra : lb.annotations) {
    annotations[extra.key.value] = extra.value.value;
  }
  // The typed fields are written last; validation rejects an extra annotation that repeats one.
  auto set = [&](const char* suffix, std::string value) {
    annotations[std::string(kDoAnnotationPrefix) + suffix] = std::move(value);
  };
  if (lb.name.present)
    set("name", lb.name.value);
  if (lb.type.present)
    set("type", lb.type.value);
  if (lb.size_unit.present)
    set("size-unit", std::to_string(lb.size_unit.value));
  if (lb.enable_proxy_protocol.present) {
    set("enable-proxy-protocol", AnnotationBool(lb.enable_proxy_protocol.value));
  }
  if (lb.http_idle_timeout_seconds.present) {
    set("http-idle-timeout-seconds", std::to_string(lb.http_idle_timeout_seconds.value));
  }
  if (lb.hostname.present)
    set("hostname", lb.hostname.value);
  return annotations;
}

bool SendsProxyProtocol(const Gateway& gateway) {
  return gateway.load_balancer && gateway.load_balancer->enable_proxy_protocol.value;
}

nlohmann::json RenderListener(const Listener& listener, const std::string& tenant_label) {
  nlohmann::json out = nlohmann::json::object();
  out["name"] = listener.name.value;
  out["port"] = listener.port.value;
  out["protocol"] = listener.protocol.value;
  if (listener.hostname.present)
    out["hostname"] = listener.hostname.value;
  if (listener.protocol.value == "HTTPS") {
    nlohmann::json refs = nlohmann::json::array();
    for (const Field<std::string>& secret : listener.certificate_refs) {
      // group "" and kind Secret are the CRD defaults.
      refs.push_back({{"group", ""}, {"kind", "Secret"}, {"name", secret.value}});
    }
    // mode Terminate is the CRD default (and the only mode HTTPS allows).
    out["tls"] = {{"mode", "Terminate"}, {"certificateRefs", std::move(refs)}};
  }
  // Tenants attach from their own namespaces, which the default (from: Same) would refuse.
  // allowedRoutes.kinds has no server default (only its entries' group does), so it stays unset
  // and the listener takes every route kind its protocol supports.
  nlohmann::json match_labels = nlohmann::json::object();
  match_labels[tenant_label] = "true";
  out["allowedRoutes"]["namespaces"] = {{"from", "Selector"},
                                        {"selector", {{"matchLabels", std::move(match_labels)}}}};
  return out;
}

}  // namespace

std::string IdentityHeadersPolicyName(const Gateway& gateway) {
  return gateway.name.value + "-identity-headers";
}

nlohmann::json RenderEnvoyProxy(const Gateway& gateway, const std::string& applyset_id) {
  nlohmann::json object = NewObject(kEnvoyGatewayV1alpha1, "EnvoyProxy", gateway.name.value,
                                    gateway.namespace_.value, applyset_id);
  // type LoadBalancer and externalTrafficPolicy Local are the CRD defaults, applied as soon as
  // envoyService exists. Local also keeps the client address and lets the DO load balancer
  // health-check the nodes that run Envoy.
  nlohmann::json service = {{"type", "LoadBalancer"}, {"externalTrafficPolicy", "Local"}};
  // The load balancer settings go on the Envoy Service only: on Gateway.spec.infrastructure they
  // would also land on the pod template and roll the Envoy pods on every change.
  if (gateway.load_balancer) {
    nlohmann::json annotations = LoadBalancerAnnotations(*gateway.load_balancer);
    if (!annotations.empty())
      service["annotations"] = std::move(annotations);
  }
  nlohmann::json& spec = object["spec"];
  spec["provider"] = {{"type", "Kubernetes"},
                      {"kubernetes", {{"envoyService", std::move(service)}}}};
  // The CRD defaults logging to {level: {default: warn}} on every EnvoyProxy.
  spec["logging"] = {{"level", {{"default", "warn"}}}};
  return object;
}

nlohmann::json RenderGateway(const Gateway& gateway, const std::string& applyset_id) {
  nlohmann::json object = NewObject(kGatewayApiV1, "Gateway", gateway.name.value,
                                    gateway.namespace_.value, applyset_id);
  nlohmann::json& spec = object["spec"];
  spec["gatewayClassName"] = gateway.class_name.value;
  // Local to the Gateway's namespace: the EnvoyProxy above.
  spec["infrastructure"]["parametersRef"] = {
      {"group", kEnvoyGatewayGroup}, {"kind", "EnvoyProxy"}, {"name", gateway.name.value}};
  nlohmann::json listeners = nlohmann::json::array();
  for (const Listener& listener : gateway.listeners) {
    listeners.push_back(RenderListener(listener, gateway.tenant_label.value));
  }
  spec["listeners"] = std::move(listeners);
  return object;
}

nlohmann::json RenderIdentityHeadersPolicy(const Gateway& gateway, const std::string& applyset_id) {
  nlohmann::json object =
      NewObject(kEnvoyGatewayV1alpha1, "ClientTrafficPolicy", IdentityHeadersPolicyName(gateway),
                gateway.namespace_.value, applyset_id);
  nlohmann::json& spec = object["spec"];
  spec["targetRefs"] = nlohmann::json::array(
      {{{"group", kGatewayApiGroup}, {"kind", "Gateway"}, {"name", gateway.name.value}}});
  // Envoy's claimToHeaders appends to a header the client sent rather than replacing it, so every
  // X-Starform-* header a client sends is removed before any filter runs (early header mutation).
  // Header names match case-insensitively. type defaults to Exact; Prefix is the point here.
  spec["headers"]["earlyRequestHeaders"]["removeOnMatch"] =
      nlohmann::json::array({{{"type", "Prefix"}, {"value", "x-starform-"}}});
  // With the PROXY protocol on at the load balancer, Envoy must expect it, or every connection
  // fails. proxyProtocol replaces the deprecated enableProxyProtocol; an empty object means
  // "required" (optional unset rejects connections without the header).
  if (SendsProxyProtocol(gateway))
    spec["proxyProtocol"] = nlohmann::json::object();
  return object;
}

}  // namespace starform::render_internal
