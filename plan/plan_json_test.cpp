// PlanToJson, the -o json document of docs/plan-format.md, and the saved plan document on top of
// it: hand-built plans covering every action against golden files in testdata/golden/plan-json,
// and the properties a program reading them relies on.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "plan/plan.h"
#include "plan/plan_file.h"
#include "plan/plan_output.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace starform {
namespace {

const fs::path kGolden = fs::path(STARFORM_TESTDATA_DIR) / "golden" / "plan-json";

const char* kApplySet = "applyset-c_6E-KK9rpIJxDAX4cuAqTS6iOJ17IqmoldOiB_tcxE-v1";

json Labels() {
  return {{"app.kubernetes.io/managed-by", "starform"},
          {"applyset.kubernetes.io/part-of", kApplySet}};
}

json Route(const std::string& ns, const std::string& name, const std::string& hostname,
           const std::string& path = "/") {
  return {{"metadata", {{"name", name}, {"namespace", ns}, {"labels", Labels()}}},
          {"spec",
           {{"hostnames", {hostname}},
            {"parentRefs",
             {{{"group", "gateway.networking.k8s.io"},
               {"kind", "Gateway"},
               {"name", "starform"},
               {"namespace", "starform-system"}}}},
            {"rules",
             {{{"backendRefs", {{{"kind", "Service"}, {"name", name}, {"port", 80}}}},
               {"matches", {{{"path", {{"type", "PathPrefix"}, {"value", path}}}}}}}}}}}};
}

json Body(const std::string& api_version, const std::string& kind, json content) {
  content["apiVersion"] = api_version;
  content["kind"] = kind;
  return content;
}

ObjectKey Key(const std::string& api_version, const std::string& kind, const std::string& ns,
              const std::string& name) {
  return ObjectKey{api_version, kind, ns, name};
}

PlanOrigin Origin() {
  PlanOrigin origin;
  origin.tool_version = "0.1.0";
  origin.cluster = "do-nyc1-prod";
  origin.server = "https://203.0.113.10:6443";
  origin.cluster_identity = "6f1d3c1e-9a44-4c55-8d8e-2b7c8a1f0e42";
  origin.revision = "42";
  origin.source = "desired/prod.yaml";
  origin.desired_digest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  origin.created = "2025-03-01T12:00:00Z";
  return origin;
}

constexpr const char* kGatewayApi = "gateway.networking.k8s.io/v1";
constexpr const char* kEnvoyApi = "gateway.envoyproxy.io/v1alpha1";

// One object for each action, a cluster-scoped one, an adopted one, drift, a hijacking foreign
// route, a skipped app, warnings, errors and targets: every field of the format set.
Plan EveryActionPlan() {
  Plan plan;
  plan.origin = Origin();

  ResourceChange proxy;
  proxy.key = Key(kEnvoyApi, "EnvoyProxy", "starform-system", "starform");
  proxy.action = Action::kReplace;
  proxy.before = {
      {"spec", {{"provider", {{"kubernetes", {{"envoyService", {{"type", "NodePort"}}}}}}}}}};
  proxy.after = {
      {"spec", {{"provider", {{"kubernetes", {{"envoyService", {{"type", "LoadBalancer"}}}}}}}}}};
  proxy.changes.push_back({FieldChange::Op::kModify, "spec.provider.kubernetes.envoyService.type",
                           "NodePort", "LoadBalancer", ""});
  proxy.unchanged_fields = 3;
  proxy.reason = "spec.provider.kubernetes.envoyService.type: field is immutable";
  proxy.recreates_load_balancer =
      "Replacing the EnvoyProxy makes Envoy Gateway delete the Service of type LoadBalancer, and "
      "DigitalOcean gives the new one a new public IP.";
  proxy.body = Body(kEnvoyApi, "EnvoyProxy", proxy.after);
  proxy.body["metadata"] = {
      {"name", "starform"}, {"namespace", "starform-system"}, {"labels", Labels()}};
  proxy.live_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
  proxy.live_uid = "0b6c1b8e-1d1e-4d57-9b3a-7c1a1d6a0001";
  plan.resources.push_back(proxy);

  ResourceChange gateway;
  gateway.key = Key(kGatewayApi, "Gateway", "starform-system", "starform");
  gateway.action = Action::kUpdate;
  gateway.before = {{"spec",
                     {{"gatewayClassName", "eg"},
                      {"listeners",
                       {{{"name", "http"}, {"port", 8080}, {"protocol", "HTTP"}},
                        {{"name", "debug"}, {"port", 9000}, {"protocol", "HTTP"}}}}}}};
  gateway.after = {{"spec",
                    {{"gatewayClassName", "eg"},
                     {"listeners",
                      {{{"name", "http"}, {"port", 80}, {"protocol", "HTTP"}},
                       {{"name", "https"},
                        {"port", 443},
                        {"protocol", "HTTPS"},
                        {"hostname", "*.starform.app"}}}}}}};
  gateway.changes.push_back(
      {FieldChange::Op::kModify, "spec.listeners[name=\"http\"].port", 8080, 80, "kubectl-edit"});
  gateway.changes.push_back({FieldChange::Op::kAdd, "spec.listeners[name=\"https\"]", nullptr,
                             gateway.after["spec"]["listeners"][1], ""});
  gateway.changes.push_back({FieldChange::Op::kRemove, "spec.listeners[name=\"debug\"]",
                             gateway.before["spec"]["listeners"][1], nullptr, "kubectl-patch"});
  gateway.unchanged_fields = 4;
  gateway.body = Body(kGatewayApi, "Gateway", gateway.after);
  gateway.body["metadata"] = {
      {"name", "starform"}, {"namespace", "starform-system"}, {"labels", Labels()}};
  gateway.remove_paths = {"spec.listeners[name=\"debug\"]"};
  gateway.live_digest = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
  gateway.live_uid = "0b6c1b8e-1d1e-4d57-9b3a-7c1a1d6a0002";
  plan.resources.push_back(gateway);

  ResourceChange policy;
  policy.key =
      Key(kEnvoyApi, "ClientTrafficPolicy", "starform-system", "starform-identity-headers");
  policy.action = Action::kNoOp;
  policy.before = {{"spec", {{"headers", {{"earlyRequestHeaders", json::object()}}}}}};
  policy.after = policy.before;
  policy.unchanged_fields = 6;
  policy.live_digest = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
  policy.live_uid = "0b6c1b8e-1d1e-4d57-9b3a-7c1a1d6a0003";
  plan.resources.push_back(policy);

  ResourceChange shop;
  shop.key = Key(kGatewayApi, "HTTPRoute", "tenant-a", "shop");
  shop.action = Action::kCreate;
  shop.after = Route("tenant-a", "shop", "shop.starform.app");
  shop.body = Body(kGatewayApi, "HTTPRoute", shop.after);
  plan.resources.push_back(shop);

  ResourceChange docs;
  docs.key = Key(kGatewayApi, "HTTPRoute", "tenant-a", "docs");
  docs.action = Action::kUpdate;
  docs.adopt = true;
  docs.before = Route("tenant-a", "docs", "docs.starform.app", "/v1");
  docs.before["metadata"].erase("labels");
  docs.after = Route("tenant-a", "docs", "docs.starform.app", "/");
  docs.changes.push_back({FieldChange::Op::kAdd, "metadata.labels", nullptr, Labels(), ""});
  docs.changes.push_back(
      {FieldChange::Op::kModify, "spec.rules[0].matches[0].path.value", "/v1", "/", ""});
  docs.unchanged_fields = 9;
  docs.body = Body(kGatewayApi, "HTTPRoute", docs.after);
  docs.live_digest = "sha256:4444444444444444444444444444444444444444444444444444444444444444";
  docs.live_uid = "0b6c1b8e-1d1e-4d57-9b3a-7c1a1d6a0004";
  plan.resources.push_back(docs);

  ResourceChange old;
  old.key = Key(kGatewayApi, "HTTPRoute", "tenant-b", "legacy");
  old.action = Action::kDelete;
  old.before = Route("tenant-b", "legacy", "legacy.starform.app");
  old.reason = "no longer desired";
  old.live_digest = "sha256:5555555555555555555555555555555555555555555555555555555555555555";
  old.live_uid = "0b6c1b8e-1d1e-4d57-9b3a-7c1a1d6a0005";
  plan.resources.push_back(old);

  ForeignRoute hijack;
  hijack.ns = "tenant-c";
  hijack.name = "sneaky";
  hijack.hostnames = {"shop.starform.app", "sneaky.starform.app"};
  hijack.hijacked = {"shop.starform.app"};
  plan.foreign_routes.push_back(hijack);
  ForeignRoute friendly;
  friendly.ns = "ops";
  friendly.name = "status";
  friendly.hostnames = {"status.starform.app"};
  plan.foreign_routes.push_back(friendly);

  SkippedApp skipped;
  skipped.ns = "tenant-d";
  skipped.name = "blog";
  skipped.errors = {"desired/prod.yaml:31:7: apps[3].hostnames[0]: \"blog\" is not a DNS name",
                    "desired/prod.yaml:33:9: apps[3].port: 70000 is not a port (1-65535)"};
  plan.skipped_apps.push_back(skipped);

  plan.warnings = {"gateway starform-system/starform: not Programmed yet (reason Pending)"};
  plan.errors = {
      "foreign route tenant-c/sneaky claims shop.starform.app, which tenant-a/shop serves"};
  plan.targets = {"HTTPRoute/tenant-a/shop", "Gateway/starform-system/starform"};
  return plan;
}

// Nothing to do: a cluster-scoped object and a namespaced one, both unchanged.
Plan NoChangesPlan() {
  Plan plan;
  plan.origin = Origin();
  ResourceChange klass;
  klass.key = Key(kGatewayApi, "GatewayClass", "", "eg");
  klass.before = {{"spec", {{"controllerName", "gateway.envoyproxy.io/gatewayclass-controller"}}}};
  klass.after = klass.before;
  klass.unchanged_fields = 1;
  klass.live_digest = "sha256:6666666666666666666666666666666666666666666666666666666666666666";
  klass.live_uid = "0b6c1b8e-1d1e-4d57-9b3a-7c1a1d6a0006";
  plan.resources.push_back(klass);
  ResourceChange shop;
  shop.key = Key(kGatewayApi, "HTTPRoute", "tenant-a", "shop");
  shop.before = Route("tenant-a", "shop", "shop.starform.app");
  shop.after = shop.before;
  shop.unchanged_fields = 12;
  shop.live_digest = "sha256:7777777777777777777777777777777777777777777777777777777777777777";
  shop.live_uid = "0b6c1b8e-1d1e-4d57-9b3a-7c1a1d6a0007";
  plan.resources.push_back(shop);
  return plan;
}

// An empty cluster and an empty desired state: no objects at all.
Plan EmptyPlan() {
  Plan plan;
  plan.origin = Origin();
  return plan;
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The golden files hold what `show -o json` prints (4-space indentation and a newline);
// STARFORM_UPDATE_GOLDEN=1 rewrites them, and `git diff testdata/golden` is the review.
void CheckGolden(const json& document, const std::string& name) {
  std::string text = document.dump(4) + "\n";
  fs::path golden = kGolden / name;
  if (std::getenv("STARFORM_UPDATE_GOLDEN") != nullptr) {
    fs::create_directories(kGolden);
    std::ofstream(golden, std::ios::binary) << text;
  }
  INFO(golden);
  REQUIRE(fs::exists(golden));
  CHECK(text == Slurp(golden));
}

TEST_CASE("PlanToJson matches the golden documents") {
  CheckGolden(PlanToJson(EveryActionPlan()), "every-action.json");
  CheckGolden(PlanToJson(NoChangesPlan()), "no-changes.json");
  CheckGolden(PlanToJson(EmptyPlan()), "empty.json");
}

TEST_CASE("PlanFileDocument matches the golden saved plans") {
  CheckGolden(PlanFileDocument(EveryActionPlan()), "every-action.planfile.json");
  CheckGolden(PlanFileDocument(NoChangesPlan()), "no-changes.planfile.json");
}

TEST_CASE("PlanToJson spells actions as Terraform does") {
  json document = PlanToJson(EveryActionPlan());
  std::map<std::string, json> actions;
  for (const json& resource : document["resource_changes"])
    actions[resource["address"]] = resource["actions"];
  CHECK(actions["envoyproxy starform-system/starform"] == json::array({"delete", "create"}));
  CHECK(actions["gateway starform-system/starform"] == json::array({"update"}));
  CHECK(actions["clienttrafficpolicy starform-system/starform-identity-headers"] ==
        json::array({"no-op"}));
  CHECK(actions["httproute tenant-a/shop"] == json::array({"create"}));
  CHECK(actions["httproute tenant-b/legacy"] == json::array({"delete"}));
}

TEST_CASE("PlanToJson keeps the resources in plan order, with their keys and origin") {
  Plan plan = EveryActionPlan();
  json document = PlanToJson(plan);
  CHECK(document["format_version"] == kPlanFormatVersion);
  CHECK(document["tool_version"] == "0.1.0");
  CHECK(document["origin"] == json{{"cluster", "do-nyc1-prod"},
                                   {"server", "https://203.0.113.10:6443"},
                                   {"cluster_identity", "6f1d3c1e-9a44-4c55-8d8e-2b7c8a1f0e42"},
                                   {"revision", "42"},
                                   {"source", "desired/prod.yaml"},
                                   {"desired_digest", plan.origin.desired_digest},
                                   {"created", "2025-03-01T12:00:00Z"}});
  REQUIRE(document["resource_changes"].size() == plan.resources.size());
  for (size_t i = 0; i < plan.resources.size(); ++i) {
    const json& resource = document["resource_changes"][i];
    CHECK(resource["address"] == plan.resources[i].key.Address());
    CHECK(resource["api_version"] == plan.resources[i].key.api_version);
    CHECK(resource["kind"] == plan.resources[i].key.kind);
    CHECK(resource["namespace"] == plan.resources[i].key.ns);
    CHECK(resource["name"] == plan.resources[i].key.name);
  }
  CHECK(document["summary"] == json{{"add", 2}, {"change", 2}, {"destroy", 2}, {"unchanged", 1}});
}

TEST_CASE("PlanToJson leaves what only apply needs to the saved plan") {
  json document = PlanToJson(EveryActionPlan());
  CHECK_FALSE(document.contains("apply"));
  std::set<std::string> keys;
  for (const json& resource : document["resource_changes"]) {
    for (const auto& [key, value] : resource.items())
      keys.insert(key);
  }
  CHECK(keys == std::set<std::string>{"actions", "address", "adopt", "after", "api_version",
                                      "before", "changes", "kind", "name", "namespace", "reason",
                                      "recreates_load_balancer", "unchanged_fields"});
  std::string text = document.dump();
  for (const char* secret : {"body", "remove_paths", "live_digest", "live_uid", "sha256:1111"}) {
    INFO(secret);
    CHECK(text.find(secret) == std::string::npos);
  }
}

TEST_CASE("PlanToJson writes field changes with drift_manager only when set") {
  json document = PlanToJson(EveryActionPlan());
  const json& changes = document["resource_changes"][1]["changes"];
  REQUIRE(changes.size() == 3);
  CHECK(changes[0] == json{{"path", "spec.listeners[name=\"http\"].port"},
                           {"op", "modify"},
                           {"before", 8080},
                           {"after", 80},
                           {"drift_manager", "kubectl-edit"}});
  CHECK(changes[1]["op"] == "add");
  CHECK(changes[1]["before"].is_null());
  CHECK_FALSE(changes[1].contains("drift_manager"));
  CHECK(changes[2]["op"] == "remove");
  CHECK(changes[2]["after"].is_null());
  CHECK(changes[2]["drift_manager"] == "kubectl-patch");
}

TEST_CASE("PlanToJson writes absent things as null and empty lists, never leaves keys out") {
  json document = PlanToJson(EmptyPlan());
  CHECK(document["resource_changes"] == json::array());
  CHECK(document["foreign_routes"] == json::array());
  CHECK(document["skipped_apps"] == json::array());
  CHECK(document["warnings"] == json::array());
  CHECK(document["errors"] == json::array());
  CHECK(document["targets"] == json::array());
  CHECK(document["summary"] == json{{"add", 0}, {"change", 0}, {"destroy", 0}, {"unchanged", 0}});

  json every = PlanToJson(EveryActionPlan());
  const json& create = every["resource_changes"][3];
  CHECK(create["before"].is_null());
  CHECK(create["reason"].is_null());
  CHECK(create["recreates_load_balancer"].is_null());
  CHECK(create["changes"] == json::array());
  CHECK(every["resource_changes"][5]["after"].is_null());
  CHECK(every["resource_changes"][5]["reason"] == "no longer desired");
  CHECK(every["foreign_routes"][1]["hijacked"] == json::array());

  json none = PlanToJson(NoChangesPlan());
  CHECK(none["resource_changes"][0]["namespace"] == "");
  CHECK(none["resource_changes"][0]["address"] == "gatewayclass eg");
}

TEST_CASE("PlanToJson is deterministic") {
  CHECK(PlanToJson(EveryActionPlan()).dump() == PlanToJson(EveryActionPlan()).dump());
}

TEST_CASE("the saved plan is the -o json document plus the apply section") {
  Plan plan = EveryActionPlan();
  json document = PlanFileDocument(plan);
  json apply = document["apply"];
  document.erase("apply");
  CHECK(document == PlanToJson(plan));
  REQUIRE(apply["resources"].size() == plan.resources.size());
  const json& gateway = apply["resources"][1];
  CHECK(gateway["address"] == "gateway starform-system/starform");
  CHECK(gateway["body"] == plan.resources[1].body);
  CHECK(gateway["remove_paths"] == json::array({"spec.listeners[name=\"debug\"]"}));
  CHECK(gateway["live_digest"] == plan.resources[1].live_digest);
  CHECK(gateway["live_uid"] == "0b6c1b8e-1d1e-4d57-9b3a-7c1a1d6a0002");
  const json& create = apply["resources"][3];
  CHECK(create.contains("live_digest"));
  CHECK(create["live_digest"].is_null());  // explicitly absent: the object did not exist
  CHECK(create["live_uid"].is_null());
  CHECK(apply["resources"][2]["body"].is_null());  // no-op: nothing to apply
}

}  // namespace
}  // namespace starform
