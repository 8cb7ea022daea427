// ParseYaml: yaml-cpp's event parser drives a handler that builds the SourceNode tree directly.
// yaml-cpp's own Node tree would cost a second pass and a copy of every scalar, keeps no scalar
// types, and loses the quoted-or-plain distinction that the YAML 1.2 core schema needs.

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <istream>
#include <limits>
#include <streambuf>
#include <string>
#include <vector>

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "plan/source_tree.h"

namespace starform {
namespace {

// Aliases may expand exponentially ("billion laughs"); a document that expands to more nodes than
// this through aliases is refused instead of exhausting memory.
constexpr size_t kMaxAliasExpansion = 1'000'000;

// yaml-cpp's tags: "?" for a plain scalar without a tag, "!" for a quoted or block one.
constexpr std::string_view kTagPlain = "?";
constexpr std::string_view kTagNonPlain = "!";
constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

// An istream over a string_view, so that a 6 MB document is not copied into a stringstream.
class ViewStreamBuf : public std::streambuf {
 public:
  explicit ViewStreamBuf(std::string_view text) {
    char* begin = const_cast<char*>(text.data());  // read-only: the get area is never written
    setg(begin, begin, begin + text.size());
  }
};

Mark ToMark(const YAML::Mark& mark) {
  if (mark.is_null())
    return {};
  return {mark.line + 1, mark.column + 1};
}

// Thrown by the handler on a problem yaml-cpp does not see (alias loops, expansion, bad tags).
struct YamlError {
  Mark mark;
  std::string message;
};

bool IsDigits(std::string_view s, bool (*digit)(char)) {
  if (s.empty())
    return false;
  for (char c : s) {
    if (!digit(c))
      return false;
  }
  return true;
}
bool IsDec(char c) {
  return c >= '0' && c <= '9';
}
bool IsOct(char c) {
  return c >= '0' && c <= '7';
}
bool IsHex(char c) {
  return IsDec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, the core schema's float without inf/nan.
bool IsFloatSyntax(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+'))
    ++i;
  size_t int_digits = 0;
  while (i < s.size() && IsDec(s[i]))
    ++i, ++int_digits;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDec(s[i]))
      ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0)
    return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+'))
      ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDec(s[i]))
      ++i, ++exp_digits;
    if (exp_digits == 0)
      return false;
  }
  return i == s.size();
}

void SetFloat(double value, SourceNode* node) {
  node->kind = SourceNode::Kind::kFloat;
  node->float_value = value;
}

// An integer too large for int64 is still a number: it becomes a float (as in ParseJson), and the
// decoder can tell the two apart by the text.
void SetInteger(std::string_view digits, int base, bool negative, SourceNode* node) {
  uint64_t magnitude = 0;
  auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  const uint64_t limit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + negative;
  if (error == std::errc() && end == digits.data() + digits.size() && magnitude <= limit) {
    node->kind = SourceNode::Kind::kInt;
    node->int_value =
        negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
    return;
  }
  double value = 0;
  for (char c : digits)
    value = value * base + (IsDec(c) ? c - '0' : (c | 0x20) - 'a' + 10);
  SetFloat(negative ? -value : value, node);
}

// Resolves a plain scalar with the YAML 1.2 core schema (yaml.org/spec/1.2.2 §10.3.2).
void ResolvePlain(SourceNode* node) {
  std::string_view s = node->text;
  node->kind = SourceNode::Kind::kString;
  if (s.empty()) {
    node->kind = SourceNode::Kind::kNull;
    return;
  }
  // Most scalars are names; one look at the first character rules them out.
  const char c = s[0];
  if (!(IsDec(c) || c == '-' || c == '+' || c == '.' || c == '~' || c == 'n' || c == 'N' ||
        c == 't' || c == 'T' || c == 'f' || c == 'F')) {
    return;
  }
  if (s == "~" || s == "null" || s == "Null" || s == "NULL") {
    node->kind = SourceNode::Kind::kNull;
  } else if (s == "true" || s == "True" || s == "TRUE") {
    node->kind = SourceNode::Kind::kBool;
    node->bool_value = true;
  } else if (s == "false" || s == "False" || s == "FALSE") {
    node->kind = SourceNode::Kind::kBool;
    node->bool_value = false;
  } else if (s.size() > 2 && s[0] == '0' && s[1] == 'x' && IsDigits(s.substr(2), IsHex)) {
    SetInteger(s.substr(2), 16, false, node);
  } else if (s.size() > 2 && s[0] == '0' && s[1] == 'o' && IsDigits(s.substr(2), IsOct)) {
    SetInteger(s.substr(2), 8, false, node);
  } else if (IsDigits((c == '-' || c == '+') ? s.substr(1) : s, IsDec)) {
    SetInteger((c == '-' || c == '+') ? s.substr(1) : s, 10, c == '-', node);
  } else if (IsFloatSyntax(s)) {
    // from_chars takes no leading '+'; the syntax is already checked, so it cannot fail.
    double value = 0;
    std::string_view unsigned_part = c == '+' ? s.substr(1) : s;
    std::from_chars(unsigned_part.data(), unsigned_part.data() + unsigned_part.size(), value);
    SetFloat(value, node);
  } else {
    std::string_view rest = (c == '-' || c == '+') ? s.substr(1) : s;
    if (rest == ".inf" || rest == ".Inf" || rest == ".INF") {
      SetFloat(c == '-' ? -HUGE_VAL : HUGE_VAL, node);
    } else if (s == ".nan" || s == ".NaN" || s == ".NAN") {
      SetFloat(std::numeric_limits<double>::quiet_NaN(), node);
    }
  }
}

