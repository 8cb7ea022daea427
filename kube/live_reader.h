#pragma once

// Reads the live gateway layer for a plan: checks by discovery that the cluster serves the
// rendered kinds, then issues the reads at once — one paginated LIST per rendered kind (each
// page trimmed as it is parsed and sorted as it arrives, so memory follows what the plan needs,
// not what the cluster holds), namespaces, Services, the GatewayClass and the EnvoyProxy it
// names, the listeners' Secrets, the ApplySet parent and the cluster's identity.
//
// The reads that need nothing of the desired state can start before it is known: `plan` loads
// and renders a large desired state on another thread meanwhile (LiveReader).

#include <functional>
#include <map>
#include <optional>
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
  /// The ApplySet parent ConfigMap as read; nullopt when it does not exist.
  std::optional<nlohmann::json> applyset_parent;
};

/// A live read in two steps. ReadUnscoped issues the reads that need nothing of the desired
/// state and drives them to completion: each page is parsed and trimmed as it arrives, and
/// sorted at once when |scope_if_ready| already gives the scope, or else held for Finish.
/// Finish sorts what is held and reads what depends on the scope (the GatewayClass and its
/// EnvoyProxy, the listeners' Secrets).
class LiveReader {
 public:
  LiveReader(Client& client, const RenderedApis& apis);

  /// |scope_if_ready| is asked on each page: the scope, or nullptr while it is not known.
  void ReadUnscoped(const std::function<const ReadScope*()>& scope_if_ready);
  /// On an API error (of either step): false, and |error| says which read failed and why.
  bool Finish(const ReadScope& scope, LiveRead* out, std::string* error);

 private:
  struct Held {
    std::string api_version;
    std::string kind;
    nlohmann::json object;
  };
  void ListRendered(const std::function<const ReadScope*()>& scope_if_ready);
  void ListNamespacesAndServices(const std::function<const ReadScope*()>& scope_if_ready);
  void ReadGatewayClass(const std::string& name);
  void ReadSecrets(const ReadScope& scope);
  void Fail(const std::string& what, const ApiError& error);
  const LiveSorter& SorterFor(const ReadScope& scope);

  Client& client_;
  const RenderedApis& apis_;
  LiveRead read_;
  std::vector<Held> held_;
  std::optional<LiveSorter> sorter_;
  std::string error_;
};

/// Both steps of LiveReader with a scope known from the start.
bool ReadLive(Client& client, const RenderedApis& apis, const ReadScope& scope, LiveRead* out,
              std::string* error);

/// Reads the current digest of each of |keys| (LiveContentDigest; nullopt when absent), for
/// checking a saved plan. One GET per key, all at once.
bool ReadDigests(Client& client, const RenderedApis& apis, const std::vector<ObjectKey>& keys,
                 std::map<ObjectKey, std::optional<std::string>>* out, std::string* error);

}  // namespace starform::kube
