#pragma once

// labelSelector and fieldSelector as the API server parses and matches them
// (apimachinery pkg/labels/selector.go, pkg/fields/selector.go).

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace starform::devcluster {

class LabelSelector {
 public:
  /// Parses |text|; on a syntax error returns false with the server's message in |error|.
  bool Parse(std::string_view text, std::string* error);
  /// Whether an object's metadata.labels (an object, or null) satisfy every requirement.
  bool Matches(const nlohmann::json& labels) const;
  bool empty() const { return requirements_.empty(); }

 private:
  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };
  std::vector<Requirement> requirements_;
};

class FieldSelector {
 public:
  /// Parses |text| ("metadata.name=x,metadata.namespace!=y"), accepting only the fields in
  /// |supported| (dotted paths); otherwise the server's message in |error|.
  bool Parse(std::string_view text, const std::vector<std::string>& supported, std::string* error);
  bool Matches(const nlohmann::json& object) const;
  bool empty() const { return terms_.empty(); }
  /// The value required for metadata.name, or "" (lets GET-like lists skip the scan).
  std::string RequiredName() const;

 private:
  struct Term {
    std::string field;
    bool equals;
    std::string value;
  };
  std::vector<Term> terms_;
};

/// The field a dotted path names in |object| as a string ("" when absent).
std::string FieldValue(const nlohmann::json& object, std::string_view path);

}  // namespace starform::devcluster
