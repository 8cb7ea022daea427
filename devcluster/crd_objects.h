#pragma once

// The customresourcedefinitions the dev cluster serves: the CRDs loaded from --crds, as the
// API server holds them once its controllers have accepted their names and established them.

#include <string>

#include <nlohmann/json.hpp>

#include "kube/crd.h"

namespace starform::devcluster {

class ResourceRegistry;
class Store;

/// The object for |crd|, loaded from |manifest| (its JSON): the manifest with the API server's
/// defaults (spec.conversion.strategy None, names.listKind and singular) and the status its
/// controllers write: conditions (KubernetesAPIApprovalPolicyConformant for a *.k8s.io or
/// *.kubernetes.io group, NamesAccepted, Established; each at |now|), acceptedNames and
/// storedVersions. Metadata other than the manifest's (uid, resourceVersion) is not set.
nlohmann::json CrdObject(const std::string& manifest, const kube::Crd& crd, const std::string& now);

/// Stores every CRD of |registry| as a customresourcedefinitions object, replacing one stored
/// before (from a saved state) but keeping its uid and creation time, and leaving an unchanged
/// one alone.
void StoreCrdObjects(const ResourceRegistry& registry, Store* store);

}  // namespace starform::devcluster
