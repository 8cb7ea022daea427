// Fault injection through the running server over HTTPS: every kind of fault acts as
// docs/devcluster-faults.md says, and the same spec gives the same faults. One cluster with one
// spec serves every test; each test uses (verb, resource) pairs no other test uses, so its
// decisions do not depend on the order the tests run in.

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "devcluster/faults.h"
#include "devcluster/hooks_testing.h"
#include "devcluster/test_cluster.h"

namespace starform::devcluster::testing {
namespace {

using nlohmann::json;

const char kSpec[] =
    "seed=7;"
    "list:secrets:status=429:retry-after=3;"
    "get:secrets:status=500;"
    "get:leases:status=503:retry-after=2;"
    "list:deployments:rate=0.5:status=503;"
    "get:services:latency=300ms;"
    "get:configmaps:drop=1;"
    "list:httproutes:expire-continue=1;"
    "update:configmaps:conflict=1;"
    "apply:gateways:conflict=1";

DevCluster& FaultyCluster() {
  static std::unique_ptr<DevCluster> cluster = [] {
    DevCluster::Options options;
    options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
    options.keep_alive_seconds = 1;
    options.faults = kSpec;
    auto c = std::make_unique<DevCluster>(options);
    c->Start();
    return c;
  }();
  return *cluster;
}

json ConfigMap(const std::string& ns, const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"data", {{"greeting", std::string(2000, 'x')}}}};
}

TEST_CASE("faults: the operator is told the spec in force", "[faults]") {
  FaultSpec spec;
  std::string error;
  REQUIRE(ParseFaultSpec(kSpec, &spec, &error));
  CHECK(FaultyCluster().warnings().back() == "fault injection is on: " + FormatFaultSpec(spec));
}

TEST_CASE("faults: 429, 500 and 503 with the real Status and Retry-After", "[faults]") {
  auto c = Client(FaultyCluster());
  HttpResult throttled = c->Get("/api/v1/namespaces/default/secrets");
  CHECK(throttled.code == 429);
  CHECK(throttled.Header("retry-after") == "3");
  CHECK(throttled.Json() == StatusBody(429, "TooManyRequests",
                                       "Too many requests, please try again later.",
                                       {{"retryAfterSeconds", 3}}));

  HttpResult internal = c->Get("/api/v1/namespaces/default/secrets/x");
  CHECK(internal.code == 500);
  CHECK(internal.Header("retry-after").empty());
  CHECK(internal.Json() == StatusBody(500, "InternalError",
                                      "Internal error occurred: injected fault",
                                      {{"causes", {{{"message", "injected fault"}}}}}));

  HttpResult unavailable = c->Get("/apis/coordination.k8s.io/v1/namespaces/default/leases/x");
  CHECK(unavailable.code == 503);
  CHECK(unavailable.Header("retry-after") == "2");
  CHECK(unavailable.Json() == StatusBody(503, "ServiceUnavailable",
                                         "the server is currently unable to handle the request",
                                         {{"retryAfterSeconds", 2}}));

  // Other pairs are untouched.
  CHECK(c->Get("/api/v1/namespaces/default/configmaps").code == 200);
}

TEST_CASE("faults: which requests fail is fixed by the seed", "[faults]") {
  FaultSpec spec;
  std::string error;
  REQUIRE(ParseFaultSpec(kSpec, &spec, &error));
  FaultInjector replay(spec);
  auto c = Client(FaultyCluster());
  int failed = 0;
  for (uint64_t n = 0; n < 20; ++n) {
    HttpResult r = c->Get("/apis/apps/v1/namespaces/default/deployments");
    int expected = replay.DecideAt("list", "deployments", n).status == 503 ? 503 : 200;
    CHECK(r.code == expected);
    failed += r.code == 503;
  }
  // rate=0.5: some, not all.
  CHECK(failed > 0);
  CHECK(failed < 20);
}

TEST_CASE("faults: latency is added before the request is handled", "[faults]") {
  auto c = Client(FaultyCluster());
  auto start = std::chrono::steady_clock::now();
  HttpResult r = c->Get("/api/v1/namespaces/default/services/kubernetes-none");
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(r.code == 404);
  CHECK(elapsed >= std::chrono::milliseconds(300));
}

TEST_CASE("faults: a dropped connection sends part of the body, then closes", "[faults]") {
  auto c = Client(FaultyCluster());
  MakeNamespace(*c, "faults-drop");
  HttpResult created =
      c->Post("/api/v1/namespaces/faults-drop/configmaps", ConfigMap("faults-drop", "big"));
  REQUIRE(created.code == 201);

  FaultSpec spec;
  std::string error;
  REQUIRE(ParseFaultSpec(kSpec, &spec, &error));
  FaultDecision first = FaultInjector(spec).DecideAt("get", "configmaps", 0);
  REQUIRE(first.drop_connection);
  size_t sent = first.DropAfter(created.body.size());

  HttpResult dropped = c->Get("/api/v1/namespaces/faults-drop/configmaps/big");
  CHECK(dropped.code == 200);
  CHECK(dropped.Header("content-length") == std::to_string(created.body.size()));
  CHECK(dropped.body == created.body.substr(0, sent));
  CHECK(sent > 0);
  CHECK(sent < created.body.size());
  // The client can go on with a new connection.
  CHECK(c->Get("/api/v1/namespaces/faults-drop/configmaps").code == 200);
}

