// How fast server-side apply handles a typical HTTPRoute. Hidden from the default run (timings
// on a shared machine are not assertions); run it with: devcluster_tests "[perf]"

#include <chrono>
#include <cstdio>

#include <catch2/catch.hpp>

#include "devcluster/managed_fields.h"
#include "devcluster/ssa.h"
#include "kube/schema_testing.h"

namespace starform::devcluster {
namespace {

using nlohmann::json;

// What plan renders for an app: one parent, one hostname, a path rule and a default rule.
json TypicalRoute(int backend_port) {
  json route = json::parse(R"({
    "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
    "metadata": {"name": "app", "namespace": "tenant-a",
                 "labels": {"app.kubernetes.io/managed-by": "starform"}},
    "spec": {
      "parentRefs": [{"name": "eg", "namespace": "infra", "sectionName": "https"}],
      "hostnames": ["app.example.com"],
      "rules": [
        {"matches": [{"path": {"type": "PathPrefix", "value": "/api"}}],
         "filters": [{"type": "RequestHeaderModifier",
                      "requestHeaderModifier": {"set": [{"name": "x-tenant", "value": "a"}]}}],
         "backendRefs": [{"name": "api", "port": 8080}],
         "timeouts": {"request": "30s"}},
        {"backendRefs": [{"name": "web", "port": 80}]}]}})");
  route["spec"]["rules"][1]["backendRefs"][0]["port"] = backend_port;
  return route;
}

ApplyRequest RouteApply(const json* live, json applied, const char* now) {
  ApplyRequest request;
  request.live = live;
  request.applied = std::move(applied);
  request.manager = "starform";
  request.api_version = "gateway.networking.k8s.io/v1";
  request.kind = "HTTPRoute";
  request.name = "app";
  request.namespace_ = "tenant-a";
  request.status_subresource = true;
  request.now = now;
  request.schema = &kube::testing::SharedSchema(kube::testing::kHTTPRoutes, "v1");
  return request;
}

TEST_CASE("server-side apply of a typical HTTPRoute", "[.][perf]") {
  using Clock = std::chrono::steady_clock;
  constexpr int kCount = 5000;
  auto micros = [](Clock::time_point since) {
    return std::chrono::duration<double, std::micro>(Clock::now() - since).count() / kCount;
  };
  const ApplyRequest create = RouteApply(nullptr, TypicalRoute(80), "2026-11-26T10:00:00Z");
  ApplyResult created = ServerSideApply(create);
  REQUIRE(created.ok());
  json live = created.object;
  live["metadata"]["uid"] = "u-1";

  int failures = 0;
  auto start = Clock::now();
  for (int i = 0; i < kCount; ++i)
    failures += !ServerSideApply(create).ok();
  const double create_us = micros(start);

  const ApplyRequest same = RouteApply(&live, TypicalRoute(80), "2026-11-26T10:00:01Z");
  start = Clock::now();
  for (int i = 0; i < kCount; ++i)
    failures += ServerSideApply(same).changed;
  const double noop_us = micros(start);

  const ApplyRequest change = RouteApply(&live, TypicalRoute(81), "2026-11-26T10:00:01Z");
  start = Clock::now();
  for (int i = 0; i < kCount; ++i)
    failures += !ServerSideApply(change).changed;
  const double change_us = micros(start);

  UpdateRequest status;
  status.live = &live;
  status.manager = "envoy-gateway";
  status.api_version = create.api_version;
  status.subresource = "status";
  status.status_subresource = true;
  status.now = "2026-11-26T10:00:02Z";
  status.schema = create.schema;
  json with_status = live;
  with_status["status"] = json::parse(R"({"parents": [{"parentRef": {"name": "eg",
    "namespace": "infra", "sectionName": "https"}, "controllerName": "gateway.envoyproxy.io/gatewayclass-controller",
    "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "message": "",
                    "lastTransitionTime": "2026-11-26T10:00:02Z", "observedGeneration": 1}]}]})");
  start = Clock::now();
  size_t entries = 0;
  for (int i = 0; i < kCount; ++i) {
    entries += RecordUpdate(status, with_status)["metadata"]["managedFields"].size();
  }
  const double status_us = micros(start);
  CHECK(failures == 0);
  CHECK(entries == 2u * kCount);

  std::printf(
      "HTTPRoute server-side apply: create %.1f us, no-op re-apply %.1f us, changed re-apply "
      "%.1f us; status update %.1f us (each, over %d)\n",
      create_us, noop_us, change_us, status_us, kCount);
}

}  // namespace
}  // namespace starform::devcluster
