#pragma once

// The desired-state document (starform.dev/v1alpha1), as a plain value. Decoding
// (DecodeDesiredState) checks only its shape: known fields, no duplicate keys, types, required
// fields, and fills the contract's defaults. Validation (ValidateDesiredState) checks every value
// rule of the contract. Each field keeps the position it was read from, so that both can say where
// a problem is. The contract: docs/desired-state.md.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/diagnostics.h"
#include "plan/source_tree.h"

namespace starform {

/// A value read from the document, with where it was read. |present| is false for a value the
/// document left out; |value| then holds the contract's default (or T{} when there is none).
template <typename T>
struct Field {
  T value{};
  Mark mark;
  bool present = false;
};

struct Listener {
  Mark mark;
  Field<std::string> name;
  Field<int64_t> port;
  Field<std::string> protocol;  ///< "HTTP" | "HTTPS" (checked by validation)
  Field<std::string> hostname;  ///< optional
  bool has_tls = false;
  Mark tls_mark;
  std::vector<Field<std::string>> certificate_refs;  ///< Secret names in the gateway namespace
};

struct LoadBalancer {
  Mark mark;
  Field<std::string> name;
  Field<std::string> type;  ///< REGIONAL | REGIONAL_NETWORK
  Field<int64_t> size_unit;
  Field<bool> enable_proxy_protocol;
  Field<int64_t> http_idle_timeout_seconds;
  Field<std::string> hostname;
  struct Annotation {
    Field<std::string> key;
    Field<std::string> value;
  };
  std::vector<Annotation> annotations;  ///< further do-loadbalancer-* annotations, in order
};

struct Gateway {
  Mark mark;
  Field<std::string> name;        ///< default "starform"
  Field<std::string> namespace_;  ///< default "starform-system"
  Field<std::string> class_name;
  Field<std::string> tenant_label;  ///< default "starform.dev/tenant"
  std::vector<Field<std::string>> shared_service_namespaces;
  std::vector<Listener> listeners;
  Mark listeners_mark;
  std::optional<LoadBalancer> load_balancer;
};

struct Backend {
  Mark mark;
  Field<std::string> service;
  Field<int64_t> port;
  Field<int64_t> weight;  ///< default 1
};

struct Rule {
  Mark mark;
  Field<std::string> path;   ///< default "/"
  Field<std::string> match;  ///< PathPrefix | Exact; default PathPrefix
  std::vector<Backend> backends;
  Mark backends_mark;
  Field<std::string> timeout;  ///< optional Gateway API duration
};

struct ClaimToHeader {
  Mark mark;
  Field<std::string> claim;
  Field<std::string> header;
};

struct JwtProvider {
  Mark mark;
  Field<std::string> name;
  Field<std::string> issuer;  ///< optional
  std::vector<Field<std::string>> audiences;
  bool audiences_present = false;
  Field<std::string> jwks_uri;
  /// Defaults to [{claim: sub, header: X-Starform-User-ID}]; an explicit [] means none.
  std::vector<ClaimToHeader> claim_to_headers;
  bool claim_to_headers_present = false;
};

struct Jwt {
  Mark mark;
  Field<bool> optional;  ///< default false
  std::vector<JwtProvider> providers;
  Mark providers_mark;
};

struct ExtAuthz {
  Mark mark;
  Field<std::string> protocol;    ///< HTTP | GRPC; default HTTP
  Field<std::string> service;     ///< required
  Field<std::string> namespace_;  ///< default: the app's namespace
  Field<int64_t> port;            ///< required
  Field<std::string> path;        ///< HTTP only, optional
  std::vector<Field<std::string>> headers_to_backend;
  Mark headers_to_backend_mark;
  Field<bool> fail_open;  ///< default false
};

struct Auth {
  Mark mark;
  std::optional<Jwt> jwt;
  std::optional<ExtAuthz> ext_authz;
};

struct App {
  Mark mark;
  Field<std::string> name;
  Field<std::string> namespace_;
  std::vector<Field<std::string>> hostnames;
  Mark hostnames_mark;
  Field<std::string> listener;  ///< optional sectionName
  std::vector<Rule> rules;
  Mark rules_mark;
  std::optional<Auth> auth;
};

struct DesiredState {
  std::string source;  ///< the file name, or "<stdin>"
  Field<std::string> api_version;
  Field<std::string> kind;
  Field<std::string> cluster;
  Field<std::string> revision;
  Gateway gateway;
  std::vector<App> apps;
  Mark apps_mark;
};

inline constexpr std::string_view kDesiredStateApiVersion = "starform.dev/v1alpha1";
inline constexpr std::string_view kDesiredStateKind = "DesiredState";

/// Reads |doc| strictly into |out|: unknown fields (with a "did you mean"), duplicate keys, wrong
/// types and missing required fields are errors in |diags|, all of them; defaults are filled in.
/// Returns false when there was any error.
bool DecodeDesiredState(const SourceNode& doc, DesiredState* out, Diagnostics* diags);

/// Checks every value rule of the contract (ranges, names, hostnames, tenancy, auth, load
/// balancer), adding each violation to |diags|. Returns false when there was any error.
bool ValidateDesiredState(const DesiredState& state, Diagnostics* diags);

/// Parse + decode + validate of a whole text; |source| names it in diagnostics.
bool LoadDesiredState(std::string_view text, const std::string& source, DesiredState* out,
                      Diagnostics* diags);

}  // namespace starform
