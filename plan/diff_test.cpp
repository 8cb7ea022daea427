// Tests of the ownership-aware diff (plan/diff.h): the compared view, which metadata keys a manager
// owns, and DiffViews on realistic managedFields (fieldsV1) as the API server writes them.

#include "plan/diff.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace starform {
namespace {

using nlohmann::json;

// One managedFields entry as the API server writes it.
json Entry(const std::string& manager, const std::string& operation, json fields_v1,
           const std::string& subresource = "") {
  json entry = {{"manager", manager},
                {"operation", operation},
                {"apiVersion", "gateway.networking.k8s.io/v1"},
                {"time", "2025-05-01T10:00:00Z"},
                {"fieldsType", "FieldsV1"},
                {"fieldsV1", std::move(fields_v1)}};
  if (!subresource.empty())
    entry["subresource"] = subresource;
  return entry;
}

json Listener(const std::string& name, int port, const std::string& protocol) {
  return {{"name", name}, {"port", port}, {"protocol", protocol}};
}

json ListenerFields() {
  return {{".", json::object()},
          {"f:name", json::object()},
          {"f:port", json::object()},
          {"f:protocol", json::object()}};
}

// starform owns the http and https listeners, kubectl-edit added the "extra" one, and Envoy
// Gateway writes status (its entry names a spec field too, which must not count: status entries
// are not compared).
json GatewayManagedFields() {
  return json::array({
      Entry("starform", "Apply",
            {{"f:metadata",
              {{"f:labels",
                {{"f:app.kubernetes.io/managed-by", json::object()},
                 {"f:applyset.kubernetes.io/part-of", json::object()}}}}},
             {"f:spec",
              {{"f:gatewayClassName", json::object()},
               {"f:listeners",
                {{"k:{\"name\":\"http\"}", ListenerFields()},
                 {"k:{\"name\":\"https\"}", ListenerFields()}}}}}}),
      Entry("kubectl-edit", "Update",
            {{"f:spec", {{"f:listeners", {{"k:{\"name\":\"extra\"}", ListenerFields()}}}}}}),
      Entry("envoy-gateway", "Update",
            {{"f:status", {{"f:conditions", json::object()}}},
             {"f:spec", {{"f:infrastructure", json::object()}}}},
            "status"),
  });
}

size_t CountOp(const Diff& diff, FieldChange::Op op) {
  size_t n = 0;
  for (const FieldChange& change : diff.changes)
    n += change.op == op ? 1 : 0;
  return n;
}

TEST_CASE("diff: ComparedView keeps only the given label and annotation keys") {
  json labels = {{"applyset.kubernetes.io/part-of", "applyset-x-v1"},
                 {"app.kubernetes.io/managed-by", "starform"},
                 {"team", "payments"}};
  json annotations = {{"kubectl.kubernetes.io/last-applied-configuration", "{}"},
                      {"starform.dev/note", "n"}};
  json spec = {{"gatewayClassName", "eg"}};

  json view =
      ComparedView(labels, annotations, spec,
                   {"app.kubernetes.io/managed-by", "applyset.kubernetes.io/part-of", "not-there"},
                   {"starform.dev/note"});
  CHECK(view == json{{"metadata",
                      {{"labels",
                        {{"applyset.kubernetes.io/part-of", "applyset-x-v1"},
                         {"app.kubernetes.io/managed-by", "starform"}}},
                       {"annotations", {{"starform.dev/note", "n"}}}}},
                     {"spec", {{"gatewayClassName", "eg"}}}});

  SECTION("absent keys and empty maps are left out") {
    json only_spec = ComparedView(labels, annotations, spec, {"missing"}, {});
    CHECK(only_spec == json{{"spec", {{"gatewayClassName", "eg"}}}});
  }
  SECTION("a null spec is left out") {
    CHECK(ComparedView(labels, json(), json(), {"team"}, {"x"}) ==
          json{{"metadata", {{"labels", {{"team", "payments"}}}}}});
    CHECK(ComparedView(json(), json(), json(), {"team"}, {"x"}) == json::object());
  }
  SECTION("an empty spec is kept") {
    CHECK(ComparedView(json::object(), json::object(), json::object(), {}, {}) ==
          json{{"spec", json::object()}});
  }
}

TEST_CASE("diff: OwnedMetadataKeys reads the labels and annotations a manager owns") {
  json managed = json::array({
      Entry("starform", "Apply",
            {{"f:metadata",
              {{"f:labels",
                {{"f:app.kubernetes.io/managed-by", json::object()},
                 {"f:applyset.kubernetes.io/part-of", json::object()}}},
               {"f:annotations", {{"f:starform.dev/owner", json::object()}}}}},
             {"f:spec", {{"f:gatewayClassName", json::object()}}}}),
      Entry("kubectl-label", "Update",
            {{"f:metadata", {{"f:labels", {{"f:team", json::object()}}}}}}),
      Entry("kubectl-edit", "Update", {{"f:spec", {{"f:listeners", json::object()}}}}),
  });

  CHECK(OwnedMetadataKeys(managed, "starform", "labels") ==
        std::set<std::string>{"app.kubernetes.io/managed-by", "applyset.kubernetes.io/part-of"});
  CHECK(OwnedMetadataKeys(managed, "starform", "annotations") ==
        std::set<std::string>{"starform.dev/owner"});
  CHECK(OwnedMetadataKeys(managed, "kubectl-label", "labels") == std::set<std::string>{"team"});
  CHECK(OwnedMetadataKeys(managed, "kubectl-label", "annotations").empty());
  CHECK(OwnedMetadataKeys(managed, "kubectl-edit", "labels").empty());
  CHECK(OwnedMetadataKeys(managed, "helm", "labels").empty());
  CHECK(OwnedMetadataKeys(json(), "starform", "labels").empty());
  CHECK(OwnedMetadataKeys(json::object(), "starform", "labels").empty());
}

TEST_CASE("diff: OwnedMetadataKeys unions the keys of several entries of one manager") {
  // One manager can have an Apply and an Update entry (kubectl label --field-manager=starform).
  json managed = json::array({
      Entry("starform", "Apply", {{"f:metadata", {{"f:labels", {{"f:a", json::object()}}}}}}),
      Entry("starform", "Update", {{"f:metadata", {{"f:labels", {{"f:b", json::object()}}}}}}),
  });
  CHECK(OwnedMetadataKeys(managed, "starform", "labels") == std::set<std::string>{"a", "b"});
}

TEST_CASE("diff: a changed scalar is one modify and equal leaves are counted") {
  json before = {{"spec", {{"gatewayClassName", "eg"}, {"port", 80}, {"tls", {{"mode", "T"}}}}}};
  json after = {{"spec", {{"gatewayClassName", "eg"}, {"port", 8080}, {"tls", {{"mode", "T"}}}}}};
  Diff diff = DiffViews(before, after, json(), LiveOnlyFields::kRemoveIfOwned);
  REQUIRE(diff.changes.size() == 1);
  const FieldChange& change = diff.changes[0];
  CHECK(change.op == FieldChange::Op::kModify);
  CHECK(change.path == "spec.port");
  CHECK(change.before == 80);
  CHECK(change.after == 8080);
  CHECK(change.drift_manager.empty());
  CHECK(diff.unchanged == 2);
}

TEST_CASE("diff: equal views have no changes and count every leaf") {
  json view = {{"metadata", {{"labels", {{"app.kubernetes.io/managed-by", "starform"}}}}},
               {"spec",
                {{"listeners", {Listener("http", 80, "HTTP"), Listener("https", 443, "HTTPS")}},
                 {"addresses", json::array()}}}};
  Diff diff = DiffViews(view, view, GatewayManagedFields(), LiveOnlyFields::kCompareAll);
  CHECK(diff.changes.empty());
  CHECK(diff.unchanged == 8);  // 1 label, 6 listener fields, 1 empty list
}

TEST_CASE("diff: a field only the desired side has is an add") {
  json before = {{"spec", {{"gatewayClassName", "eg"}}}};
  json after = {{"spec", {{"gatewayClassName", "eg"}, {"infrastructure", {{"a", 1}, {"b", 2}}}}}};
  Diff diff = DiffViews(before, after, GatewayManagedFields(), LiveOnlyFields::kRemoveIfOwned);
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].op == FieldChange::Op::kAdd);
  CHECK(diff.changes[0].path == "spec.infrastructure");
  CHECK(diff.changes[0].before.is_null());
  CHECK(diff.changes[0].after == json{{"a", 1}, {"b", 2}});
  CHECK(diff.changes[0].drift_manager.empty());
  CHECK(diff.unchanged == 1);
}

