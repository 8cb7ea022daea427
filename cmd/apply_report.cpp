#include "cmd/apply_report.h"

#include <csignal>

namespace starform {

namespace {

using Outcome = kube::WriteResult::Outcome;

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kDone:
      return "done";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kSkipped:
      return "skipped";
    case Outcome::kNotStarted:
      return "not_started";
  }
  return "";
}

// The outcome as a person reads it: "not started", not "not_started".
std::string OutcomeWords(Outcome outcome) {
  std::string words = OutcomeName(outcome);
  for (char& c : words)
    if (c == '_')
      c = ' ';
  return words;
}

const char* DoneWord(Action action) {
  switch (action) {
    case Action::kCreate:
      return "created";
    case Action::kDelete:
      return "destroyed";
    case Action::kReplace:
      return "replaced";
    default:
      return "updated";
  }
}

const ResourceChange& ChangeOf(const Plan& plan, const ApplyProgram& program,
                               const kube::WriteResult& result) {
  return plan.resources[program.writes[result.write].change];
}

struct Tally {
  size_t added = 0, changed = 0, destroyed = 0, failed = 0, skipped = 0, not_started = 0;
};

// Replacements count as added and destroyed, as in Terraform's summary.
Tally TallyOf(const Plan& plan, const ApplyProgram& program, const ApplyOutcome& outcome) {
  Tally tally;
  for (const kube::WriteResult& result : outcome.results) {
    Action action = ChangeOf(plan, program, result).action;
    switch (result.outcome) {
      case Outcome::kDone:
        tally.added += action == Action::kCreate || action == Action::kReplace;
        tally.changed += action == Action::kUpdate;
        tally.destroyed += action == Action::kDelete || action == Action::kReplace;
        break;
      case Outcome::kFailed:
        ++tally.failed;
        break;
      case Outcome::kSkipped:
        ++tally.skipped;
        break;
      case Outcome::kNotStarted:
        ++tally.not_started;
        break;
    }
  }
  return tally;
}

const char* SignalName(int signal) {
  return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "a signal";
}

}  // namespace

ApplyProgress::ApplyProgress(const Plan& plan, const ApplyProgram& program, ReportMode mode,
                             ReportVerb verb, std::FILE* out)
    : plan_(plan),
      program_(program),
      mode_(mode),
      verb_(verb),
      out_(out),
      start_(std::chrono::steady_clock::now()) {
  if (mode_ != ReportMode::kProgress)
    return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    DrawLocked();
  }
  // The elapsed time moves even while a slow write holds every other result back.
  ticker_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!finished_) {
      wake_.wait_for(lock, std::chrono::seconds(1));
      if (!finished_)
        DrawLocked();
    }
  });
}

ApplyProgress::~ApplyProgress() {
  Finish();
}

std::string ApplyProgress::AddressOf(const kube::WriteResult& result) const {
  return ChangeOf(plan_, program_, result).key.Address();
}

void ApplyProgress::DrawLocked() {
  long long elapsed =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start_)
          .count();
  std::fprintf(out_, "\r\x1b[K%s: %zu/%zu done, %zu failed, %llds elapsed",
               verb_ == ReportVerb::kApply ? "Applying" : "Destroying", done_,
               program_.writes.size(), failed_, elapsed);
  std::fflush(out_);
}

void ApplyProgress::OnResult(const kube::WriteResult& result) {
  if (mode_ == ReportMode::kJson || result.outcome == Outcome::kNotStarted)
    return;
  std::lock_guard<std::mutex> lock(mutex_);
  std::string line = AddressOf(result) + ": ";
  if (result.outcome == Outcome::kDone) {
    ++done_;
    line += DoneWord(ChangeOf(plan_, program_, result).action);
  } else {
    ++failed_;
    line += OutcomeWords(result.outcome) + ": " + result.error;
  }
  if (mode_ == ReportMode::kLines) {
    std::fprintf(out_, "%s\n", line.c_str());
    std::fflush(out_);
    return;
  }
  if (result.outcome != Outcome::kDone)  // failures keep a line of their own above the progress
    std::fprintf(out_, "\r\x1b[K%s\n", line.c_str());
  DrawLocked();
}

