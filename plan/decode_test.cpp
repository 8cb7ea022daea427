#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "plan/decode_internal.h"
#include "plan/desired_state.h"

namespace starform {
namespace {

// Every field of the contract, each with a non-default value.
constexpr std::string_view kFullYaml = R"(apiVersion: starform.dev/v1alpha1
kind: DesiredState
cluster: do-nyc1-prod
revision: "8421"
gateway:
  name: edge
  namespace: edge-system
  className: eg
  tenantLabel: example.com/tenant
  sharedServiceNamespaces: [starform-authz]
  listeners:
    - name: http
      port: 80
      protocol: HTTP
    - name: https
      port: 443
      protocol: HTTPS
      hostname: "*.starform.app"
      tls:
        certificateRefs: [starform-app-tls, other-tls]
  loadBalancer:
    name: starform-nyc1-prod
    type: REGIONAL_NETWORK
    sizeUnit: 2
    enableProxyProtocol: true
    httpIdleTimeoutSeconds: 60
    hostname: lb.starform.app
    annotations:
      service.beta.kubernetes.io/do-loadbalancer-foo: "bar"
apps:
  - name: shop
    namespace: tenant-acme
    hostnames: [shop.starform.app, www.shop.starform.app]
    listener: https
    rules:
      - path: /api
        match: Exact
        backends:
          - service: shop
            port: 8080
            weight: 3
        timeout: 30s
    auth:
      jwt:
        optional: true
        providers:
          - name: auth0
            issuer: https://acme.auth0.com/
            audiences: [shop-api]
            jwksUri: https://acme.auth0.com/.well-known/jwks.json
            claimToHeaders:
              - claim: email
                header: X-Starform-Email
      extAuthz:
        protocol: GRPC
        service: authz
        namespace: starform-authz
        port: 9000
        path: /check
        headersToBackend: [X-Starform-Plan]
        failOpen: true
)";

// The same document as JSON.
constexpr std::string_view kFullJson = R"({
  "apiVersion": "starform.dev/v1alpha1", "kind": "DesiredState",
  "cluster": "do-nyc1-prod", "revision": "8421",
  "gateway": {
    "name": "edge", "namespace": "edge-system", "className": "eg",
    "tenantLabel": "example.com/tenant", "sharedServiceNamespaces": ["starform-authz"],
    "listeners": [
      {"name": "http", "port": 80, "protocol": "HTTP"},
      {"name": "https", "port": 443, "protocol": "HTTPS", "hostname": "*.starform.app",
       "tls": {"certificateRefs": ["starform-app-tls", "other-tls"]}}
    ],
    "loadBalancer": {
      "name": "starform-nyc1-prod", "type": "REGIONAL_NETWORK", "sizeUnit": 2,
      "enableProxyProtocol": true, "httpIdleTimeoutSeconds": 60, "hostname": "lb.starform.app",
      "annotations": {"service.beta.kubernetes.io/do-loadbalancer-foo": "bar"}
    }
  },
  "apps": [{
    "name": "shop", "namespace": "tenant-acme",
    "hostnames": ["shop.starform.app", "www.shop.starform.app"], "listener": "https",
    "rules": [{"path": "/api", "match": "Exact",
               "backends": [{"service": "shop", "port": 8080, "weight": 3}], "timeout": "30s"}],
    "auth": {
      "jwt": {"optional": true, "providers": [{
        "name": "auth0", "issuer": "https://acme.auth0.com/", "audiences": ["shop-api"],
        "jwksUri": "https://acme.auth0.com/.well-known/jwks.json",
        "claimToHeaders": [{"claim": "email", "header": "X-Starform-Email"}]}]},
      "extAuthz": {"protocol": "GRPC", "service": "authz", "namespace": "starform-authz",
                   "port": 9000, "path": "/check", "headersToBackend": ["X-Starform-Plan"],
                   "failOpen": true}
    }
  }]
})";

constexpr std::string_view kHeader = R"(apiVersion: starform.dev/v1alpha1
kind: DesiredState
cluster: c
revision: "1"
)";

constexpr std::string_view kMinimalGateway = R"(gateway:
  className: eg
  listeners:
    - name: http
      port: 80
      protocol: HTTP
)";

struct Decoded {
  bool ok = false;
  DesiredState state;
  std::vector<std::string> lines;  // "line:column: path: message"
};