TEST_CASE("diff: a null live side makes every desired field an add") {
  json after = {{"metadata", {{"labels", {{"x", "1"}}}}}, {"spec", {{"a", 1}}}};
  Diff diff = DiffViews(json(), after, json(), LiveOnlyFields::kRemoveIfOwned);
  REQUIRE(diff.changes.size() == 2);
  CHECK(CountOp(diff, FieldChange::Op::kAdd) == 2);
  CHECK(diff.changes[0].path == "metadata");
  CHECK(diff.changes[1].path == "spec");
  CHECK(diff.unchanged == 0);
}

TEST_CASE("diff: a live-only field set by another manager is drift to remove") {
  json before = {{"spec", {{"gatewayClassName", "eg"}, {"addresses", {{{"value", "1.2.3.4"}}}}}}};
  json after = {{"spec", {{"gatewayClassName", "eg"}}}};
  json managed = json::array(
      {Entry("starform", "Apply", {{"f:spec", {{"f:gatewayClassName", json::object()}}}}),
       Entry("kubectl-edit", "Update", {{"f:spec", {{"f:addresses", json::object()}}}})});

  for (LiveOnlyFields mode : {LiveOnlyFields::kRemoveIfOwned, LiveOnlyFields::kCompareAll}) {
    Diff diff = DiffViews(before, after, managed, mode);
    REQUIRE(diff.changes.size() == 1);
    CHECK(diff.changes[0].op == FieldChange::Op::kRemove);
    CHECK(diff.changes[0].path == "spec.addresses");
    CHECK(diff.changes[0].before == json::array({{{"value", "1.2.3.4"}}}));
    CHECK(diff.changes[0].after.is_null());
    CHECK(diff.changes[0].drift_manager == "kubectl-edit");
    CHECK(diff.unchanged == 1);
  }
}

