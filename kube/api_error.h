#pragma once

// Errors of the Kubernetes API as values: typed from the Status body the server sends (reason,
// code, message, causes with field paths, Retry-After), or from a transport failure, each able
// to say what went wrong in words a person can act on.

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/schema.h"
#include "kube/transport.h"

namespace starform::kube {

enum class Reason {
  kUnknown,
  kBadRequest,
  kUnauthorized,
  kForbidden,
  kNotFound,
  kMethodNotAllowed,
  kNotAcceptable,
  kAlreadyExists,
  kConflict,
  kGone,
  kExpired,
  kRequestEntityTooLarge,
  kUnsupportedMediaType,
  kInvalid,
  kTooManyRequests,
  kInternalError,
  kServiceUnavailable,
  kServerTimeout,  ///< 504, or reason ServerTimeout
  kTimeout,        ///< the client gave up waiting (no response)
  kTransport,      ///< no response: connection, TLS or proxy failure
  kCancelled,      ///< never sent: the run is stopping
  kCredentials,    ///< no credentials to send: the exec plugin or token file failed
};

/// The Status reason string ("NotFound") of |reason|.
const char* ReasonName(Reason reason);

struct ApiError {
  Reason reason = Reason::kUnknown;
  int code = 0;                     ///< HTTP status; 0 when there was no response
  std::string message;              ///< the server's message, or the transport's
  std::vector<StatusCause> causes;  ///< details.causes (reason, field, message)
  nlohmann::json details;           ///< Status.details as sent (name, group, kind)
  std::chrono::seconds retry_after{0};
  std::string method;  ///< of the request, for Describe()
  std::string url;

  /// One paragraph: what failed and, where there is one, what to do about it. Holds no
  /// credential (the URL has none; the server's messages have none).
  std::string Describe() const;
};

/// The error for a response that is not 2xx (or has no status), from its Status body when it
/// has one, else from the status code alone (as client-go's NewGenericServerResponse does).
ApiError ErrorFromResponse(const HttpRequest& request, const HttpResponse& response,
                           const std::string& server);

}  // namespace starform::kube
