// The openapi documents: they parse, carry the CRDs' kinds under the server's names with their
// group-version-kind, resolve every reference within themselves, and list fieldValidation where
// kubectl 1.33 looks for it; and the HTTP handler's caching and negotiation.

#include "devcluster/openapi.h"

#include <regex>
#include <set>
#include <string>
#include <vector>

#include <httplib.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "devcluster/openapi_internal.h"
#include "devcluster/resources.h"

using nlohmann::json;

namespace starform::devcluster {
namespace {

const ResourceRegistry& Registry() {
  static const ResourceRegistry* registry = [] {
    auto* r = new ResourceRegistry;
    std::vector<std::string> warnings;
    if (!r->LoadCrds(std::string(STARFORM_SHARED_DIR) + "/crds", &warnings)) {
      throw std::runtime_error("cannot load the shared CRDs");
    }
    return r;
  }();
  return *registry;
}

const OpenApi& Api() {
  static const OpenApi* api = new OpenApi(Registry());
  return *api;
}

json GroupVersionDoc(const std::string& path) {
  const OpenApiDocument* doc = Api().V3GroupVersion(path);
  REQUIRE(doc != nullptr);
  return json::parse(doc->json);
}

// kubectl's check, as cli-runtime's queryParamVerifierV3 does it: the group-version's document
// from the discovery, then a PATCH operation for the kind whose own parameters name the param.
// Returns "" when supported, else why not.
std::string KubectlSupportsFieldValidation(const std::string& group, const std::string& version,
                                           const std::string& kind) {
  json discovery = json::parse(Api().V3Discovery());
  std::string gv_path = group.empty() ? "api/" + version : "apis/" + group + "/" + version;
  if (!discovery["paths"].contains(gv_path))
    return "GroupVersionNotFound";
  std::string url = discovery["paths"][gv_path]["serverRelativeURL"];
  const OpenApiDocument* doc = Api().V3GroupVersion(url.substr(0, url.find('?')));
  if (!doc)
    return "no document at " + url;
  json spec = json::parse(doc->json);
  for (const auto& [path, item] : spec["paths"].items()) {
    if (!item.contains("patch"))
      continue;
    const json& gvk = item["patch"]["x-kubernetes-group-version-kind"];
    if (gvk.value("group", "?") != group || gvk.value("version", "?") != version ||
        gvk.value("kind", "?") != kind) {
      continue;
    }
    for (const json& param : item["patch"].value("parameters", json::array())) {
      if (param.value("name", "") == "fieldValidation")
        return "";
    }
    return "PATCH " + path + " has no fieldValidation";
  }
  return "no PATCH for the kind";
}

void CollectRefs(const json& node, std::vector<std::string>* refs) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref")
        refs->push_back(value);
      CollectRefs(value, refs);
    }
  } else if (node.is_array()) {
    for (const json& value : node)
      CollectRefs(value, refs);
  }
}

struct Served {
  std::string group, version, kind, definition;
};
const std::vector<Served> kServed = {
    {"gateway.networking.k8s.io", "v1", "HTTPRoute", "io.k8s.networking.gateway.v1.HTTPRoute"},
    {"gateway.networking.k8s.io", "v1", "Gateway", "io.k8s.networking.gateway.v1.Gateway"},
    {"gateway.networking.k8s.io", "v1", "GatewayClass",
     "io.k8s.networking.gateway.v1.GatewayClass"},
    {"gateway.networking.k8s.io", "v1", "ReferenceGrant",
     "io.k8s.networking.gateway.v1.ReferenceGrant"},
    {"gateway.networking.k8s.io", "v1beta1", "ReferenceGrant",
     "io.k8s.networking.gateway.v1beta1.ReferenceGrant"},
    {"gateway.envoyproxy.io", "v1alpha1", "SecurityPolicy",
     "io.envoyproxy.gateway.v1alpha1.SecurityPolicy"},
    {"gateway.envoyproxy.io", "v1alpha1", "ClientTrafficPolicy",
     "io.envoyproxy.gateway.v1alpha1.ClientTrafficPolicy"},
    {"gateway.envoyproxy.io", "v1alpha1", "EnvoyProxy",
     "io.envoyproxy.gateway.v1alpha1.EnvoyProxy"},
    {"", "v1", "Namespace", "io.k8s.api.core.v1.Namespace"},
    {"", "v1", "Service", "io.k8s.api.core.v1.Service"},
    {"", "v1", "Secret", "io.k8s.api.core.v1.Secret"},
    {"", "v1", "ConfigMap", "io.k8s.api.core.v1.ConfigMap"},
    {"", "v1", "Event", "io.k8s.api.core.v1.Event"},
    {"coordination.k8s.io", "v1", "Lease", "io.k8s.api.coordination.v1.Lease"},
    {"apps", "v1", "Deployment", "io.k8s.api.apps.v1.Deployment"},
};

