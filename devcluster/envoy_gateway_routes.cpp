// HTTPRoute status.parents, as EG v1.9 writes it (envoy-gateway.md §2.5, §2.6).

#include "devcluster/envoy_gateway_controller.h"
#include "devcluster/server.h"

namespace starform::devcluster {

using nlohmann::json;
using namespace eg;

namespace {

bool HostnamesIntersect(const std::string& listener, const std::string& route) {
  if (listener.empty() || listener == route)
    return true;
  auto wildcard_covers = [](const std::string& wild, const std::string& host) {
    return wild.rfind("*.", 0) == 0 && host.size() > wild.size() - 1 &&
           host.compare(host.size() - (wild.size() - 1), std::string::npos, wild, 1) == 0;
  };
  return wildcard_covers(listener, route) || wildcard_covers(route, listener);
}

bool NamespaceAllowed(DevCluster& cluster, const json& allowed, const std::string& gateway_ns,
                      const std::string& route_ns) {
  std::string from = allowed.value("from", "Same");
  if (from == "All")
    return true;
  if (from == "Selector")
    return NamespaceSelected(cluster, route_ns, allowed.value("selector", json::object()));
  return route_ns == gateway_ns;
}

struct Attachment {
  json accepted;
  std::vector<std::string> listeners;
};

Attachment Attach(DevCluster& cluster, const json& route, const json& parent_ref,
                  const Gateway& gateway, int64_t generation) {
  std::string section = parent_ref.value("sectionName", "");
  int port = parent_ref.value("port", 0);
  std::string route_ns = route["metadata"].value("namespace", "");
  std::vector<const Listener*> candidates, allowed;
  for (const Listener& listener : gateway.listeners) {
    if ((section.empty() || listener.name == section) && (port == 0 || listener.port == port))
      candidates.push_back(&listener);
  }
  if (candidates.empty()) {
    return {Condition("Accepted", false, "NoMatchingParent", "No listeners match this parent ref",
                      generation),
            {}};
  }
  for (const Listener* listener : candidates) {
    bool http = listener->protocol == "HTTP" || listener->protocol == "HTTPS";
    if (http && NamespaceAllowed(cluster, listener->allowed_namespaces, gateway.ns, route_ns))
      allowed.push_back(listener);
  }
  if (allowed.empty()) {
    return {
        Condition("Accepted", false, "NotAllowedByListeners",
                  "No listeners included by this parent ref allowed this attachment.", generation),
        {}};
  }
  json hostnames = route["spec"].value("hostnames", json::array());
  Attachment attachment;
  for (const Listener* listener : allowed) {
    bool match = hostnames.empty();
    for (const json& host : hostnames)
      match = match || HostnamesIntersect(listener->hostname, host.get<std::string>());
    if (match)
      attachment.listeners.push_back(listener->name);
  }
  attachment.accepted =
      attachment.listeners.empty()
          ? Condition("Accepted", false, "NoMatchingListenerHostname",
                      "There were no hostname intersections between the HTTPRoute and this "
                      "parent ref's Listener(s).",
                      generation)
          : Condition("Accepted", true, "Accepted", "Route is accepted", generation);
  return attachment;
}

// Each backendRef as {namespace, name, port} (Services only).
std::vector<std::tuple<std::string, std::string, int>> Backends(const json& route) {
  std::vector<std::tuple<std::string, std::string, int>> out;
  std::string ns = route["metadata"].value("namespace", "");
  for (const json& rule : route["spec"].value("rules", json::array())) {
    for (const json& ref : rule.value("backendRefs", json::array())) {
      if (ref.value("group", "") != "" || ref.value("kind", "Service") != "Service")
        continue;
      out.emplace_back(ref.value("namespace", ns), ref.value("name", ""), ref.value("port", 0));
    }
  }
  return out;
}

json ResolveRefs(DevCluster& cluster, const json& route, int64_t generation) {
  std::string ns = route["metadata"].value("namespace", "");
  for (const auto& [backend_ns, name, port] : Backends(route)) {
    std::string ref = backend_ns + "/" + name;
    if (backend_ns != ns &&
        !ReferenceGranted(cluster, kGatewayGroup, "HTTPRoute", ns, "Service", backend_ns, name)) {
      return Condition("ResolvedRefs", false, "RefNotPermitted",
                       "backend ref to Service " + ref + " not permitted by any ReferenceGrant",
                       generation);
    }
    Entry service = cluster.store().Get(kServices, backend_ns, name);
    if (!service) {
      return Condition("ResolvedRefs", false, "BackendNotFound", "service " + ref + " not found",
                       generation);
    }
    bool found = false;
    for (const json& p : (*service.object)["spec"].value("ports", json::array()))
      found = found || (p.value("port", 0) == port && p.value("protocol", "TCP") == "TCP");
    if (!found) {
      return Condition("ResolvedRefs", false, "BackendNotFound",
                       "TCP Port " + std::to_string(port) + " not found on Service " + ref,
                       generation);
    }
  }
  return Condition("ResolvedRefs", true, "ResolvedRefs",
                   "Resolved all the Object references for the Route", generation);
}

}  // namespace

EnvoyGatewayController::RouteResult EnvoyGatewayController::ReconcileRoute(
    DevCluster& cluster, const Entry& entry, const Gateways& gateways) {
  const json& route = *entry.object;
  RouteResult result{entry.rv, world_, {}, {}};
  for (const auto& [ns, name, port] : Backends(route))
    result.backends.push_back(ns + "/" + name);
  std::string route_ns = route["metadata"].value("namespace", "");
  int64_t generation = Generation(route);
  json ours = json::array();
  for (const json& ref : route["spec"].value("parentRefs", json::array())) {
    if (ref.value("group", kGatewayGroup) != kGatewayGroup ||
        ref.value("kind", "Gateway") != "Gateway")
      continue;
    std::string key = ref.value("namespace", route_ns) + "/" + ref.value("name", "");
    auto gateway = gateways.find(key);
    if (gateway == gateways.end())
      continue;  // not ours, or missing: EG writes nothing for it
    Attachment attachment = Attach(cluster, route, ref, gateway->second, generation);
    for (const std::string& listener : attachment.listeners)
      result.attached.emplace_back(key, listener);
    ours.push_back(
        {{"parentRef", ref},
         {"controllerName", kControllerName},
         {"conditions", {attachment.accepted, ResolveRefs(cluster, route, generation)}}});
  }
  std::optional<json> status = WithOurs(route, "parents", std::move(ours));
  if (!status)
    return result;
  std::string path = "/apis/gateway.networking.k8s.io/v1/namespaces/" + route_ns + "/httproutes/" +
                     route["metadata"].value("name", "");
  if (uint64_t rv = WriteStatus(cluster, path, route, std::move(*status)))
    result.rv = rv;  // our own write needs no second look
  return result;
}

void EnvoyGatewayController::ReconcileRoutes(DevCluster& cluster, const Gateways& gateways) {
  std::map<std::string, RouteResult> next;
  for (const Entry& entry : cluster.store().List(kHTTPRoutes, {}).items) {
    std::string key = Key(*entry.object);
    auto cached = routes_.find(key);
    bool fresh =
        cached != routes_.end() && cached->second.rv == entry.rv && cached->second.world == world_;
    for (size_t i = 0; fresh && i < cached->second.backends.size(); ++i)
      fresh = !changed_services_.count(cached->second.backends[i]);
    next[key] = fresh ? std::move(cached->second) : ReconcileRoute(cluster, entry, gateways);
  }
  routes_ = std::move(next);
}

}  // namespace starform::devcluster
