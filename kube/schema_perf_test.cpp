// How fast the engine admits a typical HTTPRoute. Hidden from the default run (timings on a
// shared machine are not assertions); run it with: kube_tests "[perf]"

#include <time.h>

#include <cstdio>

#include <catch2/catch.hpp>

#include "kube/schema.h"
#include "kube/schema_testing.h"

namespace starform::kube {
namespace {

using json = nlohmann::json;

// What plan renders for an app: one parent, one hostname, a path rule and a default rule.
json TypicalRoute(int i) {
  return json::parse(R"({
    "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
    "metadata": {"name": "app-)" +
                     std::to_string(i) + R"(", "namespace": "tenant-a",
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
}

TEST_CASE("admitting 10,000 typical HTTPRoutes", "[.][perf]") {
  const Schema& schema = testing::SharedSchema(testing::kHTTPRoutes, "v1");
  constexpr int kCount = 10000;
  std::vector<json> routes;
  routes.reserve(kCount);
  for (int i = 0; i < kCount; ++i)
    routes.push_back(TypicalRoute(i));

  // CPU time, not wall time: the machine is shared, and waiting for a core is not our cost.
  struct Clock {
    static double now() {
      timespec t;
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
      return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
    }
  };
  const auto per_route = [](double since) { return (Clock::now() - since) / kCount; };
  std::vector<json> copies = routes;
  size_t causes = 0;
  auto start = Clock::now();
  for (json& route : routes)
    causes += Admit(&route, schema).causes.size();
  const double admit_us = per_route(start);
  CHECK(causes == 0);

  start = Clock::now();
  for (json& route : copies)
    causes += Prune(&route, schema).size();
  const double prune_us = per_route(start);
  start = Clock::now();
  for (json& route : copies)
    ApplyDefaults(&route, schema);
  const double default_us = per_route(start);
  start = Clock::now();
  for (const json& route : copies)
    causes += Validate(route, schema).size();
  const double validate_us = per_route(start);
  CHECK(causes == 0);
  CHECK(copies == routes);

  // As the dev cluster meets them: one request body at a time, parsed, admitted, dropped.
  const json template_route = TypicalRoute(0);
  start = Clock::now();
  for (int i = 0; i < kCount; ++i) {
    json route = template_route;
    causes += Admit(&route, schema).causes.size();
  }
  const double one_at_a_time_us = per_route(start);
  CHECK(causes == 0);

  std::printf(
      "HTTPRoute x %d, CPU time: Admit %.1f us each (Prune %.1f, ApplyDefaults %.1f, Validate "
      "%.1f); "
      "copy+Admit one at a time %.1f us each\n",
      kCount, admit_us, prune_us, default_us, validate_us, one_at_a_time_us);
}

}  // namespace
}  // namespace starform::kube
