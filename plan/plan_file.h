#pragma once

// Saved plans (plan --out FILE): the -o json document plus what apply needs to do exactly what
// was planned and to refuse when the cluster moved on: for each object the exact body to apply,
// the paths of drift to remove, and a digest of the live content the plan compared (or its
// absence). Reading and writing the bytes of the file is the caller's; this is the format.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/plan.h"

namespace starform {

/// The saved plan document: PlanToJson(plan) with an "apply" section (docs/plan-format.md).
nlohmann::json PlanFileDocument(const Plan& plan);

/// Reads a saved plan document back into a Plan (every field PlanFileDocument wrote). On a
/// malformed document returns false and sets |error| to what and where ("resource_changes[3]:
/// missing \"address\""), and on an unsupported format_version says which versions are.
bool ReadPlanFileDocument(const nlohmann::json& document, Plan* plan, std::string* error);

/// What the cluster holds now, for each object of a saved plan: the digest of its compared
/// content (LiveContentDigest), or nullopt when it does not exist.
using LiveDigests = std::map<ObjectKey, std::optional<std::string>>;

/// Why |plan| can no longer be applied to the cluster at |server| with identity
/// |cluster_identity| (PlanOrigin) whose objects now have |now|: one sentence per reason ("Saved
/// plan is stale: httproute tenant-a/shop changed since the plan was made"), empty when it still
/// holds. Every object of the plan is checked, the unchanged ones too (a plan is a decision about
/// the whole layer); objects missing from |now| count as absent.
std::vector<std::string> StaleReasons(const Plan& plan, const std::string& server,
                                      const std::string& cluster_identity, const LiveDigests& now);

}  // namespace starform
