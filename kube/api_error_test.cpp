// Errors typed from what the server sends: Status bodies of each reason (as kube-apiserver
// writes them), bare status codes, Retry-After, and transport failures.

#include <catch2/catch.hpp>

#include "kube/api_error.h"

namespace starform::kube {
namespace {

HttpResponse Response(int status, const std::string& body,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = body;
  r.headers = std::move(headers);
  return r;
}

ApiError From(const HttpResponse& response) {
  HttpRequest request;
  request.method = "GET";
  request.path = "/apis/gateway.networking.k8s.io/v1/httproutes";
  return ErrorFromResponse(request, response, "https://10.0.0.1:6443");
}

std::string Status(int code, const std::string& reason, const std::string& message,
                   const std::string& details = "{}") {
  return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":")" +
         message + R"(","reason":")" + reason + R"(","details":)" + details + R"(,"code":)" +
         std::to_string(code) + "}";
}

TEST_CASE("each Status reason is typed") {
  struct Case {
    int code;
    const char* reason;
    Reason want;
  };
  for (const Case& c :
       std::vector<Case>{{404, "NotFound", Reason::kNotFound},
                         {409, "AlreadyExists", Reason::kAlreadyExists},
                         {409, "Conflict", Reason::kConflict},
                         {422, "Invalid", Reason::kInvalid},
                         {403, "Forbidden", Reason::kForbidden},
                         {401, "Unauthorized", Reason::kUnauthorized},
                         {429, "TooManyRequests", Reason::kTooManyRequests},
                         {504, "Timeout", Reason::kTimeout},
                         {500, "ServerTimeout", Reason::kServerTimeout},
                         {410, "Expired", Reason::kExpired},
                         {410, "Gone", Reason::kGone},
                         {400, "BadRequest", Reason::kBadRequest},
                         {500, "InternalError", Reason::kInternalError},
                         {503, "ServiceUnavailable", Reason::kServiceUnavailable}}) {
    ApiError e = From(Response(c.code, Status(c.code, c.reason, "the message")));
    INFO(c.reason);
    CHECK(e.reason == c.want);
    CHECK(e.code == c.code);
    CHECK(e.message == "the message");
    CHECK(std::string(ReasonName(e.reason)) == c.reason);
  }
}

TEST_CASE("an Invalid Status keeps its causes with their field paths") {
  ApiError e = From(Response(
      422,
      Status(
          422, "Invalid",
          R"(HTTPRoute.gateway.networking.k8s.io \"shop\" is invalid: spec.rules[0].backendRefs[0].port: Invalid value: 70000: must be less than or equal to 65535)",
          R"({"name":"shop","group":"gateway.networking.k8s.io","kind":"HTTPRoute","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: 70000: must be less than or equal to 65535","field":"spec.rules[0].backendRefs[0].port"}]})")));
  CHECK(e.reason == Reason::kInvalid);
  REQUIRE(e.causes.size() == 1);
  CHECK(e.causes[0].reason == "FieldValueInvalid");
  CHECK(e.causes[0].field == "spec.rules[0].backendRefs[0].port");
  CHECK(e.causes[0].message == "Invalid value: 70000: must be less than or equal to 65535");
  CHECK(e.details["kind"] == "HTTPRoute");
  CHECK(e.Describe() ==
        "Error from server (Invalid): HTTPRoute.gateway.networking.k8s.io \"shop\" is invalid: "
        "spec.rules[0].backendRefs[0].port: Invalid value: 70000: must be less than or equal to "
        "65535");
}

TEST_CASE("Retry-After comes from the header or from details.retryAfterSeconds") {
  ApiError header =
      From(Response(429, Status(429, "TooManyRequests", "slow down"), {{"Retry-After", "7"}}));
  CHECK(header.retry_after == std::chrono::seconds(7));
  ApiError details =
      From(Response(503, Status(503, "ServiceUnavailable", "later", R"({"retryAfterSeconds":3})")));
  CHECK(details.retry_after == std::chrono::seconds(3));
  ApiError junk = From(Response(429, "", {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}}));
  CHECK(junk.retry_after == std::chrono::seconds(0));
}

TEST_CASE("a response without a Status body gets client-go's generic message") {
  ApiError notfound = From(Response(404, "404 page not found\n"));
  CHECK(notfound.reason == Reason::kNotFound);
  CHECK(notfound.message == "the server could not find the requested resource");
  ApiError busy = From(Response(503, "<html>busy</html>"));
  CHECK(busy.reason == Reason::kServiceUnavailable);
  CHECK(busy.message == "the server is currently unable to handle the request");
  ApiError odd = From(Response(502, "bad gateway"));
  CHECK(odd.reason == Reason::kInternalError);
  CHECK(odd.message ==
        "an error on the server (\"bad gateway\") has prevented the request from succeeding");
  ApiError teapot = From(Response(418, ""));
  CHECK(teapot.reason == Reason::kUnknown);
  CHECK(teapot.Describe() ==
        "Error from server (code 418): the server responded with the status code 418 but did "
        "not return more information");
}

TEST_CASE("transport failures say which server and what to check") {
  HttpResponse refused;
  refused.error = "Failed to connect to 10.0.0.1 port 6443: Connection refused";
  ApiError e = From(refused);
  CHECK(e.reason == Reason::kTransport);
  CHECK(e.code == 0);
  CHECK(e.Describe() ==
        "The connection to the server 10.0.0.1:6443 was refused - did you specify the right host "
        "or port?");

  HttpResponse tls;
  tls.error = "SSL certificate problem: unable to get local issuer certificate";
  CHECK(From(tls).Describe() ==
        "Unable to connect to the server 10.0.0.1:6443: SSL certificate problem: unable to get "
        "local issuer certificate (the server's certificate does not match the cluster's "
        "certificate-authority or tls-server-name: check the kubeconfig, "
        "--certificate-authority or --tls-server-name)");

  HttpResponse slow;
  slow.error = "Operation timed out after 5000 milliseconds with 0 bytes received";
  slow.timed_out = true;
  ApiError timeout = From(slow);
  CHECK(timeout.reason == Reason::kTimeout);
  CHECK(timeout.Describe() ==
        "Unable to connect to the server 10.0.0.1:6443: Operation timed out after 5000 "
        "milliseconds with 0 bytes received (raise --request-timeout if the server is slow)");

  HttpResponse cancelled;
  cancelled.cancelled = true;
  cancelled.error = "not started: stopping";
  ApiError stop = From(cancelled);
  CHECK(stop.reason == Reason::kCancelled);
  CHECK(stop.Describe() ==
        "GET https://10.0.0.1:6443/apis/gateway.networking.k8s.io/v1/httproutes was not sent: "
        "stopping");
}

TEST_CASE("Unauthorized reads as kubectl's") {
  ApiError e = From(Response(401, Status(401, "Unauthorized", "Unauthorized")));
  CHECK(e.Describe() == "You must be logged in to the server (Unauthorized)");
}

}  // namespace
}  // namespace starform::kube
