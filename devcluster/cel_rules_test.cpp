// The hand-written CEL rules against the upstream CRDs in shared/crds: each rule, broken, gives
// exactly its cause at the node it is written on; every object the example states render to
// passes; and no rule of the shared CRDs is left unimplemented.

#include "devcluster/cel_rules.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "devcluster/cel_rules_internal.h"
#include "kube/schema.h"
#include "kube/schema_testing.h"
#include "plan/desired_state.h"
#include "plan/render.h"

namespace fs = std::filesystem;
using nlohmann::json;

// Causes print as "reason field: message" when a check fails.
namespace Catch {
template <>
struct StringMaker<starform::kube::StatusCause> {
  static std::string convert(const starform::kube::StatusCause& c) {
    return c.reason + " " + c.ToString();
  }
};
}  // namespace Catch

namespace starform::devcluster {
namespace {

using Causes = std::vector<kube::StatusCause>;
namespace kt = kube::testing;

const kube::Schema& SchemaOf(const std::string& kind) {
  if (kind == "HTTPRoute")
    return kt::SharedSchema(kt::kHTTPRoutes, "v1");
  if (kind == "Gateway")
    return kt::SharedSchema(kt::kGateways, "v1");
  if (kind == "GatewayClass")
    return kt::SharedSchema(kt::kGatewayClasses, "v1");
  if (kind == "SecurityPolicy")
    return kt::SharedSchema(kt::kSecurityPolicies, "v1alpha1");
  if (kind == "ClientTrafficPolicy") {
    return kt::SharedSchema(kt::kClientTrafficPolicies, "v1alpha1");
  }
  if (kind == "EnvoyProxy")
    return kt::SharedSchema(kt::kEnvoyProxies, "v1alpha1");
  FAIL("no schema for " << kind);
  throw;
}

// As the server runs the rules: on the defaulted object. |schema_valid|: whether the object is
// otherwise valid (a few rules restate what the schema checks too).
Causes Check(const std::string& kind, json spec, bool schema_valid = true) {
  json object = {{"apiVersion", "x/v1"},
                 {"kind", kind},
                 {"metadata", {{"name", "a"}, {"namespace", "n"}}},
                 {"spec", std::move(spec)}};
  const kube::Schema& schema = SchemaOf(kind);
  kube::ApplyDefaults(&object, schema);
  INFO(object.dump(2));
  CHECK(kube::Validate(object, schema).empty() == schema_valid);
  return CheckCelRules(schema, object);
}

kube::StatusCause Invalid(std::string field, const std::string& type, const std::string& message) {
  return {"FieldValueInvalid", std::move(field), "Invalid value: \"" + type + "\": " + message};
}

// --- HTTPRoute ---

json Backend(json extra = json::object()) {
  json ref = {{"name", "shop"}, {"port", 8080}};
  ref.update(extra);
  return ref;
}

json PathMatch(const std::string& type, const std::string& value) {
  return {{"path", {{"type", type}, {"value", value}}}};
}

json RouteRule(json extra = json::object()) {
  json rule = {{"backendRefs", {Backend()}}, {"matches", {PathMatch("PathPrefix", "/")}}};
  rule.update(extra);
  return rule;
}

json RouteSpec(json rules, json parent_refs = nullptr) {
  if (parent_refs.is_null()) {
    parent_refs = {{{"name", "edge"}, {"namespace", "starform-edge"}, {"sectionName", "https"}}};
  }
  return {{"parentRefs", parent_refs}, {"hostnames", {"shop.example"}}, {"rules", rules}};
}

TEST_CASE("HTTPRoute: a Service backendRef needs a port, in rules and in mirror filters") {
  CHECK(Check("HTTPRoute", RouteSpec({RouteRule()})).empty());
  json no_port = RouteRule();
  no_port["backendRefs"][0].erase("port");
  CHECK(Check("HTTPRoute", RouteSpec({RouteRule(), no_port})) ==
        Causes{Invalid("spec.rules[1].backendRefs[0]", "object",
                       "Must have port for Service reference")});
  // Not a Service: no port needed.
  json backend = RouteRule();
  backend["backendRefs"][0] = {
      {"group", "gateway.envoyproxy.io"}, {"kind", "Backend"}, {"name", "b"}};
  CHECK(Check("HTTPRoute", RouteSpec({backend})).empty());

  json mirror = RouteRule(
      {{"filters",
        {{{"type", "RequestMirror"}, {"requestMirror", {{"backendRef", {{"name", "shadow"}}}}}}}}});
  CHECK(Check("HTTPRoute", RouteSpec({mirror})) ==
        Causes{Invalid("spec.rules[0].filters[0].requestMirror.backendRef", "object",
                       "Must have port for Service reference")});
  json backend_mirror = RouteRule();
  backend_mirror["backendRefs"][0]["filters"] = {
      {{"type", "RequestMirror"}, {"requestMirror", {{"backendRef", {{"name", "shadow"}}}}}}};
  CHECK(Check("HTTPRoute", RouteSpec({backend_mirror})) ==
        Causes{Invalid("spec.rules[0].backendRefs[0].filters[0].requestMirror.backendRef", "object",
                       "Must have port for Service reference")});
}

TEST_CASE("HTTPRoute: path values") {
  auto path_causes = [](const std::string& type, const std::string& value) {
    return Check("HTTPRoute", RouteSpec({RouteRule({{"matches", {PathMatch(type, value)}}})}));
  };
  auto cause = [](const std::string& message) {
    return Invalid("spec.rules[0].matches[0].path", "object", message);
  };
  const std::string kWhen = " when type one of ['Exact', 'PathPrefix']";
  const std::string kChars =
      "must only contain valid characters (matching "
      "^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']";

  CHECK(path_causes("PathPrefix", "/v1/shop-api_~!$&'()*+,;=:@%20").empty());
  CHECK(path_causes("Exact", "shop") ==
        Causes{cause("value must be an absolute path and start with '/'" + kWhen)});
  CHECK(path_causes("PathPrefix", "/a//b") == Causes{cause("must not contain '//'" + kWhen)});
  CHECK(path_causes("PathPrefix", "/a/./b") == Causes{cause("must not contain '/./'" + kWhen)});
  CHECK(path_causes("PathPrefix", "/a/../b") == Causes{cause("must not contain '/../'" + kWhen)});
  CHECK(path_causes("PathPrefix", "/a%2fb") == Causes{cause("must not contain '%2f'" + kWhen)});
  CHECK(path_causes("Exact", "/a%2Fb") == Causes{cause("must not contain '%2F'" + kWhen)});
  // '#' is also outside the allowed characters: both rules fail, in the CRD's order.
  CHECK(path_causes("PathPrefix", "/a#b") ==
        Causes{cause("must not contain '#'" + kWhen), cause(kChars)});
  CHECK(path_causes("PathPrefix", "/a/..") == Causes{cause("must not end with '/..'" + kWhen)});
  CHECK(path_causes("PathPrefix", "/a/.") == Causes{cause("must not end with '/.'" + kWhen)});
  CHECK(path_causes("PathPrefix", "/a b") == Causes{cause(kChars)});
  CHECK(path_causes("PathPrefix", "/%zz") == Causes{cause(kChars)});
  CHECK(path_causes("PathPrefix", "/caf\xC3\xA9") == Causes{cause(kChars)});
  // A regular expression is not a path.
  CHECK(path_causes("RegularExpression", "^/a//b#.*").empty());
}

TEST_CASE("HTTPRoute: a RequestRedirect filter cannot go with backendRefs") {
  json redirect = {{"type", "RequestRedirect"}, {"requestRedirect", {{"scheme", "https"}}}};
  CHECK(Check("HTTPRoute", RouteSpec({RouteRule({{"filters", {redirect}}})})) ==
        Causes{Invalid("spec.rules[0]", "object",
                       "RequestRedirect filter must not be used together with backendRefs")});
  json only_redirect = RouteRule({{"filters", {redirect}}});
  only_redirect.erase("backendRefs");
  CHECK(Check("HTTPRoute", RouteSpec({only_redirect})).empty());
}

TEST_CASE("HTTPRoute: filters") {
  json redirect = {{"type", "RequestRedirect"}, {"requestRedirect", {{"scheme", "https"}}}};
  json rewrite = {{"type", "URLRewrite"}, {"urlRewrite", {{"hostname", "b.example"}}}};
  json headers = {{"type", "RequestHeaderModifier"},
                  {"requestHeaderModifier", {{"set", {{{"name", "x"}, {"value", "1"}}}}}}};
  json rule = RouteRule({{"filters", {redirect, rewrite}}});
  rule.erase("backendRefs");
  CHECK(Check("HTTPRoute", RouteSpec({rule})) ==
        Causes{Invalid("spec.rules[0].filters", "array",
                       "May specify either httpRouteFilterRequestRedirect or "
                       "httpRouteFilterRequestRewrite, but not both")});

  CHECK(Check("HTTPRoute", RouteSpec({RouteRule({{"filters", {headers, headers}}})})) ==
        Causes{Invalid("spec.rules[0].filters", "array",
                       "RequestHeaderModifier filter cannot be repeated")});

  json untyped = headers;
  untyped.erase("requestHeaderModifier");
  CHECK(Check("HTTPRoute", RouteSpec({RouteRule({{"filters", {untyped}}})})) ==
        Causes{Invalid("spec.rules[0].filters[0]", "object",
                       "filter.requestHeaderModifier must be specified for "
                       "RequestHeaderModifier filter.type")});
  json mistyped = headers;
  mistyped["type"] = "ResponseHeaderModifier";
  CHECK(Check("HTTPRoute", RouteSpec({RouteRule({{"filters", {mistyped}}})})) ==
        Causes{Invalid("spec.rules[0].filters[0]", "object",
                       "filter.requestHeaderModifier must be nil if the filter.type is not "
                       "RequestHeaderModifier"),
               Invalid("spec.rules[0].filters[0]", "object",
                       "filter.responseHeaderModifier must be specified for "
                       "ResponseHeaderModifier filter.type")});

  json prefix_rewrite = {
      {"type", "URLRewrite"},
      {"urlRewrite", {{"path", {{"type", "ReplacePrefixMatch"}, {"replacePrefixMatch", "/"}}}}}};
  json two_matches =
      RouteRule({{"filters", {prefix_rewrite}},
                 {"matches", {PathMatch("PathPrefix", "/a"), PathMatch("PathPrefix", "/b")}}});
  CHECK(Check("HTTPRoute", RouteSpec({two_matches})) ==
        Causes{Invalid("spec.rules[0]", "object",
                       "When using URLRewrite filter with path.replacePrefixMatch, exactly one "
                       "PathPrefix match must be specified")});
  json exact = RouteRule({{"filters", {prefix_rewrite}}, {"matches", {PathMatch("Exact", "/a")}}});
  CHECK(Check("HTTPRoute", RouteSpec({exact})).size() == 1);
  json one_prefix = RouteRule({{"filters", {prefix_rewrite}}});
  CHECK(Check("HTTPRoute", RouteSpec({one_prefix})).empty());

  json fraction = {
      {"type", "RequestMirror"},
      {"requestMirror",
       {{"backendRef", Backend()}, {"fraction", {{"numerator", 101}, {"denominator", 100}}}}}};
  CHECK(Check("HTTPRoute", RouteSpec({RouteRule({{"filters", {fraction}}})})) ==
        Causes{Invalid("spec.rules[0].filters[0].requestMirror.fraction", "object",
                       "numerator must be less than or equal to denominator")});
}

TEST_CASE("HTTPRoute: at most 128 matches across the rules") {
  json rules = json::array();
  for (int i = 0; i < 16; ++i) {
    json matches = json::array();
    for (int j = 0; j < 8; ++j)
      matches.push_back(PathMatch("Exact", "/" + std::to_string(j)));
    rules.push_back(RouteRule({{"matches", matches}}));
  }
  CHECK(Check("HTTPRoute", RouteSpec(rules)).empty());  // 128
  rules[15]["matches"].push_back(PathMatch("Exact", "/x"));
  CHECK(Check("HTTPRoute", RouteSpec(rules)) ==
        Causes{Invalid("spec.rules", "array",
                       "While 16 rules and 64 matches per rule are allowed, the total number of "
                       "matches across all rules in a route must be less than 128")});
}

TEST_CASE("HTTPRoute: backendRequest timeout within the request timeout") {
  auto timeouts = [](json t) {
    return Check("HTTPRoute", RouteSpec({RouteRule({{"timeouts", t}})}));
  };
  const Causes kLonger = {Invalid("spec.rules[0].timeouts", "object",
                                  "backendRequest timeout cannot be longer than request timeout")};
  CHECK(timeouts({{"request", "10s"}, {"backendRequest", "10s"}}).empty());
  CHECK(timeouts({{"request", "1m"}, {"backendRequest", "61s"}}) == kLonger);
  CHECK(timeouts({{"request", "1h"}, {"backendRequest", "59m59s"}}).empty());
  CHECK(timeouts({{"request", "500ms"}, {"backendRequest", "1s"}}) == kLonger);
  // A zero request timeout disables it.
  CHECK(timeouts({{"request", "0s"}, {"backendRequest", "1h"}}).empty());
  CHECK(timeouts({{"backendRequest", "1h"}}).empty());
}

TEST_CASE("HTTPRoute: parentRefs to the same parent need distinct sectionNames") {
  json https = {{"name", "edge"}, {"namespace", "starform-edge"}, {"sectionName", "https"}};
  json http = https;
  http["sectionName"] = "http";
  json bare = {{"name", "edge"}, {"namespace", "starform-edge"}};
  const std::string kSpecified =
      "sectionName must be specified when parentRefs includes 2 or more references to the same "
      "parent";
  const std::string kUnique =
      "sectionName must be unique when parentRefs includes 2 or more references to the same "
      "parent";
  auto parents = [](json refs) { return Check("HTTPRoute", RouteSpec({RouteRule()}, refs)); };

  CHECK(parents({https, http}).empty());
  CHECK(parents({https, bare}) == Causes{Invalid("spec.parentRefs", "array", kSpecified)});
  CHECK(parents({https, https}) == Causes{Invalid("spec.parentRefs", "array", kUnique)});
  CHECK(parents({bare, bare}) == Causes{Invalid("spec.parentRefs", "array", kUnique)});
  // Another namespace is another parent.
  json other = bare;
  other["namespace"] = "other";
  CHECK(parents({bare, other}).empty());
}

// --- Gateway ---

json Listener(const std::string& name, int port, const std::string& protocol,
              json extra = json::object()) {
  json listener = {{"name", name}, {"port", port}, {"protocol", protocol}};
  listener.update(extra);
  return listener;
}

json Tls(json extra = json::object()) {
  json tls = {{"mode", "Terminate"}, {"certificateRefs", {{{"name", "cert"}}}}};
  tls.update(extra);
  return tls;
}

Causes GatewayCauses(json listeners, bool schema_valid = true) {
  return Check("Gateway", {{"gatewayClassName", "eg"}, {"listeners", listeners}}, schema_valid);
}

TEST_CASE("Gateway: listener rules") {
  json http = Listener("http", 80, "HTTP");
  json https = Listener("https", 443, "HTTPS", {{"hostname", "*.example"}, {"tls", Tls()}});
  CHECK(GatewayCauses({http, https}).empty());

  auto listeners_cause = [](const std::string& message) {
    return Causes{Invalid("spec.listeners", "array", message)};
  };
  CHECK(GatewayCauses({Listener("http", 80, "HTTP", {{"tls", Tls()}})}) ==
        listeners_cause("tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"));
  CHECK(
      GatewayCauses({Listener("https", 443, "HTTPS", {{"tls", Tls({{"mode", "Passthrough"}})}})}) ==
      listeners_cause("tls mode must be Terminate for protocol HTTPS"));
  CHECK(GatewayCauses({Listener("tcp", 9000, "TCP", {{"hostname", "a.example"}})}) ==
        listeners_cause("hostname must not be specified for protocols ['TCP', 'UDP']"));
  // listeners is a list-type map keyed by name: the schema also reports the Duplicate, which
  // does not stop the rules from running.
  CHECK(GatewayCauses({http, Listener("http", 8080, "HTTP")}, false) ==
        listeners_cause("Listener name must be unique within the Gateway"));
  CHECK(GatewayCauses({http, Listener("http2", 80, "HTTP")}) ==
        listeners_cause("Combination of port, protocol and hostname must be unique for each "
                        "listener"));
  // Another hostname makes another combination.
  CHECK(GatewayCauses({http, Listener("http2", 80, "HTTP", {{"hostname", "a.example"}})}).empty());
}

TEST_CASE("Gateway: a terminating listener needs certificates or options") {
  const std::string kMessage =
      "certificateRefs or options must be specified when mode is Terminate";
  json bare_tls = {{"mode", "Terminate"}};
  CHECK(GatewayCauses({Listener("https", 443, "HTTPS", {{"tls", bare_tls}})}) ==
        Causes{Invalid("spec.listeners[0].tls", "object",
                       "no such key: certificateRefs evaluating rule: " + kMessage)});
  json options_only = {{"mode", "Terminate"}, {"options", {{"a.example/x", "y"}}}};
  CHECK(GatewayCauses({Listener("https", 443, "HTTPS", {{"tls", options_only}})}).empty());
  json empty_refs = {
      {"mode", "Terminate"}, {"certificateRefs", json::array()}, {"options", json::object()}};
  CHECK(GatewayCauses({Listener("https", 443, "HTTPS", {{"tls", empty_refs}})}) ==
        Causes{Invalid("spec.listeners[0].tls", "object", kMessage)});
}

TEST_CASE("Gateway: addresses and infrastructure keys") {
  json spec = {{"gatewayClassName", "eg"},
               {"listeners", {Listener("http", 80, "HTTP")}},
               {"addresses", {{{"value", "10.0.0.1"}}, {{"value", "10.0.0.1"}}}}};
  CHECK(Check("Gateway", spec) ==
        Causes{Invalid("spec.addresses", "array", "IPAddress values must be unique")});
  spec["addresses"] = {{{"type", "Hostname"}, {"value", "LB.example"}}};
  CHECK(Check("Gateway", spec) ==
        Causes{Invalid(
            "spec.addresses[0]", "object",
            "Hostname value must be empty or contain only valid characters (matching "
            "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)")});
  spec.erase("addresses");
  spec["infrastructure"] = {{"labels", {{"Bad_Prefix/name", "x"}}}};
  CHECK(Check("Gateway", spec) ==
        Causes{Invalid("spec.infrastructure.labels", "object",
                       "Label keys must be in the form of an optional DNS subdomain prefix "
                       "followed by a required name segment of up to 63 characters.")});
}

TEST_CASE("GatewayClass: controllerName is immutable, checked only on update") {
  json old_class = {
      {"apiVersion", "gateway.networking.k8s.io/v1"},
      {"kind", "GatewayClass"},
      {"metadata", {{"name", "eg"}}},
      {"spec", {{"controllerName", "gateway.envoyproxy.io/gatewayclass-controller"}}}};
  json changed = old_class;
  changed["spec"]["controllerName"] = "example.com/other";
  const kube::Schema& schema = SchemaOf("GatewayClass");
  CHECK(CheckCelRules(schema, changed).empty());
  CHECK(CheckCelRules(schema, old_class, &old_class).empty());
  CHECK(CheckCelRules(schema, changed, &old_class) ==
        Causes{Invalid("spec.controllerName", "string", "Value is immutable")});
}

// --- SecurityPolicy ---

json Policy(json extra = json::object()) {
  json spec = {{"targetRefs",
                {{{"group", "gateway.networking.k8s.io"}, {"kind", "HTTPRoute"}, {"name", "r"}}}}};
  spec.update(extra);
  return spec;
}

json AuthBackend() {
  return {{"backendRefs", {{{"name", "authz"}, {"namespace", "starform-authz"}, {"port", 9000}}}}};
}

TEST_CASE("SecurityPolicy: targets") {
  auto spec_cause = [](const std::string& message) {
    return Causes{Invalid("spec", "object", message)};
  };
  CHECK(Check("SecurityPolicy", Policy()).empty());
  json none = Policy();
  none.erase("targetRefs");
  CHECK(Check("SecurityPolicy", none) == spec_cause("either targetRef or targetRefs must be used"));
  json both = Policy({{"targetRef", Policy()["targetRefs"][0]}});
  CHECK(Check("SecurityPolicy", both) == spec_cause("either targetRef or targetRefs must be used"));
  json service = Policy();
  service["targetRefs"][0]["kind"] = "Service";
  CHECK(Check("SecurityPolicy", service) ==
        spec_cause("this policy can only have a targetRefs[*].kind of "
                   "Gateway/ListenerSet/HTTPRoute/GRPCRoute/TCPRoute"));
  json core = Policy();
  core["targetRefs"][0]["group"] = "";
  CHECK(Check("SecurityPolicy", core) ==
        spec_cause("this policy can only have a targetRefs[*].group of gateway.networking.k8s.io"));
  json single = Policy({{"targetRef", {{"group", "apps"}, {"kind", "HTTPRoute"}, {"name", "r"}}}});
  single.erase("targetRefs");
  CHECK(Check("SecurityPolicy", single) ==
        spec_cause("this policy can only have a targetRef.group of gateway.networking.k8s.io"));
}

TEST_CASE("SecurityPolicy: extAuth") {
  CHECK(Check("SecurityPolicy", Policy({{"extAuth", {{"http", AuthBackend()}}}})).empty());
  CHECK(Check("SecurityPolicy", Policy({{"extAuth", {{"failOpen", false}}}})) ==
        Causes{Invalid("spec.extAuth", "object", "one of grpc or http must be specified"),
               Invalid("spec.extAuth", "object", "only one of grpc or http can be specified")});
  CHECK(Check("SecurityPolicy",
              Policy({{"extAuth", {{"http", AuthBackend()}, {"grpc", AuthBackend()}}}})) ==
        Causes{Invalid("spec.extAuth", "object", "only one of grpc or http can be specified")});
  // Neither backendRef nor backendRefs: the rule reads backendRefs without has().
  CHECK(Check("SecurityPolicy", Policy({{"extAuth", {{"http", {{"path", "/check"}}}}}})) ==
        Causes{Invalid("spec.extAuth.http", "object",
                       "no such key: backendRefs evaluating rule: backendRef or backendRefs needs "
                       "to be set")});
  json no_port = AuthBackend();
  no_port["backendRefs"][0].erase("port");
  CHECK(Check("SecurityPolicy", Policy({{"extAuth", {{"grpc", no_port}}}})) ==
        Causes{Invalid("spec.extAuth.grpc.backendRefs[0]", "object",
                       "Must have port for Service reference")});
}

TEST_CASE("SecurityPolicy: jwt") {
  json remote = {{"uri", "https://issuer.example/jwks"}};
  json provider = {{"name", "p"}, {"remoteJWKS", remote}};
  CHECK(Check("SecurityPolicy", Policy({{"jwt", {{"providers", {provider}}}}})).empty());

  json no_jwks = {{"name", "p"}};
  CHECK(Check("SecurityPolicy", Policy({{"jwt", {{"providers", {no_jwks}}}}})) ==
        Causes{Invalid("spec.jwt.providers[0]", "object",
                       "either remoteJWKS or localJWKS must be specified.")});
  CHECK(Check("SecurityPolicy",
              Policy({{"jwt",
                       {{"providers", {provider}}, {"optional", true}, {"failOpen", true}}}})) ==
        Causes{Invalid("spec.jwt", "object",
                       "optional and failOpen cannot both be set; failOpen already tolerates a "
                       "missing JWT")});
  json recompute = provider;
  recompute["recomputeRoute"] = true;
  CHECK(Check("SecurityPolicy", Policy({{"jwt", {{"providers", {recompute}}}}})) ==
        Causes{Invalid("spec.jwt.providers[0]", "object",
                       "no such key: claimToHeaders evaluating rule: claimToHeaders must be "
                       "specified if recomputeRoute is enabled.")});
  recompute["claimToHeaders"] = json::array();
  CHECK(Check("SecurityPolicy", Policy({{"jwt", {{"providers", {recompute}}}}})) ==
        Causes{Invalid("spec.jwt.providers[0]", "object",
                       "claimToHeaders must be specified if recomputeRoute is enabled.")});
  json backend_ref = provider;
  backend_ref["remoteJWKS"]["backendRef"] = {{"name", "idp"}, {"port", 443}};
  CHECK(Check("SecurityPolicy", Policy({{"jwt", {{"providers", {backend_ref}}}}})) ==
        Causes{Invalid("spec.jwt.providers[0].remoteJWKS", "object",
                       "BackendRefs must be used, backendRef is not supported.")});
}

// --- ClientTrafficPolicy, EnvoyProxy ---

TEST_CASE("ClientTrafficPolicy: targets are Gateways or ListenerSets") {
  json spec = {{"targetRefs",
                {{{"group", "gateway.networking.k8s.io"}, {"kind", "Gateway"}, {"name", "edge"}}}}};
  CHECK(Check("ClientTrafficPolicy", spec).empty());
  spec["targetRefs"][0]["kind"] = "HTTPRoute";
  CHECK(
      Check("ClientTrafficPolicy", spec) ==
      Causes{Invalid("spec", "object",
                     "this policy can only have a targetRefs[*].kind of Gateway or ListenerSet")});
  spec["targetRefs"][0]["kind"] = "Gateway";
  spec["tls"] = {{"minVersion", "1.3"}, {"maxVersion", "1.2"}};
  CHECK(Check("ClientTrafficPolicy", spec) ==
        Causes{Invalid("spec.tls", "object", "minVersion must be smaller or equal to maxVersion")});
}

TEST_CASE("EnvoyProxy: load-balancer fields only on a LoadBalancer Service") {
  auto service = [](json envoy_service) {
    return Check("EnvoyProxy",
                 {{"provider",
                   {{"type", "Kubernetes"}, {"kubernetes", {{"envoyService", envoy_service}}}}}});
  };
  CHECK(service({{"type", "LoadBalancer"}, {"loadBalancerSourceRanges", {"10.0.0.0/8"}}}).empty());
  CHECK(service({{"type", "ClusterIP"}, {"loadBalancerSourceRanges", {"10.0.0.0/8"}}}) ==
        Causes{Invalid("spec.provider.kubernetes.envoyService", "object",
                       "loadBalancerSourceRanges can only be set for LoadBalancer type")});
  CHECK(service({{"type", "NodePort"}, {"allocateLoadBalancerNodePorts", true}}) ==
        Causes{Invalid("spec.provider.kubernetes.envoyService", "object",
                       "allocateLoadBalancerNodePorts can only be set for LoadBalancer type")});
  CHECK(service({{"type", "LoadBalancer"}, {"loadBalancerIP", "10.0.0.300"}}) ==
        Causes{Invalid("spec.provider.kubernetes.envoyService.loadBalancerIP", "string",
                       "loadBalancerIP must be a valid IPv4 address")});
}

// --- Across the CRDs ---

std::vector<json> RenderedExamples() {
  std::vector<json> out;
  for (const auto& entry : fs::directory_iterator(fs::path(STARFORM_TESTDATA_DIR) / "states")) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    DesiredState state;
    Diagnostics diags(entry.path().filename().string());
    REQUIRE(LoadDesiredState(text.str(), entry.path().filename().string(), &state, &diags));
    for (json& object : Render(state))
      out.push_back(std::move(object));
  }
  return out;
}

TEST_CASE("every object the example states render to passes the CEL rules") {
  size_t checked = 0;
  for (json object : RenderedExamples()) {
    std::string kind = object["kind"];
    if (kind == "ReferenceGrant")
      continue;  // no rules
    const kube::Schema& schema = SchemaOf(kind);
    kube::ApplyDefaults(&object, schema);
    INFO(object.dump(2));
    CHECK(CheckCelRules(schema, object).empty());
    ++checked;
  }
  CHECK(checked > 50);
}

TEST_CASE("every rule of the shared CRDs is implemented") {
  for (const char* file : {kt::kHTTPRoutes, kt::kGateways, kt::kGatewayClasses,
                           kt::kReferenceGrants, kt::kSecurityPolicies, kt::kSecurityPolicies150,
                           kt::kClientTrafficPolicies, kt::kEnvoyProxies}) {
    for (const kube::CrdVersion& version : kt::SharedCrd(file).versions) {
      INFO(file << " " << version.name);
      std::vector<UnimplementedRule> missing = UnimplementedCelRules(*version.schema);
      for (const UnimplementedRule& rule : missing)
        UNSCOPED_INFO(rule.path << ": " << rule.message);
      CHECK(missing.empty());
    }
  }
}

TEST_CASE("a rule changed in a newer CRD is reported, not evaluated with the old meaning") {
  json crd = {{"type", "object"},
              {"properties",
               {{"spec",
                 {{"type", "object"},
                  {"x-kubernetes-validations",
                   {{{"rule", "has(self.port)"},
                     {"message", "Must have port for Service reference"}}}}}}}}};
  std::string error;
  auto schema = kube::Schema::Compile(crd, &error);
  REQUIRE(schema);
  CHECK(UnimplementedCelRules(*schema) ==
        std::vector<UnimplementedRule>{
            {"spec", "Must have port for Service reference", "has(self.port)"}});
  CHECK(CheckCelRules(*schema, {{"spec", json::object()}}).empty());
}

TEST_CASE("ratcheting: a failure on a value the update did not change is a warning") {
  json route = {{"apiVersion", "gateway.networking.k8s.io/v1"},
                {"kind", "HTTPRoute"},
                {"metadata", {{"name", "a"}, {"namespace", "n"}}},
                {"spec", RouteSpec({RouteRule(), RouteRule()})}};
  route["spec"]["rules"][0]["backendRefs"][0].erase("port");
  const kube::Schema& schema = SchemaOf("HTTPRoute");
  kube::ApplyDefaults(&route, schema);
  const Causes kNoPort = {
      Invalid("spec.rules[0].backendRefs[0]", "object", "Must have port for Service reference")};
  CHECK(CheckCelRules(schema, route) == kNoPort);

  // The stored object already had it: the update of another field ratchets it.
  json updated = route;
  updated["spec"]["hostnames"] = {"other.example"};
  std::vector<std::string> warnings;
  CHECK(CheckCelRules(schema, updated, &route, &warnings).empty());
  CHECK(warnings == std::vector<std::string>{kNoPort[0].ToString()});

  // Changing the broken rule's node is checked again (rules is an atomic list, so its items
  // are compared through the whole list).
  updated["spec"]["rules"][0]["backendRefs"][0]["weight"] = 2;
  CHECK(CheckCelRules(schema, updated, &route) == kNoPort);
}

TEST_CASE("CEL's && and || are commutative over errors, as the rules rely on") {
  auto error = []() -> bool { throw cel::EvalError("no such key: type"); };
  auto yes = [] { return true; };
  auto no = [] { return false; };
  CHECK_FALSE(cel::And(error, no));
  CHECK_THROWS_WITH(cel::And(error, yes), "no such key: type");
  CHECK(cel::Or(error, yes));
  CHECK_THROWS_WITH(cel::Or(error, no), "no such key: type");
  // A contextExtension with both fields and no type: each side of the rule's || is false on its
  // has() parts, so the rule fails without reading the type (not an evaluation error).
  json policy =
      Policy({{"extAuth",
               {{"contextExtensions",
                 {{{"name", "x"},
                   {"value", "v"},
                   {"valueRef", {{"group", ""}, {"kind", "Secret"}, {"name", "s"}}}}}}}}});
  // A node's rules, then its children's: extAuth's own before its contextExtensions'.
  CHECK(CheckCelRules(SchemaOf("SecurityPolicy"), {{"spec", policy}}) ==
        Causes{Invalid("spec.extAuth", "object", "one of grpc or http must be specified"),
               Invalid("spec.extAuth", "object", "only one of grpc or http can be specified"),
               Invalid("spec.extAuth.contextExtensions[0]", "object",
                       "Exactly one of value or valueRef must be set with correct type.")});
}

TEST_CASE("durations parse as Go's time.ParseDuration") {
  CHECK(cel::Duration("0") == 0);
  CHECK(cel::Duration("0s") == 0);
  CHECK(cel::Duration("1h30m") == 5400000000000);
  CHECK(cel::Duration("1.5s") == 1500000000);
  CHECK(cel::Duration("500ms") == 500000000);
  CHECK(cel::Duration("-2m") == -120000000000);
  CHECK(cel::Duration("3us") == 3000);
  CHECK_THROWS_AS(cel::Duration("10"), cel::EvalError);
  CHECK_THROWS_AS(cel::Duration("1d"), cel::EvalError);
  CHECK_THROWS_AS(cel::Duration(""), cel::EvalError);
  CHECK_THROWS_AS(cel::Duration("s"), cel::EvalError);
}

// Not run by default: scripts/cel-crosscheck/run.sh feeds it the cases of gen_cases.py and
// compares its verdicts with an independent CEL evaluator's. Each case's rule is put alone on
// a schema of its value's type and run through CheckCelRules, the way the server looks it up.
TEST_CASE("CEL cross-check: a verdict per generated case", "[.cel-crosscheck]") {
  const char* cases_path = std::getenv("STARFORM_CEL_CASES");
  const char* verdicts_path = std::getenv("STARFORM_CEL_VERDICTS");
  REQUIRE(cases_path);
  REQUIRE(verdicts_path);
  std::ifstream cases(cases_path);
  std::ofstream verdicts(verdicts_path);
  std::string line;
  while (std::getline(cases, line)) {
    json c = json::parse(line);
    const json& self = c["self"];
    std::string type = self.is_array()            ? "array"
                       : self.is_string()         ? "string"
                       : self.is_boolean()        ? "boolean"
                       : self.is_number_integer() ? "integer"
                       : self.is_number()         ? "number"
                                                  : "object";
    json node = {{"type", type},
                 {"x-kubernetes-validations", {{{"rule", c["rule"]}, {"message", c["message"]}}}}};
    std::string error;
    auto schema = kube::Schema::Compile(node, &error);
    REQUIRE(schema);
    if (!UnimplementedCelRules(*schema).empty()) {
      verdicts << "missing\n";
      continue;
    }
    Causes causes = CheckCelRules(*schema, self);
    if (causes.empty()) {
      verdicts << "true\n";
    } else if (causes[0].message.find(" evaluating rule: ") != std::string::npos) {
      verdicts << "error " << causes[0].message << "\n";
    } else {
      verdicts << "false\n";
    }
  }
}

}  // namespace
}  // namespace starform::devcluster
