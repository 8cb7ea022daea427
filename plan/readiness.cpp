#include "plan/readiness.h"

#include <map>
#include <set>

namespace starform {

namespace {

std::string Ports(const std::set<int64_t>& ports) {
  if (ports.empty())
    return "no ports";
  std::string text;
  for (int64_t port : ports)
    text += (text.empty() ? "" : ", ") + std::to_string(port);
  return text;
}

class Checker {
 public:
  Checker(const DesiredState& state, const ClusterFacts& facts) : state_(state), facts_(facts) {}

  std::vector<std::string> Run() {
    CheckGatewayClass();
    CheckCertificates();
    for (const App& app : state_.apps)
      CheckApp(app);
    return std::move(warnings_);
  }

 private:
  void CheckGatewayClass() {
    if (!facts_.gateway_class)
      warnings_.push_back("GatewayClass " + state_.gateway.class_name.value +
                          " does not exist: the Gateway will not be accepted until Envoy Gateway "
                          "is installed and the GatewayClass created");
  }

  void CheckCertificates() {
    const std::string& ns = state_.gateway.namespace_.value;
    for (const Listener& listener : state_.gateway.listeners)
      for (const Field<std::string>& ref : listener.certificate_refs)
        if (!facts_.secrets.count(ns + "/" + ref.value))
          warnings_.push_back("Secret " + ns + "/" + ref.value + ", the certificate of listener " +
                              listener.name.value +
                              ", does not exist: the listener will not serve HTTPS until it does");
  }

  // False when the namespace is missing (the Services in it need no warning of their own).
  bool CheckNamespace(const std::string& ns, const std::string& app) {
    if (!checked_namespaces_.insert(ns).second)
      return facts_.namespaces.count(ns) > 0;
    const std::string& label = state_.gateway.tenant_label.value;
    auto it = facts_.namespaces.find(ns);
    if (it == facts_.namespaces.end()) {
      warnings_.push_back("namespace " + ns + " (app " + app +
                          ") does not exist: create it with the label " + label +
                          "=true, or the app's route cannot attach");
      return false;
    }
    auto value = it->second.find(label);
    if (!it->second.is_object() || value == it->second.end() || *value != "true")
      warnings_.push_back("namespace " + ns + " (app " + app + ") lacks the label " + label +
                          "=true: the Gateway's listeners will not accept its routes");
    return true;
  }

  // A shared namespace needs no tenant label, only to exist.
  bool CheckSharedNamespace(const std::string& ns, const std::string& app) {
    bool exists = facts_.namespaces.count(ns) > 0;
    if (!exists && checked_namespaces_.insert(ns).second)
      warnings_.push_back(
          "namespace " + ns + " (ext_authz of app " + app +
          ") does not exist: the app's SecurityPolicy cannot reach its ext_authz Service "
          "until it and the Service exist");
    return exists;
  }

  void CheckService(const std::string& ns, const std::string& name, int64_t port,
                    const std::string& role, const std::string& app) {
    if (!facts_.services_known)
      return;
    std::string id = ns + "/" + name;
    if (!checked_services_.insert(id + ":" + std::to_string(port)).second)
      return;
    auto it = facts_.services.find(id);
    if (it == facts_.services.end()) {
      warnings_.push_back("Service " + id + " (" + role + " of app " + app +
                          ") does not exist: requests to it will fail with 500");
    } else if (!it->second.count(port)) {
      warnings_.push_back("Service " + id + " (" + role + " of app " + app + ") has no port " +
                          std::to_string(port) + " (it has " + Ports(it->second) +
                          "): requests to it will fail with 500");
    }
  }

  void CheckApp(const App& app) {
    const std::string& ns = app.namespace_.value;
    std::string id = ns + "/" + app.name.value;
    if (!CheckNamespace(ns, id))
      return;
    for (const Rule& rule : app.rules)
      for (const Backend& backend : rule.backends)
        CheckService(ns, backend.service.value, backend.port.value, "backend", id);
    if (app.auth && app.auth->ext_authz) {
      const ExtAuthz& ext = *app.auth->ext_authz;
      const std::string& ext_ns = ext.namespace_.value.empty() ? ns : ext.namespace_.value;
      if (ext_ns == ns || CheckSharedNamespace(ext_ns, id))
        CheckService(ext_ns, ext.service.value, ext.port.value, "ext_authz service", id);
    }
  }

  const DesiredState& state_;
  const ClusterFacts& facts_;
  std::vector<std::string> warnings_;
  std::set<std::string> checked_namespaces_;
  std::set<std::string> checked_services_;
};

}  // namespace

std::vector<std::string> ReadinessWarnings(const DesiredState& state, const ClusterFacts& facts) {
  return Checker(state, facts).Run();
}

}  // namespace starform
