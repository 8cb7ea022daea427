#include "kube/crd.h"

#include <catch2/catch.hpp>

#include "kube/schema_testing.h"

namespace starform::kube {
namespace {

using testing::SharedCrd;

TEST_CASE("every shared CRD loads and compiles every version's schema") {
  struct Expected {
    const char* file;
    const char* group;
    const char* kind;
    const char* plural;
    const char* storage;
    size_t versions;
    Crd::Scope scope;
  };
  const Expected all[] = {
      {testing::kHTTPRoutes, "gateway.networking.k8s.io", "HTTPRoute", "httproutes", "v1", 2,
       Crd::Scope::kNamespaced},
      {testing::kGateways, "gateway.networking.k8s.io", "Gateway", "gateways", "v1", 2,
       Crd::Scope::kNamespaced},
      {testing::kGatewayClasses, "gateway.networking.k8s.io", "GatewayClass", "gatewayclasses",
       "v1", 2, Crd::Scope::kCluster},
      {testing::kReferenceGrants, "gateway.networking.k8s.io", "ReferenceGrant", "referencegrants",
       "v1beta1", 2, Crd::Scope::kNamespaced},
      {testing::kSecurityPolicies, "gateway.envoyproxy.io", "SecurityPolicy", "securitypolicies",
       "v1alpha1", 1, Crd::Scope::kNamespaced},
      {testing::kSecurityPolicies150, "gateway.envoyproxy.io", "SecurityPolicy", "securitypolicies",
       "v1alpha1", 1, Crd::Scope::kNamespaced},
      {testing::kEnvoyProxies, "gateway.envoyproxy.io", "EnvoyProxy", "envoyproxies", "v1alpha1", 1,
       Crd::Scope::kNamespaced},
      {testing::kClientTrafficPolicies, "gateway.envoyproxy.io", "ClientTrafficPolicy",
       "clienttrafficpolicies", "v1alpha1", 1, Crd::Scope::kNamespaced},
  };
  for (const Expected& want : all) {
    INFO(want.file);
    const Crd& crd = SharedCrd(want.file);
    CHECK(crd.group == want.group);
    CHECK(crd.names.kind == want.kind);
    CHECK(crd.names.plural == want.plural);
    CHECK(crd.name == std::string(want.plural) + "." + want.group);
    CHECK(crd.scope == want.scope);
    const bool has_status = crd.names.kind != "ReferenceGrant";  // the one without a status
    REQUIRE(crd.versions.size() == want.versions);
    REQUIRE(crd.StorageVersion() != nullptr);
    CHECK(crd.StorageVersion()->name == want.storage);
    for (const CrdVersion& version : crd.versions) {
      CHECK(version.served);
      CHECK(version.schema != nullptr);
      CHECK(version.openapi_schema.is_object());
      CHECK(version.status_subresource == has_status);
    }
  }
}

TEST_CASE("an HTTPRoute CRD's names, versions and printer columns") {
  const Crd& crd = SharedCrd(testing::kHTTPRoutes);
  CHECK(crd.names.singular == "httproute");
  CHECK(crd.names.list_kind == "HTTPRouteList");
  CHECK(crd.names.categories == std::vector<std::string>{"gateway-api"});
  CHECK(crd.names.short_names.empty());
  REQUIRE(crd.Version("v1beta1") != nullptr);
  CHECK_FALSE(crd.Version("v1beta1")->storage);
  CHECK(crd.Version("v1")->storage);
  CHECK(crd.Version("v2") == nullptr);
  const nlohmann::json& columns = crd.Version("v1")->additional_printer_columns;
  REQUIRE(columns.size() == 2);
  CHECK(columns[0]["name"] == "Hostnames");
  CHECK(columns[1]["name"] == "Age");
  CHECK(crd.Version("v1")->scale_subresource.is_null());
}

TEST_CASE("a CrdSet finds CRDs by kind, resource name and apiVersion") {
  CrdSet set;
  std::string error;
  REQUIRE(set.Add(SharedCrd(testing::kHTTPRoutes), &error));
  REQUIRE(set.Add(SharedCrd(testing::kGateways), &error));
  REQUIRE(set.Add(SharedCrd(testing::kSecurityPolicies), &error));
  REQUIRE(set.Add(SharedCrd(testing::kReferenceGrants), &error));

  SECTION("a second CRD for the same resource is refused") {
    CHECK_FALSE(set.Add(SharedCrd(testing::kSecurityPolicies150), &error));
    CHECK(error == "a CRD for securitypolicies.gateway.envoyproxy.io is already loaded");
    CHECK(set.all().size() == 4);
  }
  SECTION("by kind") {
    const Crd* crd = set.FindKind("gateway.networking.k8s.io", "Gateway");
    REQUIRE(crd != nullptr);
    CHECK(crd->names.plural == "gateways");
    CHECK(set.FindKind("gateway.envoyproxy.io", "Gateway") == nullptr);
    CHECK(set.FindKind("gateway.networking.k8s.io", "gateway") == nullptr);
  }
  SECTION("by resource: plural, singular") {
    CHECK(set.FindResource("gateway.networking.k8s.io", "httproutes")->names.kind == "HTTPRoute");
    CHECK(set.FindResource("gateway.networking.k8s.io", "httproute")->names.kind == "HTTPRoute");
    CHECK(set.FindResource("gateway.networking.k8s.io", "securitypolicies") == nullptr);
  }
  SECTION("by version: only served versions") {
    const CrdVersion* v1beta1 =
        set.FindVersion("gateway.networking.k8s.io", "v1beta1", "ReferenceGrant");
    REQUIRE(v1beta1 != nullptr);
    CHECK(v1beta1->storage);
    CHECK(set.FindVersion("gateway.networking.k8s.io", "v1alpha2", "ReferenceGrant") == nullptr);
  }
  SECTION("by an object's apiVersion and kind") {
    const CrdVersion* v1 = set.FindForObject("gateway.networking.k8s.io/v1", "HTTPRoute");
    REQUIRE(v1 != nullptr);
    CHECK(v1->name == "v1");
    CHECK(set.FindForObject("v1", "Service") == nullptr);
    CHECK(set.FindForObject("gateway.envoyproxy.io/v1alpha1", "SecurityPolicy") != nullptr);
  }
}

TEST_CASE("ParseCrd reports what is wrong with a manifest") {
  const std::string good_head = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
  scope: Namespaced
)";
  SECTION("a minimal CRD, JSON or YAML, with server defaults for singular and listKind") {
    Crd crd;
    Diagnostics diags("widget.yaml");
    REQUIRE(ParseCrd("---\n" + good_head + R"(  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-preserve-unknown-fields: true
)",
                     &crd, &diags));
    CHECK(diags.all().empty());
    CHECK(crd.names.singular == "widget");
    CHECK(crd.names.list_kind == "WidgetList");
    CHECK_FALSE(crd.versions[0].status_subresource);
    REQUIRE(crd.versions[0].schema != nullptr);
    CHECK(crd.versions[0].schema->Property("spec")->preserve_unknown_fields());

