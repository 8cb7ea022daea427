// DecodeDesiredState: the desired-state contract (docs/desired-state.md), field by field. Only
// the shape is checked here (fields, types, required, defaults); values are validate*.cpp's.
// The generic reading and the exact messages are in decode_reader.cpp / decode_internal.h.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "plan/decode_internal.h"
#include "plan/desired_state.h"

namespace starform {
namespace decode_internal {
namespace {

using Kind = SourceNode::Kind;

// The contract's fields of each mapping, with their exact names (the order is the contract's,
// which is also the order of suggestions on a tie).
constexpr std::string_view kRootFields[] = {"apiVersion", "kind",    "cluster",
                                            "revision",   "gateway", "apps"};
constexpr std::string_view kGatewayFields[] = {
    "name",      "namespace",   "className", "tenantLabel", "sharedServiceNamespaces",
    "listeners", "loadBalancer"};
constexpr std::string_view kListenerFields[] = {"name", "port", "protocol", "hostname", "tls"};
constexpr std::string_view kTlsFields[] = {"certificateRefs"};
constexpr std::string_view kLoadBalancerFields[] = {
    "name",     "type",       "sizeUnit", "enableProxyProtocol", "httpIdleTimeoutSeconds",
    "hostname", "annotations"};
constexpr std::string_view kAppFields[] = {"name",     "namespace", "hostnames",
                                           "listener", "rules",     "auth"};
constexpr std::string_view kRuleFields[] = {"path", "match", "backends", "timeout"};
constexpr std::string_view kBackendFields[] = {"service", "port", "weight"};
constexpr std::string_view kAuthFields[] = {"jwt", "extAuthz"};
constexpr std::string_view kJwtFields[] = {"optional", "providers"};
constexpr std::string_view kProviderFields[] = {"name", "issuer", "audiences", "jwksUri",
                                                "claimToHeaders"};
constexpr std::string_view kClaimToHeaderFields[] = {"claim", "header"};
constexpr std::string_view kExtAuthzFields[] = {"protocol", "service",          "namespace", "port",
                                                "path",     "headersToBackend", "failOpen"};

constexpr bool kRequired = true;

// A default: the value the contract gives a field the document leaves out (no mark, not present).
template <typename T>
Field<T> Default(T value) {
  return Field<T>{std::move(value), Mark{}, false};
}

// The mapping at field |name|, or nullptr when it is absent, null, or not a mapping (reported).
const SourceNode* GetMap(MapReader& map, std::string_view name, bool required = false) {
  const SourceNode* value = map.Get(name, required);
  if (value == nullptr || !map.reader()->Expect(*value, Kind::kMap, map.PathOf(name))) {
    return nullptr;
  }
  return value;
}

// A sequence of mappings, each read by |decode|. An item that is not a mapping is reported and
// kept (default, with its mark) so that indices in the model are those of the document.
// Returns whether the sequence was there.
template <typename T, typename DecodeItem>
bool DecodeList(MapReader& map, std::string_view name, bool required, std::vector<T>* out,
                Mark* mark, DecodeItem decode) {
  const SourceNode* seq = map.Get(name, required);
  if (seq == nullptr)
    return false;
  *mark = seq->mark;
  const Path path = map.PathOf(name);
  Reader* reader = map.reader();
  if (!reader->Expect(*seq, Kind::kSeq, path))
    return false;
  out->resize(seq->items.size());
  for (size_t i = 0; i < seq->items.size(); ++i) {
    const SourceNode& item = seq->items[i];
    const Path item_path = path.Index(i);
    (*out)[i].mark = item.mark;
    if (reader->Expect(item, Kind::kMap, item_path))
      decode(reader, item, item_path, &(*out)[i]);
  }
  return true;
}

// --- gateway ------------------------------------------------------------------------------------

void DecodeListener(Reader* reader, const SourceNode& node, const Path& path, Listener* out) {
  MapReader map(reader, node, path, kListenerFields);
  map.String("name", &out->name, kRequired);
  map.Int("port", &out->port, kRequired);
  map.String("protocol", &out->protocol, kRequired);
  map.String("hostname", &out->hostname);
  // certificateRefs is required only for HTTPS, a rule across fields: validation's.
  if (const SourceNode* tls = GetMap(map, "tls")) {
    out->has_tls = true;
    out->tls_mark = tls->mark;
    MapReader tls_map(reader, *tls, map.PathOf("tls"), kTlsFields);
    tls_map.Strings("certificateRefs", &out->certificate_refs);
  }
}

// annotations is free-form: any string key (validation checks the prefix), string values.
void DecodeAnnotations(Reader* reader, const SourceNode& node, const Path& path,
                       std::vector<LoadBalancer::Annotation>* out) {
  std::unordered_map<std::string_view, int> first_line;
  for (const auto& [key, value] : node.entries) {
    if (key.kind != Kind::kString) {
      reader->Error(key.mark, path,
                    std::string("expected a string key, got ") + KindName(key.kind));
      continue;
    }
    auto [first, inserted] = first_line.emplace(key.text, key.mark.line);
    if (!inserted) {
      reader->Error(key.mark, path,
                    "duplicate key " + Quoted(key.text) + " (first at line " +
                        std::to_string(first->second) + ")");
      continue;
    }
    LoadBalancer::Annotation annotation;
    reader->ReadString(value, path.Key(key.text), &annotation.value);
    if (!annotation.value.present)
      continue;
    annotation.key = Field<std::string>{key.text, key.mark, true};
    out->push_back(std::move(annotation));
  }
}

void DecodeLoadBalancer(Reader* reader, const SourceNode& node, const Path& path,
                        LoadBalancer* out) {
  out->mark = node.mark;
  MapReader map(reader, node, path, kLoadBalancerFields);
  map.String("name", &out->name);
  map.String("type", &out->type);
  map.Int("sizeUnit", &out->size_unit);
  map.Bool("enableProxyProtocol", &out->enable_proxy_protocol);
  map.Int("httpIdleTimeoutSeconds", &out->http_idle_timeout_seconds);
  map.String("hostname", &out->hostname);
  if (const SourceNode* annotations = GetMap(map, "annotations")) {
    DecodeAnnotations(reader, *annotations, map.PathOf("annotations"), &out->annotations);
  }
}

void DecodeGateway(Reader* reader, const SourceNode& node, const Path& path, Gateway* out) {
  out->mark = node.mark;
  MapReader map(reader, node, path, kGatewayFields);
  map.String("name", &out->name);
  map.String("namespace", &out->namespace_);
  map.String("className", &out->class_name, kRequired);
  map.String("tenantLabel", &out->tenant_label);
  map.Strings("sharedServiceNamespaces", &out->shared_service_namespaces);
  DecodeList(map, "listeners", kRequired, &out->listeners, &out->listeners_mark, DecodeListener);
  if (const SourceNode* load_balancer = GetMap(map, "loadBalancer")) {
    DecodeLoadBalancer(reader, *load_balancer, map.PathOf("loadBalancer"),
                       &out->load_balancer.emplace());
  }
}

// --- apps ---------------------------------------------------------------------------------------

void DecodeBackend(Reader* reader, const SourceNode& node, const Path& path, Backend* out) {
  MapReader map(reader, node, path, kBackendFields);
  map.String("service", &out->service, kRequired);
  map.Int("port", &out->port, kRequired);
  out->weight = Default<int64_t>(1);
  map.Int("weight", &out->weight);
}

void DecodeRule(Reader* reader, const SourceNode& node, const Path& path, Rule* out) {
  MapReader map(reader, node, path, kRuleFields);
  out->path = Default<std::string>("/");
  map.String("path", &out->path);
  out->match = Default<std::string>("PathPrefix");
  map.String("match", &out->match);
  DecodeList(map, "backends", kRequired, &out->backends, &out->backends_mark, DecodeBackend);
  map.String("timeout", &out->timeout);
}

void DecodeClaimToHeader(Reader* reader, const SourceNode& node, const Path& path,
                         ClaimToHeader* out) {
  MapReader map(reader, node, path, kClaimToHeaderFields);
  map.String("claim", &out->claim, kRequired);
  map.String("header", &out->header, kRequired);
}

void DecodeProvider(Reader* reader, const SourceNode& node, const Path& path, JwtProvider* out) {
  MapReader map(reader, node, path, kProviderFields);
  map.String("name", &out->name, kRequired);
  map.String("issuer", &out->issuer);
  out->audiences_present = map.Strings("audiences", &out->audiences);
  map.String("jwksUri", &out->jwks_uri, kRequired);
  // Absent (or null): the platform's user-id header. Written, even as [], it replaces that.
  Mark unused;
  if (!DecodeList(map, "claimToHeaders", false, &out->claim_to_headers, &unused,
                  DecodeClaimToHeader)) {
    out->claim_to_headers.clear();
    if (map.Get("claimToHeaders") == nullptr) {
      ClaimToHeader user_id;
      user_id.claim = Default<std::string>("sub");
      user_id.header = Default<std::string>("X-Starform-User-ID");
      out->claim_to_headers.push_back(std::move(user_id));
    }
    return;
  }
  out->claim_to_headers_present = true;
}

void DecodeJwt(Reader* reader, const SourceNode& node, const Path& path, Jwt* out) {
  out->mark = node.mark;
  MapReader map(reader, node, path, kJwtFields);
  out->optional = Default(false);
  map.Bool("optional", &out->optional);
  DecodeList(map, "providers", kRequired, &out->providers, &out->providers_mark, DecodeProvider);
}

void DecodeExtAuthz(Reader* reader, const SourceNode& node, const Path& path,
                    const std::string& app_namespace, ExtAuthz* out) {
  out->mark = node.mark;
  MapReader map(reader, node, path, kExtAuthzFields);
  out->protocol = Default<std::string>("HTTP");
  map.String("protocol", &out->protocol);
  map.String("service", &out->service, kRequired);
  out->namespace_ = Default(app_namespace);
  map.String("namespace", &out->namespace_);
  map.Int("port", &out->port, kRequired);
  map.String("path", &out->path);
  map.Strings("headersToBackend", &out->headers_to_backend, &out->headers_to_backend_mark);
  out->fail_open = Default(false);
  map.Bool("failOpen", &out->fail_open);
}

void DecodeAuth(Reader* reader, const SourceNode& node, const Path& path,
                const std::string& app_namespace, Auth* out) {
  out->mark = node.mark;
  MapReader map(reader, node, path, kAuthFields);
  // Neither jwt nor extAuthz is an error of value (validation's), not of shape.
  if (const SourceNode* jwt = GetMap(map, "jwt")) {
    DecodeJwt(reader, *jwt, map.PathOf("jwt"), &out->jwt.emplace());
  }
  if (const SourceNode* ext_authz = GetMap(map, "extAuthz")) {
    DecodeExtAuthz(reader, *ext_authz, map.PathOf("extAuthz"), app_namespace,
                   &out->ext_authz.emplace());
  }
}

void DecodeApp(Reader* reader, const SourceNode& node, const Path& path, App* out) {
  MapReader map(reader, node, path, kAppFields);
  map.String("name", &out->name, kRequired);
  map.String("namespace", &out->namespace_, kRequired);
  map.Strings("hostnames", &out->hostnames, &out->hostnames_mark, kRequired);
  map.String("listener", &out->listener);
  DecodeList(map, "rules", kRequired, &out->rules, &out->rules_mark, DecodeRule);
  if (const SourceNode* auth = GetMap(map, "auth")) {
    DecodeAuth(reader, *auth, map.PathOf("auth"), out->namespace_.value, &out->auth.emplace());
  }
}

// --- the document -------------------------------------------------------------------------------

// apiVersion and kind are shape: a document of another version may mean other fields.
void CheckConstant(Reader* reader, const Field<std::string>& field, const Path& path,
                   std::string_view expected) {
  if (!field.present || field.value == expected)
    return;
  reader->Error(field.mark, path, "expected " + Quoted(expected) + ", got " + Quoted(field.value));
}

void DecodeRoot(Reader* reader, const SourceNode& node, DesiredState* out) {
  const Path root;
  MapReader map(reader, node, root, kRootFields);
  map.String("apiVersion", &out->api_version, kRequired);
  CheckConstant(reader, out->api_version, map.PathOf("apiVersion"), kDesiredStateApiVersion);
  map.String("kind", &out->kind, kRequired);
  CheckConstant(reader, out->kind, map.PathOf("kind"), kDesiredStateKind);
  map.String("cluster", &out->cluster, kRequired);
  map.String("revision", &out->revision, kRequired);
  if (const SourceNode* gateway = GetMap(map, "gateway", kRequired)) {
    DecodeGateway(reader, *gateway, map.PathOf("gateway"), &out->gateway);
  }
  DecodeList(map, "apps", false, &out->apps, &out->apps_mark, DecodeApp);
}

}  // namespace

bool Decode(const SourceNode& doc, DesiredState* out, Diagnostics* diags,
            std::vector<std::string>* rejected) {
  std::string source = std::move(out->source);
  *out = DesiredState{};
  out->source = std::move(source);
  // The gateway's defaults hold even when the gateway is missing: the model is always whole.
  Gateway& gateway = out->gateway;
  gateway.name = Default<std::string>("starform");
  gateway.namespace_ = Default<std::string>("starform-system");
  gateway.tenant_label = Default<std::string>("starform.dev/tenant");

  Reader reader(diags);
  if (doc.kind == Kind::kNull) {
    reader.Reject(doc.mark, Path(), "the document is empty; expected a DesiredState mapping");
  } else if (reader.Expect(doc, Kind::kMap, Path())) {
    DecodeRoot(&reader, doc, out);
  }
  if (rejected != nullptr)
    *rejected = reader.rejected();
  return reader.ok();
}

}  // namespace decode_internal

bool DecodeDesiredState(const SourceNode& doc, DesiredState* out, Diagnostics* diags) {
  return decode_internal::Decode(doc, out, diags, nullptr);
}

}  // namespace starform