Decoded Decode(std::string_view text) {
  SourceNode doc;
  Diagnostics parse_diags("t");
  INFO(text);
  bool parsed = ParseDocument(text, &doc, &parse_diags);
  INFO(parse_diags.ToString());
  REQUIRE(parsed);
  Decoded out;
  Diagnostics diags;
  out.ok = DecodeDesiredState(doc, &out.state, &diags);
  diags.SortByPosition();  // decoding reports keys of a mapping before its values
  for (const Diagnostic& d : diags.all()) {
    REQUIRE(d.severity == Diagnostic::Severity::kError);
    out.lines.push_back(std::to_string(d.mark.line) + ":" + std::to_string(d.mark.column) + ": " +
                        (d.path.empty() ? "" : d.path + ": ") + d.message);
  }
  return out;
}

// Decodes a document made of the header, the minimal gateway and |apps| (a YAML "apps:" block
// on line 11), so the first app starts on line 12.
Decoded DecodeApps(std::string_view apps) {
  return Decode(std::string(kHeader) + std::string(kMinimalGateway) + "apps:\n" +
                std::string(apps));
}

using Lines = std::vector<std::string>;

std::string Pos(Mark mark) {
  return std::to_string(mark.line) + ":" + std::to_string(mark.column);
}

TEST_CASE("decode: every field of a full document") {
  Decoded d = Decode(kFullYaml);
  INFO(Catch::Detail::stringify(d.lines));
  REQUIRE(d.ok);
  REQUIRE(d.lines.empty());
  const DesiredState& s = d.state;
  CHECK(s.api_version.value == "starform.dev/v1alpha1");
  CHECK(s.kind.value == "DesiredState");
  CHECK(s.cluster.value == "do-nyc1-prod");
  CHECK(Pos(s.cluster.mark) == "3:10");
  CHECK(s.revision.value == "8421");
  const Gateway& g = s.gateway;
  CHECK(Pos(g.mark) == "6:3");
  CHECK(g.name.value == "edge");
  CHECK(g.name.present);
  CHECK(g.namespace_.value == "edge-system");
  CHECK(g.class_name.value == "eg");
  CHECK(g.tenant_label.value == "example.com/tenant");
  REQUIRE(g.shared_service_namespaces.size() == 1);
  CHECK(g.shared_service_namespaces[0].value == "starform-authz");
  CHECK(Pos(g.shared_service_namespaces[0].mark) == "10:29");
  REQUIRE(g.listeners.size() == 2);
  CHECK(Pos(g.listeners_mark) == "12:5");
  CHECK(Pos(g.listeners[1].mark) == "15:7");
  CHECK(g.listeners[0].name.value == "http");
  CHECK(g.listeners[0].port.value == 80);
  CHECK(g.listeners[0].protocol.value == "HTTP");
  CHECK_FALSE(g.listeners[0].hostname.present);
  CHECK_FALSE(g.listeners[0].has_tls);
  CHECK(g.listeners[1].hostname.value == "*.starform.app");
  CHECK(g.listeners[1].has_tls);
  CHECK(Pos(g.listeners[1].tls_mark) == "20:9");
  REQUIRE(g.listeners[1].certificate_refs.size() == 2);
  CHECK(g.listeners[1].certificate_refs[1].value == "other-tls");
  REQUIRE(g.load_balancer.has_value());
  const LoadBalancer& lb = *g.load_balancer;
  CHECK(Pos(lb.mark) == "22:5");
  CHECK(lb.name.value == "starform-nyc1-prod");
  CHECK(lb.type.value == "REGIONAL_NETWORK");
  CHECK(lb.size_unit.value == 2);
  CHECK(lb.enable_proxy_protocol.value);
  CHECK(lb.enable_proxy_protocol.present);
  CHECK(lb.http_idle_timeout_seconds.value == 60);
  CHECK(lb.hostname.value == "lb.starform.app");
  REQUIRE(lb.annotations.size() == 1);
  CHECK(lb.annotations[0].key.value == "service.beta.kubernetes.io/do-loadbalancer-foo");
  CHECK(Pos(lb.annotations[0].key.mark) == "29:7");
  CHECK(lb.annotations[0].value.value == "bar");
  CHECK(Pos(lb.annotations[0].value.mark) == "29:55");

  REQUIRE(s.apps.size() == 1);
  CHECK(Pos(s.apps_mark) == "31:3");
  const App& app = s.apps[0];
  CHECK(Pos(app.mark) == "31:5");
  CHECK(app.name.value == "shop");
  CHECK(app.namespace_.value == "tenant-acme");
  REQUIRE(app.hostnames.size() == 2);
  CHECK(Pos(app.hostnames_mark) == "33:16");
  CHECK(app.hostnames[1].value == "www.shop.starform.app");
  CHECK(app.listener.value == "https");
  REQUIRE(app.rules.size() == 1);
  const Rule& rule = app.rules[0];
  CHECK(rule.path.value == "/api");
  CHECK(rule.path.present);
  CHECK(rule.match.value == "Exact");
  CHECK(rule.timeout.value == "30s");
  REQUIRE(rule.backends.size() == 1);
  CHECK(Pos(rule.backends_mark) == "39:11");
  CHECK(rule.backends[0].service.value == "shop");
  CHECK(rule.backends[0].port.value == 8080);
  CHECK(rule.backends[0].weight.value == 3);
  CHECK(rule.backends[0].weight.present);
  REQUIRE(app.auth.has_value());
  REQUIRE(app.auth->jwt.has_value());
  const Jwt& jwt = *app.auth->jwt;
  CHECK(jwt.optional.value);
  REQUIRE(jwt.providers.size() == 1);
  const JwtProvider& p = jwt.providers[0];
  CHECK(p.name.value == "auth0");
  CHECK(p.issuer.value == "https://acme.auth0.com/");
  CHECK(p.audiences_present);
  REQUIRE(p.audiences.size() == 1);
  CHECK(p.audiences[0].value == "shop-api");
  CHECK(p.jwks_uri.value == "https://acme.auth0.com/.well-known/jwks.json");
  CHECK(p.claim_to_headers_present);
  REQUIRE(p.claim_to_headers.size() == 1);
  CHECK(p.claim_to_headers[0].claim.value == "email");
  CHECK(p.claim_to_headers[0].header.value == "X-Starform-Email");
  CHECK(Pos(p.claim_to_headers[0].mark) == "52:17");
  REQUIRE(app.auth->ext_authz.has_value());
  const ExtAuthz& ext = *app.auth->ext_authz;
  CHECK(ext.protocol.value == "GRPC");
  CHECK(ext.service.value == "authz");
  CHECK(ext.namespace_.value == "starform-authz");
  CHECK(ext.namespace_.present);
  CHECK(ext.port.value == 9000);
  CHECK(ext.path.value == "/check");
  REQUIRE(ext.headers_to_backend.size() == 1);
  CHECK(ext.headers_to_backend[0].value == "X-Starform-Plan");
  CHECK(Pos(ext.headers_to_backend_mark) == "60:27");
  CHECK(ext.fail_open.value);
}