TEST_CASE("diff: a live-only field owned by no manager is a server default") {
  json before = {{"spec", {{"gatewayClassName", "eg"}, {"infrastructure", {{"x", 1}}}}}};
  json after = {{"spec", {{"gatewayClassName", "eg"}}}};
  json managed = json::array(
      {Entry("starform", "Apply", {{"f:spec", {{"f:gatewayClassName", json::object()}}}})});

  SECTION("ignored when only owned fields count") {
    Diff diff = DiffViews(before, after, managed, LiveOnlyFields::kRemoveIfOwned);
    CHECK(diff.changes.empty());
    CHECK(diff.unchanged == 1);
  }
  SECTION("without managedFields at all, also ignored") {
    Diff diff = DiffViews(before, after, json(), LiveOnlyFields::kRemoveIfOwned);
    CHECK(diff.changes.empty());
  }
  SECTION("reported when every difference counts, naming nobody") {
    Diff diff = DiffViews(before, after, managed, LiveOnlyFields::kCompareAll);
    REQUIRE(diff.changes.size() == 1);
    CHECK(diff.changes[0].op == FieldChange::Op::kRemove);
    CHECK(diff.changes[0].path == "spec.infrastructure");
    CHECK(diff.changes[0].drift_manager.empty());
  }
}

TEST_CASE("diff: a live-only field starform set before is removed, naming no drift manager") {
  json before = {{"spec", {{"gatewayClassName", "eg"}, {"old", "x"}}}};
  json after = {{"spec", {{"gatewayClassName", "eg"}}}};
  json managed = json::array(
      {Entry("starform", "Apply",
             {{"f:spec", {{"f:gatewayClassName", json::object()}, {"f:old", json::object()}}}})});
  Diff diff = DiffViews(before, after, managed, LiveOnlyFields::kRemoveIfOwned);
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].op == FieldChange::Op::kRemove);
  CHECK(diff.changes[0].path == "spec.old");
  CHECK(diff.changes[0].drift_manager.empty());
}

