#pragma once

// Shared by decode.cpp (the desired-state contract, field by field) and load.cpp. The generic
// part (decode_reader.cpp) reads a SourceNode strictly: known fields only, no duplicate keys,
// exact scalar types, required fields present; every problem is reported and decoding goes on.
//
// Diagnostics it writes (path, mark, message):
// - an unknown key:      the mapping's path, the key's mark,
//                        `unknown field "hostnmes", did you mean "hostnames"?` (or without the
//                        suggestion when no known field is close);
// - a duplicate key:     the mapping's path, the second key's mark,
//                        `duplicate key "port" (first at line 19)`;
// - a key not a scalar:  the mapping's path, the key's mark, `expected a string key, got mapping`;
// - a missing field:     the mapping's path and mark, `missing required field "className"`
//                        (unless an unknown key of the mapping was suggested as that field);
// - a wrong type:        the value's path and mark, `expected integer, got string`;
// - an int too large:    the value's path and mark, `integer 99999999999999999999 is out of range`.
// Errors about the keys of a mapping name the mapping, errors about a value name the value.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "plan/desired_state.h"
#include "plan/diagnostics.h"
#include "plan/source_tree.h"

namespace starform::decode_internal {

/// A field path such as `apps[3].rules[0].backends[0].port`, kept as a chain of stack frames and
/// rendered only when a diagnostic needs it: a big document has a million paths and few errors.
/// A Path refers to its parent, so a child must not outlive it; build children as temporaries
/// or locals of a callee.
///
/// Form: fields join with '.', sequence items are `[index]`, and the keys of a free-form mapping
/// (loadBalancer.annotations) are `["key"]`, quoted as a JSON string because such keys hold dots
/// and slashes: `gateway.loadBalancer.annotations["service.beta.kubernetes.io/do-loadbalancer-x"]`.
/// The root is the empty path.
class Path {
 public:
  Path() = default;

  Path Field(std::string_view name) const { return Path(this, Kind::kField, name, 0); }
  Path Index(size_t index) const { return Path(this, Kind::kIndex, {}, index); }
  Path Key(std::string_view key) const { return Path(this, Kind::kKey, key, 0); }

  std::string ToString() const;

 private:
  enum class Kind { kRoot, kField, kIndex, kKey };
  Path(const Path* parent, Kind kind, std::string_view name, size_t index)
      : parent_(parent), kind_(kind), name_(name), index_(index) {}
  void AppendTo(std::string* out) const;

  const Path* parent_ = nullptr;
  Kind kind_ = Kind::kRoot;
  std::string_view name_;
  size_t index_ = 0;
};

/// Collects decode errors, and the paths of the values it rejected (wrong type, missing) so that
/// LoadDesiredState can leave out what validation would say again about the same values.
class Reader {
 public:
  explicit Reader(Diagnostics* diags) : diags_(diags) {}

  bool ok() const { return ok_; }
  const std::vector<std::string>& rejected() const { return rejected_; }

  /// An error that makes the value at |path| unusable.
  void Reject(Mark mark, const Path& path, std::string message);
  /// Records |path| as rejected without a diagnostic of its own (another one covers it).
  void RejectQuietly(const Path& path) { rejected_.push_back(path.ToString()); }
  /// An error that leaves the value usable (an unknown or duplicate key, a wrong apiVersion).
  void Error(Mark mark, const Path& path, std::string message);

  /// Whether |node| has |kind|; otherwise reports "expected <kind>, got <kind>".
  bool Expect(const SourceNode& node, SourceNode::Kind kind, const Path& path);

  // Each sets |out| (value, mark, present) when |node| has the right type, else reports.
  void ReadString(const SourceNode& node, const Path& path, Field<std::string>* out);
  void ReadInt(const SourceNode& node, const Path& path, Field<int64_t>* out);
  void ReadBool(const SourceNode& node, const Path& path, Field<bool>* out);
  /// A sequence of strings; an item of another type is reported and kept as an absent Field, so
  /// that indices stay those of the document.
  void ReadStrings(const SourceNode& node, const Path& path, std::vector<Field<std::string>>* out);

 private:
  void Error(Mark mark, std::string path, std::string message);

  Diagnostics* diags_;
  bool ok_ = true;
  std::vector<std::string> rejected_;
};

/// Reads the fields of one mapping against the list of known names: reports unknown keys (with
/// a suggestion), duplicate keys and non-scalar keys when constructed, then hands out values.
/// An explicit null counts as absent, as the contract says for optional fields.
class MapReader {
 public:
  /// |names| must outlive the MapReader (use a static array). |node| must be a mapping.
  MapReader(Reader* reader, const SourceNode& node, const Path& path,
            std::span<const std::string_view> names);

  /// The value of field |name| (which must be one of the names), or nullptr when it is absent
  /// or null. A required field that is absent is reported; a required one that is null is
  /// handed out, so that its type error ("expected string, got null") points at it.
  const SourceNode* Get(std::string_view name, bool required = false);

  /// The path of field |name|; valid while this MapReader lives.
  Path PathOf(std::string_view name) const { return path_.Field(name); }
  const Path& path() const { return path_; }
  Reader* reader() const { return reader_; }

  // Get + Reader::Read*, for the common case.
  void String(std::string_view name, Field<std::string>* out, bool required = false);
  void Int(std::string_view name, Field<int64_t>* out, bool required = false);
  void Bool(std::string_view name, Field<bool>* out, bool required = false);
  /// Returns whether the sequence was present (so an explicit [] can be told from absence);
  /// |mark| gets the sequence's mark.
  bool Strings(std::string_view name, std::vector<Field<std::string>>* out, Mark* mark = nullptr,
               bool required = false);

 private:
  static constexpr size_t kMaxFields = 12;
  size_t IndexOf(std::string_view name) const;

  Reader* reader_;
  const SourceNode& node_;
  Path path_;  // a copy: callers may pass a temporary; its parent outlives this reader
  std::span<const std::string_view> names_;
  const SourceNode* values_[kMaxFields] = {};
  bool suggested_[kMaxFields] = {};  // an unknown key was said to mean this field
};

/// |text| as a JSON string literal, for names and keys in messages and paths.
std::string Quoted(std::string_view text);

/// The known name closest to |name| when one is close enough to be a likely typo ("hostnmes" ->
/// "hostnames", "class_name" -> "className", "proxyProtocol" -> "enableProxyProtocol",
/// "matchType" -> "match"), else "".
std::string_view Suggest(std::string_view name, std::span<const std::string_view> known);

/// DecodeDesiredState, also giving the paths of the values it rejected.
bool Decode(const SourceNode& doc, DesiredState* out, Diagnostics* diags,
            std::vector<std::string>* rejected);

}  // namespace starform::decode_internal
