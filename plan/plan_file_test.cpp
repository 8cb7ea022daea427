// Saved plans: PlanFileDocument read back by ReadPlanFileDocument into an equal Plan, the exact
// errors of malformed documents, and StaleReasons.

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

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

// Field by field, so that a failure names the field (Plan has no operator==).
void CheckEqual(const Plan& a, const Plan& b) {
  CHECK(a.origin.tool_version == b.origin.tool_version);
  CHECK(a.origin.cluster == b.origin.cluster);
  CHECK(a.origin.server == b.origin.server);
  CHECK(a.origin.cluster_identity == b.origin.cluster_identity);
  CHECK(a.origin.revision == b.origin.revision);
  CHECK(a.origin.source == b.origin.source);
  CHECK(a.origin.desired_digest == b.origin.desired_digest);
  CHECK(a.origin.created == b.origin.created);
  REQUIRE(a.resources.size() == b.resources.size());
  for (size_t i = 0; i < a.resources.size(); ++i) {
    const ResourceChange& x = a.resources[i];
    const ResourceChange& y = b.resources[i];
    INFO("resource " << i << " " << x.key.Address());
    CHECK(x.key == y.key);
    CHECK(x.action == y.action);
    CHECK(x.before == y.before);
    CHECK(x.after == y.after);
    REQUIRE(x.changes.size() == y.changes.size());
    for (size_t j = 0; j < x.changes.size(); ++j) {
      INFO("change " << j);
      CHECK(x.changes[j].op == y.changes[j].op);
      CHECK(x.changes[j].path == y.changes[j].path);
      CHECK(x.changes[j].before == y.changes[j].before);
      CHECK(x.changes[j].after == y.changes[j].after);
      CHECK(x.changes[j].drift_manager == y.changes[j].drift_manager);
    }
    CHECK(x.unchanged_fields == y.unchanged_fields);
    CHECK(x.adopt == y.adopt);
    CHECK(x.reason == y.reason);
    CHECK(x.recreates_load_balancer == y.recreates_load_balancer);
    CHECK(x.body == y.body);
    CHECK(x.remove_paths == y.remove_paths);
    CHECK(x.live_digest == y.live_digest);
    CHECK(x.live_uid == y.live_uid);
  }
  REQUIRE(a.foreign_routes.size() == b.foreign_routes.size());
  for (size_t i = 0; i < a.foreign_routes.size(); ++i) {
    CHECK(a.foreign_routes[i].ns == b.foreign_routes[i].ns);
    CHECK(a.foreign_routes[i].name == b.foreign_routes[i].name);
    CHECK(a.foreign_routes[i].hostnames == b.foreign_routes[i].hostnames);
    CHECK(a.foreign_routes[i].hijacked == b.foreign_routes[i].hijacked);
  }
  REQUIRE(a.skipped_apps.size() == b.skipped_apps.size());
  for (size_t i = 0; i < a.skipped_apps.size(); ++i) {
    CHECK(a.skipped_apps[i].ns == b.skipped_apps[i].ns);
    CHECK(a.skipped_apps[i].name == b.skipped_apps[i].name);
    CHECK(a.skipped_apps[i].errors == b.skipped_apps[i].errors);
  }
  CHECK(a.warnings == b.warnings);
  CHECK(a.errors == b.errors);
  CHECK(a.targets == b.targets);
}

ResourceChange Resource(const std::string& kind, const std::string& ns, const std::string& name,
                        Action action, const std::string& live_digest) {
  ResourceChange resource;
  resource.key = ObjectKey{"gateway.networking.k8s.io/v1", kind, ns, name};
  resource.action = action;
  resource.live_digest = live_digest;
  if (!live_digest.empty()) {
    resource.live_uid = "uid-" + name;
    resource.before = {{"spec", {{"name", name}, {"live", true}}}};
  }
  if (action != Action::kDelete) {
    resource.after = {{"spec", {{"name", name}, {"live", false}}}};
  }
  if (action == Action::kCreate || action == Action::kUpdate || action == Action::kReplace) {
    resource.body = resource.after;
    resource.body["apiVersion"] = resource.key.api_version;
    resource.body["kind"] = kind;
    resource.body["metadata"] = {{"name", name}, {"namespace", ns}};
  }
  return resource;
}

