#pragma once

// The seams where the parts other engineers own plug into the core server: server-side apply,
// managedFields, CEL rules, admission webhooks (DigitalOcean's annotation check), fault
// injection and the openapi documents. Each is optional; an absent hook means the server says
// clearly that it does not implement that part (see docs/devcluster.md).

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/schema.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace starform::devcluster {

struct ResourceType;

/// A server-side apply request, for the SSA engine.
struct ApplyInput {
  const ResourceType* type = nullptr;
  const nlohmann::json* live = nullptr;  ///< the current object, or null when apply creates
  nlohmann::json applied;                ///< the request body, decoded
  std::string manager;                   ///< fieldManager
  bool force = false;
  std::string subresource;  ///< "" or "status"
  std::string now;          ///< RFC 3339 time for managedFields
  std::string name;         ///< from the URL
  std::string ns;           ///< from the URL, "" when cluster-scoped
};
/// Returns the merged object with its managedFields, or throws StatusError (409 Conflict with
/// FieldManagerConflict causes; 422 for a bad apply body).
using ApplyFn = std::function<nlohmann::json(const ApplyInput&)>;

/// managedFields for a non-apply write (operation Update): updates |updated|'s
/// metadata.managedFields given the object before (null on create).
struct UpdateInput {
  const ResourceType* type = nullptr;
  const nlohmann::json* old = nullptr;
  std::string manager;
  std::string subresource;
  std::string now;
};
using ManagedFieldsFn = std::function<void(const UpdateInput&, nlohmann::json* updated)>;

/// Extra validation after the structural schema (hand-written CEL rules): causes to report
/// as 422 Invalid. |old| is null on create.
using ValidateFn = std::function<std::vector<kube::StatusCause>(
    const ResourceType&, const nlohmann::json& object, const nlohmann::json* old)>;

/// Validating admission (webhooks): throw StatusError to refuse the write.
using AdmitFn = std::function<void(const ResourceType&, const std::string& verb,
                                   const nlohmann::json& object, const nlohmann::json* old)>;

/// What the fault injector decided for one request.
struct Fault {
  int code = 0;                        ///< 0: no error; else answer this status
  int retry_after_seconds = 0;         ///< Retry-After header when > 0
  std::chrono::milliseconds delay{0};  ///< added latency before handling
  bool drop_connection = false;        ///< close mid-response
  bool expire_continue = false;        ///< treat the continue token as expired
  bool write_conflict = false;         ///< answer a write with 409 Conflict
};
/// |verb| as the audit log names it (get, list, watch, create, update, patch, delete, ...).
using FaultFn = std::function<Fault(const std::string& verb, const std::string& resource)>;

/// Serves a path the core does not (openapi). Returns false when it does not handle it.
using HttpFn = std::function<bool(const httplib::Request&, httplib::Response&)>;

class ResourceRegistry;
struct Hooks;
/// Fills the hooks whose implementation is in this library and that |hooks| leaves empty:
/// server-side apply and managedFields (ssa.h, managed_fields.h), and the openapi documents of
/// what |registry| serves (openapi.h), built now: |registry| must be complete.
void InstallBuiltinHooks(const ResourceRegistry& registry, Hooks* hooks);

struct Hooks {
  ApplyFn apply;
  ManagedFieldsFn managed_fields;
  std::vector<ValidateFn> validators;
  std::vector<AdmitFn> admitters;
  FaultFn faults;
  HttpFn openapi;
};

}  // namespace starform::devcluster
