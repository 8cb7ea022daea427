#include "devcluster/ssa_updater.h"

namespace starform::devcluster::smd {

using nlohmann::json;

namespace {

FieldSet Filter(const FieldSet& set, const FieldSet* ignore) {
  return ignore ? set.RecursiveDifference(*ignore) : set;
}

// Updater.update: the comparison of |before| and |after| takes from every manager but
// |workflow| what changed (a conflict when not forced) and what was removed.
bool MoveOwnership(const UpdaterOptions& options, const json& before, const json& after,
                   ManagerSets* managers, const std::string& workflow, bool force,
                   Comparison* compare, std::vector<Conflict>* conflicts) {
  *compare = Compare(before, after, options.type);
  if (options.ignore) {
    compare->modified = Filter(compare->modified, options.ignore);
    compare->added = Filter(compare->added, options.ignore);
    compare->removed = Filter(compare->removed, options.ignore);
  }
  const FieldSet changed = compare->modified.Union(compare->added);
  std::map<std::string, FieldSet> taken;
  for (const auto& [id, owned] : *managers) {
    if (id == workflow)
      continue;
    FieldSet both = owned.set.Intersection(changed);
    if (!both.Empty())
      taken.emplace(id, std::move(both));
  }
  if (!force && !taken.empty()) {
    if (conflicts) {
      for (const auto& [id, set] : taken) {  // std::map: sorted by identifier
        set.Iterate([&](const Path& path) { conflicts->push_back(Conflict{id, path}); });
      }
    }
    return false;
  }
  for (const auto& [id, set] : taken) {
    VersionedSet& owned = (*managers)[id];
    owned.set = owned.set.Difference(set);
  }
  if (!compare->removed.Empty()) {
    for (auto& [id, owned] : *managers) {
      if (id != workflow)
        owned.set = owned.set.Difference(compare->removed);
    }
  }
  for (auto it = managers->begin(); it != managers->end();) {
    it = it->second.set.Empty() ? managers->erase(it) : std::next(it);
  }
  return true;
}

// Updater.prune: removes what the applier owned last time and does not apply now, unless
// someone (the applier's new set included) owns it; fields removed only because a parent
// went, and nobody owned, come back (addBackOwnedItems, addBackDanglingItems).
json Prune(const UpdaterOptions& options, const json& merged, const ManagerSets& managers,
           const FieldSet& last, const FieldSet& applied) {
  // Nothing dropped, nothing to remove: when every field applied last time is applied again,
  // each survives every step below with its parents (the common re-apply, spared the cost).
  if (last.Empty() || last.Difference(applied).Empty())
    return merged;
  const TypeRef type = options.type;
  const FieldSet last_named = EnsureNamedFieldsAreMembers(last, type);
  json pruned = RemoveItems(merged, last_named, type);

  FieldSet managed;
  for (const auto& [id, owned] : managers)
    managed = managed.Union(owned.set);
  const FieldSet merged_named = EnsureNamedFieldsAreMembers(ToFieldSet(merged, type), type);
  const FieldSet pruned_named = EnsureNamedFieldsAreMembers(ToFieldSet(pruned, type), type);
  const FieldSet managed_named = EnsureNamedFieldsAreMembers(managed, type);
  pruned = RemoveItems(merged, merged_named.Difference(pruned_named.Union(managed_named)), type);

  const FieldSet kept_named = EnsureNamedFieldsAreMembers(ToFieldSet(pruned, type), type);
  return RemoveItems(merged, merged_named.Difference(kept_named).Intersection(last_named), type);
}

bool SameObject(const json& a, const json& b) {
  json cleaned = b;
  DropRemovalMarkers(&cleaned);
  return a == cleaned;
}

}  // namespace

bool ApplyUpdate(const UpdaterOptions& options, const json& live, const json& applied,
                 ManagerSets* managers, const std::string& manager, bool force, json* object,
                 bool* noop, std::vector<Conflict>* conflicts) {
  json merged = Merge(live, applied, options.type);
  FieldSet last;
  if (auto found = managers->find(manager); found != managers->end())
    last = found->second.set;
  VersionedSet& owned = (*managers)[manager];
  owned = VersionedSet{Filter(ToFieldSet(applied, options.type), options.ignore),
                       options.api_version, true};
  json result = Prune(options, merged, *managers, last, owned.set);
  Comparison compare;
  if (!MoveOwnership(options, live, result, managers, manager, force, &compare, conflicts)) {
    return false;
  }
  *noop = SameObject(live, result);
  *object = std::move(result);
  return true;
}

void UpdateManagers(const UpdaterOptions& options, const json& live, const json& updated,
                    ManagerSets* managers, const std::string& manager) {
  Comparison compare;
  MoveOwnership(options, live, updated, managers, manager, true, &compare, nullptr);
  FieldSet owned;
  if (auto found = managers->find(manager); found != managers->end())
    owned = found->second.set;
  owned = Filter(owned.Difference(compare.removed).Union(compare.modified).Union(compare.added),
                 options.ignore);
  if (owned.Empty()) {
    managers->erase(manager);
  } else {
    (*managers)[manager] = VersionedSet{std::move(owned), options.api_version, false};
  }
}

}  // namespace starform::devcluster::smd