// Every field set, with values that test the encoding: Unicode, floats, big numbers, empty
// objects, strings that look like JSON, a cluster-scoped object.
Plan FullPlan() {
  Plan plan;
  plan.origin = {"0.1.0",
                 "do-nyc1-prod",
                 "https://a.example:6443",
                 "identity-x",
                 "7",
                 "https://starbase.example/states/prod?rev=7",
                 "sha256:abc",
                 "2025-03-01T12:00:00+01:00"};
  ResourceChange update = Resource("HTTPRoute", "tenant-a", "shop", Action::kUpdate, "sha256:d1");
  update.before["spec"]["weights"] = {0.25, 1e-300, 18446744073709551615ull, -3};
  update.after["spec"]["title"] = "Boutique \xc3\xa9t\xc3\xa9 \xe2\x98\x83 \"quoted\" {\"a\":1}";
  update.after["spec"]["empty"] = json::object();
  update.changes = {
      {FieldChange::Op::kModify, "spec.live", true, false, "kubectl-edit"},
      {FieldChange::Op::kAdd, "spec.title", nullptr, update.after["spec"]["title"], ""},
      {FieldChange::Op::kRemove, "spec.weights", update.before["spec"]["weights"], nullptr, ""},
  };
  update.unchanged_fields = 123456789;
  update.adopt = true;
  update.remove_paths = {"spec.weights", "metadata.annotations[\"x\"]"};
  update.recreates_load_balancer = "A new public IP.";
  plan.resources.push_back(update);
  ResourceChange replace =
      Resource("Gateway", "starform-system", "starform", Action::kReplace, "sha256:d2");
  replace.reason = "spec.gatewayClassName: field is immutable";
  replace.changes = {{FieldChange::Op::kModify, "spec.gatewayClassName", "a", "b", ""}};
  plan.resources.push_back(replace);
  plan.resources.push_back(Resource("GatewayClass", "", "eg", Action::kNoOp, "sha256:d3"));
  plan.resources.push_back(Resource("HTTPRoute", "tenant-b", "new", Action::kCreate, ""));
  ResourceChange del = Resource("HTTPRoute", "tenant-b", "old", Action::kDelete, "sha256:d5");
  del.reason = "no longer desired";
  plan.resources.push_back(del);
  plan.foreign_routes = {{"tenant-c", "x", {"a.example", "b.example"}, {"a.example"}},
                         {"tenant-d", "y", {}, {}}};
  plan.skipped_apps = {{"tenant-e", "blog", {"f.yaml:1:2: apps[0]: bad"}}, {"tenant-f", "z", {}}};
  plan.warnings = {"w1", "w2"};
  plan.errors = {"e1"};
  plan.targets = {"HTTPRoute/tenant-a/shop"};
  return plan;
}

Plan RoundTrip(const Plan& plan) {
  Plan read;
  std::string error;
  // Through the bytes of a file, as plan --out and apply use it.
  json document = json::parse(PlanFileDocument(plan).dump(4));
  bool ok = ReadPlanFileDocument(document, &read, &error);
  INFO(error);
  REQUIRE(ok);
  CHECK(error.empty());
  return read;
}

json ReadGolden(const std::string& name) {
  std::ifstream in(kGolden / name, std::ios::binary);
  REQUIRE(in);
  return json::parse(in);
}

// The error ReadPlanFileDocument gives for |document| (and that it leaves the plan alone).
std::string ErrorOf(const json& document) {
  Plan plan;
  plan.warnings = {"untouched"};
  std::string error;
  CHECK_FALSE(ReadPlanFileDocument(document, &plan, &error));
  CHECK(plan.warnings == std::vector<std::string>{"untouched"});
  CHECK(plan.resources.empty());
  return error;
}

// FullPlan's document changed by |edit|.
json Edited(const std::function<void(json&)>& edit) {
  json document = PlanFileDocument(FullPlan());
  edit(document);
  return document;
}

TEST_CASE("a saved plan reads back into an equal plan") {
  Plan plan = FullPlan();
  CheckEqual(RoundTrip(plan), plan);
  CheckEqual(RoundTrip(Plan{}), Plan{});
  Plan origin_only;
  origin_only.origin = plan.origin;
  CheckEqual(RoundTrip(origin_only), origin_only);
}

TEST_CASE("a saved plan reads back into the same document") {
  Plan plan = FullPlan();
  CHECK(PlanFileDocument(RoundTrip(plan)) == PlanFileDocument(plan));
  CHECK(PlanToJson(RoundTrip(plan)) == PlanToJson(plan));
}

