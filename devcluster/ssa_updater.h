#pragma once

// structured-merge-diff's Updater (merge/update.go): how an apply or a plain write moves field
// ownership between managers. Managers are keyed by an identifier string (the API server's
// manager identifier); each owns a field set recorded at an API version, from an Apply or not.
//
// Apply:  merged = live + applied configuration; the applier's set becomes what the
//         configuration covers; fields it owned before and dropped are removed from the object
//         unless another manager still owns them (prune); then ownership moves as for any
//         change, except that taking a field another manager owns with a different value is a
//         conflict unless forced.
// Update: every manager loses the fields the write changed or removed; the writer gains the
//         fields it changed or added.
// |ignore| (the strategy's reset fields, e.g. status on the main resource) is never owned and
// never conflicts.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "devcluster/ssa_fieldpath.h"
#include "devcluster/ssa_typed.h"

namespace starform::devcluster::smd {

struct VersionedSet {
  FieldSet set;
  std::string api_version;
  bool applied = false;
};

/// Manager identifier -> what it owns (fieldpath.ManagedFields).
using ManagerSets = std::map<std::string, VersionedSet>;

struct Conflict {
  std::string manager_id;
  Path path;
};

struct UpdaterOptions {
  TypeRef type;
  std::string api_version;           ///< the version of the request
  const FieldSet* ignore = nullptr;  ///< reset fields, or nullptr
};

/// Updater.Apply. On success returns true and sets |*object| to the new object (removal
/// markers included, see RemoveItems) and |*noop| when it equals |live|. Without |force|,
/// taking fields others own with other values fails: returns false with |*conflicts| sorted by
/// manager identifier, each manager's paths in set order.
bool ApplyUpdate(const UpdaterOptions& options, const nlohmann::json& live,
                 const nlohmann::json& applied, ManagerSets* managers, const std::string& manager,
                 bool force, nlohmann::json* object, bool* noop, std::vector<Conflict>* conflicts);

/// Updater.Update: |updated| replaces |live|, written by |manager|.
void UpdateManagers(const UpdaterOptions& options, const nlohmann::json& live,
                    const nlohmann::json& updated, ManagerSets* managers,
                    const std::string& manager);

}  // namespace starform::devcluster::smd
