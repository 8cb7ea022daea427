#pragma once

// The apply lock as end-to-end tests set it up by hand: the Lease another apply would hold.
// Test-only; header-only.

#include <string>

#include <nlohmann/json.hpp>

namespace starform::testing {

inline const std::string kLeasesPath =
    "/apis/coordination.k8s.io/v1/namespaces/starform-system/leases";
inline const std::string kLockPath = kLeasesPath + "/starform-apply";

/// The Lease starform-system/starform-apply held by |holder|, acquired at |acquired| and last
/// renewed at |renewed| (MicroTimes, "2026-11-26T20:01:02.000000Z"), for |seconds|.
inline nlohmann::json LockLease(const std::string& holder, const std::string& acquired,
                                const std::string& renewed, int seconds) {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", "starform-apply"}, {"namespace", "starform-system"}}},
          {"spec",
           {{"holderIdentity", holder},
            {"leaseDurationSeconds", seconds},
            {"acquireTime", acquired},
            {"renewTime", renewed}}}};
}

}  // namespace starform::testing
