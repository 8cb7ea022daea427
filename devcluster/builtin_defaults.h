#pragma once

// What kube-apiserver v1.33 adds to the built-in objects it admits, in two steps as it does:
//
// - the v1 API's defaulting functions (pkg/apis/core/v1/defaults.go, pkg/apis/apps/v1), which
//   run when a request body is decoded, so before managedFields are recorded: an Update's
//   manager owns what they set, an Apply's does not (the merge happens first);
// - what the registries set once the object is to be stored, after managedFields: a
//   Namespace's finalizers and status, a Service's cluster IPs, IP families and node ports
//   (pkg/registry/core/service/storage/alloc.go). No manager owns these.
//
// The cluster is single-stack IPv4: Services get addresses from 10.96.0.0/12 and node ports
// from 30000-32767, each the lowest free one (a real server picks at random), 10.96.0.1 left
// for the `kubernetes` Service a real cluster has.

#include <nlohmann/json.hpp>

namespace starform::devcluster {

struct ResourceType;
class Store;

/// The decode-time defaults of |type|'s kind, for every create, update, patch and apply
/// (status writes included). Objects of kinds without defaults are left as they are.
void ApplyBuiltinDefaults(const ResourceType& type, nlohmann::json* object);

/// What the registry sets on a new object of |type|'s kind. Reads |store| for the Services'
/// addresses and ports in use: call it inside the Store::Write that stores the object, which
/// serializes writers, so two creates cannot take the same. Throws StatusError (422 Invalid
/// for a requested cluster IP or node port that is taken or out of range).
void PrepareBuiltinCreate(const ResourceType& type, const Store& store, nlohmann::json* object);

/// The same for an update of |old|: keeps the cluster IPs, IP families and node ports the new
/// object leaves out, allocates what a change of type needs, releases what it no longer
/// needs. Same locking and errors as PrepareBuiltinCreate.
void PrepareBuiltinUpdate(const ResourceType& type, const Store& store, const nlohmann::json& old,
                          nlohmann::json* object);

}  // namespace starform::devcluster
