#include "devcluster/status.h"

#include "devcluster/resources.h"

namespace starform::devcluster {

using nlohmann::json;

StatusError::StatusError(int code, std::string reason, std::string message, json details)
    : code_(code),
      reason_(std::move(reason)),
      message_(std::move(message)),
      details_(std::move(details)) {}

nlohmann::ordered_json StatusError::ToJson() const {
  using ordered = nlohmann::ordered_json;
  ordered out = ordered::object();
  out["kind"] = "Status";
  out["apiVersion"] = "v1";
  out["metadata"] = ordered(metadata_);
  out["status"] = "Failure";
  out["message"] = message_;
  if (!reason_.empty())
    out["reason"] = reason_;
  if (!details_.is_null()) {
    ordered details = ordered::object();
    for (const char* key : {"name", "group", "kind", "uid", "causes", "retryAfterSeconds"}) {
      if (!details_.contains(key))
        continue;
      if (std::string(key) != "causes") {
        details[key] = ordered(details_[key]);
        continue;
      }
      ordered causes = ordered::array();
      for (const json& c : details_["causes"]) {
        ordered cause = ordered::object();
        for (const char* k : {"reason", "message", "field"}) {
          if (c.contains(k))
            cause[k] = ordered(c[k]);
        }
        causes.push_back(cause);
      }
      details["causes"] = causes;
    }
    out["details"] = details;
  }
  out["code"] = code_;
  return out;
}

StatusError StatusError::FromStatus(const json& status) {
  StatusError e(status.value("code", 500), status.value("reason", ""), status.value("message", ""),
                status.contains("details") ? status["details"] : json());
  return e;
}

json Details(const ResourceType& type, std::string_view name) {
  json d = json::object();
  if (!name.empty())
    d["name"] = name;
  if (!type.group.empty())
    d["group"] = type.group;
  d["kind"] = type.resource;
  return d;
}

StatusError NotFound(const ResourceType& type, std::string_view name) {
  return StatusError(404, "NotFound",
                     type.GroupResource() + " \"" + std::string(name) + "\" not found",
                     Details(type, name));
}

StatusError NamespaceNotFound(std::string_view ns) {
  return StatusError(404, "NotFound", "namespaces \"" + std::string(ns) + "\" not found",
                     json{{"name", ns}, {"kind", "namespaces"}});
}

StatusError AlreadyExists(const ResourceType& type, std::string_view name) {
  return StatusError(409, "AlreadyExists",
                     type.GroupResource() + " \"" + std::string(name) + "\" already exists",
                     Details(type, name));
}

StatusError Conflict(const ResourceType& type, std::string_view name, std::string_view why) {
  return StatusError(409, "Conflict",
                     "Operation cannot be fulfilled on " + type.GroupResource() + " \"" +
                         std::string(name) + "\": " + std::string(why),
                     Details(type, name));
}

StatusError ModifiedConflict(const ResourceType& type, std::string_view name) {
  return Conflict(type, name,
                  "the object has been modified; please apply your changes to the latest "
                  "version and try again");
}

StatusError Invalid(std::string_view kind, std::string_view group, std::string_view name,
                    const std::vector<kube::StatusCause>& causes) {
  json details = json::object();
  if (!name.empty())
    details["name"] = name;
  if (!group.empty())
    details["group"] = group;
  details["kind"] = kind;
  json list = json::array();
  for (const kube::StatusCause& c : causes) {
    list.push_back({{"reason", c.reason}, {"message", c.message}, {"field", c.field}});
  }
  details["causes"] = list;
  return StatusError(422, "Invalid", kube::InvalidMessage(kind, group, name, causes), details);
}

StatusError BadRequest(std::string message) {
  return StatusError(400, "BadRequest", std::move(message));
}

StatusError MethodNotSupported(const ResourceType& type, std::string_view verb) {
  return StatusError(
      405, "MethodNotAllowed",
      std::string(verb) + " is not supported on resources of kind \"" + type.GroupResource() + "\"",
      json{{"group", type.group}, {"kind", type.resource}});
}

StatusError UnsupportedMediaType(std::string_view content_type) {
  return StatusError(415, "UnsupportedMediaType",
                     "the body of the request was in an unknown format - accepted media types "
                     "include: application/json-patch+json, application/merge-patch+json, "
                     "application/apply-patch+yaml",
                     content_type.empty() ? json() : json::object());
}

StatusError Unauthorized() {
  return StatusError(401, "Unauthorized", "Unauthorized");
}

StatusError Forbidden(std::string message, const ResourceType* type, std::string_view name) {
  return StatusError(403, "Forbidden", std::move(message),
                     type != nullptr ? Details(*type, name) : json::object());
}

StatusError RequestEntityTooLarge(size_t limit) {
  return StatusError(413, "RequestEntityTooLarge",
                     "Request entity too large: limit is " + std::to_string(limit));
}

StatusError InternalError(std::string message) {
  return StatusError(500, "InternalError", "Internal error occurred: " + message,
                     json{{"causes", json::array({{{"message", message}}})}});
}

StatusError UnknownServerError(std::string message) {
  return StatusError(500, "", std::move(message));
}

StatusError ContinueExpired(std::string inconsistent_continue) {
  StatusError e(410, "Expired",
                "The provided continue parameter is too old to display a consistent list "
                "result. You can start a new list without the continue parameter, or use the "
                "continue token in this response to retrieve the remainder of the results. "
                "Continuing with the provided token results in an inconsistent list - objects "
                "that were created, modified, or deleted between the time the first chunk was "
                "returned and now may show up in the list.");
  if (!inconsistent_continue.empty()) {
    e.set_metadata(json{{"continue", inconsistent_continue}});
  }
  return e;
}

StatusError TooOldResourceVersion(uint64_t requested, uint64_t oldest) {
  return StatusError(410, "Expired",
                     "too old resource version: " + std::to_string(requested) + " (" +
                         std::to_string(oldest) + ")");
}

StatusError ResourceTypeNotFound() {
  return StatusError(404, "NotFound", "the server could not find the requested resource",
                     json::object());
}

}  // namespace starform::devcluster
