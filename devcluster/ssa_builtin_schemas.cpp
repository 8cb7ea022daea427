#include "devcluster/ssa_builtin_schemas.h"

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace starform::devcluster {

namespace {

using nlohmann::json;

// The Go types' SSA markers (k8s.io/api v0.33, +listType/+listMapKey/+mapType/+structType and
// patch-merge keys, which the API server's type converter reads the same way), written as
// structural schemas. Only structure matters here.

json Str() {
  return {{"type", "string"}};
}
json Int() {
  return {{"type", "integer"}};
}
json Bool() {
  return {{"type", "boolean"}};
}
json IntOrString() {
  return {{"x-kubernetes-int-or-string", true}};
}
json StringMap() {
  return {{"type", "object"}, {"additionalProperties", Str()}};
}
json AtomicStringMap() {
  json map = StringMap();
  map["x-kubernetes-map-type"] = "atomic";
  return map;
}
json Object(json properties) {
  return {{"type", "object"}, {"properties", std::move(properties)}};
}
json AtomicObject(json properties) {
  json object = Object(std::move(properties));
  object["x-kubernetes-map-type"] = "atomic";
  return object;
}
json AtomicList(json items) {
  return {{"type", "array"}, {"items", std::move(items)}, {"x-kubernetes-list-type", "atomic"}};
}
json MapList(json items, std::initializer_list<const char*> keys) {
  json key_names = json::array();
  for (const char* key : keys)
    key_names.push_back(key);
  return {{"type", "array"},
          {"items", std::move(items)},
          {"x-kubernetes-list-type", "map"},
          {"x-kubernetes-list-map-keys", std::move(key_names)}};
}

json Conditions() {
  return MapList(Object({{"type", Str()},
                         {"status", Str()},
                         {"observedGeneration", Int()},
                         {"lastTransitionTime", Str()},
                         {"lastUpdateTime", Str()},
                         {"lastProbeTime", Str()},
                         {"reason", Str()},
                         {"message", Str()}}),
                 {"type"});
}

json LabelSelector() {  // +structType=atomic
  return AtomicObject(
      {{"matchLabels", StringMap()},
       {"matchExpressions",
        AtomicList(Object({{"key", Str()}, {"operator", Str()}, {"values", AtomicList(Str())}}))}});
}

json ObjectReference() {  // +structType=atomic
  return AtomicObject({{"kind", Str()},
                       {"namespace", Str()},
                       {"name", Str()},
                       {"uid", Str()},
                       {"apiVersion", Str()},
                       {"resourceVersion", Str()},
                       {"fieldPath", Str()}});
}

json NestedObjectMeta() {
  return Object({{"name", Str()},
                 {"namespace", Str()},
                 {"labels", StringMap()},
                 {"annotations", StringMap()}});
}

json Root(json properties) {
  properties["apiVersion"] = Str();
  properties["kind"] = Str();
  properties["metadata"] = {{"type", "object"}};
  return Object(std::move(properties));
}

json ProtocolDefaultTcp() {
  json protocol = Str();
  protocol["default"] = "TCP";
  return protocol;
}

json Container() {
  return Object({
      {"name", Str()},
      {"image", Str()},
      {"imagePullPolicy", Str()},
      {"command", AtomicList(Str())},
      {"args", AtomicList(Str())},
      {"workingDir", Str()},
      {"ports", MapList(Object({{"name", Str()},
                                {"containerPort", Int()},
                                {"hostPort", Int()},
                                {"hostIP", Str()},
                                {"protocol", ProtocolDefaultTcp()}}),
                        {"containerPort", "protocol"})},
      {"env", MapList(Object({{"name", Str()}, {"value", Str()}}), {"name"})},
      {"envFrom", AtomicList({{"type", "object"}})},
      {"resources", Object({{"limits", StringMap()}, {"requests", StringMap()}})},
      {"volumeMounts",
       MapList(
           Object(
               {{"name", Str()}, {"mountPath", Str()}, {"subPath", Str()}, {"readOnly", Bool()}}),
           {"mountPath"})},
  });
}

json PodSpec() {
  return Object({
      {"containers", MapList(Container(), {"name"})},
      {"initContainers", MapList(Container(), {"name"})},
      {"volumes", MapList(Object({{"name", Str()}}), {"name"})},
      {"imagePullSecrets", MapList(Object({{"name", Str()}}), {"name"})},
      {"nodeSelector", AtomicStringMap()},
      {"tolerations", AtomicList({{"type", "object"}})},
      {"serviceAccountName", Str()},
      {"terminationGracePeriodSeconds", Int()},
  });
}

json ConfigMap() {
  return Root({{"data", StringMap()}, {"binaryData", StringMap()}, {"immutable", Bool()}});
}

json Secret() {
  return Root(
      {{"data", StringMap()}, {"stringData", StringMap()}, {"type", Str()}, {"immutable", Bool()}});
}

json Namespace() {
  return Root({{"spec", Object({{"finalizers", AtomicList(Str())}})},
               {"status", Object({{"phase", Str()}, {"conditions", Conditions()}})}});
}

json Service() {
  json port = Object({{"name", Str()},
                      {"protocol", ProtocolDefaultTcp()},
                      {"appProtocol", Str()},
                      {"port", Int()},
                      {"targetPort", IntOrString()},
                      {"nodePort", Int()}});
  json ingress = Object({{"ip", Str()},
                         {"hostname", Str()},
                         {"ipMode", Str()},
                         {"ports", AtomicList({{"type", "object"}})}});
  return Root({
      {"spec", Object({{"ports", MapList(std::move(port), {"port", "protocol"})},
                       {"selector", AtomicStringMap()},
                       {"clusterIP", Str()},
                       {"clusterIPs", AtomicList(Str())},
                       {"type", Str()},
                       {"externalIPs", AtomicList(Str())},
                       {"sessionAffinity", Str()},
                       {"loadBalancerIP", Str()},
                       {"loadBalancerSourceRanges", AtomicList(Str())},
                       {"loadBalancerClass", Str()},
                       {"externalName", Str()},
                       {"externalTrafficPolicy", Str()},
                       {"internalTrafficPolicy", Str()},
                       {"healthCheckNodePort", Int()},
                       {"publishNotReadyAddresses", Bool()},
                       {"allocateLoadBalancerNodePorts", Bool()},
                       {"ipFamilies", AtomicList(Str())},
                       {"ipFamilyPolicy", Str()},
                       {"trafficDistribution", Str()}})},
      {"status", Object({{"loadBalancer", Object({{"ingress", AtomicList(std::move(ingress))}})},
                         {"conditions", Conditions()}})},
  });
}

json Deployment() {
  return Root({
      {"spec",
       Object({{"replicas", Int()},
               {"selector", LabelSelector()},
               {"template", Object({{"metadata", NestedObjectMeta()}, {"spec", PodSpec()}})},
               {"strategy", Object({{"type", Str()},
                                    {"rollingUpdate", Object({{"maxUnavailable", IntOrString()},
                                                              {"maxSurge", IntOrString()}})}})},
               {"minReadySeconds", Int()},
               {"revisionHistoryLimit", Int()},
               {"paused", Bool()},
               {"progressDeadlineSeconds", Int()}})},
      {"status", Object({{"observedGeneration", Int()},
                         {"replicas", Int()},
                         {"updatedReplicas", Int()},
                         {"readyReplicas", Int()},
                         {"availableReplicas", Int()},
                         {"unavailableReplicas", Int()},
                         {"conditions", Conditions()}})},
  });
}

json Event() {
  return Root({{"involvedObject", ObjectReference()},
               {"reason", Str()},
               {"message", Str()},
               {"source", Object({{"component", Str()}, {"host", Str()}})},
               {"firstTimestamp", Str()},
               {"lastTimestamp", Str()},
               {"count", Int()},
               {"type", Str()},
               {"eventTime", Str()},
               {"action", Str()},
               {"related", ObjectReference()},
               {"reportingComponent", Str()},
               {"reportingInstance", Str()}});
}

json Lease() {
  return Root({{"spec", Object({{"holderIdentity", Str()},
                                {"leaseDurationSeconds", Int()},
                                {"acquireTime", Str()},
                                {"renewTime", Str()},
                                {"leaseTransitions", Int()},
                                {"strategy", Str()},
                                {"preferredHolder", Str()}})}});
}

using Table = std::map<std::pair<std::string, std::string>, std::shared_ptr<const kube::Schema>>;

Table Compile() {
  const std::pair<std::pair<std::string, std::string>, json> sources[] = {
      {{"v1", "ConfigMap"}, ConfigMap()},
      {{"v1", "Secret"}, Secret()},
      {{"v1", "Namespace"}, Namespace()},
      {{"v1", "Service"}, Service()},
      {{"v1", "Event"}, Event()},
      {{"apps/v1", "Deployment"}, Deployment()},
      {{"coordination.k8s.io/v1", "Lease"}, Lease()},
  };
  Table table;
  for (const auto& [key, source] : sources) {
    std::string error;
    auto schema = kube::Schema::Compile(source, &error);
    if (!schema)
      throw std::logic_error("built-in schema " + key.second + ": " + error);
    table.emplace(key, std::move(schema));
  }
  return table;
}

}  // namespace

const kube::Schema* BuiltinSchema(std::string_view api_version, std::string_view kind) {
  static const Table table = Compile();
  auto found = table.find({std::string(api_version), std::string(kind)});
  return found == table.end() ? nullptr : found->second.get();
}

}  // namespace starform::devcluster