TEST_CASE("faults: a continue token expires with the real 410", "[faults]") {
  auto c = Client(FaultyCluster());
  MakeNamespace(*c, "faults-expire");
  for (int i = 0; i < 3; ++i) {
    std::string name = "r" + std::to_string(i);
    REQUIRE(c->Post(RoutesPath("faults-expire"), Route("faults-expire", name)).code == 201);
  }
  HttpResult first = c->Get(RoutesPath("faults-expire") + "?limit=2");
  REQUIRE(first.code == 200);
  std::string token = first.Json()["metadata"]["continue"];
  HttpResult expired = c->Get(RoutesPath("faults-expire") + "?limit=2&continue=" + Escape(token));
  CHECK(expired.code == 410);
  json status = expired.Json();
  std::string inconsistent = status["metadata"]["continue"];
  CHECK_FALSE(inconsistent.empty());
  status["metadata"].erase("continue");
  CHECK(
      status ==
      StatusBody(410, "Expired",
                 "The provided continue parameter is too old to display a consistent list result. "
                 "You can start a new list without the continue parameter, or use the continue "
                 "token in this response to retrieve the remainder of the results. Continuing "
                 "with the provided token results in an inconsistent list - objects that were "
                 "created, modified, or deleted between the time the first chunk was returned "
                 "and now may show up in the list.",
                 nullptr));
}

TEST_CASE("faults: write conflicts are the real 409, for updates and applies", "[faults]") {
  auto c = Client(FaultyCluster());
  MakeNamespace(*c, "faults-conflict");
  const std::string configmaps = "/api/v1/namespaces/faults-conflict/configmaps";
  HttpResult created = c->Post(configmaps, ConfigMap("faults-conflict", "cm"));
  REQUIRE(created.code == 201);
  json cm = created.Json();
  cm["data"]["greeting"] = "hello";
  HttpResult conflict = c->Put(configmaps + "/cm", cm);
  CHECK(conflict.code == 409);
  CHECK(conflict.Json() ==
        StatusBody(409, "Conflict",
                   "Operation cannot be fulfilled on configmaps \"cm\": the object has been "
                   "modified; please apply your changes to the latest version and try again",
                   {{"name", "cm"}, {"kind", "configmaps"}}));
  CHECK(FaultyCluster().Get("configmaps", "faults-conflict", "cm")["data"]["greeting"] ==
        std::string(2000, 'x'));
  // A missing object answers as without the fault.
  CHECK(c->Put(configmaps + "/none", ConfigMap("faults-conflict", "none")).code == 404);

  const std::string gateways = GatewaysPath("faults-conflict");
  json gateway = Gateway("edge", {{"name", "http"}, {"port", 80}, {"protocol", "HTTP"}});
  // Apply creates (no conflict on a missing object), then conflicts.
  HttpResult applied = c->Patch(gateways + "/edge?fieldManager=starform", gateway.dump(),
                                "application/apply-patch+yaml");
  CHECK(applied.code == 201);
  HttpResult again = c->Patch(gateways + "/edge?fieldManager=starform", gateway.dump(),
                              "application/apply-patch+yaml");
  CHECK(again.code == 409);
  CHECK(
      again.Json() ==
      StatusBody(409, "Conflict",
                 "Operation cannot be fulfilled on gateways.gateway.networking.k8s.io "
                 "\"edge\": the object has been modified; please apply your changes "
                 "to the latest version and try again",
                 {{"name", "edge"}, {"group", "gateway.networking.k8s.io"}, {"kind", "gateways"}}));
  // "apply" clauses do not match other patches.
  CHECK(c->Patch(gateways + "/edge", R"({"metadata":{"labels":{"a":"b"}}})",
                 "application/merge-patch+json")
            .code == 200);
}

TEST_CASE("faults: a bad spec stops Start with the parser's message", "[faults]") {
  DevCluster::Options options;
  options.faults = "patch:*:rat=0.1";
  DevCluster cluster(options);
  try {
    cluster.Start();
    FAIL("Start accepted a bad spec");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) ==
          "--faults: column 9 (in \"patch:*:rat=0.1\"): unknown setting \"rat\"; expected rate, "
          "status, retry-after, latency, drop, expire-continue or conflict");
  }
}

TEST_CASE("faults: starform-devcluster prints a bad spec and exits 1", "[faults]") {
  std::string command = std::string(STARFORM_BINARY_DIR) +
                        "/starform-devcluster --kubeconfig-out /tmp/faults-wiring-kubeconfig "
                        "--faults 'get:*:drop=2' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[256];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe))
    output.append(buffer, n);
  int status = pclose(pipe);
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(output.rfind("error: --faults: column ", 0) == 0);
}

}  // namespace
}  // namespace starform::devcluster::testing