TEST_CASE("the golden saved plans still read, and write back byte for byte") {
  for (const char* name : {"every-action.planfile.json", "no-changes.planfile.json"}) {
    INFO(name);
    json golden = ReadGolden(name);
    Plan plan;
    std::string error;
    REQUIRE(ReadPlanFileDocument(golden, &plan, &error));
    CHECK(PlanFileDocument(plan).dump(4) == golden.dump(4));
  }
  json golden = ReadGolden("every-action.planfile.json");
  Plan plan;
  std::string error;
  REQUIRE(ReadPlanFileDocument(golden, &plan, &error));
  REQUIRE(plan.resources.size() == 6);
  CHECK(plan.resources[0].action == Action::kReplace);
  CHECK(plan.resources[3].action == Action::kCreate);
  CHECK(plan.resources[3].live_digest.empty());
  CHECK(plan.resources[5].action == Action::kDelete);
  CHECK(plan.resources[1].changes[0].drift_manager == "kubectl-edit");
}

TEST_CASE("a plan's -o json output is not a saved plan") {
  CHECK(ErrorOf(ReadGolden("every-action.json")) ==
        "apply: missing (this is a plan's -o json output, not a saved plan: save one with plan "
        "--out)");
  CHECK(ErrorOf(PlanToJson(FullPlan())) ==
        "apply: missing (this is a plan's -o json output, not a saved plan: save one with plan "
        "--out)");
}

TEST_CASE("format_version: minor versions read, other majors are refused") {
  Plan plan;
  std::string error;
  json newer_minor = Edited([](json& d) {
    d["format_version"] = "1.7";
    d["added_in_1_7"] = {{"anything", true}};
    d["resource_changes"][0]["also_new"] = 1;
    d["apply"]["resources"][0]["new_apply_field"] = "x";
  });
  CHECK(ReadPlanFileDocument(newer_minor, &plan, &error));
  CheckEqual(plan, FullPlan());

  CHECK(ErrorOf(Edited([](json& d) { d["format_version"] = "2.0"; })) ==
        "format_version: \"2.0\" is not supported (this kubectl-starform reads 1.x, the newest "
        "being 1.0)");
  CHECK(ErrorOf(Edited([](json& d) { d["format_version"] = "0.9"; })) ==
        "format_version: \"0.9\" is not supported (this kubectl-starform reads 1.x, the newest "
        "being 1.0)");
  CHECK(ErrorOf(Edited([](json& d) { d["format_version"] = "one"; })) ==
        "format_version: \"one\" is not a version (expected \"MAJOR.MINOR\")");
  CHECK(ErrorOf(Edited([](json& d) { d["format_version"] = "1"; })) ==
        "format_version: \"1\" is not a version (expected \"MAJOR.MINOR\")");
  CHECK(ErrorOf(Edited([](json& d) { d["format_version"] = 1.0; })) ==
        "format_version: expected a string, got number");
  CHECK(ErrorOf(Edited([](json& d) { d.erase("format_version"); })) ==
        "format_version: missing (not a kubectl-starform plan document?)");
  CHECK(ErrorOf(json{{"apiVersion", "v1"}, {"kind", "List"}, {"items", json::array()}}) ==
        "format_version: missing (not a kubectl-starform plan document?)");
}