// Renders the model's values (not marks), to compare two decodes.
std::string Summary(const DesiredState& s) {
  std::string out;
  auto add = [&](const auto& field) {
    if constexpr (std::is_same_v<std::decay_t<decltype(field.value)>, std::string>) {
      out += field.value;
    } else {
      out += std::to_string(field.value);
    }
    out += field.present ? "|" : "~|";
  };
  add(s.api_version), add(s.kind), add(s.cluster), add(s.revision);
  const Gateway& g = s.gateway;
  add(g.name), add(g.namespace_), add(g.class_name), add(g.tenant_label);
  for (const auto& ns : g.shared_service_namespaces)
    add(ns);
  for (const Listener& l : g.listeners) {
    add(l.name), add(l.port), add(l.protocol), add(l.hostname);
    out += l.has_tls ? "tls|" : "|";
    for (const auto& ref : l.certificate_refs)
      add(ref);
  }
  if (g.load_balancer) {
    const LoadBalancer& lb = *g.load_balancer;
    add(lb.name), add(lb.type), add(lb.size_unit), add(lb.enable_proxy_protocol);
    add(lb.http_idle_timeout_seconds), add(lb.hostname);
    for (const auto& a : lb.annotations)
      add(a.key), add(a.value);
  }
  for (const App& app : s.apps) {
    add(app.name), add(app.namespace_), add(app.listener);
    for (const auto& h : app.hostnames)
      add(h);
    for (const Rule& r : app.rules) {
      add(r.path), add(r.match), add(r.timeout);
      for (const Backend& b : r.backends)
        add(b.service), add(b.port), add(b.weight);
    }
    if (!app.auth)
      continue;
    if (app.auth->jwt) {
      add(app.auth->jwt->optional);
      for (const JwtProvider& p : app.auth->jwt->providers) {
        add(p.name), add(p.issuer), add(p.jwks_uri);
        out += p.audiences_present ? "aud|" : "|";
        for (const auto& a : p.audiences)
          add(a);
        out += p.claim_to_headers_present ? "cth|" : "|";
        for (const auto& c : p.claim_to_headers)
          add(c.claim), add(c.header);
      }
    }
    if (app.auth->ext_authz) {
      const ExtAuthz& e = *app.auth->ext_authz;
      add(e.protocol), add(e.service), add(e.namespace_), add(e.port), add(e.path),
          add(e.fail_open);
      for (const auto& h : e.headers_to_backend)
        add(h);
    }
  }
  return out;
}

