#pragma once

// What apply does with a plan, decided before anything is written (as ninja decides a Plan
// before its Builder runs it): the plan's changes as stages of writes, in an order that never
// serves a route without its policy or without the gateway's identity-header stripping, the
// writes each one waits for, and the safety rails that refuse a plan outright. Nothing here
// talks to a cluster; cmd/apply runs the program.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace starform {

struct ProgramWrite {
  size_t change = 0;  ///< index into Plan::resources
  /// Writes (indexes into ApplyProgram::writes) that must have succeeded before this one may
  /// start; when one of them failed, this one is not attempted.
  std::vector<size_t> needs;
};

/// Writes that may run at once (up to --parallelism), after every earlier stage has ended.
struct ProgramStage {
  std::string name;  ///< "apply HTTPRoute", "delete SecurityPolicy"
  std::vector<size_t> writes;
};

struct ApplyProgram {
  std::vector<ProgramWrite> writes;
  std::vector<ProgramStage> stages;  ///< in order; stages without writes are left out
};

/// The program of |plan|'s creates, updates, replaces and deletes. Applies go kind by kind in
/// the render order — EnvoyProxy, Gateway, ClientTrafficPolicy, ReferenceGrants,
/// SecurityPolicies, HTTPRoutes — and deletes in the reverse order after all of them. A route
/// needs its SecurityPolicy's write and the ClientTrafficPolicy's; a SecurityPolicy's delete
/// needs its route's; the ClientTrafficPolicy's delete needs every route delete.
ApplyProgram ProgramOf(const Plan& plan);

struct SafetyRails {
  bool allow_empty = false;  ///< --allow-empty
  /// --max-destroy; unset: 10% of the objects starform owns live, and at least 5.
  std::optional<size_t> max_destroy;
};

/// Why |plan| must not be applied as it stands (empty when it may): a desired state without
/// apps (unless allowed), more deletions (replaces count) than allowed, each naming the flag
/// that allows it; a replaced SecurityPolicy or ClientTrafficPolicy, which would leave routes
/// unprotected between the delete and the create.
std::vector<std::string> SafetyRefusals(const Plan& plan, size_t desired_apps,
                                        const SafetyRails& rails);

/// The default --max-destroy for a plan over |owned| live objects.
size_t DefaultMaxDestroy(size_t owned);

}  // namespace starform
