#pragma once

// Field-by-field comparison of what starform wants with what the cluster holds, aware of who set
// each live field (metadata.managedFields): a field someone else set is drift, and a field the
// server defaulted (set by no manager) is nobody's business.
//
// Both sides are compared views (ComparedView): the spec, and the labels and annotations
// starform sets. List items are matched by their "name" when every item has a distinct one (the
// Gateway API's listeners, for one), by position when both lists are as long, and otherwise the
// list changes as a whole.

#include <cstddef>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/plan.h"

namespace starform {

/// The field manager starform applies as.
inline constexpr const char* kFieldManager = "starform";

/// {"metadata": {"labels": ..., "annotations": ...}, "spec": ...} with only the given label and
/// annotation keys (absent keys and empty maps left out).
nlohmann::json ComparedView(const nlohmann::json& labels, const nlohmann::json& annotations,
                            const nlohmann::json& spec, const std::set<std::string>& label_keys,
                            const std::set<std::string>& annotation_keys);

/// Keys of metadata.labels (or .annotations, by |which|) that |manager| owns per
/// |managed_fields|.
std::set<std::string> OwnedMetadataKeys(const nlohmann::json& managed_fields,
                                        const std::string& manager, const std::string& which);

enum class LiveOnlyFields {
  /// A field only the live side has is a removal when some manager set it (drift, or a field
  /// starform stopped setting), and ignored when none did (a server default).
  kRemoveIfOwned,
  /// Every difference counts: |after| is what the object will be (a dry-run result).
  kCompareAll,
};

struct Diff {
  std::vector<FieldChange> changes;
  size_t unchanged = 0;  ///< leaves of |after| equal on both sides
};

/// The changes that turn |before| (live, with |managed_fields|; null when absent) into |after|.
/// Modified and removed fields whose live value another manager set name that manager.
Diff DiffViews(const nlohmann::json& before, const nlohmann::json& after,
               const nlohmann::json& managed_fields, LiveOnlyFields mode);

/// Every leaf (scalar, or empty object or list) of |view| with its dotted path, as DiffViews
/// spells paths, in the json's order.
std::vector<std::pair<std::string, const nlohmann::json*>> Leaves(const nlohmann::json& view);

/// The paths of Leaves(view).
std::vector<std::string> LeafPaths(const nlohmann::json& view);

/// Number of leaves of |value|.
size_t CountLeaves(const nlohmann::json& value);

}  // namespace starform
