// REST semantics against a real HTTPS server: exact codes and Status bodies.

#include <catch2/catch.hpp>

#include "devcluster/test_cluster.h"

namespace starform::devcluster::testing {
namespace {

using nlohmann::json;

json Status(int code, const std::string& reason, const std::string& message, const json& details) {
  json s = {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::object()},
            {"status", "Failure"}, {"message", message}, {"reason", reason}};
  if (!details.is_null())
    s["details"] = details;
  s["code"] = code;
  return s;
}

TEST_CASE("create, get, 404 and 409 AlreadyExists with the real bodies") {
  auto c = Client();
  MakeNamespace(*c, "rest-create");
  HttpResult created = c->Post(RoutesPath("rest-create"), Route("rest-create", "shop"));
  REQUIRE(created.code == 201);
  json route = created.Json();
  CHECK(route["metadata"]["generation"] == 1);
  CHECK(route["metadata"]["uid"].get<std::string>().size() == 36);
  CHECK(route["metadata"]["uid"].get<std::string>()[14] == '4');
  CHECK(route["metadata"].contains("creationTimestamp"));
  // CRD defaulting on write: the rule's matches default to a PathPrefix "/" match.
  CHECK(route["spec"]["rules"][0]["matches"] ==
        json::parse(R"([{"path":{"type":"PathPrefix","value":"/"}}])"));
  CHECK(route["spec"]["parentRefs"][0]["group"] == "gateway.networking.k8s.io");

  HttpResult got = c->Get(RoutesPath("rest-create") + "/shop");
  CHECK(got.code == 200);
  CHECK(got.Json() == route);

  HttpResult missing = c->Get(RoutesPath("rest-create") + "/nope");
  CHECK(missing.code == 404);
  CHECK(missing.Json() ==
        Status(404, "NotFound", "httproutes.gateway.networking.k8s.io \"nope\" not found",
               {{"name", "nope"}, {"group", "gateway.networking.k8s.io"}, {"kind", "httproutes"}}));

  HttpResult again = c->Post(RoutesPath("rest-create"), Route("rest-create", "shop"));
  CHECK(again.code == 409);
  CHECK(again.Json() ==
        Status(409, "AlreadyExists", "httproutes.gateway.networking.k8s.io \"shop\" already exists",
               {{"name", "shop"}, {"group", "gateway.networking.k8s.io"}, {"kind", "httproutes"}}));

  HttpResult core_missing = c->Get("/api/v1/namespaces/rest-create/services/none");
  CHECK(core_missing.Json() == Status(404, "NotFound", "services \"none\" not found",
                                      {{"name", "none"}, {"kind", "services"}}));
}

TEST_CASE("a create in a namespace that does not exist is 404 namespaces not found") {
  auto c = Client();
  HttpResult r = c->Post(RoutesPath("no-such-ns"), Route("no-such-ns", "shop"));
  CHECK(r.code == 404);
  CHECK(r.Json() == Status(404, "NotFound", "namespaces \"no-such-ns\" not found",
                           {{"name", "no-such-ns"}, {"kind", "namespaces"}}));
}

TEST_CASE("generateName makes a name") {
  auto c = Client();
  MakeNamespace(*c, "rest-genname");
  json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata", {{"generateName", "cfg-"}}},
             {"data", {{"a", "b"}}}};
  HttpResult r = c->Post("/api/v1/namespaces/rest-genname/configmaps", cm);
  REQUIRE(r.code == 201);
  std::string name = r.Json()["metadata"]["name"];
  CHECK(name.size() == 9);
  CHECK(name.rfind("cfg-", 0) == 0);
}

