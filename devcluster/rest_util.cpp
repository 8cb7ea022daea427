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

namespace {
const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
}

std::string Base64UrlEncode(std::string_view data) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : data) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 63];
    }
  }
  if (bits > 0)
    out += kAlphabet[(buffer << (6 - bits)) & 63];
  return out;
}

bool Base64UrlDecode(std::string_view text, std::string* out) {
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=')
      break;
    const char* p = std::strchr(kAlphabet, c);
    if (p == nullptr || c == '\0')
      return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(p - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return true;
}

}  // namespace starform::devcluster
