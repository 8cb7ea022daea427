#pragma once

// The pieces the openapi documents are made of: definition names, the schemas of the meta
// types and built-in kinds, and a CRD version's schema as the API server publishes it. Schemas
// are written in OpenAPI v2 form ($ref "#/definitions/..."); ToV3 turns one into v3 form.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace starform::devcluster::openapi {

/// The definition name the API server gives a kind: "io.k8s.api.core.v1.Service",
/// "io.k8s.api.apps.v1.Deployment", and for custom resources the group reversed:
/// "io.k8s.networking.gateway.v1.HTTPRoute", "io.envoyproxy.gateway.v1alpha1.SecurityPolicy".
std::string DefinitionName(std::string_view group, std::string_view version, std::string_view kind);

/// apimachinery's meta types (ObjectMeta, ListMeta, Status, Patch, DeleteOptions, ...), by
/// definition name, v2 form.
const nlohmann::json& MetaDefinitions();

/// The built-in kinds the dev cluster serves and their lists, with the types they use, by
/// definition name, v2 form. Minimal: the fields the dev cluster and its users touch, with the
/// list and map types server-side apply relies on.
const nlohmann::json& BuiltinDefinitions();

/// A custom resource's definition from its CRD version's openAPIV3Schema (null when it has
/// none), as apiextensions-apiserver's openapi builder publishes it: metadata a reference to
/// ObjectMeta, apiVersion and kind described, x-kubernetes-group-version-kind; for v2 with
/// value validations, x-kubernetes-validations and nullable stripped, for v3 int-or-string
/// unfolded into anyOf. v2 form ($ref into #/definitions/) either way.
nlohmann::json CustomResourceDefinition(const nlohmann::json& schema, std::string_view group,
                                        std::string_view version, std::string_view kind, bool v2);

/// The <Kind>List definition for a custom resource.
nlohmann::json CustomResourceListDefinition(std::string_view group, std::string_view version,
                                            std::string_view kind, std::string_view list_kind,
                                            std::string_view plural);

/// "#/definitions/<name>" rewritten to "#/components/schemas/<name>", and a $ref with sibling
/// keys (a description) wrapped as {"allOf": [{"$ref": ...}], ...} as the v3 documents write it.
nlohmann::json ToV3(const nlohmann::json& v2);

/// The definitions |definition| refers to, directly or not, added to |out| from |available|
/// (so a group-version document carries only what its kinds need, as the real one does).
void AddReferenced(const nlohmann::json& definition, const nlohmann::json& available,
                   nlohmann::json* out);

}  // namespace starform::devcluster::openapi