TEST_CASE("decode: JSON and YAML give the same model") {
  Decoded yaml = Decode(kFullYaml);
  Decoded json = Decode(kFullJson);
  REQUIRE(yaml.ok);
  REQUIRE(json.ok);
  CHECK(Summary(json.state) == Summary(yaml.state));
  CHECK(Summary(yaml.state).find("starform-nyc1-prod|") != std::string::npos);
  // Positions are each format's own.
  CHECK(Pos(json.state.apps[0].rules[0].backends[0].port.mark) == "22:57");
}

TEST_CASE("decode: the contract's defaults") {
  Decoded d = DecodeApps(R"(  - name: shop
    namespace: tenant-acme
    hostnames: [shop.starform.app]
    rules:
      - backends:
          - service: shop
            port: 8080
    auth:
      jwt:
        providers:
          - name: a
            jwksUri: https://a.example.com/jwks
          - name: b
            jwksUri: https://b.example.com/jwks
            claimToHeaders: []
          - name: c
            jwksUri: https://c.example.com/jwks
            claimToHeaders: ~
            audiences: ~
      extAuthz:
        service: authz
        port: 9000
)");
  INFO(Catch::Detail::stringify(d.lines));
  REQUIRE(d.ok);
  const Gateway& g = d.state.gateway;
  CHECK(g.name.value == "starform");
  CHECK_FALSE(g.name.present);
  CHECK_FALSE(g.name.mark.known());
  CHECK(g.namespace_.value == "starform-system");
  CHECK(g.tenant_label.value == "starform.dev/tenant");
  CHECK(g.shared_service_namespaces.empty());
  CHECK_FALSE(g.load_balancer.has_value());
  const App& app = d.state.apps.at(0);
  CHECK_FALSE(app.listener.present);
  const Rule& rule = app.rules.at(0);
  CHECK(rule.path.value == "/");
  CHECK_FALSE(rule.path.present);
  CHECK(rule.match.value == "PathPrefix");
  CHECK_FALSE(rule.match.present);
  CHECK_FALSE(rule.timeout.present);
  CHECK(rule.backends.at(0).weight.value == 1);
  CHECK_FALSE(rule.backends.at(0).weight.present);
  const Jwt& jwt = *app.auth->jwt;
  CHECK_FALSE(jwt.optional.value);
  CHECK_FALSE(jwt.optional.present);
  REQUIRE(jwt.providers.size() == 3);
  for (size_t i : {0, 2}) {
    INFO(i);
    const JwtProvider& p = jwt.providers[i];
    CHECK_FALSE(p.claim_to_headers_present);
    REQUIRE(p.claim_to_headers.size() == 1);
    CHECK(p.claim_to_headers[0].claim.value == "sub");
    CHECK(p.claim_to_headers[0].header.value == "X-Starform-User-ID");
    CHECK_FALSE(p.claim_to_headers[0].header.present);
    CHECK_FALSE(p.audiences_present);
    CHECK_FALSE(p.issuer.present);
  }
  CHECK(jwt.providers[1].claim_to_headers_present);
  CHECK(jwt.providers[1].claim_to_headers.empty());
  const ExtAuthz& ext = *app.auth->ext_authz;
  CHECK(ext.protocol.value == "HTTP");
  CHECK_FALSE(ext.protocol.present);
  CHECK(ext.namespace_.value == "tenant-acme");
  CHECK_FALSE(ext.namespace_.present);
  CHECK_FALSE(ext.fail_open.value);
  CHECK_FALSE(ext.path.present);
  CHECK(ext.headers_to_backend.empty());
}

