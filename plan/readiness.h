#pragma once

// Readiness: what the rendered objects assume exists in the cluster but do not create — tenant
// namespaces carrying the tenant label, the listeners' TLS Secrets, the backend and ext_authz
// Services and their ports, the GatewayClass. Missing pieces do not stop a plan (the operator
// may create them next), but each is a warning, since the route or listener will not work.

#include <string>
#include <vector>

#include "plan/desired_state.h"
#include "plan/live.h"

namespace starform {

/// One sentence per missing piece, in document order, each saying what will not work.
std::vector<std::string> ReadinessWarnings(const DesiredState& state, const ClusterFacts& facts);

}  // namespace starform
