#include "plan/yaml_emit.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace starform {
namespace {

using nlohmann::json;

constexpr int kIndent = 2;
// yaml.v2's default line width: a space past this column becomes a line fold.
constexpr size_t kBestWidth = 80;
// yaml.v2 writes longer keys in the explicit "? key\n: value" form.
constexpr size_t kMaxSimpleKeyLength = 128;

// ---------------------------------------------------------------------------------------------
// Characters.

// Decodes the UTF-8 sequence at |s|[|i|] into |cp|; returns its length, or 0 if it is not valid
// UTF-8 (overlong forms, surrogates and values past U+10FFFF included, as Go rejects them).
size_t DecodeUtf8(std::string_view s, size_t i, char32_t* cp) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t length;
  char32_t value;
  char32_t minimum;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2, value = b0 & 0x1F, minimum = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, value = b0 & 0x0F, minimum = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, value = b0 & 0x07, minimum = 0x10000;
  } else {
    return 0;
  }
  if (i + length > s.size())
    return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80)
      return 0;
    value = (value << 6) | (byte(k) & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
    return 0;
  *cp = value;
  return length;
}

// yaml.v2's is_printable: what it writes unescaped. Tabs, C0/C1 controls, DEL, the BOM,
// U+FFFE/U+FFFF and everything past the BMP (emoji) are not.
bool IsPrintable(char32_t cp) {
  return cp == 0x0A || (cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA0 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD && cp != 0xFEFF);
}

// YAML 1.1 line breaks (yaml.v2's is_break).
bool IsBreak(char32_t cp) {
  return cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

// A character that forces double quotes. Beyond yaml.v2's non-printables, U+2028 and U+2029:
// yaml.v2 writes them raw as line breaks, which YAML 1.2 readers take as content and then read
// the indentation that follows as content too.
bool IsSpecial(char32_t cp) {
  return !IsPrintable(cp) || cp == 0x2028 || cp == 0x2029;
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// ---------------------------------------------------------------------------------------------
// Type resolution: would |s|, written plain, read back as something other than this string?

// yaml.v2's resolve map (YAML 1.1 booleans and nulls, special floats), a superset of the YAML
// 1.2 core schema's, plus the merge key "<<" (yaml.v2 writes it plain; readers merge on it).
bool IsReservedWord(std::string_view s) {
  static constexpr std::string_view kWords[] = {
      "y",    "Y",    "yes",   "Yes",   "YES",   "n",     "N",     "no",    "No",   "NO",
      "true", "True", "TRUE",  "false", "False", "FALSE", "on",    "On",    "ON",   "off",
      "Off",  "OFF",  "~",     "null",  "Null",  "NULL",  ".nan",  ".NaN",  ".NAN", ".inf",
      ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<"};
  if (s.empty())
    return true;  // the empty plain scalar is null
  if (s.size() > 5)
    return false;
  for (std::string_view word : kWords) {
    if (word == s)
      return true;
  }
  return false;
}

// Consumes digits accepted by |is_digit| from |s| at |*i|; returns how many.
template <typename Pred>
size_t SkipWhile(std::string_view s, size_t* i, Pred is_digit) {
  const size_t start = *i;
  while (*i < s.size() && is_digit(s[*i]))
    ++*i;
  return *i - start;
}

// Go's integer literal syntax (strconv.ParseInt with base 0): [+-] then 0x.., 0b.., 0o.., 0..
// (octal) or a decimal. yaml.v2 resolves any of them to an int, whatever the size.
bool IsIntLiteral(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size())
    return false;
  if (s[i] != '0')
    return SkipWhile(s, &i, IsDigit) > 0 && i == s.size();
  ++i;
  if (i == s.size())
    return true;
  const char prefix = static_cast<char>(s[i] | 0x20);
  auto is_hex = [](char c) { return IsDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); };
  auto is_binary = [](char c) { return c == '0' || c == '1'; };
  auto is_octal = [](char c) { return c >= '0' && c <= '7'; };
  size_t digits;
  if (prefix == 'x') {
    ++i, digits = SkipWhile(s, &i, is_hex);
  } else if (prefix == 'b') {
    ++i, digits = SkipWhile(s, &i, is_binary);
  } else if (prefix == 'o') {
    ++i, digits = SkipWhile(s, &i, is_octal);
  } else {
    digits = SkipWhile(s, &i, is_octal);
  }
  return digits > 0 && i == s.size();
}

// The YAML 1.2 core schema float, which yaml.v2 also uses:
// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsFloatLiteral(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (SkipWhile(s, &i, IsDigit) == 0)
      return false;
  } else {
    if (SkipWhile(s, &i, IsDigit) == 0)
      return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      SkipWhile(s, &i, IsDigit);
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-'))
      ++i;
    if (SkipWhile(s, &i, IsDigit) == 0)
      return false;
  }
  return i == s.size();
}

