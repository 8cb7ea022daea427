#pragma once

// Rendering: the desired state in, the gateway layer's Kubernetes objects out, fully explicit
// (every field the API server would default is written) and carrying starform's ownership
// metadata. Pure: the same state always renders the same objects.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/desired_state.h"

namespace starform {

/// The ApplySet parent every rendered object belongs to (KEP-3659): ConfigMap starform in
/// starform-system, whatever the gateway namespace.
inline constexpr const char* kApplySetParentName = "starform";
inline constexpr const char* kApplySetParentNamespace = "starform-system";
inline constexpr const char* kApplySetPartOfLabel = "applyset.kubernetes.io/part-of";
inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr const char* kManagedByValue = "starform";

/// A kind that Render produces, with the resource (plural) it is served as.
struct RenderedKind {
  const char* api_version;
  const char* kind;
  const char* resource;
};

/// The rendered kinds, in render (and apply) order.
const std::vector<RenderedKind>& RenderedKinds();

/// The ApplySet id of the parent above:
/// "applyset-<base64url(sha256(name.namespace.kind.group))>-v1".
std::string ApplySetId();

/// Every object the state renders to, in the contract's order: EnvoyProxy, Gateway,
/// ClientTrafficPolicy, ReferenceGrants, SecurityPolicies, HTTPRoutes; then by namespace, name.
/// |state| must have passed validation.
std::vector<nlohmann::json> Render(const DesiredState& state);

}  // namespace starform
