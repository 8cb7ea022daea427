// Server-side printing: Accept negotiation, the Table of CRs and built-ins, ages, JSONPath.

#include "devcluster/table.h"

#include <curl/curl.h>

#include <catch2/catch.hpp>

#include "devcluster/status.h"
#include "devcluster/test_cluster.h"

namespace starform::devcluster::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

const char* kKubectlGetAccept =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s."
    "io,application/json";

TEST_CASE("Accept negotiation: the first media type the server can produce wins") {
  CHECK(NegotiateForm("").table == false);
  CHECK(NegotiateForm("application/json").table == false);
  CHECK(NegotiateForm("application/vnd.kubernetes.protobuf, */*").table == false);
  ResponseForm kubectl = NegotiateForm(kKubectlGetAccept);
  CHECK(kubectl.table);
  CHECK(kubectl.table_version == "v1");
  ResponseForm beta = NegotiateForm("application/json; as=Table; v=v1beta1; g=meta.k8s.io");
  CHECK(beta.table);
  CHECK(beta.table_version == "v1beta1");
  // A conversion the server does not have is skipped for the next choice...
  CHECK(NegotiateForm("application/json;as=Table;v=v2;g=meta.k8s.io,application/json").table ==
        false);
  // ...and with no acceptable choice left the answer is 406.
  try {
    NegotiateForm("application/json;as=Table;v=v2;g=meta.k8s.io");
    FAIL("no exception");
  } catch (const StatusError& e) {
    CHECK(e.code() == 406);
    CHECK(e.ToJson()["reason"] == "NotAcceptable");
  }
  CHECK_THROWS_AS(NegotiateForm("text/html"), StatusError);
}

TEST_CASE("includeObject takes None, Metadata and Object") {
  CHECK(ParseIncludeObject("") == IncludeObject::kMetadata);
  CHECK(ParseIncludeObject("None") == IncludeObject::kNone);
  CHECK(ParseIncludeObject("Object") == IncludeObject::kObject);
  try {
    ParseIncludeObject("All");
    FAIL("no exception");
  } catch (const StatusError& e) {
    CHECK(e.code() == 400);
    CHECK(std::string(e.what()) ==
          "Unable to convert to Table as requested: includeObject: Unsupported value: \"All\": "
          "supported values: \"Metadata\", \"None\", \"Object\"");
  }
}

TEST_CASE("ages are printed as apimachinery's duration package prints them") {
  CHECK(ShortHumanDuration(seconds(-5)) == "<invalid>");
  CHECK(ShortHumanDuration(seconds(-1)) == "0s");
  CHECK(ShortHumanDuration(seconds(59)) == "59s");
  CHECK(ShortHumanDuration(seconds(119)) == "1m");
  CHECK(ShortHumanDuration(seconds(3 * 3600 + 59)) == "3h");
  CHECK(ShortHumanDuration(seconds(400 * 86400)) == "1y");
  CHECK(HumanDuration(seconds(119)) == "119s");
  CHECK(HumanDuration(seconds(5 * 60 + 3)) == "5m3s");
  CHECK(HumanDuration(seconds(6 * 60)) == "6m");
  CHECK(HumanDuration(seconds(179 * 60)) == "179m");
  CHECK(HumanDuration(seconds(5 * 3600 + 7 * 60)) == "5h7m");
  CHECK(HumanDuration(seconds(30 * 3600)) == "30h");
  CHECK(HumanDuration(seconds(3 * 86400 + 4 * 3600)) == "3d4h");
  CHECK(HumanDuration(seconds(100 * 86400)) == "100d");
  CHECK(HumanDuration(seconds((3 * 365 + 10) * 86400)) == "3y10d");
  CHECK(HumanDuration(seconds(9 * 365 * 86400)) == "9y");
}

