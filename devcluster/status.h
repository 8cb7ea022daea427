#pragma once

// Errors as the API server writes them: every failure is a metav1.Status body with the
// reason and code a client-go user switches on, and the message kubectl prints.

#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/schema.h"

namespace starform::devcluster {

struct ResourceType;

/// Thrown by request handlers; the server turns it into the response.
class StatusError : public std::exception {
 public:
  StatusError(int code, std::string reason, std::string message,
              nlohmann::json details = nlohmann::json());
  const char* what() const noexcept override { return message_.c_str(); }
  int code() const { return code_; }
  /// The Status object, its keys in the order the Go encoder writes metav1.Status.
  nlohmann::ordered_json ToJson() const;
  /// From a Status object another part built (ssa.h's ConflictStatus).
  static StatusError FromStatus(const nlohmann::json& status);
  /// Extra top-level metadata (the 410 Status carries metadata.continue).
  void set_metadata(nlohmann::json metadata) { metadata_ = std::move(metadata); }

 private:
  int code_;
  std::string reason_;
  std::string message_;
  nlohmann::json details_;
  nlohmann::json metadata_ = nlohmann::json::object();
};

/// {"name","group","kind"} as apimachinery fills StatusDetails (group omitted when empty).
nlohmann::json Details(const ResourceType& type, std::string_view name);

StatusError NotFound(const ResourceType& type, std::string_view name);
/// namespaces "x" not found, for a create in a namespace that does not exist.
StatusError NamespaceNotFound(std::string_view ns);
StatusError AlreadyExists(const ResourceType& type, std::string_view name);
/// 409 Conflict "Operation cannot be fulfilled on <gr> "<name>": <why>".
StatusError Conflict(const ResourceType& type, std::string_view name, std::string_view why);
/// The stale-resourceVersion conflict.
StatusError ModifiedConflict(const ResourceType& type, std::string_view name);
/// 422 Invalid with causes, message as errors.NewInvalid formats it.
StatusError Invalid(std::string_view kind, std::string_view group, std::string_view name,
                    const std::vector<kube::StatusCause>& causes);
StatusError BadRequest(std::string message);
StatusError MethodNotSupported(const ResourceType& type, std::string_view verb);
StatusError UnsupportedMediaType(std::string_view content_type);
StatusError Unauthorized();
StatusError Forbidden(std::string message, const ResourceType* type, std::string_view name);
StatusError RequestEntityTooLarge(size_t limit);
StatusError InternalError(std::string message);
/// A server error without a reason (code 500, reason omitted), as apiserver turns an
/// untyped storage error (e.g. etcd's "request is too large") into a Status.
StatusError UnknownServerError(std::string message);
/// 410 Expired for a continue token that is too old.
StatusError ContinueExpired(std::string inconsistent_continue);
/// 410 Expired "too old resource version: X (Y)" for a list or watch.
StatusError TooOldResourceVersion(uint64_t requested, uint64_t oldest);

/// The generic NotFound for a path under a known group/version naming no resource.
StatusError ResourceTypeNotFound();

}  // namespace starform::devcluster
