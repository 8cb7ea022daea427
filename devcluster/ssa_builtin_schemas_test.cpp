#include "devcluster/ssa_builtin_schemas.h"

#include <catch2/catch.hpp>

#include "devcluster/managed_fields.h"
#include "devcluster/ssa.h"

namespace starform::devcluster {
namespace {

using nlohmann::json;

json J(const char* text) {
  return json::parse(text);
}

ApplyResult ApplyBuiltin(const json* live, json applied, const std::string& manager,
                         const std::string& now, bool force = false) {
  ApplyRequest request;
  request.live = live;
  request.api_version = applied.value("apiVersion", "");
  request.kind = applied.value("kind", "");
  request.name = applied["metadata"].value("name", "");
  request.namespace_ = applied["metadata"].value("namespace", "");
  request.applied = std::move(applied);
  request.manager = manager;
  request.force = force;
  request.now = now;
  request.schema = BuiltinSchema(request.api_version, request.kind);
  return ServerSideApply(request);
}

TEST_CASE("the Kubernetes documentation's ConfigMap example") {
  // https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management
  ApplyResult result = ApplyBuiltin(nullptr, J(R"({
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "test-cm", "namespace": "default", "labels": {"test-label": "test"}},
    "data": {"key": "some value"}})"),
                                    "kubectl", "2010-10-10T00:00:00Z");
  REQUIRE(result.ok());
  CHECK(result.object["metadata"]["managedFields"] == J(R"([{
    "manager": "kubectl", "operation": "Apply", "apiVersion": "v1",
    "time": "2010-10-10T00:00:00Z", "fieldsType": "FieldsV1",
    "fieldsV1": {"f:metadata": {"f:labels": {"f:test-label": {}}}, "f:data": {"f:key": {}}}}])"));
}

TEST_CASE("the documentation's Deployment: replicas handed over to a controller") {
  // https://kubernetes.io/docs/reference/using-api/server-side-apply/#transferring-ownership
  json deployment = J(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "nginx-deployment", "namespace": "default", "labels": {"app": "nginx"}},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx"}},
             "template": {"metadata": {"labels": {"app": "nginx"}},
                          "spec": {"containers": [{"name": "nginx", "image": "nginx:1.14.2",
                                                   "ports": [{"containerPort": 80}]}]}}}})");
  ApplyResult created = ApplyBuiltin(nullptr, deployment, "kubectl", "2026-11-26T10:00:01Z");
  REQUIRE(created.ok());
  // The selector is atomic; container ports are keyed by port and protocol, TCP by default.
  CHECK(created.object["metadata"]["managedFields"][0]["fieldsV1"] == J(R"({
    "f:metadata": {"f:labels": {"f:app": {}}},
    "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {
      "f:metadata": {"f:labels": {"f:app": {}}},
      "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {".": {}, "f:image": {},
        "f:name": {}, "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {
          ".": {}, "f:containerPort": {}}}}}}}}})"));

  json live = created.object;
  live["metadata"]["uid"] = "u-1";
  json scaled = live;
  scaled["spec"]["replicas"] = 5;
  UpdateRequest update;
  update.live = &live;
  update.manager = "kube-controller-manager";
  update.api_version = "apps/v1";
  update.status_subresource = true;
  update.now = "2026-11-26T10:00:02Z";
  update.schema = BuiltinSchema("apps/v1", "Deployment");
  const json after_scale = RecordUpdate(update, scaled);

  ApplyResult conflict = ApplyBuiltin(&after_scale, deployment, "kubectl", "2026-11-26T10:00:03Z");
  CHECK(ConflictMessage(conflict.conflicts) ==
        "Apply failed with 1 conflict: conflict with \"kube-controller-manager\" using apps/v1: "
        ".spec.replicas");

  // Applying without replicas leaves them to the controller.
  json without_replicas = deployment;
  without_replicas["spec"].erase("replicas");
  ApplyResult handed_over =
      ApplyBuiltin(&after_scale, without_replicas, "kubectl", "2026-11-26T10:00:03Z");
  REQUIRE(handed_over.ok());
  CHECK(handed_over.object["spec"]["replicas"] == 5);
  CHECK_FALSE(handed_over.object["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"].contains(
      "f:replicas"));
}

TEST_CASE("Service ports merge by port and protocol, the selector is atomic") {
  ApplyResult first = ApplyBuiltin(nullptr, J(R"({"apiVersion": "v1", "kind": "Service",
    "metadata": {"name": "web", "namespace": "t"},
    "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}})"),
                                   "a", "2026-11-26T10:00:01Z");
  REQUIRE(first.ok());
  CHECK(first.object["metadata"]["managedFields"][0]["fieldsV1"] == J(R"({"f:spec": {
    "f:ports": {"k:{\"port\":80,\"protocol\":\"TCP\"}": {".": {}, "f:port": {},
                                                        "f:targetPort": {}}},
    "f:selector": {}}})"));
  ApplyResult second = ApplyBuiltin(&first.object, J(R"({"apiVersion": "v1", "kind": "Service",
    "metadata": {"name": "web", "namespace": "t"},
    "spec": {"ports": [{"port": 80, "protocol": "UDP"}, {"port": 443, "targetPort": 8443}]}})"),
                                    "b", "2026-11-26T10:00:02Z");
  REQUIRE(second.ok());
  CHECK(second.object["spec"]["ports"] == J(R"([{"port": 80, "targetPort": 8080},
    {"port": 80, "protocol": "UDP"}, {"port": 443, "targetPort": 8443}])"));
  ApplyResult selector = ApplyBuiltin(&second.object, J(R"({"apiVersion": "v1", "kind": "Service",
    "metadata": {"name": "web", "namespace": "t"}, "spec": {"selector": {"tier": "x"}}})"),
                                      "b", "2026-11-26T10:00:03Z");
  REQUIRE(selector.conflicts.size() == 1);
  CHECK(selector.conflicts[0].field == ".spec.selector");
}

TEST_CASE("kinds without a built-in schema") {
  CHECK(BuiltinSchema("v1", "Pod") == nullptr);
  CHECK(BuiltinSchema("gateway.networking.k8s.io/v1", "Gateway") == nullptr);
  CHECK(BuiltinSchema("v1", "Secret") != nullptr);
  CHECK(BuiltinSchema("coordination.k8s.io/v1", "Lease") != nullptr);
}

}  // namespace
}  // namespace starform::devcluster