TEST_CASE("update: 409 Conflict on a stale resourceVersion, 422 without one for a CR") {
  auto c = Client();
  MakeNamespace(*c, "rest-update");
  json route = c->Post(RoutesPath("rest-update"), Route("rest-update", "shop")).Json();
  std::string path = RoutesPath("rest-update") + "/shop";
  json changed = route;
  changed["spec"]["hostnames"] = {"new.example.com"};
  HttpResult ok = c->Put(path, changed);
  REQUIRE(ok.code == 200);
  CHECK(ok.Json()["metadata"]["generation"] == 2);
  CHECK(ok.Json()["metadata"]["resourceVersion"] != route["metadata"]["resourceVersion"]);

  HttpResult stale = c->Put(path, changed);  // still carries the first resourceVersion
  CHECK(stale.code == 409);
  CHECK(stale.Json() ==
        Status(409, "Conflict",
               "Operation cannot be fulfilled on httproutes.gateway.networking.k8s.io \"shop\": "
               "the object has been modified; please apply your changes to the latest version "
               "and try again",
               {{"name", "shop"}, {"group", "gateway.networking.k8s.io"}, {"kind", "httproutes"}}));

  json no_rv = ok.Json();
  no_rv["metadata"].erase("resourceVersion");
  HttpResult invalid = c->Put(path, no_rv);
  CHECK(invalid.code == 422);
  CHECK(invalid.Json() ==
        Status(422, "Invalid",
               "HTTPRoute.gateway.networking.k8s.io \"shop\" is invalid: "
               "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update",
               {{"name", "shop"},
                {"group", "gateway.networking.k8s.io"},
                {"kind", "HTTPRoute"},
                {"causes",
                 {{{"reason", "FieldValueInvalid"},
                   {"message", "Invalid value: 0x0: must be specified for an update"},
                   {"field", "metadata.resourceVersion"}}}}}));

  // A PUT that changes nothing keeps the resourceVersion.
  HttpResult same = c->Put(path, ok.Json());
  CHECK(same.code == 200);
  CHECK(same.Json()["metadata"]["resourceVersion"] == ok.Json()["metadata"]["resourceVersion"]);
}

TEST_CASE("generation moves on spec changes only, the status subresource changes only status") {
  auto c = Client();
  MakeNamespace(*c, "rest-status");
  json route = c->Post(RoutesPath("rest-status"), Route("rest-status", "shop")).Json();
  std::string path = RoutesPath("rest-status") + "/shop";

  HttpResult labelled =
      c->Patch(path, R"({"metadata":{"labels":{"a":"b"}}})", "application/merge-patch+json");
  REQUIRE(labelled.code == 200);
  CHECK(labelled.Json()["metadata"]["generation"] == 1);
  CHECK(labelled.Json()["metadata"]["labels"]["a"] == "b");

  json parents = json::parse(R"({"status":{"parents":[{"parentRef":{"name":"eg"},
      "controllerName":"gateway.envoyproxy.io/gatewayclass-controller","conditions":[{"type":"Accepted",
      "status":"True","reason":"Accepted","message":"ok","observedGeneration":1,
      "lastTransitionTime":"2025-01-01T00:00:00Z"}]}]},
      "spec":{"hostnames":["ignored.example.com"]}})");
  HttpResult status = c->Patch(path + "/status", parents.dump(), "application/merge-patch+json");
  INFO(status.body);
  REQUIRE(status.code == 200);
  CHECK(status.Json()["status"]["parents"][0]["controllerName"] ==
        "gateway.envoyproxy.io/gatewayclass-controller");
  CHECK(status.Json()["spec"]["hostnames"] == json::array({"shop.example.com"}));
  CHECK(status.Json()["metadata"]["generation"] == 1);

  // Status sent to the main resource is ignored.
  HttpResult main =
      c->Patch(path, R"({"status":{"parents":[]},"spec":{"hostnames":["x.example.com"]}})",
               "application/merge-patch+json");
  REQUIRE(main.code == 200);
  CHECK(main.Json()["metadata"]["generation"] == 2);
  CHECK(main.Json()["status"]["parents"].size() == 1);
  CHECK(c->Get(path + "/status").Json()["spec"]["hostnames"][0] == "x.example.com");
}

