// apps[i].auth: the rules that keep a SecurityPolicy valid (Envoy Gateway's CRD limits) and safe on
// a shared gateway (identity headers, where keys are fetched from, whose Services are reachable).

#include <string>

#include "plan/names.h"
#include "plan/validate_internal.h"

namespace starform::validate_internal {
namespace {

constexpr size_t kMaxUriLength = 253;  // remoteJWKS.uri and issuer in the SecurityPolicy CRD

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && StartsWithIgnoreCase(a, b);
}

bool EndsWithIgnoreCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && EqualsIgnoreCase(s.substr(s.size() - suffix.size()), suffix);
}

// The scheme and host of an absolute URL ("https://user@Host.example.:8443/x" -> "https",
// "Host.example"), without a trailing dot; an IPv6 literal keeps its brackets. Views into |url|.
struct UrlParts {
  std::string_view scheme;
  std::string_view host;
};

UrlParts SplitUrl(std::string_view url) {
  size_t separator = url.find("://");
  if (separator == std::string_view::npos)
    return {};
  std::string_view authority = url.substr(separator + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority.starts_with('[') ? authority.substr(0, authority.find(']') + 1)
                                                     : authority.substr(0, authority.find(':'));
  if (host.ends_with('.'))
    host.remove_suffix(1);
  return {url.substr(0, separator), host};
}

// Why |host| is no place to fetch signing keys from, completing "jwksUri ...", or empty.
std::string JwksHostProblem(std::string_view host) {
  if (host.empty())
    return "must name a host";
  if (IsIpAddressLike(host)) {
    return "must name a public DNS host, not the IP address " + Quote(ToLowerAscii(host));
  }
  if (EqualsIgnoreCase(host, "localhost") || EndsWithIgnoreCase(host, ".localhost")) {
    return "must name a public DNS host, not " + Quote(ToLowerAscii(host));
  }
  if (host.find('.') == std::string_view::npos || EndsWithIgnoreCase(host, ".svc") ||
      EndsWithIgnoreCase(host, ".cluster.local")) {
    return "host " + Quote(ToLowerAscii(host)) +
           " is cluster-internal (a name without a dot, or ending in .svc or .cluster.local): "
           "the shared Envoy would fetch the keys from inside the cluster; use a public https "
           "URL";
  }
  return "";
}

void CheckJwksUri(const Field<std::string>& uri, const FieldPath& path, Diagnostics* diags) {
  if (!uri.present)
    return;
  if (uri.value.size() > kMaxUriLength) {
    diags->Error(
        uri.mark, path.str(),
        "jwksUri must be at most 253 characters long, got " + std::to_string(uri.value.size()));
  }
  UrlParts url = SplitUrl(uri.value);
  if (!EqualsIgnoreCase(url.scheme, "https")) {
    diags->Error(uri.mark, path.str(),
                 "jwksUri must be an https URL (the keys that verify every token are fetched "
                 "from it), got " +
                     Quote(uri.value, 60));
    return;
  }
  if (std::string problem = JwksHostProblem(url.host); !problem.empty()) {
    diags->Error(uri.mark, path.str(), "jwksUri " + problem);
  }
}

void CheckProviderName(const Field<std::string>& name, const FieldPath& path, Diagnostics* diags) {
  if (!name.present || (IsQualifiedName(name.value) && name.value.size() <= 253))
    return;
  diags->Error(name.mark, path.str(),
               "name must be a Kubernetes qualified name (an optional DNS subdomain and '/', then "
               "at most 63 characters of A-Z, a-z, 0-9, '-', '_' and '.', starting and ending with "
               "a letter or digit), got " +
                   Quote(name.value));
}

void ValidateClaimToHeaders(const JwtProvider& provider, const FieldPath& path,
                            Diagnostics* diags) {
  const FieldPath list_path = path.Field("claimToHeaders");
  for (size_t i = 0; i < provider.claim_to_headers.size(); ++i) {
    const ClaimToHeader& entry = provider.claim_to_headers[i];
    const FieldPath entry_path = list_path.Index(i);
    if (entry.claim.present && entry.claim.value.empty()) {
      diags->Error(entry.claim.mark, entry_path.Field("claim").str(),
                   "claim must name a token claim (nested claims as \"a.b\"), got \"\"");
    }
    CheckIdentityHeader(entry.header, entry_path.Field("header"), diags);
  }
}

void ValidateProvider(const JwtProvider& provider, const FieldPath& path, Diagnostics* diags) {
  CheckProviderName(provider.name, path.Field("name"), diags);
  if (provider.issuer.present && provider.issuer.value.size() > kMaxUriLength) {
    diags->Error(provider.issuer.mark, path.Field("issuer").str(),
                 "issuer must be at most 253 characters long, got " +
                     std::to_string(provider.issuer.value.size()));
  }
  if (provider.audiences.size() > 8) {
    CheckCount(provider.audiences.size(), 0, 8, MarkOr(provider.audiences[8].mark, provider.mark),
               "audiences", path.Field("audiences"), diags);
  }
  CheckJwksUri(provider.jwks_uri, path.Field("jwksUri"), diags);
  ValidateClaimToHeaders(provider, path, diags);
}

void ValidateJwt(const Jwt& jwt, const FieldPath& jwt_path, Diagnostics* diags) {
  const FieldPath path = jwt_path.Field("providers");
  if (jwt.providers_mark.known() || !jwt.providers.empty()) {
    CheckCount(jwt.providers.size(), 1, 16, MarkOr(jwt.providers_mark, jwt.mark), "providers", path,
               diags);
  }
  // Provider names key the SecurityPolicy's provider list and the JWT payload metadata. At most
  // 16 providers: a scan is cheaper than a hash set.
  for (size_t i = 0; i < jwt.providers.size(); ++i) {
    const JwtProvider& provider = jwt.providers[i];
    const FieldPath provider_path = path.Index(i);
    ValidateProvider(provider, provider_path, diags);
    if (!provider.name.present)
      continue;
    for (size_t j = 0; j < i; ++j) {
      const JwtProvider& earlier = jwt.providers[j];
      if (!earlier.name.present || earlier.name.value != provider.name.value)
        continue;
      diags->Error(provider.name.mark, provider_path.Field("name").str(),
                   "provider name " + Quote(provider.name.value) + " is already used by " +
                       Indexed("providers", j) + " (" + LineOf(earlier.name.mark) +
                       "); provider names must be unique within an app");
      break;
    }
  }
}

void ValidateExtAuthzNamespace(const Context& context, const App& app, const ExtAuthz& authz,
                               const FieldPath& path) {
  const Field<std::string>& ns = authz.namespace_;
  CheckLabel(ns, "namespace", path, context.diags);
  if (!ns.present || ns.value == app.namespace_.value)
    return;
  if (context.shared_namespaces.contains(ns.value))
    return;
  context.diags->Error(ns.mark, path.str(),
                       "namespace " + Quote(ns.value) +
                           " is neither the app's own namespace nor one of "
                           "gateway.sharedServiceNamespaces: an app may use only its own "
                           "Services and the platform's shared ones");
}

void ValidateExtAuthz(const Context& context, const App& app, const ExtAuthz& authz,
                      const FieldPath& path) {
  Diagnostics* diags = context.diags;
  const Field<std::string>& protocol = authz.protocol;
  if (protocol.present && protocol.value != "HTTP" && protocol.value != "GRPC") {
    diags->Error(protocol.mark, path.Field("protocol").str(),
                 "protocol must be HTTP or GRPC, got " + Quote(protocol.value));
  }
  CheckServiceName(authz.service, path.Field("service"), diags);
  ValidateExtAuthzNamespace(context, app, authz, path.Field("namespace"));
  CheckRange(authz.port, 1, 65535, "port", path.Field("port"), diags);
  bool grpc = protocol.value == "GRPC";
  if (authz.path.present && grpc) {
    diags->Error(authz.path.mark, path.Field("path").str(),
                 "path applies to protocol HTTP only; remove it, or set protocol: HTTP");
  } else if (authz.path.present && !authz.path.value.starts_with('/')) {
    diags->Warning(authz.path.mark, path.Field("path").str(),
                   "path " + Quote(authz.path.value) +
                       " does not begin with '/': Envoy Gateway puts it in front of the request "
                       "path, so the authorization service would see a malformed path");
  }
  const FieldPath headers_path = path.Field("headersToBackend");
  if (grpc && !authz.headers_to_backend.empty()) {
    diags->Error(MarkOr(authz.headers_to_backend_mark, authz.mark), headers_path.str(),
                 "headersToBackend applies to protocol HTTP only (Envoy Gateway's gRPC "
                 "authorization has no such setting); remove it, or set protocol: HTTP");
  }
  for (size_t i = 0; i < authz.headers_to_backend.size(); ++i) {
    CheckIdentityHeader(authz.headers_to_backend[i], headers_path.Index(i), diags);
  }
}

}  // namespace

