#include "kube/apply_runner.h"

#include <deque>
#include <set>
#include <thread>

#include "plan/field_path.h"
#include "plan/json_access.h"

namespace starform::kube {

namespace {

constexpr const char* kFieldManager = "starform";
// A drift removal computed from one version of the object can meet a newer one (a controller
// wrote status meanwhile): it is recomputed from a fresh read this many times.
constexpr int kRemovalAttempts = 3;
constexpr const char* kNotRecreated =
    "deleted for replacement, but not recreated: the apply was interrupted; apply again to "
    "create it";

using Outcome = WriteResult::Outcome;

class Runner {
 public:
  Runner(Client& client, const RenderedApis& apis, const Plan& plan, const ApplyProgram& program,
         const RunOptions& options)
      : client_(client), apis_(apis), plan_(plan), program_(program), options_(options) {
    results_.resize(program.writes.size());
    for (size_t w = 0; w < results_.size(); ++w)
      results_[w].write = w;
  }

  std::vector<WriteResult> Run() {
    for (const ProgramStage& stage : program_.stages)
      RunStage(stage);
    return std::move(results_);
  }

 private:
  const ResourceChange& ChangeOf(size_t write) const {
    return plan_.resources[program_.writes[write].change];
  }
  const ResourceRef& RefOf(size_t write) const { return apis_.at(ChangeOf(write).key.kind); }

  void RunStage(const ProgramStage& stage) {
    queue_.assign(stage.writes.begin(), stage.writes.end());
    replaced_.clear();
    StartMore();
    client_.Run();
    // A replace's create comes once its delete is done and the old object is gone.
    for (size_t write : replaced_) {
      if (options_.stopping()) {
        Finish(write, Outcome::kFailed, kNotRecreated);
        continue;
      }
      if (!WaitGone(write))
        continue;
      queue_.push_back(write);
      creating_replacement_.insert(write);
    }
    StartMore();
    client_.Run();
  }

  // Counted in flight before its request goes out: a request can end inside the call that
  // starts it (no credentials), and then Done must find it counted. Re-entered from such an
  // end, it returns at once: the loop already running starts the next write, so a queue of
  // writes that all fail at once does not recurse.
  void StartMore() {
    if (starting_)
      return;
    starting_ = true;
    while (in_flight_ < options_.parallelism && !queue_.empty()) {
      size_t write = queue_.front();
      queue_.pop_front();
      ++in_flight_;
      if (!Begin(write))
        --in_flight_;
    }
    starting_ = false;
  }

  // Starts |write|, or records why it does not start. True when a request went out.
  bool Begin(size_t write) {
    if (options_.stopping()) {
      if (creating_replacement_.count(write))
        Finish(write, Outcome::kFailed, kNotRecreated);
      else
        Finish(write, Outcome::kNotStarted, "");
      return false;
    }
    for (size_t need : program_.writes[write].needs) {
      if (results_[need].outcome != Outcome::kDone) {
        Finish(write, Outcome::kSkipped,
               "not written because " + ChangeOf(need).key.Address() + " was not written");
        return false;
      }
    }
    const ResourceChange& change = ChangeOf(write);
    if (change.action == Action::kDelete ||
        (change.action == Action::kReplace && !creating_replacement_.count(write)))
      Delete(write);
    else
      Apply(write);
    return true;
  }

  void Done(size_t write, Outcome outcome, std::string error = "") {
    --in_flight_;
    Finish(write, outcome, std::move(error));
    StartMore();
  }

  void Finish(size_t write, Outcome outcome, std::string error) {
    results_[write].outcome = outcome;
    results_[write].error = std::move(error);
    options_.on_result(results_[write]);
  }

  void Apply(size_t write) {
    const ResourceChange& change = ChangeOf(write);
    ApplyOptions apply;
    apply.field_manager = kFieldManager;
    apply.force = !change.adopt || options_.force_conflicts;
    client_.ApplyAsync(RefOf(write), change.key.ns, change.key.name, change.body.dump(), apply,
                       [this, write](Result<nlohmann::json> applied) {
                         if (!applied)
                           return Done(write, Outcome::kFailed, Describe(write, applied.error()));
                         if (ChangeOf(write).remove_paths.empty())
                           return Done(write, Outcome::kDone);
                         RemoveDrift(write, applied.value(), kRemovalAttempts);
                       });
  }

