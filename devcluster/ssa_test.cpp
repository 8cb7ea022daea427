#include "devcluster/ssa.h"

#include <catch2/catch.hpp>

#include "devcluster/managed_fields.h"
#include "kube/schema_testing.h"

namespace starform::devcluster {
namespace {

using nlohmann::json;

constexpr char kApi[] = "gateway.networking.k8s.io/v1";
constexpr char kT1[] = "2026-11-26T10:00:01Z";
constexpr char kT2[] = "2026-11-26T10:00:02Z";
constexpr char kT3[] = "2026-11-26T10:00:03Z";
constexpr char kT4[] = "2026-11-26T10:00:04Z";

const kube::Schema* GatewaySchema() {
  return &kube::testing::SharedSchema(kube::testing::kGateways, "v1");
}

json J(const char* text) {
  return json::parse(text);
}

json Gateway(json spec) {
  json gateway = {{"apiVersion", kApi},
                  {"kind", "Gateway"},
                  {"metadata", {{"name", "gw"}, {"namespace", "web"}}}};
  if (!spec.is_null())
    gateway["spec"] = std::move(spec);
  return gateway;
}

json Listener(const char* name, int port, const char* protocol = "HTTP") {
  return {{"name", name}, {"port", port}, {"protocol", protocol}};
}

ApplyRequest GatewayApply(const json* live, json applied, const std::string& manager,
                          const std::string& now) {
  ApplyRequest request;
  request.live = live;
  request.applied = std::move(applied);
  request.manager = manager;
  request.api_version = kApi;
  request.kind = "Gateway";
  request.name = "gw";
  request.namespace_ = "web";
  request.status_subresource = true;
  request.now = now;
  request.schema = GatewaySchema();
  return request;
}

// Applies and requires success.
json Apply(const json* live, json applied, const std::string& manager, const std::string& now,
           bool force = false) {
  ApplyRequest request = GatewayApply(live, std::move(applied), manager, now);
  request.force = force;
  ApplyResult result = ServerSideApply(request);
  INFO((result.error ? result.error->message : ConflictMessage(result.conflicts)));
  REQUIRE(result.ok());
  return result.object;
}

json Update(const json& live, json updated, const std::string& manager, const std::string& now,
            const std::string& subresource = "") {
  UpdateRequest request;
  request.live = &live;
  request.manager = manager;
  request.api_version = kApi;
  request.subresource = subresource;
  request.status_subresource = true;
  request.now = now;
  request.schema = GatewaySchema();
  return RecordUpdate(request, std::move(updated));
}

const json& ManagedFields(const json& object) {
  return object.at("metadata").at("managedFields");
}

// The fieldsV1 of |manager|'s entry with |operation|, or null.
json FieldsOf(const json& object, const std::string& manager, const std::string& operation) {
  for (const json& entry : ManagedFields(object)) {
    if (entry.value("manager", "") == manager && entry.value("operation", "") == operation) {
      return entry.at("fieldsV1");
    }
  }
  return nullptr;
}

std::vector<std::string> ListenerNames(const json& object) {
  std::vector<std::string> names;
  for (const json& listener : object.at("spec").at("listeners")) {
    names.push_back(listener.at("name"));
  }
  return names;
}

TEST_CASE("apply creates the object and records the fields it applied") {
  ApplyResult result = ServerSideApply(GatewayApply(
      nullptr, Gateway({{"gatewayClassName", "eg"}, {"listeners", {Listener("http", 80)}}}),
      "starform", kT1));
  REQUIRE(result.ok());
  CHECK(result.changed);
  CHECK(result.object == J(R"({
    "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
    "metadata": {"name": "gw", "namespace": "web", "managedFields": [{
      "apiVersion": "gateway.networking.k8s.io/v1", "fieldsType": "FieldsV1",
      "fieldsV1": {"f:spec": {"f:gatewayClassName": {}, "f:listeners": {
        "k:{\"name\":\"http\"}": {".": {}, "f:name": {}, "f:port": {}, "f:protocol": {}}}}},
      "manager": "starform", "operation": "Apply", "time": "2026-11-26T10:00:01Z"}]},
    "spec": {"gatewayClassName": "eg",
             "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]}})"));
}

TEST_CASE("applying the same configuration again changes nothing") {
  const json applied = Gateway({{"gatewayClassName", "eg"}, {"listeners", {Listener("http", 80)}}});
  const json live = Apply(nullptr, applied, "starform", kT1);
  ApplyResult again = ServerSideApply(GatewayApply(&live, applied, "starform", kT2));
  REQUIRE(again.ok());
  CHECK_FALSE(again.changed);
  CHECK(again.object == live);  // not even the entry's time moves
}

TEST_CASE("a field another manager changed is a conflict naming the manager and the field") {
  const json applied = Gateway({{"gatewayClassName", "eg"}, {"listeners", {Listener("http", 80)}}});
  const json live = Apply(nullptr, applied, "starform", kT1);
  json edited = live;
  edited["spec"]["listeners"][0]["port"] = 8080;
  const json after_edit = Update(live, edited, "kubectl-edit", kT2);
  CHECK(ManagedFields(after_edit) == J(R"([
    {"apiVersion": "gateway.networking.k8s.io/v1", "fieldsType": "FieldsV1",
     "fieldsV1": {"f:spec": {"f:gatewayClassName": {}, "f:listeners": {
       "k:{\"name\":\"http\"}": {".": {}, "f:name": {}, "f:protocol": {}}}}},
     "manager": "starform", "operation": "Apply", "time": "2026-11-26T10:00:01Z"},
    {"apiVersion": "gateway.networking.k8s.io/v1", "fieldsType": "FieldsV1",
     "fieldsV1": {"f:spec": {"f:listeners": {"k:{\"name\":\"http\"}": {"f:port": {}}}}},
     "manager": "kubectl-edit", "operation": "Update", "time": "2026-11-26T10:00:02Z"}])"));

  ApplyResult conflict = ServerSideApply(GatewayApply(&after_edit, applied, "starform", kT3));
  CHECK_FALSE(conflict.ok());
  CHECK(conflict.object.is_null());
  REQUIRE(conflict.conflicts.size() == 1);
  CHECK(conflict.conflicts[0] ==
        FieldConflict{"kubectl-edit", "Update", kApi, "", ".spec.listeners[name=\"http\"].port"});
  CHECK(ConflictMessage(conflict.conflicts) ==
        "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using "
        "gateway.networking.k8s.io/v1: .spec.listeners[name=\"http\"].port");
  CHECK(ConflictStatus(conflict.conflicts) == J(R"({
    "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
    "message": "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using gateway.networking.k8s.io/v1: .spec.listeners[name=\"http\"].port",
    "reason": "Conflict",
    "details": {"causes": [{"reason": "FieldManagerConflict",
                            "message": "conflict with \"kubectl-edit\" using gateway.networking.k8s.io/v1",
                            "field": ".spec.listeners[name=\"http\"].port"}]},
    "code": 409})"));

  SECTION("force takes the field, and the emptied entry goes") {
    const json forced = Apply(&after_edit, applied, "starform", kT3, /*force=*/true);
    CHECK(forced["spec"]["listeners"][0]["port"] == 80);
    REQUIRE(ManagedFields(forced).size() == 1);
    CHECK(ManagedFields(forced)[0]["manager"] == "starform");
    CHECK(ManagedFields(forced)[0]["time"] == kT3);
    CHECK(FieldsOf(forced, "starform", "Apply") == FieldsOf(live, "starform", "Apply"));
  }
  SECTION("applying the value the other manager set shares the field") {
    json same = applied;
    same["spec"]["listeners"][0]["port"] = 8080;
    ApplyResult shared = ServerSideApply(GatewayApply(&after_edit, same, "starform", kT3));
    REQUIRE(shared.ok());
    CHECK(shared.changed);  // the object is the same, its managed fields are not
    CHECK(FieldsOf(shared.object, "starform", "Apply") == FieldsOf(live, "starform", "Apply"));
    CHECK(FieldsOf(shared.object, "kubectl-edit", "Update") ==
          FieldsOf(after_edit, "kubectl-edit", "Update"));
    // The object did not change, so the applier's time did not either.
    CHECK(ManagedFields(shared.object)[0]["time"] == kT1);

    json changed = applied;
    changed["spec"]["listeners"][0]["port"] = 9090;
    ApplyResult later = ServerSideApply(GatewayApply(&shared.object, changed, "starform", kT4));
    REQUIRE(later.conflicts.size() == 1);
    CHECK(later.conflicts[0].manager == "kubectl-edit");
  }
}

TEST_CASE("several conflicts are grouped by manager") {
  const json live = Apply(nullptr,
                          Gateway({{"gatewayClassName", "eg"},
                                   {"listeners", {Listener("http", 80), Listener("https", 443)}}}),
                          "ops", kT1);
  ApplyResult result = ServerSideApply(
      GatewayApply(&live,
                   Gateway({{"gatewayClassName", "other"},
                            {"listeners", {Listener("http", 81), Listener("https", 444)}}}),
                   "starform", kT2));
  REQUIRE(result.conflicts.size() == 3);
  CHECK(ConflictMessage(result.conflicts) ==
        "Apply failed with 3 conflicts: conflicts with \"ops\":\n"
        "- .spec.gatewayClassName\n"
        "- .spec.listeners[name=\"http\"].port\n"
        "- .spec.listeners[name=\"https\"].port");
  CHECK(ConflictStatus(result.conflicts)["details"]["causes"][0] == J(R"(
    {"reason": "FieldManagerConflict", "message": "conflict with \"ops\"",
     "field": ".spec.gatewayClassName"})"));
}

TEST_CASE("fields the manager stops applying are removed") {
  const json live =
      Apply(nullptr,
            Gateway({{"gatewayClassName", "eg"},
                     {"listeners", {Listener("http", 80), Listener("https", 443, "HTTPS")}}}),
            "starform", kT1);
  const json after =
      Apply(&live, Gateway({{"gatewayClassName", "eg"}, {"listeners", {Listener("http", 80)}}}),
            "starform", kT2);
  CHECK(after["spec"]["listeners"] == json::array({Listener("http", 80)}));
  CHECK(FieldsOf(after, "starform", "Apply") == J(R"(
    {"f:spec": {"f:gatewayClassName": {}, "f:listeners": {
      "k:{\"name\":\"http\"}": {".": {}, "f:name": {}, "f:port": {}, "f:protocol": {}}}}})"));
  CHECK(ManagedFields(after)[0]["time"] == kT2);
}

TEST_CASE("fields another manager also owns are kept until nobody applies them") {
  const json spec = {{"gatewayClassName", "eg"}, {"listeners", {Listener("http", 80)}}};
  const json a = Apply(nullptr, Gateway(spec), "a", kT1);
  const json b = Apply(&a, Gateway({{"listeners", {Listener("http", 80)}}}), "b", kT2);
  const json a_stops = Apply(&b, Gateway({{"gatewayClassName", "eg"}}), "a", kT3);
  CHECK(a_stops["spec"] == spec);
  CHECK(FieldsOf(a_stops, "a", "Apply") == J(R"({"f:spec": {"f:gatewayClassName": {}}})"));

  const json b_stops = Apply(&a_stops, Gateway(nullptr), "b", kT4);
  CHECK(b_stops["spec"] == J(R"({"gatewayClassName": "eg"})"));
  REQUIRE(ManagedFields(b_stops).size() == 1);  // b owns nothing any more
  CHECK(ManagedFields(b_stops)[0]["manager"] == "a");
}

TEST_CASE("list-map items merge by key in the library's order") {
  const json live = Apply(
      nullptr, Gateway({{"listeners", {Listener("a", 1), Listener("b", 2), Listener("c", 3)}}}),
      "first", kT1);
  SECTION("new items follow the applied order, live-only items keep their place") {
    const json merged = Apply(
        &live, Gateway({{"listeners", {Listener("c", 3), Listener("x", 4), Listener("a", 1)}}}),
        "second", kT2);
    CHECK(ListenerNames(merged) == std::vector<std::string>{"b", "c", "x", "a"});
  }
  SECTION("appended items come last") {
    const json merged =
        Apply(&live,
              Gateway({{"listeners",
                        {Listener("a", 1), Listener("b", 2), Listener("c", 3), Listener("d", 4)}}}),
              "first", kT2);
    CHECK(ListenerNames(merged) == std::vector<std::string>{"a", "b", "c", "d"});
  }
  SECTION("an item's fields merge with the live item's") {
    json listener = {
        {"name", "b"}, {"port", 2}, {"protocol", "HTTP"}, {"hostname", "b.example.com"}};
    const json merged = Apply(&live, Gateway({{"listeners", {listener}}}), "second", kT2);
    CHECK(merged["spec"]["listeners"][1] == listener);
    CHECK(FieldsOf(merged, "second", "Apply") == J(R"({"f:spec": {"f:listeners": {
      "k:{\"name\":\"b\"}": {".": {}, "f:hostname": {}, "f:name": {}, "f:port": {},
                             "f:protocol": {}}}}})"));
  }
}

TEST_CASE("an atomic list is one field, replaced whole") {
  const json live =
      Apply(nullptr,
            Gateway({{"gatewayClassName", "eg"},
                     {"addresses", J(R"([{"type": "IPAddress", "value": "10.0.0.1"}])")}}),
            "starform", kT1);
  CHECK(FieldsOf(live, "starform", "Apply") ==
        J(R"({"f:spec": {"f:addresses": {}, "f:gatewayClassName": {}}})"));
  const json replaced =
      Apply(&live,
            Gateway({{"gatewayClassName", "eg"},
                     {"addresses", J(R"([{"type": "IPAddress", "value": "10.0.0.2"},
                                   {"type": "IPAddress", "value": "10.0.0.3"}])")}}),
            "starform", kT2);
  CHECK(replaced["spec"]["addresses"] == J(R"([{"type": "IPAddress", "value": "10.0.0.2"},
                                                 {"type": "IPAddress", "value": "10.0.0.3"}])"));
  ApplyResult other = ServerSideApply(GatewayApply(
      &replaced, Gateway({{"addresses", J(R"([{"type": "IPAddress", "value": "10.0.0.9"}])")}}),
      "other", kT3));
  REQUIRE(other.conflicts.size() == 1);
  CHECK(ConflictMessage(other.conflicts) ==
        "Apply failed with 1 conflict: conflict with \"starform\": .spec.addresses");
}

TEST_CASE("an atomic map is one field, replaced whole") {
  auto listener = [](json match_labels) {
    return json{
        {"name", "http"},
        {"port", 80},
        {"protocol", "HTTP"},
        {"allowedRoutes",
         {{"namespaces", {{"from", "Selector"}, {"selector", {{"matchLabels", match_labels}}}}}}}};
  };
  const json live =
      Apply(nullptr, Gateway({{"listeners", {listener({{"team", "a"}})}}}), "starform", kT1);
  CHECK(FieldsOf(live, "starform",
                 "Apply")["f:spec"]["f:listeners"]["k:{\"name\":\"http\"}"]["f:allowedRoutes"] ==
        J(R"({"f:namespaces": {"f:from": {}, "f:selector": {}}})"));
  const json after =
      Apply(&live, Gateway({{"listeners", {listener({{"env", "prod"}})}}}), "starform", kT2);
  CHECK(after["spec"]["listeners"][0]["allowedRoutes"]["namespaces"]["selector"] ==
        J(R"({"matchLabels": {"env": "prod"}})"));
}

TEST_CASE("integer list-map keys") {
  json spec = J(R"({"tls": {"frontend": {"perPort": [
    {"port": 8443, "tls": {"validation": {"caCertificateRefs": [{"name": "ca"}]}}}]}}})");
  const json live = Apply(nullptr, Gateway(spec), "starform", kT1);
  CHECK(FieldsOf(live, "starform", "Apply") == J(R"({"f:spec": {"f:tls": {"f:frontend": {
    "f:perPort": {"k:{\"port\":8443}": {".": {}, "f:port": {}, "f:tls": {"f:validation": {
      "f:caCertificateRefs": {}}}}}}}}})"));
}

