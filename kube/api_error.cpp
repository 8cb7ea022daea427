#include "kube/api_error.h"

#include <array>
#include <utility>

namespace starform::kube {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<Reason, const char*>, 22> kNames = {{
    {Reason::kUnknown, ""},
    {Reason::kBadRequest, "BadRequest"},
    {Reason::kUnauthorized, "Unauthorized"},
    {Reason::kForbidden, "Forbidden"},
    {Reason::kNotFound, "NotFound"},
    {Reason::kMethodNotAllowed, "MethodNotAllowed"},
    {Reason::kNotAcceptable, "NotAcceptable"},
    {Reason::kAlreadyExists, "AlreadyExists"},
    {Reason::kConflict, "Conflict"},
    {Reason::kGone, "Gone"},
    {Reason::kExpired, "Expired"},
    {Reason::kRequestEntityTooLarge, "RequestEntityTooLarge"},
    {Reason::kUnsupportedMediaType, "UnsupportedMediaType"},
    {Reason::kInvalid, "Invalid"},
    {Reason::kTooManyRequests, "TooManyRequests"},
    {Reason::kInternalError, "InternalError"},
    {Reason::kServiceUnavailable, "ServiceUnavailable"},
    {Reason::kServerTimeout, "ServerTimeout"},
    {Reason::kTimeout, "Timeout"},
    {Reason::kTransport, "Transport"},
    {Reason::kCancelled, "Cancelled"},
    {Reason::kCredentials, "Credentials"},
}};

Reason FromCode(int code) {
  switch (code) {
    case 400:
      return Reason::kBadRequest;
    case 401:
      return Reason::kUnauthorized;
    case 403:
      return Reason::kForbidden;
    case 404:
      return Reason::kNotFound;
    case 405:
      return Reason::kMethodNotAllowed;
    case 406:
      return Reason::kNotAcceptable;
    case 409:
      return Reason::kConflict;
    case 410:
      return Reason::kGone;
    case 413:
      return Reason::kRequestEntityTooLarge;
    case 415:
      return Reason::kUnsupportedMediaType;
    case 422:
      return Reason::kInvalid;
    case 429:
      return Reason::kTooManyRequests;
    case 503:
      return Reason::kServiceUnavailable;
    case 504:
      return Reason::kServerTimeout;
    default:
      return code >= 500 ? Reason::kInternalError : Reason::kUnknown;
  }
}

// client-go's NewGenericServerResponse wording, for a response without a Status body.
std::string GenericMessage(int code, const std::string& body) {
  switch (code) {
    case 400:
      return "the server rejected our request for an unknown reason";
    case 401:
      return "the server has asked for the client to provide credentials";
    case 403:
      return "the server does not allow access to the requested resource";
    case 404:
      return "the server could not find the requested resource";
    case 405:
      return "the server does not allow this method on the requested resource";
    case 409:
      return "the server reported a conflict";
    case 413:
      return "the server has refused to process the request because it is too large";
    case 415:
      return "the server does not support the media type of the request";
    case 422:
      return "the server rejected our request due to an error in our request";
    case 429:
      return "the server has received too many requests and has asked us to try again later";
    case 503:
      return "the server is currently unable to handle the request";
    case 504:
      return "the server was unable to return a response in the time allotted, but may still "
             "be processing the request";
    default:
      break;
  }
  std::string excerpt = body.substr(0, 200);
  if (code >= 500)
    return "an error on the server (\"" + excerpt + "\") has prevented the request from succeeding";
  return "the server responded with the status code " + std::to_string(code) +
         " but did not return more information";
}

std::string HostOf(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find('/', start);
  return url.substr(start, end == std::string::npos ? end : end - start);
}

bool Contains(const std::string& text, const char* needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace

const char* ReasonName(Reason reason) {
  for (const auto& [r, name] : kNames) {
    if (r == reason)
      return name;
  }
  return "";
}

ApiError ErrorFromResponse(const HttpRequest& request, const HttpResponse& response,
                           const std::string& server) {
  ApiError e;
  e.method = request.method;
  e.url = server + request.path;
  if (response.cancelled) {
    e.reason = Reason::kCancelled;
    e.message = response.error;
    return e;
  }
  if (response.status == 0) {
    e.reason = response.timed_out ? Reason::kTimeout : Reason::kTransport;
    e.message = response.error;
    return e;
  }
  e.code = response.status;
  e.reason = FromCode(e.code);
  std::string retry_after = response.Header("Retry-After");
  if (!retry_after.empty() && retry_after.find_first_not_of("0123456789") == std::string::npos)
    e.retry_after = std::chrono::seconds(std::stoll(retry_after));
  json status = json::parse(response.body, nullptr, false);
  if (status.is_object() && status.value("kind", "") == "Status") {
    e.message = status.value("message", "");
    std::string reason = status.value("reason", "");
    for (const auto& [r, name] : kNames) {
      if (!reason.empty() && reason == name)
        e.reason = r;
    }
    if (status.contains("details") && status["details"].is_object()) {
      e.details = status["details"];
      for (const json& c : e.details.value("causes", json::array())) {
        e.causes.push_back({c.value("reason", ""), c.value("field", ""), c.value("message", "")});
      }
      if (e.retry_after.count() == 0 && e.details.contains("retryAfterSeconds"))
        e.retry_after = std::chrono::seconds(e.details.value("retryAfterSeconds", 0));
    }
  }
  if (e.message.empty())
    e.message = GenericMessage(e.code, response.body);
  return e;
}

std::string ApiError::Describe() const {
  switch (reason) {
    case Reason::kTransport:
      if (Contains(message, "refused")) {
        return "The connection to the server " + HostOf(url) +
               " was refused - did you specify the right host or port?";
      }
      // libcurl's wording for refused and unreachable alike.
      if (Contains(message, "Couldn't connect to server")) {
        return "Unable to connect to the server " + HostOf(url) + ": " + message +
               " - is the cluster running, and did you specify the right host or port?";
      }
      if (Contains(message, "SSL certificate") || Contains(message, "certificate verify") ||
          Contains(message, "SSL: no alternative certificate subject name")) {
        return "Unable to connect to the server " + HostOf(url) + ": " + message +
               " (the server's certificate does not match the cluster's certificate-authority "
               "or tls-server-name: check the kubeconfig, --certificate-authority or "
               "--tls-server-name)";
      }
      return "Unable to connect to the server " + HostOf(url) + ": " + message;
    case Reason::kTimeout:
      return "Unable to connect to the server " + HostOf(url) + ": " + message +
             " (raise --request-timeout if the server is slow)";
    case Reason::kCancelled:
      return method + " " + url + " was not sent: stopping";
    case Reason::kCredentials:
      return "getting credentials: " + message;
    case Reason::kUnauthorized:
      return "You must be logged in to the server (Unauthorized)";
    default:
      break;
  }
  std::string name = ReasonName(reason);
  if (name.empty())
    name = "code " + std::to_string(code);
  return "Error from server (" + name + "): " + message;
}

}  // namespace starform::kube
