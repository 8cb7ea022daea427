// ParseJson: a small RFC 8259 parser that records where every value and key starts. nlohmann's
// parser keeps no positions, and recovering them from its SAX callbacks means re-scanning the
// buffer around each token; a direct parser is simpler to get exactly right, and faster.
//
// Columns count bytes, as yaml-cpp's do, so the two parsers agree on the same text.

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "plan/source_tree.h"

namespace starform {
namespace {

// Deeper nesting than this is refused rather than risking the stack (the parser recurses).
constexpr int kMaxDepth = 512;

class JsonParser {
 public:
  JsonParser(std::string_view text, Diagnostics* diags) : text_(text), diags_(diags) {}

  bool Parse(SourceNode* out) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF")
      pos_ = line_start_ = 3;  // a byte order mark
    SkipSpace();
    if (!Value(0))
      return false;
    *out = std::move(scratch_.back());
    SkipSpace();
    if (pos_ < text_.size())
      return Fail(pos_, "unexpected " + Describe(pos_) + " after the value");
    return true;
  }

 private:
  Mark MarkAt(size_t pos) const { return {line_, static_cast<int>(pos - line_start_) + 1}; }

  // Every failure goes through here; the parse stops at the first syntax error.
  bool Fail(size_t pos, const std::string& message) {
    diags_->Error(MarkAt(pos), "", "json: " + message);
    return false;
  }

