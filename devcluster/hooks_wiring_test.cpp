// The hooks the dev cluster installs by itself, through the running server over HTTPS: the
// openapi documents and the CEL rules. Fault injection has its own file
// (faults_wiring_test.cpp).

#include <catch2/catch.hpp>

#include "devcluster/hooks_testing.h"
#include "devcluster/test_cluster.h"

namespace starform::devcluster::testing {
namespace {

using nlohmann::json;

TEST_CASE("openapi: /openapi/v2, the v3 discovery and a group-version document are served",
          "[hooks][openapi]") {
  auto c = Client();
  HttpResult discovery = c->Get("/openapi/v3");
  REQUIRE(discovery.code == 200);
  CHECK(discovery.Header("content-type") == "application/json");
  json paths = discovery.Json()["paths"];
  REQUIRE(paths.contains("apis/gateway.networking.k8s.io/v1"));
  CHECK(paths.contains("api/v1"));
  CHECK(paths.contains("apis/gateway.envoyproxy.io/v1alpha1"));

  std::string url = paths["apis/gateway.networking.k8s.io/v1"]["serverRelativeURL"];
  REQUIRE(url.starts_with("/openapi/v3/apis/gateway.networking.k8s.io/v1?hash="));
  HttpResult gateway_api = c->Get(url);
  REQUIRE(gateway_api.code == 200);
  CHECK(gateway_api.Header("etag") == "\"" + url.substr(url.find("hash=") + 5) + "\"");
  CHECK(gateway_api.Header("cache-control") == "public, immutable");
  json doc = gateway_api.Json();
  const json& route = doc["components"]["schemas"]["io.k8s.networking.gateway.v1.HTTPRoute"];
  CHECK(
      route["x-kubernetes-group-version-kind"] ==
      json::parse(R"([{"group":"gateway.networking.k8s.io","kind":"HTTPRoute","version":"v1"}])"));
  CHECK(doc["paths"].contains(
      "/apis/gateway.networking.k8s.io/v1/namespaces/{namespace}/httproutes/{name}"));

  HttpResult v2 = c->Get("/openapi/v2");
  REQUIRE(v2.code == 200);
  CHECK(v2.Json()["swagger"] == "2.0");

  HttpResult missing = c->Get("/openapi/v3/apis/batch/v1");
  CHECK(missing.code == 404);
  CHECK(missing.body == "404 page not found\n");
}

}  // namespace
}  // namespace starform::devcluster::testing

