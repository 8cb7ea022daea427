// Defaulting and allocation of built-in kinds, and the CRD objects, over HTTPS: exact objects
// as kube-apiserver v1.33 stores them. Each test has a cluster of its own, so the addresses and
// node ports handed out are known.

#include <algorithm>
#include <catch2/catch.hpp>

#include "devcluster/test_cluster.h"

namespace starform::devcluster::testing {
namespace {

using nlohmann::json;

std::unique_ptr<DevCluster> OwnCluster() {
  DevCluster::Options options;
  options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
  options.controllers = false;
  auto cluster = std::make_unique<DevCluster>(options);
  cluster->Start();
  return cluster;
}

json Service(const std::string& name, const json& spec) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec", spec}};
}

const char* kServices = "/api/v1/namespaces/default/services";

TEST_CASE("a ClusterIP Service gets the v1 defaults and the lowest free cluster IP") {
  auto cluster = OwnCluster();
  auto c = Client(*cluster);
  HttpResult r =
      c->Post(kServices, Service("web", {{"selector", {{"app", "web"}}},
                                         {"ports", {{{"name", "http"}, {"port", 80}}}}}));
  REQUIRE(r.code == 201);
  json web = r.Json();
  CHECK(web["spec"] == json::parse(R"({
    "clusterIP": "10.96.0.2", "clusterIPs": ["10.96.0.2"],
    "internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
    "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 80}],
    "selector": {"app": "web"}, "sessionAffinity": "None", "type": "ClusterIP"})"));
  CHECK(web["status"] == json::parse(R"({"loadBalancer": {}})"));

  // The next one takes the next address; one that asks for a taken address is refused.
  r = c->Post(kServices, Service("api", {{"ports", {{{"port", 8080}, {"targetPort", "http"}}}}}));
  REQUIRE(r.code == 201);
  CHECK(r.Json()["spec"]["clusterIP"] == "10.96.0.3");
  CHECK(r.Json()["spec"]["ports"][0]["targetPort"] == "http");
  r = c->Post(kServices, Service("dup", {{"clusterIP", "10.96.0.2"}, {"ports", {{{"port", 80}}}}}));
  CHECK(r.code == 422);
  CHECK(r.Json()["message"] ==
        "Service \"dup\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.0.2\"}: "
        "failed to allocate IP 10.96.0.2: provided IP is already allocated");
  r = c->Post(kServices,
              Service("far", {{"clusterIP", "192.168.0.1"}, {"ports", {{{"port", 80}}}}}));
  CHECK(r.code == 422);
  CHECK(r.Json()["message"] ==
        "Service \"far\" is invalid: spec.clusterIPs: Invalid value: []string{\"192.168.0.1\"}: "
        "failed to allocate IP 192.168.0.1: provided IP 192.168.0.1 is not in the valid range");

  // A PUT that leaves clusterIP out keeps it; one that changes it is refused.
  json update = web;
  update["spec"].erase("clusterIP");
  update["spec"].erase("clusterIPs");
  update["spec"]["selector"] = {{"app", "web2"}};
  r = c->Put(std::string(kServices) + "/web", update);
  REQUIRE(r.code == 200);
  CHECK(r.Json()["spec"]["clusterIPs"] == json{"10.96.0.2"});
  update = r.Json();
  update["spec"]["clusterIP"] = "10.96.0.9";
  update["spec"]["clusterIPs"] = {"10.96.0.9"};
  r = c->Put(std::string(kServices) + "/web", update);
  CHECK(r.code == 422);
  CHECK(r.Json()["message"] ==
        "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.9\"}: "
        "may not change once set");
}

TEST_CASE("NodePort and LoadBalancer Services get node ports, ExternalName and headless none") {
  auto cluster = OwnCluster();
  auto c = Client(*cluster);
  HttpResult r = c->Post(
      kServices,
      Service("np", {{"type", "NodePort"},
                     {"ports", {{{"name", "a"}, {"port", 80}}, {{"name", "b"}, {"port", 443}}}}}));
  REQUIRE(r.code == 201);
  json np = r.Json()["spec"];
  CHECK(np["ports"] == json::parse(R"([
    {"name": "a", "nodePort": 30000, "port": 80, "protocol": "TCP", "targetPort": 80},
    {"name": "b", "nodePort": 30001, "port": 443, "protocol": "TCP", "targetPort": 443}])"));
  CHECK(np["externalTrafficPolicy"] == "Cluster");
  CHECK_FALSE(np.contains("allocateLoadBalancerNodePorts"));

  r = c->Post(kServices, Service("lb", {{"type", "LoadBalancer"},
                                        {"externalTrafficPolicy", "Local"},
                                        {"ports", {{{"port", 80}}}}}));
  REQUIRE(r.code == 201);
  json lb = r.Json()["spec"];
  CHECK(lb["clusterIP"] == "10.96.0.3");
  CHECK(lb["ports"][0]["nodePort"] == 30002);
  CHECK(lb["healthCheckNodePort"] == 30003);
  CHECK(lb["allocateLoadBalancerNodePorts"] == true);
  CHECK(lb["externalTrafficPolicy"] == "Local");

  r = c->Post(kServices, Service("taken", {{"type", "NodePort"},
                                           {"ports", {{{"port", 80}, {"nodePort", 30001}}}}}));
  CHECK(r.code == 422);
  CHECK(r.Json()["message"] ==
        "Service \"taken\" is invalid: spec.ports[0].nodePort: Invalid value: 30001: provided "
        "port is already allocated");

  // Back to ClusterIP: the node ports the request kept are dropped.
  json back = c->Get(std::string(kServices) + "/np").Json();
  back["spec"]["type"] = "ClusterIP";
  back["spec"].erase("externalTrafficPolicy");
  r = c->Put(std::string(kServices) + "/np", back);
  REQUIRE(r.code == 200);
  CHECK_FALSE(r.Json()["spec"]["ports"][0].contains("nodePort"));

  r = c->Post(kServices,
              Service("ext", {{"type", "ExternalName"}, {"externalName", "db.example.com"}}));
  REQUIRE(r.code == 201);
  CHECK(r.Json()["spec"] == json::parse(R"({"externalName": "db.example.com",
    "sessionAffinity": "None", "type": "ExternalName"})"));

  r = c->Post(kServices, Service("headless", {{"clusterIP", "None"},
                                              {"selector", {{"app", "db"}}},
                                              {"ports", {{{"port", 5432}}}}}));
  REQUIRE(r.code == 201);
  json headless = r.Json()["spec"];
  CHECK(headless["clusterIPs"] == json{"None"});
  CHECK(headless["ipFamilyPolicy"] == "SingleStack");
  CHECK(headless["ipFamilies"] == json{"IPv4"});
}

TEST_CASE("Secret, Namespace and Deployment defaults, a ConfigMap is stored as sent") {
  auto cluster = OwnCluster();
  auto c = Client(*cluster);
  HttpResult r =
      c->Post("/api/v1/namespaces/default/secrets", {{"apiVersion", "v1"},
                                                     {"kind", "Secret"},
                                                     {"metadata", {{"name", "pw"}}},
                                                     {"data", {{"pw", "aHVudGVyMg=="}}}});
  REQUIRE(r.code == 201);
  CHECK(r.Json()["type"] == "Opaque");

  r = c->Post("/api/v1/namespaces",
              {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "team"}}}});
  REQUIRE(r.code == 201);
  json ns = r.Json();
  CHECK(ns["metadata"]["labels"] == json{{"kubernetes.io/metadata.name", "team"}});
  CHECK(ns["spec"] == json::parse(R"({"finalizers": ["kubernetes"]})"));
  CHECK(ns["status"] == json::parse(R"({"phase": "Active"})"));
  // An update cannot drop the finalizer: only the finalize subresource changes it.
  ns["spec"]["finalizers"] = json::array();
  ns["metadata"]["labels"] = {{"team", "a"}};
  r = c->Put("/api/v1/namespaces/team", ns);
  REQUIRE(r.code == 200);
  CHECK(r.Json()["spec"]["finalizers"] == json{"kubernetes"});
  CHECK(r.Json()["metadata"]["labels"] ==
        json({{"kubernetes.io/metadata.name", "team"}, {"team", "a"}}));

  json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata", {{"name", "cfg"}, {"namespace", "default"}}},
             {"data", {{"a", "1"}}}};
  r = c->Post("/api/v1/namespaces/default/configmaps", cm);
  REQUIRE(r.code == 201);
  json stored = r.Json();
  stored.erase("metadata");
  cm.erase("metadata");
  CHECK(stored == cm);

  r = c->Post("/apis/apps/v1/namespaces/default/deployments", json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                                   "ports": [{"containerPort": 80}]}]}}}})"));
  REQUIRE(r.code == 201);
  json spec = r.Json()["spec"];
  CHECK(spec["replicas"] == 1);
  CHECK(spec["revisionHistoryLimit"] == 10);
  CHECK(spec["progressDeadlineSeconds"] == 600);
  CHECK(spec["strategy"] == json::parse(R"({"type": "RollingUpdate",
    "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})"));
  json pod = spec["template"]["spec"];
  CHECK(pod["dnsPolicy"] == "ClusterFirst");
  CHECK(pod["restartPolicy"] == "Always");
  CHECK(pod["schedulerName"] == "default-scheduler");
  CHECK(pod["securityContext"] == json::object());
  CHECK(pod["terminationGracePeriodSeconds"] == 30);
  CHECK(pod["containers"][0] == json::parse(R"({"name": "web", "image": "nginx:1.27",
    "imagePullPolicy": "IfNotPresent", "ports": [{"containerPort": 80, "protocol": "TCP"}],
    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"})"));
}

