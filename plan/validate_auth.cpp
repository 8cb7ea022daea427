// apps[i].auth: the rules that keep a SecurityPolicy valid (Envoy Gateway's CRD limits) and safe on
// a shared gateway (identity headers, where keys are fetched from, whose Services are reachable).

#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_map>

#include "plan/names.h"
#include "plan/validate_internal.h"

namespace starform::validate_internal {
namespace {

constexpr size_t kMaxUriLength = 253;  // remoteJWKS.uri and issuer in the SecurityPolicy CRD

std::string ToLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The host of an absolute URL ("https://user@Host.example:8443/x" -> "host.example"), lower case
// and without a trailing dot; |scheme| receives the scheme, lower case.
std::string UrlHost(std::string_view url, std::string* scheme) {
  size_t separator = url.find("://");
  if (separator == std::string_view::npos)
    return "";
  *scheme = ToLower(url.substr(0, separator));
  std::string_view authority = url.substr(separator + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  if (authority.starts_with('[')) {  // an IPv6 literal, maybe with a port
    return std::string(authority.substr(0, authority.find(']') + 1));
  }
  std::string host = ToLower(authority.substr(0, authority.find(':')));
  if (host.ends_with('.'))
    host.pop_back();
  return host;
}

void CheckJwksUri(const Field<std::string>& uri, const std::string& path, Diagnostics* diags) {
  if (!uri.present)
    return;
  if (uri.value.size() > kMaxUriLength) {
    diags->Error(
        uri.mark, path,
        "jwksUri must be at most 253 characters long, got " + std::to_string(uri.value.size()));
  }
  std::string scheme;
  std::string host = UrlHost(uri.value, &scheme);
  if (scheme != "https") {
    diags->Error(uri.mark, path,
                 "jwksUri must be an https URL (the keys that verify every token are fetched "
                 "from it), got " +
                     Quote(uri.value, 60));
    return;
  }
  std::string problem;
  if (host.empty()) {
    problem = "must name a host";
  } else if (IsIpAddressLike(host)) {
    problem = "must name a public DNS host, not the IP address " + Quote(host);
  } else if (host == "localhost" || host.ends_with(".localhost")) {
    problem = "must name a public DNS host, not " + Quote(host);
  } else if (host.find('.') == std::string::npos || host.ends_with(".svc") ||
             host.ends_with(".cluster.local")) {
    problem = "host " + Quote(host) +
              " is cluster-internal (a name without a dot, or ending in .svc or .cluster.local): "
              "the shared Envoy would fetch the keys from inside the cluster; use a public "
              "https URL";
  }
  if (!problem.empty())
    diags->Error(uri.mark, path, "jwksUri " + problem);
}

void CheckProviderName(const Field<std::string>& name, const std::string& path,
                       Diagnostics* diags) {
  if (!name.present || (IsQualifiedName(name.value) && name.value.size() <= 253))
    return;
  diags->Error(name.mark, path,
               "name must be a Kubernetes qualified name (an optional DNS subdomain and '/', then "
               "at most 63 characters of A-Z, a-z, 0-9, '-', '_' and '.', starting and ending with "
               "a letter or digit), got " +
                   Quote(name.value));
}

void ValidateClaimToHeaders(const JwtProvider& provider, const std::string& path,
                            Diagnostics* diags) {
  for (size_t i = 0; i < provider.claim_to_headers.size(); ++i) {
    const ClaimToHeader& entry = provider.claim_to_headers[i];
    std::string entry_path = Indexed(path + ".claimToHeaders", i);
    if (entry.claim.present && entry.claim.value.empty()) {
      diags->Error(entry.claim.mark, entry_path + ".claim",
                   "claim must name a token claim (nested claims as \"a.b\"), got \"\"");
    }
    CheckIdentityHeader(entry.header, entry_path + ".header", diags);
  }
}

void ValidateProvider(const JwtProvider& provider, const std::string& path, Diagnostics* diags) {
  CheckProviderName(provider.name, path + ".name", diags);
  if (provider.issuer.present && provider.issuer.value.size() > kMaxUriLength) {
    diags->Error(provider.issuer.mark, path + ".issuer",
                 "issuer must be at most 253 characters long, got " +
                     std::to_string(provider.issuer.value.size()));
  }
  if (provider.audiences.size() > 8) {
    CheckCount(provider.audiences.size(), 0, 8, MarkOr(provider.audiences[8].mark, provider.mark),
               "audiences", path + ".audiences", diags);
  }
  CheckJwksUri(provider.jwks_uri, path + ".jwksUri", diags);
  ValidateClaimToHeaders(provider, path, diags);
}

void ValidateJwt(const Jwt& jwt, const std::string& jwt_path, Diagnostics* diags) {
  std::string path = jwt_path + ".providers";
  if (jwt.providers_mark.known() || !jwt.providers.empty()) {
    CheckCount(jwt.providers.size(), 1, 16, MarkOr(jwt.providers_mark, jwt.mark), "providers", path,
               diags);
  }
  // Provider names key the SecurityPolicy's provider list and the JWT payload metadata.
  std::unordered_map<std::string_view, size_t> names;
  for (size_t i = 0; i < jwt.providers.size(); ++i) {
    const JwtProvider& provider = jwt.providers[i];
    std::string provider_path = Indexed(path, i);
    ValidateProvider(provider, provider_path, diags);
    if (!provider.name.present)
      continue;
    auto [it, inserted] = names.emplace(provider.name.value, i);
    if (inserted)
      continue;
    diags->Error(provider.name.mark, provider_path + ".name",
                 "provider name " + Quote(provider.name.value) + " is already used by " +
                     Indexed("providers", it->second) + " (" +
                     LineOf(jwt.providers[it->second].name.mark) +
                     "); provider names must be unique within an app");
  }
}

void ValidateExtAuthzNamespace(const Context& context, const App& app, const ExtAuthz& authz,
                               const std::string& path) {
  const Field<std::string>& ns = authz.namespace_;
  CheckLabel(ns, "namespace", path, context.diags);
  if (!ns.present || ns.value == app.namespace_.value)
    return;
  if (context.shared_namespaces.contains(ns.value))
    return;
  context.diags->Error(ns.mark, path,
                       "namespace " + Quote(ns.value) +
                           " is neither the app's own namespace nor one of "
                           "gateway.sharedServiceNamespaces: an app may use only its own "
                           "Services and the platform's shared ones");
}

void ValidateExtAuthz(const Context& context, const App& app, const ExtAuthz& authz,
                      const std::string& path) {
  Diagnostics* diags = context.diags;
  const Field<std::string>& protocol = authz.protocol;
  if (protocol.present && protocol.value != "HTTP" && protocol.value != "GRPC") {
    diags->Error(protocol.mark, path + ".protocol",
                 "protocol must be HTTP or GRPC, got " + Quote(protocol.value));
  }
  CheckLabel(authz.service, "service", path + ".service", diags);
  ValidateExtAuthzNamespace(context, app, authz, path + ".namespace");
  CheckRange(authz.port, 1, 65535, "port", path + ".port", diags);
  bool grpc = protocol.value == "GRPC";
  if (authz.path.present && grpc) {
    diags->Error(authz.path.mark, path + ".path",
                 "path applies to protocol HTTP only; remove it, or set protocol: HTTP");
  } else if (authz.path.present && !authz.path.value.starts_with('/')) {
    diags->Warning(authz.path.mark, path + ".path",
                   "path " + Quote(authz.path.value) +
                       " does not begin with '/': Envoy Gateway puts it in front of the request "
                       "path, so the authorization service would see a malformed path");
  }
  if (grpc && !authz.headers_to_backend.empty()) {
    diags->Error(MarkOr(authz.headers_to_backend_mark, authz.mark), path + ".headersToBackend",
                 "headersToBackend applies to protocol HTTP only (Envoy Gateway's gRPC "
                 "authorization has no such setting); remove it, or set protocol: HTTP");
  }
  for (size_t i = 0; i < authz.headers_to_backend.size(); ++i) {
    CheckIdentityHeader(authz.headers_to_backend[i], Indexed(path + ".headersToBackend", i), diags);
  }
}

}  // namespace

void CheckIdentityHeader(const Field<std::string>& header, const std::string& path,
                         Diagnostics* diags) {
  if (!header.present)
    return;
  if (!IsHttpToken(header.value)) {
    diags->Error(header.mark, path,
                 "header must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~), "
                 "got " +
                     Quote(header.value));
  } else if (!StartsWithIgnoreCase(header.value, kIdentityHeaderPrefix)) {
    diags->Error(header.mark, path,
                 "header must begin with \"X-Starform-\" (in any case): the gateway removes only "
                 "that prefix from client requests, so any other header could be forged by a "
                 "client; got " +
                     Quote(header.value));
  }
}

void ValidateAuth(const Context& context, const App& app, const std::string& app_path) {
  const Auth& auth = *app.auth;
  std::string path = app_path + ".auth";
  if (!auth.jwt && !auth.ext_authz) {
    context.diags->Error(MarkOr(auth.mark, app.mark), path,
                         "auth must set jwt, extAuthz or both; to serve the app without "
                         "authentication, remove auth");
  }
  if (auth.jwt)
    ValidateJwt(*auth.jwt, path + ".jwt", context.diags);
  if (auth.ext_authz)
    ValidateExtAuthz(context, app, *auth.ext_authz, path + ".extAuthz");
}

}  // namespace starform::validate_internal
