#include "devcluster/ssa_hooks.h"

#include "devcluster/managed_fields.h"
#include "devcluster/resources.h"
#include "devcluster/ssa.h"
#include "devcluster/ssa_builtin_schemas.h"
#include "devcluster/status.h"

namespace starform::devcluster {

using nlohmann::json;

namespace {

// A CRD version's schema; for built-in kinds the structure their Go types give field
// management; none for custom resources served without a CRD.
const kube::Schema* SchemaFor(const ResourceType& type) {
  if (type.schema)
    return type.schema.get();
  if (type.custom)
    return nullptr;
  return BuiltinSchema(type.ApiVersion(), type.kind);
}

}  // namespace

ApplyFn ServerSideApplyHook() {
  return [](const ApplyInput& in) {
    ApplyRequest request;
    request.live = in.live;
    request.applied = in.applied;
    request.manager = in.manager;
    request.force = in.force;
    request.api_version = in.type->ApiVersion();
    request.kind = in.type->kind;
    request.subresource = in.subresource;
    request.status_subresource = in.type->has_status;
    request.now = in.now;
    request.schema = SchemaFor(*in.type);
    ApplyResult result = ServerSideApply(request);
    if (!result.conflicts.empty()) {
      const json status = ConflictStatus(result.conflicts);
      throw StatusError(409, "Conflict", status["message"], status["details"]);
    }
    if (result.error)
      throw StatusError(result.error->code, result.error->reason, result.error->message);
    return std::move(result.object);
  };
}

ManagedFieldsFn ManagedFieldsHook() {
  return [](const UpdateInput& in, json* updated) {
    UpdateRequest request;
    request.live = in.old;
    request.manager = in.manager;
    request.api_version = in.type->ApiVersion();
    request.subresource = in.subresource;
    request.status_subresource = in.type->has_status;
    request.now = in.now;
    request.schema = SchemaFor(*in.type);
    *updated = RecordUpdate(request, std::move(*updated));
  };
}

void InstallServerSideApply(Hooks* hooks) {
  hooks->apply = ServerSideApplyHook();
  hooks->managed_fields = ManagedFieldsHook();
}

}  // namespace starform::devcluster
