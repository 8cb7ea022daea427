#pragma once

// Small checks for the kinds of names the desired state holds: Kubernetes object names, Gateway
// API hostnames and durations, HTTP header names, URL paths. Each one mirrors the rule of the API
// that will finally receive the value (Kubernetes, the Gateway API CRDs, Envoy Gateway's CRDs), so
// that a document that validates also applies.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace starform {

inline constexpr size_t kMaxDns1123LabelLength = 63;
inline constexpr size_t kMaxDns1123SubdomainLength = 253;
inline constexpr size_t kMaxHostnameLength = 253;
inline constexpr size_t kMaxPathLength = 1024;

/// RFC 1123 label as Kubernetes checks it: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters.
bool IsDns1123Label(std::string_view s);

/// RFC 1123 subdomain as Kubernetes checks it: labels joined by '.', at most 253 characters.
bool IsDns1123Subdomain(std::string_view s);

/// A name that can only be an IP address: an IPv6 form (holds ':') or a dotted name whose last
/// label is all digits (no top-level domain is numeric, so "10.0.0.1" and "127.1" qualify).
bool IsIpAddressLike(std::string_view s);

/// True when |s| begins with "*.".
bool IsWildcardHostname(std::string_view s);

/// The Gateway API Hostname:
/// ^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$, at most 253
/// characters, plus what the pattern cannot say: no label longer than 63 characters and no IP
/// address (the Gateway API forbids both in prose).
bool IsLowercaseDnsHostname(std::string_view s);

/// Why IsLowercaseDnsHostname(s) is false, as a phrase that completes "hostname ... " (e.g. "is an
/// IP address"), or empty when it is true.
std::string HostnameProblem(std::string_view s);

/// Whether the wildcard |wildcard| ("*.x.com") matches |host| as the Gateway API matches it: any
/// name with at least one more label in front of x.com ("a.x.com", "a.b.x.com") and any narrower
/// wildcard ("*.b.x.com"), but never "x.com" itself nor the same wildcard.
bool WildcardCovers(std::string_view wildcard, std::string_view host);

/// Whether a route hostname and a listener hostname have a request host in common (Gateway API
/// hostname intersection): equal, or one is a wildcard covering the other.
bool HostnamesIntersect(std::string_view a, std::string_view b);

/// A Kubernetes qualified name (validation.IsQualifiedName): an optional DNS-1123 subdomain prefix
/// and '/', then a name of at most 63 characters of [A-Za-z0-9_.-] that starts and ends
/// alphanumeric.
bool IsQualifiedName(std::string_view s);

/// An HTTP token (RFC 9110 field-name): one or more of A-Z a-z 0-9 ! # $ % & ' * + - . ^ _ ` | ~.
bool IsHttpToken(std::string_view s);

/// ASCII case-insensitive prefix test (HTTP header names compare that way).
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);

/// |s| with A-Z turned into a-z (DNS names and URL schemes compare that way).
std::string ToLowerAscii(std::string_view s);

/// The Gateway API Duration: ^([0-9]{1,5}(h|m|s|ms)){1,4}$ ("30s", "1m30s", "500ms").
bool IsGatewayApiDuration(std::string_view s);

/// The first rule of the HTTPRoute path CEL rules (for Exact and PathPrefix) and the 1024-character
/// limit that |path| breaks, as a phrase completing "path ..." (e.g. "must not contain \"//\""), or
/// empty when the path is acceptable.
std::string PathProblem(std::string_view path);

/// A DigitalOcean load balancer name: at most 255 characters of [A-Za-z0-9.-], starting
/// alphanumeric, not ending with '-'.
bool IsDoLoadBalancerName(std::string_view s);

/// The candidate closest to |word| by edit distance when it is close enough to be a likely typo
/// (at most a third of the word's length, and at least 1), or nullopt.
std::optional<std::string_view> ClosestMatch(std::string_view word,
                                             std::span<const std::string_view> candidates);

/// |s| as a double-quoted string for messages, with quotes, backslashes and control characters
/// escaped and anything past |max_length| characters elided with "...".
std::string Quote(std::string_view s, size_t max_length = 80);

/// Parses a whole decimal integer (optional leading '-'); nullopt when |s| is not one or overflows.
std::optional<int64_t> ParseInt(std::string_view s);

}  // namespace starform
