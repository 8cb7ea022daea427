// Tests of the readiness warnings (plan/readiness.h): what the rendered objects assume exists in
// the cluster (the GatewayClass, tenant namespaces with the tenant label, TLS Secrets, backend
// Services and their ports), on a desired state loaded from text.

#include "plan/readiness.h"

#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "plan/desired_state.h"

namespace starform {
namespace {

using nlohmann::json;

// Three apps in two tenant namespaces; docs shares the shop-web Service with shop.
constexpr std::string_view kState = R"(apiVersion: starform.dev/v1alpha1
kind: DesiredState
cluster: do-nyc1-prod
revision: "12"
gateway:
  className: eg
  listeners:
    - name: http
      port: 80
      protocol: HTTP
    - name: https
      port: 443
      protocol: HTTPS
      hostname: "*.starform.app"
      tls:
        certificateRefs: [starform-app-tls]
apps:
  - name: shop
    namespace: tenant-acme
    hostnames: [shop.starform.app]
    rules:
      - backends:
          - service: shop-web
            port: 8080
      - path: /api
        backends:
          - service: shop-api
            port: 9000
  - name: docs
    namespace: tenant-acme
    hostnames: [docs.starform.app]
    rules:
      - backends:
          - service: shop-web
            port: 8080
  - name: blog
    namespace: tenant-globex
    hostnames: [blog.starform.app]
    rules:
      - backends:
          - service: blog
            port: 8080
)";

DesiredState Load(std::string_view text) {
  DesiredState state;
  Diagnostics diags("desired.yaml");
  bool ok = LoadDesiredState(text, "desired.yaml", &state, &diags);
  INFO(diags.ToString());
  REQUIRE(ok);
  return state;
}

json TenantLabels() {
  return {{"starform.dev/tenant", "true"}, {"kubernetes.io/metadata.name", "x"}};
}

// A cluster where everything kState needs exists.
ClusterFacts Ready() {
  ClusterFacts facts;
  facts.gateway_class =
      json{{"spec", {{"controllerName", "gateway.envoyproxy.io/gatewayclass-controller"}}}};
  facts.namespaces = {{"starform-system", json::object()},
                      {"tenant-acme", TenantLabels()},
                      {"tenant-globex", TenantLabels()}};
  facts.secrets = {"starform-system/starform-app-tls"};
  facts.services = {{"tenant-acme/shop-web", {8080}},
                    {"tenant-acme/shop-api", {9000, 9090}},
                    {"tenant-globex/blog", {8080}}};
  facts.services_known = true;
  return facts;
}

TEST_CASE("readiness: nothing to say when everything exists") {
  DesiredState state = Load(kState);
  CHECK(ReadinessWarnings(state, Ready()).empty());
}

TEST_CASE("readiness: a missing GatewayClass") {
  DesiredState state = Load(kState);
  ClusterFacts facts = Ready();
  facts.gateway_class.reset();
  CHECK(ReadinessWarnings(state, facts) ==
        std::vector<std::string>{
            "GatewayClass eg does not exist: the Gateway will not be accepted until Envoy Gateway "
            "is installed and the GatewayClass created"});
}

TEST_CASE("readiness: a missing tenant namespace, once, and nothing about its Services") {
  DesiredState state = Load(kState);
  ClusterFacts facts = Ready();
  facts.namespaces.erase("tenant-acme");
  facts.services.erase("tenant-acme/shop-web");
  facts.services.erase("tenant-acme/shop-api");
  CHECK(ReadinessWarnings(state, facts) ==
        std::vector<std::string>{
            "namespace tenant-acme (app tenant-acme/shop) does not exist: create it with the "
            "label starform.dev/tenant=true, or the app's route cannot attach"});
}

TEST_CASE("readiness: a namespace without the tenant label") {
  DesiredState state = Load(kState);
  ClusterFacts facts = Ready();
  const std::string expected =
      "namespace tenant-globex (app tenant-globex/blog) lacks the label starform.dev/tenant=true: "
      "the Gateway's listeners will not accept its routes";
  SECTION("no labels") {
    facts.namespaces["tenant-globex"] = json::object();
    CHECK(ReadinessWarnings(state, facts) == std::vector<std::string>{expected});
  }
  SECTION("the label, but not true") {
    facts.namespaces["tenant-globex"] = {{"starform.dev/tenant", "false"}};
    CHECK(ReadinessWarnings(state, facts) == std::vector<std::string>{expected});
  }
  SECTION("labels served as null") {
    facts.namespaces["tenant-globex"] = json();
    CHECK(ReadinessWarnings(state, facts) == std::vector<std::string>{expected});
  }
  SECTION("its Services are still checked") {
    facts.namespaces["tenant-globex"] = json::object();
    facts.services.erase("tenant-globex/blog");
    std::vector<std::string> warnings = ReadinessWarnings(state, facts);
    REQUIRE(warnings.size() == 2);
    CHECK(warnings[0] == expected);
    CHECK(warnings[1] ==
          "Service tenant-globex/blog (backend of app tenant-globex/blog) does not exist: requests "
          "to it will fail with 500");
  }
}

TEST_CASE("readiness: a custom tenant label is the one asked for") {
  std::string text(kState);
  text.replace(text.find("  className: eg\n"), 16,
               "  className: eg\n  tenantLabel: platform.example.com/tenant\n");
  DesiredState state = Load(text);
  ClusterFacts facts = Ready();  // namespaces labelled with starform.dev/tenant only
  std::vector<std::string> warnings = ReadinessWarnings(state, facts);
  CHECK(
      warnings ==
      std::vector<std::string>{
          "namespace tenant-acme (app tenant-acme/shop) lacks the label "
          "platform.example.com/tenant=true: the Gateway's listeners will not accept its routes",
          "namespace tenant-globex (app tenant-globex/blog) lacks the label "
          "platform.example.com/tenant=true: the Gateway's listeners will not accept its routes"});
}

TEST_CASE("readiness: a missing TLS Secret") {
  DesiredState state = Load(kState);
  ClusterFacts facts = Ready();
  facts.secrets.clear();
  CHECK(ReadinessWarnings(state, facts) ==
        std::vector<std::string>{
            "Secret starform-system/starform-app-tls, the certificate of listener https, does not "
            "exist: the listener will not serve HTTPS until it does"});
}

TEST_CASE("readiness: a missing backend Service") {
  DesiredState state = Load(kState);
  ClusterFacts facts = Ready();
  facts.services.erase("tenant-acme/shop-api");
  CHECK(ReadinessWarnings(state, facts) ==
        std::vector<std::string>{
            "Service tenant-acme/shop-api (backend of app tenant-acme/shop) does not exist: "
            "requests to it will fail with 500"});
}

TEST_CASE("readiness: a Service without the port lists the ports it has, once") {
  DesiredState state = Load(kState);
  ClusterFacts facts = Ready();
  facts.services["tenant-acme/shop-web"] = {443, 80};
  // shop and docs both use shop-web:8080: one warning, for the first app.
  CHECK(ReadinessWarnings(state, facts) ==
        std::vector<std::string>{
            "Service tenant-acme/shop-web (backend of app tenant-acme/shop) has no port 8080 (it "
            "has 80, 443): requests to it will fail with 500"});

  SECTION("a Service without ports") {
    facts.services["tenant-acme/shop-web"] = {};
    std::vector<std::string> warnings = ReadinessWarnings(state, facts);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] ==
          "Service tenant-acme/shop-web (backend of app tenant-acme/shop) has no port 8080 (it "
          "has no ports): requests to it will fail with 500");
  }
}