TEST_CASE("decode: null is absent for optional fields") {
  Decoded d = Decode(std::string(kHeader) + R"(gateway:
  name: ~
  className: eg
  tenantLabel:
  sharedServiceNamespaces: null
  loadBalancer: ~
  listeners:
    - name: http
      port: 80
      protocol: HTTP
      hostname: ~
      tls: ~
apps: ~
)");
  INFO(Catch::Detail::stringify(d.lines));
  REQUIRE(d.ok);
  CHECK(d.state.gateway.name.value == "starform");
  CHECK(d.state.gateway.tenant_label.value == "starform.dev/tenant");
  CHECK_FALSE(d.state.gateway.load_balancer.has_value());
  CHECK_FALSE(d.state.gateway.listeners[0].has_tls);
  CHECK_FALSE(d.state.gateway.listeners[0].hostname.present);
  CHECK(d.state.apps.empty());
}

TEST_CASE("decode: unknown fields, with a suggestion when one is close") {
  Decoded d = DecodeApps(R"(  - name: shop
    namespace: tenant-acme
    hostname: [shop.starform.app]
    rules:
      - backends:
          - service: shop
            port: 8080
            weigth: 2
        colour: blue
)");
  CHECK_FALSE(d.ok);
  // No "missing required field hostnames" as well: the suggestion already says it.
  CHECK(d.lines == Lines{
                       "14:5: apps[0]: unknown field \"hostname\", did you mean \"hostnames\"?",
                       "19:13: apps[0].rules[0].backends[0]: unknown field \"weigth\", did you "
                       "mean \"weight\"?",
                       "20:9: apps[0].rules[0]: unknown field \"colour\"",
                   });
}

TEST_CASE("decode: unknown top-level and gateway fields") {
  Decoded d = Decode(std::string(kHeader) + R"(gateway:
  class_name: eg
  listeners:
    - name: http
      port: 80
      protocol: HTTP
  loadBalancer:
    proxyProtocol: true
spec: {}
)");
  CHECK(d.lines == Lines{
                       "6:3: gateway: unknown field \"class_name\", did you mean \"className\"?",
                       "12:5: gateway.loadBalancer: unknown field \"proxyProtocol\", did you "
                       "mean \"enableProxyProtocol\"?",
                       "13:1: unknown field \"spec\"",
                   });
}

TEST_CASE("decode: duplicate keys name the first occurrence") {
  Decoded d = DecodeApps(R"(  - name: shop
    namespace: tenant-acme
    hostnames: [shop.starform.app]
    rules:
      - backends:
          - service: shop
            port: 8080
            port: 9090
    name: other
)");
  CHECK_FALSE(d.ok);
  CHECK(d.lines ==
        Lines{
            "19:13: apps[0].rules[0].backends[0]: duplicate key \"port\" (first at line 18)",
            "20:5: apps[0]: duplicate key \"name\" (first at line 12)",
        });
  CHECK(d.state.apps[0].rules[0].backends[0].port.value == 8080);  // the first one counts
  CHECK(d.state.apps[0].name.value == "shop");
}

TEST_CASE("decode: duplicate keys in JSON") {
  Decoded d = Decode(R"({"apiVersion": "starform.dev/v1alpha1", "kind": "DesiredState",
  "cluster": "c", "revision": "1", "cluster": "d",
  "gateway": {"className": "eg", "listeners": []}})");
  CHECK(d.lines == Lines{"2:36: duplicate key \"cluster\" (first at line 2)"});
}

