// gateway.loadBalancer: the typed fields and the further do-loadbalancer-* annotations, checked
// with the rules the DigitalOcean cloud controller applies to them (shared notes, envoy-gateway.md
// §4.1). A value it would reject leaves the gateway without a load balancer, and the controller
// reports that only in Service events, long after apply said "done".

#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "plan/names.h"
#include "plan/validate_internal.h"

namespace starform::validate_internal {
namespace {

constexpr std::string_view kAnnotationPrefix = "service.beta.kubernetes.io/do-loadbalancer-";
constexpr std::string_view kPath = "gateway.loadBalancer";

enum class ValueKind {
  kText,       // any non-empty string
  kBool,       // "true" | "false"
  kChoice,     // one of |choices|
  kRange,      // an integer in [low, high]
  kPort,       // one port
  kPortList,   // comma-separated ports
  kRules,      // comma-separated ip:<address> / cidr:<range>
  kPresence,   // only its presence counts
  kDeprecated  // accepted but ignored
};

struct AnnotationRule {
  std::string_view suffix;
  ValueKind kind;
  std::array<std::string_view, 5> choices{};
  int64_t low = 0;
  int64_t high = 0;
};

// Every annotation the controller reads, except those that repeat a typed field (kTypedFields).
constexpr AnnotationRule kRules[] = {
    {"network", ValueKind::kChoice, {"EXTERNAL", "INTERNAL"}},
    {"network-stack", ValueKind::kChoice, {"IPV4", "DUALSTACK"}},
    {"protocol", ValueKind::kChoice, {"tcp", "http", "https", "http2", "http3"}},
    {"http-ports", ValueKind::kPortList},
    {"tls-ports", ValueKind::kPortList},
    {"http2-ports", ValueKind::kPortList},
    {"http3-port", ValueKind::kPort},
    {"tls-passthrough", ValueKind::kBool},
    {"certificate-id", ValueKind::kText},
    {"certificate-name", ValueKind::kText},
    {"size-slug", ValueKind::kChoice, {"lb-small", "lb-medium", "lb-large"}},
    {"override-health-check", ValueKind::kPresence},
    {"healthcheck-port", ValueKind::kPort},
    {"healthcheck-path", ValueKind::kText},
    {"healthcheck-protocol", ValueKind::kChoice, {"tcp", "http", "https"}},
    {"healthcheck-check-interval-seconds", ValueKind::kRange, {}, 3, 300},
    {"healthcheck-response-timeout-seconds", ValueKind::kRange, {}, 3, 300},
    {"healthcheck-unhealthy-threshold", ValueKind::kRange, {}, 2, 10},
    {"healthcheck-healthy-threshold", ValueKind::kRange, {}, 2, 10},
    {"algorithm", ValueKind::kDeprecated},
    {"sticky-sessions-type", ValueKind::kChoice, {"none", "cookies"}},
    {"sticky-sessions-cookie-name", ValueKind::kText},
    {"sticky-sessions-cookie-ttl", ValueKind::kRange, {}, 1, 2147483647},
    {"redirect-http-to-https", ValueKind::kBool},
    {"disable-lets-encrypt-dns-records", ValueKind::kBool},
    {"enable-backend-keepalive", ValueKind::kBool},
    {"deny-rules", ValueKind::kRules},
    {"allow-rules", ValueKind::kRules},
    {"ip", ValueKind::kText},
    {"subnet-uuid", ValueKind::kText},
};

// Annotation suffix -> the typed loadBalancer field that renders it.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kTypedFields = {{
    {"name", "name"},
    {"type", "type"},
    {"size-unit", "sizeUnit"},
    {"enable-proxy-protocol", "enableProxyProtocol"},
    {"http-idle-timeout-seconds", "httpIdleTimeoutSeconds"},
    {"hostname", "hostname"},
}};

// Annotations that only act on an L7 (REGIONAL) load balancer.
constexpr std::string_view kLayer7Only[] = {"protocol",
                                            "http-ports",
                                            "tls-ports",
                                            "http2-ports",
                                            "http3-port",
                                            "tls-passthrough",
                                            "certificate-id",
                                            "certificate-name",
                                            "redirect-http-to-https",
                                            "sticky-sessions-type"};

const AnnotationRule* FindRule(std::string_view suffix) {
  for (const AnnotationRule& rule : kRules) {
    if (rule.suffix == suffix)
      return &rule;
  }
  return nullptr;
}

