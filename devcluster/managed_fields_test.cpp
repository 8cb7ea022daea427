#include "devcluster/managed_fields.h"

#include <cstdio>

#include <catch2/catch.hpp>

#include "kube/schema_testing.h"

namespace starform::devcluster {
namespace {

using nlohmann::json;

constexpr char kApi[] = "gateway.networking.k8s.io/v1";
constexpr char kT1[] = "2026-11-26T10:00:01Z";
constexpr char kT2[] = "2026-11-26T10:00:02Z";
constexpr char kT3[] = "2026-11-26T10:00:03Z";

json J(const char* text) {
  return json::parse(text);
}

const kube::Schema* GatewaySchema() {
  return &kube::testing::SharedSchema(kube::testing::kGateways, "v1");
}

json Route() {
  return J(R"({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
    "metadata": {"name": "gw", "namespace": "web", "labels": {"app": "web"}},
    "spec": {"gatewayClassName": "eg",
             "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]}})");
}

UpdateRequest Request(const json* live, const std::string& manager, const std::string& now) {
  UpdateRequest request;
  request.live = live;
  request.manager = manager;
  request.api_version = kApi;
  request.status_subresource = true;
  request.now = now;
  request.schema = GatewaySchema();
  return request;
}

json Stored(json object, const char* uid = "u-1") {
  object["metadata"]["uid"] = uid;
  object["metadata"]["resourceVersion"] = "1";
  return object;
}

const json& Entries(const json& object) {
  return object.at("metadata").at("managedFields");
}

TEST_CASE("a create records everything it set, parents included, as an Update") {
  const json created = RecordUpdate(Request(nullptr, "kubectl-create", kT1), Route());
  CHECK(Entries(created) == J(R"([{
    "apiVersion": "gateway.networking.k8s.io/v1", "fieldsType": "FieldsV1",
    "fieldsV1": {
      "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
      "f:spec": {".": {}, "f:gatewayClassName": {}, "f:listeners": {".": {},
        "k:{\"name\":\"http\"}": {".": {}, "f:name": {}, "f:port": {}, "f:protocol": {}}}}},
    "manager": "kubectl-create", "operation": "Update", "time": "2026-11-26T10:00:01Z"}])"));
  json without = created;
  without["metadata"].erase("managedFields");
  CHECK(without == Route());
}

TEST_CASE("an update moves the fields it changed to its manager") {
  const json live = Stored(RecordUpdate(Request(nullptr, "creator", kT1), Route()));
  json updated = live;
  updated["spec"]["gatewayClassName"] = "other";
  updated["spec"]["listeners"].push_back({{"name", "https"}, {"port", 443}, {"protocol", "HTTPS"}});
  const json after = RecordUpdate(Request(&live, "editor", kT2), updated);
  REQUIRE(Entries(after).size() == 2);
  CHECK(Entries(after)[0]["manager"] == "creator");
  CHECK(Entries(after)[0]["time"] == kT1);
  CHECK(Entries(after)[0]["fieldsV1"]["f:spec"] == J(R"({".": {}, "f:listeners": {".": {},
    "k:{\"name\":\"http\"}": {".": {}, "f:name": {}, "f:port": {}, "f:protocol": {}}}})"));
  CHECK(Entries(after)[1] == J(R"({
    "apiVersion": "gateway.networking.k8s.io/v1", "fieldsType": "FieldsV1",
    "fieldsV1": {"f:spec": {"f:gatewayClassName": {}, "f:listeners": {
      "k:{\"name\":\"https\"}": {".": {}, "f:name": {}, "f:port": {}, "f:protocol": {}}}}},
    "manager": "editor", "operation": "Update", "time": "2026-11-26T10:00:02Z"})"));