namespace starform::devcluster::testing {
namespace {

using nlohmann::json;

const char kNoPort[] = "Must have port for Service reference";

json RouteWithoutPort(const std::string& ns, const std::string& name) {
  json route = Route(ns, name);
  route["spec"]["rules"][0]["backendRefs"][0].erase("port");
  return route;
}

json NoPortStatus(const std::string& name) {
  return InvalidStatus(
      "HTTPRoute", "gateway.networking.k8s.io", name,
      "HTTPRoute.gateway.networking.k8s.io \"" + name +
          "\" is invalid: spec.rules[0].backendRefs[0]: Invalid value: \"object\": " + kNoPort,
      {Cause("FieldValueInvalid", "spec.rules[0].backendRefs[0]",
             std::string("Invalid value: \"object\": ") + kNoPort)});
}

TEST_CASE("CEL: a Service backendRef without port is 422 on create, update and apply",
          "[hooks][cel]") {
  auto c = Client();
  MakeNamespace(*c, "cel-port");
  HttpResult created = c->Post(RoutesPath("cel-port"), RouteWithoutPort("cel-port", "shop"));
  CHECK(created.code == 422);
  CHECK(created.Json() == NoPortStatus("shop"));
  CHECK(c->Get(RoutesPath("cel-port") + "/shop").code == 404);

  HttpResult valid = c->Post(RoutesPath("cel-port"), Route("cel-port", "shop"));
  REQUIRE(valid.code == 201);
  json update = valid.Json();
  update["spec"]["rules"][0]["backendRefs"][0].erase("port");
  HttpResult updated = c->Put(RoutesPath("cel-port") + "/shop", update);
  CHECK(updated.code == 422);
  CHECK(updated.Json() == NoPortStatus("shop"));

  HttpResult applied =
      c->Patch(RoutesPath("cel-port") + "/applied?fieldManager=starform",
               RouteWithoutPort("cel-port", "applied").dump(), "application/apply-patch+yaml");
  CHECK(applied.code == 422);
  CHECK(applied.Json() == NoPortStatus("applied"));
}

TEST_CASE("CEL: rules run only when the schema found no blocking cause", "[hooks][cel]") {
  auto c = Client();
  MakeNamespace(*c, "cel-blocked");
  json route = RouteWithoutPort("cel-blocked", "shop");
  route["spec"]["rules"][0]["backendRefs"][0].erase("name");
  HttpResult r = c->Post(RoutesPath("cel-blocked"), route);
  CHECK(r.code == 422);
  CHECK(r.Json() ==
        InvalidStatus(
            "HTTPRoute", "gateway.networking.k8s.io", "shop",
            "HTTPRoute.gateway.networking.k8s.io \"shop\" is invalid: "
            "[spec.rules[0].backendRefs[0].name: Required value, <nil>: Invalid "
            "value: null: some validation rules were not checked because the "
            "object was invalid; correct the existing errors to complete validation]",
            {Cause("FieldValueRequired", "spec.rules[0].backendRefs[0].name", "Required value"),
             Cause("FieldValueInvalid", "<nil>",
                   "Invalid value: null: some validation rules were not checked "
                   "because the object was invalid; correct the existing errors to "
                   "complete validation")}));

  // ReferenceGrant has no rules: nothing was left unchecked.
  json grant = {{"apiVersion", "gateway.networking.k8s.io/v1beta1"},
                {"kind", "ReferenceGrant"},
                {"metadata", {{"name", "g"}}},
                {"spec", {{"to", {{{"group", ""}, {"kind", "Service"}}}}}}};
  HttpResult g = c->Post(
      "/apis/gateway.networking.k8s.io/v1beta1/namespaces/cel-blocked/referencegrants", grant);
  CHECK(g.code == 422);
  CHECK(g.Json() == InvalidStatus("ReferenceGrant", "gateway.networking.k8s.io", "g",
                                  "ReferenceGrant.gateway.networking.k8s.io \"g\" is invalid: "
                                  "spec.from: Required value",
                                  {Cause("FieldValueRequired", "spec.from", "Required value")}));
}

TEST_CASE("CEL: a SecurityPolicy with both targetRef and targetRefs", "[hooks][cel]") {
  auto c = Client();
  MakeNamespace(*c, "cel-policy");
  json target = {{"group", "gateway.networking.k8s.io"}, {"kind", "HTTPRoute"}, {"name", "r"}};
  json policy = {{"apiVersion", "gateway.envoyproxy.io/v1alpha1"},
                 {"kind", "SecurityPolicy"},
                 {"metadata", {{"name", "auth"}}},
                 {"spec", {{"targetRef", target}, {"targetRefs", {target}}}}};
  const std::string path =
      "/apis/gateway.envoyproxy.io/v1alpha1/namespaces/cel-policy/securitypolicies";
  HttpResult r = c->Post(path, policy);
  CHECK(r.code == 422);
  CHECK(r.Json() == InvalidStatus("SecurityPolicy", "gateway.envoyproxy.io", "auth",
                                  "SecurityPolicy.gateway.envoyproxy.io \"auth\" is invalid: "
                                  "spec: Invalid value: \"object\": either targetRef or "
                                  "targetRefs must be used",
                                  {Cause("FieldValueInvalid", "spec",
                                         "Invalid value: \"object\": either targetRef or "
                                         "targetRefs must be used")}));
  policy["spec"].erase("targetRef");
  CHECK(c->Post(path, policy).code == 201);
}

TEST_CASE("CEL: a Gateway listener rule and a transition rule", "[hooks][cel]") {
  auto c = Client();
  MakeNamespace(*c, "cel-gateway");
  json listener = {{"name", "http"},
                   {"port", 80},
                   {"protocol", "HTTP"},
                   {"tls", {{"mode", "Terminate"}, {"certificateRefs", {{{"name", "cert"}}}}}}};
  HttpResult r = c->Post(GatewaysPath("cel-gateway"), Gateway("edge", listener));
  const std::string message =
      "Invalid value: \"array\": tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']";
  CHECK(r.code == 422);
  CHECK(r.Json() == InvalidStatus("Gateway", "gateway.networking.k8s.io", "edge",
                                  "Gateway.gateway.networking.k8s.io \"edge\" is invalid: "
                                  "spec.listeners: " +
                                      message,
                                  {Cause("FieldValueInvalid", "spec.listeners", message)}));

  // controllerName is immutable (a rule on oldSelf): checked on update only.
  json gateway_class = {{"apiVersion", "gateway.networking.k8s.io/v1"},
                        {"kind", "GatewayClass"},
                        {"metadata", {{"name", "cel-class"}}},
                        {"spec", {{"controllerName", "example.com/one"}}}};
  const std::string classes = "/apis/gateway.networking.k8s.io/v1/gatewayclasses";
  HttpResult created = c->Post(classes, gateway_class);
  REQUIRE(created.code == 201);
  json changed = created.Json();
  changed["spec"]["controllerName"] = "example.com/two";
  HttpResult updated = c->Put(classes + "/cel-class", changed);
  CHECK(updated.code == 422);
  CHECK(updated.Json() ==
        InvalidStatus("GatewayClass", "gateway.networking.k8s.io", "cel-class",
                      "GatewayClass.gateway.networking.k8s.io \"cel-class\" is invalid: "
                      "spec.controllerName: Invalid value: \"string\": Value is immutable",
                      {Cause("FieldValueInvalid", "spec.controllerName",
                             "Invalid value: \"string\": Value is immutable")}));
}

TEST_CASE("CEL: a failure the update did not touch is ratcheted into a Warning", "[hooks][cel]") {
  auto c = Client();
  MakeNamespace(*c, "cel-ratchet");
  // Stored before the rule existed, as a seed is (no admission).
  SharedCluster().Seed({RouteWithoutPort("cel-ratchet", "old")});
  json route = c->Get(RoutesPath("cel-ratchet") + "/old").Json();
  route["spec"]["hostnames"] = {"other.example.com"};
  HttpResult r = c->Put(RoutesPath("cel-ratchet") + "/old", route);
  CHECK(r.code == 200);
  CHECK(r.Header("warning") ==
        "299 - \"spec.rules[0].backendRefs[0]: Invalid value: \\\"object\\\": " +
            std::string(kNoPort) + "\"");
}

}  // namespace
}  // namespace starform::devcluster::testing
