#pragma once

// Schemas for server-side apply of the built-in kinds the dev cluster serves, so that their
// managedFields and merges come out as a real API server's (which derives them from the Go
// types' markers): ConfigMap data and Secret data are maps, Service ports merge by port and
// protocol, a Deployment's containers by name, LabelSelectors are atomic, and so on.
//
// They describe structure for field management only (list types, map types, which objects
// are structs and which are maps), not validation: fields they do not declare are treated as
// schemaless (granular maps, atomic lists). Do not validate objects against them.

#include <string_view>

#include "kube/schema.h"

namespace starform::devcluster {

/// The schema of a built-in kind ("v1" "ConfigMap", "apps/v1" "Deployment"), or nullptr for a
/// kind it does not know (apply then treats the object as schemaless).
const kube::Schema* BuiltinSchema(std::string_view api_version, std::string_view kind);

}  // namespace starform::devcluster