// YAML 1.1 sexagesimal numbers ("1:20", "-3:25:45.5"), which yaml.v2 quotes for the parsers
// that still read them as numbers: [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?
bool IsBase60(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size() || !IsDigit(s[i]))
    return false;
  auto is_digit_or_underscore = [](char c) { return IsDigit(c) || c == '_'; };
  SkipWhile(s, &i, is_digit_or_underscore);
  size_t groups = 0;
  while (i < s.size() && s[i] == ':') {
    ++i;
    const size_t start = i;
    const size_t digits = SkipWhile(s, &i, IsDigit);
    if (digits == 0 || digits > 2 || (digits == 2 && s[start] > '5'))
      return false;
    ++groups;
  }
  if (groups == 0)
    return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    SkipWhile(s, &i, is_digit_or_underscore);
  }
  return i == s.size();
}

// A YAML 1.1 timestamp: YYYY-M-D, or that followed by T, t or spaces, H:M:S, a fraction and a
// zone (Z or +H[:MM], after optional spaces). A superset of what yaml.v2 reads as a time (it
// wants a zone after 'T' and checks the ranges), so that what any reader takes for a time is
// quoted.
bool IsTimestamp(std::string_view s) {
  size_t i = 0;
  auto digits_between = [&](size_t low, size_t high) {
    const size_t count = SkipWhile(s, &i, IsDigit);
    return count >= low && count <= high;
  };
  auto skip = [&](char c) {
    if (i == s.size() || s[i] != c)
      return false;
    ++i;
    return true;
  };
  auto skip_spaces = [&] { return SkipWhile(s, &i, [](char c) { return c == ' '; }); };
  if (!digits_between(4, 4) || !skip('-') || !digits_between(1, 2) || !skip('-') ||
      !digits_between(1, 2)) {
    return false;
  }
  if (i == s.size())
    return true;
  if (!skip('T') && !skip('t') && skip_spaces() == 0)
    return false;
  if (!digits_between(1, 2) || !skip(':') || !digits_between(1, 2) || !skip(':') ||
      !digits_between(1, 2)) {
    return false;
  }
  if (skip('.') || skip(','))
    SkipWhile(s, &i, IsDigit);
  skip_spaces();
  if (skip('Z'))
    return i == s.size();
  if (skip('+') || skip('-')) {
    if (!digits_between(1, 2))
      return false;
    if (skip(':') && !digits_between(2, 2))
      return false;
  }
  return i == s.size();
}

// Whether |s| written plain would read back as null, a bool, a number or a time: yaml.v2's
// resolve(), plus what a YAML 1.2 core or other YAML 1.1 reader would resolve.
bool ResolvesToNonString(std::string_view s) {
  if (s.empty())
    return true;
  const char first = s[0];
  if (!IsDigit(first) && first != '+' && first != '-' && first != '.') {
    // Most keys and names start with a letter that begins no reserved word: skip the lookup.
    return std::string_view("yYnNtTfFoO~<").find(first) != std::string_view::npos &&
           IsReservedWord(s);
  }
  if (IsReservedWord(s) || IsTimestamp(s) || IsBase60(s))
    return true;
  if (s.find('_') == std::string_view::npos)
    return IsIntLiteral(s) || IsFloatLiteral(s);
  // YAML 1.1 numbers may hold '_': yaml.v2 drops them before parsing ("0_x1" is 0x1), YAML 1.1's
  // patterns take them where digits go ("._" and "0x_" match its float and int).
  std::string dropped, as_digits;
  for (char c : s) {
    if (c != '_')
      dropped += c;
    as_digits += c == '_' ? '0' : c;
  }
  return IsIntLiteral(dropped) || IsFloatLiteral(dropped) || IsIntLiteral(as_digits) ||
         IsFloatLiteral(as_digits);
}

