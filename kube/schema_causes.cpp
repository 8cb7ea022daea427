#include "kube/schema_causes.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace starform::kube {

namespace {

// Decodes one UTF-8 sequence at |text|[*i]; returns -1 (and consumes one byte) when invalid,
// as Go's utf8.DecodeRuneInString reports RuneError with width 1.
int32_t DecodeRune(std::string_view text, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(*i);
  int length = 0;
  int32_t rune = 0;
  if (lead < 0x80) {
    ++*i;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    rune = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    rune = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    rune = lead & 0x07;
  } else {
    ++*i;
    return -1;
  }
  if (*i + length > text.size()) {
    ++*i;
    return -1;
  }
  for (int k = 1; k < length; ++k) {
    const unsigned char next = byte(*i + k);
    if ((next & 0xC0) != 0x80) {
      ++*i;
      return -1;
    }
    rune = (rune << 6) | (next & 0x3F);
  }
  static constexpr int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (rune < kMin[length] || rune > 0x10FFFF || (rune >= 0xD800 && rune <= 0xDFFF)) {
    ++*i;
    return -1;
  }
  *i += length;
  return rune;
}

// unicode.IsPrint for the runes that occur in practice: C0/C1 controls, the soft hyphen, the
// line and paragraph separators, the BOM and non-characters are not printable.
bool IsPrintable(int32_t rune) {
  if (rune < 0x20 || rune == 0x7F)
    return false;
  if (rune >= 0x80 && rune <= 0xA0)
    return false;
  if (rune == 0xAD || rune == 0x2028 || rune == 0x2029 || rune == 0xFEFF)
    return false;
  if ((rune & 0xFFFE) == 0xFFFE)
    return false;
  return true;
}

void AppendHex(std::string* out, const char* prefix, uint32_t value, int width) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%s%0*x", prefix, width, value);
  *out += buffer;
}

// Go's float formatting: shortest digits that round-trip, %e when the decimal exponent is
// below -4 or at least |exponent_limit| (6 for %v, 21 for %#v), exponents with two digits.
std::string FormatShortest(double value, int exponent_limit) {
  if (std::isnan(value))
    return "NaN";
  if (std::isinf(value))
    return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  std::string sci(buffer, end);  // d[.ddd]e[+-]XX
  const size_t e = sci.find('e');
  const int exponent = std::stoi(sci.substr(e + 1));
  std::string mantissa = sci.substr(0, e);
  bool negative = false;
  if (!mantissa.empty() && mantissa[0] == '-') {
    negative = true;
    mantissa.erase(0, 1);
  }
  std::string digits;
  for (char c : mantissa) {
    if (c != '.')
      digits += c;
  }
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= exponent_limit) {
    out += digits.substr(0, 1);
    if (digits.size() > 1)
      out += "." + digits.substr(1);
    char exp_text[16];
    std::snprintf(exp_text, sizeof(exp_text), "e%c%02d", exponent < 0 ? '-' : '+',
                  std::abs(exponent));
    return out + exp_text;
  }
  if (exponent < 0) {
    return out + "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  }
  const size_t integer_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= integer_digits) {
    return out + digits + std::string(integer_digits - digits.size(), '0');
  }
  return out + digits.substr(0, integer_digits) + "." + digits.substr(integer_digits);
}

std::string Body(std::string_view kind, std::string_view value_text, std::string_view detail) {
  std::string body(kind);
  body += ": ";
  body += value_text;
  if (!detail.empty()) {
    body += ": ";
    body += detail;
  }
  return body;
}

}  // namespace

std::string GoQuote(std::string_view text) {
  std::string out = "\"";
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    const int32_t rune = DecodeRune(text, &i);
    if (rune < 0) {
      AppendHex(&out, "\\x", static_cast<unsigned char>(text[start]), 2);
      continue;
    }
    switch (rune) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\a':
        out += "\\a";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\v':
        out += "\\v";
        continue;
      default:
        break;
    }
    if (IsPrintable(rune)) {
      out.append(text.substr(start, i - start));
    } else if (rune < 0x80) {
      AppendHex(&out, "\\x", static_cast<uint32_t>(rune), 2);
    } else if (rune < 0x10000) {
      AppendHex(&out, "\\u", static_cast<uint32_t>(rune), 4);
    } else {
      AppendHex(&out, "\\U", static_cast<uint32_t>(rune), 8);
    }
  }
  return out + "\"";
}

std::string GoFloat(double value) {
  return FormatShortest(value, 6);
}

std::string GoSharpV(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      std::string out = "map[string]interface {}{";
      bool first = true;
      for (const auto& [key, item] : value.items()) {  // sorted, as fmt sorts map keys
        if (!first)
          out += ", ";
        first = false;
        out += GoQuote(key) + ":" + GoSharpV(item);
      }
      return out + "}";
    }
    case nlohmann::json::value_t::array: {
      std::string out = "[]interface {}{";
      for (size_t i = 0; i < value.size(); ++i) {
        if (i > 0)
          out += ", ";
        out += GoSharpV(value[i]);
      }
      return out + "}";
    }
    case nlohmann::json::value_t::string:
      return GoQuote(value.get_ref<const std::string&>());
    case nlohmann::json::value_t::number_float:
      return FormatShortest(value.get<double>(), 21);
    case nlohmann::json::value_t::null:
      return "interface {}(nil)";
    default:
      return value.dump();  // integers and booleans print the same in Go and JSON
  }
}

std::string BadValue(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      return GoQuote(value.get_ref<const std::string&>());
    case nlohmann::json::value_t::number_float:
      return GoFloat(value.get<double>());
    case nlohmann::json::value_t::object:
    case nlohmann::json::value_t::array:
      return GoSharpV(value);
    default:
      return value.dump();  // null, integers, booleans
  }
}

StatusCause RequiredCause(std::string field) {
  return {"FieldValueRequired", std::move(field), "Required value"};
}

StatusCause InvalidCause(std::string field, std::string_view value_text, std::string_view detail) {
  return {"FieldValueInvalid", std::move(field), Body("Invalid value", value_text, detail)};
}

StatusCause TypeInvalidCause(std::string field, std::string_view value_text,
                             std::string_view detail) {
  return {"FieldValueTypeInvalid", std::move(field), Body("Invalid value", value_text, detail)};
}

StatusCause NotSupportedCause(std::string field, const nlohmann::json& value,
                              const std::vector<nlohmann::json>& allowed) {
  std::string detail;
  for (const auto& option : allowed) {
    detail += detail.empty() ? "supported values: " : ", ";
    detail += GoQuote(option.is_string() ? option.get_ref<const std::string&>() : option.dump());
  }
  return {"FieldValueNotSupported", std::move(field),
          Body("Unsupported value", BadValue(value), detail)};
}

StatusCause TooLongCause(std::string field, int64_t max) {
  return {"FieldValueTooLong", std::move(field),
          "Too long: may not be more than " + std::to_string(max) + " bytes"};
}

StatusCause TooManyCause(std::string field, int64_t actual, int64_t max) {
  return {"FieldValueTooMany", std::move(field),
          "Too many: " + std::to_string(actual) + ": must have at most " + std::to_string(max) +
              " items"};
}

StatusCause DuplicateCause(std::string field, const nlohmann::json& value) {
  return {"FieldValueDuplicate", std::move(field), "Duplicate value: " + BadValue(value)};
}

}  // namespace starform::kube
