// The CRD objects: what apiextensions-apiserver defaults and what its naming, establishing and
// API-approval controllers write into status (staging/src/k8s.io/apiextensions-apiserver).

#include "devcluster/crd_objects.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "devcluster/certs.h"
#include "devcluster/resources.h"
#include "devcluster/rest.h"
#include "devcluster/store.h"

namespace starform::devcluster {

using nlohmann::json;

namespace {

constexpr const char* kApprovalAnnotation = "api-approved.kubernetes.io";

bool IsProtectedGroup(const std::string& group) {
  auto within = [&](const std::string& domain) {
    return group == domain || (group.size() > domain.size() && group.ends_with("." + domain));
  };
  return within("k8s.io") || within("kubernetes.io");
}

json Condition(const char* type, bool status, const char* reason, const std::string& message,
               const std::string& now) {
  return {{"type", type},
          {"status", status ? "True" : "False"},
          {"lastTransitionTime", now},
          {"reason", reason},
          {"message", message}};
}

// The KubernetesAPIApprovalPolicyConformant condition of a CRD in a protected group.
json ApprovalCondition(const json& metadata, const std::string& now) {
  const json annotations = metadata.value("annotations", json::object());
  if (!annotations.contains(kApprovalAnnotation)) {
    return Condition("KubernetesAPIApprovalPolicyConformant", false, "MissingAnnotation",
                     std::string("protected groups must have approval annotation \"") +
                         kApprovalAnnotation +
                         "\", see https://github.com/kubernetes/enhancements/pull/1111",
                     now);
  }
  std::string value = annotations[kApprovalAnnotation].is_string()
                          ? annotations[kApprovalAnnotation].get<std::string>()
                          : "";
  if (value.starts_with("unapproved")) {
    return Condition("KubernetesAPIApprovalPolicyConformant", false, "UnapprovedAnnotation",
                     "not approved: \"" + value + "\"", now);
  }
  return Condition("KubernetesAPIApprovalPolicyConformant", true, "ApprovedAnnotation",
                   "approved in " + value, now);
}

json AcceptedNames(const kube::Crd& crd) {
  json names = {{"plural", crd.names.plural},
                {"singular", crd.names.singular},
                {"kind", crd.names.kind},
                {"listKind", crd.names.list_kind}};
  if (!crd.names.short_names.empty())
    names["shortNames"] = crd.names.short_names;
  if (!crd.names.categories.empty())
    names["categories"] = crd.names.categories;
  return names;
}

}  // namespace

json CrdObject(const std::string& manifest, const kube::Crd& crd, const std::string& now) {
  json object = json::parse(manifest, nullptr, false);
  if (!object.is_object())
    object = json::object();
  object["apiVersion"] = "apiextensions.k8s.io/v1";
  object["kind"] = "CustomResourceDefinition";
  json& meta = object["metadata"];
  if (!meta.is_object())
    meta = json::object();
  meta["name"] = crd.name;
  for (const char* server_set : {"uid", "resourceVersion", "creationTimestamp", "generation",
                                 "managedFields", "namespace"}) {
    meta.erase(server_set);
  }
  meta["generation"] = 1;
  json& spec = object["spec"];
  if (!spec.contains("conversion") || !spec["conversion"].is_object())
    spec["conversion"] = {{"strategy", "None"}};
  spec["names"]["listKind"] = crd.names.list_kind;
  spec["names"]["singular"] = crd.names.singular;

  json conditions = json::array();
  if (IsProtectedGroup(crd.group))
    conditions.push_back(ApprovalCondition(meta, now));
  conditions.push_back(Condition("NamesAccepted", true, "NoConflicts", "no conflicts found", now));
  conditions.push_back(Condition("Established", true, "InitialNamesAccepted",
                                 "the initial names have been accepted", now));
  json stored = json::array();
  for (const kube::CrdVersion& v : crd.versions) {
    if (v.storage)
      stored.push_back(v.name);
  }
  object["status"] = {{"acceptedNames", AcceptedNames(crd)},
                      {"conditions", conditions},
                      {"storedVersions", stored}};
  return object;
}

void StoreCrdObjects(const ResourceRegistry& registry, Store* store) {
  const ResourceType* type =
      registry.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  if (type == nullptr)
    return;
  const auto& crds = registry.crds();
  const auto& manifests = registry.crd_manifests();
  for (size_t i = 0; i < crds.size() && i < manifests.size(); ++i) {
    const kube::Crd& crd = *crds[i];
    Entry current = store->Get(type->StoreKey(), "", crd.name);
    json object = CrdObject(manifests[i], crd, NowRfc3339());
    if (current) {
      // A restart with the same CRDs changes nothing: same uid, times and resourceVersion.
      const json& old = *current.object;
      object["metadata"]["uid"] = old["metadata"].value("uid", NewUid());
      object["metadata"]["creationTimestamp"] = old["metadata"].value("creationTimestamp", "");
      object["metadata"]["generation"] = old["metadata"].value("generation", int64_t{1});
      object["status"]["conditions"] = old["status"].value("conditions", json::array());
      json comparable = old;
      comparable["metadata"].erase("resourceVersion");
      if (comparable == object)
        continue;
      if (old["spec"] != object["spec"])
        object["metadata"]["generation"] = object["metadata"]["generation"].get<int64_t>() + 1;
    } else {
      object["metadata"]["uid"] = NewUid();
      object["metadata"]["creationTimestamp"] = NowRfc3339();
    }
    store->Write(type->StoreKey(), "", crd.name,
                 [&](const Entry&, uint64_t) { return std::optional<json>(object); });
  }
}

}  // namespace starform::devcluster