std::string AnnotationPath(std::string_view key) {
  return std::string(kPath) + ".annotations[" + Quote(key, key.size()) + "]";
}

std::vector<std::string_view> Split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = s.find(separator, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos)
      return parts;
    start = end + 1;
  }
}

bool IsPort(std::string_view s) {
  std::optional<int64_t> port = ParseInt(s);
  return port && *port >= 1 && *port <= 65535;
}

std::string ChoiceList(const AnnotationRule& rule) {
  std::string out;
  for (std::string_view choice : rule.choices) {
    if (choice.empty())
      break;
    if (!out.empty())
      out += ", ";
    out += choice;
  }
  return out;
}

// What is wrong with |value| for |rule|, as a phrase completing "value must ...", or empty.
std::string ValueProblem(const AnnotationRule& rule, std::string_view value) {
  switch (rule.kind) {
    case ValueKind::kText:
      return value.empty() ? "be a non-empty string" : "";
    case ValueKind::kBool:
      return value == "true" || value == "false" ? "" : "be \"true\" or \"false\"";
    case ValueKind::kChoice:
      for (std::string_view choice : rule.choices) {
        if (!choice.empty() && choice == value)
          return "";
      }
      return "be one of " + ChoiceList(rule);
    case ValueKind::kRange: {
      std::optional<int64_t> number = ParseInt(value);
      if (number && *number >= rule.low && *number <= rule.high)
        return "";
      return "be an integer between " + std::to_string(rule.low) + " and " +
             std::to_string(rule.high);
    }
    case ValueKind::kPort:
      return IsPort(value) ? "" : "be a port between 1 and 65535";
    case ValueKind::kPortList:
      for (std::string_view port : Split(value, ',')) {
        if (!IsPort(port))
          return "be a comma-separated list of ports between 1 and 65535";
      }
      return "";
    case ValueKind::kRules:
      for (std::string_view entry : Split(value, ',')) {
        bool ip = entry.starts_with("ip:") && entry.size() > 3;
        bool cidr = entry.starts_with("cidr:") && entry.find('/') != std::string_view::npos;
        if (!ip && !cidr) {
          return "be a comma-separated list of ip:<address> and cidr:<address>/<bits> entries";
        }
      }
      return "";
    case ValueKind::kPresence:
    case ValueKind::kDeprecated:
      return "";
  }
  return "";
}

void ValidateTypedFields(const LoadBalancer& lb, Diagnostics* diags) {
  const FieldPath gateway("gateway");
  const FieldPath path = gateway.Field("loadBalancer");
  if (lb.name.present && !IsDoLoadBalancerName(lb.name.value)) {
    diags->Error(lb.name.mark, path.Field("name").str(),
                 "name must be a DigitalOcean load balancer name: at most 255 characters of "
                 "A-Z, a-z, 0-9, '.' and '-', starting with a letter or digit and not ending "
                 "with '-'; got " +
                     Quote(lb.name.value));
  }
  if (lb.type.present && lb.type.value != "REGIONAL" && lb.type.value != "REGIONAL_NETWORK") {
    diags->Error(lb.type.mark, path.Field("type").str(),
                 "type must be REGIONAL or REGIONAL_NETWORK, got " + Quote(lb.type.value));
  }
  CheckRange(lb.size_unit, 1, 100, "sizeUnit", path.Field("sizeUnit"), diags);
  CheckRange(lb.http_idle_timeout_seconds, 30, 600, "httpIdleTimeoutSeconds",
             path.Field("httpIdleTimeoutSeconds"), diags);
  if (lb.hostname.present) {
    // The cloud controller lower-cases it (DNS names ignore case), so only the rest matters.
    std::string problem = HostnameProblem(ToLowerAscii(lb.hostname.value));
    if (problem.empty() && IsWildcardHostname(lb.hostname.value)) {
      problem = "may not be a wildcard";
    }
    if (!problem.empty()) {
      diags->Error(lb.hostname.mark, path.Field("hostname").str(),
                   "hostname " + Quote(lb.hostname.value) + " " + problem +
                       "; the load balancer's hostname is a DNS name");
    }
  }
}

