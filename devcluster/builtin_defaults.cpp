// The decode-time defaults of the built-in kinds: pkg/apis/core/v1/defaults.go (Service,
// Secret, Namespace, the pod template) and pkg/apis/apps/v1/defaults.go (Deployment), plus the
// fields declared `+default` in k8s.io/api (ports' protocol).

#include "devcluster/builtin_defaults.h"

#include "devcluster/resources.h"

namespace starform::devcluster {

using nlohmann::json;

namespace {

// True when |object|[key] is absent, null or "" (Go's zero value of a string).
bool Unset(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ||
         (it->is_string() && it->get_ref<const std::string&>().empty());
}

void Default(json* object, const char* key, const json& value) {
  if (Unset(*object, key))
    (*object)[key] = value;
}

json& Child(json* object, const char* key) {
  json& child = (*object)[key];
  if (!child.is_object())
    child = json::object();
  return child;
}

template <typename F>
void ForEachItem(json* object, const char* key, F f) {
  auto it = object->find(key);
  if (it == object->end() || !it->is_array())
    return;
  for (json& item : *it) {
    if (item.is_object())
      f(&item);
  }
}

void DefaultService(json* object) {
  json& spec = Child(object, "spec");
  Default(&spec, "sessionAffinity", "None");
  if (spec["sessionAffinity"] == "None") {
    spec.erase("sessionAffinityConfig");
  } else if (spec["sessionAffinity"] == "ClientIP") {
    const json* timeout = nullptr;
    if (spec.contains("sessionAffinityConfig") && spec["sessionAffinityConfig"].is_object()) {
      const json& config = spec["sessionAffinityConfig"];
      if (config.contains("clientIP") && config["clientIP"].is_object() &&
          config["clientIP"].contains("timeoutSeconds"))
        timeout = &config["clientIP"]["timeoutSeconds"];
    }
    if (timeout == nullptr || timeout->is_null())
      spec["sessionAffinityConfig"] = {{"clientIP", {{"timeoutSeconds", 10800}}}};
  }
  Default(&spec, "type", "ClusterIP");
  ForEachItem(&spec, "ports", [](json* port) {
    Default(port, "protocol", "TCP");
    const json target = port->value("targetPort", json());
    if (target.is_null() || target == 0 || target == "")
      (*port)["targetPort"] = port->value("port", json(0));
  });
  const std::string type = spec["type"].get<std::string>();
  bool external_ips = spec.contains("externalIPs") && spec["externalIPs"].is_array() &&
                      !spec["externalIPs"].empty();
  if (type == "LoadBalancer" || type == "NodePort" || (type == "ClusterIP" && external_ips))
    Default(&spec, "externalTrafficPolicy", "Cluster");
  if (type == "ClusterIP" || type == "NodePort" || type == "LoadBalancer")
    Default(&spec, "internalTrafficPolicy", "Cluster");
  json& status = Child(object, "status");
  // LoadBalancerStatus is a struct, not a pointer: it always serializes, if only as {}.
  json& load_balancer = Child(&status, "loadBalancer");
  if (type == "LoadBalancer") {
    Default(&spec, "allocateLoadBalancerNodePorts", true);
    ForEachItem(&load_balancer, "ingress", [](json* ingress) {
      if (!Unset(*ingress, "ip"))
        Default(ingress, "ipMode", "VIP");
    });
  }
}

void DefaultContainer(json* container) {
  if (Unset(*container, "imagePullPolicy")) {
    // Always for ":latest" or no tag, else IfNotPresent (a digest counts as no tag).
    std::string image = container->value("image", "");
    std::string name = image.substr(0, image.find('@'));
    size_t slash = name.rfind('/');
    size_t colon = name.rfind(':');
    std::string tag = colon != std::string::npos && (slash == std::string::npos || colon > slash)
                          ? name.substr(colon + 1)
                          : "";
    bool digest = image.find('@') != std::string::npos;
    (*container)["imagePullPolicy"] =
        tag == "latest" || (tag.empty() && !digest) ? "Always" : "IfNotPresent";
  }
  Default(container, "terminationMessagePath", "/dev/termination-log");
  Default(container, "terminationMessagePolicy", "File");
  ForEachItem(container, "ports", [](json* port) { Default(port, "protocol", "TCP"); });
  for (const char* probe_key : {"livenessProbe", "readinessProbe", "startupProbe"}) {
    if (!container->contains(probe_key) || !(*container)[probe_key].is_object())
      continue;
    json& probe = (*container)[probe_key];
    for (auto [key, value] : {std::pair{"timeoutSeconds", 1}, std::pair{"periodSeconds", 10},
                              std::pair{"successThreshold", 1}, std::pair{"failureThreshold", 3}}) {
      if (Unset(probe, key) || probe[key] == 0)
        probe[key] = value;
    }
    if (probe.contains("httpGet") && probe["httpGet"].is_object()) {
      Default(&probe["httpGet"], "path", "/");
      Default(&probe["httpGet"], "scheme", "HTTP");
    }
  }
}

void DefaultPodSpec(json* spec) {
  Default(spec, "dnsPolicy", "ClusterFirst");
  Default(spec, "restartPolicy", "Always");
  Default(spec, "schedulerName", "default-scheduler");
  if (Unset(*spec, "securityContext"))
    (*spec)["securityContext"] = json::object();
  Default(spec, "terminationGracePeriodSeconds", 30);
  ForEachItem(spec, "containers", DefaultContainer);
  ForEachItem(spec, "initContainers", DefaultContainer);
  ForEachItem(spec, "volumes", [](json* volume) {
    for (const char* source : {"secret", "configMap", "downwardAPI", "projected"}) {
      if (volume->contains(source) && (*volume)[source].is_object())
        Default(&(*volume)[source], "defaultMode", 420);
    }
  });
}

void DefaultDeployment(json* object) {
  json& spec = Child(object, "spec");
  Default(&spec, "replicas", 1);
  json& strategy = Child(&spec, "strategy");
  Default(&strategy, "type", "RollingUpdate");
  if (strategy["type"] == "RollingUpdate") {
    json& rolling = Child(&strategy, "rollingUpdate");
    Default(&rolling, "maxUnavailable", "25%");
    Default(&rolling, "maxSurge", "25%");
  }
  Default(&spec, "revisionHistoryLimit", 10);
  Default(&spec, "progressDeadlineSeconds", 600);
  json& tmpl = Child(&spec, "template");
  DefaultPodSpec(&Child(&tmpl, "spec"));
}

}  // namespace

void ApplyBuiltinDefaults(const ResourceType& type, json* object) {
  if (type.custom || !object->is_object())
    return;
  if (type.group.empty() && type.resource == "services") {
    DefaultService(object);
  } else if (type.group.empty() && type.resource == "secrets") {
    Default(object, "type", "Opaque");
  } else if (type.group.empty() && type.resource == "namespaces") {
    json& meta = Child(object, "metadata");
    std::string name = meta.value("name", "");
    if (!name.empty())
      Child(&meta, "labels")["kubernetes.io/metadata.name"] = name;
    Default(&Child(object, "status"), "phase", "Active");
  } else if (type.group == "apps" && type.resource == "deployments") {
    DefaultDeployment(object);
  }
}

}  // namespace starform::devcluster
