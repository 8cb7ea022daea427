#include "kube/schema_format.h"

#include <arpa/inet.h>

#include <cctype>
#include <string>

namespace starform::kube {

namespace {

bool IsDigits(std::string_view text) {
  if (text.empty())
    return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
  }
  return true;
}

int ToInt(std::string_view digits) {
  int value = 0;
  for (char c : digits)
    value = value * 10 + (c - '0');
  return value;
}

// govalidator.IsBase64: ^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|
// [A-Za-z0-9+/]{4})$ -- so the empty string is not valid (a known surprise for caBundle: "").
bool IsBase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0)
    return false;
  size_t padding = 0;
  if (text.back() == '=')
    padding = text[text.size() - 2] == '=' ? 2 : 1;
  for (size_t i = 0; i < text.size() - padding; ++i) {
    const char c = text[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/')
      return false;
  }
  return true;
}

// Go's time.Parse("2006-01-02", text): four-digit year, a real month and day.
bool IsDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-')
    return false;
  const std::string_view year = text.substr(0, 4), month = text.substr(5, 2),
                         day = text.substr(8, 2);
  if (!IsDigits(year) || !IsDigits(month) || !IsDigits(day))
    return false;
  const int y = ToInt(year), m = ToInt(month), d = ToInt(day);
  if (m < 1 || m > 12 || d < 1)
    return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

// kube-openapi strfmt IsDateTime: lower-case, split at 't', a date before it and after it
// ^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$ with hour <= 23,
// minute and second <= 59.
bool IsDateTime(std::string_view text) {
  if (text.size() < 4)
    return false;
  std::string lower(text);
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t t = lower.find('t');
  if (t == std::string::npos || !IsDate(std::string_view(lower).substr(0, t)))
    return false;
  std::string_view time = std::string_view(lower).substr(t + 1);
  if (const size_t next_t = time.find('t'); next_t != std::string_view::npos) {
    time = time.substr(0, next_t);  // Go's strings.Split keeps only the second part
  }
  if (time.size() < 9 || time[2] != ':' || time[5] != ':')
    return false;
  const std::string_view hour = time.substr(0, 2), minute = time.substr(3, 2),
                         second = time.substr(6, 2);
  if (!IsDigits(hour) || !IsDigits(minute) || !IsDigits(second))
    return false;
  const auto zone_ok = [](std::string_view zone) {
    return zone == "z" ||
           (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && IsDigits(zone.substr(1, 2)) &&
            zone[3] == ':' && IsDigits(zone.substr(4)));
  };
  std::string_view rest = time.substr(8);
  bool valid = zone_ok(rest);
  if (!valid && rest.size() >= 2 && std::isdigit(static_cast<unsigned char>(rest[1]))) {
    // (.[0-9]+)? is any character and then digits; the zone cannot start with a digit, so
    // only the longest run of digits can be followed by it.
    size_t end = 1;
    while (end < rest.size() && std::isdigit(static_cast<unsigned char>(rest[end])))
      ++end;
    valid = zone_ok(rest.substr(end));
  }
  return valid && hour <= "23" && minute <= "59" && second <= "59";
}

// Go's net.ParseIP (no leading zeros, no zone), which govalidator's IsIPv4/IsIPv6 call.
bool ParsesAsIP(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// govalidator.IsCIDR: net.ParseCIDR, an address then /bits within the family's width.
bool IsCIDR(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos)
    return false;
  const std::string address = text.substr(0, slash);
  const std::string_view bits = std::string_view(text).substr(slash + 1);
  if (!IsDigits(bits) || bits.size() > 3)
    return false;
  unsigned char buffer[16];
  if (inet_pton(AF_INET, address.c_str(), buffer) == 1)
    return ToInt(bits) <= 32;
  if (inet_pton(AF_INET6, address.c_str(), buffer) == 1)
    return ToInt(bits) <= 128;
  return false;
}

// kube-openapi strfmt UUID patterns: (?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?V[0-9a-f]{3}-?
// [89ab]?[0-9a-f]{3}... with the version digit checked for uuid3/4/5 and the variant for 4/5.
bool IsUUID(std::string_view text, char version) {
  std::string hex;
  static constexpr size_t kGroups[] = {8, 4, 4, 4, 12};
  size_t i = 0;
  for (size_t group = 0; group < 5; ++group) {
    if (group > 0 && i < text.size() && text[i] == '-')
      ++i;
    for (size_t k = 0; k < kGroups[group]; ++k, ++i) {
      if (i >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i])))
        return false;
      hex += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
    }
  }
  if (i != text.size())
    return false;
  if (version == 0)
    return true;
  if (hex[12] != version)
    return false;
  return version == '3' || hex[16] == '8' || hex[16] == '9' || hex[16] == 'a' || hex[16] == 'b';
}

}  // namespace

bool MatchesFormat(Schema::Format format, std::string_view text) {
  using F = Schema::Format;
  switch (format) {
    case F::kNone:
    case F::kPassword:
      return true;
    case F::kByte:
      return IsBase64(text);
    case F::kDateTime:
      return IsDateTime(text);
    case F::kDate:
      return IsDate(text);
    case F::kIPv4:
      return text.find('.') != std::string_view::npos && ParsesAsIP(std::string(text));
    case F::kIPv6:
      return text.find(':') != std::string_view::npos && ParsesAsIP(std::string(text));
    case F::kCIDR:
      return IsCIDR(std::string(text));
    case F::kUUID:
      return IsUUID(text, 0);
    case F::kUUID3:
      return IsUUID(text, '3');
    case F::kUUID4:
      return IsUUID(text, '4');
    case F::kUUID5:
      return IsUUID(text, '5');
  }
  return true;
}

}  // namespace starform::kube
