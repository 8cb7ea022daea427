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

std::string LineOf(Mark mark) {
  return mark.known() ? "line " + std::to_string(mark.line) : "a defaulted value";
}

void CheckRange(const Field<int64_t>& field, int64_t low, int64_t high, std::string_view name,
                const std::string& path, Diagnostics* diags) {
  if (!field.present || (field.value >= low && field.value <= high))
    return;
  diags->Error(field.mark, path,
               std::string(name) + " must be between " + std::to_string(low) + " and " +
                   std::to_string(high) + ", got " + std::to_string(field.value));
}

void CheckCount(size_t count, size_t low, size_t high, Mark mark, std::string_view name,
                const std::string& path, Diagnostics* diags) {
  if (count >= low && count <= high)
    return;
  std::string allowed = low == 0   ? "at most " + std::to_string(high)
                        : low == 1 ? "1 to " + std::to_string(high)
                                   : std::to_string(low) + " to " + std::to_string(high);
  diags->Error(
      mark, path,
      std::string(name) + " must have " + allowed + " entries, got " + std::to_string(count));
}

void CheckLabel(const Field<std::string>& field, std::string_view name, const std::string& path,
                Diagnostics* diags) {
  if (!field.present || IsDns1123Label(field.value))
    return;
  diags->Error(
      field.mark, path,
      std::string(name) + " must be " + std::string(kLabelRule) + ", got " + Quote(field.value));
}

