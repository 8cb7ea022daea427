// The rules that keep tenants apart, which compare every app with every other: one app per
// namespace/name, one app per hostname, no wildcard reaching into another namespace's hostnames or
// over the platform's listener domains, and ReferenceGrants within their size limit.
//
// All of them run in time linear in the number of hostnames: exact claims are a hash lookup, and a
// wildcard "*.x.com" is found from a hostname by looking up each of the hostname's proper suffixes
// ("a.b.x.com" -> "b.x.com", "x.com", "com") in an index of wildcards by suffix.

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "plan/names.h"
#include "plan/validate_internal.h"

namespace starform::validate_internal {
namespace {

struct HostRef {
  uint32_t app = 0;
  uint32_t host = 0;
  bool operator==(const HostRef&) const = default;
};

std::string AppLabel(const App& app, size_t index) {
  if (!app.namespace_.present || !app.name.present)
    return Indexed("apps", index);
  return app.namespace_.value + '/' + app.name.value;
}

void CheckDuplicateApps(const Context& context) {
  const std::vector<App>& apps = context.state.apps;
  std::unordered_map<std::string, size_t> seen;
  seen.reserve(apps.size());
  for (size_t i = 0; i < apps.size(); ++i) {
    const App& app = apps[i];
    if (!app.namespace_.present || !app.name.present)
      continue;
    auto [it, inserted] = seen.emplace(app.namespace_.value + '/' + app.name.value, i);
    if (inserted)
      continue;
    context.diags->Error(app.name.mark, Indexed("apps", i) + ".name",
                         "app " + it->first + " is already defined by " +
                             Indexed("apps", it->second) + " (" + LineOf(apps[it->second].mark) +
                             "): a namespace/name names one HTTPRoute and may appear once");
  }
}

class HostnameIndex {
 public:
  explicit HostnameIndex(const Context& context) : context_(context), apps_(context.state.apps) {}

  // One pass over all hostnames: exact claims are checked while the index is built.
  void Build() {
    size_t total = 0;
    for (const App& app : apps_)
      total += app.hostnames.size();
    claims_.reserve(total);  // no rehashing while claims are added
    wildcards_.reserve(total);
    for (uint32_t a = 0; a < apps_.size(); ++a) {
      for (uint32_t h = 0; h < apps_[a].hostnames.size(); ++h) {
        const Field<std::string>& hostname = apps_[a].hostnames[h];
        if (!hostname.present || !IsLowercaseDnsHostname(hostname.value))
          continue;
        Claim(hostname.value, {a, h});
      }
    }
  }

  void CheckWildcardsAcrossNamespaces() const {
    std::vector<HostRef> reported;  // wildcards already reported against the current app
    for (uint32_t a = 0; a < apps_.size(); ++a) {
      reported.clear();
      for (uint32_t h = 0; h < apps_[a].hostnames.size(); ++h) {
        const Field<std::string>& hostname = apps_[a].hostnames[h];
        if (!hostname.present || !IsLowercaseDnsHostname(hostname.value))
          continue;
        ForEachCoveringWildcard(hostname.value, [&](HostRef wildcard) {
          if (Namespace(wildcard.app) == Namespace(a))
            return;
          if (std::find(reported.begin(), reported.end(), wildcard) != reported.end())
            return;
          reported.push_back(wildcard);
          ReportCoverage(wildcard, {a, h});
        });
      }
    }
  }

  void CheckWildcardsOverListeners() const {
    for (const Listener& listener : context_.state.gateway.listeners) {
      const Field<std::string>& hostname = listener.hostname;
      if (!hostname.present || !IsLowercaseDnsHostname(hostname.value))
        continue;
      if (IsWildcardHostname(hostname.value)) {
        auto same = wildcards_.find(std::string_view(hostname.value).substr(2));
        if (same != wildcards_.end())
          ReportListener(same->second, listener, "is");
      }
      ForEachCoveringWildcard(
          hostname.value, [&](HostRef wildcard) { ReportListener(wildcard, listener, "covers"); });
    }
  }

 private:
  const Field<std::string>& Host(HostRef ref) const { return apps_[ref.app].hostnames[ref.host]; }
  std::string_view Namespace(uint32_t app) const { return apps_[app].namespace_.value; }