TEST_CASE("diff: a modified value set by another manager names that manager") {
  json before = {
      {"spec", {{"gatewayClassName", "eg"}, {"listeners", {Listener("http", 81, "HTTP")}}}}};
  json after = {
      {"spec", {{"gatewayClassName", "eg"}, {"listeners", {Listener("http", 80, "HTTP")}}}}};
  json managed = json::array({
      Entry("starform", "Apply",
            {{"f:spec",
              {{"f:gatewayClassName", json::object()},
               {"f:listeners",
                {{"k:{\"name\":\"http\"}",
                  {{".", json::object()},
                   {"f:name", json::object()},
                   {"f:protocol", json::object()}}}}}}}}),
      Entry("kubectl-edit", "Update",
            {{"f:spec",
              {{"f:listeners", {{"k:{\"name\":\"http\"}", {{"f:port", json::object()}}}}}}}}),
  });
  Diff diff = DiffViews(before, after, managed, LiveOnlyFields::kRemoveIfOwned);
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].op == FieldChange::Op::kModify);
  CHECK(diff.changes[0].path == "spec.listeners[name=\"http\"].port");
  CHECK(diff.changes[0].before == 81);
  CHECK(diff.changes[0].after == 80);
  CHECK(diff.changes[0].drift_manager == "kubectl-edit");
  CHECK(diff.unchanged == 3);

  SECTION("a value starform owns names nobody") {
    json ours = json::array(
        {Entry("starform", "Apply",
               {{"f:spec", {{"f:listeners", {{"k:{\"name\":\"http\"}", ListenerFields()}}}}}})});
    Diff own = DiffViews(before, after, ours, LiveOnlyFields::kRemoveIfOwned);
    REQUIRE(own.changes.size() == 1);
    CHECK(own.changes[0].drift_manager.empty());
  }
}

TEST_CASE("diff: managedFields entries of the status subresource do not own spec fields") {
  // The envoy-gateway entry is for the status subresource; the spec.infrastructure it names is
  // not evidence of a manager, so the live-only field is a server default.
  json before = {{"spec", {{"gatewayClassName", "eg"}, {"infrastructure", {{"x", 1}}}}}};
  json after = {{"spec", {{"gatewayClassName", "eg"}}}};
  Diff diff = DiffViews(before, after, GatewayManagedFields(), LiveOnlyFields::kRemoveIfOwned);
  CHECK(diff.changes.empty());

  SECTION("and a modify of such a field names nobody") {
    json changed = {{"spec", {{"gatewayClassName", "eg"}, {"infrastructure", {{"x", 2}}}}}};
    Diff modify =
        DiffViews(before, changed, GatewayManagedFields(), LiveOnlyFields::kRemoveIfOwned);
    REQUIRE(modify.changes.size() == 1);
    CHECK(modify.changes[0].path == "spec.infrastructure.x");
    CHECK(modify.changes[0].drift_manager.empty());
  }
  SECTION("the same entry without subresource does own it") {
    json managed = GatewayManagedFields();
    managed[2].erase("subresource");
    Diff owned = DiffViews(before, after, managed, LiveOnlyFields::kRemoveIfOwned);
    REQUIRE(owned.changes.size() == 1);
    CHECK(owned.changes[0].op == FieldChange::Op::kRemove);
    CHECK(owned.changes[0].drift_manager == "envoy-gateway");
  }
}

TEST_CASE("diff: a listener another manager added is removed by its name, naming the manager") {
  json desired = {
      {"spec",
       {{"gatewayClassName", "eg"},
        {"listeners", {Listener("http", 80, "HTTP"), Listener("https", 443, "HTTPS")}}}}};
  json live = desired;
  live["spec"]["listeners"].push_back(Listener("extra", 8443, "HTTPS"));

  Diff diff = DiffViews(live, desired, GatewayManagedFields(), LiveOnlyFields::kRemoveIfOwned);
  REQUIRE(diff.changes.size() == 1);
  const FieldChange& change = diff.changes[0];
  CHECK(change.op == FieldChange::Op::kRemove);
  CHECK(change.path == "spec.listeners[name=\"extra\"]");
  CHECK(change.before == Listener("extra", 8443, "HTTPS"));
  CHECK(change.after.is_null());
  CHECK(change.drift_manager == "kubectl-edit");
  CHECK(diff.unchanged == 7);  // gatewayClassName and two listeners of three fields
}

TEST_CASE("diff: an added listener is an add at its name") {
  json live = {{"spec", {{"listeners", {Listener("http", 80, "HTTP")}}}}};
  json desired = {
      {"spec", {{"listeners", {Listener("http", 80, "HTTP"), Listener("https", 443, "HTTPS")}}}}};
  Diff diff = DiffViews(live, desired, GatewayManagedFields(), LiveOnlyFields::kRemoveIfOwned);
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].op == FieldChange::Op::kAdd);
  CHECK(diff.changes[0].path == "spec.listeners[name=\"https\"]");
  CHECK(diff.changes[0].after == Listener("https", 443, "HTTPS"));
}

