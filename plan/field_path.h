#pragma once

// The field paths of plans (`spec.listeners[name="debug"].port`, `spec.rules[0].matches`,
// `metadata.annotations["example.com/x"]`) read back into steps, and what apply does with the
// paths of drift: remove those fields from the live object.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace starform {

struct PathStep {
  enum class Kind { kKey, kIndex, kName };
  Kind kind = Kind::kKey;
  std::string key;   ///< kKey: the member; kName: the item's "name"
  size_t index = 0;  ///< kIndex
};

/// The steps of |path|; nullopt when it is not a path plans write.
std::optional<std::vector<PathStep>> ParseFieldPath(const std::string& path);

/// A JSON Patch (RFC 6902) that removes the fields at |paths| from |object| (as served, with
/// metadata.resourceVersion): a test of the resourceVersion first, so that it applies only to
/// the object it was computed from, then the changed top-level parts replaced whole (removing
/// several items of one list by index would shift the others). Paths that |object| no longer
/// has are skipped, and so are whole metadata maps (`metadata.annotations`): starform's own
/// keys there go with its server-side apply, other managers' are not its to remove. nullopt
/// when nothing is left to remove, or, with |error| set, when a path cannot be read or names a
/// whole spec.
std::optional<nlohmann::json> RemovalPatch(const nlohmann::json& object,
                                           const std::vector<std::string>& paths,
                                           std::string* error);

}  // namespace starform
