#pragma once

// Discovery documents: /version, /api, /apis, /apis/G, and each group/version's resource list.

#include <string>

#include <nlohmann/json.hpp>

#include "devcluster/resources.h"

namespace starform::devcluster {

nlohmann::json VersionInfo();
nlohmann::json ApiVersions(const std::string& server_address);
nlohmann::json ApiGroupList(const ResourceRegistry& registry);
/// The APIGroup for |group|, or null when no resource is served in it.
nlohmann::json ApiGroup(const ResourceRegistry& registry, const std::string& group);
nlohmann::json ApiResourceList(const ResourceRegistry& registry, const std::string& group,
                               const std::string& version);

}  // namespace starform::devcluster