TEST_CASE("diff: reordered keyed lists are no change") {
  json live = {
      {"spec", {{"listeners", {Listener("https", 443, "HTTPS"), Listener("http", 80, "HTTP")}}}}};
  json desired = {
      {"spec", {{"listeners", {Listener("http", 80, "HTTP"), Listener("https", 443, "HTTPS")}}}}};
  for (LiveOnlyFields mode : {LiveOnlyFields::kRemoveIfOwned, LiveOnlyFields::kCompareAll}) {
    Diff diff = DiffViews(live, desired, GatewayManagedFields(), mode);
    CHECK(diff.changes.empty());
    CHECK(diff.unchanged == 6);
  }
}

json Rule(const std::string& path, json backend_refs) {
  return {{"matches", {{{"path", {{"type", "PathPrefix"}, {"value", path}}}}}},
          {"backendRefs", std::move(backend_refs)}};
}

json Backend(const std::string& name, int port) {
  return {{"name", name}, {"port", port}};
}

TEST_CASE("diff: lists without unique names are compared by index when as long") {
  // Two backendRefs to one Service: the names are not unique, so the items go by index.
  json live = {{"spec", {{"rules", {Rule("/", {Backend("shop", 8080), Backend("shop", 9000)})}}}}};
  json desired = {
      {"spec", {{"rules", {Rule("/", {Backend("shop", 8080), Backend("shop", 9090)})}}}}};
  Diff diff = DiffViews(live, desired, json(), LiveOnlyFields::kRemoveIfOwned);
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].op == FieldChange::Op::kModify);
  CHECK(diff.changes[0].path == "spec.rules[0].backendRefs[1].port");
  CHECK(diff.changes[0].before == 9000);
  CHECK(diff.changes[0].after == 9090);
  CHECK(diff.unchanged == 5);  // type, value, and name, port, name

  SECTION("a match path modified goes by index too") {
    json moved = {
        {"spec", {{"rules", {Rule("/shop", {Backend("shop", 8080), Backend("shop", 9000)})}}}}};
    Diff path_diff = DiffViews(live, moved, json(), LiveOnlyFields::kRemoveIfOwned);
    REQUIRE(path_diff.changes.size() == 1);
    CHECK(path_diff.changes[0].path == "spec.rules[0].matches[0].path.value");
  }
}

TEST_CASE("diff: backendRefs with unique names are matched by name") {
  json live = {{"spec", {{"rules", {Rule("/", {Backend("shop", 8080)})}}}}};
  json desired = {{"spec", {{"rules", {Rule("/", {Backend("shop", 9090)})}}}}};
  Diff diff = DiffViews(live, desired, json(), LiveOnlyFields::kRemoveIfOwned);
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].path == "spec.rules[0].backendRefs[name=\"shop\"].port");
}

TEST_CASE("diff: lists of different lengths without names change as a whole") {
  json live = {{"spec", {{"hostnames", {"a.example.com"}}}}};
  json desired = {{"spec", {{"hostnames", {"a.example.com", "b.example.com"}}}}};
  json managed = json::array(
      {Entry("kubectl-edit", "Update", {{"f:spec", {{"f:hostnames", json::object()}}}})});
  Diff diff = DiffViews(live, desired, managed, LiveOnlyFields::kRemoveIfOwned);
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].op == FieldChange::Op::kModify);
  CHECK(diff.changes[0].path == "spec.hostnames");
  CHECK(diff.changes[0].before == json::array({"a.example.com"}));
  CHECK(diff.changes[0].after == json::array({"a.example.com", "b.example.com"}));
  CHECK(diff.changes[0].drift_manager == "kubectl-edit");
  CHECK(diff.unchanged == 0);

  SECTION("an empty list against a full one, too") {
    json empty = {{"spec", {{"hostnames", json::array()}}}};
    Diff from_empty = DiffViews(empty, desired, json(), LiveOnlyFields::kRemoveIfOwned);
    REQUIRE(from_empty.changes.size() == 1);
    CHECK(from_empty.changes[0].op == FieldChange::Op::kModify);
    CHECK(from_empty.changes[0].path == "spec.hostnames");
  }
}

// An HTTPRoute after `kubectl edit` added a header filter to its only rule. spec.rules is
// x-kubernetes-list-type: atomic in the Gateway API CRD, so the API server records the editor as
// owning the whole list: fieldsV1 {"f:spec": {"f:rules": {}}} (starform loses it).
json EditedRoute(json* desired, json* managed) {
  *desired = {{"spec",
               {{"hostnames", json::array({"shop.example.com"})},
                {"rules", json::array({Rule("/", json::array({Backend("shop", 8080)}))})}}}};
  json live = *desired;
  json set_header = {{"name", "X-Starform-User-ID"}, {"value", "admin"}};
  live["spec"]["rules"][0]["filters"] =
      json::array({{{"type", "RequestHeaderModifier"},
                    {"requestHeaderModifier", {{"set", json::array({set_header})}}}}});
  *managed = json::array({
      Entry("starform", "Apply", {{"f:spec", {{"f:hostnames", json::object()}}}}),
      Entry("kubectl-edit", "Update", {{"f:spec", {{"f:rules", json::object()}}}}),
  });
  return live;
}

