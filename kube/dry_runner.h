#pragma once

// Confirms a draft plan with the server: each object the planner would create or change is
// sent as a server-side-apply dry run (all at once; the transport bounds what is in flight),
// and the outcomes are folded into the plan. One request per changed object, none for the rest.

#include "kube/client.h"
#include "kube/live_reader.h"
#include "plan/planner.h"

namespace starform::kube {

/// The DryRunOutcome of one apply's result (split out to be tested without a server).
DryRunOutcome DryRunOutcomeOf(const Result<nlohmann::json>& result);

/// Dry-runs every change of planner.ToConfirm() and confirms it. Returns the number of
/// requests made.
size_t ConfirmByDryRun(Client& client, const RenderedApis& apis, Planner& planner);

}  // namespace starform::kube
