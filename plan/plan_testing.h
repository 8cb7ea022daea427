#pragma once

// Hand-built plans for the output tests: one per kind of thing a plan can say (each action,
// adoption, drift, a load balancer recreated, routes of others, skipped apps, warnings, errors,
// targets, no changes) and one with all of them. Also the golden-file check the output tests
// share: set STARFORM_UPDATE_GOLDEN=1 to rewrite the files in testdata/golden/plan/ (then read
// every changed file before committing it).

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "plan/plan.h"

namespace starform::testing {

/// What no output may print: every fixture's server-side-apply body holds it.
inline constexpr const char* kBodySentinel = "body-must-never-be-printed";

inline ObjectKey RouteKey(const std::string& ns, const std::string& name) {
  return {"gateway.networking.k8s.io/v1", "HTTPRoute", ns, name};
}

inline ObjectKey GatewayKey() {
  return {"gateway.networking.k8s.io/v1", "Gateway", "infra", "gw"};
}

inline nlohmann::json Route(const std::string& ns, const std::string& name,
                            const std::vector<std::string>& hostnames, int port) {
  return {
      {"apiVersion", "gateway.networking.k8s.io/v1"},
      {"kind", "HTTPRoute"},
      {"metadata",
       {{"name", name},
        {"namespace", ns},
        {"labels", {{"applyset.kubernetes.io/part-of", "applyset-k3j9x-v1"}}}}},
      {"spec",
       {{"parentRefs", {{{"name", "gw"}, {"namespace", "infra"}, {"sectionName", "https"}}}},
        {"hostnames", hostnames},
        {"rules",
         {{{"matches", {{{"path", {{"type", "PathPrefix"}, {"value", "/"}}}}}},
           {"backendRefs", {{{"name", name}, {"port", port}}}}}}}}},
  };
}

inline nlohmann::json Gateway(const std::string& gateway_class, bool extra_listener) {
  nlohmann::json listeners = {
      {{"name", "http"}, {"port", 80}, {"protocol", "HTTP"}},
      {{"name", "https"},
       {"port", 443},
       {"protocol", "HTTPS"},
       {"tls", {{"certificateRefs", {{{"name", "wildcard-tls"}}}}}}},
  };
  if (extra_listener) {
    listeners.push_back({{"name", "extra"},
                         {"port", 8443},
                         {"protocol", "HTTPS"},
                         {"hostname", "*.internal.example.com"},
                         {"tls", {{"certificateRefs", {{{"name", "internal-tls"}}}}}}});
  }
  return {
      {"apiVersion", "gateway.networking.k8s.io/v1"},
      {"kind", "Gateway"},
      {"metadata", {{"name", "gw"}, {"namespace", "infra"}}},
      {"spec", {{"gatewayClassName", gateway_class}, {"listeners", listeners}}},
  };
}

inline ResourceChange NoOpRoute() {
  ResourceChange change;
  change.key = RouteKey("tenant-a", "static");
  change.action = Action::kNoOp;
  change.before = change.after = Route("tenant-a", "static", {"static.example.com"}, 80);
  change.unchanged_fields = 11;
  return change;
}

inline ResourceChange CreateRoute() {
  ResourceChange change;
  change.key = RouteKey("tenant-a", "shop");
  change.action = Action::kCreate;
  change.after = Route("tenant-a", "shop", {"shop.example.com"}, 8080);
  change.body = {{"sentinel", kBodySentinel}};
  return change;
}

/// An update with a field added, one modified, and two drifts: one modified, one removed.
inline ResourceChange UpdateRoute() {
  ResourceChange change;
  change.key = RouteKey("tenant-a", "blog");
  change.action = Action::kUpdate;
  change.before = Route("tenant-a", "blog", {"blog.example.com"}, 8080);
  change.before["spec"]["rules"][0]["timeouts"] = {{"request", "30s"}};
  change.after = Route("tenant-a", "blog", {"blog.example.com", "www.blog.example.com"}, 8081);
  change.changes = {
      {FieldChange::Op::kModify, "spec.rules[0].backendRefs[name=\"blog\"].port", 8080, 8081, ""},
      {FieldChange::Op::kAdd, "spec.hostnames[1]", nullptr, "www.blog.example.com", ""},
      {FieldChange::Op::kRemove, "spec.rules[0].timeouts.request", "30s", nullptr, "kubectl-edit"},
  };
  change.unchanged_fields = 12;
  change.body = {{"sentinel", kBodySentinel}};
  change.remove_paths = {"spec.rules[0].timeouts.request"};
  change.live_digest = "sha256:1f0c";
  change.live_uid = "5b0e4a52-0c1e-4e0f-9a57-5b2b0f1c9d11";
  return change;
}

/// A Gateway update that removes a listener someone added by hand: a structured value.
inline ResourceChange UpdateGatewayDrift() {
  ResourceChange change;
  change.key = GatewayKey();
  change.action = Action::kUpdate;
  change.before = Gateway("eg", true);
  change.after = Gateway("eg", false);
  change.changes = {{FieldChange::Op::kRemove, "spec.listeners[name=\"extra\"]",
                     change.before["spec"]["listeners"][2], nullptr, "kubectl-edit"}};
  change.unchanged_fields = 1;
  change.body = {{"sentinel", kBodySentinel}};
  return change;
}

inline ResourceChange DeleteRoute() {
  ResourceChange change;
  change.key = RouteKey("tenant-b", "old-shop");
  change.action = Action::kDelete;
  change.before = Route("tenant-b", "old-shop", {"old.example.com"}, 80);
  change.reason = "no longer desired";
  return change;
}

inline ResourceChange ReplaceSecurityPolicy() {
  ResourceChange change;
  change.key = {"gateway.envoyproxy.io/v1alpha1", "SecurityPolicy", "tenant-a", "shop-auth"};
  change.action = Action::kReplace;
  auto policy = [](const std::string& route) {
    return nlohmann::json{
        {"apiVersion", "gateway.envoyproxy.io/v1alpha1"},
        {"kind", "SecurityPolicy"},
        {"metadata", {{"name", "shop-auth"}, {"namespace", "tenant-a"}}},
        {"spec",
         {{"targetRefs",
           {{{"group", "gateway.networking.k8s.io"}, {"kind", "HTTPRoute"}, {"name", route}}}},
          {"basicAuth", {{"users", {{"name", "shop-users"}}}}}}},
    };
  };
  change.before = policy("shop-v1");
  change.after = policy("shop");
  change.changes = {{FieldChange::Op::kModify, "spec.targetRefs[0].name", "shop-v1", "shop", ""}};
  change.unchanged_fields = 4;
  change.reason = "spec.targetRefs[0].name: field is immutable";
  change.body = {{"sentinel", kBodySentinel}};
  return change;
}

/// An existing route without starform's label, taken over with --adopt.
inline ResourceChange AdoptRoute() {
  ResourceChange change;
  change.key = RouteKey("tenant-c", "wiki");
  change.action = Action::kUpdate;
  change.adopt = true;
  change.before = Route("tenant-c", "wiki", {"wiki.example.com"}, 3000);
  change.before["metadata"].erase("labels");
  change.after = Route("tenant-c", "wiki", {"wiki.example.com"}, 3000);
  change.changes = {{FieldChange::Op::kAdd, "metadata.labels[\"applyset.kubernetes.io/part-of\"]",
                     nullptr, "applyset-k3j9x-v1", ""}};
  change.unchanged_fields = 10;
  change.body = {{"sentinel", kBodySentinel}};
  return change;
}

inline ResourceChange ReplaceGatewayRecreatingLb() {
  ResourceChange change;
  change.key = GatewayKey();
  change.action = Action::kReplace;
  change.before = Gateway("eg", false);
  change.after = Gateway("eg-internal", false);
  change.changes = {{FieldChange::Op::kModify, "spec.gatewayClassName", "eg", "eg-internal", ""}};
  change.unchanged_fields = 1;
  change.reason = "spec.gatewayClassName: field is immutable";
  change.recreates_load_balancer =
      "replacing the Gateway deletes its Envoy Service, and with it the load balancer";
  change.body = {{"sentinel", kBodySentinel}};
  return change;
}

inline std::vector<ForeignRoute> ForeignRoutes() {
  return {
      {"team-x", "legacy", {"legacy.example.com", "old.example.com"}, {}},
      {"team-y", "grab", {"shop.example.com", "promo.example.com"}, {"shop.example.com"}},
      {"team-z", "catch-all", {}, {}},
  };
}

inline std::vector<SkippedApp> SkippedApps() {
  return {{"tenant-d",
           "forum",
           {"apps.yaml:41:9: apps[3].routes[0].path: must start with \"/\"",
            "apps.yaml:44:15: apps[3].backend.port: 70000 is not a port (1 to 65535)"}}};
}

/// Every case by name, in the order the tests walk them.
inline std::vector<std::pair<std::string, Plan>> PlanCases() {
  std::vector<std::pair<std::string, Plan>> cases;
  auto add = [&](const std::string& name, Plan plan) {
    plan.origin.tool_version = "0.1.0";
    plan.origin.cluster = "do-nyc1-prod";
    cases.emplace_back(name, std::move(plan));
  };
  Plan plan;
  plan.resources = {NoOpRoute(), CreateRoute()};
  add("create", plan);
  plan = {};
  plan.resources = {UpdateGatewayDrift(), NoOpRoute(), UpdateRoute()};
  add("update", plan);
  plan = {};
  plan.resources = {NoOpRoute(), DeleteRoute()};
  add("delete", plan);
  plan = {};
  plan.resources = {ReplaceSecurityPolicy()};
  add("replace", plan);
  plan = {};
  plan.resources = {AdoptRoute()};
  add("adopt", plan);
  plan = {};
  plan.resources = {ReplaceGatewayRecreatingLb()};
  add("lb_recreate", plan);
  plan = {};
  plan.resources = {NoOpRoute()};
  plan.foreign_routes = ForeignRoutes();
  add("foreign_routes", plan);
  plan = {};
  plan.resources = {NoOpRoute()};
  plan.skipped_apps = SkippedApps();
  add("skipped_apps", plan);
  plan = {};
  plan.resources = {CreateRoute()};
  plan.warnings = {"Gateway infra/gw is not Programmed yet: its routes may not serve traffic",
                   "HTTPRoute tenant-a/shop has no backend Service tenant-a/shop yet"};
  add("warnings", plan);
  plan = {};
  plan.resources = {UpdateRoute()};
  plan.errors = {
      "SecurityPolicy tenant-a/shop-auth refers to Secret tenant-a/shop-users, "
      "which does not exist"};
  add("errors", plan);
  plan = {};
  plan.resources = {UpdateRoute()};
  plan.targets = {"HTTPRoute/tenant-a/blog", "HTTPRoute/tenant-a/shop"};
  add("targets", plan);
  plan = {};
  plan.resources = {NoOpRoute()};
  add("no_changes", plan);
  plan = {};
  plan.resources = {
      ReplaceGatewayRecreatingLb(), CreateRoute(), UpdateRoute(), AdoptRoute(), NoOpRoute(),
      ReplaceSecurityPolicy(),      DeleteRoute()};
  plan.foreign_routes = ForeignRoutes();
  plan.skipped_apps = SkippedApps();
  plan.warnings = {"Gateway infra/gw is not Programmed yet: its routes may not serve traffic"};
  plan.errors = {"route team-y/grab hijacks shop.example.com of app tenant-a/shop"};
  plan.targets = {"Gateway/infra/gw"};
  add("everything", plan);
  return cases;
}

inline Plan PlanCase(const std::string& name) {
  for (auto& [case_name, plan] : PlanCases()) {
    if (case_name == name)
      return plan;
  }
  FAIL("no plan case " << name);
  return {};
}

/// Compares |actual| with testdata/golden/plan/|file|, or writes it there when
/// STARFORM_UPDATE_GOLDEN is set.
inline void CheckGolden(const std::string& file, const std::string& actual) {
  std::filesystem::path path =
      std::filesystem::path(STARFORM_TESTDATA_DIR) / "golden" / "plan" / file;
  const char* update = std::getenv("STARFORM_UPDATE_GOLDEN");
  if (update != nullptr && *update != '\0' && std::string(update) != "0") {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << actual;
    REQUIRE(out.good());
    WARN("wrote " << path.string());
    return;
  }
  std::ifstream in(path, std::ios::binary);
  INFO("golden file " << path.string() << " (STARFORM_UPDATE_GOLDEN=1 rewrites it)");
  REQUIRE(in.good());
  std::ostringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

}  // namespace starform::testing
