#pragma once

// Server-side apply and managedFields plugged into the core server's hooks (hooks.h):
// ServerSideApply answers apply patches and RecordUpdate records every other write.
//
//   ServerOptions options;
//   InstallServerSideApply(&options.hooks);

#include "devcluster/hooks.h"

namespace starform::devcluster {

/// The apply hook: the merged object with its managedFields; throws StatusError with the API
/// server's 409 Conflict (FieldManagerConflict causes), 400 or 500.
ApplyFn ServerSideApplyHook();

/// The managedFields hook for creates, updates, patches and status writes.
ManagedFieldsFn ManagedFieldsHook();

/// Sets both hooks.
void InstallServerSideApply(Hooks* hooks);

}  // namespace starform::devcluster
