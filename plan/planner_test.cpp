// Tests of the planner (plan/planner.h) on hand-built rendered objects and live states: which
// action each object gets, drift, pruning and its order, adoption, targets, frozen apps, the
// dry-run confirmation, load-balancer warnings, hostname hijacks, --target parsing and the
// cluster guard.

#include "plan/planner.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "plan/diff.h"
#include "plan/render.h"

namespace starform {
namespace {

using nlohmann::json;

constexpr const char* kGatewayApi = "gateway.networking.k8s.io/v1";
constexpr const char* kEnvoyGatewayApi = "gateway.envoyproxy.io/v1alpha1";
constexpr const char* kGatewayNs = "starform-system";

json OwnedLabels() {
  return {{kApplySetPartOfLabel, ApplySetId()}, {kManagedByLabel, kManagedByValue}};
}

json Object(const std::string& api_version, const std::string& kind, const std::string& ns,
            const std::string& name, json spec) {
  return {{"apiVersion", api_version},
          {"kind", kind},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", OwnedLabels()}}},
          {"spec", std::move(spec)}};
}

json Listener(const std::string& name, int port) {
  return {{"name", name}, {"port", port}, {"protocol", "HTTP"}};
}

json EnvoyProxy(const std::string& name = "starform") {
  return Object(
      kEnvoyGatewayApi, "EnvoyProxy", kGatewayNs, name,
      {{"provider",
        {{"type", "Kubernetes"}, {"kubernetes", {{"envoyService", {{"type", "LoadBalancer"}}}}}}}});
}

json Gateway(const std::string& name = "starform", json listeners = json()) {
  if (listeners.is_null())
    listeners = json::array({Listener("http", 80)});
  return Object(kGatewayApi, "Gateway", kGatewayNs, name,
                {{"gatewayClassName", "eg"},
                 {"infrastructure",
                  {{"parametersRef",
                    {{"group", "gateway.envoyproxy.io"}, {"kind", "EnvoyProxy"}, {"name", name}}}}},
                 {"listeners", std::move(listeners)}});
}

json IdentityPolicy() {
  json target = {{"group", "gateway.networking.k8s.io"}, {"kind", "Gateway"}, {"name", "starform"}};
  json prefix = {{"type", "Prefix"}, {"value", "x-starform-"}};
  json spec = json::object();
  spec["targetRefs"] = json::array({target});
  spec["headers"]["earlyRequestHeaders"]["removeOnMatch"] = json::array({prefix});
  return Object(kEnvoyGatewayApi, "ClientTrafficPolicy", kGatewayNs, "starform-identity-headers",
                spec);
}

json Grant(const std::string& ns, const std::string& name) {
  return Object("gateway.networking.k8s.io/v1beta1", "ReferenceGrant", ns, name,
                {{"from",
                  {{{"group", "gateway.envoyproxy.io"},
                    {"kind", "SecurityPolicy"},
                    {"namespace", "tenant-a"}}}},
                 {"to", {{{"group", ""}, {"kind", "Service"}}}}});
}

json SecurityPolicy(const std::string& ns, const std::string& name) {
  json target = {{"group", "gateway.networking.k8s.io"}, {"kind", "HTTPRoute"}, {"name", name}};
  json provider = {{"name", "auth0"},
                   {"remoteJWKS", {{"uri", "https://auth.example.com/.well-known/jwks.json"}}}};
  json spec = json::object();
  spec["targetRefs"] = json::array({target});
  spec["jwt"]["providers"] = json::array({provider});
  return Object(kEnvoyGatewayApi, "SecurityPolicy", ns, name, spec);
}

json Route(const std::string& ns, const std::string& name, json hostnames, int port = 8080) {
  return Object(kGatewayApi, "HTTPRoute", ns, name,
                {{"parentRefs",
                  {{{"group", "gateway.networking.k8s.io"},
                    {"kind", "Gateway"},
                    {"name", "starform"},
                    {"namespace", kGatewayNs}}}},
                 {"hostnames", std::move(hostnames)},
                 {"rules",
                  {{{"matches", {{{"path", {{"type", "PathPrefix"}, {"value", "/"}}}}}},
                    {"backendRefs",
                     {{{"group", ""},
                       {"kind", "Service"},
                       {"name", name},
                       {"port", port},
                       {"weight", 1}}}}}}}});
}

ObjectKey KeyOf(const json& object) {
  return {object["apiVersion"].get<std::string>(), object["kind"].get<std::string>(),
          object["metadata"]["namespace"].get<std::string>(),
          object["metadata"]["name"].get<std::string>()};
}

// The fieldsV1 of a manager that set all of |value|: maps field by field, lists of uniquely named
// items by key, other lists atomically.
json FieldsV1(const json& value) {
  json fields = json::object();
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it)
      fields["f:" + it.key()] = FieldsV1(it.value());
    return fields;
  }
  if (value.is_array() && !value.empty()) {
    std::set<std::string> names;
    for (const json& item : value)
      if (item.is_object() && item.contains("name") && item["name"].is_string())
        names.insert(item["name"].get<std::string>());
    if (names.size() != value.size())
      return fields;
    for (const json& item : value) {
      json node = FieldsV1(item);
      node["."] = json::object();
      fields["k:" + json{{"name", item["name"]}}.dump()] = std::move(node);
    }
  }
  return fields;
}

json ManagedEntry(const std::string& manager, const std::string& operation, json fields_v1) {
  return {{"manager", manager},       {"operation", operation},
          {"apiVersion", "v1"},       {"time", "2025-05-01T10:00:00Z"},
          {"fieldsType", "FieldsV1"}, {"fieldsV1", std::move(fields_v1)}};
}