TEST_CASE("json-patch, merge-patch, strategic merge on CRs, force outside apply") {
  auto c = Client();
  MakeNamespace(*c, "rest-patch");
  c->Post(RoutesPath("rest-patch"), Route("rest-patch", "shop"));
  std::string path = RoutesPath("rest-patch") + "/shop";
  HttpResult jp =
      c->Patch(path, R"([{"op":"replace","path":"/spec/hostnames/0","value":"a.example.com"}])",
               "application/json-patch+json");
  CHECK(jp.code == 200);
  CHECK(jp.Json()["spec"]["hostnames"][0] == "a.example.com");

  HttpResult failed = c->Patch(path, R"([{"op":"test","path":"/spec/hostnames/0","value":"zzz"}])",
                               "application/json-patch+json");
  CHECK(failed.code == 422);
  CHECK(failed.Json()["reason"] == "Invalid");
  CHECK(failed.Json()["message"] ==
        "the server rejected our request due to an error in our request");

  HttpResult smp = c->Patch(path, "{}", "application/strategic-merge-patch+json");
  CHECK(smp.code == 415);
  CHECK(smp.Json()["reason"] == "UnsupportedMediaType");

  HttpResult force = c->Patch(path + "?force=true", "{}", "application/merge-patch+json");
  CHECK(force.code == 422);
  CHECK(force.Json()["message"] ==
        "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for "
        "non-apply patch");

  HttpResult missing =
      c->Patch(RoutesPath("rest-patch") + "/nope", "{}", "application/merge-patch+json");
  CHECK(missing.code == 404);
}

TEST_CASE("server-side apply needs a fieldManager") {
  auto c = Client();
  HttpResult r = c->Patch(RoutesPath("default") + "/shop", Route("default", "shop").dump(),
                          "application/apply-patch+yaml");
  CHECK(r.code == 422);
  CHECK(r.Json() ==
        Status(422, "Invalid",
               "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is "
               "required for apply patch",
               {{"group", "meta.k8s.io"},
                {"kind", "PatchOptions"},
                {"causes",
                 {{{"reason", "FieldValueRequired"},
                   {"message", "Required value: is required for apply patch"},
                   {"field", "fieldManager"}}}}}));
}

TEST_CASE("schema validation answers 422 Invalid with causes") {
  auto c = Client();
  MakeNamespace(*c, "rest-invalid");
  json route = Route("rest-invalid", "bad");
  route["spec"]["hostnames"] = {"-nope-"};
  route["spec"]["rules"][0]["backendRefs"][0]["port"] = 70000;
  HttpResult r = c->Post(RoutesPath("rest-invalid"), route);
  CHECK(r.code == 422);
  json body = r.Json();
  CHECK(body["reason"] == "Invalid");
  CHECK(body["details"]["name"] == "bad");
  CHECK(body["details"]["kind"] == "HTTPRoute");
  REQUIRE(body["details"]["causes"].size() == 2);
  CHECK(body["details"]["causes"][0]["field"] == "spec.hostnames[0]");
  CHECK(body["details"]["causes"][0]["reason"] == "FieldValueInvalid");
  CHECK(body["details"]["causes"][1]["field"] == "spec.rules[0].backendRefs[0].port");
  CHECK(body["message"].get<std::string>().rfind(
            "HTTPRoute.gateway.networking.k8s.io \"bad\" is invalid: [spec.hostnames[0]: ", 0) ==
        0);
  CHECK(c->Get(RoutesPath("rest-invalid") + "/bad").code == 404);
}

TEST_CASE("fieldValidation Strict, Warn and Ignore") {
  auto c = Client();
  MakeNamespace(*c, "rest-fields");
  json route = Route("rest-fields", "shop");
  route["spec"]["foo"] = 1;
  HttpResult strict = c->Post(RoutesPath("rest-fields") + "?fieldValidation=Strict", route);
  CHECK(strict.code == 400);
  CHECK(strict.Json() ==
        Status(400, "BadRequest",
               "HTTPRoute in version \"v1\" cannot be handled as a HTTPRoute: strict decoding "
               "error: unknown field \"spec.foo\"",
               nullptr));
  HttpResult warn = c->Post(RoutesPath("rest-fields") + "?fieldValidation=Warn", route);
  CHECK(warn.code == 201);
  CHECK(warn.Header("warning") == "299 - \"unknown field \\\"spec.foo\\\"\"");
  CHECK_FALSE(warn.Json()["spec"].contains("foo"));
  route["metadata"]["name"] = "shop2";
  HttpResult ignore = c->Post(RoutesPath("rest-fields") + "?fieldValidation=Ignore", route);
  CHECK(ignore.code == 201);
  CHECK(ignore.Header("warning").empty());
}

