// CRD structural-schema defaulting on every write verb, against the shared cluster with the
// upstream Gateway CRD: kube-apiserver defaults the whole resulting object (inside new list
// items and new nested objects too) before it validates it and runs the CEL rules, whether the
// object came from a create, an update, a merge or JSON patch or a server-side apply.

#include <catch2/catch.hpp>

#include "devcluster/test_cluster.h"
#include "kube/schema.h"
#include "kube/schema_testing.h"

namespace starform::devcluster::testing {
namespace {

using nlohmann::json;

std::string GatewaysPath(const std::string& ns) {
  return "/apis/gateway.networking.k8s.io/v1/namespaces/" + ns + "/gateways";
}

json Listener(const std::string& name, int port, const std::string& protocol) {
  return {{"name", name}, {"port", port}, {"protocol", protocol}};
}

// An HTTPS listener whose tls sets only certificateRefs[].name: no mode, no group, no kind.
json BareHttpsListener(const std::string& name, int port, const std::string& cert) {
  json listener = Listener(name, port, "HTTPS");
  listener["tls"] = {{"certificateRefs", {{{"name", cert}}}}};
  return listener;
}

json Gateway(const std::string& ns, const std::string& name, const json& listeners) {
  return {{"apiVersion", "gateway.networking.k8s.io/v1"},
          {"kind", "Gateway"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"gatewayClassName", "eg"}, {"listeners", listeners}}}};
}

const json kAllowedRoutes = json::parse(R"({"namespaces":{"from":"Same"}})");

// What the server stores for BareHttpsListener: the CRD's defaults filled in at every level.
json DefaultedHttpsListener(const std::string& name, int port, const std::string& cert) {
  json listener = Listener(name, port, "HTTPS");
  listener["allowedRoutes"] = kAllowedRoutes;
  listener["tls"] = {{"mode", "Terminate"},
                     {"certificateRefs", {{{"group", ""}, {"kind", "Secret"}, {"name", cert}}}}};
  return listener;
}

json DefaultedListener(const std::string& name, int port, const std::string& protocol) {
  json listener = Listener(name, port, protocol);
  listener["allowedRoutes"] = kAllowedRoutes;
  return listener;
}

// Creates namespace |ns| and a Gateway "gw" in it with one plain HTTP listener; returns its path.
std::string CreateGateway(TestClient& client, const std::string& ns) {
  MakeNamespace(client, ns);
  HttpResult created =
      client.Post(GatewaysPath(ns), Gateway(ns, "gw", json::array({Listener("http", 80, "HTTP")})));
  INFO(created.body);
  REQUIRE(created.code == 201);
  return GatewaysPath(ns) + "/gw";
}

// The stored listeners, read back with a GET.
json StoredListeners(TestClient& client, const std::string& path) {
  HttpResult got = client.Get(path);
  INFO(got.body);
  REQUIRE(got.code == 200);
  return got.Json()["spec"]["listeners"];
}

TEST_CASE("create defaults the new listeners, their tls and certificateRefs") {
  auto c = Client();
  MakeNamespace(*c, "crd-default-create");
  HttpResult created =
      c->Post(GatewaysPath("crd-default-create"),
              Gateway("crd-default-create", "gw",
                      {Listener("http", 80, "HTTP"), BareHttpsListener("https", 443, "cert")}));
  INFO(created.body);
  REQUIRE(created.code == 201);
  const json expected = {DefaultedListener("http", 80, "HTTP"),
                         DefaultedHttpsListener("https", 443, "cert")};
  CHECK(created.Json()["spec"]["listeners"] == expected);
  CHECK(StoredListeners(*c, GatewaysPath("crd-default-create") + "/gw") == expected);
}