  SECTION("removing a field takes it from its owner") {
    json removed = after;
    removed["metadata"].erase("labels");
    const json next = RecordUpdate(Request(&after, "editor", kT3), removed);
    CHECK_FALSE(Entries(next)[0]["fieldsV1"].contains("f:metadata"));
    // The editor changed nothing it could own, so its entry and time stay.
    CHECK(Entries(next)[1] == Entries(after)[1]);
  }
  SECTION("a write that changes nothing leaves the entries alone") {
    CHECK(RecordUpdate(Request(&after, "someone", kT3), after) == after);
  }
}

TEST_CASE("an existing object without managed fields stays untracked") {
  const json live = Stored(Route());
  json updated = live;
  updated["spec"]["gatewayClassName"] = "other";
  const json after = RecordUpdate(Request(&live, "editor", kT2), updated);
  CHECK_FALSE(after["metadata"].contains("managedFields"));
  CHECK(after == updated);
}

TEST_CASE("an object the field manager cannot read is stored without managed fields") {
  json odd = Route();
  odd["metadata"] = "not an object";
  CHECK(RecordUpdate(Request(nullptr, "creator", kT1), odd) == odd);
}

TEST_CASE("a write may replace or clear the managed fields") {
  const json live = Stored(RecordUpdate(Request(nullptr, "creator", kT1), Route()));
  SECTION("an empty list clears them, and the object stays untracked") {
    json cleared = live;
    cleared["metadata"]["managedFields"] = json::array();
    CHECK_FALSE(
        RecordUpdate(Request(&live, "editor", kT2), cleared)["metadata"].contains("managedFields"));
    cleared["metadata"]["managedFields"] = J("[{}]");
    CHECK_FALSE(
        RecordUpdate(Request(&live, "editor", kT2), cleared)["metadata"].contains("managedFields"));
  }
  SECTION("edited entries are taken as they are") {
    json edited = live;
    edited["metadata"]["managedFields"][0]["manager"] = "renamed";
    const json after = RecordUpdate(Request(&live, "editor", kT2), edited);
    REQUIRE(Entries(after).size() == 1);
    CHECK(Entries(after)[0]["manager"] == "renamed");
  }
  SECTION("entries that do not decode fall back to the live ones") {
    json broken = live;
    broken["metadata"]["managedFields"][0]["operation"] = "Replace";
    CHECK(RecordUpdate(Request(&live, "editor", kT2), broken) == live);
  }
}

TEST_CASE("status writes are recorded for the status subresource only") {
  const json live = Stored(RecordUpdate(Request(nullptr, "creator", kT1), Route()));
  json updated = live;
  updated["status"] = J(R"({"conditions": [{"type": "Programmed", "status": "True",
    "reason": "Programmed", "message": "", "lastTransitionTime": "2026-11-26T10:00:02Z"}]})");
  updated["spec"]["gatewayClassName"] = "ignored";       // the status strategy resets spec
  updated["metadata"]["managedFields"] = json::array();  // and cannot touch managed fields
  UpdateRequest request = Request(&live, "envoy-gateway", kT2);
  request.subresource = "status";
  json after = RecordUpdate(request, updated);
  REQUIRE(Entries(after).size() == 2);
  CHECK(Entries(after)[0] == Entries(live)[0]);
  CHECK(Entries(after)[1] == J(R"({
    "apiVersion": "gateway.networking.k8s.io/v1", "fieldsType": "FieldsV1",
    "fieldsV1": {"f:status": {".": {}, "f:conditions": {".": {},
      "k:{\"type\":\"Programmed\"}": {".": {}, "f:lastTransitionTime": {}, "f:message": {},
        "f:reason": {}, "f:status": {}, "f:type": {}}}}},
    "manager": "envoy-gateway", "operation": "Update", "subresource": "status",
    "time": "2026-11-26T10:00:02Z"})"));
  ResetFields(&live, &after, "status", true);
  CHECK(after["spec"] == live["spec"]);
  CHECK(after["status"] == updated["status"]);

  SECTION("the resource's own writes neither own status nor take it") {
    json main = after;
    main["status"]["conditions"][0]["status"] = "False";
    json recorded = RecordUpdate(Request(&after, "editor", kT3), main);
    CHECK(Entries(recorded) == Entries(after));
    ResetFields(&after, &recorded, "", true);
    CHECK(recorded["status"] == after["status"]);
  }
}

TEST_CASE("at most ten Update entries, the oldest merged into ancient-changes") {
  json live = Stored(RecordUpdate(Request(nullptr, "m0", "2026-11-26T10:00:00Z"), Route()));
  for (int i = 1; i <= 10; ++i) {
    json updated = live;
    updated["metadata"]["labels"]["l" + std::to_string(i)] = "x";
    char now[32];
    std::snprintf(now, sizeof(now), "2026-11-26T10:00:%02dZ", i);
    live = RecordUpdate(Request(&live, "m" + std::to_string(i), now), updated);
  }
  const json& entries = Entries(live);
  REQUIRE(entries.size() == 10);
  // m0 and m1, the oldest, are merged; the bucket takes m1's time.
  CHECK(entries[0]["manager"] == "ancient-changes");
  CHECK(entries[0]["time"] == "2026-11-26T10:00:01Z");
  CHECK(entries[0]["fieldsV1"]["f:metadata"]["f:labels"].contains("f:l1"));
  CHECK(entries[0]["fieldsV1"]["f:spec"].contains("f:gatewayClassName"));
  CHECK(entries[1]["manager"] == "m2");
  CHECK(entries[9]["manager"] == "m10");
}

