#pragma once

// Runs an apply program (plan/apply_program.h) against the cluster: stage after stage, up to
// `parallelism` writes in flight within a stage, each write attempted only when every write it
// needs succeeded. A create or update is a server-side apply as field manager "starform"
// (forced on owned objects; on an adopted one only with --force-conflicts), followed, when the
// plan found drift, by a JSON Patch that removes the other managers' fields. A replace deletes
// the object (precondition on the planned uid), waits until it is gone, then applies it. A
// delete has the same precondition, so an object recreated by someone else since the plan is
// never deleted; one already gone counts as deleted.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "kube/client.h"
#include "kube/live_reader.h"
#include "plan/apply_program.h"
#include "plan/plan.h"

namespace starform::kube {

struct WriteResult {
  enum class Outcome {
    kDone,
    kFailed,
    kSkipped,     ///< a write it needs did not succeed
    kNotStarted,  ///< the run was stopping
  };
  size_t write = 0;  ///< index into ApplyProgram::writes
  Outcome outcome = Outcome::kNotStarted;
  std::string error;  ///< for kFailed: the server's reason, and what to do; for kSkipped: why
};

struct RunOptions {
  size_t parallelism = 16;
  bool force_conflicts = false;  ///< force server-side apply on adopted objects too
  /// Asked before each write starts: true once the run must stop (a signal, a lost lock).
  std::function<bool()> stopping = [] { return false; };
  /// Told of each write as it ends (progress).
  std::function<void(const WriteResult&)> on_result = [](const WriteResult&) {};
  /// How long a replace waits for the old object to be gone, and how often it looks.
  std::chrono::milliseconds replace_timeout{std::chrono::seconds(120)};
  std::chrono::milliseconds replace_poll{std::chrono::milliseconds(250)};
};

/// One result per write of |program|, in its order.
std::vector<WriteResult> RunProgram(Client& client, const RenderedApis& apis, const Plan& plan,
                                    const ApplyProgram& program, const RunOptions& options);

}  // namespace starform::kube