void ApplyProgress::Finish() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_)
      return;
    finished_ = true;
    if (mode_ == ReportMode::kProgress) {
      DrawLocked();
      std::fputc('\n', out_);
      std::fflush(out_);
    }
  }
  wake_.notify_all();
  if (ticker_.joinable())
    ticker_.join();
}

nlohmann::json ResultDocument(const Plan& plan, const ApplyProgram& program,
                              const ApplyOutcome& outcome, ReportVerb verb) {
  Tally tally = TallyOf(plan, program, outcome);
  nlohmann::json results = nlohmann::json::array();
  for (const kube::WriteResult& result : outcome.results) {
    const ResourceChange& change = ChangeOf(plan, program, result);
    nlohmann::json entry = {{"address", change.key.Address()},
                            {"api_version", change.key.api_version},
                            {"kind", change.key.kind},
                            {"namespace", change.key.ns},
                            {"name", change.key.name},
                            {"action", ActionName(change.action)},
                            {"outcome", OutcomeName(result.outcome)}};
    if (!result.error.empty())
      entry["error"] = result.error;
    results.push_back(std::move(entry));
  }
  return {{"format_version", "1.0"},
          {"command", verb == ReportVerb::kApply ? "apply" : "destroy"},
          {"complete", outcome.Succeeded()},
          {"summary",
           {{"added", tally.added},
            {"changed", tally.changed},
            {"destroyed", tally.destroyed},
            {"failed", tally.failed},
            {"skipped", tally.skipped},
            {"not_started", tally.not_started}}},
          {"results", std::move(results)},
          {"errors", outcome.errors}};
}

int ReportOutcome(const Plan& plan, const ApplyProgram& program, const ApplyOutcome& outcome,
                  ReportMode mode, ReportVerb verb, int signal, std::FILE* out) {
  int failed_code = signal != 0 ? 128 + signal : 1;
  int code = outcome.Succeeded() && signal == 0 ? 0 : failed_code;
  if (mode == ReportMode::kJson) {
    std::fprintf(out, "%s\n", ResultDocument(plan, program, outcome, verb).dump(2).c_str());
    return code;
  }
  for (const std::string& error : outcome.errors)
    std::fprintf(stderr, "error: %s\n", error.c_str());
  Tally tally = TallyOf(plan, program, outcome);
  const char* name = verb == ReportVerb::kApply ? "Apply" : "Destroy";
  if (outcome.Succeeded()) {
    if (verb == ReportVerb::kApply)
      std::fprintf(out, "\nApply complete! Resources: %zu added, %zu changed, %zu destroyed.\n",
                   tally.added, tally.changed, tally.destroyed);
    else
      std::fprintf(out, "\nDestroy complete! Resources: %zu destroyed.\n", tally.destroyed);
    if (signal != 0)
      std::fprintf(out, "%s arrived after the last write.\n", SignalName(signal));
    return code;
  }
  size_t missed = tally.failed + tally.skipped + tally.not_started;
  std::string why = signal != 0 ? std::string(" interrupted by ") + SignalName(signal) : " failed";
  std::fprintf(out,
               "\n%s%s: %zu of %zu writes did not happen (%zu added, %zu changed, %zu destroyed "
               "before that).\n",
               name, why.c_str(), missed, outcome.results.size(), tally.added, tally.changed,
               tally.destroyed);
  for (const kube::WriteResult& result : outcome.results)
    if (result.outcome != Outcome::kDone)
      std::fprintf(out, "  %s: %s%s%s\n", ChangeOf(plan, program, result).key.Address().c_str(),
                   OutcomeWords(result.outcome).c_str(), result.error.empty() ? "" : ": ",
                   result.error.c_str());
  std::fprintf(out, "%s again to converge: the next plan shows only what is left.\n", name);
  return code;
}

}  // namespace starform