TEST_CASE("openapi: definition names as the API server gives them") {
  CHECK(openapi::DefinitionName("gateway.networking.k8s.io", "v1", "HTTPRoute") ==
        "io.k8s.networking.gateway.v1.HTTPRoute");
  CHECK(openapi::DefinitionName("gateway.envoyproxy.io", "v1alpha1", "EnvoyProxy") ==
        "io.envoyproxy.gateway.v1alpha1.EnvoyProxy");
  CHECK(openapi::DefinitionName("", "v1", "Service") == "io.k8s.api.core.v1.Service");
  CHECK(openapi::DefinitionName("apps", "v1", "Deployment") == "io.k8s.api.apps.v1.Deployment");
  CHECK(openapi::DefinitionName("coordination.k8s.io", "v1", "Lease") ==
        "io.k8s.api.coordination.v1.Lease");
}

TEST_CASE("openapi: the v3 discovery names every group-version with its document's hash") {
  json discovery = json::parse(Api().V3Discovery());
  std::set<std::string> paths;
  for (const auto& [path, entry] : discovery["paths"].items()) {
    paths.insert(path);
    const OpenApiDocument* doc = Api().V3GroupVersion(path);
    REQUIRE(doc != nullptr);
    CHECK(entry["serverRelativeURL"] == "/openapi/v3/" + path + "?hash=" + doc->hash);
    CHECK(std::regex_match(doc->hash, std::regex("[0-9A-F]{128}")));
  }
  CHECK(paths == std::set<std::string>{"api/v1", "apis/apiextensions.k8s.io/v1", "apis/apps/v1",
                                       "apis/coordination.k8s.io/v1",
                                       "apis/gateway.envoyproxy.io/v1alpha1",
                                       "apis/gateway.networking.k8s.io/v1",
                                       "apis/gateway.networking.k8s.io/v1beta1"});
  CHECK(Api().V3GroupVersion("/openapi/v3/apis/apps/v1") == Api().V3GroupVersion("apis/apps/v1"));
  CHECK(Api().V3GroupVersion("apis/batch/v1") == nullptr);
}