namespace {

void CheckEnum(const Field<std::string>& field, std::string_view first, std::string_view second,
               std::string_view name, const std::string& path, Diagnostics* diags) {
  if (!field.present || field.value == first || field.value == second)
    return;
  diags->Error(field.mark, path,
               std::string(name) + " must be " + std::string(first) + " or " + std::string(second) +
                   ", got " + Quote(field.value));
}

void CheckHostname(const Field<std::string>& field, const std::string& path, Diagnostics* diags) {
  if (!field.present)
    return;
  std::string problem = HostnameProblem(field.value);
  if (problem.empty())
    return;
  diags->Error(field.mark, path,
               "hostname " + Quote(field.value) + " " + problem +
                   "; a hostname is a lowercase DNS name, optionally starting with \"*.\"");
}

void ValidateDocument(const DesiredState& state, Diagnostics* diags) {
  CheckLabel(state.cluster, "cluster", "cluster", diags);
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
  CheckLabel(gateway.name, "name", "gateway.name", diags);
  CheckLabel(gateway.namespace_, "namespace", "gateway.namespace", diags);
  if (gateway.class_name.present && !IsDns1123Subdomain(gateway.class_name.value)) {
    diags->Error(gateway.class_name.mark, "gateway.className",
                 "className must name a GatewayClass (a DNS-1123 subdomain: dot-separated "
                 "labels of a-z, 0-9 and '-', at most 253 characters), got " +
                     Quote(gateway.class_name.value));
  }
  if (gateway.tenant_label.present && !IsQualifiedName(gateway.tenant_label.value)) {
    diags->Error(gateway.tenant_label.mark, "gateway.tenantLabel",
                 "tenantLabel must be a Kubernetes label key (an optional DNS subdomain and '/', "
                 "then at most 63 characters of A-Z, a-z, 0-9, '-', '_' and '.'), got " +
                     Quote(gateway.tenant_label.value));
  }
  for (size_t i = 0; i < gateway.shared_service_namespaces.size(); ++i) {
    const Field<std::string>& ns = gateway.shared_service_namespaces[i];
    std::string path = Indexed("gateway.sharedServiceNamespaces", i);
    CheckLabel(ns, "namespace", path, diags);
    auto [it, inserted] = context.shared_namespaces.emplace(ns.value, ns.mark);
    if (!inserted) {
      diags->Warning(ns.mark, path,
                     "namespace " + Quote(ns.value) + " is already listed at " +
                         LineOf(it->second) + "; list each shared namespace once");
    }
  }
}

void ValidateListenerTls(const Listener& listener, const std::string& path, Diagnostics* diags) {
  Mark tls_mark = MarkOr(listener.tls_mark, listener.mark);
  if (listener.protocol.value == "HTTP" && listener.has_tls) {
    diags->Error(tls_mark, path + ".tls",
                 "tls must not be set on an HTTP listener (the Gateway API rejects it); use "
                 "protocol HTTPS to terminate TLS");
  }
  if (listener.protocol.value == "HTTPS" && listener.certificate_refs.empty()) {
    diags->Error(tls_mark, path + ".tls.certificateRefs",
                 "an HTTPS listener needs tls.certificateRefs: at least one Secret in the "
                 "gateway namespace holding its certificate");
  }
  CheckCount(listener.certificate_refs.size(), 0, 64, tls_mark, "certificateRefs",
             path + ".tls.certificateRefs", diags);
  for (size_t i = 0; i < listener.certificate_refs.size(); ++i) {
    const Field<std::string>& ref = listener.certificate_refs[i];
    if (!ref.present || IsDns1123Subdomain(ref.value))
      continue;
    diags->Error(ref.mark, Indexed(path + ".tls.certificateRefs", i),
                 "certificateRefs must name Secrets (DNS-1123 subdomains: dot-separated labels "
                 "of a-z, 0-9 and '-', at most 253 characters), got " +
                     Quote(ref.value));
  }
}

void ValidateListener(const Listener& listener, const std::string& path, Diagnostics* diags) {
  CheckLabel(listener.name, "name", path + ".name", diags);
  CheckRange(listener.port, 1, 65535, "port", path + ".port", diags);
  CheckEnum(listener.protocol, "HTTP", "HTTPS", "protocol", path + ".protocol", diags);
  CheckHostname(listener.hostname, path + ".hostname", diags);
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
    std::string path = Indexed("gateway.listeners", i);
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
  if (gateway.listeners_mark.known() || !gateway.listeners.empty()) {
    CheckCount(gateway.listeners.size(), 1, 64, MarkOr(gateway.listeners_mark, gateway.mark),
               "listeners", "gateway.listeners", context.diags);
  }
  for (size_t i = 0; i < gateway.listeners.size(); ++i) {
    ValidateListener(gateway.listeners[i], Indexed("gateway.listeners", i), context.diags);
  }
  ValidateListenerSet(context);
  if (gateway.load_balancer)
    ValidateLoadBalancer(*gateway.load_balancer, context.diags);
}

// --- apps --------------------------------------------------------------------------------------

void ValidateAppNamespace(const Context& context, const App& app, const std::string& path) {
  const Field<std::string>& ns = app.namespace_;
  CheckLabel(ns, "namespace", path, context.diags);
  if (!ns.present)
    return;
  if (ns.value == context.gateway_namespace) {
    context.diags->Error(ns.mark, path,
                         "namespace " + Quote(ns.value) +
                             " is the gateway's namespace: an app must live in its tenant's own "
                             "namespace");
  } else if (ns.value == kPlatformNamespace) {
    context.diags->Error(ns.mark, path,
                         "namespace " + Quote(ns.value) +
                             " is reserved for the platform: an app must live in its tenant's own "
                             "namespace");
  } else if (auto shared = context.shared_namespaces.find(ns.value);
             shared != context.shared_namespaces.end()) {
    context.diags->Error(ns.mark, path,
                         "namespace " + Quote(ns.value) +
                             " is listed in gateway.sharedServiceNamespaces (" +
                             LineOf(shared->second) +
                             "): a shared-service namespace, whose Services every tenant may "
                             "use, may not also hold an app");
  }
}

void ValidateHostnames(const App& app, const std::string& app_path, Diagnostics* diags) {
  std::string path = app_path + ".hostnames";
  if (app.hostnames_mark.known() || !app.hostnames.empty()) {
    CheckCount(app.hostnames.size(), 1, 16, MarkOr(app.hostnames_mark, app.mark), "hostnames", path,
               diags);
  }
  for (size_t i = 0; i < app.hostnames.size(); ++i) {
    CheckHostname(app.hostnames[i], Indexed(path, i), diags);
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
void ValidateAppListener(const Context& context, const App& app, const std::string& app_path) {
  const std::vector<Listener>& listeners = context.state.gateway.listeners;
  if (app.listener.present) {
    auto it = context.listeners.find(app.listener.value);
    if (it == context.listeners.end()) {
      context.diags->Error(
          app.listener.mark, app_path + ".listener",
          "listener " + Quote(app.listener.value) +
              " names no listener of the gateway; the listeners are: " + ListenerNames(listeners));
    } else if (const Listener& listener = *it->second;
               listener.hostname.present && !app.hostnames.empty() &&
               !AnyHostnameIntersects(app, listener.hostname.value)) {
      context.diags->Error(app.listener.mark, app_path + ".listener",
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
    context.diags->Warning(MarkOr(app.hostnames_mark, app.mark), app_path + ".hostnames",
                           "no listener of the gateway accepts any of these hostnames: Envoy "
                           "Gateway would refuse the route (NoMatchingListenerHostname)");
  }
}

void ValidateBackends(const Rule& rule, const std::string& rule_path, Diagnostics* diags) {
  std::string path = rule_path + ".backends";
  Mark mark = MarkOr(rule.backends_mark, rule.mark);
  if (rule.backends_mark.known() || !rule.backends.empty()) {
    CheckCount(rule.backends.size(), 1, 16, mark, "backends", path, diags);
  }
  bool all_zero = !rule.backends.empty();
  for (size_t i = 0; i < rule.backends.size(); ++i) {
    const Backend& backend = rule.backends[i];
    std::string backend_path = Indexed(path, i);
    CheckLabel(backend.service, "service", backend_path + ".service", diags);
    CheckRange(backend.port, 1, 65535, "port", backend_path + ".port", diags);
    CheckRange(backend.weight, 0, 1000000, "weight", backend_path + ".weight", diags);
    all_zero = all_zero && backend.weight.value == 0;
  }
  if (all_zero) {
    diags->Error(mark, path,
                 "every backend has weight 0, so the rule could send no traffic (Envoy Gateway "
                 "answers 500): give at least one backend a weight above 0");
  }
}

void ValidateRule(const Rule& rule, const std::string& path, Diagnostics* diags) {
  if (rule.path.present) {
    const std::string& value = rule.path.value;
    std::string problem = PathProblem(value);
    if (value.size() > kMaxPathLength) {
      diags->Error(
          rule.path.mark, path + ".path",
          "path must be at most 1024 characters long, got " + std::to_string(value.size()));
    } else if (!problem.empty()) {
      diags->Error(
          rule.path.mark, path + ".path",
          "path " + problem + " (the Gateway API rejects such a path), got " + Quote(value, 60));
    }
  }
  CheckEnum(rule.match, "PathPrefix", "Exact", "match", path + ".match", diags);
  if (rule.timeout.present && !IsGatewayApiDuration(rule.timeout.value)) {
    diags->Error(rule.timeout.mark, path + ".timeout",
                 "timeout must be a Gateway API duration: 1 to 4 groups of up to 5 digits and a "
                 "unit h, m, s or ms, such as \"30s\" or \"1m30s\"; got " +
                     Quote(rule.timeout.value));
  }
  ValidateBackends(rule, path, diags);
}

// Two rules with the same match: Envoy Gateway keeps only one (RouteRulesOverlap).
void WarnOverlappingRules(const App& app, const std::string& path, Diagnostics* diags) {
  for (size_t i = 1; i < app.rules.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const Rule& a = app.rules[i];
      const Rule& b = app.rules[j];
      if (a.path.value != b.path.value || a.match.value != b.match.value)
        continue;
      diags->Warning(MarkOr(a.path.mark, a.mark), Indexed(path, i),
                     "rule matches the same " + a.match.value + " " + Quote(a.path.value) + " as " +
                         Indexed("rules", j) + " (" + LineOf(b.mark) +
                         "); only one of them can receive the traffic");
      break;
    }
  }
}

void ValidateRules(const App& app, const std::string& app_path, Diagnostics* diags) {
  std::string path = app_path + ".rules";
  if (app.rules_mark.known() || !app.rules.empty()) {
    CheckCount(app.rules.size(), 1, 16, MarkOr(app.rules_mark, app.mark), "rules", path, diags);
  }
  for (size_t i = 0; i < app.rules.size(); ++i)
    ValidateRule(app.rules[i], Indexed(path, i), diags);
  WarnOverlappingRules(app, path, diags);
}

void ValidateApp(const Context& context, const App& app, const std::string& path) {
  CheckLabel(app.name, "name", path + ".name", context.diags);
  ValidateAppNamespace(context, app, path + ".namespace");
  ValidateHostnames(app, path, context.diags);
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
  Context context{state, diags, {}, {}, {}};
  const Field<std::string>& gateway_namespace = state.gateway.namespace_;
  context.gateway_namespace = gateway_namespace.present || !gateway_namespace.value.empty()
                                  ? std::string_view(gateway_namespace.value)
                                  : kDefaultGatewayNamespace;
  ValidateDocument(state, diags);
  ValidateGateway(context);
  for (size_t i = 0; i < state.apps.size(); ++i) {
    ValidateApp(context, state.apps[i], Indexed("apps", i));
  }
  ValidateTenancy(context);
  return CountErrors(*diags) == errors_before;
}

}  // namespace starform