    Crd from_json;
    Diagnostics json_diags("widget.json");
    CHECK(ParseCrd(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
      "metadata":{"name":"widgets.example.com"},"spec":{"group":"example.com","scope":"Cluster",
      "names":{"kind":"Widget","plural":"widgets"},
      "versions":[{"name":"v1","served":true,"storage":true}]}})",
                   &from_json, &json_diags));
    CHECK_FALSE(from_json.namespaced());
    CHECK(from_json.versions[0].schema == nullptr);
  }
  SECTION("a pattern std::regex cannot compile names the schema path") {
    Crd crd;
    Diagnostics diags("widget.yaml");
    CHECK_FALSE(ParseCrd(good_head + R"(  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              name:
                type: string
                pattern: "(unclosed"
)",
                         &crd, &diags));
    REQUIRE(diags.all().size() == 1);
    CHECK(diags.all()[0].path == "spec.versions[0].schema.openAPIV3Schema");
    CHECK_THAT(
        diags.all()[0].message,
        Catch::StartsWith("cannot be used: spec.name: pattern '(unclosed' does not compile"));
  }
  SECTION("no storage version, a bad scope, not a CRD") {
    Crd crd;
    Diagnostics diags("widget.yaml");
    std::string text = good_head + R"(  versions:
  - name: v1
    served: true
    storage: false
)";
    text.replace(text.find("Namespaced"), 10, "Global");
    CHECK_FALSE(ParseCrd(text, &crd, &diags));
    REQUIRE(diags.all().size() == 2);
    CHECK(diags.all()[0].ToString() ==
          "widget.yaml: spec.scope: must be Namespaced or Cluster, got \"Global\"");
    CHECK(diags.all()[1].ToString() ==
          "widget.yaml: spec.versions: exactly one version must be the storage version, found 0");

    Diagnostics not_crd("cm.yaml");
    CHECK_FALSE(ParseCrd("apiVersion: v1\nkind: ConfigMap\n", &crd, &not_crd));
    CHECK(not_crd.ToString() ==
          "cm.yaml: kind: expected CustomResourceDefinition, got \"ConfigMap\"\n");
  }
  SECTION("a missing file") {
    Crd crd;
    Diagnostics diags;
    CHECK_FALSE(LoadCrdFile("/nonexistent/crd.yaml", &crd, &diags));
    CHECK(diags.ToString() == "cannot read /nonexistent/crd.yaml\n");
  }
}

}  // namespace
}  // namespace starform::kube
