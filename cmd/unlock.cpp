// kubectl starform unlock: breaks the apply lock an apply left behind (a killed CI job), as
// terraform force-unlock does: it says who holds it and since when, and asks first.

#include <cstdio>
#include <memory>
#include <string>

#include "cmd/apply_session.h"

namespace starform {

namespace {

struct UnlockCommandOptions {
  ConnectionOptions connection;
  bool yes = false;
};

std::string TimeOrUnknown(const std::optional<std::chrono::system_clock::time_point>& t) {
  return t ? kube::FormatMicroTime(*t) : "(unknown)";
}

// Terraform's force-unlock question, in starform's words.
const Question kUnlockQuestion{
    "Do you really want to force-unlock?",
    "  kubectl starform will remove the apply lock. Another apply may then change the cluster,\n"
    "  even though the holder may still be applying.",
    "confirm", "Unlock cancelled."};

int RunUnlock(const UnlockCommandOptions& options, const GlobalOptions& globals) {
  CatchStopSignals();
  std::unique_ptr<kube::Client> client = options.connection.Connect(globals);
  if (!client)
    return kExitError;
  kube::Result<std::optional<kube::LockInfo>> read = kube::ReadLock(*client);
  if (!read) {
    std::fprintf(stderr, "error: reading the apply lock: %s\n", read.error().Describe().c_str());
    return kExitError;
  }
  if (!read.value() || read.value()->holder.empty()) {
    std::printf("No apply lock is held.\n");
    return kExitOk;
  }
  // Only a held lock needs the question, so scripts may run a plain unlock to check.
  if (!options.yes && !CanAsk()) {
    std::fprintf(stderr,
                 "error: no terminal to ask for confirmation on: pass --yes to remove the apply "
                 "lock without asking\n");
    return kExitError;
  }
  const kube::LockInfo& info = *read.value();
  std::printf("The apply lock (Lease %s/%s) is held by %s since %s, last renewed %s (%s).\n",
              kube::kLockNamespace, kube::kLockName, info.holder.c_str(),
              TimeOrUnknown(info.acquire_time).c_str(), TimeOrUnknown(info.renew_time).c_str(),
              info.expired ? "expired: the next apply takes it over anyway"
                           : "not expired: its holder may still be applying");
  if (!options.yes && !Ask(kUnlockQuestion)) {
    if (StopSignal() != 0)
      return 128 + StopSignal();
    std::printf("\n%s\n", kUnlockQuestion.cancelled.c_str());
    return kExitError;
  }
  std::string error;
  if (!kube::BreakLock(*client, info, &error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return kExitError;
  }
  std::printf("\nThe apply lock has been removed.\n");
  return kExitOk;
}

}  // namespace

Command AddUnlockCommand(CLI::App& root, const GlobalOptions& globals) {
  auto options = std::make_shared<UnlockCommandOptions>();
  Command command;
  command.app = root.add_subcommand(
      "unlock", "Remove the apply lock another apply left behind (asks for confirmation)");
  options->connection.AddTo(command.app);
  command.app->add_flag("-y,--yes", options->yes, "Remove the lock without asking");
  command.run = [options, &globals] { return RunUnlock(*options, globals); };
  return command;
}

}  // namespace starform
