// Tests of the live side (plan/live.h): what is kept of a served object, the content digest a
// saved plan is checked against, and how listed objects are sorted into owned, at a desired name,
// foreign routes on our Gateway, and dropped.

#include "plan/live.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "plan/render.h"

namespace starform {
namespace {

using nlohmann::json;

constexpr const char* kGatewayApiV1 = "gateway.networking.k8s.io/v1";

// A Gateway as the API server serves it: server-owned metadata, managedFields and status.
json ServedGateway() {
  return {
      {"apiVersion", kGatewayApiV1},
      {"kind", "Gateway"},
      {"metadata",
       {{"name", "starform"},
        {"namespace", "starform-system"},
        {"uid", "0b6d7c4e-1111-4c1a-9a55-2f1d7e2b9a01"},
        {"resourceVersion", "48213"},
        {"generation", 3},
        {"creationTimestamp", "2025-05-01T10:00:00Z"},
        {"labels", {{kApplySetPartOfLabel, ApplySetId()}, {kManagedByLabel, kManagedByValue}}},
        {"annotations", {{"starform.dev/note", "edge"}}},
        {"managedFields",
         {{{"manager", "starform"},
           {"operation", "Apply"},
           {"apiVersion", kGatewayApiV1},
           {"fieldsType", "FieldsV1"},
           {"fieldsV1", {{"f:spec", {{"f:gatewayClassName", json::object()}}}}}}}}}},
      {"spec",
       {{"gatewayClassName", "eg"},
        {"listeners", {{{"name", "http"}, {"port", 80}, {"protocol", "HTTP"}}}}}},
      {"status",
       {{"addresses", {{{"type", "IPAddress"}, {"value", "203.0.113.7"}}}},
        {"conditions", {{{"type", "Programmed"}, {"status", "True"}}}}}},
  };
}

TEST_CASE("live: KeepForPlan keeps identity, metadata starform reads and spec but never status") {
  json served = ServedGateway();
  LiveObject live = KeepForPlan(served);
  CHECK(live.key == ObjectKey{kGatewayApiV1, "Gateway", "starform-system", "starform"});
  CHECK(live.uid == "0b6d7c4e-1111-4c1a-9a55-2f1d7e2b9a01");
  CHECK(live.resource_version == "48213");
  CHECK(live.labels == served["metadata"]["labels"]);
  CHECK(live.annotations == json{{"starform.dev/note", "edge"}});
  CHECK(live.spec == served["spec"]);
  // Of managedFields, who owns what stays; times, versions and the operation go.
  REQUIRE(live.managed_fields.size() == served["metadata"]["managedFields"].size());
  for (size_t i = 0; i < live.managed_fields.size(); ++i) {
    json expected = served["metadata"]["managedFields"][i];
    for (const char* unused : {"apiVersion", "time", "fieldsType", "operation"})
      expected.erase(unused);
    CHECK(live.managed_fields[i] == expected);
    CHECK(live.managed_fields[i].contains("fieldsV1"));
    CHECK(live.managed_fields[i].contains("manager"));
  }
  CHECK(live.PartOf() == ApplySetId());
  // Nothing of the status is anywhere in what is kept.
  CHECK(live.spec.dump().find("203.0.113.7") == std::string::npos);
  CHECK(live.labels.dump().find("Programmed") == std::string::npos);
  CHECK(live.annotations.dump().find("Programmed") == std::string::npos);
}

TEST_CASE("live: KeepForPlan of a bare object") {
  json bare = {{"apiVersion", "v1"},
               {"kind", "ConfigMap"},
               {"metadata", {{"name", "x"}, {"namespace", "y"}}}};
  LiveObject live = KeepForPlan(bare);
  CHECK(live.key == ObjectKey{"v1", "ConfigMap", "y", "x"});
  CHECK(live.uid.empty());
  CHECK(live.labels == json::object());
  CHECK(live.annotations == json::object());
  CHECK(live.spec.is_null());
  CHECK(live.managed_fields.is_null());
  CHECK(live.PartOf().empty());
}

TEST_CASE("live: LiveContentDigest follows content, not status or bookkeeping") {
  json served = ServedGateway();
  const std::string digest = LiveContentDigest(KeepForPlan(served));
  CHECK(digest.rfind("sha256:", 0) == 0);
  CHECK(digest.size() == 7 + 64);
  CHECK(digest.find_first_not_of("0123456789abcdef", 7) == std::string::npos);
  CHECK(LiveContentDigest(KeepForPlan(served)) == digest);  // deterministic

  SECTION("unchanged by status, managedFields and resourceVersion") {
    json other = served;
    other["status"]["addresses"][0]["value"] = "198.51.100.1";
    other["metadata"]["resourceVersion"] = "50000";
    other["metadata"]["generation"] = 4;
    other["metadata"]["managedFields"][0]["manager"] = "kubectl-edit";
    other["metadata"]["managedFields"].push_back({{"manager", "envoy-gateway"},
                                                  {"operation", "Update"},
                                                  {"subresource", "status"},
                                                  {"fieldsV1", {{"f:status", json::object()}}}});
    CHECK(LiveContentDigest(KeepForPlan(other)) == digest);
  }
  SECTION("changed by the spec") {
    json other = served;
    other["spec"]["listeners"][0]["port"] = 8080;
    CHECK(LiveContentDigest(KeepForPlan(other)) != digest);
  }
  SECTION("changed by a label") {
    json other = served;
    other["metadata"]["labels"]["team"] = "edge";
    CHECK(LiveContentDigest(KeepForPlan(other)) != digest);
  }
  SECTION("changed by an annotation") {
    json other = served;
    other["metadata"]["annotations"]["starform.dev/note"] = "changed";
    CHECK(LiveContentDigest(KeepForPlan(other)) != digest);
  }
  SECTION("changed by the uid (deleted and recreated)") {
    json other = served;
    other["metadata"]["uid"] = "0b6d7c4e-2222-4c1a-9a55-2f1d7e2b9a01";
    CHECK(LiveContentDigest(KeepForPlan(other)) != digest);
  }
}

// An item of a LIST: no apiVersion or kind of its own.
json Item(const std::string& ns, const std::string& name, json labels, json spec) {
  return {{"metadata",
           {{"namespace", ns},
            {"name", name},
            {"uid", "uid-" + ns + "-" + name},
            {"labels", std::move(labels)}}},
          {"spec", std::move(spec)}};
}

json Owned() {
  return {{kApplySetPartOfLabel, ApplySetId()}, {kManagedByLabel, kManagedByValue}};
}

json RouteSpec(json parent_refs, json hostnames) {
  return {{"parentRefs", std::move(parent_refs)}, {"hostnames", std::move(hostnames)}};
}

struct SorterFixture {
  LiveSorter sorter{{
                        ObjectKey{kGatewayApiV1, "Gateway", "starform-system", "starform"},
                        ObjectKey{kGatewayApiV1, "HTTPRoute", "tenant-a", "shop"},
                        ObjectKey{"gateway.networking.k8s.io/v1beta1", "ReferenceGrant", "shared",
                                  "starform-tenant-a"},
                    },
                    "starform-system",
                    "starform"};
  LiveState state;

