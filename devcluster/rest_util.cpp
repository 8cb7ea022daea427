#include "devcluster/rest_util.h"

#include <httplib.h>

#include "devcluster/status.h"

namespace starform::devcluster {

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : "";
}

void WriteJson(httplib::Response& res, int code, const std::string& body) {
  res.status = code;
  res.set_content(body, "application/json");
}

uint64_t ParseResourceVersion(const std::string& value) {
  if (value.empty())
    return 0;
  uint64_t rv = 0;
  for (char c : value) {
    if (c < '0' || c > '9' || rv > UINT64_MAX / 10) {
      throw BadRequest("invalid resource version \"" + value + "\"");
    }
    rv = rv * 10 + static_cast<uint64_t>(c - '0');
  }
  return rv;
}

}  // namespace starform::devcluster
