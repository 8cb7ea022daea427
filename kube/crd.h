#pragma once

// CustomResourceDefinitions: loading a CRD manifest (apiextensions.k8s.io/v1) and looking up
// the served versions and compiled schemas by group, version and kind, or by resource name.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/schema.h"
#include "plan/diagnostics.h"

namespace starform::kube {

struct CrdNames {
  std::string kind;       ///< "HTTPRoute"
  std::string list_kind;  ///< "HTTPRouteList"
  std::string plural;     ///< "httproutes", the resource in URLs
  std::string singular;   ///< "httproute"
  std::vector<std::string> short_names;
  std::vector<std::string> categories;  ///< "gateway-api", "all", ...
};

struct CrdVersion {
  std::string name;  ///< "v1"
  bool served = false;
  bool storage = false;
  bool deprecated = false;
  std::string deprecation_warning;
  bool status_subresource = false;
  nlohmann::json scale_subresource;           ///< as written, null when absent
  nlohmann::json additional_printer_columns;  ///< as written, an array (maybe empty)
  nlohmann::json openapi_schema;              ///< schema.openAPIV3Schema as written
  std::shared_ptr<const Schema> schema;       ///< compiled; null when the version has none
};

struct Crd {
  enum class Scope { kNamespaced, kCluster };

  std::string name;   ///< metadata.name, "<plural>.<group>"
  std::string group;  ///< "gateway.networking.k8s.io"
  CrdNames names;
  Scope scope = Scope::kNamespaced;
  std::vector<CrdVersion> versions;  ///< in the manifest's order

  bool namespaced() const { return scope == Scope::kNamespaced; }
  /// The version called |name|, served or not, or nullptr.
  const CrdVersion* Version(std::string_view name) const;
  /// The one storage version, or nullptr.
  const CrdVersion* StorageVersion() const;
};

/// Reads one CRD manifest, YAML or JSON (a leading "---" is fine; one document only). Every
/// problem goes to |diags| (file positions for syntax, field paths for content); returns false
/// if there was any, including a schema the engine cannot compile.
bool ParseCrd(std::string_view text, Crd* crd, Diagnostics* diags);

/// ParseCrd on a file's contents; |diags| should be named after the file.
bool LoadCrdFile(const std::string& path, Crd* crd, Diagnostics* diags);

/// The CRDs a cluster knows, looked up as the API server routes requests.
class CrdSet {
 public:
  /// Adds |crd|; false (and why in |error|) if one with the same group and plural or kind is
  /// already there.
  bool Add(Crd crd, std::string* error);

  /// By group and kind ("gateway.networking.k8s.io", "HTTPRoute").
  const Crd* FindKind(std::string_view group, std::string_view kind) const;
  /// By group and resource name: the plural, as in URLs, but also the singular and short
  /// names, as kubectl resolves them.
  const Crd* FindResource(std::string_view group, std::string_view resource) const;
  /// The served version |version| of group/kind, or nullptr (unknown kind, or the version is
  /// not served).
  const CrdVersion* FindVersion(std::string_view group, std::string_view version,
                                std::string_view kind) const;
  /// The same, from an object's apiVersion ("gateway.networking.k8s.io/v1") and kind.
  const CrdVersion* FindForObject(std::string_view api_version, std::string_view kind) const;

  const std::vector<std::shared_ptr<const Crd>>& all() const { return crds_; }

 private:
  std::vector<std::shared_ptr<const Crd>> crds_;
};

}  // namespace starform::kube