TEST_CASE("size limits: annotations, request body, object") {
  auto c = Client();
  MakeNamespace(*c, "rest-size");
  json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata", {{"name", "big"}, {"annotations", {{"a", std::string(262145, 'x')}}}}}};
  HttpResult annotations = c->Post("/api/v1/namespaces/rest-size/configmaps", cm);
  CHECK(annotations.code == 422);
  CHECK(annotations.Json()["message"] ==
        "ConfigMap \"big\" is invalid: metadata.annotations: Too long: must have at most 262144 "
        "bytes");
  CHECK(annotations.Json()["details"]["causes"][0]["reason"] == "FieldValueTooLong");

  cm["metadata"].erase("annotations");
  cm["data"] = {{"a", std::string(2 * 1024 * 1024, 'x')}};
  HttpResult object = c->Post("/api/v1/namespaces/rest-size/configmaps", cm);
  CHECK(object.code == 500);
  CHECK(object.Json() ==
        json::parse(
            R"({"kind":"Status","apiVersion":"v1","metadata":{},)"
            R"("status":"Failure","message":"etcdserver: request is too large","code":500})"));

  cm["data"] = {{"a", std::string(4 * 1024 * 1024, 'x')}};
  HttpResult body = c->Post("/api/v1/namespaces/rest-size/configmaps", cm);
  CHECK(body.code == 413);
  CHECK(body.Json()["reason"] == "RequestEntityTooLarge");
  CHECK(body.Json()["message"] == "Request entity too large: limit is 3145728");
}

TEST_CASE("dryRun=All validates without storing, other values are refused") {
  DevCluster& cluster = SharedCluster();
  auto c = Client();
  MakeNamespace(*c, "rest-dryrun");
  uint64_t rv = cluster.store().current_rv();
  HttpResult dry = c->Post(RoutesPath("rest-dryrun") + "?dryRun=All", Route("rest-dryrun", "shop"));
  CHECK(dry.code == 201);
  CHECK(dry.Json()["spec"]["rules"][0]["matches"][0]["path"]["type"] == "PathPrefix");
  CHECK(cluster.store().current_rv() == rv);
  CHECK(c->Get(RoutesPath("rest-dryrun") + "/shop").code == 404);

  json bad = Route("rest-dryrun", "shop");
  bad["spec"]["hostnames"] = {"-"};
  CHECK(c->Post(RoutesPath("rest-dryrun") + "?dryRun=All", bad).code == 422);

  HttpResult other =
      c->Post(RoutesPath("rest-dryrun") + "?dryRun=Some", Route("rest-dryrun", "shop"));
  CHECK(other.code == 422);
  CHECK(other.Json()["message"] ==
        "CreateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: "
        "[]string{\"Some\"}: supported values: \"All\"");

  c->Post(RoutesPath("rest-dryrun"), Route("rest-dryrun", "shop"));
  rv = cluster.store().current_rv();
  CHECK(c->Delete(RoutesPath("rest-dryrun") + "/shop?dryRun=All").code == 200);
  CHECK(c->Get(RoutesPath("rest-dryrun") + "/shop").code == 200);
  CHECK(cluster.store().current_rv() == rv);
}

TEST_CASE("delete: Status Success, 404, preconditions, finalizers") {
  auto c = Client();
  MakeNamespace(*c, "rest-delete");
  json route = c->Post(RoutesPath("rest-delete"), Route("rest-delete", "shop")).Json();
  std::string path = RoutesPath("rest-delete") + "/shop";

  HttpResult pre = c->Delete(path, R"({"preconditions":{"uid":"other"}})");
  CHECK(pre.code == 409);
  CHECK(pre.Json()["message"] ==
        "Operation cannot be fulfilled on httproutes.gateway.networking.k8s.io \"shop\": "
        "Precondition failed: UID in precondition: other, UID in object meta: " +
            route["metadata"]["uid"].get<std::string>());

  HttpResult gone = c->Delete(path);
  CHECK(gone.code == 200);
  CHECK(gone.Json() == json({{"kind", "Status"},
                             {"apiVersion", "v1"},
                             {"metadata", json::object()},
                             {"status", "Success"},
                             {"details",
                              {{"name", "shop"},
                               {"group", "gateway.networking.k8s.io"},
                               {"kind", "httproutes"},
                               {"uid", route["metadata"]["uid"]}}}}));
  CHECK(c->Delete(path).code == 404);

  json held = Route("rest-delete", "held");
  held["metadata"]["finalizers"] = {"example.com/hold"};
  c->Post(RoutesPath("rest-delete"), held);
  std::string held_path = RoutesPath("rest-delete") + "/held";
  HttpResult marked = c->Delete(held_path);
  CHECK(marked.code == 200);
  CHECK(marked.Json()["metadata"].contains("deletionTimestamp"));
  CHECK(c->Get(held_path).code == 200);
  HttpResult released =
      c->Patch(held_path, R"({"metadata":{"finalizers":null}})", "application/merge-patch+json");
  CHECK(released.code == 200);
  CHECK(c->Get(held_path).code == 404);
}

