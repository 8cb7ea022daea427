// The parts of source_tree.h shared by both parsers; ParseYaml lives in source_tree_yaml.cpp and
// ParseJson in source_tree_json.cpp.

#include "plan/source_tree.h"

#include <cstdio>

namespace starform {

const SourceNode* SourceNode::Find(std::string_view name) const {
  for (const auto& [key, value] : entries) {
    if (key.is_scalar() && key.text == name)
      return &value;
  }
  return nullptr;
}

const char* KindName(SourceNode::Kind kind) {
  switch (kind) {
    case SourceNode::Kind::kNull:
      return "null";
    case SourceNode::Kind::kBool:
      return "boolean";
    case SourceNode::Kind::kInt:
      return "integer";
    case SourceNode::Kind::kFloat:
      return "float";
    case SourceNode::Kind::kString:
      return "string";
    case SourceNode::Kind::kSeq:
      return "sequence";
    case SourceNode::Kind::kMap:
      return "mapping";
  }
  return "unknown";
}

namespace {

// The offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlongs,
// no surrogates, nothing above U+10FFFF), or npos. Kubernetes rejects such strings, and our
// output (JSON, YAML) cannot carry them.
size_t FindInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length = c >= 0xC2 && c <= 0xDF   ? 2
                    : c >= 0xE0 && c <= 0xEF ? 3
                    : c >= 0xF0 && c <= 0xF4 ? 4
                                             : 0;
    if (length == 0 || i + length > text.size())
      return i;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c == 0xE0)
      lo = 0xA0;
    if (c == 0xED)
      hi = 0x9F;
    if (c == 0xF0)
      lo = 0x90;
    if (c == 0xF4)
      hi = 0x8F;
    if (byte(i + 1) < lo || byte(i + 1) > hi)
      return i;
    for (size_t k = 2; k < length; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80)
        return i;
    }
    i += length;
  }
  return std::string_view::npos;
}

Mark MarkOfOffset(std::string_view text, size_t offset) {
  Mark mark{1, 1};
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++mark.line;
      mark.column = 1;
    } else {
      ++mark.column;
    }
  }
  return mark;
}

}  // namespace

bool ParseDocument(std::string_view text, SourceNode* out, Diagnostics* diags) {
  if (size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(text[bad]));
    diags->Error(MarkOfOffset(text, bad), "",
                 std::string("invalid UTF-8 (byte ") + hex + "): the document must be UTF-8 text");
    return false;
  }
  size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF")
    i = 3;  // a UTF-8 byte order mark
  while (i < text.size() &&
         (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) {
    ++i;
  }
  // Every JSON document that starts this way is also YAML, but the JSON parser is stricter and
  // about ten times faster, and its errors talk about JSON.
  if (i < text.size() && (text[i] == '{' || text[i] == '['))
    return ParseJson(text, out, diags);
  return ParseYaml(text, out, diags);
}

nlohmann::json ToJson(const SourceNode& node) {
  switch (node.kind) {
    case SourceNode::Kind::kNull:
      return nullptr;
    case SourceNode::Kind::kBool:
      return node.bool_value;
    case SourceNode::Kind::kInt:
      return node.int_value;
    case SourceNode::Kind::kFloat:
      return node.float_value;
    case SourceNode::Kind::kString:
      return node.text;
    case SourceNode::Kind::kSeq: {
      nlohmann::json array = nlohmann::json::array();
      array.get_ref<nlohmann::json::array_t&>().reserve(node.items.size());
      for (const SourceNode& item : node.items)
        array.push_back(ToJson(item));
      return array;
    }
    case SourceNode::Kind::kMap: {
      nlohmann::json object = nlohmann::json::object();
      auto& map = object.get_ref<nlohmann::json::object_t&>();
      for (const auto& [key, value] : node.entries) {
        // JSON keys are strings: a YAML key such as `80` keeps its text; a (rare) collection key
        // becomes its JSON text. emplace keeps the first of duplicated keys, as Find does.
        std::string name = key.is_scalar() ? key.text : ToJson(key).dump();
        map.emplace(std::move(name), ToJson(value));
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace starform