TEST_CASE("labels and annotations are granular maps") {
  json with_labels = Gateway(nullptr);
  with_labels["metadata"]["labels"] = {{"app", "web"}};
  const json a = Apply(nullptr, with_labels, "a", kT1);
  CHECK(FieldsOf(a, "a", "Apply") == J(R"({"f:metadata": {"f:labels": {"f:app": {}}}})"));
  json other_labels = Gateway(nullptr);
  other_labels["metadata"]["labels"] = {{"team", "x"}};
  const json b = Apply(&a, other_labels, "b", kT2);
  CHECK(b["metadata"]["labels"] == J(R"({"app": "web", "team": "x"})"));
  const json a_stops = Apply(&b, Gateway(nullptr), "a", kT3);
  CHECK(a_stops["metadata"]["labels"] == J(R"({"team": "x"})"));
  const json b_stops = Apply(&a_stops, Gateway(nullptr), "b", kT4);
  CHECK_FALSE(b_stops["metadata"].contains("labels"));  // not left as null or {}
}

TEST_CASE("sets merge by value") {
  std::string error;
  auto schema = kube::Schema::Compile(J(R"({"type": "object", "properties": {
    "spec": {"type": "object", "properties": {
      "methods": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"}}}}})"),
                                      &error);
  REQUIRE(schema);
  auto apply = [&](const json* live, json methods, const char* manager, const char* now) {
    ApplyRequest request;
    request.live = live;
    request.applied = {
        {"apiVersion", "example.com/v1"},
        {"kind", "Thing"},
        {"metadata", {{"name", "t"}, {"finalizers", {"example.com/" + std::string(manager)}}}},
        {"spec", {{"methods", methods}}}};
    request.manager = manager;
    request.api_version = "example.com/v1";
    request.kind = "Thing";
    request.now = now;
    request.schema = schema.get();
    ApplyResult result = ServerSideApply(request);
    REQUIRE(result.ok());
    return result.object;
  };
  const json a = apply(nullptr, {"GET", "POST"}, "a", kT1);
  CHECK(FieldsOf(a, "a", "Apply") == J(R"({
    "f:metadata": {"f:finalizers": {"v:\"example.com/a\"": {}}},
    "f:spec": {"f:methods": {"v:\"GET\"": {}, "v:\"POST\"": {}}}})"));
  const json b = apply(&a, {"PUT", "GET"}, "b", kT2);  // GET is shared
  CHECK(b["spec"]["methods"] == J(R"(["PUT", "GET", "POST"])"));
  CHECK(b["metadata"]["finalizers"] == J(R"(["example.com/a", "example.com/b"])"));
  const json a_again = apply(&b, {"GET"}, "a", kT3);
  CHECK(a_again["spec"]["methods"] == J(R"(["PUT", "GET"])"));
}

TEST_CASE("status belongs to the status subresource") {
  const json live =
      Apply(nullptr, Gateway({{"gatewayClassName", "eg"}, {"listeners", {Listener("http", 80)}}}),
            "starform", kT1);
  json status_apply = Gateway({{"gatewayClassName", "ignored"}});
  status_apply["status"] = J(R"({"conditions": [{"type": "Accepted", "status": "True",
    "reason": "Accepted", "message": "ok", "lastTransitionTime": "2026-11-26T10:00:02Z",
    "observedGeneration": 1}]})");
  ApplyRequest request = GatewayApply(&live, status_apply, "envoy-gateway", kT2);
  request.subresource = "status";
  ApplyResult with_status = ServerSideApply(request);
  REQUIRE(with_status.ok());
  CHECK(with_status.object["spec"] == live["spec"]);  // spec is not the status writer's
  CHECK(with_status.object["status"] == status_apply["status"]);
  json entry = ManagedFields(with_status.object)[1];
  CHECK(entry["manager"] == "envoy-gateway");
  CHECK(entry["subresource"] == "status");
  CHECK(entry["fieldsV1"] == J(R"({"f:status": {"f:conditions": {"k:{\"type\":\"Accepted\"}": {
    ".": {}, "f:lastTransitionTime": {}, "f:message": {}, "f:observedGeneration": {},
    "f:reason": {}, "f:status": {}, "f:type": {}}}}})"));

  // The resource's own apply neither changes nor owns status.
  json main_apply = Gateway({{"gatewayClassName", "eg"}, {"listeners", {Listener("http", 80)}}});
  main_apply["status"] = J(R"({"conditions": []})");
  ApplyResult main =
      ServerSideApply(GatewayApply(&with_status.object, main_apply, "starform", kT3));
  REQUIRE(main.ok());
  CHECK(main.object["status"] == status_apply["status"]);
  CHECK(FieldsOf(main.object, "starform", "Apply") == FieldsOf(live, "starform", "Apply"));

  // Another status manager changing the condition conflicts with the first, and names its
  // subresource.
  json other = status_apply;
  other["status"]["conditions"][0]["status"] = "False";
  ApplyRequest second = GatewayApply(&with_status.object, other, "other-controller", kT3);
  second.subresource = "status";
  ApplyResult conflict = ServerSideApply(second);
  REQUIRE(conflict.conflicts.size() == 1);
  CHECK(conflict.conflicts[0].OwnerString() == "\"envoy-gateway\" with subresource \"status\"");
}