// ---------------------------------------------------------------------------------------------
// Scalar analysis: which styles can hold |s| (yaml.v2's yaml_emitter_analyze_scalar, for block
// context, the only one we write scalars in).

struct ScalarFacts {
  bool plain_allowed = true;
  bool single_quoted_allowed = true;
  bool literal_allowed = true;
  bool multiline = false;    // holds a line break: as a key it must be explicit
  bool has_newline = false;  // yaml.v2 then asks for a literal block
  bool has_space = false;    // may be folded
};

[[noreturn]] void ThrowInvalidUtf8(std::string_view s, size_t offset) {
  throw std::invalid_argument("YAML output: string is not valid UTF-8 at byte " +
                              std::to_string(offset) + " (of " + std::to_string(s.size()) + ")");
}

// Indicators make plain text read as YAML syntax: at the start ("*x" is an alias, "- x" an
// item, "'x" a quoted scalar) or anywhere (": " ends a key, " #" starts a comment).
bool IsIndicator(char32_t cp, bool first, bool preceded_by_whitespace,
                 bool followed_by_whitespace) {
  if (first) {
    if (cp != 0 && cp < 0x80 &&
        std::string_view("#,[]{}&*!|>'\"%@`").find(static_cast<char>(cp)) != std::string_view::npos)
      return true;
    return (cp == '?' || cp == ':' || cp == '-') && followed_by_whitespace;
  }
  return (cp == ':' && followed_by_whitespace) || (cp == '#' && preceded_by_whitespace);
}

// Most strings in Kubernetes objects are names, paths and versions: printable ASCII without
// spaces, plain unless an indicator starts them or a ':' ends them. One cheap scan keeps them off
// the general path below.
bool IsPlainAscii(std::string_view s) {
  if (std::string_view("#,[]{}&*!|>'\"%@`?:-.").find(s.front()) != std::string_view::npos)
    return false;
  if (s.back() == ':')
    return false;
  for (char c : s) {
    if (c <= ' ' || c >= 0x7F)  // also every byte of non-ASCII text
      return false;
  }
  return true;
}

ScalarFacts Analyze(std::string_view s) {
  ScalarFacts facts;
  if (s.empty()) {
    facts.literal_allowed = false;
    return facts;
  }
  if (IsPlainAscii(s))
    return facts;
  bool indicators = s.starts_with("---") || s.starts_with("...");
  bool special = false;
  bool leading_space = false, leading_break = false, trailing_space = false;
  bool trailing_break = false, break_space = false, space_break = false;
  bool preceded_by_whitespace = true, previous_space = false, previous_break = false;
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    char32_t cp;
    const size_t width = DecodeUtf8(s, i, &cp);
    if (width == 0)
      ThrowInvalidUtf8(s, i);
    const bool followed_by_whitespace =
        i + width >= n || s[i + width] == ' ' || s[i + width] == '\t';
    indicators =
        indicators || IsIndicator(cp, i == 0, preceded_by_whitespace, followed_by_whitespace);
    special = special || IsSpecial(cp);
    const bool last = i + width == n;
    if (cp == ' ') {
      facts.has_space = true;
      leading_space = leading_space || i == 0;
      trailing_space = trailing_space || last;
      break_space = break_space || previous_break;
      previous_space = true;
      previous_break = false;
    } else if (IsBreak(cp)) {
      facts.multiline = true;
      facts.has_newline = facts.has_newline || cp == '\n';
      leading_break = leading_break || i == 0;
      trailing_break = trailing_break || last;
      space_break = space_break || previous_space;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = false;
      previous_break = false;
    }
    preceded_by_whitespace = cp == ' ' || cp == '\t' || cp == 0 || IsBreak(cp);
    i += width;
  }
  facts.plain_allowed = !(leading_space || leading_break || trailing_space || trailing_break ||
                          break_space || space_break || special || facts.multiline || indicators);
  facts.single_quoted_allowed = !(break_space || space_break || special);
  facts.literal_allowed = !(trailing_space || space_break || special);
  return facts;
}

enum class Style { kPlain, kSingleQuoted, kDoubleQuoted, kLiteral };