  void Route(const std::string& ns, const std::string& name, json parent_refs,
             json hostnames = json::array({"x.example.com"})) {
    sorter.Add(
        kGatewayApiV1, "HTTPRoute",
        Item(ns, name, json::object(), RouteSpec(std::move(parent_refs), std::move(hostnames))),
        &state);
  }

  const LiveForeignRoute* Foreign(const std::string& ns, const std::string& name) const {
    for (const LiveForeignRoute& route : state.foreign_routes)
      if (route.ns == ns && route.name == name)
        return &route;
    return nullptr;
  }
};

TEST_CASE("live: LiveSorter keeps owned objects, with the listed version") {
  SorterFixture f;
  f.sorter.Add(kGatewayApiV1, "HTTPRoute",
               Item("tenant-a", "old", Owned(), RouteSpec(json::array(), json::array())), &f.state);
  ObjectKey key{kGatewayApiV1, "HTTPRoute", "tenant-a", "old"};
  REQUIRE(f.state.objects.count(key) == 1);
  const LiveObject& live = f.state.objects.at(key);
  CHECK(live.key == key);
  CHECK(live.uid == "uid-tenant-a-old");
  CHECK(live.PartOf() == ApplySetId());
  CHECK(f.state.foreign_routes.empty());
}

TEST_CASE("live: LiveSorter keeps unowned objects at desired names, under the desired version") {
  SorterFixture f;
  f.sorter.Add(kGatewayApiV1, "HTTPRoute",
               Item("tenant-a", "shop", {{"app", "shop"}},
                    RouteSpec({{{"name", "starform"}, {"namespace", "starform-system"}}},
                              json::array({"shop.example.com"}))),
               &f.state);
  // Listed at v1 although starform renders v1beta1: still the desired object.
  f.sorter.Add(kGatewayApiV1, "ReferenceGrant",
               Item("shared", "starform-tenant-a", json::object(), json::object()), &f.state);

  ObjectKey route{kGatewayApiV1, "HTTPRoute", "tenant-a", "shop"};
  ObjectKey grant{"gateway.networking.k8s.io/v1beta1", "ReferenceGrant", "shared",
                  "starform-tenant-a"};
  REQUIRE(f.state.objects.count(route) == 1);
  REQUIRE(f.state.objects.count(grant) == 1);
  CHECK(f.state.objects.at(grant).key == grant);
  CHECK(f.state.objects.at(route).PartOf().empty());
  // A route at a desired name is an object to adopt, not a foreign route.
  CHECK(f.state.foreign_routes.empty());
}

TEST_CASE("live: LiveSorter drops foreign objects that are not routes on our Gateway") {
  SorterFixture f;
  f.sorter.Add(kGatewayApiV1, "Gateway",
               Item("other", "gw", json::object(), {{"gatewayClassName", "eg"}}), &f.state);
  // Another ApplySet's object is not ours either.
  f.sorter.Add(kGatewayApiV1, "Gateway",
               Item("starform-system", "other",
                    {{kApplySetPartOfLabel, "applyset-someone-else-v1"}}, json::object()),
               &f.state);
  // Same name as a desired object, other kind.
  f.sorter.Add("gateway.envoyproxy.io/v1alpha1", "SecurityPolicy",
               Item("tenant-a", "shop", json::object(), json::object()), &f.state);
  f.Route("tenant-x", "to-other-gateway", {{{"name", "other"}, {"namespace", "starform-system"}}});
  f.Route("tenant-x", "other-namespace", {{{"name", "starform"}, {"namespace", "infra"}}});
  // Without a namespace, the parent is in the route's own namespace: not ours.
  f.Route("tenant-x", "defaulted-namespace", {{{"name", "starform"}}});
  // A Service parent (GAMMA) of the same name is not our Gateway.
  f.Route("tenant-x", "service-parent",
          {{{"group", ""},
            {"kind", "Service"},
            {"name", "starform"},
            {"namespace", "starform-system"}}});
  f.Route("tenant-x", "other-group",
          {{{"group", "example.com"},
            {"kind", "Gateway"},
            {"name", "starform"},
            {"namespace", "starform-system"}}});
  f.sorter.Add(kGatewayApiV1, "HTTPRoute",
               Item("tenant-x", "no-parents", json::object(),
                    {{"hostnames", json::array({"a.example.com"})}}),
               &f.state);
  CHECK(f.state.objects.empty());
  CHECK(f.state.foreign_routes.empty());
}

TEST_CASE("live: LiveSorter lists foreign routes that name our Gateway, with their hostnames") {
  SorterFixture f;
  f.Route("tenant-x", "explicit",
          {{{"group", "gateway.networking.k8s.io"},
            {"kind", "Gateway"},
            {"name", "starform"},
            {"namespace", "starform-system"},
            {"sectionName", "https"}}},
          json::array({"a.example.com", "b.example.com"}));
  // group and kind default to the Gateway's; the namespace to the route's own.
  f.Route("starform-system", "same-namespace", {{{"name", "starform"}}},
          json::array({"c.example.com"}));
  // Two parentRefs to our Gateway (two listeners): listed once.
  f.Route("tenant-y", "two-sections",
          {{{"name", "starform"}, {"namespace", "starform-system"}, {"sectionName", "http"}},
           {{"name", "starform"}, {"namespace", "starform-system"}, {"sectionName", "https"}}});
  // Our Gateway second among the parents.
  f.Route("tenant-y", "second-parent",
          {{{"name", "other"}, {"namespace", "infra"}},
           {{"name", "starform"}, {"namespace", "starform-system"}}});
  f.Route("tenant-y", "no-hostnames", {{{"name", "starform"}, {"namespace", "starform-system"}}},
          json());

  CHECK(f.state.objects.empty());
  CHECK(f.state.foreign_routes.size() == 5);
  const LiveForeignRoute* explicit_route = f.Foreign("tenant-x", "explicit");
  REQUIRE(explicit_route != nullptr);
  CHECK(explicit_route->hostnames == std::vector<std::string>{"a.example.com", "b.example.com"});
  const LiveForeignRoute* same = f.Foreign("starform-system", "same-namespace");
  REQUIRE(same != nullptr);
  CHECK(same->hostnames == std::vector<std::string>{"c.example.com"});
  CHECK(f.Foreign("tenant-y", "two-sections") != nullptr);
  CHECK(f.Foreign("tenant-y", "second-parent") != nullptr);
  const LiveForeignRoute* bare = f.Foreign("tenant-y", "no-hostnames");
  REQUIRE(bare != nullptr);
  CHECK(bare->hostnames.empty());
}

TEST_CASE("live: an owned route on our Gateway is an object, not a foreign route") {
  SorterFixture f;
  f.sorter.Add(kGatewayApiV1, "HTTPRoute",
               Item("tenant-b", "gone", Owned(),
                    RouteSpec({{{"name", "starform"}, {"namespace", "starform-system"}}},
                              json::array({"gone.example.com"}))),
               &f.state);
  CHECK(f.state.objects.count(ObjectKey{kGatewayApiV1, "HTTPRoute", "tenant-b", "gone"}) == 1);
  CHECK(f.state.foreign_routes.empty());
}

}  // namespace
}  // namespace starform