TEST_CASE("an object nobody applied to yet is owned by before-first-apply") {
  const json seeded = J(R"({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
    "metadata": {"name": "gw", "namespace": "web", "uid": "u-1"},
    "spec": {"gatewayClassName": "eg",
             "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]}})");
  const json applied = Gateway({{"gatewayClassName", "eg"}, {"listeners", {Listener("http", 81)}}});
  ApplyResult conflict = ServerSideApply(GatewayApply(&seeded, applied, "starform", kT1));
  REQUIRE(conflict.conflicts.size() == 1);
  CHECK(ConflictMessage(conflict.conflicts) ==
        "Apply failed with 1 conflict: conflict with \"before-first-apply\" using "
        "gateway.networking.k8s.io/v1: .spec.listeners[name=\"http\"].port");

  const json forced = Apply(&seeded, applied, "starform", kT1, /*force=*/true);
  CHECK(forced["metadata"]["uid"] == "u-1");
  CHECK(FieldsOf(forced, "before-first-apply", "Update") == J(R"({"f:spec": {".": {},
    "f:gatewayClassName": {}, "f:listeners": {".": {}, "k:{\"name\":\"http\"}": {".": {},
    "f:name": {}, "f:protocol": {}}}}})"));
}

TEST_CASE("requests the server refuses") {
  SECTION("managedFields in the body") {
    json applied = Gateway(nullptr);
    applied["metadata"]["managedFields"] = json::array();
    ApplyResult result = ServerSideApply(GatewayApply(nullptr, applied, "starform", kT1));
    REQUIRE(result.error);
    CHECK(ErrorStatus(*result.error) == J(R"({"kind": "Status", "apiVersion": "v1",
      "metadata": {}, "status": "Failure", "message": "metadata.managedFields must be nil",
      "reason": "BadRequest", "code": 400})"));
  }
  SECTION("another kind or version than the endpoint's") {
    json applied = Gateway(nullptr);
    applied["kind"] = "Gatewy";
    ApplyResult result = ServerSideApply(GatewayApply(nullptr, applied, "starform", kT1));
    REQUIRE(result.error);
    CHECK(result.error->code == 400);
    CHECK(result.error->message ==
          "invalid object type: gateway.networking.k8s.io/v1, Kind=Gatewy");
    applied = Gateway(nullptr);
    applied.erase("apiVersion");
    result = ServerSideApply(GatewayApply(nullptr, applied, "starform", kT1));
    REQUIRE(result.error);
    CHECK(result.error->message == "invalid object type: /, Kind=Gateway");
  }
  SECTION("metadata that is not an object") {
    json applied = Gateway(nullptr);
    applied["metadata"] = "gw";
    ApplyResult result = ServerSideApply(GatewayApply(nullptr, applied, "starform", kT1));
    REQUIRE(result.error);
    CHECK(result.error->code == 500);
  }
  SECTION("a list-map item without its key") {
    ApplyResult result = ServerSideApply(
        GatewayApply(nullptr, Gateway({{"listeners", J(R"([{"port": 80, "protocol": "HTTP"}])")}}),
                     "starform", kT1));
    REQUIRE(result.error);
    CHECK(ErrorStatus(*result.error) == J(R"j({"kind": "Status", "apiVersion": "v1",
      "metadata": {}, "status": "Failure", "code": 500, "message": "failed to create typed patch object (web/gw; gateway.networking.k8s.io/v1, Kind=Gateway): .spec.listeners: element 0: associative list with keys has an element that omits key field \"name\" (and doesn't have default value)"})j"));
  }
  SECTION("duplicate keys") {
    ApplyResult result = ServerSideApply(GatewayApply(
        nullptr, Gateway({{"listeners", {Listener("http", 80), Listener("http", 81)}}}), "starform",
        kT1));
    REQUIRE(result.error);
    CHECK(result.error->message ==
          "failed to create typed patch object (web/gw; gateway.networking.k8s.io/v1, "
          "Kind=Gateway): .spec.listeners: duplicate entries for key [name=\"http\"]");
  }
  SECTION("a name other than the URL's") {
    json applied = Gateway(nullptr);
    applied["metadata"]["name"] = "other";
    ApplyResult result = ServerSideApply(GatewayApply(nullptr, applied, "starform", kT1));
    REQUIRE(result.error);
    CHECK(result.error->message ==
          "the name of the object (other) does not match the name on the URL (gw)");
    applied = Gateway(nullptr);
    applied["metadata"].erase("name");
    result = ServerSideApply(GatewayApply(nullptr, applied, "starform", kT1));
    REQUIRE(result.error);
    CHECK(result.error->message ==
          "the name of the object () does not match the name on the URL (gw)");
  }
  SECTION("a namespace other than the URL's") {
    json applied = Gateway(nullptr);
    applied["metadata"]["namespace"] = "other";
    ApplyResult result = ServerSideApply(GatewayApply(nullptr, applied, "starform", kT1));
    REQUIRE(result.error);
    CHECK(result.error->message ==
          "the namespace of the object (other) does not match the namespace on the URL (web)");
  }
}

