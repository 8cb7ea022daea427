#include "plan/names.h"

#include <algorithm>
#include <charconv>
#include <vector>

namespace starform {
namespace {

bool IsLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool IsAlnum(char c) {
  return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z');
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
char ToLowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// A label of the Gateway API hostname pattern: [a-z0-9]([-a-z0-9]*[a-z0-9])?. Its length is
// checked separately so that the caller can say which limit was broken.
bool IsLabelShape(std::string_view label) {
  if (label.empty() || !IsLowerAlnum(label.front()) || !IsLowerAlnum(label.back()))
    return false;
  return std::all_of(label.begin(), label.end(),
                     [](char c) { return IsLowerAlnum(c) || c == '-'; });
}

// Calls |fn| with each '.'-separated label of |s|; stops and returns false when |fn| does.
template <typename Fn>
bool AllLabels(std::string_view s, Fn fn) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!fn(label))
      return false;
    if (dot == std::string_view::npos)
      return true;
    start = dot + 1;
  }
}

bool IsQualifiedNamePart(std::string_view name) {
  if (name.empty() || name.size() > kMaxDns1123LabelLength)
    return false;
  if (!IsAlnum(name.front()) || !IsAlnum(name.back()))
    return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

bool IsDns1123Label(std::string_view s) {
  return s.size() <= kMaxDns1123LabelLength && IsLabelShape(s);
}

bool IsDns1123Subdomain(std::string_view s) {
  return !s.empty() && s.size() <= kMaxDns1123SubdomainLength &&
         AllLabels(s, [](std::string_view label) { return IsLabelShape(label); });
}

bool IsIpAddressLike(std::string_view s) {
  if (s.find(':') != std::string_view::npos)
    return true;
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']')
    return true;
  size_t last_dot = s.rfind('.');
  if (last_dot == std::string_view::npos)
    return false;
  std::string_view last = s.substr(last_dot + 1);
  return !last.empty() && std::all_of(last.begin(), last.end(), IsDigit);
}

bool IsWildcardHostname(std::string_view s) {
  return s.starts_with("*.");
}

bool IsLowercaseDnsHostname(std::string_view s) {
  return HostnameProblem(s).empty();
}

std::string HostnameProblem(std::string_view s) {
  if (s.empty())
    return "must not be empty";
  if (s.size() > kMaxHostnameLength) {
    return "is " + std::to_string(s.size()) + " characters long, more than the " +
           std::to_string(kMaxHostnameLength) + " allowed";
  }
  std::string_view name = IsWildcardHostname(s) ? s.substr(2) : s;
  if (name.find('*') != std::string_view::npos) {
    return "may hold '*' only as a whole first label (\"*.example.com\")";
  }
  if (std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return "must be lower case (the Gateway API rejects upper case)";
  }
  if (IsIpAddressLike(name))
    return "is an IP address, not a DNS name";
  std::string problem;
  AllLabels(name, [&problem](std::string_view label) {
    if (label.empty()) {
      problem = "has an empty label (\"..\", or a leading or trailing '.')";
    } else if (!std::all_of(label.begin(), label.end(),
                            [](char c) { return IsLowerAlnum(c) || c == '-'; })) {
      problem = "has a label " + Quote(label) + " holding characters other than a-z, 0-9 and '-'";
    } else if (!IsLabelShape(label)) {
      problem = "has a label " + Quote(label) + " that begins or ends with '-'";
    } else if (label.size() > kMaxDns1123LabelLength) {
      problem = "has a label " + Quote(label, 20) + " longer than 63 characters";
    }
    return problem.empty();
  });
  return problem;
}

bool WildcardCovers(std::string_view wildcard, std::string_view host) {
  if (!IsWildcardHostname(wildcard))
    return false;
  std::string_view suffix = wildcard.substr(1);  // ".x.com"
  std::string_view name = IsWildcardHostname(host) ? host.substr(2) : host;
  // A narrower wildcard "*.b.x.com" is covered when "b.x.com" would be; "*.x.com" covers neither
  // "x.com" nor itself, because at least one label must stand in front of the suffix.
  return name.size() > suffix.size() && name.ends_with(suffix);
}

