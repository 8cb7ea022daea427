#pragma once

// Field paths and field sets as sigs.k8s.io/structured-merge-diff (the library behind the API
// server's server-side apply) defines them: the unit of ownership in metadata.managedFields.
//
// A path is a list of elements, each a field name (".spec"), a list-map item key
// ("[name=\"http\"]"), a set item value ("[=\"GET\"]") or an index ("[3]"). A set is a tree:
// at each node, |members| are the paths owned there and |children| the subtrees below. Owning
// ".spec.listeners[name=\"http\"]" (the item) and owning something below it are independent,
// which is what fieldsV1's "." entry says.
//
// Orderings, path strings and the fieldsV1 encoding follow the library exactly (fieldpath
// element.go, serialize.go, serialize-pe.go; value/value.go Compare and ToString), because
// they are visible to clients: in managedFields, in 409 conflict messages, in kubectl output.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace starform::devcluster::smd {

/// One step of a field path.
struct PathElement {
  enum class Kind : uint8_t { kField, kKey, kValue, kIndex };
  /// A list-map key: the key fields and their values, sorted by name.
  using Key = std::vector<std::pair<std::string, nlohmann::json>>;

  Kind kind = Kind::kField;
  std::string field;     ///< kField
  Key key;               ///< kKey
  nlohmann::json value;  ///< kValue: a scalar
  int64_t index = 0;     ///< kIndex

  static PathElement Field(std::string name);
  static PathElement KeyOf(Key key);  ///< sorts |key| by name
  static PathElement Value(nlohmann::json value);
  static PathElement Index(int64_t index);

  /// The library's total order: field names first (byte order), then keys, values, indexes.
  int Compare(const PathElement& other) const;
  bool operator==(const PathElement& other) const { return Compare(other) == 0; }
  bool operator<(const PathElement& other) const { return Compare(other) < 0; }

  /// As in conflict messages: ".port", "[name=\"http\"]", "[=\"GET\"]", "[0]".
  std::string String() const;
  /// As a fieldsV1 key: "f:port", "k:{\"name\":\"http\"}", "v:\"GET\"", "i:0".
  std::string Serialize() const;
  /// Parses a fieldsV1 key. Returns false with |error| set for a malformed one; an unknown
  /// prefix (a future element type) sets |*unknown| and returns false without an error, as the
  /// library skips those.
  static bool Deserialize(std::string_view text, PathElement* out, bool* unknown,
                          std::string* error);
};

using Path = std::vector<PathElement>;

/// ".spec.listeners[name=\"http\"].port", fieldpath.Path.String().
std::string PathString(const Path& path);

/// value.Compare: floats and ints compare numerically and before strings, then booleans,
/// lists, maps and null.
int CompareValues(const nlohmann::json& a, const nlohmann::json& b);
/// value.Equals: numbers compare numerically (1 == 1.0).
bool EqualValues(const nlohmann::json& a, const nlohmann::json& b);
/// Go's strconv.Quote, which fmt's %q uses.
std::string GoQuote(std::string_view text);
/// value.ToString: strings %q-quoted, numbers and booleans as fmt's %v prints them.
std::string GoValueString(const nlohmann::json& value);
/// A scalar or container as the library's JSON writer (jsoniter, standard-library compatible)
/// writes it: HTML-escaped strings, Go's float format, map keys sorted.
std::string GoJson(const nlohmann::json& value);
/// A string as Go's encoding/json writes it (with HTML escaping), quotes included.
std::string GoJsonString(std::string_view text);

struct FieldSetNode;

/// A set of field paths (fieldpath.Set). Members and children are kept sorted.
class FieldSet {
 public:
  FieldSet();
  ~FieldSet();
  FieldSet(const FieldSet&);
  FieldSet(FieldSet&&) noexcept;
  FieldSet& operator=(const FieldSet&);
  FieldSet& operator=(FieldSet&&) noexcept;

  /// Adds |path| (not its parents). The empty path is ignored, as nobody owns the whole object.
  void Insert(const Path& path);
  /// Adds the one-element path |element|.
  void InsertMember(PathElement element);
  /// Adds |set| below |element|, merging with what is there. An empty |set| adds nothing.
  void AddChild(PathElement element, FieldSet set);
  bool Has(const Path& path) const;
  bool HasMember(const PathElement& element) const;
  /// The subtree below |element|, or nullptr (Set.WithPrefix).
  const FieldSet* Child(const PathElement& element) const;
  bool Empty() const;
  /// Number of member paths in the whole tree.
  size_t Size() const;

  FieldSet Union(const FieldSet& other) const;
  FieldSet Intersection(const FieldSet& other) const;
  /// Member-wise difference: owning "a.b" minus owning "a" is still "a.b".
  FieldSet Difference(const FieldSet& other) const;
  /// Removes every path of |other| and everything below it.
  FieldSet RecursiveDifference(const FieldSet& other) const;
  bool operator==(const FieldSet& other) const;

  /// Calls |visit| for each member path, preorder: a node's members, then its children in order.
  void Iterate(const std::function<void(const Path&)>& visit) const;
  std::vector<Path> Paths() const;

  const std::vector<PathElement>& members() const { return members_; }
  const std::vector<FieldSetNode>& children() const { return children_; }

  /// The fieldsV1 object, e.g. {"f:spec":{"f:listeners":{"k:{\"name\":\"http\"}":{".":{},
  /// "f:port":{}}}}}.
  nlohmann::json ToFieldsV1() const;
  /// The same as the API server writes its bytes: keys in the library's element order (which a
  /// sorted JSON object cannot keep for numeric keys), HTML-escaped.
  std::string ToFieldsV1Text() const;
  /// Reads a fieldsV1 object. False, with |error| ("parsing key as path element: ..."), on a
  /// key that does not parse or a value that is not an object.
  static bool FromFieldsV1(const nlohmann::json& fields, FieldSet* out, std::string* error);

 private:
  friend struct FieldSetBuilder;
  void IteratePrefix(Path* prefix, const std::function<void(const Path&)>& visit) const;
  void EmitV1(bool include_self, std::string* out) const;
  FieldSet* Descend(const PathElement& element);

  std::vector<PathElement> members_;
  std::vector<FieldSetNode> children_;
};

struct FieldSetNode {
  PathElement element;
  FieldSet set;
};

}  // namespace starform::devcluster::smd
