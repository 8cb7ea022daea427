// Render: the exact shape of every rendered object, built from DesiredState values made in code
// (so these tests do not depend on the decoder), their order, and the ApplySet id.

#include "plan/render.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using nlohmann::json;

namespace starform {
namespace {

// A value as the document gave it (present) or as the decoder defaults it (absent).
template <typename T>
Field<T> Given(T value) {
  return Field<T>{std::move(value), Mark{1, 1}, true};
}
template <typename T>
Field<T> Defaulted(T value) {
  return Field<T>{std::move(value), Mark{}, false};
}

std::vector<Field<std::string>> Strings(std::initializer_list<const char*> values) {
  std::vector<Field<std::string>> out;
  for (const char* value : values)
    out.push_back(Given<std::string>(value));
  return out;
}

Listener HttpListener(const char* name, int64_t port) {
  Listener listener;
  listener.name = Given<std::string>(name);
  listener.port = Given<int64_t>(port);
  listener.protocol = Given<std::string>("HTTP");
  return listener;
}

Listener HttpsListener(const char* name, int64_t port, const char* hostname,
                       std::initializer_list<const char*> secrets) {
  Listener listener;
  listener.name = Given<std::string>(name);
  listener.port = Given<int64_t>(port);
  listener.protocol = Given<std::string>("HTTPS");
  listener.hostname = Given<std::string>(hostname);
  listener.has_tls = true;
  listener.certificate_refs = Strings(secrets);
  return listener;
}

// The gateway block with the contract's defaults, as the decoder fills them in.
Gateway DefaultGateway() {
  Gateway gateway;
  gateway.name = Defaulted<std::string>("starform");
  gateway.namespace_ = Defaulted<std::string>("starform-system");
  gateway.class_name = Given<std::string>("eg");
  gateway.tenant_label = Defaulted<std::string>("starform.dev/tenant");
  gateway.listeners.push_back(HttpListener("http", 80));
  gateway.listeners.push_back(HttpsListener("https", 443, "*.starform.app", {"starform-app-tls"}));
  return gateway;
}

Backend MakeBackend(const char* service, int64_t port,
                    Field<int64_t> weight = Defaulted<int64_t>(1)) {
  Backend backend;
  backend.service = Given<std::string>(service);
  backend.port = Given<int64_t>(port);
  backend.weight = weight;
  return backend;
}

Rule MakeRule(std::vector<Backend> backends) {
  Rule rule;
  rule.path = Defaulted<std::string>("/");
  rule.match = Defaulted<std::string>("PathPrefix");
  rule.backends = std::move(backends);
  return rule;
}

App MakeApp(const char* namespace_, const char* name, const char* hostname) {
  App app;
  app.name = Given<std::string>(name);
  app.namespace_ = Given<std::string>(namespace_);
  app.hostnames = Strings({hostname});
  app.rules.push_back(MakeRule({MakeBackend(name, 8080)}));
  return app;
}

ClaimToHeader Claim(const char* claim, const char* header) {
  ClaimToHeader out;
  out.claim = Given<std::string>(claim);
  out.header = Given<std::string>(header);
  return out;
}

JwtProvider Provider(const char* name, const char* jwks_uri) {
  JwtProvider provider;
  provider.name = Given<std::string>(name);
  provider.jwks_uri = Given<std::string>(jwks_uri);
  // The contract's default claimToHeaders.
  provider.claim_to_headers.push_back(Claim("sub", "X-Starform-User-ID"));
  provider.claim_to_headers.back().claim.present = false;
  provider.claim_to_headers.back().header.present = false;
  return provider;
}

ExtAuthz MakeExtAuthz(const App& app, const char* service, int64_t port) {
  ExtAuthz ext;
  ext.protocol = Defaulted<std::string>("HTTP");
  ext.service = Given<std::string>(service);
  ext.namespace_ = Defaulted<std::string>(app.namespace_.value);
  ext.port = Given<int64_t>(port);
  ext.fail_open = Defaulted<bool>(false);
  return ext;
}

DesiredState MakeState() {
  DesiredState state;
  state.api_version = Given<std::string>("starform.dev/v1alpha1");
  state.kind = Given<std::string>("DesiredState");
  state.cluster = Given<std::string>("do-nyc1-test");
  state.revision = Given<std::string>("1");
  state.gateway = DefaultGateway();
  return state;
}

// printf 'starform.starform-system.ConfigMap.' | openssl dgst -sha256 -binary | basenc --base64url
// prints c_6E-KK9rpIJxDAX4cuAqTS6iOJ17IqmoldOiB_tcxE= ; the id drops the padding '='.
const char* const kExpectedApplySetId = "applyset-c_6E-KK9rpIJxDAX4cuAqTS6iOJ17IqmoldOiB_tcxE-v1";

json Metadata(const char* name, const char* namespace_) {
  return {{"name", name},
          {"namespace", namespace_},
          {"labels",
           {{"applyset.kubernetes.io/part-of", kExpectedApplySetId},
            {"app.kubernetes.io/managed-by", "starform"}}}};
}

// The rendered object of |kind| named namespace_/name; fails the test when there is none.
json Find(const std::vector<json>& objects, const std::string& kind, const std::string& namespace_,
          const std::string& name) {
  for (const json& object : objects) {
    if (object["kind"] == kind && object["metadata"]["namespace"] == namespace_ &&
        object["metadata"]["name"] == name) {
      return object;
    }
  }
  FAIL("no " << kind << " " << namespace_ << "/" << name);
  return nullptr;
}

int Count(const std::vector<json>& objects, const std::string& kind) {
  int n = 0;
  for (const json& object : objects)
    n += object["kind"] == kind ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("ApplySetId is kubectl's id for ConfigMap starform in starform-system") {
  CHECK(ApplySetId() == kExpectedApplySetId);
}

TEST_CASE("Render writes the EnvoyProxy with the CRD defaults and no annotations by default") {
  std::vector<json> objects = Render(MakeState());
  json expected = {
      {"apiVersion", "gateway.envoyproxy.io/v1alpha1"},
      {"kind", "EnvoyProxy"},
      {"metadata", Metadata("starform", "starform-system")},
      {"spec",
       {{"provider",
         {{"type", "Kubernetes"},
          {"kubernetes",
           {{"envoyService", {{"type", "LoadBalancer"}, {"externalTrafficPolicy", "Local"}}}}}}},
        {"logging", {{"level", {{"default", "warn"}}}}}}}};
  CHECK(objects.at(0) == expected);
}

TEST_CASE("Render puts only the given load balancer fields on the Envoy Service") {
  DesiredState state = MakeState();
  LoadBalancer lb;
  lb.name = Given<std::string>("starform-nyc1-test");
  lb.size_unit = Given<int64_t>(3);
  lb.enable_proxy_protocol = Given(false);
  lb.annotations.push_back(
      {Given<std::string>("service.beta.kubernetes.io/do-loadbalancer-network"),
       Given<std::string>("EXTERNAL")});
  state.gateway.load_balancer = lb;

  json envoy_proxy = Render(state).at(0);
  CHECK(envoy_proxy["spec"]["provider"]["kubernetes"]["envoyService"] ==
        json{{"type", "LoadBalancer"},
             {"externalTrafficPolicy", "Local"},
             {"annotations",
              {{"service.beta.kubernetes.io/do-loadbalancer-name", "starform-nyc1-test"},
               {"service.beta.kubernetes.io/do-loadbalancer-size-unit", "3"},
               {"service.beta.kubernetes.io/do-loadbalancer-enable-proxy-protocol", "false"},
               {"service.beta.kubernetes.io/do-loadbalancer-network", "EXTERNAL"}}}});

  SECTION("every typed field, as DigitalOcean's string annotations") {
    lb.type = Given<std::string>("REGIONAL_NETWORK");
    lb.enable_proxy_protocol = Given(true);
    lb.http_idle_timeout_seconds = Given<int64_t>(120);
    lb.hostname = Given<std::string>("lb.starform.app");
    lb.annotations.clear();
    state.gateway.load_balancer = lb;
    CHECK(Render(state).at(0)["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"] ==
          json{{"service.beta.kubernetes.io/do-loadbalancer-name", "starform-nyc1-test"},
               {"service.beta.kubernetes.io/do-loadbalancer-type", "REGIONAL_NETWORK"},
               {"service.beta.kubernetes.io/do-loadbalancer-size-unit", "3"},
               {"service.beta.kubernetes.io/do-loadbalancer-enable-proxy-protocol", "true"},
               {"service.beta.kubernetes.io/do-loadbalancer-http-idle-timeout-seconds", "120"},
               {"service.beta.kubernetes.io/do-loadbalancer-hostname", "lb.starform.app"}});
  }
  SECTION("an empty load balancer block writes no annotations field") {
    state.gateway.load_balancer = LoadBalancer{};
    CHECK_FALSE(Render(state).at(0)["spec"]["provider"]["kubernetes"]["envoyService"].contains(
        "annotations"));
  }
}

TEST_CASE("Render writes the Gateway with tenant selection on every listener") {
  DesiredState state = MakeState();
  state.gateway.tenant_label = Given<std::string>("example.com/tenant");
  json selector = {{"from", "Selector"},
                   {"selector", {{"matchLabels", {{"example.com/tenant", "true"}}}}}};
  json expected = {
      {"apiVersion", "gateway.networking.k8s.io/v1"},
      {"kind", "Gateway"},
      {"metadata", Metadata("starform", "starform-system")},
      {"spec",
       {{"gatewayClassName", "eg"},
        {"infrastructure",
         {{"parametersRef",
           {{"group", "gateway.envoyproxy.io"}, {"kind", "EnvoyProxy"}, {"name", "starform"}}}}},
        {"listeners",
         {{{"name", "http"},
           {"port", 80},
           {"protocol", "HTTP"},
           {"allowedRoutes", {{"namespaces", selector}}}},
          {{"name", "https"},
           {"port", 443},
           {"protocol", "HTTPS"},
           {"hostname", "*.starform.app"},
           {"tls",
            {{"mode", "Terminate"},
             {"certificateRefs",
              {{{"group", ""}, {"kind", "Secret"}, {"name", "starform-app-tls"}}}}}},
           {"allowedRoutes", {{"namespaces", selector}}}}}}}}};
  CHECK(Render(state).at(1) == expected);
}

TEST_CASE("Render follows a non-default gateway name and namespace everywhere") {
  DesiredState state = MakeState();
  state.gateway.name = Given<std::string>("edge");
  state.gateway.namespace_ = Given<std::string>("edge-system");
  state.apps.push_back(MakeApp("tenant-a", "shop", "shop.starform.app"));
  std::vector<json> objects = Render(state);
  CHECK(objects.at(0)["metadata"] == Metadata("edge", "edge-system"));
  CHECK(objects.at(1)["metadata"] == Metadata("edge", "edge-system"));
  CHECK(objects.at(1)["spec"]["infrastructure"]["parametersRef"]["name"] == "edge");
  CHECK(objects.at(2)["metadata"] == Metadata("edge-identity-headers", "edge-system"));
  CHECK(objects.at(2)["spec"]["targetRefs"] ==
        json::array(
            {{{"group", "gateway.networking.k8s.io"}, {"kind", "Gateway"}, {"name", "edge"}}}));
  json route = Find(objects, "HTTPRoute", "tenant-a", "shop");
  CHECK(route["spec"]["parentRefs"] == json::array({{{"group", "gateway.networking.k8s.io"},
                                                     {"kind", "Gateway"},
                                                     {"name", "edge"},
                                                     {"namespace", "edge-system"}}}));
}

TEST_CASE("Render strips client identity headers on the whole Gateway") {
  DesiredState state = MakeState();
  json expected = {
      {"apiVersion", "gateway.envoyproxy.io/v1alpha1"},
      {"kind", "ClientTrafficPolicy"},
      {"metadata", Metadata("starform-identity-headers", "starform-system")},
      {"spec",
       {{"targetRefs",
         {{{"group", "gateway.networking.k8s.io"}, {"kind", "Gateway"}, {"name", "starform"}}}},
        {"headers",
         {{"earlyRequestHeaders",
           {{"removeOnMatch", {{{"type", "Prefix"}, {"value", "x-starform-"}}}}}}}}}}};
  CHECK(Render(state).at(2) == expected);

  SECTION("and expects the PROXY protocol only when the load balancer sends it") {
    LoadBalancer lb;
    lb.enable_proxy_protocol = Given(true);
    state.gateway.load_balancer = lb;
    json with_proxy = expected;
    with_proxy["spec"]["proxyProtocol"] = json::object();
    CHECK(Render(state).at(2) == with_proxy);

    state.gateway.load_balancer->enable_proxy_protocol = Given(false);
    CHECK(Render(state).at(2) == expected);
    state.gateway.load_balancer->enable_proxy_protocol = Defaulted(false);
    CHECK(Render(state).at(2) == expected);
  }
}

TEST_CASE("Render writes an HTTPRoute per app with the server's defaults filled in") {
  DesiredState state = MakeState();
  App app = MakeApp("tenant-acme", "shop", "shop.starform.app");
  app.hostnames = Strings({"shop.starform.app", "www.shop.example.com"});
  SECTION("defaults") {
    state.apps.push_back(app);
    json expected = {{"apiVersion", "gateway.networking.k8s.io/v1"},
                     {"kind", "HTTPRoute"},
                     {"metadata", Metadata("shop", "tenant-acme")},
                     {"spec",
                      {{"parentRefs",
                        {{{"group", "gateway.networking.k8s.io"},
                          {"kind", "Gateway"},
                          {"name", "starform"},
                          {"namespace", "starform-system"}}}},
                       {"hostnames", {"shop.starform.app", "www.shop.example.com"}},
                       {"rules",
                        {{{"matches", {{{"path", {{"type", "PathPrefix"}, {"value", "/"}}}}}},
                          {"backendRefs",
                           {{{"group", ""},
                             {"kind", "Service"},
                             {"name", "shop"},
                             {"port", 8080},
                             {"weight", 1}}}}}}}}}};
    std::vector<json> objects = Render(state);
    REQUIRE(objects.size() == 4);
    CHECK(objects.at(3) == expected);
  }
  SECTION("listener, exact match, weights and a timeout") {
    app.listener = Given<std::string>("https");
    Rule api = MakeRule({MakeBackend("api-v1", 9000, Given<int64_t>(90)),
                         MakeBackend("api-v2", 9001, Given<int64_t>(10))});
    api.path = Given<std::string>("/api/health");
    api.match = Given<std::string>("Exact");
    api.timeout = Given<std::string>("1m30s");
    app.rules.push_back(api);
    state.apps.push_back(app);
    json route = Find(Render(state), "HTTPRoute", "tenant-acme", "shop");
    CHECK(route["spec"]["parentRefs"][0]["sectionName"] == "https");
    REQUIRE(route["spec"]["rules"].size() == 2);
    CHECK_FALSE(route["spec"]["rules"][0].contains("timeouts"));
    CHECK(route["spec"]["rules"][1] ==
          json{{"matches", {{{"path", {{"type", "Exact"}, {"value", "/api/health"}}}}}},
               {"backendRefs",
                {{{"group", ""},
                  {"kind", "Service"},
                  {"name", "api-v1"},
                  {"port", 9000},
                  {"weight", 90}},
                 {{"group", ""},
                  {"kind", "Service"},
                  {"name", "api-v2"},
                  {"port", 9001},
                  {"weight", 10}}}},
               {"timeouts", {{"request", "1m30s"}}}});
  }
  SECTION("no listener: no sectionName") {
    state.apps.push_back(app);
    json route = Find(Render(state), "HTTPRoute", "tenant-acme", "shop");
    CHECK_FALSE(route["spec"]["parentRefs"][0].contains("sectionName"));
  }
}

TEST_CASE("Render writes a SecurityPolicy only for an app with auth") {
  DesiredState state = MakeState();
  state.apps.push_back(MakeApp("tenant-a", "open", "open.starform.app"));
  App app = MakeApp("tenant-a", "shop", "shop.starform.app");
  Jwt jwt;
  jwt.optional = Defaulted(false);
  JwtProvider auth0 = Provider("auth0", "https://acme.auth0.com/.well-known/jwks.json");
  auth0.issuer = Given<std::string>("https://acme.auth0.com/");
  auth0.audiences = Strings({"shop-api", "shop-admin"});
  auth0.audiences_present = true;
  auth0.claim_to_headers.push_back(Claim("org.plan", "X-Starform-Plan"));
  auth0.claim_to_headers_present = true;
  jwt.providers.push_back(auth0);
  jwt.providers.push_back(Provider("google", "https://www.googleapis.com/oauth2/v3/certs"));
  app.auth.emplace();
  app.auth->jwt = jwt;
  state.apps.push_back(app);

  std::vector<json> objects = Render(state);
  CHECK(Count(objects, "SecurityPolicy") == 1);
  json expected = {
      {"apiVersion", "gateway.envoyproxy.io/v1alpha1"},
      {"kind", "SecurityPolicy"},
      {"metadata", Metadata("shop", "tenant-a")},
      {"spec",
       {{"targetRefs",
         {{{"group", "gateway.networking.k8s.io"}, {"kind", "HTTPRoute"}, {"name", "shop"}}}},
        {"jwt",
         {{"providers",
           {{{"name", "auth0"},
             {"issuer", "https://acme.auth0.com/"},
             {"audiences", {"shop-api", "shop-admin"}},
             {"remoteJWKS",
              {{"uri", "https://acme.auth0.com/.well-known/jwks.json"}, {"cacheDuration", "300s"}}},
             {"claimToHeaders",
              {{{"claim", "sub"}, {"header", "X-Starform-User-ID"}},
               {{"claim", "org.plan"}, {"header", "X-Starform-Plan"}}}}},
            {{"name", "google"},
             {"remoteJWKS",
              {{"uri", "https://www.googleapis.com/oauth2/v3/certs"}, {"cacheDuration", "300s"}}},
             {"claimToHeaders", {{{"claim", "sub"}, {"header", "X-Starform-User-ID"}}}}}}}}}}}};
  CHECK(Find(objects, "SecurityPolicy", "tenant-a", "shop") == expected);

  SECTION("optional: true is written, false is not") {
    state.apps.back().auth->jwt->optional = Given(true);
    json policy = Find(Render(state), "SecurityPolicy", "tenant-a", "shop");
    CHECK(policy["spec"]["jwt"]["optional"] == true);
    state.apps.back().auth->jwt->optional = Given(false);
    policy = Find(Render(state), "SecurityPolicy", "tenant-a", "shop");
    CHECK_FALSE(policy["spec"]["jwt"].contains("optional"));
  }
  SECTION("claimToHeaders: [] renders no claimToHeaders") {
    JwtProvider& provider = state.apps.back().auth->jwt->providers[0];
    provider.claim_to_headers.clear();
    provider.claim_to_headers_present = true;
    json policy = Find(Render(state), "SecurityPolicy", "tenant-a", "shop");
    CHECK_FALSE(policy["spec"]["jwt"]["providers"][0].contains("claimToHeaders"));
    CHECK(policy["spec"]["jwt"]["providers"][1].contains("claimToHeaders"));
  }
  SECTION("audiences: [] renders no audiences") {
    state.apps.back().auth->jwt->providers[0].audiences.clear();
    json policy = Find(Render(state), "SecurityPolicy", "tenant-a", "shop");
    CHECK_FALSE(policy["spec"]["jwt"]["providers"][0].contains("audiences"));
  }
}

TEST_CASE("Render writes ext_authz over HTTP and gRPC, fail-closed unless told otherwise") {
  DesiredState state = MakeState();
  state.gateway.shared_service_namespaces = Strings({"starform-authz"});
  App app = MakeApp("tenant-a", "shop", "shop.starform.app");
  app.auth.emplace();

  SECTION("HTTP in a shared namespace names the namespace") {
    ExtAuthz ext = MakeExtAuthz(app, "authz", 9000);
    ext.namespace_ = Given<std::string>("starform-authz");
    ext.path = Given<std::string>("/check");
    ext.headers_to_backend = Strings({"X-Starform-Plan", "X-Starform-Org"});
    app.auth->ext_authz = ext;
    state.apps.push_back(app);
    json policy = Find(Render(state), "SecurityPolicy", "tenant-a", "shop");
    CHECK_FALSE(policy["spec"].contains("jwt"));
    CHECK(policy["spec"]["extAuth"] ==
          json{{"http",
                {{"backendRefs",
                  {{{"group", ""},
                    {"kind", "Service"},
                    {"name", "authz"},
                    {"namespace", "starform-authz"},
                    {"port", 9000},
                    {"weight", 1}}}},
                 {"path", "/check"},
                 {"headersToBackend", {"X-Starform-Plan", "X-Starform-Org"}}}},
               {"failOpen", false}});
  }
  SECTION("gRPC in the app's namespace, fail-open") {
    ExtAuthz ext = MakeExtAuthz(app, "authz-grpc", 9001);
    ext.protocol = Given<std::string>("GRPC");
    ext.fail_open = Given(true);
    app.auth->ext_authz = ext;
    state.apps.push_back(app);
    std::vector<json> objects = Render(state);
    json policy = Find(objects, "SecurityPolicy", "tenant-a", "shop");
    CHECK(policy["spec"]["extAuth"] == json{{"grpc",
                                             {{"backendRefs",
                                               {{{"group", ""},
                                                 {"kind", "Service"},
                                                 {"name", "authz-grpc"},
                                                 {"port", 9001},
                                                 {"weight", 1}}}}}},
                                            {"failOpen", true}});
    CHECK(Count(objects, "ReferenceGrant") == 0);
  }
  SECTION("the app's own namespace given explicitly is still same-namespace") {
    ExtAuthz ext = MakeExtAuthz(app, "authz", 9000);
    ext.namespace_ = Given<std::string>("tenant-a");
    app.auth->ext_authz = ext;
    state.apps.push_back(app);
    std::vector<json> objects = Render(state);
    CHECK_FALSE(Find(objects, "SecurityPolicy", "tenant-a",
                     "shop")["spec"]["extAuth"]["http"]["backendRefs"][0]
                    .contains("namespace"));
    CHECK(Count(objects, "ReferenceGrant") == 0);
  }
  SECTION("jwt and ext_authz together") {
    app.auth->jwt = Jwt{};
    app.auth->jwt->providers.push_back(Provider("p", "https://id.example.com/jwks"));
    app.auth->ext_authz = MakeExtAuthz(app, "authz", 9000);
    state.apps.push_back(app);
    json policy = Find(Render(state), "SecurityPolicy", "tenant-a", "shop");
    CHECK(policy["spec"].contains("jwt"));
    CHECK(policy["spec"].contains("extAuth"));
  }
}

TEST_CASE("Render grants each tenant namespace only the shared Services its apps use") {
  DesiredState state = MakeState();
  state.gateway.shared_service_namespaces = Strings({"starform-authz", "platform-auth"});
  auto add = [&](const char* namespace_, const char* name, const char* shared,
                 const char* service) {
    App app = MakeApp(namespace_, name, (std::string(name) + "." + namespace_ + ".app").c_str());
    app.auth.emplace();
    app.auth->ext_authz = MakeExtAuthz(app, service, 9000);
    if (shared != nullptr)
      app.auth->ext_authz->namespace_ = Given<std::string>(shared);
    state.apps.push_back(app);
  };
  add("tenant-b", "b1", "starform-authz", "authz");
  add("tenant-a", "a1", "starform-authz", "authz-v2");
  add("tenant-a", "a2", "starform-authz", "authz");
  add("tenant-a", "a3", "starform-authz", "authz");  // the same Service again: one entry
  add("tenant-a", "a4", "platform-auth", "opa");
  add("tenant-c", "c1", nullptr, "own-authz");  // its own namespace: no grant

  std::vector<json> objects = Render(state);
  std::vector<json> grants;
  for (const json& object : objects) {
    if (object["kind"] == "ReferenceGrant")
      grants.push_back(object);
  }
  REQUIRE(grants.size() == 3);
  auto from = [](const char* namespace_) {
    return json::array({{{"group", "gateway.envoyproxy.io"},
                         {"kind", "SecurityPolicy"},
                         {"namespace", namespace_}}});
  };
  auto service = [](const char* name) {
    return json{{"group", ""}, {"kind", "Service"}, {"name", name}};
  };
  CHECK(grants[0] == json{{"apiVersion", "gateway.networking.k8s.io/v1beta1"},
                          {"kind", "ReferenceGrant"},
                          {"metadata", Metadata("starform-tenant-a", "platform-auth")},
                          {"spec", {{"from", from("tenant-a")}, {"to", {service("opa")}}}}});
  CHECK(grants[1] ==
        json{{"apiVersion", "gateway.networking.k8s.io/v1beta1"},
             {"kind", "ReferenceGrant"},
             {"metadata", Metadata("starform-tenant-a", "starform-authz")},
             {"spec",
              {{"from", from("tenant-a")}, {"to", {service("authz"), service("authz-v2")}}}}});
  CHECK(grants[2]["metadata"] == Metadata("starform-tenant-b", "starform-authz"));
  CHECK(grants[2]["spec"] == json{{"from", from("tenant-b")}, {"to", {service("authz")}}});
}

TEST_CASE("Render lists objects by kind in apply order, then by namespace and name") {
  DesiredState state = MakeState();
  state.gateway.shared_service_namespaces = Strings({"starform-authz"});
  for (const char* ns_name : {"t-b/zeta", "t-a/beta", "t-b/alpha", "t-a/alpha", "t-aa/alpha"}) {
    std::string s = ns_name;
    std::string ns = s.substr(0, s.find('/')), name = s.substr(s.find('/') + 1);
    App app = MakeApp(ns.c_str(), name.c_str(), (name + "." + ns + ".app").c_str());
    app.auth.emplace();
    app.auth->ext_authz = MakeExtAuthz(app, "authz", 9000);
    app.auth->ext_authz->namespace_ = Given<std::string>("starform-authz");
    state.apps.push_back(app);
  }
  std::vector<std::string> got;
  for (const json& object : Render(state)) {
    got.push_back(object["kind"].get<std::string>() + " " +
                  object["metadata"]["namespace"].get<std::string>() + "/" +
                  object["metadata"]["name"].get<std::string>());
  }
  std::vector<std::string> expected = {
      "EnvoyProxy starform-system/starform",
      "Gateway starform-system/starform",
      "ClientTrafficPolicy starform-system/starform-identity-headers",
      "ReferenceGrant starform-authz/starform-t-a",
      "ReferenceGrant starform-authz/starform-t-aa",
      "ReferenceGrant starform-authz/starform-t-b",
      "SecurityPolicy t-a/alpha",
      "SecurityPolicy t-a/beta",
      "SecurityPolicy t-aa/alpha",
      "SecurityPolicy t-b/alpha",
      "SecurityPolicy t-b/zeta",
      "HTTPRoute t-a/alpha",
      "HTTPRoute t-a/beta",
      "HTTPRoute t-aa/alpha",
      "HTTPRoute t-b/alpha",
      "HTTPRoute t-b/zeta",
  };
  CHECK(got == expected);
}

TEST_CASE("Render of a state with no apps is the shared layer only") {
  std::vector<json> objects = Render(MakeState());
  REQUIRE(objects.size() == 3);
  CHECK(objects[0]["kind"] == "EnvoyProxy");
  CHECK(objects[1]["kind"] == "Gateway");
  CHECK(objects[2]["kind"] == "ClientTrafficPolicy");
}

TEST_CASE("Render is deterministic and independent of app order") {
  DesiredState state = MakeState();
  for (int i = 0; i < 50; ++i) {
    std::string ns = "tenant-" + std::to_string(i % 7), name = "app-" + std::to_string(i);
    state.apps.push_back(MakeApp(ns.c_str(), name.c_str(), (name + ".starform.app").c_str()));
  }
  std::vector<json> first = Render(state);
  CHECK(Render(state) == first);
  std::reverse(state.apps.begin(), state.apps.end());
  CHECK(Render(state) == first);
}

// CPU time and page faults of this process since |start|.
struct Usage {
  double user_ms;
  double sys_ms;
  long minor_faults;
};
Usage UsageSince(const rusage& start) {
  rusage now;
  getrusage(RUSAGE_SELF, &now);
  auto ms = [](const timeval& a, const timeval& b) {
    return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_usec - a.tv_usec) / 1e3;
  };
  return {ms(start.ru_utime, now.ru_utime), ms(start.ru_stime, now.ru_stime),
          now.ru_minflt - start.ru_minflt};
}

// A timing check, not run by default (a shared or sanitized build is no place for one):
//   build-render/plan_tests '[bench]'
// The first render in a process runs on a cold heap: the ~90 MB of json nodes it builds are
// faulted in page by page, which is kernel time and depends on the machine (on a paravirtualised
// VM each fault costs microseconds). The check is on the CPU time of a render on a warm heap, the
// case of the CLI, whose parse tree is freed before rendering; both are reported.
TEST_CASE("Render: 10,000 apps in well under 200 ms", "[.bench]") {
  DesiredState state = MakeState();
  state.gateway.shared_service_namespaces = Strings({"starform-authz"});
  state.apps.reserve(10000);
  for (int i = 0; i < 10000; ++i) {
    std::string ns = "tenant-" + std::to_string(i % 500), name = "app-" + std::to_string(i);
    App app = MakeApp(ns.c_str(), name.c_str(), (name + ".starform.app").c_str());
    app.rules.push_back(MakeRule({MakeBackend("api", 9000), MakeBackend("api-canary", 9000)}));
    if (i % 2 == 0) {
      app.auth.emplace();
      app.auth->jwt = Jwt{};
      app.auth->jwt->providers.push_back(Provider("auth0", "https://acme.auth0.com/jwks.json"));
      if (i % 4 == 0) {
        app.auth->ext_authz = MakeExtAuthz(app, "authz", 9000);
        app.auth->ext_authz->namespace_ = Given<std::string>("starform-authz");
      }
    }
    state.apps.push_back(std::move(app));
  }
  for (const char* heap : {"cold", "warm"}) {
    rusage start;
    getrusage(RUSAGE_SELF, &start);
    auto wall_start = std::chrono::steady_clock::now();
    std::vector<json> objects = Render(state);
    std::chrono::duration<double, std::milli> wall = std::chrono::steady_clock::now() - wall_start;
    Usage usage = UsageSince(start);
    WARN(heap << " heap: " << objects.size() << " objects in " << usage.user_ms << " ms user + "
              << usage.sys_ms << " ms sys CPU (" << usage.minor_faults << " page faults), "
              << wall.count() << " ms wall");
    // 3 shared objects, 125 ReferenceGrants (the tenant namespaces i % 500 with i % 4 == 0),
    // 5,000 SecurityPolicies, 10,000 HTTPRoutes.
    CHECK(objects.size() == 3 + 125 + 5000 + 10000);
    if (std::string(heap) == "warm") {
      CHECK(usage.user_ms + usage.sys_ms < 200);
    }
  }
}

}  // namespace starform