bool HostnamesIntersect(std::string_view a, std::string_view b) {
  return a == b || WildcardCovers(a, b) || WildcardCovers(b, a);
}

bool IsQualifiedName(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos)
    return IsQualifiedNamePart(s);
  std::string_view prefix = s.substr(0, slash);
  std::string_view name = s.substr(slash + 1);
  return IsDns1123Subdomain(prefix) && IsQualifiedNamePart(name);
}

bool IsHttpToken(std::string_view s) {
  static constexpr std::string_view kPunctuation = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return IsAlnum(c) || kPunctuation.find(c) != std::string_view::npos;
  });
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size())
    return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (ToLowerAscii(s[i]) != ToLowerAscii(prefix[i]))
      return false;
  }
  return true;
}

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = ToLowerAscii(c);
  return out;
}

bool IsGatewayApiDuration(std::string_view s) {
  // Hand-written for ^([0-9]{1,5}(h|m|s|ms)){1,4}$. It is unambiguous: a group always starts with
  // a digit, so an 'm' followed by 's' can only be the unit "ms".
  size_t i = 0;
  int groups = 0;
  while (i < s.size()) {
    if (++groups > 4)
      return false;
    size_t digits_start = i;
    while (i < s.size() && IsDigit(s[i]))
      ++i;
    size_t digits = i - digits_start;
    if (digits < 1 || digits > 5 || i == s.size())
      return false;
    if (s[i] == 'h' || s[i] == 's') {
      ++i;
    } else if (s[i] == 'm') {
      ++i;
      if (i < s.size() && s[i] == 's')
        ++i;
    } else {
      return false;
    }
  }
  return groups > 0;
}

std::string PathProblem(std::string_view path) {
  if (path.size() > kMaxPathLength) {
    return "must be at most 1024 characters long, got " + std::to_string(path.size());
  }
  // The HTTPRoute CEL rules for Exact and PathPrefix matches, in the CRD's order.
  if (!path.starts_with('/'))
    return "must begin with '/'";
  for (std::string_view bad : {"//", "/./", "/../", "%2f", "%2F", "#"}) {
    if (path.find(bad) != std::string_view::npos) {
      return "must not contain " + Quote(bad);
    }
  }
  for (std::string_view bad : {"/..", "/."}) {
    if (path.ends_with(bad))
      return "must not end with " + Quote(bad);
  }
  // ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$
  static constexpr std::string_view kAllowed = "-/._~!$&'()*+,;=:@";
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (IsAlnum(c) || kAllowed.find(c) != std::string_view::npos)
      continue;
    if (c == '%' && i + 2 < path.size() && IsHexDigit(path[i + 1]) && IsHexDigit(path[i + 2])) {
      i += 2;
      continue;
    }
    if (c == '%')
      return "must use '%' only to start an escape of two hex digits (\"%20\")";
    return "must not contain " + Quote(std::string_view(&c, 1)) +
           ": only letters, digits, -/._~!$&'()*+,;=:@ and %XX escapes are allowed";
  }
  return "";
}

bool IsDoLoadBalancerName(std::string_view s) {
  if (s.empty() || s.size() > 255 || !IsAlnum(s.front()) || s.back() == '-')
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '.' || c == '-'; });
}

std::optional<std::string_view> ClosestMatch(std::string_view word,
                                             std::span<const std::string_view> candidates) {
  std::optional<std::string_view> best;
  size_t best_distance = std::max<size_t>(1, word.size() / 3) + 1;
  for (std::string_view candidate : candidates) {
    size_t distance = EditDistance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string Quote(std::string_view s, size_t max_length) {
  std::string out = "\"";
  bool elided = s.size() > max_length;
  if (elided)
    s = s.substr(0, max_length);
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[(c >> 4) & 0xf];
      out += kHex[c & 0xf];
    } else {
      out += c;
    }
  }
  out += elided ? "...\"" : "\"";
  return out;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t value = 0;
  const char* end = s.data() + s.size();
  auto [ptr, error] = std::from_chars(s.data(), end, value);
  if (s.empty() || error != std::errc() || ptr != end)
    return std::nullopt;
  return value;
}

}  // namespace starform