TEST_CASE("server-side apply of a Service: the defaulted and allocated fields are no one's") {
  auto cluster = OwnCluster();
  auto c = Client(*cluster);
  HttpResult r = c->Patch(std::string(kServices) + "/web?fieldManager=tool",
                          R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
                              "spec":{"ports":[{"port":80}]}})",
                          "application/apply-patch+yaml");
  REQUIRE(r.code == 201);
  json web = r.Json();
  CHECK(web["spec"]["clusterIP"] == "10.96.0.2");
  CHECK(web["spec"]["type"] == "ClusterIP");
  REQUIRE(web["metadata"]["managedFields"].size() == 1);
  CHECK(web["metadata"]["managedFields"][0]["fieldsV1"] == json::parse(R"({"f:spec": {"f:ports":
    {"k:{\"port\":80,\"protocol\":\"TCP\"}": {".": {}, "f:port": {}}}}})"));
  // Applying the same again changes nothing, not even the resourceVersion.
  r = c->Patch(std::string(kServices) + "/web?fieldManager=tool",
               R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
                   "spec":{"ports":[{"port":80}]}})",
               "application/apply-patch+yaml");
  REQUIRE(r.code == 200);
  CHECK(r.Json()["metadata"]["resourceVersion"] == web["metadata"]["resourceVersion"]);
}

