#pragma once

// Shared by the validate*.cpp files only. ValidateDesiredState (validate.cpp) checks each field in
// place and hands the cross-app rules (tenancy), auth and the load balancer to their own files.
//
// Conventions of every check:
// - A required field the document left out was reported by the decoder; it is skipped here, so
//   that one mistake gives one error. A defaulted field holds a valid default.
// - Errors point at the offending value, or at its parent when the value was not written.
// - Messages start lower case and say what is wrong and what is allowed.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "plan/desired_state.h"
#include "plan/diagnostics.h"

namespace starform::validate_internal {

inline constexpr std::string_view kDefaultGatewayNamespace = "starform-system";
inline constexpr std::string_view kPlatformNamespace = "starform-system";
inline constexpr std::string_view kIdentityHeaderPrefix = "X-Starform-";

/// apps[app].hostnames[host].
struct HostRef {
  uint32_t app = 0;
  uint32_t host = 0;
  bool operator==(const HostRef&) const = default;
};

/// What several checks need to know about the whole document.
struct Context {
  const DesiredState& state;
  Diagnostics* diags;
  std::string_view gateway_namespace;
  /// gateway.sharedServiceNamespaces, by name, with where each is listed.
  std::unordered_map<std::string_view, Mark> shared_namespaces;
  /// gateway.listeners by name (the first of duplicates).
  std::unordered_map<std::string_view, const Listener*> listeners;
  /// Every well-formed app hostname, in document order: found while each app is checked, so
  /// that the tenancy rules do not parse 30,000 hostnames a second time.
  std::vector<HostRef> valid_hostnames;
};

/// |base| + "[" + |index| + "]".
std::string Indexed(std::string_view base, size_t index);

/// A field path such as `apps[3].rules[0].backends[0].port`, kept as a chain of frames on the
/// stack and spelled out only when a diagnostic needs it: validating 10,000 apps passes around
/// hundreds of thousands of paths and reports few. A child refers to its parent, so it must not
/// outlive it. Children are made only from named paths (not from temporaries, which would die
/// before their child), so a deeper path takes one named local per level.
class FieldPath {
 public:
  /// A top-level field ("cluster", "gateway", "apps").
  explicit FieldPath(std::string_view name) : name_(name) {}

  FieldPath Field(std::string_view name) const& { return FieldPath(this, name, kNoIndex); }
  FieldPath Index(size_t index) const& { return FieldPath(this, {}, index); }
  FieldPath Field(std::string_view name) const&& = delete;
  FieldPath Index(size_t index) const&& = delete;

  std::string str() const;

 private:
  static constexpr size_t kNoIndex = static_cast<size_t>(-1);
  FieldPath(const FieldPath* parent, std::string_view name, size_t index)
      : parent_(parent), name_(name), index_(index) {}
  void AppendTo(std::string* out) const;

  const FieldPath* parent_ = nullptr;
  std::string_view name_;
  size_t index_ = kNoIndex;
};

/// |mark| when it is known, else |fallback| (a defaulted value has no position of its own).
inline Mark MarkOr(Mark mark, Mark fallback) {
  return mark.known() ? mark : fallback;
}

/// "line N", for messages that point at another place in the document.
std::string LineOf(Mark mark);

/// Reports |field| when present and not within [low, high]: "<name> must be between ...".
void CheckRange(const Field<int64_t>& field, int64_t low, int64_t high, std::string_view name,
                const FieldPath& path, Diagnostics* diags);

/// Reports a list of |count| entries outside [low, high] at |mark|: "<name> must have ...".
void CheckCount(size_t count, size_t low, size_t high, Mark mark, std::string_view name,
                const FieldPath& path, Diagnostics* diags);

/// Reports |field| when present and not a DNS-1123 label.
void CheckLabel(const Field<std::string>& field, std::string_view name, const FieldPath& path,
                Diagnostics* diags);

/// CheckLabel for a Service name, plus a warning when it starts with a digit: Kubernetes names
/// Services with DNS-1035 labels, so no such Service can exist and the reference never resolves.
void CheckServiceName(const Field<std::string>& field, const FieldPath& path, Diagnostics* diags);

/// Reports an identity header (claimToHeaders[].header, headersToBackend[]) that is not an HTTP
/// token or lacks the reserved X-Starform- prefix.
void CheckIdentityHeader(const Field<std::string>& header, const FieldPath& path,
                         Diagnostics* diags);

/// Cross-app rules: duplicate namespace/name, hostname claims, wildcard coverage across
/// namespaces and of listener hostnames, and the ReferenceGrant size limit.
void ValidateTenancy(const Context& context);

/// apps[i].auth.
void ValidateAuth(const Context& context, const App& app, const FieldPath& app_path);

/// gateway.loadBalancer.
void ValidateLoadBalancer(const LoadBalancer& lb, Diagnostics* diags);

}  // namespace starform::validate_internal