  std::string Describe(size_t pos) const {
    if (pos >= text_.size())
      return "end of input";
    const unsigned char c = static_cast<unsigned char>(text_[pos]);
    if (c < 0x20 || c >= 0x7f) {
      char buffer[8];
      snprintf(buffer, sizeof buffer, "0x%02x", c);
      return std::string("byte ") + buffer;
    }
    return std::string("character '") + static_cast<char>(c) + "'";
  }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        line_start_ = ++pos_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else {
        break;
      }
    }
  }

  // Parses one value onto the top of scratch_. Collections keep their children on scratch_ until
  // they end, then move them into an exactly sized vector (see TreeBuilder in
  // source_tree_yaml.cpp for why). References into scratch_ do not survive a nested Value().
  bool Value(int depth) {
    const Mark mark = MarkAt(pos_);
    if (pos_ >= text_.size())
      return Fail(pos_, "unexpected end of input, expected a value");
    const char c = text_[pos_];
    if (c == '{' || c == '[') {
      if (depth >= kMaxDepth)
        return Fail(pos_, "nested deeper than " + std::to_string(kMaxDepth));
      const size_t start = scratch_.size();
      if (!(c == '{' ? Object(depth + 1) : Array(depth + 1)))
        return false;
      SourceNode node;
      node.mark = mark;
      auto first = scratch_.begin() + static_cast<ptrdiff_t>(start);
      if (c == '[') {
        node.kind = SourceNode::Kind::kSeq;
        node.items.assign(std::make_move_iterator(first), std::make_move_iterator(scratch_.end()));
      } else {
        node.kind = SourceNode::Kind::kMap;
        node.entries.reserve((scratch_.end() - first) / 2);
        for (auto it = first; it != scratch_.end(); it += 2) {
          node.entries.emplace_back(std::move(it[0]), std::move(it[1]));
        }
      }
      scratch_.erase(first, scratch_.end());
      scratch_.push_back(std::move(node));
      return true;
    }
    SourceNode& node = scratch_.emplace_back();
    node.mark = mark;
    switch (c) {
      case '"':
        node.kind = SourceNode::Kind::kString;
        return String(&node.text);
      case 't':
        return Literal("true", SourceNode::Kind::kBool, true, &node);
      case 'f':
        return Literal("false", SourceNode::Kind::kBool, false, &node);
      case 'n':
        return Literal("null", SourceNode::Kind::kNull, false, &node);
      default:
        if (c == '-' || (c >= '0' && c <= '9'))
          return Number(&node);
        return Fail(pos_, "unexpected " + Describe(pos_) + ", expected a value");
    }
  }

  // The members of an object, as key, value, key, value... on scratch_.
  bool Object(int depth) {
    ++pos_;  // '{'
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      if (pos_ >= text_.size() || text_[pos_] != '"') {
        return Fail(pos_, "unexpected " + Describe(pos_) + ", expected a string key");
      }
      SourceNode& key = scratch_.emplace_back();
      key.kind = SourceNode::Kind::kString;
      key.mark = MarkAt(pos_);
      if (!String(&key.text))
        return false;
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') {
        return Fail(pos_, "unexpected " + Describe(pos_) + ", expected ':' after a key");
      }
      ++pos_;
      SkipSpace();
      if (!Value(depth))
        return false;
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        SkipSpace();
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return Fail(pos_, "unexpected " + Describe(pos_) + ", expected ',' or '}'");
    }
  }

  // The elements of an array, on scratch_.
  bool Array(int depth) {
    ++pos_;  // '['
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      if (!Value(depth))
        return false;
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        SkipSpace();
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return Fail(pos_, "unexpected " + Describe(pos_) + ", expected ',' or ']'");
    }
  }

  bool Literal(std::string_view word, SourceNode::Kind kind, bool value, SourceNode* out) {
    if (text_.compare(pos_, word.size(), word) != 0) {
      return Fail(pos_, "invalid literal, expected \"" + std::string(word) + "\"");
    }
    out->kind = kind;
    out->bool_value = value;
    out->text = word;
    pos_ += word.size();
    return true;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?
  bool Number(SourceNode* out) {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9')
        ++pos_;
      return pos_ - from;
    };
    if (text_[pos_] == '-')
      ++pos_;
    const size_t int_start = pos_;
    if (digits() == 0)
      return Fail(pos_, "invalid number: expected a digit");
    if (text_[int_start] == '0' && pos_ - int_start > 1) {
      return Fail(int_start, "invalid number: leading zero");
    }
    bool integral = true;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      integral = false;
      if (digits() == 0)
        return Fail(pos_, "invalid number: expected a digit after '.'");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      integral = false;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-'))
        ++pos_;
      if (digits() == 0)
        return Fail(pos_, "invalid number: expected a digit in the exponent");
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    out->text.assign(first, last);
    if (integral) {
      int64_t value = 0;
      auto [end, error] = std::from_chars(first, last, value);
      if (error == std::errc() && end == last) {
        out->kind = SourceNode::Kind::kInt;
        out->int_value = value;
        return true;
      }
    }
    // Out of int64 range, or not integral. from_chars rounds as strtod does, without the locale;
    // an exponent too large gives out-of-range, and then the value is infinite.
    double value = 0;
    auto [end, error] = std::from_chars(first, last, value);
    if (error == std::errc::result_out_of_range) {
      value = (*first == '-' ? -1 : 1) * std::numeric_limits<double>::infinity();
      // A tiny exponent underflows the same way; it is zero, not infinite.
      const size_t e = out->text.find_first_of("eE");
      if (e != std::string::npos && out->text[e + 1] == '-')
        value = 0;
    }
    (void)end;
    out->kind = SourceNode::Kind::kFloat;
    out->float_value = value;
    return true;
  }

  static int HexValue(char c) {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  }

  // Reads four hex digits at pos_ (after "\u"); -1 and a diagnostic when they are not.
  int32_t Hex4() {
    int32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = pos_ + i < text_.size() ? HexValue(text_[pos_ + i]) : -1;
      if (digit < 0) {
        Fail(pos_ + i, "invalid \\u escape: expected four hex digits");
        return -1;
      }
      value = value * 16 + digit;
    }
    pos_ += 4;
    return value;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // The length of the well-formed UTF-8 sequence at pos_ (RFC 3629: no overlong forms, no
  // surrogates, nothing above U+10FFFF), or 0.
  size_t Utf8Length() const {
    auto byte = [&](size_t i) -> unsigned {
      return pos_ + i < text_.size() ? static_cast<unsigned char>(text_[pos_ + i]) : 0;
    };
    auto cont = [&](size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
      return byte(i) >= lo && byte(i) <= hi;
    };
    const unsigned b0 = byte(0);
    if (b0 >= 0xC2 && b0 <= 0xDF)
      return cont(1) ? 2 : 0;
    if (b0 == 0xE0)
      return cont(1, 0xA0) && cont(2) ? 3 : 0;
    if (b0 == 0xED)
      return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
    if (b0 >= 0xE1 && b0 <= 0xEF)
      return cont(1) && cont(2) ? 3 : 0;
    if (b0 == 0xF0)
      return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    if (b0 >= 0xF1 && b0 <= 0xF3)
      return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (b0 == 0xF4)
      return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
    return 0;
  }

  bool String(std::string* out) {
    ++pos_;  // the opening quote
    out->clear();
    size_t run = pos_;  // start of the bytes not yet copied to |out|
    while (true) {
      if (pos_ >= text_.size())
        return Fail(pos_, "unterminated string");
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        out->append(text_.data() + run, pos_ - run);
        ++pos_;
        return true;
      }
      if (c < 0x20) {
        return Fail(pos_, c == '\n' ? "unterminated string (a newline in a string is written \\n)"
                                    : "control character " + Describe(pos_) + " in a string");
      }
      if (c >= 0x80) {
        const size_t length = Utf8Length();
        if (length == 0)
          return Fail(pos_, "invalid UTF-8 in a string");
        pos_ += length;
        continue;
      }
      if (c != '\\') {
        ++pos_;
        continue;
      }
      out->append(text_.data() + run, pos_ - run);
      const size_t escape = pos_;
      ++pos_;
      if (pos_ >= text_.size())
        return Fail(pos_, "unterminated string");
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out->push_back(e);
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          int32_t cp = Hex4();
          if (cp < 0)
            return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Fail(escape, "invalid \\u escape: a low surrogate without a high one");
          }
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (text_.compare(pos_, 2, "\\u") != 0) {
              return Fail(escape, "invalid \\u escape: a high surrogate without a low one");
            }
            pos_ += 2;
            const int32_t low = Hex4();
            if (low < 0)
              return false;
            if (low < 0xDC00 || low > 0xDFFF) {
              return Fail(escape, "invalid \\u escape: a high surrogate without a low one");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(static_cast<uint32_t>(cp), out);
          break;
        }
        default:
          return Fail(escape, "invalid escape '\\" + std::string(1, e) + "' in a string");
      }
      run = pos_;
    }
  }

  std::string_view text_;
  Diagnostics* diags_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  int line_ = 1;
  std::vector<SourceNode> scratch_;
};

}  // namespace

bool ParseJson(std::string_view text, SourceNode* out, Diagnostics* diags) {
  *out = SourceNode{};
  JsonParser parser(text, diags);
  return parser.Parse(out);
}

}  // namespace starform