TEST_CASE("openapi: v3 documents carry the kinds with their group-version-kind") {
  for (const Served& s : kServed) {
    INFO(s.definition);
    json doc =
        GroupVersionDoc(s.group.empty() ? "api/" + s.version : "apis/" + s.group + "/" + s.version);
    CHECK(doc["openapi"] == "3.0.0");
    const json& schemas = doc["components"]["schemas"];
    REQUIRE(schemas.contains(s.definition));
    const json& definition = schemas[s.definition];
    CHECK(definition["x-kubernetes-group-version-kind"] ==
          json::array({{{"group", s.group}, {"kind", s.kind}, {"version", s.version}}}));
    CHECK(definition["properties"]["metadata"]["allOf"][0]["$ref"] ==
          "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    CHECK(definition["properties"]["kind"]["type"] == "string");
    REQUIRE(schemas.contains(s.definition + "List"));
    CHECK(schemas[s.definition + "List"]["properties"]["items"]["items"]["$ref"] ==
          "#/components/schemas/" + s.definition);
  }
  // A CRD's schema is there whole: the CEL rules and the list types too.
  json gateway_api = GroupVersionDoc("apis/gateway.networking.k8s.io/v1");
  const json& route =
      gateway_api["components"]["schemas"]["io.k8s.networking.gateway.v1.HTTPRoute"];
  const json& parent_refs = route["properties"]["spec"]["properties"]["parentRefs"];
  CHECK(parent_refs["maxItems"] == 32);
  CHECK(parent_refs["x-kubernetes-validations"].size() == 2);
  CHECK(route["properties"]["spec"]["properties"]["rules"]["items"]["properties"]["backendRefs"]
             ["items"]["properties"]["port"]["type"] == "integer");
}

TEST_CASE("openapi: kubectl finds fieldValidation on every kind's PATCH") {
  for (const Served& s : kServed) {
    INFO(s.kind << " " << s.version);
    CHECK(KubectlSupportsFieldValidation(s.group, s.version, s.kind) == "");
  }
  CHECK(KubectlSupportsFieldValidation("batch", "v1", "Job") == "GroupVersionNotFound");
  CHECK(KubectlSupportsFieldValidation("", "v1", "Pod") == "no PATCH for the kind");
  // Customresourcedefinitions are only read here: no PATCH to find.
  CHECK(KubectlSupportsFieldValidation("apiextensions.k8s.io", "v1", "CustomResourceDefinition") ==
        "no PATCH for the kind");
}

TEST_CASE("openapi: the write operations list the parameters kubectl sends") {
  json doc = GroupVersionDoc("apis/gateway.networking.k8s.io/v1");
  const json& item = doc["paths"]
                        ["/apis/gateway.networking.k8s.io/v1/namespaces/{namespace}/"
                         "httproutes/{name}"];
  auto names = [](const json& op) {
    std::vector<std::string> out;
    for (const json& p : op["parameters"])
      out.push_back(p["name"]);
    return out;
  };
  using Names = std::vector<std::string>;
  CHECK(names(item["patch"]) == Names{"dryRun", "fieldManager", "fieldValidation"});
  CHECK(names(item["put"]) == Names{"dryRun", "fieldManager", "fieldValidation"});
  CHECK(names(item) == Names{"name", "namespace", "pretty"});
  CHECK(item["patch"]["x-kubernetes-action"] == "patch");
  CHECK(item["patch"]["operationId"] == "patchGatewayNetworkingV1NamespacedHTTPRoute");
  CHECK(item["patch"]["requestBody"]["content"].contains("application/apply-patch+yaml"));
  CHECK_FALSE(
      item["patch"]["requestBody"]["content"].contains("application/strategic-merge-patch+json"));
  const json& collection =
      doc["paths"]["/apis/gateway.networking.k8s.io/v1/namespaces/{namespace}/httproutes"];
  CHECK(names(collection["post"]) == Names{"dryRun", "fieldManager", "fieldValidation"});
  CHECK(collection["get"]["operationId"] == "listGatewayNetworkingV1NamespacedHTTPRoute");
  CHECK(doc["paths"]["/apis/gateway.networking.k8s.io/v1/httproutes"]["get"]["operationId"] ==
        "listGatewayNetworkingV1HTTPRouteForAllNamespaces");
  CHECK(doc["paths"].contains(
      "/apis/gateway.networking.k8s.io/v1/namespaces/{namespace}/httproutes/{name}/status"));
  // A built-in's PATCH takes strategic merge patches and documents force.
  json core = GroupVersionDoc("api/v1");
  const json& service = core["paths"]["/api/v1/namespaces/{namespace}/services/{name}"]["patch"];
  CHECK(names(service) == Names{"dryRun", "fieldManager", "fieldValidation", "force"});
  CHECK(service["requestBody"]["content"].contains("application/strategic-merge-patch+json"));
  CHECK(service["operationId"] == "patchCoreV1NamespacedService");
  // Cluster-scoped kinds have no namespace in their paths.
  CHECK(core["paths"].contains("/api/v1/namespaces/{name}"));
  CHECK_FALSE(core["paths"]["/api/v1/namespaces"].contains("delete"));  // no deletecollection
}

TEST_CASE("openapi: every reference resolves within its document") {
  // The discovery document must outlive the loop: a temporary in a range-for's initializer
  // dies before the body runs.
  json discovery = json::parse(Api().V3Discovery());
  for (const auto& [path, entry] : discovery["paths"].items()) {
    INFO(path);
    json doc = GroupVersionDoc(path);
    std::vector<std::string> refs;
    CollectRefs(doc, &refs);
    CHECK_FALSE(refs.empty());
    for (const std::string& ref : refs) {
      INFO(ref);
      REQUIRE(ref.starts_with("#/components/schemas/"));
      CHECK(doc["components"]["schemas"].contains(ref.substr(21)));
    }
  }
  json v2 = json::parse(Api().V2().json);
  std::vector<std::string> refs;
  CollectRefs(v2, &refs);
  for (const std::string& ref : refs) {
    INFO(ref);
    REQUIRE(ref.starts_with("#/definitions/"));
    CHECK(v2["definitions"].contains(ref.substr(14)));
  }
}

TEST_CASE("openapi: v2 carries the kinds without value validations") {
  json v2 = json::parse(Api().V2().json);
  CHECK(v2["swagger"] == "2.0");
  for (const Served& s : kServed) {
    INFO(s.definition);
    REQUIRE(v2["definitions"].contains(s.definition));
    CHECK(v2["definitions"][s.definition]["x-kubernetes-group-version-kind"][0]["kind"] == s.kind);
  }
  const json& parent_refs = v2["definitions"]["io.k8s.networking.gateway.v1.HTTPRoute"]
                              ["properties"]["spec"]["properties"]["parentRefs"];
  CHECK(parent_refs["type"] == "array");
  CHECK_FALSE(parent_refs.contains("maxItems"));
  CHECK_FALSE(parent_refs.contains("x-kubernetes-validations"));
  const json& patch = v2["paths"]
                        ["/apis/gateway.networking.k8s.io/v1/namespaces/{namespace}/"
                         "httproutes/{name}"]["patch"];
  bool field_validation = false;
  for (const json& p : patch["parameters"])
    field_validation |= p["name"] == "fieldValidation";
  CHECK(field_validation);
  CHECK(patch["x-kubernetes-group-version-kind"]["kind"] == "HTTPRoute");
}

TEST_CASE("openapi: a CRD schema as published") {
  json schema = {{"type", "object"},
                 {"properties",
                  {{"spec",
                    {{"type", "object"},
                     {"properties",
                      {{"port", {{"x-kubernetes-int-or-string", true}, {"pattern", "^[0-9]+$"}}},
                       {"name", {{"type", "string"}, {"nullable", true}, {"maxLength", 5}}}}}}}}}};
  json v3 = openapi::CustomResourceDefinition(schema, "example.com", "v1", "Widget", false);
  CHECK(v3["properties"]["spec"]["properties"]["port"]["anyOf"] ==
        json::array({{{"type", "integer"}}, {{"type", "string"}}}));
  CHECK(v3["properties"]["spec"]["properties"]["name"]["maxLength"] == 5);
  json v2 = openapi::CustomResourceDefinition(schema, "example.com", "v1", "Widget", true);
  CHECK(v2["properties"]["spec"]["properties"]["name"] == json{{"type", "string"}});
  CHECK(v2["properties"]["spec"]["properties"]["port"] ==
        json{{"x-kubernetes-int-or-string", true}});
  // Without a schema: a bare object, so clients assume nothing.
  CHECK(openapi::CustomResourceDefinition(nullptr, "example.com", "v1", "Widget", false) ==
        json{{"type", "object"},
             {"x-kubernetes-group-version-kind",
              {{{"group", "example.com"}, {"kind", "Widget"}, {"version", "v1"}}}}});
}

TEST_CASE("openapi: schemaless custom resources are documented too") {
  // Started without --crds, the dev cluster still serves the Gateway API kinds; kubectl must
  // still find fieldValidation, or it falls back to /openapi/v2 in protobuf.
  ResourceRegistry registry;
  registry.AddSchemalessCustomResources();
  OpenApi api(registry);
  const OpenApiDocument* doc = api.V3GroupVersion("apis/gateway.networking.k8s.io/v1");
  REQUIRE(doc != nullptr);
  json spec = json::parse(doc->json);
  CHECK(spec["components"]["schemas"]["io.k8s.networking.gateway.v1.HTTPRoute"]["type"] ==
        "object");
  CHECK(spec["paths"]["/apis/gateway.networking.k8s.io/v1/namespaces/{namespace}/httproutes/"
                      "{name}"]["patch"]["parameters"][2]["name"] == "fieldValidation");
}

TEST_CASE("openapi: built twice, the documents and hashes are the same") {
  OpenApi again(Registry());
  CHECK(again.V3Discovery() == Api().V3Discovery());
  CHECK(again.V2().hash == Api().V2().hash);
}

// --- HTTP ---

httplib::Response Get(const std::string& path, const std::string& accept = "",
                      const std::string& if_none_match = "", bool* handled = nullptr) {
  httplib::Request req;
  req.method = "GET";
  size_t q = path.find('?');
  req.path = path.substr(0, q);
  if (q != std::string::npos) {
    std::string query = path.substr(q + 1);
    req.params.emplace(query.substr(0, query.find('=')), query.substr(query.find('=') + 1));
  }
  if (!accept.empty())
    req.headers.emplace("Accept", accept);
  if (!if_none_match.empty())
    req.headers.emplace("If-None-Match", if_none_match);
  httplib::Response res;
  bool served = ServeOpenApi(Api(), req, res);
  if (handled)
    *handled = served;
  return res;
}

TEST_CASE("openapi over HTTP: documents, hashes, caching and negotiation") {
  httplib::Response discovery = Get("/openapi/v3", "application/json, */*");
  CHECK(discovery.status == 200);
  CHECK(discovery.get_header_value("Content-Type") == "application/json");
  CHECK(discovery.body == Api().V3Discovery());

  const OpenApiDocument* apps = Api().V3GroupVersion("apis/apps/v1");
  REQUIRE(apps != nullptr);
  httplib::Response current =
      Get("/openapi/v3/apis/apps/v1?hash=" + apps->hash, "application/json");
  CHECK(current.status == 200);
  CHECK(current.body == apps->json);
  CHECK(current.get_header_value("Etag") == "\"" + apps->hash + "\"");
  CHECK(current.get_header_value("Cache-Control") == "public, immutable");
  CHECK(current.get_header_value("Expires").ends_with(" GMT"));

  httplib::Response stale = Get("/openapi/v3/apis/apps/v1?hash=ABC", "application/json");
  CHECK(stale.status == 301);
  CHECK(stale.get_header_value("Location") == "/openapi/v3/apis/apps/v1?hash=" + apps->hash);

  httplib::Response unhashed = Get("/openapi/v3/apis/apps/v1");
  CHECK(unhashed.status == 200);
  CHECK_FALSE(unhashed.has_header("Cache-Control"));

  CHECK(Get("/openapi/v3/apis/apps/v1", "", "\"" + apps->hash + "\"").status == 304);

  // kubectl asks for /openapi/v2 in protobuf only.
  CHECK(Get("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf").status ==
        406);
  httplib::Response v2 = Get("/openapi/v2", "application/json");
  CHECK(v2.status == 200);
  CHECK(v2.body == Api().V2().json);

  bool handled = true;
  Get("/openapi/v3/apis/batch/v1", "", "", &handled);
  CHECK_FALSE(handled);
  Get("/openapi/v4", "", "", &handled);
  CHECK_FALSE(handled);
}

}  // namespace
}  // namespace starform::devcluster