TEST_CASE("decode: wrong types") {
  Decoded d = Decode(std::string(kHeader) + R"(gateway:
  className: eg
  sharedServiceNamespaces: starform-authz
  listeners:
    - name: http
      port: "80"
      protocol: HTTP
      tls: true
  loadBalancer:
    sizeUnit: 2.0
    enableProxyProtocol: "false"
    annotations:
      service.beta.kubernetes.io/do-loadbalancer-foo: 5
apps:
  - name: shop
    namespace: [tenant-acme]
    hostnames: [shop.starform.app, 7]
    rules:
      - backends:
          - service: shop
            port: 99999999999999999999
    auth:
      jwt:
        optional: yes
        providers: {}
)");
  CHECK_FALSE(d.ok);
  CHECK(d.lines ==
        Lines{
            "7:28: gateway.sharedServiceNamespaces: expected sequence, got string",
            "10:13: gateway.listeners[0].port: expected integer, got string",
            "12:12: gateway.listeners[0].tls: expected mapping, got boolean",
            "14:15: gateway.loadBalancer.sizeUnit: expected integer, got float",
            "15:26: gateway.loadBalancer.enableProxyProtocol: expected boolean, got string",
            "17:55: gateway.loadBalancer.annotations[\"service.beta.kubernetes.io/"
            "do-loadbalancer-foo\"]: expected string, got integer",
            "20:16: apps[0].namespace: expected string, got sequence",
            "21:36: apps[0].hostnames[1]: expected string, got integer",
            "25:19: apps[0].rules[0].backends[0].port: integer 99999999999999999999 is out "
            "of range",
            "28:19: apps[0].auth.jwt.optional: expected boolean, got string",
            "29:20: apps[0].auth.jwt.providers: expected sequence, got mapping",
        });
  // The bad hostname keeps its place, so that indices stay the document's.
  REQUIRE(d.state.apps[0].hostnames.size() == 2);
  CHECK_FALSE(d.state.apps[0].hostnames[1].present);
  CHECK(d.state.gateway.load_balancer->annotations.empty());
}

TEST_CASE("decode: a list item of the wrong type keeps its index") {
  Decoded d = DecodeApps(R"(  - shop
  - name: ok
    namespace: tenant-acme
    hostnames: [ok.starform.app]
    rules: [{backends: [{service: ok, port: 80}]}]
)");
  CHECK(d.lines == Lines{"12:5: apps[0]: expected mapping, got string"});
  REQUIRE(d.state.apps.size() == 2);
  CHECK(Pos(d.state.apps[0].mark) == "12:5");
  CHECK(d.state.apps[1].name.value == "ok");
}

TEST_CASE("decode: missing required fields, at the parent mapping") {
  Decoded d = Decode(R"(apiVersion: starform.dev/v1alpha1
kind: DesiredState
gateway:
  listeners:
    - port: 80
apps:
  - name: shop
    rules:
      - backends:
          - port: 8080
      - path: /x
    auth:
      jwt: {}
      extAuthz:
        service: authz
)");
  CHECK_FALSE(d.ok);
  CHECK(d.lines == Lines{
                       "1:1: missing required field \"cluster\"",
                       "1:1: missing required field \"revision\"",
                       "4:3: gateway: missing required field \"className\"",
                       "5:7: gateway.listeners[0]: missing required field \"name\"",
                       "5:7: gateway.listeners[0]: missing required field \"protocol\"",
                       "7:5: apps[0]: missing required field \"namespace\"",
                       "7:5: apps[0]: missing required field \"hostnames\"",
                       "10:13: apps[0].rules[0].backends[0]: missing required field \"service\"",
                       "11:9: apps[0].rules[1]: missing required field \"backends\"",
                       "13:12: apps[0].auth.jwt: missing required field \"providers\"",
                       "15:9: apps[0].auth.extAuthz: missing required field \"port\"",
                   });
}

TEST_CASE("decode: a required field written empty is a type error at the key") {
  Decoded d = Decode(std::string(kHeader) + R"(gateway:
  className:
  listeners:
    - name: http
      port: 80
      protocol: HTTP
)");
  CHECK(d.lines == Lines{"6:3: gateway.className: expected string, got null"});
}

TEST_CASE("decode: apiVersion and kind") {
  Decoded d = Decode(R"(apiVersion: starform.dev/v1
kind: Desiredstate
cluster: c
revision: "1"
gateway: {className: eg, listeners: []}
)");
  CHECK(d.lines == Lines{
                       "1:13: apiVersion: expected \"starform.dev/v1alpha1\", got "
                       "\"starform.dev/v1\"",
                       "2:7: kind: expected \"DesiredState\", got \"Desiredstate\"",
                   });
  Decoded missing =
      Decode("cluster: c\nrevision: \"1\"\ngateway: {className: eg, listeners: []}\n");
  CHECK(missing.lines == Lines{
                             "1:1: missing required field \"apiVersion\"",
                             "1:1: missing required field \"kind\"",
                         });
}

TEST_CASE("decode: a document that is not a mapping") {
  CHECK(Decode("").lines == Lines{"1:1: the document is empty; expected a DesiredState mapping"});
  CHECK(Decode("- a\n- b\n").lines == Lines{"1:1: expected mapping, got sequence"});
  CHECK(Decode("[1]").lines == Lines{"1:1: expected mapping, got sequence"});
}