TEST_CASE("RFC 3339 times parse with fractions and offsets") {
  std::chrono::system_clock::time_point a, b, c;
  REQUIRE(ParseRfc3339("2024-05-01T10:00:00Z", &a));
  REQUIRE(ParseRfc3339("2024-05-01T10:00:00.123456Z", &b));
  REQUIRE(ParseRfc3339("2024-05-01T12:00:00+02:00", &c));
  CHECK(a == b);
  CHECK(a == c);
  CHECK(std::chrono::system_clock::to_time_t(a) == 1714557600);
  std::chrono::system_clock::time_point ignored;
  CHECK_FALSE(ParseRfc3339("2024-05-01 10:00:00Z", &ignored));
  CHECK_FALSE(ParseRfc3339("2024-05-01T10:00:00", &ignored));
}

TEST_CASE("printer-column JSONPath: fields, [*], [N] and filters, missing keys allowed") {
  json o = json::parse(R"({"spec":{"hostnames":["a.example.com","b.example.com"],"n":3},
    "status":{"addresses":[{"value":"10.0.0.1"},{"value":"10.0.0.2"}],
      "conditions":[{"type":"Accepted","status":"True"},{"type":"Programmed","status":"False"}]}})");
  std::vector<const json*> r;
  REQUIRE(EvaluateJsonPath(".spec.hostnames", o, &r));
  REQUIRE(r.size() == 1);
  CHECK(*r[0] == o["spec"]["hostnames"]);
  r.clear();
  REQUIRE(EvaluateJsonPath(".status.addresses[*].value", o, &r));
  REQUIRE(r.size() == 2);
  CHECK(*r[1] == "10.0.0.2");
  r.clear();
  REQUIRE(EvaluateJsonPath(".status.conditions[?(@.type==\"Programmed\")].status", o, &r));
  REQUIRE(r.size() == 1);
  CHECK(*r[0] == "False");
  r.clear();
  REQUIRE(EvaluateJsonPath(".spec.hostnames[-1]", o, &r));
  REQUIRE(r.size() == 1);
  CHECK(*r[0] == "b.example.com");
  r.clear();
  REQUIRE(EvaluateJsonPath(".spec['n']", o, &r));
  CHECK(*r.at(0) == 3);
  r.clear();
  REQUIRE(EvaluateJsonPath(".spec.missing.deeper", o, &r));
  CHECK(r.empty());
  CHECK_FALSE(EvaluateJsonPath("spec", o, &r));
  CHECK_FALSE(EvaluateJsonPath("..spec", o, &r));
}

const ResourceType& Type(const std::string& group, const std::string& version,
                         const std::string& resource) {
  const ResourceType* t = SharedCluster().registry().Find(group, version, resource);
  REQUIRE(t != nullptr);
  return *t;
}

TEST_CASE("a CRD's Table: Name, then its additionalPrinterColumns evaluated per row") {
  const ResourceType& gateways = Type("gateway.networking.k8s.io", "v1", "gateways");
  json gw = json::parse(R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway",
    "metadata":{"name":"edge","namespace":"a","creationTimestamp":"2024-05-01T10:00:00Z",
                "resourceVersion":"7","managedFields":[{"manager":"kubectl"}]},
    "spec":{"gatewayClassName":"eg"},
    "status":{"addresses":[{"value":"203.0.113.7"},{"value":"203.0.113.8"}],
              "conditions":[{"type":"Programmed","status":"True"}]}})");
  std::chrono::system_clock::time_point created;
  REQUIRE(ParseRfc3339("2024-05-01T10:00:00Z", &created));
  json table = ToTable(gateways, {&gw}, {"42", "", -1}, "meta.k8s.io/v1", IncludeObject::kMetadata,
                       created + std::chrono::hours(50));
  CHECK(table["kind"] == "Table");
  CHECK(table["apiVersion"] == "meta.k8s.io/v1");
  CHECK(table["metadata"] == json{{"resourceVersion", "42"}});
  json names = json::array();
  for (const json& c : table["columnDefinitions"])
    names.push_back(c["name"]);
  CHECK(names == json{"Name", "Class", "Address", "Programmed", "Age"});
  CHECK(table["columnDefinitions"][0]["format"] == "name");
  CHECK(table["columnDefinitions"][1] ==
        json{{"name", "Class"},
             {"type", "string"},
             {"format", ""},
             {"description",
              "Custom resource definition column (in JSONPath format): .spec.gatewayClassName"},
             {"priority", 0}});
  CHECK(table["columnDefinitions"][4]["type"] == "date");
  REQUIRE(table["rows"].size() == 1);
  // Only the first address is shown, as the convertor takes the first match.
  CHECK(table["rows"][0]["cells"] == json{"edge", "eg", "203.0.113.7", "True", "2d"});
  CHECK(table["rows"][0]["object"] == json{{"kind", "PartialObjectMetadata"},
                                           {"apiVersion", "meta.k8s.io/v1"},
                                           {"metadata", gw["metadata"]}});
  std::string text =
      ToTable(gateways, {&gw}, {}, "meta.k8s.io/v1", IncludeObject::kNone, created).dump();
  CHECK(text.find("\"object\":null") != std::string::npos);
  CHECK(ToTable(gateways, {&gw}, {}, "meta.k8s.io/v1", IncludeObject::kObject,
                created)["rows"][0]["object"] == gw);
}