TEST_CASE("diff: a field added inside an atomic list by another manager is drift") {
  json desired;
  json managed;
  json live = EditedRoute(&desired, &managed);
  Diff diff = DiffViews(live, desired, managed, LiveOnlyFields::kRemoveIfOwned);
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].op == FieldChange::Op::kRemove);
  CHECK(diff.changes[0].path == "spec.rules[0].filters");
  CHECK(diff.changes[0].drift_manager == "kubectl-edit");
}

TEST_CASE("diff: a value changed inside an atomic list names the manager that owns the list") {
  json desired;
  json managed;
  EditedRoute(&desired, &managed);
  json live = desired;
  live["spec"]["rules"][0]["backendRefs"][0]["port"] = 9999;
  Diff diff = DiffViews(live, desired, managed, LiveOnlyFields::kRemoveIfOwned);
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].path == "spec.rules[0].backendRefs[name=\"shop\"].port");
  CHECK(diff.changes[0].drift_manager == "kubectl-edit");
}

TEST_CASE("diff: the same field added inside an atomic list counts when all differences do") {
  json desired;
  json managed;
  json live = EditedRoute(&desired, &managed);
  Diff diff = DiffViews(live, desired, managed, LiveOnlyFields::kCompareAll);
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].op == FieldChange::Op::kRemove);
  CHECK(diff.changes[0].path == "spec.rules[0].filters");
}

TEST_CASE("diff: label keys with dots and slashes are quoted in paths") {
  json live = {
      {"metadata", {{"labels", {{"app.kubernetes.io/managed-by", "helm"}, {"tier", "edge"}}}}}};
  json desired = {
      {"metadata", {{"labels", {{"app.kubernetes.io/managed-by", "starform"}, {"tier", "edge"}}}}}};
  json managed = json::array({Entry(
      "helm", "Update",
      {{"f:metadata",
        {{"f:labels",
          {{"f:app.kubernetes.io/managed-by", json::object()}, {"f:tier", json::object()}}}}}})});
  Diff diff = DiffViews(live, desired, managed, LiveOnlyFields::kRemoveIfOwned);
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].op == FieldChange::Op::kModify);
  CHECK(diff.changes[0].path == "metadata.labels[\"app.kubernetes.io/managed-by\"]");
  CHECK(diff.changes[0].before == "helm");
  CHECK(diff.changes[0].after == "starform");
  CHECK(diff.changes[0].drift_manager == "helm");
  CHECK(diff.unchanged == 1);
}

TEST_CASE("diff: LeafPaths spells every leaf as DiffViews does") {
  json view = {{"metadata", {{"labels", {{"app.kubernetes.io/managed-by", "starform"}}}}},
               {"spec",
                {{"empty", json::object()},
                 {"listeners", {Listener("http", 80, "HTTP")}},
                 {"rules", {{{"matches", json::array()}, {"filters", {"a", "b"}}}}}}}};
  CHECK(LeafPaths(view) == std::vector<std::string>{
                               "metadata.labels[\"app.kubernetes.io/managed-by\"]",
                               "spec.empty",
                               "spec.listeners[name=\"http\"].name",
                               "spec.listeners[name=\"http\"].port",
                               "spec.listeners[name=\"http\"].protocol",
                               "spec.rules[0].filters[0]",
                               "spec.rules[0].filters[1]",
                               "spec.rules[0].matches",
                           });
  CHECK(CountLeaves(view) == LeafPaths(view).size());
}

TEST_CASE("diff: CountLeaves counts scalars and empty containers") {
  CHECK(CountLeaves(json(5)) == 1);
  CHECK(CountLeaves(json()) == 1);
  CHECK(CountLeaves(json::object()) == 1);
  CHECK(CountLeaves(json::array()) == 1);
  CHECK(CountLeaves(json::array({1, 2, json::array({3, 4}), json::object()})) == 5);
  CHECK(CountLeaves(json{{"a", {{"b", 1}, {"c", json::array()}}}, {"d", "x"}}) == 3);
}

}  // namespace
}  // namespace starform