TEST_CASE("customresourcedefinitions lists the loaded CRDs with an established status") {
  auto cluster = OwnCluster();
  auto c = Client(*cluster);
  HttpResult r = c->Get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
  REQUIRE(r.code == 200);
  json list = r.Json();
  CHECK(list["kind"] == "CustomResourceDefinitionList");
  std::vector<std::string> names;
  for (const json& item : list["items"])
    names.push_back(item["metadata"]["name"]);
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(std::find(names.begin(), names.end(), "httproutes.gateway.networking.k8s.io") !=
        names.end());
  CHECK(std::find(names.begin(), names.end(), "securitypolicies.gateway.envoyproxy.io") !=
        names.end());

  r = c->Get(
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
      "httproutes.gateway.networking.k8s.io");
  REQUIRE(r.code == 200);
  json crd = r.Json();
  CHECK(crd["metadata"]["generation"] == 1);
  CHECK(crd["metadata"]["uid"].get<std::string>().size() == 36);
  CHECK(crd["spec"]["conversion"] == json::parse(R"({"strategy": "None"})"));
  json status = crd["status"];
  CHECK(status["acceptedNames"] == json::parse(R"({"kind": "HTTPRoute",
    "listKind": "HTTPRouteList", "plural": "httproutes", "singular": "httproute",
    "categories": ["gateway-api"]})"));
  CHECK(status["storedVersions"] == json{"v1"});
  REQUIRE(status["conditions"].size() == 3);
  std::string approved = crd["metadata"]["annotations"]["api-approved.kubernetes.io"];
  std::string when = status["conditions"][0]["lastTransitionTime"];
  CHECK(status["conditions"] ==
        json::array({{{"type", "KubernetesAPIApprovalPolicyConformant"},
                      {"status", "True"},
                      {"lastTransitionTime", when},
                      {"reason", "ApprovedAnnotation"},
                      {"message", "approved in " + approved}},
                     {{"type", "NamesAccepted"},
                      {"status", "True"},
                      {"lastTransitionTime", when},
                      {"reason", "NoConflicts"},
                      {"message", "no conflicts found"}},
                     {{"type", "Established"},
                      {"status", "True"},
                      {"lastTransitionTime", when},
                      {"reason", "InitialNamesAccepted"},
                      {"message", "the initial names have been accepted"}}}));

  // Envoy Gateway's group is not protected: no approval condition.
  r = c->Get(
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
      "securitypolicies.gateway.envoyproxy.io");
  REQUIRE(r.code == 200);
  CHECK(r.Json()["status"]["conditions"].size() == 2);
  CHECK(r.Json()["status"]["acceptedNames"]["shortNames"] == json{"sp"});

  // Read-only here.
  r = c->Delete(
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
      "httproutes.gateway.networking.k8s.io");
  CHECK(r.code == 405);
}

TEST_CASE("resourcequotas and limitranges are served, empty until something is created") {
  auto cluster = OwnCluster();
  auto c = Client(*cluster);
  for (const char* resource : {"resourcequotas", "limitranges"}) {
    HttpResult r = c->Get(std::string("/api/v1/namespaces/default/") + resource);
    REQUIRE(r.code == 200);
    CHECK(r.Json()["items"] == json::array());
  }
  HttpResult r = c->Post("/api/v1/namespaces/default/resourcequotas",
                         {{"apiVersion", "v1"},
                          {"kind", "ResourceQuota"},
                          {"metadata", {{"name", "q"}}},
                          {"spec", {{"hard", {{"pods", "10"}}}}}});
  CHECK(r.code == 201);
  CHECK(c->Get("/api/v1/namespaces/default/resourcequotas").Json()["items"].size() == 1);
}

}  // namespace
}  // namespace starform::devcluster::testing