void CheckIdentityHeader(const Field<std::string>& header, const FieldPath& path,
                         Diagnostics* diags) {
  if (!header.present)
    return;
  if (!IsHttpToken(header.value)) {
    diags->Error(header.mark, path.str(),
                 "header must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~), "
                 "got " +
                     Quote(header.value));
  } else if (!StartsWithIgnoreCase(header.value, kIdentityHeaderPrefix)) {
    diags->Error(header.mark, path.str(),
                 "header must begin with \"X-Starform-\" (in any case): the gateway removes only "
                 "that prefix from client requests, so any other header could be forged by a "
                 "client; got " +
                     Quote(header.value));
  }
}

void ValidateAuth(const Context& context, const App& app, const FieldPath& app_path) {
  const Auth& auth = *app.auth;
  const FieldPath path = app_path.Field("auth");
  if (!auth.jwt && !auth.ext_authz) {
    context.diags->Error(MarkOr(auth.mark, app.mark), path.str(),
                         "auth must set jwt, extAuthz or both; to serve the app without "
                         "authentication, remove auth");
  }
  if (auth.jwt)
    ValidateJwt(*auth.jwt, path.Field("jwt"), context.diags);
  if (auth.ext_authz)
    ValidateExtAuthz(context, app, *auth.ext_authz, path.Field("extAuthz"));
}

}  // namespace starform::validate_internal