// starform's Apply entry for |object|: its labels and annotations, and all of its spec.
json StarformEntry(const json& object) {
  json metadata = json::object();
  if (object["metadata"].contains("labels"))
    metadata["f:labels"] = FieldsV1(object["metadata"]["labels"]);
  if (object["metadata"].contains("annotations"))
    metadata["f:annotations"] = FieldsV1(object["metadata"]["annotations"]);
  return ManagedEntry("starform", "Apply",
                      {{"f:metadata", std::move(metadata)}, {"f:spec", FieldsV1(object["spec"])}});
}

// |object| as served: uid, resourceVersion, managedFields (starform's by default), status.
json Served(json object, json managed_fields = json()) {
  if (managed_fields.is_null())
    managed_fields = json::array({StarformEntry(object)});
  const std::string name = object["metadata"]["name"].get<std::string>();
  object["metadata"]["uid"] = "uid-" + name;
  object["metadata"]["resourceVersion"] = "1001";
  object["metadata"]["creationTimestamp"] = "2025-05-01T10:00:00Z";
  object["metadata"]["managedFields"] = std::move(managed_fields);
  object["status"] = {{"conditions", {{{"type", "Accepted"}, {"status", "True"}}}}};
  return object;
}

LiveState Live(const std::vector<json>& served) {
  LiveState state;
  for (const json& object : served) {
    LiveObject live = KeepForPlan(object);
    state.objects[live.key] = std::move(live);
  }
  return state;
}