TEST_CASE("CRD cells: arrays as JSON, missing values null, typed columns") {
  const ResourceType& routes = Type("gateway.networking.k8s.io", "v1", "httproutes");
  json with = {{"metadata", {{"name", "shop"}, {"creationTimestamp", "bad"}}},
               {"spec", {{"hostnames", {"shop.example.com", "a&b.example.com"}}}}};
  json without = {{"metadata", {{"name", "bare"}}}};
  json table = ToTable(routes, {&with, &without}, {"9", "tok", 3}, "meta.k8s.io/v1beta1",
                       IncludeObject::kMetadata, std::chrono::system_clock::now());
  CHECK(table["metadata"] ==
        json{{"resourceVersion", "9"}, {"continue", "tok"}, {"remainingItemCount", 3}});
  CHECK(table["rows"][0]["cells"] ==
        json{"shop", "[\"shop.example.com\",\"a\\u0026b.example.com\"]", "<invalid>"});
  CHECK(table["rows"][1]["cells"] == json{"bare", nullptr, nullptr});
  CHECK(table["rows"][1]["object"]["apiVersion"] == "meta.k8s.io/v1beta1");
}

TEST_CASE("built-in Tables: namespaces, services, deployments, and the default convertor") {
  auto now = std::chrono::system_clock::now();
  json ns = {{"metadata", {{"name", "tenant-acme"}}}, {"status", {{"phase", "Active"}}}};
  json t =
      ToTable(Type("", "v1", "namespaces"), {&ns}, {}, "meta.k8s.io/v1", IncludeObject::kNone, now);
  CHECK(t["rows"][0]["cells"] == json{"tenant-acme", "Active", "<unknown>"});

  json svc = json::parse(R"({"metadata":{"name":"shop"},"spec":{"type":"LoadBalancer",
    "clusterIPs":["10.96.0.10"],"ports":[{"port":80,"nodePort":30080},{"port":53,"protocol":"UDP"}],
    "selector":{"b":"2","a":"1"}},"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.1"}]}}})");
  t = ToTable(Type("", "v1", "services"), {&svc}, {}, "meta.k8s.io/v1", IncludeObject::kNone, now);
  CHECK(t["columnDefinitions"].size() == 7);
  CHECK(t["columnDefinitions"][6]["priority"] == 1);
  CHECK(t["rows"][0]["cells"] == json{"shop", "LoadBalancer", "10.96.0.10", "203.0.113.1",
                                      "80:30080/TCP,53/UDP", "<unknown>", "a=1,b=2"});

  json deploy = json::parse(R"({"metadata":{"name":"envoy-gateway"},"spec":{"replicas":2,
    "selector":{"matchLabels":{"app":"eg"}},"template":{"spec":{"containers":[
      {"name":"envoy-gateway","image":"envoyproxy/gateway:v1.9.0"}]}}},
    "status":{"readyReplicas":1,"updatedReplicas":2,"availableReplicas":1}})");
  t = ToTable(Type("apps", "v1", "deployments"), {&deploy}, {}, "meta.k8s.io/v1",
              IncludeObject::kNone, now);
  CHECK(t["rows"][0]["cells"] == json{"envoy-gateway", "1/2", 2, 1, "<unknown>", "envoy-gateway",
                                      "envoyproxy/gateway:v1.9.0", "app=eg"});

  json crd = {{"metadata",
               {{"name", "httproutes.gateway.networking.k8s.io"},
                {"creationTimestamp", "2024-05-01T10:00:00Z"}}}};
  t = ToTable(Type("apiextensions.k8s.io", "v1", "customresourcedefinitions"), {&crd}, {},
              "meta.k8s.io/v1", IncludeObject::kNone, now);
  CHECK(t["columnDefinitions"][1]["name"] == "Created At");
  CHECK(t["rows"][0]["cells"] ==
        json{"httproutes.gateway.networking.k8s.io", "2024-05-01T10:00:00Z"});
}