  void RemoveDrift(size_t write, const nlohmann::json& object, int attempts) {
    const ResourceChange& change = ChangeOf(write);
    std::string error;
    std::optional<nlohmann::json> patch = RemovalPatch(object, change.remove_paths, &error);
    if (!error.empty())
      return Done(write, Outcome::kFailed, "removing fields of other managers: " + error);
    if (!patch)
      return Done(write, Outcome::kDone);  // already gone
    std::string path =
        RefOf(write).Path(change.key.ns, change.key.name) + "?fieldManager=" + kFieldManager;
    std::string tested = StringMember(Member(object, "metadata"), "resourceVersion");
    client_.Start(Client::Call::Of("PATCH", path, patch->dump(), "application/json-patch+json"),
                  [this, write, attempts, tested](Result<HttpResponse> patched) {
                    if (patched)
                      return Done(write, Outcome::kDone);
                    std::string why =
                        "removing fields of other managers: " + patched.error().Describe();
                    if (attempts <= 1 || !MaybeStale(patched.error()))
                      return Done(write, Outcome::kFailed, why);
                    Reread(write, attempts - 1, tested, why);
                  });
  }

  // The server answers a failed JSON Patch test as it answers an invalid patch (422 Invalid),
  // and a conflict as 409: which it was, the object read again tells.
  static bool MaybeStale(const ApiError& error) {
    return error.reason == Reason::kConflict || error.reason == Reason::kInvalid ||
           error.code == 422;
  }

  // Reads the object again after a refused removal: when it moved past |tested|, the removal is
  // made again on the new version; when it did not, the refusal was not about the version.
  void Reread(size_t write, int attempts, const std::string& tested, const std::string& why) {
    const ResourceChange& change = ChangeOf(write);
    client_.GetAsync(
        RefOf(write), change.key.ns, change.key.name,
        [this, write, attempts, tested, why](Result<nlohmann::json> got) {
          if (!got)
            return Done(write, Outcome::kFailed,
                        "removing fields of other managers: " + got.error().Describe());
          if (StringMember(Member(got.value(), "metadata"), "resourceVersion") == tested)
            return Done(write, Outcome::kFailed, why);
          RemoveDrift(write, got.value(), attempts);
        });
  }

  void Delete(size_t write) {
    const ResourceChange& change = ChangeOf(write);
    DeleteOptions options;
    options.precondition_uid = change.live_uid;
    client_.DeleteAsync(RefOf(write), change.key.ns, change.key.name, options,
                        [this, write](Result<nlohmann::json> deleted) {
                          bool gone = deleted || deleted.error().reason == Reason::kNotFound;
                          if (!gone)
                            return Done(write, Outcome::kFailed, Describe(write, deleted.error()));
                          if (ChangeOf(write).action == Action::kReplace) {
                            --in_flight_;
                            replaced_.push_back(write);
                            return StartMore();
                          }
                          Done(write, Outcome::kDone);
                        });
  }

  // Polls until the replaced object is gone (finalizers may hold it for a while).
  bool WaitGone(size_t write) {
    const ResourceChange& change = ChangeOf(write);
    auto deadline = std::chrono::steady_clock::now() + options_.replace_timeout;
    while (true) {
      Result<nlohmann::json> got = client_.Get(RefOf(write), change.key.ns, change.key.name);
      if (!got && got.error().reason == Reason::kNotFound)
        return true;
      bool replaced_by_someone = got && got.value()["metadata"].value("uid", "") != change.live_uid;
      if (replaced_by_someone || !got || std::chrono::steady_clock::now() >= deadline) {
        std::string why = replaced_by_someone ? "another object of that name was created meanwhile"
                          : !got              ? got.error().Describe()
                                              : "still there after " +
                                       std::to_string(options_.replace_timeout.count() / 1000) +
                                       " s (a finalizer holds it?)";
        Finish(write, Outcome::kFailed, "deleted for replacement, but not recreated: " + why);
        return false;
      }
      if (options_.stopping()) {
        Finish(write, Outcome::kFailed, kNotRecreated);
        return false;
      }
      std::this_thread::sleep_for(options_.replace_poll);
    }
  }

  std::string Describe(size_t write, const ApiError& error) const {
    std::string text = error.Describe();
    if (error.reason == Reason::kConflict && ChangeOf(write).adopt &&
        ChangeOf(write).action != Action::kDelete)
      text +=
          " (the object was adopted: other managers keep their fields unless "
          "--force-conflicts takes them)";
    if (error.reason == Reason::kConflict && ChangeOf(write).action == Action::kDelete)
      text += " (the object was replaced since the plan: plan again)";
    return text;
  }

  Client& client_;
  const RenderedApis& apis_;
  const Plan& plan_;
  const ApplyProgram& program_;
  const RunOptions& options_;
  std::vector<WriteResult> results_;
  std::deque<size_t> queue_;
  std::vector<size_t> replaced_;
  std::set<size_t> creating_replacement_;
  size_t in_flight_ = 0;
  bool starting_ = false;
};

}  // namespace

std::vector<WriteResult> RunProgram(Client& client, const RenderedApis& apis, const Plan& plan,
                                    const ApplyProgram& program, const RunOptions& options) {
  return Runner(client, apis, plan, program, options).Run();
}

}  // namespace starform::kube