TEST_CASE("deletecollection with a labelSelector") {
  auto c = Client();
  MakeNamespace(*c, "rest-delcol");
  for (const char* name : {"a", "b", "c"}) {
    json cm = {{"apiVersion", "v1"},
               {"kind", "ConfigMap"},
               {"metadata",
                {{"name", name}, {"labels", {{"drop", name == std::string("c") ? "no" : "yes"}}}}}};
    REQUIRE(c->Post("/api/v1/namespaces/rest-delcol/configmaps", cm).code == 201);
  }
  HttpResult r = c->Delete("/api/v1/namespaces/rest-delcol/configmaps?labelSelector=drop%3Dyes");
  CHECK(r.code == 200);
  CHECK(r.Json()["kind"] == "ConfigMapList");
  CHECK(r.Json()["items"].size() == 2);
  json left = c->Get("/api/v1/namespaces/rest-delcol/configmaps").Json();
  REQUIRE(left["items"].size() == 1);
  CHECK(left["items"][0]["metadata"]["name"] == "c");
}

}  // namespace
}  // namespace starform::devcluster::testing

namespace starform::devcluster::testing {
namespace {

using nlohmann::json;

TEST_CASE("server-side apply creates, is idempotent, conflicts, and force takes over") {
  auto c = Client();
  MakeNamespace(*c, "rest-apply");
  std::string path = RoutesPath("rest-apply") + "/shop";
  std::string yaml =
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: shop\n"
      "spec:\n  hostnames: [shop.example.com]\n";
  HttpResult created =
      c->Patch(path + "?fieldManager=starform", yaml, "application/apply-patch+yaml");
  INFO(created.body);
  REQUIRE(created.code == 201);
  json object = created.Json();
  CHECK(object["metadata"]["managedFields"][0]["manager"] == "starform");
  CHECK(object["metadata"]["managedFields"][0]["operation"] == "Apply");

  HttpResult again =
      c->Patch(path + "?fieldManager=starform", yaml, "application/apply-patch+yaml");
  CHECK(again.code == 200);
  CHECK(again.Json()["metadata"]["resourceVersion"] == object["metadata"]["resourceVersion"]);

  std::string other =
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: shop\n"
      "spec:\n  hostnames: [other.example.com]\n";
  HttpResult conflict =
      c->Patch(path + "?fieldManager=intruder", other, "application/apply-patch+yaml");
  CHECK(conflict.code == 409);
  CHECK(conflict.Json()["reason"] == "Conflict");
  CHECK(conflict.Json()["message"] ==
        "Apply failed with 1 conflict: conflict with \"starform\": .spec.hostnames");
  CHECK(conflict.Json()["details"]["causes"][0]["reason"] == "FieldManagerConflict");

  HttpResult forced =
      c->Patch(path + "?fieldManager=intruder&force=true", other, "application/apply-patch+yaml");
  CHECK(forced.code == 200);
  CHECK(forced.Json()["spec"]["hostnames"][0] == "other.example.com");
  CHECK(forced.Json()["metadata"]["generation"] == 2);
}

TEST_CASE("non-apply writes record an Update managedFields entry for their manager") {
  auto c = Client();
  MakeNamespace(*c, "rest-managed");
  HttpResult r =
      c->Post(RoutesPath("rest-managed") + "?fieldManager=tool", Route("rest-managed", "shop"));
  REQUIRE(r.code == 201);
  json entry = r.Json()["metadata"]["managedFields"][0];
  CHECK(entry["manager"] == "tool");
  CHECK(entry["operation"] == "Update");
  CHECK(entry["fieldsType"] == "FieldsV1");
  HttpResult agent = c->Post(RoutesPath("rest-managed"), Route("rest-managed", "web"));
  CHECK(agent.Json()["metadata"]["managedFields"][0]["manager"] == "devcluster-test");
}

}  // namespace
}  // namespace starform::devcluster::testing