// Checks one entry's key and value; returns its known suffix, or empty when it has none.
std::string_view ValidateAnnotation(const LoadBalancer::Annotation& annotation,
                                    Diagnostics* diags) {
  const std::string& key = annotation.key.value;
  std::string path = AnnotationPath(key);
  if (!key.starts_with(kAnnotationPrefix)) {
    diags->Error(annotation.key.mark, path,
                 "annotation " + Quote(key) +
                     " is not allowed here: only service.beta.kubernetes.io/do-loadbalancer-* "
                     "annotations may be set on the load balancer");
    return "";
  }
  if (!IsQualifiedName(key)) {  // Kubernetes would refuse it on the Service
    diags->Error(annotation.key.mark, path,
                 "annotation key must be a Kubernetes qualified name: after the '/', at most 63 "
                 "characters of A-Z, a-z, 0-9, '-', '_' and '.', starting and ending with a "
                 "letter or digit");
    return "";
  }
  std::string_view suffix = std::string_view(key).substr(kAnnotationPrefix.size());
  for (const auto& [typed_suffix, field] : kTypedFields) {
    if (suffix != typed_suffix)
      continue;
    diags->Error(annotation.key.mark, path,
                 "annotation repeats the typed field loadBalancer." + std::string(field) +
                     "; set " + std::string(field) + " instead");
    return "";
  }
  const AnnotationRule* rule = FindRule(suffix);
  if (rule == nullptr) {
    std::vector<std::string_view> known;
    for (const AnnotationRule& r : kRules)
      known.push_back(r.suffix);
    std::optional<std::string_view> guess = ClosestMatch(suffix, known);
    diags->Warning(annotation.key.mark, path,
                   "unknown DigitalOcean annotation" +
                       (guess ? " (did you mean \"do-loadbalancer-" + std::string(*guess) + "\"?)"
                              : std::string()) +
                       ": the cloud controller ignores it");
    return "";
  }
  const Field<std::string>& value = annotation.value;
  if (std::string problem = ValueProblem(*rule, value.value); !problem.empty()) {
    diags->Error(MarkOr(value.mark, annotation.key.mark), path,
                 "value must " + problem + ", got " + Quote(value.value));
  } else if (rule->kind == ValueKind::kDeprecated) {
    diags->Warning(annotation.key.mark, path,
                   "do-loadbalancer-" + std::string(suffix) +
                       " is deprecated and ignored by the cloud controller; remove it");
  } else if (rule->kind == ValueKind::kPresence && value.value == "false") {
    diags->Warning(value.mark, path,
                   "the cloud controller acts on this annotation's presence alone, so \"false\" "
                   "still overrides the health check; remove it to keep the default");
  }
  return rule->suffix;
}

// The rules that relate several annotations to each other or to the typed fields.
class AnnotationSet {
 public:
  AnnotationSet(const LoadBalancer& lb, Diagnostics* diags) : lb_(lb), diags_(diags) {}

  void Add(std::string_view suffix, const LoadBalancer::Annotation& annotation) {
    if (!suffix.empty())
      by_suffix_.emplace(suffix, &annotation);
  }

  void CheckCombinations() const {
    CheckSizeSlug();
    CheckCertificateAndPassthrough();
    CheckSharedPorts();
    CheckStickySessions();
    WarnHealthCheckWithoutOverride();
    WarnLayer7OnNetworkLoadBalancer();
  }

 private:
  const LoadBalancer::Annotation* Find(std::string_view suffix) const {
    auto it = by_suffix_.find(suffix);
    return it == by_suffix_.end() ? nullptr : it->second;
  }
  std::string_view Value(std::string_view suffix) const {
    const LoadBalancer::Annotation* annotation = Find(suffix);
    return annotation ? std::string_view(annotation->value.value) : std::string_view();
  }
  void Error(const LoadBalancer::Annotation& annotation, std::string message) const {
    diags_->Error(annotation.key.mark, AnnotationPath(annotation.key.value), std::move(message));
  }

  void CheckSizeSlug() const {
    const LoadBalancer::Annotation* slug = Find("size-slug");
    if (slug == nullptr || !lb_.size_unit.present)
      return;
    Error(*slug,
          "do-loadbalancer-size-slug and sizeUnit exclude each other (the cloud controller "
          "accepts only one of them); keep sizeUnit, as size slugs are deprecated");
  }

