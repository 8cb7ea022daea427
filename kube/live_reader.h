#pragma once

// Reads the live gateway layer for a plan: checks by discovery that the cluster serves the
// rendered kinds, then issues every read at once — one paginated LIST per rendered kind (each
// page sorted and trimmed as it arrives, so memory follows what the plan needs, not what the
// cluster holds), namespaces, Services, the GatewayClass and the EnvoyProxy it names, the
// listeners' Secrets, the ApplySet parent and the cluster's identity — and waits for all.

#include <map>
#include <string>
#include <vector>

#include "kube/client.h"
#include "plan/desired_state.h"
#include "plan/live.h"

namespace starform::kube {

/// Where each rendered kind is served, by kind.
using RenderedApis = std::map<std::string, ResourceRef>;

/// The resources of the rendered kinds. When some are not served: false, and |error| names
/// the missing ones and how to install them.
bool Preflight(Client& client, RenderedApis* apis, std::string* error);

struct LiveRead {
  LiveState state;
  /// The uid of the kube-system namespace: the cluster's identity for saved plans.
  std::string cluster_identity;
};

/// Reads what |sorter| keeps and the facts readiness checks need for |desired|. On an API
/// error: false, and |error| says which read failed and why.
bool ReadLive(Client& client, const RenderedApis& apis, const LiveSorter& sorter,
              const DesiredState& desired, LiveRead* out, std::string* error);

/// Reads the current digest of each of |keys| (LiveContentDigest; nullopt when absent), for
/// checking a saved plan. One GET per key, all at once.
bool ReadDigests(Client& client, const RenderedApis& apis, const std::vector<ObjectKey>& keys,
                 std::map<ObjectKey, std::optional<std::string>>* out, std::string* error);

}  // namespace starform::kube