// Applies an explicit core-schema tag (!!str, !!int, ...); any other tag is refused, since
// nothing downstream could give it a meaning.
void ResolveTagged(const std::string& tag, Mark mark, SourceNode* node) {
  std::string_view name = std::string_view(tag).substr(
      tag.compare(0, kTagPrefix.size(), kTagPrefix) == 0 ? kTagPrefix.size() : tag.size());
  if (name == "str") {
    node->kind = SourceNode::Kind::kString;
    return;
  }
  ResolvePlain(node);
  const bool fits = (name == "int" && node->kind == SourceNode::Kind::kInt) ||
                    (name == "float" && (node->kind == SourceNode::Kind::kFloat ||
                                         node->kind == SourceNode::Kind::kInt)) ||
                    (name == "bool" && node->kind == SourceNode::Kind::kBool) ||
                    (name == "null" && node->kind == SourceNode::Kind::kNull);
  if (name == "float" && node->kind == SourceNode::Kind::kInt) {
    SetFloat(static_cast<double>(node->int_value), node);
  }
  if (fits)
    return;
  if (name == "int" || name == "float" || name == "bool" || name == "null") {
    throw YamlError{mark, "yaml: invalid !!" + std::string(name) + " value \"" + node->text + "\""};
  }
  throw YamlError{mark, "yaml: unsupported tag \"" + tag + "\""};
}

void CheckCollectionTag(const std::string& tag, Mark mark, std::string_view core_name) {
  if (tag.empty() || tag == kTagPlain || tag == kTagNonPlain)
    return;
  if (tag.compare(0, kTagPrefix.size(), kTagPrefix) == 0 &&
      std::string_view(tag).substr(kTagPrefix.size()) == core_name) {
    return;
  }
  throw YamlError{mark, "yaml: unsupported tag \"" + tag + "\""};
}

size_t CountNodes(const SourceNode& node) {
  size_t count = 1;
  for (const SourceNode& item : node.items)
    count += CountNodes(item);
  for (const auto& [key, value] : node.entries)
    count += CountNodes(key) + CountNodes(value);
  return count;
}

// Builds the tree from yaml-cpp's events. The children of every open collection wait on one
// shared stack and move into an exactly sized vector when the collection ends: a big document
// then costs no spare vector capacity and no reallocation garbage, and on small VMs touching
// fresh memory is a large part of the parse time.
class TreeBuilder : public YAML::EventHandler {
 public:
  // yaml-cpp's Mark::pos does not count a byte order mark; text_ must not either.
  explicit TreeBuilder(std::string_view text)
      : text_(text.substr(0, 3) == "\xEF\xBB\xBF" ? text.substr(3) : text) {}

  /// Where the document starts: its `---`, or its first token.
  Mark document_mark() const { return document_mark_; }
  /// The document's root, once HandleNextDocument has returned.
  SourceNode& root() { return root_; }