TEST_CASE("a merge patch replacing the listeners defaults the new items before the CEL rules") {
  auto c = Client();
  const std::string path = CreateGateway(*c, "crd-default-merge");
  json patch = {{"spec",
                 {{"listeners",
                   {Listener("http", 80, "HTTP"), Listener("extra", 8080, "HTTP"),
                    BareHttpsListener("https", 443, "cert")}}}}};
  HttpResult patched = c->Patch(path, patch.dump(), "application/merge-patch+json");
  INFO(patched.body);
  REQUIRE(patched.code == 200);
  const json expected = {DefaultedListener("http", 80, "HTTP"),
                         DefaultedListener("extra", 8080, "HTTP"),
                         DefaultedHttpsListener("https", 443, "cert")};
  CHECK(patched.Json()["spec"]["listeners"] == expected);
  CHECK(StoredListeners(*c, path) == expected);
  CHECK(patched.Json()["metadata"]["generation"] == 2);

  // A merge patch that only adds a nested object gets that object's defaults.
  json tls_only = {{"spec",
                    {{"listeners",
                      {Listener("http", 80, "HTTP"),
                       {{"name", "https"},
                        {"port", 443},
                        {"protocol", "HTTPS"},
                        {"tls", {{"certificateRefs", {{{"name", "other"}}}}}}}}}}}};
  HttpResult nested = c->Patch(path, tls_only.dump(), "application/merge-patch+json");
  INFO(nested.body);
  REQUIRE(nested.code == 200);
  CHECK(nested.Json()["spec"]["listeners"] ==
        json{DefaultedListener("http", 80, "HTTP"), DefaultedHttpsListener("https", 443, "other")});
}

TEST_CASE("a JSON patch adding a listener defaults the new item") {
  auto c = Client();
  const std::string path = CreateGateway(*c, "crd-default-jsonpatch");
  json patch = {{{"op", "add"},
                 {"path", "/spec/listeners/-"},
                 {"value", BareHttpsListener("https", 443, "cert")}}};
  HttpResult patched = c->Patch(path, patch.dump(), "application/json-patch+json");
  INFO(patched.body);
  REQUIRE(patched.code == 200);
  const json expected = {DefaultedListener("http", 80, "HTTP"),
                         DefaultedHttpsListener("https", 443, "cert")};
  CHECK(patched.Json()["spec"]["listeners"] == expected);
  CHECK(StoredListeners(*c, path) == expected);

  // Replacing a nested object with one lacking the defaulted fields gets them back.
  json replace = {{{"op", "replace"},
                   {"path", "/spec/listeners/1/tls"},
                   {"value", {{"certificateRefs", {{{"name", "next"}}}}}}}};
  HttpResult replaced = c->Patch(path, replace.dump(), "application/json-patch+json");
  INFO(replaced.body);
  REQUIRE(replaced.code == 200);
  CHECK(replaced.Json()["spec"]["listeners"][1] == DefaultedHttpsListener("https", 443, "next"));
}

TEST_CASE("a strategic merge patch of a custom resource is 415, as kube-apiserver answers") {
  auto c = Client();
  const std::string path = CreateGateway(*c, "crd-default-smp");
  json patch = {{"spec", {{"listeners", json::array({BareHttpsListener("https", 443, "cert")})}}}};
  HttpResult smp = c->Patch(path, patch.dump(), "application/strategic-merge-patch+json");
  CHECK(smp.code == 415);
  CHECK(smp.Json()["reason"] == "UnsupportedMediaType");
  CHECK(StoredListeners(*c, path) == json::array({DefaultedListener("http", 80, "HTTP")}));
}

TEST_CASE("an update (PUT) defaults the new listeners") {
  auto c = Client();
  const std::string path = CreateGateway(*c, "crd-default-put");
  HttpResult got = c->Get(path);
  REQUIRE(got.code == 200);
  json object = got.Json();
  object["spec"]["listeners"] = {Listener("http", 80, "HTTP"), Listener("extra", 8080, "HTTP"),
                                 BareHttpsListener("https", 443, "cert")};
  HttpResult updated = c->Put(path, object);
  INFO(updated.body);
  REQUIRE(updated.code == 200);
  const json expected = {DefaultedListener("http", 80, "HTTP"),
                         DefaultedListener("extra", 8080, "HTTP"),
                         DefaultedHttpsListener("https", 443, "cert")};
  CHECK(updated.Json()["spec"]["listeners"] == expected);
  CHECK(StoredListeners(*c, path) == expected);
}