TEST_CASE("malformed saved plans are refused with the path of what is wrong") {
  struct Case {
    std::function<void(json&)> edit;
    std::string error;
  };
  std::vector<Case> cases = {
      {[](json& d) { d.erase("tool_version"); }, "tool_version: missing"},
      {[](json& d) { d["origin"] = "x"; }, "origin: expected an object, got string"},
      {[](json& d) { d["origin"].erase("cluster_identity"); }, "origin.cluster_identity: missing"},
      {[](json& d) { d["origin"]["server"] = nullptr; },
       "origin.server: expected a string, got null"},
      {[](json& d) { d.erase("resource_changes"); }, "resource_changes: missing"},
      {[](json& d) { d["resource_changes"] = json::object(); },
       "resource_changes: expected an array, got object"},
      {[](json& d) { d["resource_changes"][3] = 7; },
       "resource_changes[3]: expected an object, got number"},
      {[](json& d) { d["resource_changes"][3].erase("address"); },
       "resource_changes[3].address: missing"},
      {[](json& d) { d["resource_changes"][1]["address"] = "httproute tenant-a/shop"; },
       "resource_changes[1].address: \"httproute tenant-a/shop\" does not match its kind, "
       "namespace and name (\"gateway starform-system/starform\")"},
      {[](json& d) { d["resource_changes"][2]["namespace"] = nullptr; },
       "resource_changes[2].namespace: expected a string, got null"},
      {[](json& d) { d["resource_changes"][0]["actions"] = "update"; },
       "resource_changes[0].actions: expected an array, got string"},
      {[](json& d) {
         d["resource_changes"][0]["actions"] = {"create", "delete"};
       },
       "resource_changes[0].actions: [\"create\",\"delete\"] is not an action (expected "
       "[\"no-op\"], [\"create\"], [\"update\"], [\"delete\"] or [\"delete\",\"create\"])"},
      {[](json& d) {
         d["resource_changes"][0]["actions"] = {"update", 3};
       },
       "resource_changes[0].actions[1]: expected a string, got number"},
      {[](json& d) { d["resource_changes"][0].erase("before"); },
       "resource_changes[0].before: missing"},
      {[](json& d) { d["resource_changes"][0]["changes"][2].erase("after"); },
       "resource_changes[0].changes[2].after: missing"},
      {[](json& d) { d["resource_changes"][0]["changes"][1]["op"] = "rename"; },
       "resource_changes[0].changes[1].op: \"rename\" is not an op (expected add, remove or "
       "modify)"},
      {[](json& d) { d["resource_changes"][0]["changes"][0]["drift_manager"] = nullptr; },
       "resource_changes[0].changes[0].drift_manager: expected a string, got null"},
      {[](json& d) { d["resource_changes"][0]["unchanged_fields"] = -1; },
       "resource_changes[0].unchanged_fields: expected a non-negative integer, got -1"},
      {[](json& d) { d["resource_changes"][0]["unchanged_fields"] = 2.5; },
       "resource_changes[0].unchanged_fields: expected a non-negative integer, got 2.5"},
      {[](json& d) { d["resource_changes"][0]["unchanged_fields"] = "3"; },
       "resource_changes[0].unchanged_fields: expected a non-negative integer, got string"},
      {[](json& d) { d["resource_changes"][0]["adopt"] = "yes"; },
       "resource_changes[0].adopt: expected a boolean, got string"},
      {[](json& d) { d["resource_changes"][4]["reason"] = 1; },
       "resource_changes[4].reason: expected a string or null, got number"},
      {[](json& d) { d["resource_changes"][4].erase("recreates_load_balancer"); },
       "resource_changes[4].recreates_load_balancer: missing"},
      {[](json& d) {
         d["resource_changes"][4] = d["resource_changes"][0];
         d["apply"]["resources"][4] = d["apply"]["resources"][0];
       },
       "resource_changes[4]: httproute tenant-a/shop appears twice (also resource_changes[0])"},
      {[](json& d) { d["foreign_routes"][1].erase("hijacked"); },
       "foreign_routes[1].hijacked: missing"},
      {[](json& d) { d["foreign_routes"][0]["hostnames"][1] = false; },
       "foreign_routes[0].hostnames[1]: expected a string, got boolean"},
      {[](json& d) { d["skipped_apps"][0]["errors"] = nullptr; },
       "skipped_apps[0].errors: expected an array, got null"},
      {[](json& d) { d.erase("targets"); }, "targets: missing"},
      {[](json& d) {
         d["warnings"] = {"fine", {{"not", "a string"}}};
       },
       "warnings[1]: expected a string, got object"},
      {[](json& d) { d["apply"] = json::array(); }, "apply: expected an object, got array"},
      {[](json& d) { d["apply"].erase("resources"); }, "apply.resources: missing"},
      {[](json& d) { d["apply"]["resources"].erase(4); },
       "apply.resources: 4 entries for 5 resource_changes"},
      {[](json& d) { std::swap(d["apply"]["resources"][0], d["apply"]["resources"][1]); },
       "apply.resources[0].address: \"gateway starform-system/starform\" does not match "
       "resource_changes[0] (\"httproute tenant-a/shop\")"},
      {[](json& d) { d["apply"]["resources"][3].erase("live_digest"); },
       "apply.resources[3].live_digest: missing"},
      {[](json& d) { d["apply"]["resources"][0]["live_digest"] = 5; },
       "apply.resources[0].live_digest: expected a string or null, got number"},
      {[](json& d) { d["apply"]["resources"][1]["live_uid"] = json::array(); },
       "apply.resources[1].live_uid: expected a string or null, got array"},
      {[](json& d) { d["apply"]["resources"][0]["remove_paths"] = "spec"; },
       "apply.resources[0].remove_paths: expected an array, got string"},
      {[](json& d) { d["apply"]["resources"][3]["body"] = nullptr; },
       "apply.resources[3].body: expected an object (the body to apply for a create), got null"},
      {[](json& d) { d["apply"]["resources"][1].erase("body"); },
       "apply.resources[1].body: missing"},
  };
  for (const Case& c : cases) {
    CHECK(ErrorOf(Edited(c.edit)) == c.error);
  }
  CHECK(ErrorOf(json::array()) == "expected a JSON object at the top level, got array");
  CHECK(ErrorOf(json()) == "expected a JSON object at the top level, got null");
}

