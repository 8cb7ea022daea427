#pragma once

// The resource types the dev cluster serves: a fixed set of built-ins and whatever CRDs were
// loaded, looked up as the API server routes a URL (group, version, plural).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kube/crd.h"

namespace starform::devcluster {

struct ResourceType {
  std::string group;    ///< "" for the core group
  std::string version;  ///< the served version this entry is for
  std::string resource;
  std::string kind;
  std::string singular;
  bool namespaced = true;
  bool has_status = false;
  bool read_only = false;  ///< customresourcedefinitions: listed, not writable here
  /// The API server bumps metadata.generation on spec changes for CRs and some built-ins.
  bool tracks_generation = false;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<std::string> verbs;
  /// The CRD serving it, or null for built-ins and for CRs stored without schema.
  std::shared_ptr<const kube::Crd> crd;
  /// The compiled schema of this version, or null (no validation, stored as sent).
  std::shared_ptr<const kube::Schema> schema;
  /// Objects of a custom resource: strategic merge patch is refused, PUT needs a version.
  bool custom = false;

  /// "httproutes.gateway.networking.k8s.io", or "services" in the core group.
  std::string GroupResource() const;
  /// "gateway.networking.k8s.io/v1", or "v1".
  std::string ApiVersion() const;
  /// The storage key shared by every version of the resource.
  std::string StoreKey() const { return group + "/" + resource; }
};

class ResourceRegistry {
 public:
  ResourceRegistry();

  /// Loads every *.yaml CRD in |dir|. A CRD defined twice is taken from the file named
  /// "<group>_<plural>.yaml" when there is one (../shared/crds keeps an older copy beside).
  /// Problems go to |warnings|; returns false if the directory cannot be read.
  bool LoadCrds(const std::string& dir, std::vector<std::string>* warnings);
  /// The Gateway API and Envoy Gateway resources, without schemas (no --crds).
  void AddSchemalessCustomResources();

  const ResourceType* Find(std::string_view group, std::string_view version,
                           std::string_view resource) const;
  /// By apiVersion and kind, for seeding objects.
  const ResourceType* FindKind(std::string_view api_version, std::string_view kind) const;
  bool HasGroupVersion(std::string_view group, std::string_view version) const;
  const std::vector<ResourceType>& all() const { return types_; }
  /// The loaded CRDs, as customresourcedefinitions objects.
  const std::vector<std::shared_ptr<const kube::Crd>>& crds() const { return crds_; }
  const std::vector<std::string>& crd_manifests() const { return crd_manifests_; }

 private:
  void AddCrd(std::shared_ptr<const kube::Crd> crd);

  std::vector<ResourceType> types_;
  std::vector<std::shared_ptr<const kube::Crd>> crds_;
  std::vector<std::string> crd_manifests_;  ///< the JSON of each CRD object, as loaded
};

}  // namespace starform::devcluster
