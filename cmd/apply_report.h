#pragma once

// How apply and destroy tell what they do and did: while writing, one line per object, or on a
// terminal a live progress line (done/total, failed, elapsed) with a line for each failure; at
// the end Terraform's "Apply complete!" or a summary of each failed object; with -o json, one
// document instead (docs/apply.md).

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "cmd/apply_writes.h"
#include "plan/apply_program.h"
#include "plan/plan.h"

namespace starform {

enum class ReportMode {
  kLines,     ///< one line per object as it ends
  kProgress,  ///< a terminal: a progress line rewritten in place
  kJson,      ///< nothing while writing; the result document at the end
};

/// Which command is reporting: the words of its lines and of its summary.
enum class ReportVerb { kApply, kDestroy };

/// Follows the writes as they end. The progress line is redrawn at each result and every
/// second by a thread of its own, so it is safe to call from the runner's thread.
class ApplyProgress {
 public:
  ApplyProgress(const Plan& plan, const ApplyProgram& program, ReportMode mode, ReportVerb verb,
                std::FILE* out = stdout);
  ~ApplyProgress();
  ApplyProgress(const ApplyProgress&) = delete;
  ApplyProgress& operator=(const ApplyProgress&) = delete;

  void OnResult(const kube::WriteResult& result);
  /// Ends the progress line (when there is one) before the summary is printed.
  void Finish();

 private:
  void DrawLocked();
  std::string AddressOf(const kube::WriteResult& result) const;

  const Plan& plan_;
  const ApplyProgram& program_;
  ReportMode mode_;
  ReportVerb verb_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  size_t done_ = 0;
  size_t failed_ = 0;
  bool finished_ = false;
  std::thread ticker_;
};

/// Prints the end of an apply (or destroy) on |out| (errors on stderr) and returns its exit
/// code: 0 when every write succeeded, else 1, or 128 + |signal| when a signal stopped it.
int ReportOutcome(const Plan& plan, const ApplyProgram& program, const ApplyOutcome& outcome,
                  ReportMode mode, ReportVerb verb, int signal, std::FILE* out = stdout);

/// The -o json result document (docs/apply.md): format_version, command, complete, summary,
/// one entry per write and the errors outside them.
nlohmann::json ResultDocument(const Plan& plan, const ApplyProgram& program,
                              const ApplyOutcome& outcome, ReportVerb verb);

}  // namespace starform
