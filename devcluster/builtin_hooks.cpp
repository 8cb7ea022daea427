// Wires the parts implemented in this library into the core server's hooks: server-side apply
// and managedFields (ssa.h, managed_fields.h), the openapi documents (openapi.h), the CRDs' CEL
// rules (cel_rules.h) and fault injection (faults.h).

#include <memory>
#include <set>
#include <stdexcept>

#include "devcluster/cel_rules.h"
#include "devcluster/faults.h"
#include "devcluster/hooks.h"
#include "devcluster/managed_fields.h"
#include "devcluster/openapi.h"
#include "devcluster/resources.h"
#include "devcluster/ssa.h"
#include "devcluster/ssa_builtin_schemas.h"
#include "devcluster/status.h"

namespace starform::devcluster {

namespace {

const kube::Schema* SchemaOf(const ResourceType& type) {
  if (type.schema)
    return type.schema.get();
  return BuiltinSchema(type.ApiVersion(), type.kind);
}

bool HasCelRules(const kube::Schema& schema) {
  if (!schema.validation_rules().empty())
    return true;
  for (const auto& [name, property] : schema.properties()) {
    if (HasCelRules(*property))
      return true;
  }
  return (schema.items() != nullptr && HasCelRules(*schema.items())) ||
         (schema.additional_properties() != nullptr &&
          HasCelRules(*schema.additional_properties()));
}

// The CRDs' CEL rules as the API server runs them (customresource/strategy.go): only on an
// object the schema found no blocking cause in, else the "rules not checked" cause, and only
// for a schema with rules.
ValidateFn CelValidator(const ResourceRegistry& registry, std::vector<std::string>* warnings) {
  auto with_rules = std::make_shared<std::set<const kube::Schema*>>();
  for (const ResourceType& type : registry.all()) {
    if (!type.schema || !HasCelRules(*type.schema))
      continue;
    with_rules->insert(type.schema.get());
    for (const UnimplementedRule& rule : UnimplementedCelRules(*type.schema)) {
      warnings->push_back(type.GroupResource() + " " + type.version + ": CEL rule at \"" +
                          rule.path + "\" not evaluated: " + rule.message);
    }
  }
  return [with_rules](const ValidateInput& in) -> std::vector<kube::StatusCause> {
    const kube::Schema* schema = in.type->schema.get();
    if (with_rules->count(schema) == 0)
      return {};
    if (in.blocked)
      return {kube::RulesNotCheckedCause()};
    return CheckCelRules(*schema, *in.object, in.old, in.warnings);
  };
}

FaultFn FaultHook(const std::string& spec_text, std::vector<std::string>* warnings) {
  FaultSpec spec;
  std::string error;
  if (!ParseFaultSpec(spec_text, &spec, &error))
    throw std::invalid_argument("--faults: " + error);
  warnings->push_back("fault injection is on: " + FormatFaultSpec(spec));
  auto injector = std::make_shared<FaultInjector>(std::move(spec));
  return [injector](const std::string& verb, const std::string& resource) {
    return injector->Decide(verb, resource);
  };
}

}  // namespace

void InstallBuiltinHooks(const ResourceRegistry& registry, const std::string& fault_spec,
                         Hooks* hooks, std::vector<std::string>* warnings) {
  // First, so a bad spec fails before the documents are built.
  FaultFn faults = fault_spec.empty() ? FaultFn() : FaultHook(fault_spec, warnings);
  if (!hooks->apply) {
    hooks->apply = [](const ApplyInput& in) {
      ApplyRequest request;
      request.live = in.live;
      request.applied = in.applied;
      request.manager = in.manager;
      request.force = in.force;
      request.api_version = in.type->ApiVersion();
      request.kind = in.type->kind;
      request.name = in.name;
      request.namespace_ = in.ns;
      request.subresource = in.subresource;
      request.status_subresource = in.type->has_status;
      request.now = in.now;
      request.schema = SchemaOf(*in.type);
      ApplyResult result = ServerSideApply(request);
      if (!result.conflicts.empty()) {
        throw StatusError::FromStatus(ConflictStatus(result.conflicts));
      }
      if (result.error)
        throw StatusError::FromStatus(ErrorStatus(*result.error));
      return result.object;
    };
  }
  if (!hooks->managed_fields) {
    hooks->managed_fields = [](const UpdateInput& in, nlohmann::json* updated) {
      UpdateRequest request;
      request.live = in.old;
      request.manager = in.manager;
      request.api_version = in.type->ApiVersion();
      request.subresource = in.subresource;
      request.status_subresource = in.type->has_status;
      request.now = in.now;
      request.schema = SchemaOf(*in.type);
      *updated = RecordUpdate(request, std::move(*updated));
    };
  }
  if (!hooks->openapi) {
    auto api = std::make_shared<const OpenApi>(registry);
    hooks->openapi = [api](const httplib::Request& req, httplib::Response& res) {
      return ServeOpenApi(*api, req, res);
    };
  }
  hooks->validators.push_back(CelValidator(registry, warnings));
  if (!hooks->faults)
    hooks->faults = std::move(faults);
}

}  // namespace starform::devcluster