const ResourceChange* Find(const Plan& plan, const std::string& kind, const std::string& ns,
                           const std::string& name) {
  for (const ResourceChange& change : plan.resources)
    if (change.key.kind == kind && change.key.ns == ns && change.key.name == name)
      return &change;
  return nullptr;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool AnyContains(const std::vector<std::string>& texts, const std::string& part) {
  return std::any_of(texts.begin(), texts.end(),
                     [&](const std::string& text) { return Contains(text, part); });
}

std::vector<std::string> Addresses(const Plan& plan) {
  std::vector<std::string> out;
  for (const ResourceChange& change : plan.resources)
    out.push_back(std::string(ActionName(change.action)) + " " + change.key.Address());
  return out;
}

TEST_CASE("planner: objects that do not exist are created, in render order") {
  std::vector<json> desired = {EnvoyProxy(), Gateway(), IdentityPolicy()};
  Planner planner(desired, LiveState{}, PlanOptions{});
  const Plan& draft = planner.draft();
  CHECK(draft.errors.empty());
  REQUIRE(draft.resources.size() == 3);
  CHECK(Addresses(draft) ==
        std::vector<std::string>{
            "create envoyproxy starform-system/starform",
            "create gateway starform-system/starform",
            "create clienttrafficpolicy starform-system/starform-identity-headers",
        });
  const ResourceChange& gateway = draft.resources[1];
  CHECK(gateway.key == KeyOf(desired[1]));
  CHECK(gateway.before.is_null());
  CHECK(gateway.after ==
        json{{"metadata", {{"labels", OwnedLabels()}}}, {"spec", desired[1]["spec"]}});
  CHECK(gateway.body == desired[1]);
  CHECK(gateway.changes.empty());
  CHECK(gateway.live_digest.empty());
  CHECK(gateway.live_uid.empty());
  CHECK(planner.ToConfirm() == std::vector<size_t>{0, 1, 2});
  CHECK(planner.Body(1) == desired[1]);
}

TEST_CASE("planner: an owned object equal to the desired one is a no-op") {
  std::vector<json> desired = {Gateway(), Route("tenant-a", "shop", {"shop.example.com"})};
  json served_gateway = Served(desired[0]);
  // What other managers and the server add is none of starform's business: a label and an
  // annotation of another manager, and a server default set by no manager.
  served_gateway["metadata"]["labels"]["team"] = "edge";
  served_gateway["metadata"]["annotations"] = {{"kubectl.kubernetes.io/restartedAt", "now"}};
  served_gateway["metadata"]["managedFields"].push_back(ManagedEntry(
      "kubectl-label", "Update",
      {{"f:metadata",
        {{"f:labels", {{"f:team", json::object()}}},
         {"f:annotations", {{"f:kubectl.kubernetes.io/restartedAt", json::object()}}}}}}));
  served_gateway["spec"]["listeners"][0]["allowedRoutes"] = {{"namespaces", {{"from", "Same"}}}};
  std::vector<json> served = {served_gateway, Served(desired[1])};
  LiveState live = Live(served);

  Planner planner(desired, live, PlanOptions{});
  const Plan& draft = planner.draft();
  CHECK(draft.errors.empty());
  REQUIRE(draft.resources.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    const ResourceChange& change = draft.resources[i];
    INFO(change.key.Address());
    CHECK(change.action == Action::kNoOp);
    CHECK(change.changes.empty());
    CHECK(change.adopt == false);
    CHECK(change.live_uid == "uid-" + desired[i]["metadata"]["name"].get<std::string>());
    CHECK(change.live_digest == LiveContentDigest(live.objects.at(KeyOf(desired[i]))));
    // Every leaf of the desired labels and spec was compared and found equal.
    CHECK(change.unchanged_fields ==
          CountLeaves(desired[i]["metadata"]["labels"]) + CountLeaves(desired[i]["spec"]));
    CHECK(change.unchanged_fields > 5);
    CHECK(change.remove_paths.empty());
    // A no-op keeps neither its views nor a body: a converged layer's plan stays small.
    CHECK(change.before.is_null());
    CHECK(change.after.is_null());
    CHECK(change.body.is_null());
  }
  CHECK(planner.ToConfirm().empty());
  Plan plan = planner.Finish(PlanOrigin{});
  CHECK_FALSE(plan.HasChanges());
  CHECK(plan.warnings.empty());
}

TEST_CASE("planner: a changed field is an update of that field") {
  json desired = Gateway("starform", json::array({Listener("http", 8080)}));
  LiveState live = Live({Served(Gateway())});
  Planner planner({desired}, live, PlanOptions{});
  const Plan& draft = planner.draft();
  REQUIRE(draft.resources.size() == 1);
  const ResourceChange& change = draft.resources[0];
  CHECK(change.action == Action::kUpdate);
  REQUIRE(change.changes.size() == 1);
  CHECK(change.changes[0].op == FieldChange::Op::kModify);
  CHECK(change.changes[0].path == "spec.listeners[name=\"http\"].port");
  CHECK(change.changes[0].before == 80);
  CHECK(change.changes[0].after == 8080);
  CHECK(change.changes[0].drift_manager.empty());
  CHECK(change.remove_paths.empty());
  CHECK(change.body == desired);
  CHECK(change.before["spec"]["listeners"][0]["port"] == 80);
  CHECK(change.after["spec"]["listeners"][0]["port"] == 8080);
  CHECK(planner.ToConfirm() == std::vector<size_t>{0});
}

TEST_CASE("planner: fields another manager added are drift, named and to be removed") {
  SECTION("an extra Gateway listener") {
    json desired = Gateway();
    json served = Served(desired);
    served["spec"]["listeners"].push_back(Listener("extra", 8081));
    served["metadata"]["managedFields"].push_back(
        ManagedEntry("kubectl-edit", "Update",
                     {{"f:spec",
                       {{"f:listeners",
                         {{"k:{\"name\":\"extra\"}",
                           {{".", json::object()},
                            {"f:name", json::object()},
                            {"f:port", json::object()},
                            {"f:protocol", json::object()}}}}}}}}));
    Planner planner({desired}, Live({served}), PlanOptions{});
    const ResourceChange& change = planner.draft().resources.at(0);
    CHECK(change.action == Action::kUpdate);
    REQUIRE(change.changes.size() == 1);
    CHECK(change.changes[0].op == FieldChange::Op::kRemove);
    CHECK(change.changes[0].path == "spec.listeners[name=\"extra\"]");
    CHECK(change.changes[0].drift_manager == "kubectl-edit");
    CHECK(change.remove_paths == std::vector<std::string>{"spec.listeners[name=\"extra\"]"});
  }
  SECTION("headers added to the identity ClientTrafficPolicy") {
    json desired = IdentityPolicy();
    json served = Served(desired);
    served["spec"]["headers"]["earlyRequestHeaders"]["add"] = {
        {{"name", "X-Starform-User-ID"}, {"value", "admin"}}};
    served["metadata"]["managedFields"].push_back(ManagedEntry(
        "kubectl-edit", "Update",
        {{"f:spec", {{"f:headers", {{"f:earlyRequestHeaders", {{"f:add", json::object()}}}}}}}}));
    Planner planner({desired}, Live({served}), PlanOptions{});
    const ResourceChange& change = planner.draft().resources.at(0);
    CHECK(change.action == Action::kUpdate);
    REQUIRE(change.changes.size() == 1);
    CHECK(change.changes[0].op == FieldChange::Op::kRemove);
    CHECK(change.changes[0].path == "spec.headers.earlyRequestHeaders.add");
    CHECK(change.changes[0].drift_manager == "kubectl-edit");
    CHECK(change.remove_paths == std::vector<std::string>{"spec.headers.earlyRequestHeaders.add"});
  }
  SECTION("a value another manager changed") {
    json desired = Gateway();
    json served = Served(desired);
    served["spec"]["gatewayClassName"] = "other";
    json entry = StarformEntry(desired);
    entry["fieldsV1"]["f:spec"].erase("f:gatewayClassName");
    served["metadata"]["managedFields"] = {
        entry, ManagedEntry("kubectl-edit", "Update",
                            {{"f:spec", {{"f:gatewayClassName", json::object()}}}})};
    Planner planner({desired}, Live({served}), PlanOptions{});
    const ResourceChange& change = planner.draft().resources.at(0);
    CHECK(change.action == Action::kUpdate);
    REQUIRE(change.changes.size() == 1);
    CHECK(change.changes[0].op == FieldChange::Op::kModify);
    CHECK(change.changes[0].path == "spec.gatewayClassName");
    CHECK(change.changes[0].drift_manager == "kubectl-edit");
    CHECK(change.remove_paths.empty());  // a modify is applied, not removed
  }
}

TEST_CASE("planner: a filter another manager added to an HTTPRoute rule is drift") {
  json desired = Route("tenant-a", "shop", {"shop.example.com"});
  json served = Served(desired);
  json set_header = {{"name", "X-Starform-User-ID"}, {"value", "admin"}};
  served["spec"]["rules"][0]["filters"] =
      json::array({{{"type", "RequestHeaderModifier"},
                    {"requestHeaderModifier", {{"set", json::array({set_header})}}}}});
  json entry = StarformEntry(desired);
  entry["fieldsV1"]["f:spec"].erase("f:rules");
  served["metadata"]["managedFields"] = {
      entry, ManagedEntry("kubectl-edit", "Update", {{"f:spec", {{"f:rules", json::object()}}}})};
  Planner planner({desired}, Live({served}), PlanOptions{});
  const ResourceChange& change = planner.draft().resources.at(0);
  CHECK(change.action == Action::kUpdate);
  CHECK(planner.ToConfirm() == std::vector<size_t>{0});
  REQUIRE(change.changes.size() == 1);
  CHECK(change.changes[0].op == FieldChange::Op::kRemove);
  CHECK(change.changes[0].path == "spec.rules[0].filters");
  CHECK(change.changes[0].drift_manager == "kubectl-edit");
}

TEST_CASE("planner: a label starform stopped setting is removed and other labels are ignored") {
  json desired = Gateway();
  json old = desired;
  old["metadata"]["labels"]["starform.dev/tier"] = "edge";
  json served = Served(old);  // starform owns the old label
  served["metadata"]["labels"]["team"] = "payments";
  served["metadata"]["managedFields"].push_back(ManagedEntry(
      "kubectl-label", "Update", {{"f:metadata", {{"f:labels", {{"f:team", json::object()}}}}}}));
  Planner planner({desired}, Live({served}), PlanOptions{});
  const ResourceChange& change = planner.draft().resources.at(0);
  CHECK(change.action == Action::kUpdate);
  REQUIRE(change.changes.size() == 1);
  CHECK(change.changes[0].op == FieldChange::Op::kRemove);
  CHECK(change.changes[0].path == "metadata.labels[\"starform.dev/tier\"]");
  CHECK(change.changes[0].drift_manager.empty());
  CHECK(change.remove_paths.empty());  // apply drops starform's own fields by itself
}

TEST_CASE("planner: owned objects no longer desired are deleted last, dependents first") {
  std::vector<json> desired = {Route("tenant-b", "new", {"new.example.com"})};
  std::vector<json> served = {
      Served(EnvoyProxy("old")),
      Served(Gateway("old")),
      Served(IdentityPolicy()),
      Served(Grant("shared", "starform-tenant-a")),
      Served(SecurityPolicy("tenant-a", "shop")),
      Served(Route("tenant-a", "shop", {"shop.example.com"})),
      Served(Route("tenant-a", "blog", {"blog.example.com"})),
  };
  // Not starform's: another ApplySet's route, and a route without the label.
  json foreign = Served(Route("tenant-a", "theirs", {"theirs.example.com"}));
  foreign["metadata"]["labels"][kApplySetPartOfLabel] = "applyset-someone-else-v1";
  served.push_back(foreign);
  json unlabelled = Served(Route("tenant-a", "unlabelled", {"u.example.com"}));
  unlabelled["metadata"]["labels"].erase(kApplySetPartOfLabel);
  served.push_back(unlabelled);

  LiveState live = Live(served);
  Planner planner(desired, live, PlanOptions{});
  const Plan& draft = planner.draft();
  CHECK(draft.errors.empty());
  CHECK(Addresses(draft) ==
        std::vector<std::string>{
            "create httproute tenant-b/new",
            "delete httproute tenant-a/blog",
            "delete httproute tenant-a/shop",
            "delete securitypolicy tenant-a/shop",
            "delete referencegrant shared/starform-tenant-a",
            "delete clienttrafficpolicy starform-system/starform-identity-headers",
            "delete gateway starform-system/old",
            "delete envoyproxy starform-system/old",
        });
  for (const ResourceChange& change : draft.resources) {
    if (change.action != Action::kDelete)
      continue;
    INFO(change.key.Address());
    CHECK(change.reason == "no longer desired");
    CHECK(change.body.is_null());
    CHECK(change.after.is_null());
    CHECK(change.before.contains("spec"));
    CHECK(change.before["metadata"]["labels"] == OwnedLabels());
    CHECK(change.live_digest == LiveContentDigest(live.objects.at(change.key)));
    CHECK(change.live_uid == "uid-" + change.key.name);
  }
  CHECK(planner.ToConfirm() == std::vector<size_t>{0});
  PlanSummary summary = draft.Summary();
  CHECK(summary.add == 1);
  CHECK(summary.destroy == 7);
}

TEST_CASE("planner: an unowned object at a desired name needs --adopt") {
  json desired = Gateway();
  json served =
      Served(desired, json::array({ManagedEntry("kubectl-client-side-apply", "Update",
                                                {{"f:spec", FieldsV1(desired["spec"])}})}));
  served["metadata"].erase("labels");
  LiveState live = Live({served});

  SECTION("without it, a plan error and no change") {
    Planner planner({desired}, live, PlanOptions{});
    const Plan& draft = planner.draft();
    CHECK(draft.resources.empty());
    CHECK(draft.errors ==
          std::vector<std::string>{"gateway starform-system/starform exists but is not managed by "
                                   "starform (it lacks the label applyset.kubernetes.io/part-of=" +
                                   ApplySetId() + "): pass --adopt to take it over, or delete it"});
    CHECK(planner.ToConfirm().empty());
  }
  SECTION("with it, an adopting update") {
    PlanOptions options;
    options.adopt = true;
    Planner planner({desired}, live, options);
    const Plan& draft = planner.draft();
    CHECK(draft.errors.empty());
    REQUIRE(draft.resources.size() == 1);
    const ResourceChange& change = draft.resources[0];
    CHECK(change.adopt);
    CHECK(change.action == Action::kUpdate);
    CHECK(change.live_uid == "uid-starform");
    REQUIRE(change.changes.size() == 1);
    CHECK(change.changes[0].op == FieldChange::Op::kAdd);
    CHECK(change.changes[0].path == "metadata");
    CHECK(planner.ToConfirm() == std::vector<size_t>{0});

    // The dry run gives the object its labels; adoption stays an update.
    json result = Served(desired);
    planner.Confirm(0, DryRunOutcome{true, result, "", ""});
    CHECK(planner.draft().errors.empty());
    CHECK(planner.draft().resources[0].action == Action::kUpdate);
    CHECK(planner.draft().resources[0].adopt);
  }
}

TEST_CASE("planner: targets restrict the plan and warn") {
  std::vector<json> desired = {EnvoyProxy(), Gateway(),
                               Route("tenant-a", "shop", {"shop.example.com"}, 9090),
                               Route("tenant-a", "docs", {"docs.example.com"}, 9090)};
  std::vector<json> served = {Served(Route("tenant-a", "shop", {"shop.example.com"})),
                              Served(Route("tenant-a", "docs", {"docs.example.com"})),
                              Served(Route("tenant-a", "old", {"old.example.com"})),
                              Served(Route("tenant-a", "older", {"older.example.com"}))};
  PlanOptions options;
  options.targets = {ObjectKey{"", "HTTPRoute", "tenant-a", "shop"},
                     ObjectKey{"", "HTTPRoute", "tenant-a", "old"}};
  Planner planner(desired, Live(served), options);
  CHECK(Addresses(planner.draft()) == std::vector<std::string>{"update httproute tenant-a/shop",
                                                               "delete httproute tenant-a/old"});
  Plan plan = planner.Finish(PlanOrigin{});
  CHECK(plan.targets ==
        std::vector<std::string>{"HTTPRoute/tenant-a/shop", "HTTPRoute/tenant-a/old"});
  CHECK(plan.warnings ==
        std::vector<std::string>{
            "resource targeting is in effect: the plan may be incomplete, and objects outside the "
            "targets are neither compared nor pruned"});
}

TEST_CASE("planner: frozen objects are neither updated nor deleted") {
  std::vector<json> desired = {Gateway(), Route("tenant-a", "shop", {"shop.example.com"}, 9090),
                               Route("tenant-b", "blog", {"blog.example.com"}, 9090)};
  std::vector<json> served = {Served(Gateway()),
                              Served(Route("tenant-a", "shop", {"shop.example.com"})),
                              Served(Route("tenant-b", "blog", {"blog.example.com"})),
                              Served(SecurityPolicy("tenant-a", "shop"))};
  PlanOptions options;
  options.frozen = {{"HTTPRoute", "tenant-a", "shop"}, {"SecurityPolicy", "tenant-a", "shop"}};
  options.skipped_apps = {SkippedApp{"tenant-a", "shop", {"desired.yaml:3:4: apps[0]: bad"}}};
  Planner planner(desired, Live(served), options);
  const Plan& draft = planner.draft();
  CHECK(Addresses(draft) == std::vector<std::string>{"no-op gateway starform-system/starform",
                                                     "update httproute tenant-b/blog"});
  REQUIRE(draft.skipped_apps.size() == 1);
  CHECK(draft.skipped_apps[0].name == "shop");
  Plan plan = planner.Finish(PlanOrigin{});
  CHECK(plan.warnings.empty());
}

TEST_CASE("planner: a dry run equal to the live object confirms no change") {
  // starform used to set allowedRoutes; it no longer does, and the server defaults it back to the
  // very value it had.
  json desired = Gateway();
  json old = desired;
  old["spec"]["listeners"][0]["allowedRoutes"] = {{"namespaces", {{"from", "Same"}}}};
  json served = Served(old);
  Planner planner({desired}, Live({served}), PlanOptions{});
  REQUIRE(planner.ToConfirm() == std::vector<size_t>{0});
  const ResourceChange& draft = planner.draft().resources[0];
  CHECK(draft.action == Action::kUpdate);
  REQUIRE(draft.changes.size() == 1);
  CHECK(draft.changes[0].path == "spec.listeners[name=\"http\"].allowedRoutes");

  planner.Confirm(0, DryRunOutcome{true, served, "", ""});
  const ResourceChange& confirmed = planner.draft().resources[0];
  CHECK(planner.draft().errors.empty());
  CHECK(confirmed.action == Action::kNoOp);
  CHECK(confirmed.changes.empty());
  CHECK(confirmed.unchanged_fields ==
        CountLeaves(served["metadata"]["labels"]) + CountLeaves(served["spec"]));
  CHECK(confirmed.before.is_null());
  CHECK(confirmed.after.is_null());
  CHECK(confirmed.body.is_null());
}

TEST_CASE("planner: a confirmed update keeps the fields the dry run changes") {
  json desired = Gateway("starform", json::array({Listener("http", 8080)}));
  Planner planner({desired}, Live({Served(Gateway())}), PlanOptions{});
  json result = Served(desired);
  result["spec"]["listeners"][0]["allowedRoutes"] = {{"namespaces", {{"from", "Same"}}}};
  planner.Confirm(0, DryRunOutcome{true, result, "", ""});
  const ResourceChange& change = planner.draft().resources[0];
  CHECK(planner.draft().errors.empty());
  CHECK(change.action == Action::kUpdate);
  // Every difference of the dry-run result counts, the server default included.
  REQUIRE(change.changes.size() == 2);
  CHECK(change.changes[0].path == "spec.listeners[name=\"http\"].allowedRoutes");
  CHECK(change.changes[0].op == FieldChange::Op::kAdd);
  CHECK(change.changes[1].path == "spec.listeners[name=\"http\"].port");
  CHECK(change.changes[1].after == 8080);
  CHECK(change.after["spec"]["listeners"][0]["allowedRoutes"]["namespaces"]["from"] == "Same");
}

TEST_CASE("planner: drift stays planned through a dry run that keeps it") {
  // Server-side apply keeps the fields of other managers, so the dry-run result still has the
  // extra listener; the drift found on the client stays.
  json desired = Gateway();
  json served = Served(desired);
  served["spec"]["listeners"].push_back(Listener("extra", 8081));
  served["metadata"]["managedFields"].push_back(ManagedEntry(
      "kubectl-edit", "Update",
      {{"f:spec",
        {{"f:listeners", {{"k:{\"name\":\"extra\"}", FieldsV1(Listener("extra", 8081))}}}}}}));
  Planner planner({desired}, Live({served}), PlanOptions{});
  planner.Confirm(0, DryRunOutcome{true, served, "", ""});
  const ResourceChange& change = planner.draft().resources[0];
  CHECK(change.action == Action::kUpdate);
  REQUIRE(change.changes.size() == 1);
  CHECK(change.changes[0].op == FieldChange::Op::kRemove);
  CHECK(change.changes[0].path == "spec.listeners[name=\"extra\"]");
  CHECK(change.changes[0].drift_manager == "kubectl-edit");
  CHECK(change.remove_paths == std::vector<std::string>{"spec.listeners[name=\"extra\"]"});
}

TEST_CASE("planner: a rendered field the dry run drops is an error naming it and the versions") {
  json desired = Route("tenant-a", "shop", {"shop.example.com"});
  desired["spec"]["rules"][0]["timeouts"] = {{"request", "30s"}};
  json result = Served(Route("tenant-a", "shop", {"shop.example.com"}));  // no timeouts

  auto check = [](const Plan& draft) {
    REQUIRE(draft.errors.size() == 1);
    const std::string& error = draft.errors[0];
    INFO(error);
    CHECK(Contains(error, "httproute tenant-a/shop: "));
    CHECK(Contains(error, "spec.rules[0].timeouts.request"));
    CHECK(Contains(error, "Gateway API v1.4"));
    CHECK(Contains(error, "Envoy Gateway v1.7"));
  };
  SECTION("on a create") {
    Planner planner({desired}, LiveState{}, PlanOptions{});
    planner.Confirm(0, DryRunOutcome{true, result, "", ""});
    check(planner.draft());
  }
  SECTION("on an update") {
    Planner planner({desired}, Live({Served(Route("tenant-a", "shop", {"shop.example.com"}))}),
                    PlanOptions{});
    REQUIRE(planner.ToConfirm() == std::vector<size_t>{0});
    planner.Confirm(0, DryRunOutcome{true, result, "", ""});
    check(planner.draft());
  }
}

TEST_CASE("planner: an empty rendered object the server fills with defaults is not dropped") {
  json desired = IdentityPolicy();
  desired["spec"]["proxyProtocol"] = json::object();
  json result = Served(desired);
  result["spec"]["proxyProtocol"] = {{"optional", false}};
  Planner planner({desired}, LiveState{}, PlanOptions{});
  planner.Confirm(0, DryRunOutcome{true, result, "", ""});
  CHECK(planner.draft().errors.empty());
  CHECK(planner.draft().resources[0].action == Action::kCreate);
  CHECK(planner.draft().resources[0].after["spec"]["proxyProtocol"] == json{{"optional", false}});
}

TEST_CASE("planner: a filled empty object is not dropped when a sibling shares its prefix") {
  json desired = IdentityPolicy();
  desired["spec"]["x"] = json::object();
  desired["spec"]["x-y"] = 1;
  json result = Served(desired);
  result["spec"]["x"] = {{"a", true}};
  Planner planner({desired}, LiveState{}, PlanOptions{});
  planner.Confirm(0, DryRunOutcome{true, result, "", ""});
  CHECK(planner.draft().errors.empty());
}

TEST_CASE("planner: an immutable field makes a replacement") {
  json desired = Grant("shared", "starform-tenant-a");
  desired["spec"]["to"][0]["name"] = "authz";
  Planner planner({desired}, Live({Served(Grant("shared", "starform-tenant-a"))}), PlanOptions{});
  REQUIRE(planner.ToConfirm() == std::vector<size_t>{0});
  DryRunOutcome outcome;
  outcome.ok = false;
  outcome.error = "ReferenceGrant.gateway.networking.k8s.io \"starform-tenant-a\" is invalid";
  outcome.immutable = "spec.to: field is immutable";
  planner.Confirm(0, outcome);
  const Plan& draft = planner.draft();
  CHECK(draft.errors.empty());
  const ResourceChange& change = draft.resources[0];
  CHECK(change.action == Action::kReplace);
  CHECK(change.reason == "spec.to: field is immutable");
  CHECK_FALSE(change.changes.empty());
  PlanSummary summary = draft.Summary();
  CHECK(summary.add == 1);
  CHECK(summary.destroy == 1);
  CHECK(summary.change == 0);

  SECTION("but for an object to create, it is an error") {
    Planner create({desired}, LiveState{}, PlanOptions{});
    create.Confirm(0, outcome);
    CHECK(create.draft().resources[0].action == Action::kCreate);
    REQUIRE(create.draft().errors.size() == 1);
    CHECK(create.draft().errors[0] ==
          "referencegrant shared/starform-tenant-a: the server refused the planned change: " +
              outcome.error);
  }
}

TEST_CASE("planner: a refused dry run is a plan error") {
  json desired = Route("tenant-a", "shop", {"shop.example.com"}, 9090);
  Planner planner({desired}, Live({Served(Route("tenant-a", "shop", {"shop.example.com"}))}),
                  PlanOptions{});
  DryRunOutcome outcome;
  outcome.ok = false;
  outcome.error = "admission webhook \"validate.gateway.networking.k8s.io\" denied the request";
  planner.Confirm(0, outcome);
  const Plan& draft = planner.draft();
  CHECK(draft.errors == std::vector<std::string>{
                            "httproute tenant-a/shop: the server refused the planned change: "
                            "admission webhook \"validate.gateway.networking.k8s.io\" denied the "
                            "request"});
  CHECK(draft.resources[0].action == Action::kUpdate);
}

TEST_CASE("planner: deleting or renaming the Gateway recreates the load balancer") {
  SECTION("a Gateway deleted") {
    std::vector<json> desired = {EnvoyProxy()};
    Planner planner(desired, Live({Served(EnvoyProxy()), Served(Gateway())}), PlanOptions{});
    Plan plan = planner.Finish(PlanOrigin{});
    const ResourceChange* gateway = Find(plan, "Gateway", kGatewayNs, "starform");
    REQUIRE(gateway != nullptr);
    CHECK(gateway->action == Action::kDelete);
    CHECK(Contains(gateway->recreates_load_balancer, "deleting Gateway starform-system/starform"));
    CHECK(Contains(gateway->recreates_load_balancer, "load balancer"));
    CHECK(plan.warnings == std::vector<std::string>{
                               "gateway starform-system/starform recreates the load balancer: " +
                               gateway->recreates_load_balancer});
    CHECK(Find(plan, "EnvoyProxy", kGatewayNs, "starform")->recreates_load_balancer.empty());
  }
  SECTION("a Gateway renamed: the create is flagged too") {
    std::vector<json> desired = {EnvoyProxy(), Gateway("edge")};
    Planner planner(desired, Live({Served(EnvoyProxy()), Served(Gateway("starform"))}),
                    PlanOptions{});
    Plan plan = planner.Finish(PlanOrigin{});
    const ResourceChange* created = Find(plan, "Gateway", kGatewayNs, "edge");
    const ResourceChange* deleted = Find(plan, "Gateway", kGatewayNs, "starform");
    REQUIRE(created != nullptr);
    REQUIRE(deleted != nullptr);
    CHECK(created->action == Action::kCreate);
    CHECK(deleted->action == Action::kDelete);
    CHECK(Contains(created->recreates_load_balancer,
                   "Gateway starform-system/edge replaces starform-system/starform"));
    CHECK_FALSE(deleted->recreates_load_balancer.empty());
    CHECK(plan.warnings.size() == 2);
    CHECK(AnyContains(plan.warnings, "gateway starform-system/edge recreates the load balancer"));
  }
  SECTION("a Gateway updated in place is not flagged") {
    std::vector<json> desired = {Gateway("starform", json::array({Listener("http", 8080)}))};
    Plan plan = Planner(desired, Live({Served(Gateway())}), PlanOptions{}).Finish(PlanOrigin{});
    CHECK(plan.resources.at(0).action == Action::kUpdate);
    CHECK(plan.resources.at(0).recreates_load_balancer.empty());
    CHECK(plan.warnings.empty());
  }
  SECTION("a first Gateway created is not flagged") {
    Plan plan = Planner({EnvoyProxy(), Gateway()}, LiveState{}, PlanOptions{}).Finish(PlanOrigin{});
    CHECK(plan.resources.at(1).recreates_load_balancer.empty());
    CHECK(plan.warnings.empty());
  }
}

TEST_CASE("planner: a new EnvoyProxy replacing the class's merged-Gateways proxy is flagged") {
  std::vector<json> desired = {EnvoyProxy(), Gateway()};
  LiveState live = Live({Served(Gateway())});

  SECTION("mergeGateways") {
    live.facts.class_envoy_proxy_spec = json{{"mergeGateways", true}};
    Plan plan = Planner(desired, live, PlanOptions{}).Finish(PlanOrigin{});
    const ResourceChange& proxy = plan.resources.at(0);
    CHECK(proxy.action == Action::kCreate);
    CHECK(Contains(proxy.recreates_load_balancer, "mergeGateways"));
    CHECK(plan.resources.at(1).action == Action::kNoOp);
    CHECK(plan.warnings.size() == 1);
    CHECK(AnyContains(plan.warnings,
                      "envoyproxy starform-system/starform recreates the load balancer"));
  }
  SECTION("a named Envoy Service") {
    live.facts.class_envoy_proxy_spec =
        json{{"provider", {{"kubernetes", {{"envoyService", {{"name", "envoy-lb"}}}}}}}};
    Plan plan = Planner(desired, live, PlanOptions{}).Finish(PlanOrigin{});
    CHECK(Contains(plan.resources.at(0).recreates_load_balancer, "envoyService.name"));
  }
  SECTION("mergeGateways false") {
    live.facts.class_envoy_proxy_spec = json{{"mergeGateways", false}};
    Plan plan = Planner(desired, live, PlanOptions{}).Finish(PlanOrigin{});
    CHECK(plan.resources.at(0).recreates_load_balancer.empty());
    CHECK(plan.warnings.empty());
  }
  SECTION("no EnvoyProxy on the class") {
    Plan plan = Planner(desired, live, PlanOptions{}).Finish(PlanOrigin{});
    CHECK(plan.resources.at(0).recreates_load_balancer.empty());
  }
  SECTION("no live Gateway: nothing to recreate") {
    LiveState empty;
    empty.facts.class_envoy_proxy_spec = json{{"mergeGateways", true}};
    Plan plan = Planner(desired, empty, PlanOptions{}).Finish(PlanOrigin{});
    CHECK(plan.resources.at(0).recreates_load_balancer.empty());
    CHECK(plan.warnings.empty());
  }
}

TEST_CASE("planner: a foreign route claiming a desired hostname is a hijack") {
  std::vector<json> desired = {Gateway(), Route("tenant-a", "shop", {"shop.example.com"})};
  LiveState live;
  live.foreign_routes = {
      LiveForeignRoute{"tenant-x", "evil", {"other.example.com", "shop.example.com"}},
      LiveForeignRoute{"tenant-x", "wild", {"*.example.com"}},
      LiveForeignRoute{"tenant-y", "harmless", {"harmless.example.org"}},
  };
  Planner planner(desired, live, PlanOptions{});
  const Plan& draft = planner.draft();
  REQUIRE(draft.foreign_routes.size() == 3);
  CHECK(draft.foreign_routes[0].ns == "tenant-x");
  CHECK(draft.foreign_routes[0].name == "evil");
  CHECK(draft.foreign_routes[0].hostnames ==
        std::vector<std::string>{"other.example.com", "shop.example.com"});
  CHECK(draft.foreign_routes[0].hijacked == std::vector<std::string>{"shop.example.com"});
  CHECK(draft.foreign_routes[1].hijacked == std::vector<std::string>{"*.example.com"});
  CHECK(draft.foreign_routes[2].hijacked.empty());
  REQUIRE(draft.errors.size() == 2);
  CHECK(Contains(draft.errors[0], "httproute tenant-x/evil"));
  CHECK(Contains(draft.errors[0], "shop.example.com"));
  CHECK(Contains(draft.errors[0], "tenant-a/shop"));
  CHECK(Contains(draft.errors[0], "hijack"));
  CHECK(Contains(draft.errors[1], "httproute tenant-x/wild"));
  CHECK(Contains(draft.errors[1], "hijack"));
}

TEST_CASE("planner: ParseTarget") {
  std::vector<std::string> kinds;
  for (const RenderedKind& kind : RenderedKinds())
    kinds.push_back(kind.kind);
  ObjectKey key;
  std::string error;

  SECTION("good spellings, the kind in any case") {
    for (std::string text :
         {"httproute/tenant-a/shop", "HTTPRoute/tenant-a/shop", "HttpRoute/tenant-a/shop"}) {
      INFO(text);
      REQUIRE(ParseTarget(text, kinds, &key, &error));
      CHECK(key == ObjectKey{"", "HTTPRoute", "tenant-a", "shop"});
    }
    REQUIRE(ParseTarget("clienttrafficpolicy/starform-system/starform-identity-headers", kinds,
                        &key, &error));
    CHECK(key.kind == "ClientTrafficPolicy");
    CHECK(key.TargetSpelling() == "ClientTrafficPolicy/starform-system/starform-identity-headers");
  }
  SECTION("the wrong shape") {
    for (std::string text : {"", "httproute", "httproute/shop", "httproute/a/b/c", "/tenant-a/shop",
                             "httproute//shop", "httproute/tenant-a/"}) {
      INFO(text);
      CHECK_FALSE(ParseTarget(text, kinds, &key, &error));
      CHECK(error == "invalid --target \"" + text +
                         "\": want KIND/NAMESPACE/NAME, e.g. httproute/tenant-a/shop");
    }
  }
  SECTION("an unknown kind") {
    CHECK_FALSE(ParseTarget("service/tenant-a/shop", kinds, &key, &error));
    CHECK(error ==
          "invalid --target \"service/tenant-a/shop\": unknown kind \"service\" (one of "
          "EnvoyProxy, Gateway, ClientTrafficPolicy, ReferenceGrant, SecurityPolicy, HTTPRoute)");
  }
}

TEST_CASE("planner: ClusterGuardError") {
  ClusterFacts facts;
  CHECK_FALSE(ClusterGuardError("do-nyc1-prod", facts).has_value());  // no parent yet
  facts.served_cluster = "";
  CHECK_FALSE(ClusterGuardError("do-nyc1-prod", facts).has_value());
  facts.served_cluster = "do-nyc1-prod";
  CHECK_FALSE(ClusterGuardError("do-nyc1-prod", facts).has_value());
  facts.served_cluster = "do-ams3-prod";
  std::optional<std::string> error = ClusterGuardError("do-nyc1-prod", facts);
  REQUIRE(error.has_value());
  CHECK(*error ==
        "desired state is for do-nyc1-prod, but this cluster serves do-ams3-prod: check --context");
}

TEST_CASE("planner: Plan::Summary counts each action and a replace adds and destroys") {
  std::vector<json> desired = {
      EnvoyProxy(),                                              // no-op
      Gateway("starform", json::array({Listener("http", 81)})),  // update
      Grant("shared", "starform-tenant-a"),                      // replace (below)
      Route("tenant-a", "shop", {"shop.example.com"}),           // create
  };
  json old_grant = Grant("shared", "starform-tenant-a");
  old_grant["spec"]["to"][0]["kind"] = "Secret";
  Planner planner(desired,
                  Live({Served(EnvoyProxy()), Served(Gateway()), Served(old_grant),
                        Served(Route("tenant-a", "gone", {"gone.example.com"}))}),
                  PlanOptions{});
  DryRunOutcome immutable;
  immutable.immutable = "spec.to: field is immutable";
  planner.Confirm(2, immutable);
  PlanOrigin origin;
  origin.cluster = "do-nyc1-prod";
  origin.revision = "8421";
  Plan plan = planner.Finish(origin);
  CHECK(Addresses(plan) == std::vector<std::string>{
                               "no-op envoyproxy starform-system/starform",
                               "update gateway starform-system/starform",
                               "replace referencegrant shared/starform-tenant-a",
                               "create httproute tenant-a/shop",
                               "delete httproute tenant-a/gone",
                           });
  PlanSummary summary = plan.Summary();
  CHECK(summary.add == 2);
  CHECK(summary.change == 1);
  CHECK(summary.destroy == 2);
  CHECK(summary.unchanged == 1);
  CHECK(plan.HasChanges());
  CHECK(plan.origin.cluster == "do-nyc1-prod");
  CHECK(plan.origin.revision == "8421");
}

}  // namespace
}  // namespace starform
