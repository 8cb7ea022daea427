#pragma once

// The seams where the parts other engineers own plug into the core server: server-side apply,
// managedFields, CEL rules, admission webhooks (DigitalOcean's annotation check), fault
// injection and the openapi documents. Each is optional; an absent hook means the server says
// clearly that it does not implement that part (see docs/devcluster.md).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "devcluster/faults.h"
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

/// Extra validation after pruning, defaulting and the structural schema (the hand-written CEL
/// rules), for one write of a custom resource or built-in.
struct ValidateInput {
  const ResourceType* type = nullptr;
  const nlohmann::json* object = nullptr;  ///< the object to store
  const nlohmann::json* old = nullptr;     ///< the stored object on update, null on create
  /// The schema validation already found a blocking cause (kube::HasBlockingCause): the API
  /// server then runs no CEL rule, and reports kube::RulesNotCheckedCause() instead when the
  /// schema has rules. The validator decides, as only it knows whether there are rules.
  bool blocked = false;
  std::vector<std::string>* warnings = nullptr;  ///< for the response's Warning headers
};
/// Returns the causes to report as 422 Invalid (none: valid).
using ValidateFn = std::function<std::vector<kube::StatusCause>(const ValidateInput&)>;

/// Validating admission (webhooks): throw StatusError to refuse the write.
using AdmitFn = std::function<void(const ResourceType&, const std::string& verb,
                                   const nlohmann::json& object, const nlohmann::json* old)>;

/// Decides the faults of one request (faults.h): called once per request on a resource, before
/// it is handled. |verb| as the audit log names it (get, list, watch, create, update, patch,
/// delete, deletecollection), but "apply" for a server-side apply PATCH; |resource| the plural.
using FaultFn = std::function<FaultDecision(const std::string& verb, const std::string& resource)>;

/// Serves a path the core does not (openapi). Returns false when it does not handle it.
using HttpFn = std::function<bool(const httplib::Request&, httplib::Response&)>;

class ResourceRegistry;
struct Hooks;
/// Fills the hooks whose implementation is in this library: server-side apply and
/// managedFields (ssa.h, managed_fields.h) and the openapi documents of what |registry| serves
/// (openapi.h), each unless |hooks| has one already; the CEL rules of the CRDs (cel_rules.h),
/// added to the validators; and, when |fault_spec| is not empty, fault injection as it says
/// (faults.h, docs/devcluster-faults.md). |registry| must be complete. Throws
/// std::invalid_argument with the parser's message for a bad |fault_spec|. Notices for the
/// operator (CEL rules not evaluated, faults on) go to |warnings|.
void InstallBuiltinHooks(const ResourceRegistry& registry, const std::string& fault_spec,
                         Hooks* hooks, std::vector<std::string>* warnings);

struct Hooks {
  ApplyFn apply;
  ManagedFieldsFn managed_fields;
  std::vector<ValidateFn> validators;
  std::vector<AdmitFn> admitters;
  FaultFn faults;
  HttpFn openapi;
};

}  // namespace starform::devcluster