TEST_CASE("entries sort by operation, then time, then manager") {
  smd::Managed managed;
  auto add = [&](const char* manager, const char* operation, const char* time) {
    smd::FieldSet set;
    set.Insert({smd::PathElement::Field("spec"), smd::PathElement::Field(manager)});
    const std::string id = smd::ManagerIdentifier({manager, operation, "v1", ""});
    managed.fields[id] = smd::VersionedSet{set, "v1", std::string(operation) == "Apply"};
    if (time)
      managed.times[id] = time;
  };
  add("b", "Update", "2026-11-26T10:00:01Z");
  add("a", "Update", "2026-11-26T10:00:01Z");
  add("z", "Apply", "2026-11-26T12:00:00+02:00");  // 10:00:00 UTC
  add("y", "Apply", "2026-11-26T10:00:01Z");
  add("c", "Update", nullptr);
  std::vector<std::string> order;
  for (const json& entry : smd::EncodeManagedFields(managed))
    order.push_back(entry["manager"]);
  CHECK(order == std::vector<std::string>{"z", "y", "c", "a", "b"});

  smd::Managed back;
  std::string error;
  REQUIRE(smd::DecodeManagedFields(smd::EncodeManagedFields(managed), &back, &error));
  CHECK(back.fields.size() == 5);
  CHECK(back.times.size() == 4);
}

TEST_CASE("manager identifiers are the server's") {
  CHECK(smd::ManagerIdentifier({"kubectl-edit", "Update", "v1", ""}) ==
        R"({"manager":"kubectl-edit","operation":"Update","apiVersion":"v1"})");
  CHECK(smd::ManagerIdentifier({"starform", "Apply", "v1", ""}) ==
        R"({"manager":"starform","operation":"Apply"})");
  CHECK(smd::ManagerIdentifier({"eg", "Update", "v1", "status"}) ==
        R"({"manager":"eg","operation":"Update","apiVersion":"v1","subresource":"status"})");
}

TEST_CASE("managed fields the server would not decode") {
  smd::Managed managed;
  std::string error;
  CHECK_FALSE(smd::DecodeManagedFields(
      J(R"([{"manager": "a", "operation": "Patch", "apiVersion": "v1", "fieldsType": "FieldsV1"}])"),
      &managed, &error));
  CHECK(error == "operation must be `Apply` or `Update`");
  CHECK_FALSE(smd::DecodeManagedFields(
      J(R"([{"manager": "a", "operation": "Apply", "fieldsType": "FieldsV1"}])"), &managed,
      &error));
  CHECK(error == "apiVersion must not be empty");
  CHECK_FALSE(smd::DecodeManagedFields(
      J(R"([{"manager": "a", "operation": "Apply", "apiVersion": "v1"}])"), &managed, &error));
  CHECK(error == "missing fieldsType in managed fields entry 0");
  CHECK_FALSE(smd::DecodeManagedFields(
      J(R"([{"manager": "a", "operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV2"}])"),
      &managed, &error));
  CHECK(error == "invalid fieldsType \"FieldsV2\" in managed fields entry 0");
  CHECK(smd::DecodeManagedFields(J("null"), &managed, &error));
  CHECK(managed.fields.empty());
}

TEST_CASE("the default field manager is the User-Agent's program name") {
  CHECK(DefaultFieldManager("kubectl/v1.33.0 (linux/amd64) kubernetes/abc1234") == "kubectl");
  CHECK(DefaultFieldManager("kubectl-starform") == "kubectl-starform");
  CHECK(DefaultFieldManager(std::string("a\tb\x01"
                                        "c/d")) == "abc");
  CHECK(DefaultFieldManager(std::string(200, 'x')).size() == 128);
}

}  // namespace
}  // namespace starform::devcluster