// yaml.v2's choice (encode.go stringv, then yaml_emitter_select_scalar_style).
Style ChooseStyle(std::string_view s, const ScalarFacts& facts, bool simple_key) {
  Style style;
  if (facts.has_newline) {
    style = Style::kLiteral;
  } else if (ResolvesToNonString(s)) {
    style = Style::kDoubleQuoted;
  } else {
    style = Style::kPlain;
  }
  if (style == Style::kPlain && !facts.plain_allowed)
    style = Style::kSingleQuoted;
  if (style == Style::kSingleQuoted && !facts.single_quoted_allowed)
    style = Style::kDoubleQuoted;
  if (style == Style::kLiteral && (!facts.literal_allowed || simple_key)) {
    style = Style::kDoubleQuoted;
  }
  return style;
}

// ---------------------------------------------------------------------------------------------
// Writing.

void AppendHex(char32_t value, int digits, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out->push_back(kHex[(value >> shift) & 0xF]);
  }
}

// yaml.v2's one-letter escapes inside double quotes. It also writes U+0085 as "\N", but yaml-cpp
// reads that back as a lone byte 0x85 (not UTF-8), so U+0085 takes the "\x85" form, which every
// reader gets right.
constexpr std::pair<char32_t, char> kShortEscapes[] = {
    {0x00, '0'}, {0x07, 'a'}, {0x08, 'b'}, {0x09, 't'},  {0x0A, 'n'},   {0x0B, 'v'},  {0x0C, 'f'},
    {0x0D, 'r'}, {0x1B, 'e'}, {0x22, '"'}, {0x5C, '\\'}, {0x2028, 'L'}, {0x2029, 'P'}};

// Appends the escape of |cp| inside double quotes; returns the columns it takes.
size_t AppendEscape(char32_t cp, std::string* out) {
  out->push_back('\\');
  for (const auto& [escaped, letter] : kShortEscapes) {
    if (escaped == cp) {
      out->push_back(letter);
      return 2;
    }
  }
  const int digits = cp <= 0xFF ? 2 : cp <= 0xFFFF ? 4 : 8;
  out->push_back(digits == 2 ? 'x' : digits == 4 ? 'u' : 'U');
  AppendHex(cp, digits, out);
  return 2 + digits;
}

// Shortest text that reads back as the same double, and as a float under YAML 1.1 too, which
// wants a '.' in the mantissa and a sign in the exponent: 1.0, 0.1, 1.0e+21, 1.5e-07.
void AppendFloat(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append(".nan");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? ".inf" : "-.inf");
    return;
  }
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  const std::string_view text(buffer, result.ptr - buffer);
  const size_t exponent = text.find('e');
  const std::string_view mantissa = text.substr(0, exponent);
  out->append(mantissa);
  if (mantissa.find('.') == std::string_view::npos)
    out->append(".0");
  if (exponent != std::string_view::npos)
    out->append(text.substr(exponent));
}

template <typename Int>
void AppendInteger(Int value, std::string* out) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, result.ptr);
}

class Emitter {
 public:
  explicit Emitter(std::string* out) : out_(out), document_start_(out->size()) {}

  void Document(const json& value) {
    if (IsBlockCollection(value)) {
      Collection(value, 0, /*continues_line=*/false);
    } else {
      // yaml.v2 indents a root scalar's continuation lines by 2.
      Scalar(value, kIndent);
      EndLine();
    }
  }

 private:
  static bool IsBlockCollection(const json& value) {
    return (value.is_object() || value.is_array()) && !value.empty();
  }

  // A non-empty mapping or sequence at |indent|. With |continues_line| its first line goes on
  // the current line, after "- " or "? ".
  void Collection(const json& value, int indent, bool continues_line) {
    if (value.is_object()) {
      Mapping(value.get_ref<const json::object_t&>(), indent, continues_line);
    } else {
      Sequence(value.get_ref<const json::array_t&>(), indent, continues_line);
    }
  }

  void Mapping(const json::object_t& mapping, int indent, bool continues_line) {
    for (const auto& [key, value] : mapping) {
      if (!continues_line)
        out_->append(indent, ' ');
      continues_line = false;
      Entry(key, value, indent);
    }
  }