// Each object of FullPlan as the plan saw it.
LiveDigests AsPlanned(const Plan& plan) {
  LiveDigests now;
  for (const ResourceChange& resource : plan.resources) {
    if (!resource.live_digest.empty())
      now[resource.key] = resource.live_digest;
  }
  return now;
}

TEST_CASE("a saved plan holds while the cluster has not moved on") {
  Plan plan = FullPlan();
  CHECK(StaleReasons(plan, "https://a.example:6443", "identity-x", AsPlanned(plan)).empty());
  // Absent objects may also be listed as nullopt.
  LiveDigests now = AsPlanned(plan);
  now[plan.resources[3].key] = std::nullopt;
  CHECK(StaleReasons(plan, "https://a.example:6443", "identity-x", now).empty());
  // Objects the plan does not know are the caller's business.
  now[ObjectKey{"v1", "Service", "x", "y"}] = "sha256:zz";
  CHECK(StaleReasons(plan, "https://a.example:6443", "identity-x", now).empty());
  CHECK(StaleReasons(Plan{}, "", "", {}).empty());
}

TEST_CASE("a saved plan for another cluster is refused, naming both") {
  Plan plan = FullPlan();
  CHECK(StaleReasons(plan, "https://b.example:6443", "identity-x", AsPlanned(plan)) ==
        std::vector<std::string>{
            "Saved plan was made for the cluster at https://a.example:6443 (identity "
            "identity-x), but the current context points at https://b.example:6443 (identity "
            "identity-x)"});
  // The same URL in front of another cluster: the objects are irrelevant then.
  CHECK(StaleReasons(plan, "https://a.example:6443", "identity-y", {}) ==
        std::vector<std::string>{
            "Saved plan was made for the cluster at https://a.example:6443 (identity "
            "identity-x), but the current context points at https://a.example:6443 (identity "
            "identity-y)"});
}

TEST_CASE("a saved plan is stale when an object changed, appeared or disappeared") {
  Plan plan = FullPlan();
  const std::string server = "https://a.example:6443";
  LiveDigests now = AsPlanned(plan);

  now[plan.resources[0].key] = "sha256:other";
  CHECK(StaleReasons(plan, server, "identity-x", now) ==
        std::vector<std::string>{
            "Saved plan is stale: httproute tenant-a/shop changed since the plan was made"});

  now = AsPlanned(plan);
  now[plan.resources[3].key] = "sha256:someone-made-it";
  CHECK(StaleReasons(plan, server, "identity-x", now) ==
        std::vector<std::string>{
            "Saved plan is stale: httproute tenant-b/new was created since the plan was made"});

  now = AsPlanned(plan);
  now.erase(plan.resources[4].key);
  CHECK(StaleReasons(plan, server, "identity-x", now) ==
        std::vector<std::string>{
            "Saved plan is stale: httproute tenant-b/old was deleted since the plan was made"});
  now[plan.resources[4].key] = std::nullopt;
  CHECK(StaleReasons(plan, server, "identity-x", now).size() == 1);

  // Unchanged objects count too, and every reason is given, in plan order.
  now = AsPlanned(plan);
  now[plan.resources[2].key] = "sha256:edited";
  now[plan.resources[3].key] = "sha256:new";
  now.erase(plan.resources[1].key);
  CHECK(StaleReasons(plan, server, "identity-x", now) ==
        std::vector<std::string>{
            "Saved plan is stale: gateway starform-system/starform was deleted since the plan was "
            "made",
            "Saved plan is stale: gatewayclass eg changed since the plan was made",
            "Saved plan is stale: httproute tenant-b/new was created since the plan was made"});
}

TEST_CASE("staleness survives the saved plan's round trip") {
  Plan plan = RoundTrip(FullPlan());
  CHECK(StaleReasons(plan, "https://a.example:6443", "identity-x", AsPlanned(FullPlan())).empty());
  LiveDigests now = AsPlanned(FullPlan());
  now[plan.resources[0].key] = "sha256:other";
  CHECK(StaleReasons(plan, "https://a.example:6443", "identity-x", now).size() == 1);
}

}  // namespace
}  // namespace starform
