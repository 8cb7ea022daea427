// The CEL rules of the Envoy Gateway CRDs (v1.9.0, and the SecurityPolicy of v1.5.0 where its
// rules differ): SecurityPolicy, ClientTrafficPolicy and EnvoyProxy. Each function implements
// the expression printed beside it in the table at the bottom, which is the CRD's text. Rules
// whose text is also a Gateway API rule ("Must have port for Service reference", the fraction
// rule) are registered once, in cel_rules_gateway_api.cpp.

#include <cctype>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "devcluster/cel_rules_internal.h"

namespace starform::devcluster::cel {
namespace {

constexpr std::string_view kGatewayGroup = "gateway.networking.k8s.io";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// --- Policy targets (SecurityPolicy, ClientTrafficPolicy) ---

// (has(targetRef) && !has(targetRefs)) || (!has(targetRef) && has(targetRefs)) ||
// (has(targetSelectors) && targetSelectors.size() > 0)
bool TargetRefOrRefs(const RuleInput& in) {
  bool ref = Has(in.self, "targetRef"), refs = Has(in.self, "targetRefs");
  return ref != refs || (Has(in.self, "targetSelectors") && Size(in.self["targetSelectors"]) > 0);
}

bool TargetRefGroup(const RuleInput& in) {
  return Has(in.self, "targetRef") ? Str(in.self["targetRef"], "group") == kGatewayGroup : true;
}

bool TargetRefsGroup(const RuleInput& in) {
  if (!Has(in.self, "targetRefs"))
    return true;
  return All(in.self["targetRefs"],
             [](const json& ref) { return Str(ref, "group") == kGatewayGroup; });
}

template <Lit... kinds>
bool KindIn(const json& ref) {
  std::string_view kind = Str(ref, "kind");
  return ((kind == kinds.view()) || ...);
}

template <Lit... kinds>
bool TargetRefKind(const RuleInput& in) {
  return Has(in.self, "targetRef") ? KindIn<kinds...>(in.self["targetRef"]) : true;
}

template <Lit... kinds>
bool TargetRefsKind(const RuleInput& in) {
  return Has(in.self, "targetRefs") ? All(in.self["targetRefs"], KindIn<kinds...>) : true;
}

bool MergeTypeOnlyForRoutes(const RuleInput& in) {
  if (!Has(in.self, "mergeType"))
    return true;
  auto route = KindIn<"HTTPRoute", "GRPCRoute", "TCPRoute">;
  return And(
      [&] { return !Has(in.self, "targetRef") || route(in.self["targetRef"]); },
      [&] { return !Has(in.self, "targetRefs") || All(in.self["targetRefs"], route); },
      [&] { return !Has(in.self, "targetSelectors") || All(in.self["targetSelectors"], route); });
}

bool SelectorGroup(const RuleInput& in) {
  return Has(in.self, "group") ? Str(in.self, "group") == kGatewayGroup : true;
}

// self.from != 'Selector' || has(self.selector)
bool SelectorWhenFromSelector(const RuleInput& in) {
  return Or([&] { return Str(in.self, "from") != "Selector"; },
            [&] { return Has(in.self, "selector"); });
}

// --- SecurityPolicy ---

// (has(authorization) && has(authorization.rules) && authorization.rules.exists(r,
//  has(r.principal) ? has(r.principal.jwt) : false)) ? has(self.jwt) : true
bool PrincipalJwtNeedsJwt(const RuleInput& in) {
  const json* rules = Find(in.self, {"authorization", "rules"});
  bool uses = rules && Exists(*rules, [](const json& r) {
                return Has(r, "principal") ? Has(r["principal"], "jwt") : false;
              });
  return uses ? Has(in.self, "jwt") : true;
}

// v1.5.0's spelling: exists(r, has(r.principal.jwt)), an error when a rule has no principal.
bool PrincipalJwtNeedsJwtV15(const RuleInput& in) {
  const json* rules = Find(in.self, {"authorization", "rules"});
  bool uses =
      rules && Exists(*rules, [](const json& r) { return Has(Get(r, "principal"), "jwt"); });
  return uses ? Has(in.self, "jwt") : true;
}

// (self.type == '<a_type>' && has(self.<a>) && !has(self.<b>)) ||
// (self.type == '<b_type>' && !has(self.<a>) && has(self.<b>))
template <Lit a_type, Lit a, Lit b_type, Lit b>
// Each side is false without reading the type when its has() parts are, so an absent type
// only matters for the side whose fields are set.
bool TypedValue(const RuleInput& in) {
  bool has_a = Has(in.self, a.view()), has_b = Has(in.self, b.view());
  if (has_a == has_b)
    return false;
  return Str(in.self, "type") == (has_a ? a_type.view() : b_type.view());
}

bool ConfigMapOrSecretRef(const RuleInput& in) {
  return And(
      [&] {
        return OneOf(Str(in.self, "kind"), {"ConfigMap", "Secret"});
      },
      [&] {
        return OneOf(Str(in.self, "group"), {"", "v1"});
      });
}

// has(self.<a>) || self.<list>.size() > 0
template <Lit a, Lit list>
bool HasOrNonEmpty(const RuleInput& in) {
  return Has(in.self, a.view()) || Size(Get(in.self, list.view())) > 0;
}

template <Lit... kinds>
bool BackendRefsKinds(const RuleInput& in) {
  return Has(in.self, "backendRefs") ? All(in.self["backendRefs"], KindIn<kinds...>) : true;
}

template <Lit... groups>
bool BackendRefsGroups(const RuleInput& in) {
  if (!Has(in.self, "backendRefs"))
    return true;
  return All(in.self["backendRefs"], [](const json& f) {
    std::string_view group = Str(f, "group");
    return ((group == groups.view()) || ...);
  });
}

bool RecomputeRouteNeedsClaims(const RuleInput& in) {
  bool recompute = Has(in.self, "recomputeRoute") && in.self["recomputeRoute"] == true;
  return recompute ? Size(Get(in.self, "claimToHeaders")) > 0 : true;
}

// has(backendSettings) ? (has(.retry) ? (has(.retry.perRetry) ? !has(.perRetry.timeout) ...
bool NoRetryTimeout(const RuleInput& in) {
  const json* per_retry = Find(in.self, {"backendSettings", "retry", "perRetry"});
  return !per_retry || !Has(*per_retry, "timeout");
}

bool NoRetryStatusCodes(const RuleInput& in) {
  const json* retry_on = Find(in.self, {"backendSettings", "retry", "retryOn"});
  return !retry_on || !Has(*retry_on, "httpStatusCodes");
}

bool NotReplace(const RuleInput& in) {
  return in.self != "Replace";
}

// !(has(forwardAccessToken) && forwardAccessToken && has(forwardIDToken) &&
//   forwardIDToken.header.lowerAscii() == 'authorization')
bool AccessTokenNotInIdTokenHeader(const RuleInput& in) {
  if (!(Has(in.self, "forwardAccessToken") && in.self["forwardAccessToken"] == true))
    return true;
  if (!Has(in.self, "forwardIDToken"))
    return true;
  return Lower(Str(in.self["forwardIDToken"], "header")) != "authorization";
}

bool NotHostHeader(const RuleInput& in) {
  return Lower(in.self.is_string() ? in.self.get<std::string>() : "") != "host";
}

// --- ClientTrafficPolicy ---

bool CertDetailsNeedForwardingMode(const RuleInput& in) {
  if (!(Has(in.self, "certDetailsToAdd") && Size(in.self["certDetailsToAdd"]) > 0))
    return true;
  return OneOf(Str(in.self, "mode"), {"AppendForward", "SanitizeSet"});
}

bool NoCiphersForTls13(const RuleInput& in) {
  if (!(Has(in.self, "minVersion") && Str(in.self, "minVersion") == "1.3"))
    return true;
  return !Has(in.self, "ciphers");
}

// CEL's map index: a version the map does not have is "no such key".
int VersionRank(const std::map<std::string_view, int>& ranks, std::string_view version) {
  auto it = ranks.find(version);
  if (it == ranks.end())
    throw EvalError("no such key: " + std::string(version));
  return it->second;
}

// As min: {"Auto":0,"1.0":1,...,"1.3":4}; as max: {"1.0":1,...,"1.3":4,"Auto":5}; an unset
// minimum is 1.2 (3).
bool TlsVersionsOrdered(const RuleInput& in) {
  static const std::map<std::string_view, int> kMin = {
      {"Auto", 0}, {"1.0", 1}, {"1.1", 2}, {"1.2", 3}, {"1.3", 4}};
  static const std::map<std::string_view, int> kMax = {
      {"1.0", 1}, {"1.1", 2}, {"1.2", 3}, {"1.3", 4}, {"Auto", 5}};
  bool has_min = Has(in.self, "minVersion"), has_max = Has(in.self, "maxVersion");
  if (has_min && has_max) {
    return VersionRank(kMin, Str(in.self, "minVersion")) <=
           VersionRank(kMax, Str(in.self, "maxVersion"));
  }
  if (!has_min && has_max)
    return 3 <= VersionRank(kMax, Str(in.self, "maxVersion"));
  return true;
}

bool ExpiredCertificatesNeedVerification(const RuleInput& in) {
  if (!Has(in.self, "allowExpiredCertificate") || in.self["allowExpiredCertificate"] != true) {
    return true;
  }
  return !Has(in.self, "mode") ||
         OneOf(Str(in.self, "mode"), {"VerifyIfGiven", "RequireAndVerify"});
}

// --- EnvoyProxy ---

bool NotMergeGatewaysAndBackends(const RuleInput& in) {
  return !(Has(in.self, "mergeGateways") && in.self["mergeGateways"] == true &&
           Has(in.self, "mergeBackends"));
}

// self.type == 'JSONPatch' ? self.jsonPatches.size() > 0 : has(self.value)
bool BootstrapMatchesType(const RuleInput& in) {
  return Str(in.self, "type") == "JSONPatch" ? Size(Get(in.self, "jsonPatches")) > 0
                                             : Has(in.self, "value");
}

// self.type != 'Local' || has(self.local)
bool LocalSourceHasLocal(const RuleInput& in) {
  return Or([&] { return Str(in.self, "type") != "Local"; }, [&] { return Has(in.self, "local"); });
}

bool ImageWithTag(const RuleInput& in) {
  return Matches(
      in.self.get<std::string>(),
      "^[a-zA-Z0-9._-]+(:[0-9]+)?(/[a-zA-Z0-9._/-]+)?(:[a-zA-Z0-9._-]+)?(@sha256:[a-z0-9]+)?$");
}

bool ImageRepositoryWithoutTag(const RuleInput& in) {
  return Matches(in.self.get<std::string>(), "^[a-zA-Z0-9._-]+(:[0-9]+)?[a-zA-Z0-9._/-]+$");
}

bool ReplicasOrdered(const RuleInput& in) {
  return !Has(in.self, "minReplicas") ||
         Get(in.self, "maxReplicas").get<double>() >= in.self["minReplicas"].get<double>();
}

bool Positive(const RuleInput& in) {
  return in.self.get<double>() > 0;
}

// !has(self.<field>) || self.type == 'LoadBalancer'
template <Lit field>
bool OnlyForLoadBalancer(const RuleInput& in) {
  return !Has(in.self, field.view()) || Str(in.self, "type") == "LoadBalancer";
}

bool LoadBalancerIPv4(const RuleInput& in) {
  return Matches(
      in.self.get<std::string>(),
      R"(^((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$)");
}

// has(self.type) && self.type == '<type>' ? has(self.<field>) : true
template <Lit type, Lit field>
bool SetTypeNeedsField(const RuleInput& in) {
  return Has(in.self, "type") && Str(in.self, "type") == type.view() ? Has(in.self, field.view())
                                                                     : true;
}

template <Lit type, Lit field>
bool SetTypeForbidsField(const RuleInput& in) {
  return Has(in.self, "type") && Str(in.self, "type") == type.view() ? !Has(in.self, field.view())
                                                                     : true;
}

bool UntypedFormatHasOne(const RuleInput& in) {
  return !Has(in.self, "type") ? Has(in.self, "text") || Has(in.self, "json") : true;
}

// self.type == 'HTTP' || !has(self.http)
bool HttpOnlyForHttpType(const RuleInput& in) {
  return Or([&] { return Str(in.self, "type") == "HTTP"; }, [&] { return !Has(in.self, "http"); });
}

bool HasBackendRefs(const RuleInput& in) {
  return Has(in.self, "backendRefs") && Size(in.self["backendRefs"]) > 0;
}

bool SamplingPercentageNeedsRatio(const RuleInput& in) {
  if (!Has(in.self, "samplingPercentage"))
    return true;
  return OneOf(Str(in.self, "type"), {"TraceIdRatio", "ParentBasedTraceIdRatio"});
}

bool NotEmpty(const RuleInput& in) {
  return in.self != "";
}

// --- Backend settings (extAuth, JWKS, OIDC and telemetry backends) ---

// !((has(connection) && has(connection.preconnect) && has(...predictivePercent)) &&
//   !(has(loadBalancer) && has(loadBalancer.type) && loadBalancer.type in ['Random', ...]))
bool PredictivePercentNeedsRandomOrRoundRobin(const RuleInput& in) {
  if (!Find(in.self, {"connection", "preconnect", "predictivePercent"}))
    return true;
  const json* type = Find(in.self, {"loadBalancer", "type"});
  return type && type->is_string() &&
         OneOf(type->get_ref<const std::string&>(), {"Random", "RoundRobin"});
}

// self.exists(e, e == 'Failure' || e == 'FailureSeriesStart') ==
// self.exists(e, e == 'Success' || e == 'HealthyTransition')
bool FailureAndSuccessTogether(const RuleInput& in) {
  auto any_of = [&](std::string_view a, std::string_view b) {
    return Exists(in.self, [&](const json& e) { return e == a || e == b; });
  };
  return any_of("Failure", "FailureSeriesStart") == any_of("Success", "HealthyTransition");
}

// !has(self.requestBody) || (has(self.method) && self.method.upperAscii() in ['POST','PUT'])
bool RequestBodyNeedsPostOrPut(const RuleInput& in) {
  if (!Has(in.self, "requestBody"))
    return true;
  if (!Has(in.self, "method"))
    return false;
  std::string method(Str(in.self, "method"));
  for (char& c : method)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return method == "POST" || method == "PUT";
}

// !has(timeout) || !has(interval) || duration(timeout) < duration(interval)
bool TimeoutBelowInterval(const RuleInput& in) {
  if (!Has(in.self, "timeout") || !Has(in.self, "interval"))
    return true;
  return Duration(Str(in.self, "timeout")) < Duration(Str(in.self, "interval"));
}

// self.type in [<types>] ? !has(self.slowStart) : true
template <Lit... types>
bool NoSlowStartFor(const RuleInput& in) {
  std::string_view type = Str(in.self, "type");
  return ((type == types.view()) || ...) ? !Has(in.self, "slowStart") : true;
}

// self.type == '<type>' && has(self.zoneAware) ? !has(self.zoneAware.preferLocal) : true
template <Lit type>
bool NoPreferLocalFor(const RuleInput& in) {
  if (!And([&] { return Str(in.self, "type") == type.view(); },
           [&] { return Has(in.self, "zoneAware"); })) {
    return true;
  }
  return !Has(in.self["zoneAware"], "preferLocal");
}

bool ZoneAwareOneMode(const RuleInput& in) {
  if (!Has(in.self, "zoneAware"))
    return true;
  const json& zone_aware = in.self["zoneAware"];
  return !(Has(zone_aware, "preferLocal") && Has(zone_aware, "weightedZones"));
}

bool PositiveDuration(const RuleInput& in) {
  return Duration(in.self.is_string() ? in.self.get<std::string>() : "") > 0;
}

const RuleImpl
    kRules
        [] =
            {
                // SecurityPolicy spec
                {"either targetRef or targetRefs must be used",
                 R"cel((has(self.targetRef) && !has(self.targetRefs)) || (!has(self.targetRef) && has(self.targetRefs)) || (has(self.targetSelectors) && self.targetSelectors.size() > 0))cel",
                 TargetRefOrRefs},
                // SecurityPolicy spec
                {"this policy can only have a targetRef.group of gateway.networking.k8s.io",
                 R"cel(has(self.targetRef) ? self.targetRef.group == 'gateway.networking.k8s.io' : true)cel",
                 TargetRefGroup},
                // SecurityPolicy spec
                {"this policy can only have a targetRef.kind of "
                 "Gateway/ListenerSet/HTTPRoute/GRPCRoute/TCPRoute",
                 R"cel(has(self.targetRef) ? self.targetRef.kind in ['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute', 'TCPRoute'] : true)cel",
                 TargetRefKind<"Gateway", "ListenerSet", "HTTPRoute", "GRPCRoute", "TCPRoute">},
                // SecurityPolicy spec
                {"this policy can only have a targetRefs[*].group of gateway.networking.k8s.io",
                 R"cel(has(self.targetRefs) ? self.targetRefs.all(ref, ref.group == 'gateway.networking.k8s.io') : true)cel",
                 TargetRefsGroup},
                // SecurityPolicy spec
                {"this policy can only have a targetRefs[*].kind of "
                 "Gateway/ListenerSet/HTTPRoute/GRPCRoute/TCPRoute",
                 R"cel(has(self.targetRefs) ? self.targetRefs.all(ref, ref.kind in ['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute', 'TCPRoute']) : true)cel",
                 TargetRefsKind<"Gateway", "ListenerSet", "HTTPRoute", "GRPCRoute", "TCPRoute">},
                // SecurityPolicy spec
                {"mergeType can only be used with xRoute targets",
                 R"cel(!has(self.mergeType) || ((!has(self.targetRef) || self.targetRef.kind in ['HTTPRoute', 'GRPCRoute', 'TCPRoute']) && (!has(self.targetRefs) || self.targetRefs.all(ref, ref.kind in ['HTTPRoute', 'GRPCRoute', 'TCPRoute'])) && (!has(self.targetSelectors) || self.targetSelectors.all(sel, sel.kind in ['HTTPRoute', 'GRPCRoute', 'TCPRoute']))))cel",
                 MergeTypeOnlyForRoutes},
                // SecurityPolicy spec
                {"if authorization.rules.principal.jwt is used, jwt must be defined",
                 R"cel((has(self.authorization) && has(self.authorization.rules) && self.authorization.rules.exists(r, has(r.principal) ? has(r.principal.jwt) : false)) ? has(self.jwt) : true)cel",
                 PrincipalJwtNeedsJwt},
                // SecurityPolicy spec.apiKeyAuth.extractFrom[]
                {"exactly one of headers, params, or cookies must be specified",
                 R"cel((has(self.headers) ? 1 : 0) + (has(self.params) ? 1 : 0) + (has(self.cookies) ? 1 : 0) == 1)cel",
                 ExactlyOneHas<"headers", "params", "cookies">},
                // SecurityPolicy spec.authorization.rules[]
                {"at least one of principal or cel must be specified",
                 R"cel(has(self.principal) || has(self.cel))cel", AnyHas<"principal", "cel">},
                // SecurityPolicy spec.authorization.rules[].operation
                {"at least one of methods or path must be specified",
                 R"cel(has(self.methods) || has(self.path))cel", AnyHas<"methods", "path">},
                // SecurityPolicy spec.authorization.rules[].principal
                {"at least one of clientCIDRs, jwt, headers, or clientIPGeoLocations must be "
                 "specified",
                 R"cel((has(self.clientCIDRs) || has(self.jwt) || has(self.headers) || has(self.clientIPGeoLocations)))cel",
                 AnyHas<"clientCIDRs", "jwt", "headers", "clientIPGeoLocations">},
                // SecurityPolicy spec.authorization.rules[].principal.clientIPGeoLocations[]
                {"at least one of country, region, city, asn, isp, or anonymous must be specified",
                 R"cel(has(self.country) || has(self.region) || has(self.city) || has(self.asn) || has(self.isp) || has(self.anonymous))cel",
                 AnyHas<"country", "region", "city", "asn", "isp", "anonymous">},
                // SecurityPolicy
                // spec.authorization.rules[].principal.clientIPGeoLocations[].anonymous
                {"at least one of isAnonymous, isVPN, isHosting, isTor, or isProxy must be "
                 "specified",
                 R"cel(has(self.isAnonymous) || has(self.isVPN) || has(self.isHosting) || has(self.isTor) || has(self.isProxy))cel",
                 AnyHas<"isAnonymous", "isVPN", "isHosting", "isTor", "isProxy">},
                // SecurityPolicy spec.authorization.rules[].principal.jwt
                {"at least one of claims or scopes must be specified",
                 R"cel((has(self.claims) || has(self.scopes)))cel", AnyHas<"claims", "scopes">},
                // SecurityPolicy spec.extAuth
                {"one of grpc or http must be specified",
                 R"cel((has(self.grpc) || has(self.http)))cel", AnyHas<"grpc", "http">},
                // SecurityPolicy spec.extAuth
                {"only one of grpc or http can be specified",
                 R"cel((has(self.grpc) && !has(self.http)) || (!has(self.grpc) && has(self.http)))cel",
                 ExactlyOneHas<"grpc", "http">},
                // SecurityPolicy spec.extAuth.contextExtensions[]
                {"Exactly one of value or valueRef must be set with correct type.",
                 R"cel((self.type == 'Value' && has(self.value) && !has(self.valueRef)) || (self.type == 'ValueRef' && !has(self.value) && has(self.valueRef)))cel",
                 TypedValue<"Value", "value", "ValueRef", "valueRef">},
                // SecurityPolicy spec.extAuth.contextExtensions[].valueRef
                {"Only a reference to an object of kind ConfigMap or Secret belonging to default "
                 "v1 API group is supported.",
                 R"cel(self.kind in ['ConfigMap', 'Secret'] && self.group in ['', 'v1'])cel",
                 ConfigMapOrSecretRef},
                // SecurityPolicy spec.extAuth.grpc
                {"backendRef or backendRefs needs to be set",
                 R"cel(has(self.backendRef) || self.backendRefs.size() > 0)cel",
                 HasOrNonEmpty<"backendRef", "backendRefs">},
                // SecurityPolicy spec.extAuth.grpc
                {"BackendRefs only supports Service, ServiceImport, and Backend kind.",
                 R"cel(has(self.backendRefs) ? self.backendRefs.all(f, f.kind == 'Service' || f.kind == 'ServiceImport' || f.kind == 'Backend') : true)cel",
                 BackendRefsKinds<"Service", "ServiceImport", "Backend">},
                // SecurityPolicy spec.extAuth.grpc
                {"BackendRefs only supports Core, multicluster.x-k8s.io, and gateway.envoyproxy.io "
                 "groups.",
                 R"cel(has(self.backendRefs) ? (self.backendRefs.all(f, f.group == "" || f.group == 'multicluster.x-k8s.io' || f.group == 'gateway.envoyproxy.io')) : true)cel",
                 BackendRefsGroups<"", "multicluster.x-k8s.io", "gateway.envoyproxy.io">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings
                {"predictivePercent in preconnect policy only works with RoundRobin or Random load "
                 "balancers",
                 R"cel(!((has(self.connection) && has(self.connection.preconnect) && has(self.connection.preconnect.predictivePercent)) && !(has(self.loadBalancer) && has(self.loadBalancer.type) && self.loadBalancer.type in ['Random', 'RoundRobin'])))cel",
                 PredictivePercentNeedsRandomOrRoundRobin},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.healthCheck.active
                {"If Health Checker type is HTTP, http field needs to be set.",
                 R"cel(self.type == 'HTTP' ? has(self.http) : !has(self.http))cel",
                 FieldIff<"HTTP", "http">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.healthCheck.active
                {"If Health Checker type is TCP, tcp field needs to be set.",
                 R"cel(self.type == 'TCP' ? has(self.tcp) : !has(self.tcp))cel",
                 FieldIff<"TCP", "tcp">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.healthCheck.active
                {"The grpc field can only be set if the Health Checker type is GRPC.",
                 R"cel(has(self.grpc) ? self.type == 'GRPC' : true)cel",
                 FieldNeedsType<"grpc", "GRPC">},
                // SecurityPolicy
                // spec.extAuth.grpc.backendSettings.healthCheck.active.healthCheckLog.matches
                {"a failure type and a success type must both be specified together",
                 R"cel(self.exists(e, e == 'Failure' || e == 'FailureSeriesStart') == self.exists(e, e == 'Success' || e == 'HealthyTransition'))cel",
                 FailureAndSuccessTogether},
                // SecurityPolicy
                // spec.extAuth.grpc.backendSettings.healthCheck.active.healthCheckLog.sinks[]
                {"If ProxyHealthCheckLogSink type is File, file field needs to be set.",
                 R"cel(self.type == 'File' ? has(self.file) : !has(self.file))cel",
                 FieldIff<"File", "file">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.healthCheck.active.http
                {"The requestBody field can only be set when method is POST or PUT.",
                 R"cel(!has(self.requestBody) || (has(self.method) && self.method.upperAscii() in ['POST','PUT']))cel",
                 RequestBodyNeedsPostOrPut},
                // SecurityPolicy
                // spec.extAuth.grpc.backendSettings.healthCheck.active.http.expectedResponse
                {"If payload type is Text, text field needs to be set.",
                 R"cel(self.type == 'Text' ? has(self.text) : !has(self.text))cel",
                 FieldIff<"Text", "text">},
                // SecurityPolicy
                // spec.extAuth.grpc.backendSettings.healthCheck.active.http.expectedResponse
                {"If payload type is Binary, binary field needs to be set.",
                 R"cel(self.type == 'Binary' ? has(self.binary) : !has(self.binary))cel",
                 FieldIff<"Binary", "binary">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.http2.connectionKeepalive
                {"timeout must be less than interval",
                 R"cel(!has(self.timeout) || !has(self.interval) || duration(self.timeout) < duration(self.interval))cel",
                 TimeoutBelowInterval},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer
                {"If LoadBalancer type is consistentHash, consistentHash field needs to be set.",
                 R"cel(self.type == 'ConsistentHash' ? has(self.consistentHash) : !has(self.consistentHash))cel",
                 FieldIff<"ConsistentHash", "consistentHash">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer
                {"If LoadBalancer type is BackendUtilization, backendUtilization field needs to be "
                 "set.",
                 R"cel(self.type == 'BackendUtilization' ? has(self.backendUtilization) : !has(self.backendUtilization))cel",
                 FieldIff<"BackendUtilization", "backendUtilization">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer
                {"If LoadBalancer type is DynamicModule, dynamicModule field needs to be set.",
                 R"cel(self.type == 'DynamicModule' ? has(self.dynamicModule) : !has(self.dynamicModule))cel",
                 FieldIff<"DynamicModule", "dynamicModule">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer
                {"Currently SlowStart is only supported for RoundRobin, LeastRequest, and "
                 "BackendUtilization load balancers.",
                 R"cel(self.type in ['Random', 'ConsistentHash', 'DynamicModule'] ? !has(self.slowStart) : true)cel",
                 NoSlowStartFor<"Random", "ConsistentHash", "DynamicModule">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer
                {"PreferLocal zone-aware routing is not supported for ConsistentHash load "
                 "balancers. Use weightedZones instead.",
                 R"cel(self.type == 'ConsistentHash' && has(self.zoneAware) ? !has(self.zoneAware.preferLocal) : true)cel",
                 NoPreferLocalFor<"ConsistentHash">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer
                {"PreferLocal zone-aware routing is not currently supported for BackendUtilization "
                 "load balancers. Only WeightedZones can be used with BackendUtilization.",
                 R"cel(self.type == 'BackendUtilization' && has(self.zoneAware) ? !has(self.zoneAware.preferLocal) : true)cel",
                 NoPreferLocalFor<"BackendUtilization">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer
                {"ZoneAware routing is not supported for DynamicModule load balancers.",
                 R"cel(self.type == 'DynamicModule' ? !has(self.zoneAware) : true)cel",
                 TypeForbidsField<"DynamicModule", "zoneAware">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer
                {"ZoneAware PreferLocal and WeightedZones cannot be specified together.",
                 R"cel(has(self.zoneAware) ? !(has(self.zoneAware.preferLocal) && has(self.zoneAware.weightedZones)) : true)cel",
                 ZoneAwareOneMode},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer
                {"EndpointOverride is not supported for DynamicModule load balancers.",
                 R"cel(self.type == 'DynamicModule' ? !has(self.endpointOverride) : true)cel",
                 TypeForbidsField<"DynamicModule", "endpointOverride">},
                // SecurityPolicy
                // spec.extAuth.grpc.backendSettings.loadBalancer.backendUtilization.outOfBand.reportingPeriod
                {"reportingPeriod must be greater than 0",
                 R"cel(duration(self) > duration('0s'))cel", PositiveDuration},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer.consistentHash
                {"If consistent hash type is header, the header field must be set.",
                 R"cel(self.type == 'Header' ? has(self.header) : !has(self.header))cel",
                 FieldIff<"Header", "header">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer.consistentHash
                {"If consistent hash type is headers, the headers field must be set.",
                 R"cel(self.type == 'Headers' ? has(self.headers) : !has(self.headers))cel",
                 FieldIff<"Headers", "headers">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer.consistentHash
                {"If consistent hash type is cookie, the cookie field must be set.",
                 R"cel(self.type == 'Cookie' ? has(self.cookie) : !has(self.cookie))cel",
                 FieldIff<"Cookie", "cookie">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer.consistentHash
                {"If consistent hash type is queryParams, the queryParams field must be set.",
                 R"cel(self.type == 'QueryParams' ? has(self.queryParams) : !has(self.queryParams))cel",
                 FieldIff<"QueryParams", "queryParams">},
                // SecurityPolicy spec.extAuth.http
                {"only one of path or pathOverride can be specified",
                 R"cel(!(has(self.path) && has(self.pathOverride)))cel",
                 NotBoth<"path", "pathOverride">},
                // SecurityPolicy spec.jwt
                {"optional and failOpen cannot both be set; failOpen already tolerates a missing "
                 "JWT",
                 R"cel(!(has(self.optional) && has(self.failOpen)))cel",
                 NotBoth<"optional", "failOpen">},
                // SecurityPolicy spec.jwt.providers[]
                {"claimToHeaders must be specified if recomputeRoute is enabled.",
                 R"cel((has(self.recomputeRoute) && self.recomputeRoute) ? size(self.claimToHeaders) > 0 : true)cel",
                 RecomputeRouteNeedsClaims},
                // SecurityPolicy spec.jwt.providers[]
                {"either remoteJWKS or localJWKS must be specified.",
                 R"cel(has(self.remoteJWKS) || has(self.localJWKS))cel",
                 AnyHas<"remoteJWKS", "localJWKS">},
                // SecurityPolicy spec.jwt.providers[]
                {"remoteJWKS and localJWKS cannot both be specified.",
                 R"cel(!(has(self.remoteJWKS) && has(self.localJWKS)))cel",
                 NotBoth<"remoteJWKS", "localJWKS">},
                // SecurityPolicy spec.jwt.providers[].localJWKS
                {"Exactly one of inline or valueRef must be set with correct type.",
                 R"cel((self.type == 'Inline' && has(self.inline) && !has(self.valueRef)) || (self.type == 'ValueRef' && !has(self.inline) && has(self.valueRef)))cel",
                 TypedValue<"Inline", "inline", "ValueRef", "valueRef">},
                // SecurityPolicy spec.jwt.providers[].remoteJWKS
                {"BackendRefs must be used, backendRef is not supported.",
                 R"cel(!has(self.backendRef))cel", NotHas<"backendRef">},
                // SecurityPolicy spec.jwt.providers[].remoteJWKS
                {"Retry timeout is not supported.",
                 R"cel(has(self.backendSettings)? (has(self.backendSettings.retry)?(has(self.backendSettings.retry.perRetry)? !has(self.backendSettings.retry.perRetry.timeout):true):true):true)cel",
                 NoRetryTimeout},
                // SecurityPolicy spec.jwt.providers[].remoteJWKS
                {"HTTPStatusCodes is not supported.",
                 R"cel(has(self.backendSettings)? (has(self.backendSettings.retry)?(has(self.backendSettings.retry.retryOn)? !has(self.backendSettings.retry.retryOn.httpStatusCodes):true):true):true)cel",
                 NoRetryStatusCodes},
                // SecurityPolicy spec.mergeType
                {"Replace is not a valid MergeType for SecurityPolicy",
                 R"cel(self != 'Replace')cel", NotReplace},
                // SecurityPolicy spec.oidc
                {"only one of clientID or clientIDRef must be set",
                 R"cel((has(self.clientID) && !has(self.clientIDRef)) || (!has(self.clientID) && has(self.clientIDRef)))cel",
                 ExactlyOneHas<"clientID", "clientIDRef">},
                // SecurityPolicy spec.oidc
                {"forwardAccessToken cannot be true when forwardIDToken.header is Authorization",
                 R"cel(!(has(self.forwardAccessToken) && self.forwardAccessToken && has(self.forwardIDToken) && self.forwardIDToken.header.lowerAscii() == 'authorization'))cel",
                 AccessTokenNotInIdTokenHeader},
                // SecurityPolicy spec.oidc.forwardIDToken.header
                {"header cannot be the Host header", R"cel(self.lowerAscii() != 'host')cel",
                 NotHostHeader},
                // SecurityPolicy spec.targetSelectors[]
                {"group must be gateway.networking.k8s.io",
                 R"cel(has(self.group) ? self.group == 'gateway.networking.k8s.io' : true)cel",
                 SelectorGroup},
                // SecurityPolicy spec.targetSelectors[].namespaces
                {"selector must be specified when from is Selector",
                 R"cel(self.from != 'Selector' || has(self.selector))cel",
                 SelectorWhenFromSelector},
                // ClientTrafficPolicy spec
                {"this policy can only have a targetRef.kind of Gateway or ListenerSet",
                 R"cel(has(self.targetRef) ? self.targetRef.kind in ['Gateway', 'ListenerSet'] : true)cel",
                 TargetRefKind<"Gateway", "ListenerSet">},
                // ClientTrafficPolicy spec
                {"this policy can only have a targetRefs[*].kind of Gateway or ListenerSet",
                 R"cel(has(self.targetRefs) ? self.targetRefs.all(ref, ref.kind in ['Gateway', 'ListenerSet']) : true)cel",
                 TargetRefsKind<"Gateway", "ListenerSet">},
                // ClientTrafficPolicy spec.clientIPDetection
                {"exactly one of xForwardedFor, customHeader, or directSourceIP must be set",
                 R"cel([has(self.xForwardedFor), has(self.customHeader), has(self.directSourceIP)].filter(x, x).size() == 1)cel",
                 ExactlyOneHas<"xForwardedFor", "customHeader", "directSourceIP">},
                // ClientTrafficPolicy spec.clientIPDetection.xForwardedFor
                {"only one of numTrustedHops or trustedCIDRs must be set",
                 R"cel((has(self.numTrustedHops) && !has(self.trustedCIDRs)) || (!has(self.numTrustedHops) && has(self.trustedCIDRs)))cel",
                 ExactlyOneHas<"numTrustedHops", "trustedCIDRs">},
                // ClientTrafficPolicy spec.connection.connectionLimit
                {"closeDelay can only be configured when value is set",
                 R"cel(!has(self.closeDelay) || has(self.value))cel",
                 Implies<"closeDelay", "value">},
                // ClientTrafficPolicy spec.headers
                {"preserveXRequestID and requestID cannot both be set.",
                 R"cel(!(has(self.preserveXRequestID) && has(self.requestID)))cel",
                 NotBoth<"preserveXRequestID", "requestID">},
                // ClientTrafficPolicy spec.headers.xForwardedClientCert
                {"certDetailsToAdd can only be set when mode is AppendForward or SanitizeSet",
                 R"cel((has(self.certDetailsToAdd) && self.certDetailsToAdd.size() > 0) ? (self.mode == 'AppendForward' || self.mode == 'SanitizeSet') : true)cel",
                 CertDetailsNeedForwardingMode},
                // ClientTrafficPolicy spec.tls
                {"setting ciphers has no effect if the minimum possible TLS version is 1.3",
                 R"cel(has(self.minVersion) && self.minVersion == '1.3' ? !has(self.ciphers) : true)cel",
                 NoCiphersForTls13},
                // ClientTrafficPolicy spec.tls
                {"minVersion must be smaller or equal to maxVersion",
                 R"cel(has(self.minVersion) && has(self.maxVersion) ? {"Auto":0,"1.0":1,"1.1":2,"1.2":3,"1.3":4}[self.minVersion] <= {"1.0":1,"1.1":2,"1.2":3,"1.3":4,"Auto":5}[self.maxVersion] : !has(self.minVersion) && has(self.maxVersion) ? 3 <= {"1.0":1,"1.1":2,"1.2":3,"1.3":4,"Auto":5}[self.maxVersion] : true)cel", TlsVersionsOrdered},
                // ClientTrafficPolicy spec.tls.clientValidation
                {"allowExpiredCertificate can only be set when mode is VerifyIfGiven or "
                 "RequireAndVerify",
                 R"cel(!has(self.allowExpiredCertificate) || !self.allowExpiredCertificate || !has(self.mode) || self.mode in ['VerifyIfGiven', 'RequireAndVerify'])cel",
                 ExpiredCertificatesNeedVerification},
                // EnvoyProxy spec
                {"mergeGateways and mergeBackends cannot both be enabled",
                 R"cel(!(has(self.mergeGateways) && self.mergeGateways && has(self.mergeBackends)))cel",
                 NotMergeGatewaysAndBackends},
                // EnvoyProxy spec.bootstrap
                {"provided bootstrap patch doesn't match the configured patch type",
                 R"cel(self.type == 'JSONPatch' ? self.jsonPatches.size() > 0 : has(self.value))cel",
                 BootstrapMatchesType},
                // EnvoyProxy spec.dynamicModules[].source
                {"If type is Remote, remote field needs to be set.",
                 R"cel(self.type == 'Remote' ? has(self.remote) : !has(self.remote))cel",
                 FieldIff<"Remote", "remote">},
                // EnvoyProxy spec.dynamicModules[].source
                {"If type is Local, local field needs to be set.",
                 R"cel(self.type != 'Local' || has(self.local))cel", LocalSourceHasLocal},
                // EnvoyProxy spec.dynamicModules[].source
                {"If type is Remote, local field must not be set.",
                 R"cel(self.type == 'Remote' ? !has(self.local) : true)cel",
                 TypeForbidsField<"Remote", "local">},
                // EnvoyProxy spec.filterOrder[]
                {"one of before or after must be specified",
                 R"cel((has(self.before) || has(self.after)))cel", AnyHas<"before", "after">},
                // EnvoyProxy spec.filterOrder[]
                {"only one of before or after can be specified",
                 R"cel((has(self.before) && !has(self.after)) || (!has(self.before) && has(self.after)))cel",
                 ExactlyOneHas<"before", "after">},
                // EnvoyProxy spec.geoIP.provider
                {"maxMind must be set when type is MaxMind",
                 R"cel(self.type == 'MaxMind' ? has(self.maxMind) : true)cel",
                 TypeNeedsField<"MaxMind", "maxMind">},
                // EnvoyProxy spec.geoIP.provider.maxMind
                {"at least one MaxMind database source must be specified",
                 R"cel(has(self.cityDbSource) || has(self.countryDbSource) || has(self.asnDbSource) || has(self.ispDbSource) || has(self.anonymousIpDbSource))cel",
                 AnyHas<"cityDbSource", "countryDbSource", "asnDbSource", "ispDbSource",
                        "anonymousIpDbSource">},
                // EnvoyProxy spec.provider.kubernetes
                {"only one of envoyDeployment or envoyDaemonSet can be specified",
                 R"cel(((has(self.envoyDeployment) && !has(self.envoyDaemonSet)) || (!has(self.envoyDeployment) && has(self.envoyDaemonSet))) || (!has(self.envoyDeployment) && !has(self.envoyDaemonSet)))cel",
                 NotBoth<"envoyDeployment", "envoyDaemonSet">},
                // EnvoyProxy spec.provider.kubernetes
                {"cannot use envoyHpa if envoyDaemonSet is used",
                 R"cel(((has(self.envoyHpa) && !has(self.envoyDaemonSet)) || (!has(self.envoyHpa) && has(self.envoyDaemonSet))) || (!has(self.envoyHpa) && !has(self.envoyDaemonSet)))cel",
                 NotBoth<"envoyHpa", "envoyDaemonSet">},
                // EnvoyProxy spec.provider.kubernetes.envoyDaemonSet.container
                {"Either image or imageRepository can be set.",
                 R"cel(!has(self.image) || !has(self.imageRepository))cel",
                 NotBoth<"image", "imageRepository">},
                // EnvoyProxy spec.provider.kubernetes.envoyDaemonSet.container.image
                {"Image must include a tag and allowed characters only (e.g., 'repo:tag').",
                 R"cel(self.matches('^[a-zA-Z0-9._-]+(:[0-9]+)?(/[a-zA-Z0-9._/-]+)?(:[a-zA-Z0-9._-]+)?(@sha256:[a-z0-9]+)?$'))cel",
                 ImageWithTag},
                // EnvoyProxy spec.provider.kubernetes.envoyDaemonSet.container.imageRepository
                {"ImageRepository must contain only allowed characters and must not include a tag.",
                 R"cel(self.matches('^[a-zA-Z0-9._-]+(:[0-9]+)?[a-zA-Z0-9._/-]+$'))cel",
                 ImageRepositoryWithoutTag},
                // EnvoyProxy spec.provider.kubernetes.envoyHpa
                {"maxReplicas cannot be less than minReplicas",
                 R"cel(!has(self.minReplicas) || self.maxReplicas >= self.minReplicas)cel",
                 ReplicasOrdered},
                // EnvoyProxy spec.provider.kubernetes.envoyHpa.maxReplicas
                {"maxReplicas must be greater than 0", R"cel(self > 0)cel", Positive},
                // EnvoyProxy spec.provider.kubernetes.envoyHpa.minReplicas
                {"minReplicas must be greater than 0", R"cel(self > 0)cel", Positive},
                // EnvoyProxy spec.provider.kubernetes.envoyPDB
                {"only one of minAvailable or maxUnavailable can be specified",
                 R"cel((has(self.minAvailable) && !has(self.maxUnavailable)) || (!has(self.minAvailable) && has(self.maxUnavailable)))cel",
                 ExactlyOneHas<"minAvailable", "maxUnavailable">},
                // EnvoyProxy spec.provider.kubernetes.envoyService
                {"allocateLoadBalancerNodePorts can only be set for LoadBalancer type",
                 R"cel(!has(self.allocateLoadBalancerNodePorts) || self.type == 'LoadBalancer')cel",
                 OnlyForLoadBalancer<"allocateLoadBalancerNodePorts">},
                // EnvoyProxy spec.provider.kubernetes.envoyService
                {"loadBalancerSourceRanges can only be set for LoadBalancer type",
                 R"cel(!has(self.loadBalancerSourceRanges) || self.type == 'LoadBalancer')cel",
                 OnlyForLoadBalancer<"loadBalancerSourceRanges">},
                // EnvoyProxy spec.provider.kubernetes.envoyService
                {"loadBalancerIP can only be set for LoadBalancer type",
                 R"cel(!has(self.loadBalancerIP) || self.type == 'LoadBalancer')cel",
                 OnlyForLoadBalancer<"loadBalancerIP">},
                // EnvoyProxy spec.provider.kubernetes.envoyService.loadBalancerIP
                {"loadBalancerIP must be a valid IPv4 address",
                 R"cel(self.matches(r"^((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$"))cel",
                 LoadBalancerIPv4},
                // EnvoyProxy spec.telemetry.accessLog.settings[].format
                {"If AccessLogFormat type is Text, text field needs to be set.",
                 R"cel(has(self.type) && self.type == 'Text' ? has(self.text) : true)cel",
                 SetTypeNeedsField<"Text", "text">},
                // EnvoyProxy spec.telemetry.accessLog.settings[].format
                {"If AccessLogFormat type is Text, json field must not be set.",
                 R"cel(has(self.type) && self.type == 'Text' ? !has(self.json) : true)cel",
                 SetTypeForbidsField<"Text", "json">},
                // EnvoyProxy spec.telemetry.accessLog.settings[].format
                {"If AccessLogFormat type is JSON, json field needs to be set.",
                 R"cel(has(self.type) && self.type == 'JSON' ? has(self.json) : true)cel",
                 SetTypeNeedsField<"JSON", "json">},
                // EnvoyProxy spec.telemetry.accessLog.settings[].format
                {"If AccessLogFormat type is JSON, text field must not be set.",
                 R"cel(has(self.type) && self.type == 'JSON' ? !has(self.text) : true)cel",
                 SetTypeForbidsField<"JSON", "text">},
                // EnvoyProxy spec.telemetry.accessLog.settings[].format
                {"If AccessLogFormat type is unset, at least one of text or json must be set.",
                 R"cel(!has(self.type) ? (has(self.text) || has(self.json)) : true)cel",
                 UntypedFormatHasOne},
                // EnvoyProxy spec.telemetry.accessLog.settings[].sinks[]
                {"If AccessLogSink type is ALS, als field needs to be set.",
                 R"cel(self.type == 'ALS' ? has(self.als) : !has(self.als))cel",
                 FieldIff<"ALS", "als">},
                // EnvoyProxy spec.telemetry.accessLog.settings[].sinks[]
                {"If AccessLogSink type is File, file field needs to be set.",
                 R"cel(self.type == 'File' ? has(self.file) : !has(self.file))cel",
                 FieldIff<"File", "file">},
                // EnvoyProxy spec.telemetry.accessLog.settings[].sinks[]
                {"If AccessLogSink type is OpenTelemetry, openTelemetry field needs to be set.",
                 R"cel(self.type == 'OpenTelemetry' ? has(self.openTelemetry) : !has(self.openTelemetry))cel",
                 FieldIff<"OpenTelemetry", "openTelemetry">},
                // EnvoyProxy spec.telemetry.accessLog.settings[].sinks[].als
                {"The http field may only be set when type is HTTP.",
                 R"cel(self.type == 'HTTP' || !has(self.http))cel", HttpOnlyForHttpType},
                // EnvoyProxy spec.telemetry.accessLog.settings[].sinks[].als
                {"must have at least one backend in backendRefs",
                 R"cel(has(self.backendRefs) && self.backendRefs.size() > 0)cel", HasBackendRefs},
                // EnvoyProxy spec.telemetry.accessLog.settings[].sinks[].als
                {"BackendRefs only support Service and Backend kind.",
                 R"cel(has(self.backendRefs) ? self.backendRefs.all(f, f.kind == 'Service' || f.kind == 'Backend') : true)cel",
                 BackendRefsKinds<"Service", "Backend">},
                // EnvoyProxy spec.telemetry.accessLog.settings[].sinks[].als
                {"BackendRefs only support Core and gateway.envoyproxy.io group.",
                 R"cel(has(self.backendRefs) ? (self.backendRefs.all(f, f.group == "" || f.group == 'gateway.envoyproxy.io')) : true)cel",
                 BackendRefsGroups<"", "gateway.envoyproxy.io">},
                // EnvoyProxy spec.telemetry.accessLog.settings[].sinks[].openTelemetry
                {"host or backendRefs needs to be set",
                 R"cel(has(self.host) || self.backendRefs.size() > 0)cel",
                 HasOrNonEmpty<"host", "backendRefs">},
                // EnvoyProxy spec.telemetry.accessLog.settings[].sinks[].openTelemetry
                {"either resources or resourceAttributes can be set, not both",
                 R"cel(!has(self.resources) || !has(self.resourceAttributes))cel",
                 NotBoth<"resources", "resourceAttributes">},
                // EnvoyProxy spec.telemetry.metrics.sinks[]
                {"If MetricSink type is OpenTelemetry, openTelemetry field needs to be set.",
                 R"cel(self.type == 'OpenTelemetry' ? has(self.openTelemetry) : !has(self.openTelemetry))cel",
                 FieldIff<"OpenTelemetry", "openTelemetry">},
                // EnvoyProxy spec.telemetry.tracing
                {"only one of SamplingRate or SamplingFraction can be specified",
                 R"cel(!(has(self.samplingRate) && has(self.samplingFraction)))cel",
                 NotBoth<"samplingRate", "samplingFraction">},
                // EnvoyProxy spec.telemetry.tracing.provider
                {"openTelemetry can only be used with type OpenTelemetry",
                 R"cel(has(self.openTelemetry) ? self.type == 'OpenTelemetry' : true)cel",
                 FieldNeedsType<"openTelemetry", "OpenTelemetry">},
                // EnvoyProxy spec.telemetry.tracing.provider.openTelemetry.sampler
                {"samplingPercentage can only be set with TraceIdRatio or ParentBasedTraceIdRatio",
                 R"cel(has(self.samplingPercentage) ? (self.type == 'TraceIdRatio' || self.type == 'ParentBasedTraceIdRatio') : true)cel",
                 SamplingPercentageNeedsRatio},
                // EnvoyProxy spec.telemetry.tracing.provider.serviceName
                {"serviceName cannot be empty if provided", R"cel(self != "")cel", NotEmpty},
                // SecurityPolicy spec
                {"this policy can only have a targetRef.kind of Gateway/HTTPRoute/GRPCRoute",
                 R"cel(has(self.targetRef) ? self.targetRef.kind in ['Gateway', 'HTTPRoute', 'GRPCRoute'] : true)cel",
                 TargetRefKind<"Gateway", "HTTPRoute", "GRPCRoute">},
                // SecurityPolicy spec
                {"this policy can only have a targetRefs[*].kind of Gateway/HTTPRoute/GRPCRoute",
                 R"cel(has(self.targetRefs) ? self.targetRefs.all(ref, ref.kind in ['Gateway', 'HTTPRoute', 'GRPCRoute']) : true)cel",
                 TargetRefsKind<"Gateway", "HTTPRoute", "GRPCRoute">},
                // SecurityPolicy spec
                {"if authorization.rules.principal.jwt is used, jwt must be defined",
                 R"cel((has(self.authorization) && has(self.authorization.rules) && self.authorization.rules.exists(r, has(r.principal.jwt))) ? has(self.jwt) : true)cel",
                 PrincipalJwtNeedsJwtV15},
                // SecurityPolicy spec.authorization.rules[].principal
                {"at least one of clientCIDRs, jwt, or headers must be specified",
                 R"cel((has(self.clientCIDRs) || has(self.jwt) || has(self.headers)))cel",
                 AnyHas<"clientCIDRs", "jwt", "headers">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer
                {"Currently SlowStart is only supported for RoundRobin and LeastRequest load "
                 "balancers.",
                 R"cel(self.type in ['Random', 'ConsistentHash'] ? !has(self.slowStart) : true)cel",
                 NoSlowStartFor<"Random", "ConsistentHash">},
                // SecurityPolicy spec.extAuth.grpc.backendSettings.loadBalancer
                {"Currently ZoneAware is only supported for LeastRequest, Random, and RoundRobin "
                 "load balancers.",
                 R"cel(self.type == 'ConsistentHash' ? !has(self.zoneAware) : true)cel",
                 TypeForbidsField<"ConsistentHash", "zoneAware">},
};

}  // namespace

std::span<const RuleImpl> EnvoyGatewayRules() {
  return kRules;
}

}  // namespace starform::devcluster::cel