TEST_CASE("dryRun patches answer with the defaulted object and store nothing") {
  auto c = Client();
  const std::string path = CreateGateway(*c, "crd-default-dryrun");
  json patch = {
      {"spec",
       {{"listeners", {Listener("http", 80, "HTTP"), BareHttpsListener("https", 443, "c")}}}}};
  HttpResult patched = c->Patch(path + "?dryRun=All", patch.dump(), "application/merge-patch+json");
  INFO(patched.body);
  REQUIRE(patched.code == 200);
  CHECK(patched.Json()["spec"]["listeners"][1] == DefaultedHttpsListener("https", 443, "c"));
  CHECK(StoredListeners(*c, path) == json::array({DefaultedListener("http", 80, "HTTP")}));
}

TEST_CASE("server-side apply defaults a new list item, on create and on update") {
  auto c = Client();
  MakeNamespace(*c, "crd-default-apply");
  const std::string path = GatewaysPath("crd-default-apply") + "/gw";
  json applied = Gateway("crd-default-apply", "gw", json::array({Listener("http", 80, "HTTP")}));
  HttpResult created =
      c->Patch(path + "?fieldManager=starform", applied.dump(), "application/apply-patch+yaml");
  INFO(created.body);
  REQUIRE(created.code == 201);
  CHECK(created.Json()["spec"]["listeners"] ==
        json::array({DefaultedListener("http", 80, "HTTP")}));

  // Another manager applies a listener of its own: the merged list gets the new item's
  // defaults, and the CEL rules see the defaulted tls.mode.
  json other =
      Gateway("crd-default-apply", "gw", json::array({BareHttpsListener("https", 443, "cert")}));
  other["spec"].erase("gatewayClassName");
  HttpResult updated =
      c->Patch(path + "?fieldManager=other", other.dump(), "application/apply-patch+yaml");
  INFO(updated.body);
  REQUIRE(updated.code == 200);
  const json expected = {DefaultedListener("http", 80, "HTTP"),
                         DefaultedHttpsListener("https", 443, "cert")};
  CHECK(updated.Json()["spec"]["listeners"] == expected);
  CHECK(StoredListeners(*c, path) == expected);
}

// --- kube::ApplyDefaults directly: arrays of objects nested in arrays ---

TEST_CASE("ApplyDefaults reaches objects in arrays nested in arrays and in objects in arrays") {
  std::string error;
  auto schema = kube::Schema::Compile(json::parse(R"({"type":"object","properties":{
    "grid":{"type":"array","items":{"type":"array","items":{"type":"object",
      "default":{"a":"A"},
      "properties":{"a":{"type":"string"},"b":{"type":"string","default":"B"},
                    "refs":{"type":"array","items":{"type":"object",
                      "properties":{"kind":{"type":"string","default":"Secret"},
                                    "name":{"type":"string"}}}}}}}}}})"),
                                      &error);
  INFO(error);
  REQUIRE(schema != nullptr);
  json object = json::parse(R"({"grid":[[{"a":"x"},null,{"refs":[{"name":"n"},{}]}],[],[{}]]})");
  kube::ApplyDefaults(&object, *schema);
  CHECK(object == json::parse(R"({"grid":[
    [{"a":"x","b":"B"},{"a":"A","b":"B"},
     {"b":"B","refs":[{"kind":"Secret","name":"n"},{"kind":"Secret"}]}],
    [],
    [{"b":"B"}]]})"));
}

TEST_CASE("ApplyDefaults fills a Gateway's new listeners down to certificateRefs items") {
  const kube::Schema& schema =
      kube::testing::SharedSchema(kube::testing::kGateways, std::string("v1"));
  json gateway = Gateway("ns", "gw",
                         {DefaultedListener("http", 80, "HTTP"), Listener("extra", 8080, "HTTP"),
                          BareHttpsListener("https", 443, "cert")});
  kube::ApplyDefaults(&gateway, schema);
  CHECK(gateway["spec"]["listeners"] == json{DefaultedListener("http", 80, "HTTP"),
                                             DefaultedListener("extra", 8080, "HTTP"),
                                             DefaultedHttpsListener("https", 443, "cert")});
}

}  // namespace
}  // namespace starform::devcluster::testing
