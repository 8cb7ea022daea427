// Serving the openapi documents over HTTP as kube-openapi's handlers (handler/handler.go for
// v2, handler3/handler.go for v3) do.

#include <chrono>
#include <ctime>
#include <string>
#include <string_view>

#include <httplib.h>

#include "devcluster/openapi.h"

namespace starform::devcluster {
namespace {

// Whether the Accept header admits JSON ("" admits anything). The dev cluster does not write
// the protobuf forms, which kubectl asks for alone when it reads /openapi/v2.
bool AcceptsJson(std::string_view accept) {
  if (accept.empty())
    return true;
  size_t at = 0;
  while (at <= accept.size()) {
    size_t end = std::min(accept.find(',', at), accept.size());
    std::string_view clause = accept.substr(at, end - at);
    clause = clause.substr(0, clause.find(';'));
    while (!clause.empty() && clause.front() == ' ')
      clause.remove_prefix(1);
    while (!clause.empty() && clause.back() == ' ')
      clause.remove_suffix(1);
    if (clause == "application/json" || clause == "application/*" || clause == "*/*")
      return true;
    at = end + 1;
  }
  return false;
}

std::string HttpDate(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

// The body with its ETag, or 304 when the client has it.
void Send(const httplib::Request& req, httplib::Response& res, const std::string& body,
          const std::string& hash) {
  std::string etag = "\"" + hash + "\"";
  res.set_header("Etag", etag);
  if (req.get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.set_content(body, "application/json");
}

}  // namespace

bool ServeOpenApi(const OpenApi& api, const httplib::Request& req, httplib::Response& res) {
  if (req.method != "GET" && req.method != "HEAD")
    return false;
  const std::string& path = req.path;
  bool v2 = path == "/openapi/v2";
  bool discovery = path == "/openapi/v3" || path == "/openapi/v3/";
  const OpenApiDocument* group_version = nullptr;
  if (!v2 && !discovery) {
    if (!path.starts_with("/openapi/v3/"))
      return false;
    group_version = api.V3GroupVersion(path);
    if (!group_version)
      return false;
  }

  res.set_header("Vary", "Accept");
  if (!AcceptsJson(req.get_header_value("Accept"))) {
    res.status = 406;
    return true;
  }
  if (v2) {
    Send(req, res, api.V2().json, api.V2().hash);
    return true;
  }
  if (discovery) {
    res.status = 200;
    res.set_content(api.V3Discovery(), "application/json");
    return true;
  }
  if (req.has_param("hash")) {
    if (req.get_param_value("hash") != group_version->hash) {
      // A stale hash (the documents changed since the client read the discovery): send it to
      // the current one.
      res.status = 301;
      res.set_header("Location",
                     std::string(path.substr(0, path.find('?'))) + "?hash=" + group_version->hash);
      return true;
    }
    // Only a request naming the hash may cache for good: the hash changes with the document.
    res.set_header("Cache-Control", "public, immutable");
    res.set_header("Expires",
                   HttpDate(std::chrono::system_clock::now() + std::chrono::hours(24 * 365)));
  }
  Send(req, res, group_version->json, group_version->hash);
  return true;
}

}  // namespace starform::devcluster
