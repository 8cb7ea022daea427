// Server-side apply through the dev cluster's HTTP API: what kubectl apply --server-side and
// our client see.

#include "devcluster/ssa_hooks.h"

#include <catch2/catch.hpp>

#include "devcluster/server.h"
#include "devcluster/test_cluster.h"

namespace starform::devcluster {
namespace {

using nlohmann::json;
using testing::HttpResult;
using testing::TestClient;

DevCluster& ClusterWithApply() {
  static std::unique_ptr<DevCluster> cluster = [] {
    DevCluster::Options options;
    options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
    options.keep_alive_seconds = 1;
    InstallServerSideApply(&options.hooks);
    auto c = std::make_unique<DevCluster>(options);
    c->Start();
    return c;
  }();
  return *cluster;
}

json Gateway(int port) {
  return {{"apiVersion", "gateway.networking.k8s.io/v1"},
          {"kind", "Gateway"},
          {"metadata", {{"name", "gw"}, {"namespace", "ssa-hooks"}}},
          {"spec",
           {{"gatewayClassName", "eg"},
            {"listeners", {{{"name", "http"}, {"port", port}, {"protocol", "HTTP"}}}}}}};
}

constexpr char kPath[] = "/apis/gateway.networking.k8s.io/v1/namespaces/ssa-hooks/gateways/gw";

HttpResult Apply(TestClient& client, const json& body, const std::string& query) {
  return client.Patch(std::string(kPath) + "?" + query, body.dump(),
                      "application/apply-patch+yaml");
}

TEST_CASE("apply, conflict and force over HTTP") {
  auto client = testing::Client(ClusterWithApply());
  testing::MakeNamespace(*client, "ssa-hooks");

  HttpResult created = Apply(*client, Gateway(80), "fieldManager=starform");
  REQUIRE(created.code == 201);
  json object = created.Json();
  REQUIRE(object["metadata"]["managedFields"].size() == 1);
  CHECK(object["metadata"]["managedFields"][0]["manager"] == "starform");
  CHECK(object["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]["f:listeners"] ==
        json::parse(R"({"k:{\"name\":\"http\"}": {".": {}, "f:name": {}, "f:port": {},
                                                  "f:protocol": {}}})"));
  // Defaults the schema added are nobody's.
  CHECK(object["spec"]["listeners"][0]["allowedRoutes"]["namespaces"]["from"] == "Same");

  HttpResult again = Apply(*client, Gateway(80), "fieldManager=starform");
  REQUIRE(again.code == 200);
  CHECK(again.Json()["metadata"]["resourceVersion"] == object["metadata"]["resourceVersion"]);

  HttpResult edited = client->Patch(
      std::string(kPath) + "?fieldManager=kubectl-edit",
      R"({"spec": {"listeners": [{"name": "http", "port": 8080, "protocol": "HTTP"}]}})",
      "application/merge-patch+json");
  REQUIRE(edited.code == 200);

  HttpResult conflict = Apply(*client, Gateway(80), "fieldManager=starform");
  CHECK(conflict.code == 409);
  json status = conflict.Json();
  CHECK(status["reason"] == "Conflict");
  CHECK(status["message"] ==
        "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using "
        "gateway.networking.k8s.io/v1: .spec.listeners[name=\"http\"].port");
  CHECK(status["details"]["causes"] == json::parse(R"([{"reason": "FieldManagerConflict",
    "message": "conflict with \"kubectl-edit\" using gateway.networking.k8s.io/v1",
    "field": ".spec.listeners[name=\"http\"].port"}])"));

  HttpResult forced = Apply(*client, Gateway(80), "fieldManager=starform&force=true");
  REQUIRE(forced.code == 200);
  CHECK(forced.Json()["spec"]["listeners"][0]["port"] == 80);
}

}  // namespace
}  // namespace starform::devcluster