TEST_CASE("readiness: nothing about Services when they were not read") {
  DesiredState state = Load(kState);
  ClusterFacts facts = Ready();
  facts.services.clear();
  facts.services_known = false;
  CHECK(ReadinessWarnings(state, facts).empty());
  facts.services_known = true;
  CHECK(ReadinessWarnings(state, facts).size() == 3);  // shop-web, shop-api, blog
}

// kState with an ext_authz service for shop in the shared namespace starform-authz.
std::string WithExtAuthz() {
  std::string text(kState);
  text.replace(text.find("  className: eg\n"), 16,
               "  className: eg\n  sharedServiceNamespaces: [starform-authz]\n");
  const std::string after_shop = "            port: 9000\n";
  text.replace(text.find(after_shop), after_shop.size(),
               after_shop +
                   "    auth:\n"
                   "      extAuthz:\n"
                   "        service: authz\n"
                   "        namespace: starform-authz\n"
                   "        port: 9000\n");
  return text;
}

TEST_CASE("readiness: the ext_authz Service in a shared namespace") {
  DesiredState state = Load(WithExtAuthz());
  REQUIRE(state.apps.at(0).auth.has_value());
  ClusterFacts facts = Ready();
  facts.namespaces["starform-authz"] = json::object();
  facts.services["starform-authz/authz"] = {9000};
  CHECK(ReadinessWarnings(state, facts).empty());

  SECTION("missing") {
    facts.services.erase("starform-authz/authz");
    CHECK(ReadinessWarnings(state, facts) ==
          std::vector<std::string>{
              "Service starform-authz/authz (ext_authz service of app tenant-acme/shop) does not "
              "exist: requests to it will fail with 500"});
  }
  SECTION("without the port") {
    facts.services["starform-authz/authz"] = {8000};
    std::vector<std::string> warnings = ReadinessWarnings(state, facts);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] ==
          "Service starform-authz/authz (ext_authz service of app tenant-acme/shop) has no port "
          "9000 (it has 8000): requests to it will fail with 500");
  }
}

TEST_CASE("readiness: a missing shared namespace of an ext_authz Service is warned about") {
  DesiredState state = Load(WithExtAuthz());
  ClusterFacts facts = Ready();  // no starform-authz namespace, no authz Service
  std::vector<std::string> warnings = ReadinessWarnings(state, facts);
  CHECK_FALSE(warnings.empty());
  bool mentioned = false;
  for (const std::string& warning : warnings)
    mentioned = mentioned || warning.find("starform-authz") != std::string::npos;
  CHECK(mentioned);
}

TEST_CASE("readiness: everything missing, in document order") {
  DesiredState state = Load(kState);
  ClusterFacts facts;
  facts.services_known = true;
  std::vector<std::string> warnings = ReadinessWarnings(state, facts);
  REQUIRE(warnings.size() == 4);
  CHECK(warnings[0].rfind("GatewayClass eg does not exist", 0) == 0);
  CHECK(warnings[1].rfind("Secret starform-system/starform-app-tls,", 0) == 0);
  CHECK(warnings[2].rfind("namespace tenant-acme (app tenant-acme/shop) does not exist", 0) == 0);
  CHECK(warnings[3].rfind("namespace tenant-globex (app tenant-globex/blog) does not exist", 0) ==
        0);
}

}  // namespace
}  // namespace starform
