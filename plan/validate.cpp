// ValidateDesiredState: every value rule of the desired-state contract (docs/desired-state.md).
// This file checks the document's own fields, the gateway and each app in place; the rules that
// compare apps with each other, auth and the load balancer have their own files.

#include <algorithm>
#include <string>
#include <unordered_map>

#include "plan/desired_state.h"
#include "plan/names.h"
#include "plan/validate_internal.h"

namespace starform {
namespace validate_internal {

namespace {

constexpr std::string_view kLabelRule =
    "a DNS-1123 label (at most 63 characters of a-z, 0-9 and '-', starting and ending with a "
    "letter or digit)";

}  // namespace

std::string Indexed(std::string_view base, size_t index) {
  std::string out(base);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

void FieldPath::AppendTo(std::string* out) const {
  if (parent_ != nullptr)
    parent_->AppendTo(out);
  if (index_ != kNoIndex) {
    *out += '[';
    *out += std::to_string(index_);
    *out += ']';
    return;
  }
  if (parent_ != nullptr)
    *out += '.';
  *out += name_;
}

std::string FieldPath::str() const {
  std::string out;
  AppendTo(&out);
  return out;
}

std::string LineOf(Mark mark) {
  return mark.known() ? "line " + std::to_string(mark.line) : "a defaulted value";
}

void CheckRange(const Field<int64_t>& field, int64_t low, int64_t high, std::string_view name,
                const FieldPath& path, Diagnostics* diags) {
  if (!field.present || (field.value >= low && field.value <= high))
    return;
  diags->Error(field.mark, path.str(),
               std::string(name) + " must be between " + std::to_string(low) + " and " +
                   std::to_string(high) + ", got " + std::to_string(field.value));
}

void CheckCount(size_t count, size_t low, size_t high, Mark mark, std::string_view name,
                const FieldPath& path, Diagnostics* diags) {
  if (count >= low && count <= high)
    return;
  std::string allowed = low == 0   ? "at most " + std::to_string(high)
                        : low == 1 ? "1 to " + std::to_string(high)
                                   : std::to_string(low) + " to " + std::to_string(high);
  diags->Error(
      mark, path.str(),
      std::string(name) + " must have " + allowed + " entries, got " + std::to_string(count));
}

void CheckLabel(const Field<std::string>& field, std::string_view name, const FieldPath& path,
                Diagnostics* diags) {
  if (!field.present || IsDns1123Label(field.value))
    return;
  diags->Error(
      field.mark, path.str(),
      std::string(name) + " must be " + std::string(kLabelRule) + ", got " + Quote(field.value));
}

void CheckServiceName(const Field<std::string>& field, const FieldPath& path, Diagnostics* diags) {
  CheckLabel(field, "service", path, diags);
  if (!field.present || !IsDns1123Label(field.value) || field.value.front() > '9')
    return;
  diags->Warning(field.mark, path.str(),
                 "service " + Quote(field.value) +
                     " starts with a digit, but Kubernetes Service names start with a letter "
                     "(DNS-1035), so no such Service can exist");
}

namespace {

void CheckEnum(const Field<std::string>& field, std::string_view first, std::string_view second,
               std::string_view name, const FieldPath& path, Diagnostics* diags) {
  if (!field.present || field.value == first || field.value == second)
    return;
  diags->Error(field.mark, path.str(),
               std::string(name) + " must be " + std::string(first) + " or " + std::string(second) +
                   ", got " + Quote(field.value));
}

// Returns whether |field| is a well-formed hostname (false too when it is absent).
bool CheckHostname(const Field<std::string>& field, const FieldPath& path, Diagnostics* diags) {
  if (!field.present)
    return false;
  std::string problem = HostnameProblem(field.value);
  if (problem.empty())
    return true;
  diags->Error(field.mark, path.str(),
               "hostname " + Quote(field.value) + " " + problem +
                   "; a hostname is a lowercase DNS name, optionally starting with \"*.\"");
  return false;
}

void ValidateDocument(const DesiredState& state, Diagnostics* diags) {
  CheckLabel(state.cluster, "cluster", FieldPath("cluster"), diags);
  const Field<std::string>& revision = state.revision;
  if (revision.present && (revision.value.empty() || revision.value.size() > 128)) {
    diags->Error(
        revision.mark, "revision",
        "revision must be 1 to 128 characters long, got " + std::to_string(revision.value.size()));
  }
}

// --- gateway -----------------------------------------------------------------------------------

void ValidateGatewayNames(Context& context) {
  const Gateway& gateway = context.state.gateway;
  Diagnostics* diags = context.diags;
  const FieldPath path("gateway");
  CheckLabel(gateway.name, "name", path.Field("name"), diags);
  CheckLabel(gateway.namespace_, "namespace", path.Field("namespace"), diags);
  if (gateway.class_name.present && !IsDns1123Subdomain(gateway.class_name.value)) {
    diags->Error(gateway.class_name.mark, path.Field("className").str(),
                 "className must name a GatewayClass (a DNS-1123 subdomain: dot-separated "
                 "labels of a-z, 0-9 and '-', at most 253 characters), got " +
                     Quote(gateway.class_name.value));
  }
  if (gateway.tenant_label.present && !IsQualifiedName(gateway.tenant_label.value)) {
    diags->Error(gateway.tenant_label.mark, path.Field("tenantLabel").str(),
                 "tenantLabel must be a Kubernetes label key (an optional DNS subdomain and '/', "
                 "then at most 63 characters of A-Z, a-z, 0-9, '-', '_' and '.'), got " +
                     Quote(gateway.tenant_label.value));
  }
  const FieldPath shared_path = path.Field("sharedServiceNamespaces");
  for (size_t i = 0; i < gateway.shared_service_namespaces.size(); ++i) {
    const Field<std::string>& ns = gateway.shared_service_namespaces[i];
    const FieldPath ns_path = shared_path.Index(i);
    CheckLabel(ns, "namespace", ns_path, diags);
    auto [it, inserted] = context.shared_namespaces.emplace(ns.value, ns.mark);
    if (!inserted) {
      diags->Warning(ns.mark, ns_path.str(),
                     "namespace " + Quote(ns.value) + " is already listed at " +
                         LineOf(it->second) + "; list each shared namespace once");
    }
  }
}

void ValidateListenerTls(const Listener& listener, const FieldPath& path, Diagnostics* diags) {
  Mark tls_mark = MarkOr(listener.tls_mark, listener.mark);
  const FieldPath tls_path = path.Field("tls");
  const FieldPath refs_path = tls_path.Field("certificateRefs");
  if (listener.protocol.value == "HTTP" && listener.has_tls) {
    diags->Error(tls_mark, tls_path.str(),
                 "tls must not be set on an HTTP listener (the Gateway API rejects it); use "
                 "protocol HTTPS to terminate TLS");
  }
  if (listener.protocol.value == "HTTPS" && listener.certificate_refs.empty()) {
    diags->Error(tls_mark, refs_path.str(),
                 "an HTTPS listener needs tls.certificateRefs: at least one Secret in the "
                 "gateway namespace holding its certificate");
  }
  CheckCount(listener.certificate_refs.size(), 0, 64, tls_mark, "certificateRefs", refs_path,
             diags);
  for (size_t i = 0; i < listener.certificate_refs.size(); ++i) {
    const Field<std::string>& ref = listener.certificate_refs[i];
    if (!ref.present || IsDns1123Subdomain(ref.value))
      continue;
    diags->Error(ref.mark, refs_path.Index(i).str(),
                 "certificateRefs must name Secrets (DNS-1123 subdomains: dot-separated labels "
                 "of a-z, 0-9 and '-', at most 253 characters), got " +
                     Quote(ref.value));
  }
}

void ValidateListener(const Listener& listener, const FieldPath& path, Diagnostics* diags) {
  CheckLabel(listener.name, "name", path.Field("name"), diags);
  CheckRange(listener.port, 1, 65535, "port", path.Field("port"), diags);
  CheckEnum(listener.protocol, "HTTP", "HTTPS", "protocol", path.Field("protocol"), diags);
  CheckHostname(listener.hostname, path.Field("hostname"), diags);
  ValidateListenerTls(listener, path, diags);
}

std::string DescribeHostname(const Listener& listener) {
  return listener.hostname.present ? "hostname " + Quote(listener.hostname.value) : "no hostname";
}

// Unique names; unique (port, protocol, hostname); one protocol per port (Envoy Gateway marks
// listeners that share a port with another protocol as conflicted).
void ValidateListenerSet(Context& context) {
  const std::vector<Listener>& listeners = context.state.gateway.listeners;
  Diagnostics* diags = context.diags;
  std::unordered_map<std::string, size_t> combinations;
  std::unordered_map<int64_t, size_t> protocol_of_port;
  for (size_t i = 0; i < listeners.size(); ++i) {
    const Listener& listener = listeners[i];
    const std::string path = Indexed("gateway.listeners", i);  // few listeners: eager is fine
    auto [named, inserted] = context.listeners.emplace(listener.name.value, &listener);
    if (!inserted && listener.name.present) {
      diags->Error(listener.name.mark, path + ".name",
                   "listener name " + Quote(listener.name.value) + " is already used at " +
                       LineOf(named->second->name.mark) + "; listener names must be unique");
    }
    if (!listener.port.present || !listener.protocol.present)
      continue;
    std::string key = std::to_string(listener.port.value) + '/' + listener.protocol.value + '/' +
                      (listener.hostname.present ? listener.hostname.value : "");
    auto [same, fresh] = combinations.emplace(key, i);
    if (!fresh) {
      diags->Error(listener.mark, path,
                   "listener repeats port " + std::to_string(listener.port.value) + ", protocol " +
                       listener.protocol.value + " and " + DescribeHostname(listener) + " of " +
                       Indexed("gateway.listeners", same->second) + " (" +
                       LineOf(listeners[same->second].mark) + "); each combination must be unique");
    }
    auto [port, first] = protocol_of_port.emplace(listener.port.value, i);
    const Listener& other = listeners[port->second];
    if (!first && other.protocol.value != listener.protocol.value) {
      diags->Warning(listener.protocol.mark, path + ".protocol",
                     "port " + std::to_string(listener.port.value) + " is used with protocol " +
                         other.protocol.value + " by " +
                         Indexed("gateway.listeners", port->second) + " (" + LineOf(other.mark) +
                         "); Envoy Gateway rejects both listeners as conflicted");
    }
  }
}

void ValidateGateway(Context& context) {
  const Gateway& gateway = context.state.gateway;
  ValidateGatewayNames(context);
  const FieldPath gateway_path("gateway");
  const FieldPath listeners = gateway_path.Field("listeners");
  if (gateway.listeners_mark.known() || !gateway.listeners.empty()) {
    CheckCount(gateway.listeners.size(), 1, 64, MarkOr(gateway.listeners_mark, gateway.mark),
               "listeners", listeners, context.diags);
  }
  for (size_t i = 0; i < gateway.listeners.size(); ++i) {
    ValidateListener(gateway.listeners[i], listeners.Index(i), context.diags);
  }
  ValidateListenerSet(context);
  if (gateway.load_balancer)
    ValidateLoadBalancer(*gateway.load_balancer, context.diags);
}

// --- apps --------------------------------------------------------------------------------------

void ValidateAppNamespace(const Context& context, const App& app, const FieldPath& path) {
  const Field<std::string>& ns = app.namespace_;
  CheckLabel(ns, "namespace", path, context.diags);
  if (!ns.present)
    return;
  if (ns.value == context.gateway_namespace) {
    context.diags->Error(ns.mark, path.str(),
                         "namespace " + Quote(ns.value) +
                             " is the gateway's namespace: an app must live in its tenant's own "
                             "namespace");
  } else if (ns.value == kPlatformNamespace) {
    context.diags->Error(ns.mark, path.str(),
                         "namespace " + Quote(ns.value) +
                             " is reserved for the platform: an app must live in its tenant's own "
                             "namespace");
  } else if (auto shared = context.shared_namespaces.find(ns.value);
             shared != context.shared_namespaces.end()) {
    context.diags->Error(ns.mark, path.str(),
                         "namespace " + Quote(ns.value) +
                             " is listed in gateway.sharedServiceNamespaces (" +
                             LineOf(shared->second) +
                             "): a shared-service namespace, whose Services every tenant may "
                             "use, may not also hold an app");
  }
}

void ValidateHostnames(Context& context, uint32_t app_index, const FieldPath& app_path) {
  const App& app = context.state.apps[app_index];
  Diagnostics* diags = context.diags;
  const FieldPath path = app_path.Field("hostnames");
  if (app.hostnames_mark.known() || !app.hostnames.empty()) {
    CheckCount(app.hostnames.size(), 1, 16, MarkOr(app.hostnames_mark, app.mark), "hostnames", path,
               diags);
  }
  for (uint32_t i = 0; i < app.hostnames.size(); ++i) {
    if (CheckHostname(app.hostnames[i], path.Index(i), diags)) {
      context.valid_hostnames.push_back({app_index, i});
    }
  }
}

bool AnyHostnameIntersects(const App& app, std::string_view listener_hostname) {
  return std::any_of(app.hostnames.begin(), app.hostnames.end(), [&](const auto& hostname) {
    return HostnamesIntersect(hostname.value, listener_hostname);
  });
}

std::string ListenerNames(const std::vector<Listener>& listeners) {
  std::string names;
  for (const Listener& listener : listeners) {
    if (!names.empty())
      names += ", ";
    names += listener.name.value;
  }
  return names;
}

// The route attaches to a listener only if their hostnames intersect; otherwise Envoy Gateway
// refuses it with NoMatchingListenerHostname and the app serves nothing.
void ValidateAppListener(const Context& context, const App& app, const FieldPath& app_path) {
  const std::vector<Listener>& listeners = context.state.gateway.listeners;
  if (app.listener.present) {
    auto it = context.listeners.find(app.listener.value);
    if (it == context.listeners.end()) {
      context.diags->Error(
          app.listener.mark, app_path.Field("listener").str(),
          "listener " + Quote(app.listener.value) +
              " names no listener of the gateway; the listeners are: " + ListenerNames(listeners));
    } else if (const Listener& listener = *it->second;
               listener.hostname.present && !app.hostnames.empty() &&
               !AnyHostnameIntersects(app, listener.hostname.value)) {
      context.diags->Error(app.listener.mark, app_path.Field("listener").str(),
                           "listener " + Quote(app.listener.value) + " accepts only hostname " +
                               Quote(listener.hostname.value) +
                               ", which matches none of the app's hostnames: Envoy Gateway would "
                               "refuse the route (NoMatchingListenerHostname)");
    }
    return;
  }
  if (listeners.empty() || app.hostnames.empty())
    return;
  bool attaches = std::any_of(listeners.begin(), listeners.end(), [&](const Listener& listener) {
    return !listener.hostname.present || AnyHostnameIntersects(app, listener.hostname.value);
  });
  if (!attaches) {
    context.diags->Warning(MarkOr(app.hostnames_mark, app.mark), app_path.Field("hostnames").str(),
                           "no listener of the gateway accepts any of these hostnames: Envoy "
                           "Gateway would refuse the route (NoMatchingListenerHostname)");
  }
}

void ValidateBackends(const Rule& rule, const FieldPath& rule_path, Diagnostics* diags) {
  const FieldPath path = rule_path.Field("backends");
  Mark mark = MarkOr(rule.backends_mark, rule.mark);
  if (rule.backends_mark.known() || !rule.backends.empty()) {
    CheckCount(rule.backends.size(), 1, 16, mark, "backends", path, diags);
  }
  bool all_zero = !rule.backends.empty();
  for (size_t i = 0; i < rule.backends.size(); ++i) {
    const Backend& backend = rule.backends[i];
    const FieldPath backend_path = path.Index(i);
    CheckServiceName(backend.service, backend_path.Field("service"), diags);
    CheckRange(backend.port, 1, 65535, "port", backend_path.Field("port"), diags);
    CheckRange(backend.weight, 0, 1000000, "weight", backend_path.Field("weight"), diags);
    all_zero = all_zero && backend.weight.value == 0;
  }
  if (all_zero) {
    diags->Error(mark, path.str(),
                 "every backend has weight 0, so the rule could send no traffic (Envoy Gateway "
                 "answers 500): give at least one backend a weight above 0");
  }
}

void ValidateRule(const Rule& rule, const FieldPath& path, Diagnostics* diags) {
  if (rule.path.present) {
    const std::string& value = rule.path.value;
    std::string problem = PathProblem(value);
    if (value.size() > kMaxPathLength) {
      diags->Error(
          rule.path.mark, path.Field("path").str(),
          "path must be at most 1024 characters long, got " + std::to_string(value.size()));
    } else if (!problem.empty()) {
      diags->Error(
          rule.path.mark, path.Field("path").str(),
          "path " + problem + " (the Gateway API rejects such a path), got " + Quote(value, 60));
    }
  }
  CheckEnum(rule.match, "PathPrefix", "Exact", "match", path.Field("match"), diags);
  if (rule.timeout.present && !IsGatewayApiDuration(rule.timeout.value)) {
    diags->Error(rule.timeout.mark, path.Field("timeout").str(),
                 "timeout must be a Gateway API duration: 1 to 4 groups of up to 5 digits and a "
                 "unit h, m, s or ms, such as \"30s\" or \"1m30s\"; got " +
                     Quote(rule.timeout.value));
  }
  ValidateBackends(rule, path, diags);
}

// Two rules with the same match: Envoy Gateway keeps only one (RouteRulesOverlap).
void WarnOverlappingRules(const App& app, const FieldPath& path, Diagnostics* diags) {
  for (size_t i = 1; i < app.rules.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const Rule& a = app.rules[i];
      const Rule& b = app.rules[j];
      if (a.path.value != b.path.value || a.match.value != b.match.value)
        continue;
      diags->Warning(MarkOr(a.path.mark, a.mark), path.Index(i).str(),
                     "rule matches the same " + a.match.value + " " + Quote(a.path.value) + " as " +
                         Indexed("rules", j) + " (" + LineOf(b.mark) +
                         "); only one of them can receive the traffic");
      break;
    }
  }
}

void ValidateRules(const App& app, const FieldPath& app_path, Diagnostics* diags) {
  const FieldPath path = app_path.Field("rules");
  if (app.rules_mark.known() || !app.rules.empty()) {
    CheckCount(app.rules.size(), 1, 16, MarkOr(app.rules_mark, app.mark), "rules", path, diags);
  }
  for (size_t i = 0; i < app.rules.size(); ++i)
    ValidateRule(app.rules[i], path.Index(i), diags);
  WarnOverlappingRules(app, path, diags);
}

void ValidateApp(Context& context, uint32_t index, const FieldPath& path) {
  const App& app = context.state.apps[index];
  CheckLabel(app.name, "name", path.Field("name"), context.diags);
  ValidateAppNamespace(context, app, path.Field("namespace"));
  ValidateHostnames(context, index, path);
  ValidateAppListener(context, app, path);
  ValidateRules(app, path, context.diags);
  if (app.auth)
    ValidateAuth(context, app, path);
}

size_t CountErrors(const Diagnostics& diags) {
  return std::count_if(diags.all().begin(), diags.all().end(), [](const Diagnostic& d) {
    return d.severity == Diagnostic::Severity::kError;
  });
}

}  // namespace
}  // namespace validate_internal

bool ValidateDesiredState(const DesiredState& state, Diagnostics* diags) {
  using namespace validate_internal;
  size_t errors_before = CountErrors(*diags);
  Context context{state, diags, {}, {}, {}, {}};
  const Field<std::string>& gateway_namespace = state.gateway.namespace_;
  context.gateway_namespace = gateway_namespace.present || !gateway_namespace.value.empty()
                                  ? std::string_view(gateway_namespace.value)
                                  : kDefaultGatewayNamespace;
  ValidateDocument(state, diags);
  ValidateGateway(context);
  const FieldPath apps("apps");
  context.valid_hostnames.reserve(state.apps.size());
  for (uint32_t i = 0; i < state.apps.size(); ++i)
    ValidateApp(context, i, apps.Index(i));
  ValidateTenancy(context);
  return CountErrors(*diags) == errors_before;
}

}  // namespace starform
