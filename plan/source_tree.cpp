// The parts of source_tree.h shared by both parsers; ParseYaml lives in source_tree_yaml.cpp and
// ParseJson in source_tree_json.cpp.

#include "plan/source_tree.h"

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

bool ParseDocument(std::string_view text, SourceNode* out, Diagnostics* diags) {
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
