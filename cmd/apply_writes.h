#pragma once

// The writes of an apply around its program: the namespaces apply creates, the ApplySet parent
// widened before the first write and narrowed after complete success (KEP-3659's crash
// safety), and the program run with progress. Shared by apply and destroy.

#include <functional>
#include <string>
#include <vector>

#include "cmd/planning.h"
#include "kube/apply_runner.h"
#include "kube/client.h"
#include "kube/live_reader.h"
#include "plan/applyset_parent.h"
#include "plan/plan.h"

namespace starform {

struct ApplyRun {
  ApplySetContents next;  ///< the members once the plan is applied
  AppliedStamp stamp;
  kube::RunOptions run;
};

struct ApplyOutcome {
  std::vector<kube::WriteResult> results;
  /// Failures outside the program's writes: a namespace, the parent.
  std::vector<std::string> errors;
  bool Succeeded() const;
};

/// Creates the namespaces starform-system and |gateway_ns| when missing (never members, never
/// deleted). A namespace in |seen| (the plan's live read, when given) is not read again.
/// False with |error| when one cannot be created.
bool EnsureNamespaces(kube::Client& client, const std::string& gateway_ns, const LiveSeen* seen,
                      std::string* error);

/// Widens the parent, runs |plan|'s program, and narrows the parent when every write succeeded.
/// The parent is read first, unless |seen| (the plan's live read) gives it.
ApplyOutcome ApplyPlan(kube::Client& client, const kube::RenderedApis& apis, const Plan& plan,
                       const ApplyRun& run, const LiveSeen* seen);

}  // namespace starform