  // kubectl style: items of a sequence that is a mapping's value start at the key's column,
  // and an item that is a mapping or a sequence starts on the dash's line.
  void Sequence(const json::array_t& sequence, int indent, bool continues_line) {
    for (const json& item : sequence) {
      if (!continues_line)
        out_->append(indent, ' ');
      continues_line = false;
      out_->append("- ");
      if (IsBlockCollection(item)) {
        Collection(item, indent + kIndent, /*continues_line=*/true);
      } else {
        Scalar(item, indent + kIndent);
        EndLine();
      }
    }
  }

  // One "key: value" of a mapping whose keys are at |indent|; the line is already indented.
  void Entry(const std::string& key, const json& value, int indent) {
    const ScalarFacts facts = Analyze(key);
    if (facts.multiline || key.size() > kMaxSimpleKeyLength) {
      ExplicitEntry(key, facts, value, indent);
      return;
    }
    String(key, facts, indent + kIndent, /*simple_key=*/true);
    out_->push_back(':');
    if (value.is_object() && !value.empty()) {
      out_->push_back('\n');
      Mapping(value.get_ref<const json::object_t&>(), indent + kIndent, false);
    } else if (value.is_array() && !value.empty()) {
      out_->push_back('\n');
      Sequence(value.get_ref<const json::array_t&>(), indent, false);
    } else {
      out_->push_back(' ');
      Scalar(value, indent + kIndent);
      EndLine();
    }
  }

  // yaml.v2's form for keys that cannot be simple (too long, or multi-line):
  // "? key\n: value", the value's first line on the ':' line.
  void ExplicitEntry(const std::string& key, const ScalarFacts& facts, const json& value,
                     int indent) {
    out_->append("? ");
    String(key, facts, indent + kIndent, /*simple_key=*/false);
    EndLine();
    out_->append(indent, ' ');
    out_->append(": ");
    if (IsBlockCollection(value)) {
      Collection(value, indent + kIndent, /*continues_line=*/true);
    } else {
      Scalar(value, indent + kIndent);
      EndLine();
    }
  }

  // A scalar or an empty collection, on the current line; |indent| is where its continuation
  // lines (folds, literal block lines) go.
  void Scalar(const json& value, int indent) {
    switch (value.type()) {
      case json::value_t::null:
        out_->append("null");
        break;
      case json::value_t::boolean:
        out_->append(value.get<bool>() ? "true" : "false");
        break;
      case json::value_t::number_integer:
        AppendInteger(value.get<std::int64_t>(), out_);
        break;
      case json::value_t::number_unsigned:
        AppendInteger(value.get<std::uint64_t>(), out_);
        break;
      case json::value_t::number_float:
        AppendFloat(value.get<double>(), out_);
        break;
      case json::value_t::string: {
        const auto& text = value.get_ref<const std::string&>();
        String(text, Analyze(text), indent, /*simple_key=*/false);
        break;
      }
      case json::value_t::object:
        out_->append("{}");
        break;
      case json::value_t::array:
        out_->append("[]");
        break;
      case json::value_t::binary:
      case json::value_t::discarded:
        throw std::invalid_argument("YAML output: binary and discarded JSON values have no form");
    }
  }

  // Keys (|simple_key|) are never folded and never literal blocks, as in yaml.v2.
  void String(std::string_view s, const ScalarFacts& facts, int indent, bool simple_key) {
    const bool fold = !simple_key && facts.has_space;
    switch (ChooseStyle(s, facts, simple_key)) {
      case Style::kPlain:
        if (fold) {
          Plain(s, indent);
        } else {
          out_->append(s);
        }
        break;
      case Style::kSingleQuoted:
        SingleQuoted(s, indent, fold);
        break;
      case Style::kDoubleQuoted:
        DoubleQuoted(s, indent, fold);
        break;
      case Style::kLiteral:
        Literal(s, indent);
        break;
    }
  }

  // Characters on the current line so far (yaml.v2 counts characters, not bytes).
  size_t Column() const {
    const size_t newline = out_->rfind('\n');
    size_t start = newline == std::string::npos ? 0 : newline + 1;
    if (start < document_start_)
      start = document_start_;
    size_t column = 0;
    for (size_t i = start; i < out_->size(); ++i) {
      column += (static_cast<unsigned char>((*out_)[i]) & 0xC0) != 0x80;
    }
    return column;
  }

  void NewLine(int indent) {
    out_->push_back('\n');
    out_->append(indent, ' ');
  }

