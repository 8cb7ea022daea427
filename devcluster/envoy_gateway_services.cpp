// The Envoy Service of each Gateway, as EG v1.9 provisions it (envoy-gateway.md §3).

#include <iostream>

#include "devcluster/envoy_gateway_controller.h"
#include "devcluster/server.h"

namespace starform::devcluster {

using nlohmann::json;
using namespace eg;

namespace {

const json kAppLabels = {{"app.kubernetes.io/name", "envoy"},
                         {"app.kubernetes.io/component", "proxy"},
                         {"app.kubernetes.io/managed-by", "envoy-gateway"}};

void Merge(json* into, const json& from) {
  if (from.is_object())
    into->update(from);
}

json Ports(const json& gateway) {
  json ports = json::array();
  std::set<int> seen;
  for (const json& listener : gateway["spec"].value("listeners", json::array())) {
    int port = listener.value("port", 0);
    if (port == 0 || !seen.insert(port).second)
      continue;
    std::string protocol = listener.value("protocol", "HTTP");
    for (char& c : protocol)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // Envoy listens on unprivileged ports: below 1024 it binds port + 10000.
    ports.push_back({{"name", protocol + "-" + std::to_string(port)},
                     {"protocol", "TCP"},
                     {"port", port},
                     {"targetPort", port < 1024 ? port + 10000 : port}});
  }
  return ports;
}

}  // namespace

json eg::DesiredService(const json& gateway, const json& gateway_class, const json& envoy_proxy,
                        const std::string& ns) {
  std::string gw_name = gateway["metadata"].value("name", "");
  std::string gw_ns = gateway["metadata"].value("namespace", "");
  json spec =
      envoy_proxy.is_object()
          ? envoy_proxy.value("/spec/provider/kubernetes/envoyService"_json_pointer, json::object())
          : json::object();
  json infra = gateway["spec"].value("infrastructure", json::object());
  json owner = {{"gateway.envoyproxy.io/owning-gateway-name", gw_name},
                {"gateway.envoyproxy.io/owning-gateway-namespace", gw_ns}};
  json labels = kAppLabels;
  Merge(&labels, owner);
  Merge(&labels, infra.value("labels", json()));
  json selector = labels;
  Merge(&labels, spec.value("labels", json()));
  json annotations = infra.value("annotations", json::object());
  Merge(&annotations, spec.value("annotations", json()));
  std::string name = spec.value("name", EnvoyGatewayController::ServiceName(gw_ns, gw_name));
  json metadata = {{"name", name}, {"namespace", ns}, {"labels", labels}};
  if (!annotations.empty())
    metadata["annotations"] = annotations;
  metadata["ownerReferences"] = {{{"apiVersion", "gateway.networking.k8s.io/v1"},
                                  {"kind", "GatewayClass"},
                                  {"name", gateway_class["metadata"].value("name", "")},
                                  {"uid", gateway_class["metadata"].value("uid", "")}}};
  std::string type = spec.value("type", "LoadBalancer");
  json service_spec = {{"type", type}, {"selector", selector}, {"ports", Ports(gateway)}};
  if (type == "LoadBalancer" || type == "NodePort")
    service_spec["externalTrafficPolicy"] = spec.value("externalTrafficPolicy", "Local");
  for (const char* field : {"loadBalancerClass", "allocateLoadBalancerNodePorts",
                            "loadBalancerSourceRanges", "loadBalancerIP"}) {
    if (type == "LoadBalancer" && spec.contains(field))
      service_spec[field] = spec[field];
  }
  return {
      {"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", metadata}, {"spec", service_spec}};
}

namespace {

// Whether |live| already holds everything |want| applies.
bool Holds(const json& live, const json& want) {
  if (want.is_object()) {
    if (!live.is_object())
      return false;
    for (const auto& [key, value] : want.items()) {
      if (!live.contains(key) || !Holds(live[key], value))
        return false;
    }
    return true;
  }
  return live == want;
}

}  // namespace

void EnvoyGatewayController::ApplyService(DevCluster& cluster, const json& service) {
  std::string name = service["metadata"]["name"];
  Entry live = cluster.store().Get(kServices, options_.controller_namespace, name);
  auto applied = applied_services_.find(name);
  if (live && applied != applied_services_.end() && applied->second == service &&
      Holds(*live.object, service))
    return;
  LocalRequest request;
  request.method = "PATCH";
  request.target = "/api/v1/namespaces/" + options_.controller_namespace + "/services/" + name +
                   "?fieldManager=" + options_.field_manager + "&force=true";
  request.content_type = "application/apply-patch+yaml";
  request.body = service.dump();
  LocalResponse response = cluster.Call(request);
  if (response.status == 200 || response.status == 201) {
    applied_services_[name] = service;
    return;
  }
  // EG's infra runner only logs this ("failed to create new infra"); the Gateway keeps
  // waiting for an address.
  applied_services_.erase(name);
  std::cerr << "envoy-gateway: failed to create new infra: service " << name << ": "
            << response.body << "\n";
}

void EnvoyGatewayController::DeleteStaleServices(DevCluster& cluster,
                                                 const std::set<std::string>& keep) {
  Store::ListOptions options;
  options.ns = options_.controller_namespace;
  for (const Entry& entry : cluster.store().List(kServices, options).items) {
    const json& labels = (*entry.object)["metadata"].value("labels", json::object());
    std::string name = (*entry.object)["metadata"].value("name", "");
    if (labels.value("app.kubernetes.io/managed-by", "") != "envoy-gateway" ||
        !labels.contains("gateway.envoyproxy.io/owning-gateway-name") || keep.count(name))
      continue;
    LocalRequest request;
    request.method = "DELETE";
    request.target = "/api/v1/namespaces/" + options_.controller_namespace + "/services/" + name;
    cluster.Call(request);
    applied_services_.erase(name);
  }
}

}  // namespace starform::devcluster
