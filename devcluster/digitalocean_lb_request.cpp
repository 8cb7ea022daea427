// buildLoadBalancerRequestWithNodeState (do/loadbalancers.go) without the request: the same
// checks in the same order, with the messages Go's strconv and fmt produce.

#include "devcluster/digitalocean_lb_request.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

#include "kube/schema_causes.h"

namespace starform::devcluster::digitalocean {

using nlohmann::json;

namespace {

std::string Key(std::string_view suffix) {
  return std::string(kAnnotationPrefix) + std::string(suffix);
}

struct Int {
  long long value = 0;
  std::string error;  ///< strconv's error text, "" when it parsed
};

// strconv.Atoi / ParseUint in base 10: an optional sign (Atoi only), then digits.
Int ParseGoInt(const std::string& text, std::string_view func, bool allow_sign) {
  std::string_view digits = text;
  bool negative = false;
  if (allow_sign && !digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  auto fail = [&](std::string_view why) {
    return Int{0, "strconv." + std::string(func) + ": parsing " + kube::GoQuote(text) + ": " +
                      std::string(why)};
  };
  if (digits.empty())
    return fail("invalid syntax");
  unsigned long long value = 0;
  bool overflow = false;
  for (char c : digits) {
    if (c < '0' || c > '9')
      return fail("invalid syntax");
    unsigned d = static_cast<unsigned>(c - '0');
    overflow = overflow || value > (~0ULL - d) / 10;
    value = value * 10 + d;
  }
  // Bounds past long long count as out of range for ParseUint too: no annotation needs more.
  if (overflow || value > (negative ? 9223372036854775808ULL : 9223372036854775807ULL))
    return fail("value out of range");
  return Int{negative ? -static_cast<long long>(value) : static_cast<long long>(value), ""};
}

Int Atoi(const std::string& text) {
  return ParseGoInt(text, "Atoi", true);
}

std::string BoolError(const json& service, std::string_view suffix, bool* value) {
  return BoolAnnotation(service, Key(suffix), value);
}

// getPorts: a comma-separated list, each strconv.Atoi'd; the bare strconv error.
std::string Ports(const json& service, std::string_view suffix, std::vector<long long>* ports) {
  ports->clear();
  const std::string* text = Annotation(service, Key(suffix));
  if (text == nullptr)
    return "";
  size_t start = 0;
  while (true) {
    size_t comma = text->find(',', start);
    Int port = Atoi(text->substr(start, comma == std::string::npos ? comma : comma - start));
    if (!port.error.empty())
      return port.error;
    ports->push_back(port.value);
    if (comma == std::string::npos)
      return "";
    start = comma + 1;
  }
}

bool Contains(const std::vector<long long>& list, long long value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string PortProtocol(const json& port) {
  return port.value("protocol", "TCP");
}

const json& SpecPorts(const json& service) {
  static const json kNone = json::array();
  const json& spec = service.contains("spec") ? service["spec"] : kNone;
  return spec.contains("ports") && spec["ports"].is_array() ? spec["ports"] : kNone;
}

std::string Or(const std::string* text, std::string fallback) {
  return text != nullptr ? *text : fallback;
}

}  // namespace

const std::string* Annotation(const json& service, std::string_view key) {
  if (!service.contains("metadata"))
    return nullptr;
  const json& meta = service["metadata"];
  if (!meta.contains("annotations") || !meta["annotations"].is_object())
    return nullptr;
  auto it = meta["annotations"].find(std::string(key));
  if (it == meta["annotations"].end() || !it->is_string())
    return nullptr;
  return &it->get_ref<const std::string&>();
}

std::string BoolAnnotation(const json& service, std::string_view key, bool* value) {
  *value = false;
  const std::string* text = Annotation(service, key);
  if (text == nullptr)
    return "";
  static const std::set<std::string> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
  static const std::set<std::string> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
  *value = kTrue.count(*text) > 0;
  if (*value || kFalse.count(*text) > 0)
    return "";
  return "cannot convert value " + kube::GoQuote(*text) + " for annotation " + kube::GoQuote(key) +
         " to bool: strconv.ParseBool: parsing " + kube::GoQuote(*text) + ": invalid syntax";
}

std::string LoadBalancerType(const json& service) {
  std::string type = Or(Annotation(service, kTypeAnnotation), "");
  return type.empty() ? std::string(kDefaultType) : type;
}

namespace {

std::string TypeNetworkStackError(const json& service, bool* regional_network) {
  std::string type = LoadBalancerType(service);
  if (type != "REGIONAL" && type != "REGIONAL_NETWORK")
    return "only LB types supported are (REGIONAL, REGIONAL_NETWORK)";
  *regional_network = type == "REGIONAL_NETWORK";
  std::string network = Or(Annotation(service, Key("network")), "");
  if (!network.empty() && network != "EXTERNAL" && network != "INTERNAL")
    return "only LB networks supported are (EXTERNAL, INTERNAL)";
  bool internal = network == "INTERNAL";
  std::string stack = Or(Annotation(service, Key("network-stack")), "");
  if (stack.empty())
    stack = internal || *regional_network ? "IPV4" : "DUALSTACK";
  if (stack != "IPV4" && stack != "DUALSTACK")
    return "only LB network stacks supported are (IPV4, DUALSTACK)";
  if (stack == "DUALSTACK" && internal) {
    return "network stack configuration error: dual stack networking is not supported for "
           "internal load balancer";
  }
  return "";
}

std::string PortProtocolError(const json& port) {
  std::string protocol = PortProtocol(port);
  if (protocol == "TCP" || protocol == "UDP")
    return "";
  return "only TCP or UDP protocol is supported, got: " + kube::GoQuote(protocol);
}

// buildRegionalNetworkForwardingRule: L4 rules straight from the Service ports.
std::string RegionalNetworkRulesError(const json& service) {
  for (const json& port : SpecPorts(service)) {
    if (std::string e = PortProtocolError(port); !e.empty())
      return e;
  }
  return "";
}

std::string Http3Error(const json& service, bool has_cert, bool passthrough) {
  const std::string* port = Annotation(service, Key("http3-port"));
  if (port == nullptr)
    return "";
  std::string why = Atoi(*port).error;
  if (why.empty() && passthrough)
    why = "TLS passthrough is not allowed to be used in conjunction with HTTP3";
  if (why.empty() && !has_cert)
    why = "certificate ID is required for HTTP3";
  return why.empty() ? "" : "failed to construct http3 forwarding rule: " + why;
}

// buildForwardingRules: the annotation protocols and ports of a REGIONAL (L7) balancer.
std::string RegionalRulesError(const json& service) {
  std::string protocol = Or(Annotation(service, Key("protocol")), "tcp");
  static const std::set<std::string> kProtocols = {"tcp", "http", "https", "http2", "http3"};
  if (kProtocols.count(protocol) == 0) {
    return "invalid protocol " + kube::GoQuote(protocol) + " specified in annotation " +
           kube::GoQuote(Key("protocol"));
  }
  std::vector<long long> http, https, http2;
  for (auto [suffix, list] :
       {std::pair{"http-ports", &http}, {"tls-ports", &https}, {"http2-ports", &http2}}) {
    if (std::string e = Ports(service, suffix, list); !e.empty())
      return e;
  }
  std::multiset<long long> all(http.begin(), http.end());
  all.insert(https.begin(), https.end());
  all.insert(http2.begin(), http2.end());
  std::set<std::string> dups;  // sort.Strings: "443" sorts before "80"
  for (long long p : all) {
    if (all.count(p) > 1)
      dups.insert(std::to_string(p));
  }
  if (!dups.empty()) {
    std::string found;
    for (const std::string& d : dups)
      found += (found.empty() ? "" : ", ") + d;
    return "ports from annotations " + kube::GoQuote(std::string(kAnnotationPrefix) + "*-ports") +
           " cannot be shared but found: " + found;
  }
  // A certificate name is looked up in the account; every name is taken to exist here.
  bool has_cert = !Or(Annotation(service, Key("certificate-id")), "").empty() ||
                  !Or(Annotation(service, Key("certificate-name")), "").empty();
  bool passthrough = false;
  BoolError(service, "tls-passthrough", &passthrough);  // a bad value reads as false
  if ((has_cert || passthrough) && https.empty() && !Contains(http2, 443))
    https.push_back(443);
  for (const json& port : SpecPorts(service)) {
    long long number = port.value("port", 0LL);
    std::string rule = protocol;
    if (Contains(http, number))
      rule = "http";
    if (Contains(https, number))
      rule = "https";
    if (Contains(http2, number))
      rule = "http2";
    if (std::string e = PortProtocolError(port); !e.empty())
      return e;
    if (PortProtocol(port) == "UDP" || (rule != "https" && rule != "http2"))
      continue;
    if (!has_cert && !passthrough) {
      return "failed to build TLS part(s) of forwarding rule: must set certificate id or enable "
             "tls pass through";
    }
    if (has_cert && passthrough) {
      return "failed to build TLS part(s) of forwarding rule: either certificate id should be set "
             "or tls pass through enabled, not both";
    }
  }
  return Http3Error(service, has_cert, passthrough);
}

std::string HealthCheckPortError(const json& service) {
  std::vector<long long> ports;
  if (std::string e = Ports(service, "healthcheck-port", &ports); !e.empty())
    return "failed to get health check port: " + e;
  if (ports.size() > 1) {
    std::string list;
    for (long long p : ports)
      list += (list.empty() ? "" : " ") + std::to_string(p);
    return "annotation " + Key("healthcheck-port") +
           " only supports a single port, but found multiple: [" + list + "]";
  }
  if (ports.empty()) {
    for (const json& port : SpecPorts(service)) {
      if (PortProtocol(port) == "TCP")
        return "";
    }
    return "no health check port of protocol TCP found";
  }
  for (const json& port : SpecPorts(service)) {
    if (port.value("port", 0LL) != ports[0])
      continue;
    if (PortProtocol(port) == "UDP") {
      return "health check port: " + std::to_string(ports[0]) + ", cannot be of protocol type UDP";
    }
    return "";
  }
  json meta = service.value("metadata", json::object());
  return "specified health check port " + std::to_string(ports[0]) + " does not exist on service " +
         meta.value("namespace", "") + "/" + meta.value("name", "");
}

std::string HealthCheckError(const json& service) {
  if (Annotation(service, Key("override-health-check")) != nullptr) {
    if (std::string e = HealthCheckPortError(service); !e.empty())
      return e;
    std::string protocol = Or(Annotation(service, Key("healthcheck-protocol")), "");
    if (!protocol.empty() && protocol != "tcp" && protocol != "http" && protocol != "https") {
      return "invalid protocol " + kube::GoQuote(protocol) + " specified in annotation " +
             kube::GoQuote(Key("healthcheck-protocol"));
    }
  }
  static const std::pair<const char*, const char*> kNumbers[] = {
      {"healthcheck-check-interval-seconds", "interval"},
      {"healthcheck-response-timeout-seconds", "response timeout"},
      {"healthcheck-unhealthy-threshold", "unhealthy threshold"},
      {"healthcheck-healthy-threshold", "healthy threshold"}};
  for (auto [suffix, what] : kNumbers) {
    const std::string* text = Annotation(service, Key(suffix));
    if (text == nullptr)
      continue;
    if (std::string e = Atoi(*text).error; !e.empty()) {
      return std::string("failed to parse health check ") + what + " annotation " +
             kube::GoQuote(Key(suffix)) + ": " + e;
    }
  }
  return "";
}

std::string StickySessionsError(const json& service) {
  if (Or(Annotation(service, Key("sticky-sessions-type")), "") != "cookies")
    return "";  // any other value means none
  if (Or(Annotation(service, Key("sticky-sessions-cookie-name")), "").empty())
    return "sticky session cookie name not specified, but required";
  std::string ttl = Or(Annotation(service, Key("sticky-sessions-cookie-ttl")), "");
  if (ttl.empty())
    return "sticky session cookie ttl not specified, but required";
  return Atoi(ttl).error;
}

std::string SizeError(const json& service) {
  std::string slug = Or(Annotation(service, Key("size-slug")), "");
  if (!slug.empty() && slug != "lb-small" && slug != "lb-medium" && slug != "lb-large")
    return "invalid LB size slug provided: " + slug;
  std::string unit_text = Or(Annotation(service, Key("size-unit")), "");
  long long unit = 0;
  if (!unit_text.empty()) {
    Int parsed = Atoi(unit_text);
    if (!parsed.error.empty())
      return "invalid LB size unit " + kube::GoQuote(unit_text) + " provided: " + parsed.error;
    if (parsed.value < 0)
      return "LB size unit must be non-negative. " + std::to_string(parsed.value) + " provided";
    unit = parsed.value;
  }
  if (!slug.empty() && unit > 0)
    return "only one of LB size slug and size unit can be provided";
  return "";
}

std::string SettingsError(const json& service) {
  static const std::pair<const char*, const char*> kBools[] = {
      {"redirect-http-to-https", "HTTP-to-HTTPS configuration setting"},
      {"enable-proxy-protocol", "proxy protocol configuration setting"},
      {"enable-backend-keepalive", "backend keepalive configuration setting"},
      {"disable-lets-encrypt-dns-records",
       "disable lets encrypt dns records configuration setting"}};
  for (auto [suffix, what] : kBools) {
    bool value;
    if (std::string e = BoolError(service, suffix, &value); !e.empty())
      return std::string("failed to get ") + what + ": " + e;
  }
  const std::string* idle = Annotation(service, Key("http-idle-timeout-seconds"));
  if (idle != nullptr) {
    if (std::string e = ParseGoInt(*idle, "ParseUint", false).error; !e.empty())
      return "failed to parse provided LB HTTP idle timeout seconds value '" + *idle + "': " + e;
  }
  return "";
}

}  // namespace

std::string LoadBalancerRequestError(const json& service) {
  bool regional_network = false;
  std::string e = TypeNetworkStackError(service, &regional_network);
  if (e.empty())
    e = regional_network ? RegionalNetworkRulesError(service) : RegionalRulesError(service);
  for (auto step : {HealthCheckError, StickySessionsError, SizeError, SettingsError}) {
    if (e.empty())
      e = step(service);
  }
  return e;
}

std::string ApiValidationError(const json& service) {
  struct Range {
    const char* suffix;
    const char* field;
    long long min, max;
  };
  static const Range kRanges[] = {
      {"size-unit", "size_unit", 1, 100},
      {"http-idle-timeout-seconds", "http_idle_timeout_seconds", 30, 600},
      {"healthcheck-check-interval-seconds", "health_check.check_interval_seconds", 3, 300},
      {"healthcheck-response-timeout-seconds", "health_check.response_timeout_seconds", 3, 300},
      {"healthcheck-unhealthy-threshold", "health_check.unhealthy_threshold", 2, 10},
      {"healthcheck-healthy-threshold", "health_check.healthy_threshold", 2, 10}};
  for (const Range& r : kRanges) {
    const std::string* text = Annotation(service, Key(r.suffix));
    if (text == nullptr || text->empty())
      continue;
    long long value = Atoi(*text).value;
    // size-unit 0 is not sent: the CCM treats it as unset.
    if (std::string(r.suffix) == "size-unit" && value == 0)
      continue;
    if (value < r.min || value > r.max) {
      return std::string(r.field) + " must be between " + std::to_string(r.min) + " and " +
             std::to_string(r.max);
    }
  }
  return "";
}

std::string GodoError(std::string_view method, std::string_view url, int code,
                      std::string_view request_id, std::string_view message) {
  return std::string(method) + " " + std::string(url) + ": " + std::to_string(code) + " (request " +
         kube::GoQuote(request_id) + ") " + std::string(message);
}

std::string FakeUuid(std::string_view seed) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(seed.data(), seed.size(), digest, &length, EVP_sha256(), nullptr);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x40);  // version 4
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out;
  char hex[3];
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out += '-';
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    out += hex;
  }
  return out;
}

}  // namespace starform::devcluster::digitalocean