TEST_CASE("decode: annotation keys") {
  Decoded d = Decode(std::string(kHeader) + std::string(kMinimalGateway) + R"(  loadBalancer:
    annotations:
      "a\"b": x
      80: y
      "a\"b": z
)");
  CHECK(d.lines ==
        Lines{
            "14:7: gateway.loadBalancer.annotations: expected a string key, got integer",
            "15:7: gateway.loadBalancer.annotations: duplicate key \"a\\\"b\" (first at line 13)",
        });
  REQUIRE(d.state.gateway.load_balancer->annotations.size() == 1);
  CHECK(d.state.gateway.load_balancer->annotations[0].key.value == "a\"b");
}

TEST_CASE("decode: every error is reported, decoding goes on after each") {
  std::string apps;
  for (int i = 0; i < 3; ++i) {
    apps += "  - name: app" + std::to_string(i) +
            "\n    namespace: t\n    hostnames: [x]\n    rules: [{backends: [{service: s, port: "
            "\"80\", wieght: 1}]}]\n";
  }
  Decoded d = DecodeApps(apps);
  CHECK(d.lines.size() == 6);
  CHECK(d.lines[4] == "23:44: apps[2].rules[0].backends[0].port: expected integer, got string");
  CHECK(d.lines[5] ==
        "23:50: apps[2].rules[0].backends[0]: unknown field \"wieght\", did you mean \"weight\"?");
}

TEST_CASE("decode: rejected values are recorded for LoadDesiredState") {
  SourceNode doc;
  Diagnostics diags;
  REQUIRE(ParseYaml(std::string(kHeader) + R"(gateway:
  listeners: 5
  nmae: x
apps:
  - name: [a]
)",
                    &doc, &diags));
  DesiredState state;
  std::vector<std::string> rejected;
  CHECK_FALSE(decode_internal::Decode(doc, &state, &diags, &rejected));
  // An unknown key rejects nothing: it is simply not part of the model.
  CHECK(rejected == std::vector<std::string>{"gateway.className", "gateway.listeners",
                                             "apps[0].name", "apps[0].namespace",
                                             "apps[0].hostnames", "apps[0].rules"});
}

TEST_CASE("decode: suggestions") {
  using decode_internal::Suggest;
  constexpr std::string_view kNames[] = {"name",     "namespace", "hostnames",
                                         "listener", "rules",     "auth"};
  CHECK(Suggest("hostname", kNames) == "hostnames");
  CHECK(Suggest("Hostnames", kNames) == "hostnames");
  CHECK(Suggest("nmae", kNames) == "name");
  CHECK(Suggest("namspace", kNames) == "namespace");
  CHECK(Suggest("namespaceSelector", kNames) == "namespace");
  CHECK(Suggest("listners", kNames) == "listener");
  CHECK(Suggest("rule", kNames) == "rules");
  CHECK(Suggest("host", kNames) == "");
  CHECK(Suggest("labels", kNames) == "");
  CHECK(Suggest("x", kNames) == "");
  CHECK(Suggest("authentication", kNames) == "auth");
  constexpr std::string_view kProvider[] = {"name", "issuer", "audiences", "jwksUri",
                                            "claimToHeaders"};
  CHECK(Suggest("jwks_uri", kProvider) == "jwksUri");
  CHECK(Suggest("jwksURL", kProvider) == "jwksUri");
  CHECK(Suggest("audience", kProvider) == "audiences");
  CHECK(Suggest("claims", kProvider) == "");
}

TEST_CASE("decode: paths render fields, indices and quoted keys") {
  using decode_internal::Path;
  const Path root;
  CHECK(root.ToString() == "");
  const Path apps = root.Field("apps");
  const Path app = apps.Index(3);
  CHECK(app.Field("rules").Index(0).ToString() == "apps[3].rules[0]");
  const Path gateway = root.Field("gateway");
  const Path annotations = gateway.Field("annotations");
  CHECK(annotations.Key("a.b/c").ToString() == "gateway.annotations[\"a.b/c\"]");
  CHECK(annotations.Key("q\"\\\n").ToString() == "gateway.annotations[\"q\\\"\\\\\\u000a\"]");
}

}  // namespace
}  // namespace starform
