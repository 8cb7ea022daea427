#include "devcluster/resources.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "plan/source_tree.h"

namespace starform::devcluster {

namespace {

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

ResourceType Builtin(std::string group, std::string version, std::string resource, std::string kind,
                     bool namespaced, bool has_status, std::vector<std::string> short_names) {
  ResourceType t;
  t.group = std::move(group);
  t.version = std::move(version);
  t.resource = std::move(resource);
  t.kind = std::move(kind);
  t.singular = t.kind;
  std::transform(t.singular.begin(), t.singular.end(), t.singular.begin(), ::tolower);
  t.namespaced = namespaced;
  t.has_status = has_status;
  t.short_names = std::move(short_names);
  t.verbs = kAllVerbs;
  return t;
}

}  // namespace

std::string ResourceType::GroupResource() const {
  return group.empty() ? resource : resource + "." + group;
}

std::string ResourceType::ApiVersion() const {
  return group.empty() ? version : group + "/" + version;
}

ResourceRegistry::ResourceRegistry() {
  ResourceType ns = Builtin("", "v1", "namespaces", "Namespace", false, true, {"ns"});
  // Namespaces cannot be deleted as a collection on a real server.
  ns.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
  types_.push_back(ns);
  ResourceType svc = Builtin("", "v1", "services", "Service", true, true, {"svc"});
  svc.verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
  svc.categories = {"all"};
  types_.push_back(svc);
  types_.push_back(Builtin("", "v1", "secrets", "Secret", true, false, {}));
  types_.push_back(Builtin("", "v1", "configmaps", "ConfigMap", true, false, {"cm"}));
  types_.push_back(Builtin("", "v1", "events", "Event", true, false, {"ev"}));
  // Nothing enforces quotas or limits here; they are served so `kubectl describe namespace`
  // finds (usually empty) lists, as on a real cluster.
  types_.push_back(Builtin("", "v1", "resourcequotas", "ResourceQuota", true, true, {"quota"}));
  types_.push_back(Builtin("", "v1", "limitranges", "LimitRange", true, false, {"limits"}));
  types_.push_back(Builtin("coordination.k8s.io", "v1", "leases", "Lease", true, false, {}));
  ResourceType deploy = Builtin("apps", "v1", "deployments", "Deployment", true, true, {"deploy"});
  deploy.categories = {"all"};
  deploy.tracks_generation = true;
  types_.push_back(deploy);
  ResourceType crd = Builtin("apiextensions.k8s.io", "v1", "customresourcedefinitions",
                             "CustomResourceDefinition", false, true, {"crd", "crds"});
  crd.categories = {"api-extensions"};
  crd.read_only = true;
  crd.verbs = {"get", "list", "watch"};
  types_.push_back(crd);
}

void ResourceRegistry::AddCrd(std::shared_ptr<const kube::Crd> crd) {
  for (const kube::CrdVersion& v : crd->versions) {
    if (!v.served)
      continue;
    ResourceType t;
    t.group = crd->group;
    t.version = v.name;
    t.resource = crd->names.plural;
    t.kind = crd->names.kind;
    t.singular = crd->names.singular;
    t.namespaced = crd->namespaced();
    t.has_status = v.status_subresource;
    t.tracks_generation = true;
    t.short_names = crd->names.short_names;
    t.categories = crd->names.categories;
    t.verbs = kAllVerbs;
    t.crd = crd;
    t.schema = v.schema;
    t.custom = true;
    types_.push_back(std::move(t));
  }
  crds_.push_back(std::move(crd));
}

bool ResourceRegistry::LoadCrds(const std::string& dir, std::vector<std::string>* warnings) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string ext = entry.path().extension().string();
    if (ext == ".yaml" || ext == ".yml" || ext == ".json")
      files.push_back(entry.path());
  }
  if (ec) {
    warnings->push_back("cannot read CRD directory " + dir + ": " + ec.message());
    return false;
  }
  std::sort(files.begin(), files.end());
  struct Loaded {
    std::shared_ptr<kube::Crd> crd;
    std::string manifest;
    bool canonical = false;
  };
  std::map<std::string, Loaded> by_name;
  for (const fs::path& path : files) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto crd = std::make_shared<kube::Crd>();
    Diagnostics diags(path.string());
    if (!kube::ParseCrd(text.str(), crd.get(), &diags)) {
      // Not every YAML file in a folder is a CRD (README-like files): say so and go on.
      warnings->push_back(path.string() + ": not loaded: " + diags.ToString());
      continue;
    }
    SourceNode node;
    Diagnostics ignored("");
    std::string manifest;
    if (ParseDocument(text.str(), &node, &ignored))
      manifest = ToJson(node).dump();
    // Upstream names CRD files "<group>_<plural>.yaml"; a copy of another release has more.
    bool canonical = path.stem().string() == crd->group + "_" + crd->names.plural;
    auto [it, inserted] = by_name.try_emplace(crd->name, Loaded{crd, manifest, canonical});
    if (!inserted) {
      if (canonical && !it->second.canonical)
        it->second = Loaded{crd, manifest, canonical};
      warnings->push_back(crd->name + " is defined twice; serving the one in " + crd->name +
                          ".yaml");
    }
  }
  for (auto& [name, loaded] : by_name) {
    crd_manifests_.push_back(loaded.manifest);
    AddCrd(loaded.crd);
  }
  return true;
}

void ResourceRegistry::AddSchemalessCustomResources() {
  struct Spec {
    const char* group;
    const char* version;
    const char* plural;
    const char* kind;
    bool namespaced;
    std::vector<std::string> short_names;
  };
  const std::vector<Spec> specs = {
      {"gateway.networking.k8s.io", "v1", "gatewayclasses", "GatewayClass", false, {"gc"}},
      {"gateway.networking.k8s.io", "v1", "gateways", "Gateway", true, {"gtw"}},
      {"gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute", true, {}},
      {"gateway.networking.k8s.io",
       "v1beta1",
       "referencegrants",
       "ReferenceGrant",
       true,
       {"refgrant"}},
      {"gateway.envoyproxy.io", "v1alpha1", "securitypolicies", "SecurityPolicy", true, {"sp"}},
      {"gateway.envoyproxy.io",
       "v1alpha1",
       "clienttrafficpolicies",
       "ClientTrafficPolicy",
       true,
       {"ctp"}},
      {"gateway.envoyproxy.io", "v1alpha1", "envoyproxies", "EnvoyProxy", true, {"eproxy"}},
  };
  for (const Spec& s : specs) {
    ResourceType t =
        Builtin(s.group, s.version, s.plural, s.kind, s.namespaced, true, s.short_names);
    t.tracks_generation = true;
    t.custom = true;
    types_.push_back(std::move(t));
  }
}

const ResourceType* ResourceRegistry::Find(std::string_view group, std::string_view version,
                                           std::string_view resource) const {
  for (const ResourceType& t : types_) {
    if (t.group == group && t.version == version && t.resource == resource)
      return &t;
  }
  return nullptr;
}

const ResourceType* ResourceRegistry::FindKind(std::string_view api_version,
                                               std::string_view kind) const {
  for (const ResourceType& t : types_) {
    if (t.kind == kind && t.ApiVersion() == api_version)
      return &t;
  }
  return nullptr;
}

bool ResourceRegistry::HasGroupVersion(std::string_view group, std::string_view version) const {
  for (const ResourceType& t : types_) {
    if (t.group == group && t.version == version)
      return true;
  }
  return false;
}

}  // namespace starform::devcluster
