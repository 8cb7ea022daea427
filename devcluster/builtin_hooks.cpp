// Wires the server-side apply and managedFields engines (ssa.h, managed_fields.h) and the
// openapi documents (openapi.h) into the core server's hooks.

#include <memory>

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

}  // namespace

void InstallBuiltinHooks(const ResourceRegistry& registry, Hooks* hooks) {
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
}

}  // namespace starform::devcluster
