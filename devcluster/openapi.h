#pragma once

// The dev cluster's OpenAPI documents: /openapi/v2, the /openapi/v3 discovery and one v3
// document per group-version (/openapi/v3/apis/<group>/<version>, /openapi/v3/api/v1), built
// once from the resource types the server serves, as the real API server publishes them:
// the CRDs' schemas under the names the server gives them (io.k8s.networking.gateway.v1.
// HTTPRoute) with x-kubernetes-group-version-kind, minimal schemas for the built-in kinds, and
// every operation with its parameters.
//
// What kubectl 1.33 needs from them (cli-runtime resource/query_param_verifier_v3.go, kubectl
// validation/schema.go): `apply` and `create` validate with --validate=strict by default, and
// ask first whether the server validates fields itself: they GET /openapi/v3, then the
// document of the object's group-version at its serverRelativeURL, and look for a PATCH
// operation whose x-kubernetes-group-version-kind is the object's kind and whose own
// parameters include one named fieldValidation. Found: kubectl sends fieldValidation=Strict
// and validates nothing itself. Not found: kubectl validates on the client against
// /openapi/v2, which it asks for in protobuf only (which the dev cluster does not speak). For a
// group-version missing from the discovery, kubectl lists the CRDs and, for a custom resource,
// checks the Namespace PATCH in api/v1 instead. `diff --server-side`, `get` and `delete -f` do
// not read openapi; `explain` reads the v3 document of the group-version.

#include <map>
#include <string>
#include <string_view>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace starform::devcluster {

class ResourceRegistry;

/// One served document.
struct OpenApiDocument {
  std::string json;
  /// Uppercase hex SHA-512 of |json|: the ?hash= of its serverRelativeURL and its ETag, as
  /// kube-openapi's handler3 computes them.
  std::string hash;
};

class OpenApi {
 public:
  /// Builds every document for what |registry| serves (built-ins, and custom resources with
  /// or without a CRD schema). The registry must not change afterwards.
  explicit OpenApi(const ResourceRegistry& registry);

  /// /openapi/v2, in JSON.
  const OpenApiDocument& V2() const { return v2_; }
  /// /openapi/v3: {"paths": {"apis/<g>/<v>": {"serverRelativeURL":
  /// "/openapi/v3/apis/<g>/<v>?hash=<hash>"}}}.
  const std::string& V3Discovery() const { return v3_discovery_; }
  /// The v3 document of a group-version: |path| as in the discovery ("apis/apps/v1",
  /// "api/v1"), with or without a leading "/openapi/v3/". nullptr for one not served.
  const OpenApiDocument* V3GroupVersion(std::string_view path) const;

 private:
  OpenApiDocument v2_;
  std::string v3_discovery_;
  std::map<std::string, OpenApiDocument, std::less<>> v3_;  ///< by "apis/<g>/<v>", "api/v1"
};

/// Answers GET /openapi/v2, /openapi/v3 and /openapi/v3/<group-version> as the API server's
/// handlers do: JSON (406 for a client that accepts only protobuf, which the dev cluster does
/// not produce), ETag and If-None-Match, and for a ?hash= the immutable Cache-Control headers,
/// or a 301 to the current hash when it is stale. Returns false for a path it does not serve
/// (the server then answers 404), so it fits Hooks::openapi.
bool ServeOpenApi(const OpenApi& api, const httplib::Request& req, httplib::Response& res);

}  // namespace starform::devcluster
