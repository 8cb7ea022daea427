// The hooks the dev cluster installs by itself, through the running server over HTTPS: the
// openapi documents and the CEL rules. Fault injection has its own file
// (faults_wiring_test.cpp).

#include <catch2/catch.hpp>

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
