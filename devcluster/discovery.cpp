#include "devcluster/discovery.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace starform::devcluster {

using nlohmann::json;

namespace {

// Kubernetes version priority: GA before beta before alpha, higher numbers first
// (apimachinery version.CompareKubeAwareVersionStrings).
std::tuple<int, int, int> Priority(const std::string& v) {
  int major = 0, minor = 0, stage = 3;
  size_t i = 1;
  while (i < v.size() && isdigit(static_cast<unsigned char>(v[i])))
    major = major * 10 + (v[i++] - '0');
  if (v.compare(i, 4, "beta") == 0) {
    stage = 2;
    i += 4;
  } else if (v.compare(i, 5, "alpha") == 0) {
    stage = 1;
    i += 5;
  }
  while (i < v.size() && isdigit(static_cast<unsigned char>(v[i])))
    minor = minor * 10 + (v[i++] - '0');
  return {stage == 3 ? 1 : 0, stage == 3 ? major : stage * 1000 + major, minor};
}

std::vector<std::string> Versions(const ResourceRegistry& registry, const std::string& group) {
  std::vector<std::string> versions;
  for (const ResourceType& t : registry.all()) {
    if (t.group == group &&
        std::find(versions.begin(), versions.end(), t.version) == versions.end()) {
      versions.push_back(t.version);
    }
  }
  std::sort(versions.begin(), versions.end(),
            [](const std::string& a, const std::string& b) { return Priority(a) > Priority(b); });
  return versions;
}

json GroupJson(const ResourceRegistry& registry, const std::string& group) {
  json versions = json::array();
  for (const std::string& v : Versions(registry, group)) {
    versions.push_back({{"groupVersion", group + "/" + v}, {"version", v}});
  }
  return {{"name", group}, {"versions", versions}, {"preferredVersion", versions.at(0)}};
}

}  // namespace

json VersionInfo() {
  return {{"major", "1"},
          {"minor", "33"},
          {"emulationMajor", "1"},
          {"emulationMinor", "33"},
          {"minCompatibilityMajor", "1"},
          {"minCompatibilityMinor", "32"},
          {"gitVersion", "v1.33.1"},
          {"gitCommit", "8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828"},
          {"gitTreeState", "clean"},
          {"buildDate", "2025-05-15T08:19:08Z"},
          {"goVersion", "go1.24.2"},
          {"compiler", "gc"},
          {"platform", "linux/amd64"}};
}

json ApiVersions(const std::string& server_address) {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs",
           json::array({{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}})}};
}

json ApiGroupList(const ResourceRegistry& registry) {
  json groups = json::array();
  std::vector<std::string> seen;
  for (const ResourceType& t : registry.all()) {
    if (t.group.empty() || std::find(seen.begin(), seen.end(), t.group) != seen.end())
      continue;
    seen.push_back(t.group);
    groups.push_back(GroupJson(registry, t.group));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

json ApiGroup(const ResourceRegistry& registry, const std::string& group) {
  if (Versions(registry, group).empty())
    return nullptr;
  json g = GroupJson(registry, group);
  g["kind"] = "APIGroup";
  g["apiVersion"] = "v1";
  return g;
}

json ApiResourceList(const ResourceRegistry& registry, const std::string& group,
                     const std::string& version) {
  json resources = json::array();
  for (const ResourceType& t : registry.all()) {
    if (t.group != group || t.version != version)
      continue;
    json r = {{"name", t.resource},
              {"singularName", t.singular},
              {"namespaced", t.namespaced},
              {"kind", t.kind},
              {"verbs", t.verbs}};
    if (!t.short_names.empty())
      r["shortNames"] = t.short_names;
    if (!t.categories.empty())
      r["categories"] = t.categories;
    resources.push_back(r);
    if (t.has_status) {
      resources.push_back({{"name", t.resource + "/status"},
                           {"singularName", ""},
                           {"namespaced", t.namespaced},
                           {"kind", t.kind},
                           {"verbs", t.read_only ? json::array({"get"})
                                                 : json::array({"get", "patch", "update"})}});
    }
  }
  std::string gv = group.empty() ? version : group + "/" + version;
  return {{"kind", "APIResourceList"},
          {"apiVersion", "v1"},
          {"groupVersion", gv},
          {"resources", resources}};
}

}  // namespace starform::devcluster