  void CheckCertificateAndPassthrough() const {
    bool passthrough = Value("tls-passthrough") == "true";
    bool certificate = Find("certificate-id") != nullptr || Find("certificate-name") != nullptr;
    if (passthrough && certificate) {
      Error(*Find("tls-passthrough"),
            "tls-passthrough \"true\" excludes certificate-id and certificate-name: the load "
            "balancer either passes TLS through or terminates it");
    }
    const LoadBalancer::Annotation* protocol = Find("protocol");
    std::string_view p = Value("protocol");
    bool secure = p == "https" || p == "http2" || p == "http3";
    if (protocol != nullptr && secure && !passthrough && !certificate) {
      Error(*protocol, "protocol " + std::string(p) +
                           " needs do-loadbalancer-certificate-id or -certificate-name, or "
                           "tls-passthrough \"true\"");
    }
    if (const LoadBalancer::Annotation* http3 = Find("http3-port"); http3 && !certificate) {
      Error(*http3, "http3-port needs do-loadbalancer-certificate-id or -certificate-name");
    }
    for (std::string_view suffix : {"tls-ports", "http2-ports"}) {
      const LoadBalancer::Annotation* ports = Find(suffix);
      if (ports == nullptr || certificate || passthrough)
        continue;
      Error(*ports, std::string(suffix) +
                        " needs do-loadbalancer-certificate-id or -certificate-name, or "
                        "tls-passthrough \"true\"");
    }
  }

  // The controller refuses a port listed in more than one of http-, tls- and http2-ports.
  void CheckSharedPorts() const {
    std::unordered_map<std::string_view, std::string_view> owner;
    for (std::string_view suffix : {"http-ports", "tls-ports", "http2-ports"}) {
      const LoadBalancer::Annotation* annotation = Find(suffix);
      if (annotation == nullptr)
        continue;
      for (std::string_view port : Split(annotation->value.value, ',')) {
        auto [it, inserted] = owner.emplace(port, suffix);
        if (inserted || it->second == suffix)
          continue;
        Error(*annotation, "port " + std::string(port) + " is also listed in do-loadbalancer-" +
                               std::string(it->second) + ": a port may have only one protocol");
      }
    }
  }

  void CheckStickySessions() const {
    const LoadBalancer::Annotation* type = Find("sticky-sessions-type");
    if (type == nullptr || type->value.value != "cookies")
      return;
    if (Find("sticky-sessions-cookie-name") && Find("sticky-sessions-cookie-ttl"))
      return;
    Error(*type,
          "sticky-sessions-type \"cookies\" needs do-loadbalancer-sticky-sessions-cookie-name "
          "and -sticky-sessions-cookie-ttl");
  }

  void WarnHealthCheckWithoutOverride() const {
    if (Find("override-health-check") != nullptr)
      return;
    for (std::string_view suffix :
         {"healthcheck-port", "healthcheck-path", "healthcheck-protocol"}) {
      const LoadBalancer::Annotation* annotation = Find(suffix);
      if (annotation == nullptr)
        continue;
      diags_->Warning(annotation->key.mark, AnnotationPath(annotation->key.value),
                      "do-loadbalancer-" + std::string(suffix) +
                          " takes effect only with do-loadbalancer-override-health-check");
    }
  }

  void WarnLayer7OnNetworkLoadBalancer() const {
    if (lb_.type.value != "REGIONAL_NETWORK")
      return;
    for (std::string_view suffix : kLayer7Only) {
      const LoadBalancer::Annotation* annotation = Find(suffix);
      if (annotation == nullptr)
        continue;
      diags_->Warning(annotation->key.mark, AnnotationPath(annotation->key.value),
                      "do-loadbalancer-" + std::string(suffix) +
                          " has no effect on a REGIONAL_NETWORK (layer 4) load balancer");
    }
  }

  const LoadBalancer& lb_;
  Diagnostics* diags_;
  std::unordered_map<std::string_view, const LoadBalancer::Annotation*> by_suffix_;
};

}  // namespace

void ValidateLoadBalancer(const LoadBalancer& lb, Diagnostics* diags) {
  ValidateTypedFields(lb, diags);
  AnnotationSet set(lb, diags);
  for (const LoadBalancer::Annotation& annotation : lb.annotations) {
    set.Add(ValidateAnnotation(annotation, diags), annotation);
  }
  set.CheckCombinations();
}

}  // namespace starform::validate_internal