  void Claim(std::string_view hostname, HostRef ref) {
    auto [it, inserted] = claims_.emplace(hostname, ref);
    if (IsWildcardHostname(hostname))
      wildcards_.emplace(hostname.substr(2), ref);
    if (inserted)
      return;
    HostRef first = it->second;
    std::string path = Indexed(Indexed("apps", ref.app) + ".hostnames", ref.host);
    if (first.app == ref.app) {
      context_.diags->Warning(Host(ref).mark, path,
                              "hostname " + Quote(hostname) + " is already listed at " +
                                  LineOf(Host(first).mark) + "; list it once");
      return;
    }
    context_.diags->Error(Host(ref).mark, path,
                          "hostname " + Quote(hostname) + " is already claimed by app " +
                              AppLabel(apps_[first.app], first.app) + " (" +
                              LineOf(Host(first).mark) +
                              "): a hostname may belong to one app only");
  }

  // Calls |fn| with every indexed wildcard that covers |hostname| (not one equal to it).
  template <typename Fn>
  void ForEachCoveringWildcard(std::string_view hostname, Fn fn) const {
    std::string_view name = IsWildcardHostname(hostname) ? hostname.substr(2) : hostname;
    for (size_t dot = name.find('.'); dot != std::string_view::npos;
         dot = name.find('.', dot + 1)) {
      auto it = wildcards_.find(name.substr(dot + 1));
      if (it != wildcards_.end())
        fn(it->second);
    }
  }

  void ReportCoverage(HostRef wildcard, HostRef covered) const {
    const Field<std::string>& host = Host(wildcard);
    context_.diags->Error(
        host.mark, Indexed(Indexed("apps", wildcard.app) + ".hostnames", wildcard.host),
        "wildcard " + Quote(host.value) + " covers hostname " + Quote(Host(covered).value) +
            " of app " + AppLabel(apps_[covered.app], covered.app) + " (" +
            LineOf(Host(covered).mark) +
            ") in another namespace: a wildcard may cover only hostnames of its own namespace");
  }

  void ReportListener(HostRef wildcard, const Listener& listener, std::string_view verb) const {
    const Field<std::string>& host = Host(wildcard);
    context_.diags->Error(
        host.mark, Indexed(Indexed("apps", wildcard.app) + ".hostnames", wildcard.host),
        "wildcard " + Quote(host.value) + " " + std::string(verb) + " the hostname " +
            Quote(listener.hostname.value) + " of listener " + Quote(listener.name.value) + " (" +
            LineOf(listener.hostname.mark) +
            "), the platform's own domain: an app may not claim a whole listener domain");
  }

  const Context& context_;
  const std::vector<App>& apps_;
  std::unordered_map<std::string_view, HostRef> claims_;     // hostname -> first claim
  std::unordered_map<std::string_view, HostRef> wildcards_;  // "x.com" of "*.x.com" -> first
};

// One ReferenceGrant per (app namespace, shared namespace) lists the Services used there; its
// spec.to holds at most 16 entries.
void CheckReferenceGrantSize(const Context& context) {
  constexpr size_t kMaxTo = 16;
  std::unordered_map<std::string, std::unordered_set<std::string_view>> services;
  const std::vector<App>& apps = context.state.apps;
  for (size_t i = 0; i < apps.size(); ++i) {
    const App& app = apps[i];
    if (!app.auth || !app.auth->ext_authz)
      continue;
    const ExtAuthz& authz = *app.auth->ext_authz;
    if (!authz.namespace_.present || authz.namespace_.value == app.namespace_.value)
      continue;
    if (!context.shared_namespaces.contains(authz.namespace_.value))
      continue;
    std::string key = app.namespace_.value + '/' + authz.namespace_.value;
    auto& used = services[key];
    if (!used.insert(authz.service.value).second || used.size() != kMaxTo + 1)
      continue;
    context.diags->Error(
        MarkOr(authz.service.mark, authz.mark), Indexed("apps", i) + ".auth.extAuthz.service",
        "apps of namespace " + Quote(app.namespace_.value) +
            " use more than 16 Services of shared namespace " + Quote(authz.namespace_.value) +
            ": the ReferenceGrant that allows it may list at most 16");
  }
}

}  // namespace

void ValidateTenancy(const Context& context) {
  CheckDuplicateApps(context);
  HostnameIndex index(context);
  index.Build();
  index.CheckWildcardsAcrossNamespaces();
  index.CheckWildcardsOverListeners();
  CheckReferenceGrantSize(context);
}

}  // namespace starform::validate_internal
