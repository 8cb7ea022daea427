#pragma once

// Small helpers shared by the REST handlers.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kube/base64.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace starform::devcluster {

/// A query parameter, "" when absent.
std::string Param(const httplib::Request& req, const char* name);
/// Writes |body| as the JSON response with |code|.
void WriteJson(httplib::Response& res, int code, const std::string& body);
/// A resourceVersion query value as a number; throws 400 when it is not one.
uint64_t ParseResourceVersion(const std::string& value);
using kube::Base64UrlDecode;
using kube::Base64UrlEncode;

}  // namespace starform::devcluster