  void OnDocumentStart(const YAML::Mark& mark) override { document_mark_ = ToMark(mark); }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const bool is_value = IsValueNext();
    SourceNode& node = Push();
    node.kind = SourceNode::Kind::kNull;
    node.mark = ToMark(mark);
    // yaml-cpp reports an explicit null (~, null) at its place, but an empty value (`key:`) at
    // the token after it, often on the next line; the key is then the better place to point at.
    std::string_view written = NullTextAt(mark);
    if (!written.empty()) {
      node.text = written;
    } else if (is_value) {
      node.mark = scratch_[scratch_.size() - 2].mark;
    }
    Finish(anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor >= anchors_.size() || !anchors_[anchor].complete) {
      throw YamlError{ToMark(mark), "yaml: an alias refers to its own anchor (a recursive alias)"};
    }
    const AnchorEntry& entry = anchors_[anchor];
    expanded_ += entry.size;
    if (expanded_ > kMaxAliasExpansion) {
      throw YamlError{ToMark(mark), "yaml: aliases expand to more than " +
                                        std::to_string(kMaxAliasExpansion) + " nodes"};
    }
    SourceNode& node = Push();
    node = entry.node;
    node.mark = ToMark(mark);  // the value is used here; inner marks stay at the anchor
    Finish(YAML::NullAnchor);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    SourceNode& node = Push();
    node.mark = ToMark(mark);
    node.text = value;
    if (tag == kTagPlain) {
      ResolvePlain(&node);
    } else if (tag == kTagNonPlain) {
      node.kind = SourceNode::Kind::kString;
    } else {
      ResolveTagged(tag, node.mark, &node);
    }
    Finish(anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    CheckCollectionTag(tag, ToMark(mark), "seq");
    Open(mark, SourceNode::Kind::kSeq, anchor);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    CheckCollectionTag(tag, ToMark(mark), "map");
    Open(mark, SourceNode::Kind::kMap, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    SourceNode::Kind kind;
    Mark mark;
    YAML::anchor_t anchor;
    size_t start;  // the collection's first child in scratch_
  };
  struct AnchorEntry {
    SourceNode node;
    size_t size = 0;
    bool complete = false;
  };

  // Whether the next node is the value of a mapping entry (its key is then on top of scratch_).
  bool IsValueNext() const {
    return !stack_.empty() && stack_.back().kind == SourceNode::Kind::kMap &&
           (scratch_.size() - stack_.back().start) % 2 == 1;
  }

  std::string_view NullTextAt(const YAML::Mark& mark) const {
    if (mark.is_null() || mark.pos < 0 || static_cast<size_t>(mark.pos) >= text_.size())
      return {};
    std::string_view rest = text_.substr(mark.pos);
    for (std::string_view word : {"~", "null", "Null", "NULL"}) {
      if (rest.substr(0, word.size()) != word)
        continue;
      // Only if the word ends there: the empty value before a key `nullable:` is no "null".
      const char next = rest.size() > word.size() ? rest[word.size()] : ' ';
      if (next == ' ' || next == '\t' || next == '\n' || next == '\r' || next == ',' ||
          next == ']' || next == '}' || next == '#') {
        return word;
      }
    }
    return {};
  }

  // A new node: a child of the innermost open collection, or the root.
  SourceNode& Push() { return stack_.empty() ? root_ : scratch_.emplace_back(); }

  // Records the anchor of the node just pushed or closed.
  void Finish(YAML::anchor_t anchor) {
    if (anchor == YAML::NullAnchor)
      return;
    const SourceNode& node = stack_.empty() ? root_ : scratch_.back();
    if (anchors_.size() <= anchor)
      anchors_.resize(anchor + 1);
    anchors_[anchor] = {node, CountNodes(node), true};
  }

  void Open(const YAML::Mark& mark, SourceNode::Kind kind, YAML::anchor_t anchor) {
    // Marks the anchor as open, so that an alias to it from inside is seen as recursive.
    if (anchor != YAML::NullAnchor && anchors_.size() <= anchor)
      anchors_.resize(anchor + 1);
    stack_.push_back({kind, ToMark(mark), anchor, scratch_.size()});
  }

  void Close() {
    const Frame frame = stack_.back();
    stack_.pop_back();
    SourceNode node;
    node.kind = frame.kind;
    node.mark = frame.mark;
    auto first = scratch_.begin() + static_cast<ptrdiff_t>(frame.start);
    if (frame.kind == SourceNode::Kind::kSeq) {
      node.items.assign(std::make_move_iterator(first), std::make_move_iterator(scratch_.end()));
    } else {
      node.entries.reserve((scratch_.end() - first) / 2);
      for (auto it = first; it != scratch_.end(); it += 2) {
        node.entries.emplace_back(std::move(it[0]), std::move(it[1]));
      }
    }
    scratch_.erase(first, scratch_.end());
    Push() = std::move(node);
    Finish(frame.anchor);
  }

  std::string_view text_;
  SourceNode root_;
  std::vector<Frame> stack_;
  std::vector<SourceNode> scratch_;
  std::vector<AnchorEntry> anchors_;
  size_t expanded_ = 0;
  Mark document_mark_;
};

}  // namespace

bool ParseYaml(std::string_view text, SourceNode* out, Diagnostics* diags) {
  *out = SourceNode{};
  out->mark = {1, 1};  // an empty document is a null at its start
  ViewStreamBuf buffer(text);
  std::istream stream(&buffer);
  try {
    YAML::Parser parser(stream);
    // Empty documents (a stray `---`) are skipped, as kubectl skips them; any second document
    // with content is an error, since which one was meant cannot be known.
    bool have_document = false;
    while (true) {
      TreeBuilder builder(text);
      if (!parser.HandleNextDocument(builder))
        break;
      SourceNode& next = builder.root();
      if (next.kind == SourceNode::Kind::kNull && next.text.empty())
        continue;
      if (have_document) {
        diags->Error(builder.document_mark(), "",
                     "yaml: the stream holds more than one document; a desired state is one "
                     "document");
        return false;
      }
      have_document = true;
      *out = std::move(next);
    }
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp 0.7 gives this one the message "bad file".
    diags->Error(ToMark(e.mark), "", "yaml: nested too deeply");
    return false;
  } catch (const YAML::Exception& e) {  // ParserException, mostly
    diags->Error(ToMark(e.mark), "", "yaml: " + e.msg);
    return false;
  } catch (const YamlError& e) {
    diags->Error(e.mark, "", e.message);
    return false;
  }
  return true;
}

}  // namespace starform