TEST_CASE("a body without a namespace gets the URL's") {
  json applied = Gateway(nullptr);
  applied["metadata"].erase("namespace");
  const json created = Apply(nullptr, applied, "starform", kT1);
  CHECK(created["metadata"]["namespace"] == "web");
}

TEST_CASE("kubectl's apply keeps an existing last-applied annotation up to date") {
  json live = Apply(nullptr, Gateway({{"gatewayClassName", "eg"}}), "kubectl", kT1);
  live["metadata"]["annotations"] = {
      {"kubectl.kubernetes.io/last-applied-configuration", "{\"old\":true}\n"}};
  json applied = Gateway({{"gatewayClassName", "eg2"}});
  applied["metadata"]["annotations"] = {{"note", "a<b"}};
  const json after = Apply(&live, applied, "kubectl", kT2);
  CHECK(after["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] ==
        "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"Gateway\",\"metadata\":"
        "{\"annotations\":{\"note\":\"a\\u003cb\"},\"name\":\"gw\",\"namespace\":\"web\"},"
        "\"spec\":{\"gatewayClassName\":\"eg2\"}}\n");
  // Other managers leave it alone.
  json same_class = Gateway({{"gatewayClassName", "eg"}});
  same_class["metadata"]["annotations"] = {{"note", "a<b"}};
  const json other = Apply(&live, same_class, "starform", kT2);
  CHECK(other["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] ==
        "{\"old\":true}\n");
}

TEST_CASE("kubectl takes over what its client-side apply set, without conflicts") {
  // What `kubectl apply` (client-side) leaves: the annotation and an Update entry.
  const json config = Gateway({{"gatewayClassName", "eg"}, {"listeners", {Listener("http", 80)}}});
  json created = config;
  created["metadata"]["annotations"] = {
      {"kubectl.kubernetes.io/last-applied-configuration", config.dump() + "\n"}};
  UpdateRequest create;
  create.manager = "kubectl-client-side-apply";
  create.api_version = kApi;
  create.status_subresource = true;
  create.now = kT1;
  create.schema = GatewaySchema();
  json live = RecordUpdate(create, created);
  live["metadata"]["uid"] = "u-1";

  const json applied =
      Gateway({{"gatewayClassName", "eg2"}, {"listeners", {Listener("http", 81)}}});
  ApplyResult other = ServerSideApply(GatewayApply(&live, applied, "starform", kT2));
  CHECK(other.conflicts.size() == 2);  // only kubectl is let through

  const json upgraded = Apply(&live, applied, "kubectl", kT2);
  CHECK(upgraded["spec"]["gatewayClassName"] == "eg2");
  CHECK(FieldsOf(upgraded, "kubectl", "Apply") == J(R"({"f:spec": {"f:gatewayClassName": {},
    "f:listeners": {"k:{\"name\":\"http\"}": {".": {}, "f:name": {}, "f:port": {},
    "f:protocol": {}}}}})"));
  CHECK_FALSE(FieldsOf(upgraded, "kubectl-client-side-apply", "Update")["f:spec"].contains(
      "f:gatewayClassName"));

  SECTION("a field someone changed since is still a conflict") {
    json edited = live;
    edited["spec"]["listeners"][0]["port"] = 8080;
    const json after_edit = Update(live, edited, "kubectl-edit", kT2);
    ApplyResult result = ServerSideApply(GatewayApply(&after_edit, applied, "kubectl", kT3));
    REQUIRE(result.conflicts.size() == 1);
    CHECK(result.conflicts[0].manager == "kubectl-edit");
    CHECK(result.conflicts[0].field == ".spec.listeners[name=\"http\"].port");
  }
}

TEST_CASE("schemaless objects: maps are granular with keys as fields, lists atomic") {
  ApplyRequest request;
  request.applied = J(R"({"apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "cm", "namespace": "web", "labels": {"app": "web"}},
    "data": {"key": "value"}, "list": [1, 2]})");
  request.manager = "starform";
  request.api_version = "v1";
  request.kind = "ConfigMap";
  request.name = "cm";
  request.namespace_ = "web";
  request.now = kT1;
  ApplyResult result = ServerSideApply(request);
  REQUIRE(result.ok());
  CHECK(FieldsOf(result.object, "starform", "Apply") == J(R"({
    "f:data": {".": {}, "f:key": {}}, "f:list": {},
    "f:metadata": {"f:labels": {"f:app": {}}}})"));
}

}  // namespace
}  // namespace starform::devcluster
