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

#include "plan/flat_map.h"
#include "plan/names.h"
#include "plan/validate_internal.h"

namespace starform::validate_internal {
namespace {

// Two names as one hash key, without building "a/b" strings for 10,000 apps.
struct NamePair {
  std::string_view first;
  std::string_view second;
  bool operator==(const NamePair&) const = default;
};

struct NamePairHash {
  size_t operator()(const NamePair& pair) const {
    std::hash<std::string_view> hash;
    return hash(pair.first) * 31 + hash(pair.second);
  }
};

std::string AppLabel(const App& app, size_t index) {
  if (!app.namespace_.present || !app.name.present)
    return Indexed("apps", index);
  return app.namespace_.value + '/' + app.name.value;
}

void CheckDuplicateApps(const Context& context) {
  const std::vector<App>& apps = context.state.apps;
  FlatMap<NamePair, size_t, NamePairHash> seen(apps.size());
  for (size_t i = 0; i < apps.size(); ++i) {
    const App& app = apps[i];
    if (!app.namespace_.present || !app.name.present)
      continue;
    auto [first, inserted] = seen.Emplace(NamePair{app.namespace_.value, app.name.value}, i);
    if (inserted)
      continue;
    context.diags->Error(app.name.mark, Indexed("apps", i) + ".name",
                         "app " + AppLabel(app, i) + " is already defined by " +
                             Indexed("apps", *first) + " (" + LineOf(apps[*first].mark) +
                             "): a namespace/name names one HTTPRoute and may appear once");
  }
}

size_t CountWildcards(const Context& context) {
  size_t count = 0;
  for (HostRef ref : context.valid_hostnames) {
    count += IsWildcardHostname(context.state.apps[ref.app].hostnames[ref.host].value);
  }
  return count;
}

class HostnameIndex {
 public:
  explicit HostnameIndex(const Context& context)
      : context_(context),
        apps_(context.state.apps),
        claims_(context.valid_hostnames.size()),
        wildcards_(CountWildcards(context)) {}

  // One pass over all hostnames: exact claims are checked while the index is built.
  void Build() {
    for (HostRef ref : context_.valid_hostnames)
      Claim(Host(ref).value, ref);
  }

  void CheckWildcardsAcrossNamespaces() const {
    std::vector<HostRef> reported;  // wildcards already reported against the current app
    uint32_t current_app = 0;
    for (HostRef ref : context_.valid_hostnames) {
      if (ref.app != current_app)
        reported.clear();
      current_app = ref.app;
      ForEachCoveringWildcard(Host(ref).value, [&](HostRef wildcard) {
        if (Namespace(wildcard.app) == Namespace(ref.app))
          return;
        if (std::find(reported.begin(), reported.end(), wildcard) != reported.end())
          return;
        reported.push_back(wildcard);
        ReportCoverage(wildcard, ref);
      });
    }
  }

  void CheckWildcardsOverListeners() const {
    for (const Listener& listener : context_.state.gateway.listeners) {
      const Field<std::string>& hostname = listener.hostname;
      if (!hostname.present || !IsLowercaseDnsHostname(hostname.value))
        continue;
      if (IsWildcardHostname(hostname.value)) {
        if (const HostRef* same = wildcards_.Find(std::string_view(hostname.value).substr(2))) {
          ReportListener(*same, listener, "is");
        }
      }
      ForEachCoveringWildcard(
          hostname.value, [&](HostRef wildcard) { ReportListener(wildcard, listener, "covers"); });
    }
  }

 private:
  const Field<std::string>& Host(HostRef ref) const { return apps_[ref.app].hostnames[ref.host]; }
  std::string_view Namespace(uint32_t app) const { return apps_[app].namespace_.value; }

  void Claim(std::string_view hostname, HostRef ref) {
    auto [claimed, inserted] = claims_.Emplace(hostname, ref);
    if (IsWildcardHostname(hostname))
      wildcards_.Emplace(hostname.substr(2), ref);
    if (inserted)
      return;
    HostRef first = *claimed;
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
      if (const HostRef* wildcard = wildcards_.Find(name.substr(dot + 1)))
        fn(*wildcard);
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
  using Index = FlatMap<std::string_view, HostRef, std::hash<std::string_view>>;
  Index claims_;     // hostname -> first claim
  Index wildcards_;  // "x.com" of "*.x.com" -> first claim
};

// One ReferenceGrant per (app namespace, shared namespace) lists the Services used there; its
// spec.to holds at most 16 entries.
void CheckReferenceGrantSize(const Context& context) {
  constexpr size_t kMaxTo = 16;
  std::unordered_map<NamePair, std::unordered_set<std::string_view>, NamePairHash> services;
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
    auto& used = services[NamePair{app.namespace_.value, authz.namespace_.value}];
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