// A GET with |accept| as the only Accept header (TestClient always sends application/json).
HttpResult GetAccepting(const std::string& path, const std::string& accept) {
  DevCluster& cluster = SharedCluster();
  HttpResult result;
  CURL* curl = curl_easy_init();
  std::string url = cluster.server_url() + path;
  std::string ca = cluster.ca_pem();
  curl_blob blob{ca.data(), ca.size(), CURL_BLOB_COPY};
  curl_slist* headers = curl_slist_append(nullptr, ("Accept: " + accept).c_str());
  headers = curl_slist_append(headers, ("Authorization: Bearer " + cluster.token()).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &blob);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* p, size_t size, size_t n, void* body) -> size_t {
        static_cast<std::string*>(body)->append(p, size * n);
        return size * n;
      });
  curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return result;
}

TEST_CASE("GET and LIST answer a Table when the Accept header asks for one") {
  DevCluster& cluster = SharedCluster();
  auto client = Client();
  MakeNamespace(*client, "table-http");
  REQUIRE(client->Post(RoutesPath("table-http"), Route("table-http", "shop")).code == 201);
  REQUIRE(client->Post(RoutesPath("table-http"), Route("table-http", "blog", "blog.example.com"))
              .code == 201);
  HttpResult list = GetAccepting(RoutesPath("table-http") + "?limit=1", kKubectlGetAccept);
  REQUIRE(list.code == 200);
  json table = list.Json();
  CHECK(table["kind"] == "Table");
  REQUIRE(table["rows"].size() == 1);
  CHECK(table["rows"][0]["cells"][0] == "blog");
  CHECK(table["rows"][0]["cells"][1] == "[\"blog.example.com\"]");
  CHECK(table["rows"][0]["cells"][2] == "0s");
  CHECK(table["metadata"]["remainingItemCount"] == 1);
  REQUIRE(table["metadata"]["continue"].is_string());
  HttpResult next = GetAccepting(RoutesPath("table-http") + "?limit=1&continue=" +
                                     table["metadata"]["continue"].get<std::string>(),
                                 kKubectlGetAccept);
  REQUIRE(next.code == 200);
  CHECK(next.Json()["rows"][0]["cells"][0] == "shop");
  CHECK_FALSE(next.Json()["metadata"].contains("continue"));

  HttpResult one =
      GetAccepting(RoutesPath("table-http") + "/shop?includeObject=Object", kKubectlGetAccept);
  REQUIRE(one.code == 200);
  json object = cluster.Get("httproutes", "table-http", "shop");
  CHECK(one.Json()["metadata"]["resourceVersion"] == object["metadata"]["resourceVersion"]);
  CHECK(one.Json()["rows"][0]["object"] == object);

  CHECK(GetAccepting(RoutesPath("table-http") + "/nope", kKubectlGetAccept).code == 404);
  CHECK(GetAccepting(RoutesPath("table-http") + "?includeObject=Everything", kKubectlGetAccept)
            .code == 400);
  CHECK(GetAccepting(RoutesPath("table-http"),
                     "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io")
            .code == 406);
  CHECK(GetAccepting(RoutesPath("table-http"), "application/json").Json()["kind"] ==
        "HTTPRouteList");
}

}  // namespace
}  // namespace starform::devcluster::testing
