// GatewayClass and Gateway status, as EG v1.9 writes them (envoy-gateway.md §2.5, §3).

#include "devcluster/envoy_gateway_controller.h"
#include "devcluster/server.h"

namespace starform::devcluster {

using nlohmann::json;
using namespace eg;

namespace {

const std::string kV1 = "/apis/gateway.networking.k8s.io/v1/";

// The EnvoyProxy a parametersRef names, or null. |ns| is the namespace to look in.
json EnvoyProxy(DevCluster& cluster, const json& ref, const std::string& ns) {
  if (ref.value("group", "") != "gateway.envoyproxy.io" || ref.value("kind", "") != "EnvoyProxy")
    return nullptr;
  Entry entry = cluster.store().Get(kEnvoyProxies, ns, ref.value("name", ""));
  return entry ? *entry.object : json(nullptr);
}

json ClassEnvoyProxy(DevCluster& cluster, const json& gateway_class) {
  json ref = gateway_class["spec"].value("parametersRef", json());
  if (!ref.is_object())
    return nullptr;
  // EG falls back to "default" when the namespace is omitted.
  return EnvoyProxy(cluster, ref, ref.value("namespace", "default"));
}

json SupportedKinds(const std::string& protocol) {
  std::vector<std::string> kinds;
  if (protocol == "HTTP" || protocol == "HTTPS")
    kinds = {"HTTPRoute", "GRPCRoute"};
  else if (protocol == "TLS")
    kinds = {"TLSRoute"};
  else if (protocol == "TCP")
    kinds = {"TCPRoute"};
  else if (protocol == "UDP")
    kinds = {"UDPRoute"};
  json out = json::array();
  for (const std::string& kind : kinds)
    out.push_back({{"group", kGatewayGroup}, {"kind", kind}});
  return out;
}

// The first problem with a listener's certificateRefs: {reason, message}, or empty.
std::pair<std::string, std::string> CertificateProblem(DevCluster& cluster, const json& gateway,
                                                       const json& listener) {
  std::string gw_ns = gateway["metadata"].value("namespace", "");
  for (const json& ref : listener.value("/tls/certificateRefs"_json_pointer, json::array())) {
    std::string name = ref.value("name", "");
    std::string ns = ref.value("namespace", gw_ns);
    if (ns != gw_ns &&
        !ReferenceGranted(cluster, kGatewayGroup, "Gateway", gw_ns, "Secret", ns, name)) {
      return {"RefNotPermitted", "Certificate ref to secret " + ns + "/" + name +
                                     " not permitted by any ReferenceGrant."};
    }
    Entry secret = cluster.store().Get(kSecrets, ns, name);
    if (!secret)
      return {"InvalidCertificateRef", "Secret " + gw_ns + "/" + name + " does not exist."};
    if ((*secret.object).value("type", "") != "kubernetes.io/tls") {
      return {"InvalidCertificateRef",
              "Secret " + gw_ns + "/" + name + " must be of type kubernetes.io/tls."};
    }
  }
  return {};
}

json ListenerConditions(const std::pair<std::string, std::string>& problem, int64_t generation) {
  json accepted = Condition("Accepted", true, "Accepted",
                            "Listener has been successfully translated", generation);
  json invalid = Condition("Programmed", false, "Invalid",
                           "Listener is invalid, see other Conditions for details.", generation);
  if (problem.first.empty()) {
    return {Condition("Programmed", true, "Programmed",
                      "Sending translated listener configuration to the data plane", generation),
            accepted,
            Condition("ResolvedRefs", true, "ResolvedRefs",
                      "Listener references have been resolved", generation)};
  }
  json refs = Condition("ResolvedRefs", false, problem.first, problem.second, generation);
  if (problem.first == "InvalidCertificateRef")
    return {refs, accepted, invalid};
  return {refs, invalid};
}

json Addresses(const Entry& service) {
  json ips = json::array(), hostnames = json::array();
  if (!service)
    return ips;
  const json& svc = *service.object;
  if (Str(svc, "/spec/type"_json_pointer) == "LoadBalancer") {
    for (const json& ingress :
         svc.value("/status/loadBalancer/ingress"_json_pointer, json::array())) {
      if (!ingress.value("ip", "").empty())
        ips.push_back({{"type", "IPAddress"}, {"value", ingress["ip"]}});
      else if (!ingress.value("hostname", "").empty())
        hostnames.push_back({{"type", "Hostname"}, {"value", ingress["hostname"]}});
    }
  } else {
    for (const json& ip : svc.value("/spec/clusterIPs"_json_pointer, json::array()))
      ips.push_back({{"type", "IPAddress"}, {"value", ip}});
  }
  for (json& h : hostnames)
    ips.push_back(std::move(h));
  return ips;
}

json GatewayConditions(const std::vector<std::string>& invalid, size_t listeners,
                       const json& addresses, int64_t generation) {
  json accepted = Condition("Accepted", true, "Accepted",
                            "The Gateway has been scheduled by Envoy Gateway", generation);
  if (!invalid.empty()) {
    std::string names;
    for (const std::string& name : invalid)
      names += (names.empty() ? "" : ", ") + name;
    bool none = invalid.size() == listeners;
    accepted = Condition("Accepted", !none, "ListenersNotValid",
                         (none ? "No listeners are valid: " : "Listeners not valid: ") + names,
                         generation);
  }
  json programmed =
      addresses.empty()
          ? Condition("Programmed", false, "AddressNotAssigned",
                      "No addresses have been assigned to the Gateway", generation)
          : Condition("Programmed", true, "Programmed",
                      "Address assigned to the Gateway, 1/1 envoy replicas available", generation);
  return {accepted, programmed};
}

}  // namespace

std::map<std::string, json> EnvoyGatewayController::ReconcileClasses(DevCluster& cluster) {
  std::map<std::string, json> ours;
  for (const Entry& entry : cluster.store().List(kGatewayClasses, {}).items) {
    const json& gc = *entry.object;
    if (Str(gc, "/spec/controllerName"_json_pointer) != kControllerName)
      continue;
    std::string name = gc["metadata"].value("name", "");
    bool valid = !gc["spec"].contains("parametersRef") || !ClassEnvoyProxy(cluster, gc).is_null();
    json condition =
        valid ? Condition("Accepted", true, "Accepted", "Valid GatewayClass", Generation(gc))
              : Condition("Accepted", false, "InvalidParameters", "Invalid parametersRef",
                          Generation(gc));
    WriteStatus(cluster, kV1 + "gatewayclasses/" + name, gc, {{"conditions", {condition}}});
    if (valid)
      ours[name] = gc;
  }
  return ours;
}

Gateways EnvoyGatewayController::ReconcileGateways(DevCluster& cluster,
                                                   const std::map<std::string, json>& classes,
                                                   std::map<std::string, json>* pending) {
  Gateways gateways;
  std::set<std::string> services;
  for (const Entry& entry : cluster.store().List(kGateways, {}).items) {
    const json& gw = *entry.object;
    auto gc = classes.find(Str(gw, "/spec/gatewayClassName"_json_pointer));
    if (gc == classes.end())
      continue;
    std::string ns = gw["metadata"].value("namespace", "");
    // A Gateway's own EnvoyProxy replaces the GatewayClass's; a missing one falls back to it.
    json proxy = EnvoyProxy(
        cluster, gw.value("/spec/infrastructure/parametersRef"_json_pointer, json::object()), ns);
    if (proxy.is_null())
      proxy = ClassEnvoyProxy(cluster, gc->second);
    json service = DesiredService(gw, gc->second, proxy, options_.controller_namespace);
    std::string service_name = service["metadata"]["name"];
    services.insert(service_name);
    ApplyService(cluster, service);

    Gateway model{ns, gw["metadata"].value("name", ""), {}};
    json listeners = json::array();
    std::vector<std::string> invalid;
    for (const json& l : gw["spec"].value("listeners", json::array())) {
      auto problem = CertificateProblem(cluster, gw, l);
      Listener listener{l.value("name", ""),
                        l.value("hostname", ""),
                        l.value("protocol", ""),
                        l.value("port", 0),
                        l.value("/allowedRoutes/namespaces"_json_pointer, json::object()),
                        problem.first.empty()};
      if (!listener.valid)
        invalid.push_back(listener.name);
      listeners.push_back({{"name", listener.name},
                           {"supportedKinds", SupportedKinds(listener.protocol)},
                           {"attachedRoutes", 0},
                           {"conditions", ListenerConditions(problem, Generation(gw))}});
      model.listeners.push_back(std::move(listener));
    }
    json addresses =
        Addresses(cluster.store().Get(kServices, options_.controller_namespace, service_name));
    json status = {
        {"conditions", GatewayConditions(invalid, listeners.size(), addresses, Generation(gw))},
        {"listeners", std::move(listeners)}};
    if (!addresses.empty())
      status["addresses"] = std::move(addresses);
    (*pending)[Key(gw)] = std::move(status);
    gateways[Key(gw)] = std::move(model);
  }
  DeleteStaleServices(cluster, services);
  return gateways;
}

void EnvoyGatewayController::WriteGatewayStatuses(DevCluster& cluster,
                                                  std::map<std::string, json>& pending) {
  std::map<std::string, std::map<std::string, int>> attached;
  for (const auto& [route, result] : routes_) {
    for (const auto& [gateway, listener] : result.attached)
      ++attached[gateway][listener];
  }
  for (auto& [key, status] : pending) {
    for (json& listener : status["listeners"])
      listener["attachedRoutes"] = attached[key][listener["name"].get<std::string>()];
    size_t slash = key.find('/');
    std::string ns = key.substr(0, slash), name = key.substr(slash + 1);
    Entry gw = cluster.store().Get(kGateways, ns, name);
    if (gw) {
      WriteStatus(cluster, kV1 + "namespaces/" + ns + "/gateways/" + name, *gw.object,
                  std::move(status));
    }
  }
}

}  // namespace starform::devcluster