  // yaml.v2 folds at the first single space past column 80; the reader folds the line break
  // back into that space.
  void Plain(std::string_view s, int indent) {
    size_t column = Column();
    bool spaces = false;
    for (size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (c == ' ') {
        if (!spaces && column > kBestWidth && i + 1 < s.size() && s[i + 1] != ' ') {
          NewLine(indent);
          column = indent;
        } else {
          out_->push_back(' ');
          ++column;
        }
        spaces = true;
      } else {
        out_->push_back(c);
        column += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        spaces = false;
      }
    }
  }

  void SingleQuoted(std::string_view s, int indent, bool fold) {
    size_t column = fold ? Column() : 0;
    out_->push_back('\'');
    ++column;
    bool spaces = false;
    for (size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (c == ' ') {
        if (fold && !spaces && column > kBestWidth && i > 0 && i + 1 < s.size() &&
            s[i + 1] != ' ') {
          NewLine(indent);
          column = indent;
        } else {
          out_->push_back(' ');
          ++column;
        }
        spaces = true;
      } else {
        if (c == '\'') {
          out_->push_back('\'');
          ++column;
        }
        out_->push_back(c);
        column += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        spaces = false;
      }
    }
    out_->push_back('\'');
  }

  void DoubleQuoted(std::string_view s, int indent, bool fold) {
    size_t column = fold ? Column() : 0;
    out_->push_back('"');
    ++column;
    bool spaces = false;
    for (size_t i = 0; i < s.size();) {
      char32_t cp;
      const size_t width = DecodeUtf8(s, i, &cp);  // Analyze() has validated |s|.
      if (IsSpecial(cp) || IsBreak(cp) || cp == '"' || cp == '\\') {
        column += AppendEscape(cp, out_);
        spaces = false;
      } else if (cp == ' ') {
        if (fold && !spaces && column > kBestWidth && i > 0 && i + 1 < s.size()) {
          NewLine(indent);
          column = indent;
          // A line's leading spaces are not content: escape the next one.
          if (s[i + 1] == ' ') {
            out_->push_back('\\');
            ++column;
          }
        } else {
          out_->push_back(' ');
          ++column;
        }
        spaces = true;
      } else {
        out_->append(s.substr(i, width));
        ++column;
        spaces = false;
      }
      i += width;
    }
    out_->push_back('"');
  }

  // "|" with yaml.v2's hints: an indentation indicator when the text starts with a space or a
  // break (the reader could not tell the indentation otherwise), "-" when it does not end with a
  // line break, "+" when it ends with more than one. Only called for text without special
  // characters, so '\n' is its only line break.
  void Literal(std::string_view s, int indent) {
    out_->push_back('|');
    if (s.front() == ' ' || s.front() == '\n')
      out_->push_back('0' + kIndent);
    if (s.back() != '\n') {
      out_->push_back('-');
    } else if (s.size() == 1 || s[s.size() - 2] == '\n') {
      out_->push_back('+');
    }
    out_->push_back('\n');
    size_t i = 0;
    while (i < s.size()) {
      if (s[i] == '\n') {
        out_->push_back('\n');
        ++i;
        continue;
      }
      const size_t end = std::min(s.find('\n', i), s.size());
      out_->append(indent, ' ');
      out_->append(s.substr(i, end - i));
      i = end;
    }
  }

  // A literal block already ends its last line; everything else needs the newline.
  void EndLine() {
    if (out_->size() == document_start_ || out_->back() != '\n')
      out_->push_back('\n');
  }

  std::string* out_;
  size_t document_start_;
};

}  // namespace

std::string ToYaml(const nlohmann::json& value) {
  std::string out;
  AppendYaml(value, &out);
  return out;
}

void AppendYaml(const nlohmann::json& value, std::string* out) {
  Emitter(out).Document(value);
}

std::string ToYamlStream(const std::vector<nlohmann::json>& docs) {
  std::string out;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (i > 0)
      out.append("---\n");
    AppendYaml(docs[i], &out);
    // Growing a buffer of megabytes by doubling costs more than writing it; the documents of
    // one stream are mostly alike, so the first one tells the size of the rest.
    if (i == 0)
      out.reserve((out.size() + 4) * docs.size() * 5 / 4);
  }
  return out;
}

}  // namespace starform
