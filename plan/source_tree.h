#pragma once

// A parsed YAML or JSON document that remembers where every value came from. yaml-cpp and
// nlohmann::json each keep less than we need (nlohmann keeps no positions; yaml-cpp resolves no
// scalar types and silently keeps duplicate keys), so both parsers produce this tree, and the
// strict desired-state decoder reads only this tree.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/diagnostics.h"

namespace starform {

struct SourceNode {
  enum class Kind { kNull, kBool, kInt, kFloat, kString, kSeq, kMap };

  Kind kind = Kind::kNull;
  Mark mark;                      ///< where the value starts
  std::string text;               ///< a string's value; for other scalars the text as written
  bool bool_value = false;        ///< kBool
  int64_t int_value = 0;          ///< kInt
  double float_value = 0;         ///< kFloat
  std::vector<SourceNode> items;  ///< kSeq
  std::vector<std::pair<SourceNode, SourceNode>> entries;  ///< kMap, in order, duplicates kept

  bool is_scalar() const { return kind != Kind::kSeq && kind != Kind::kMap; }
  /// The value of key |name| in a map (the first, if duplicated), or nullptr.
  const SourceNode* Find(std::string_view name) const;
};

/// "string", "integer", "mapping", ... for messages such as "expected integer, got string".
const char* KindName(SourceNode::Kind kind);

/// Parses YAML 1.2 (core schema: plain `80` is an integer, `"80"` a string, `true` a bool,
/// `~`/`null`/empty a null). One document only; anchors and aliases are expanded. On a syntax
/// error adds a diagnostic with its position and returns false.
bool ParseYaml(std::string_view text, SourceNode* out, Diagnostics* diags);

/// Parses JSON (RFC 8259) with a position for every value. On a syntax error adds a diagnostic
/// with its position and returns false.
bool ParseJson(std::string_view text, SourceNode* out, Diagnostics* diags);

/// JSON if the first non-blank character is '{' or '[', YAML otherwise.
bool ParseDocument(std::string_view text, SourceNode* out, Diagnostics* diags);

/// The same value without positions (for a map with duplicate keys, the first wins).
nlohmann::json ToJson(const SourceNode& node);

}  // namespace starform
