#include "kube/base64.h"

#include <array>
#include <cstdint>

namespace starform::kube {

namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Encode(std::string_view data, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : data) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(buffer >> bits) & 63];
    }
  }
  if (bits > 0)
    out += alphabet[(buffer << (6 - bits)) & 63];
  while (pad && out.size() % 4 != 0)
    out += '=';
  return out;
}

std::array<int8_t, 256> Table(const char* alphabet) {
  std::array<int8_t, 256> table;
  table.fill(-1);
  for (int i = 0; i < 64; ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  return table;
}

bool Decode(std::string_view text, const std::array<int8_t, 256>& table, bool skip_space,
            std::string* out) {
  uint32_t buffer = 0;
  int bits = 0;
  size_t symbols = 0;
  size_t padding = 0;
  for (char c : text) {
    if (skip_space && (c == '\n' || c == '\r' || c == ' ' || c == '\t'))
      continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    int8_t v = table[static_cast<unsigned char>(c)];
    if (v < 0 || padding > 0)
      return false;
    ++symbols;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  // One symbol alone cannot carry a byte; padding, when present, must complete the group.
  if (symbols % 4 == 1)
    return false;
  return padding == 0 || (symbols + padding) % 4 == 0;
}

}  // namespace

std::string Base64Encode(std::string_view data) {
  return Encode(data, kStd, true);
}

bool Base64Decode(std::string_view text, std::string* out) {
  static const auto table = Table(kStd);
  return Decode(text, table, true, out);
}

std::string Base64UrlEncode(std::string_view data) {
  return Encode(data, kUrl, false);
}

bool Base64UrlDecode(std::string_view text, std::string* out) {
  static const auto table = Table(kUrl);
  return Decode(text, table, false, out);
}

}  // namespace starform::kube
