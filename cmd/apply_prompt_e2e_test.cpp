// What a person at a terminal sees and types, end to end: the built binary on a pseudo-terminal
// against a dev cluster. The approval prompts of apply, destroy and unlock (only exactly 'yes'
// approves; Ctrl-C cancels), and apply's progress line, rewritten in place.

#include <catch2/catch.hpp>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "devcluster/server.h"
#include "devcluster/status.h"
#include "devcluster/test_client.h"
#include "testing/apply_lock.h"
#include "testing/dev_cluster.h"
#include "testing/process.h"
#include "testing/pty.h"

namespace starform {
namespace {

using Catch::Matchers::Contains;
using devcluster::DevCluster;
using devcluster::testing::TestClient;
using starform::testing::BuiltProgram;
using starform::testing::ProcessResult;
using starform::testing::PtyProcess;
using starform::testing::RunProcess;
using starform::testing::ScreenLines;

const std::string kSmall = std::string(STARFORM_TESTDATA_DIR) + "/states/small.yaml";
const std::vector<std::string> kEnv = {"HOME=/nonexistent", "KUBECONFIG=", "NO_COLOR=1"};
const std::string kRoutes = "/apis/gateway.networking.k8s.io/v1/namespaces/";
const std::string& kLeases = testing::kLeasesPath;
const std::string& kLease = testing::kLockPath;
const std::vector<std::string> kAllRoutes = {
    "tenant-acme/httproutes/shop", "tenant-acme/httproutes/docs", "tenant-globex/httproutes/blog"};

// One cluster per test case (ctest runs each case in its own process); the first call starts it,
// with |setup|.
DevCluster& Cluster(const testing::DevClusterSetup& setup = {}) {
  static std::unique_ptr<DevCluster> cluster = testing::StartDevCluster(setup);
  return *cluster;
}

std::unique_ptr<TestClient> Api() {
  return std::make_unique<TestClient>(Cluster().server_url(), Cluster().ca_pem(),
                                      Cluster().token());
}

int Status(const std::string& path) {
  return Api()->Get(path).code;
}

std::vector<std::string> CommandLine(std::vector<std::string> args) {
  args.insert(args.begin(), BuiltProgram("kubectl-starform"));
  args.push_back("--kubeconfig");
  args.push_back(Cluster().kubeconfig_path());
  return args;
}

// Without a terminal: stdin, stdout and stderr are pipes.
ProcessResult Starform(std::vector<std::string> args) {
  return RunProcess(CommandLine(std::move(args)), "", kEnv);
}

// On a terminal of 24 rows and 100 columns.
std::unique_ptr<PtyProcess> OnTerminal(std::vector<std::string> args) {
  return std::make_unique<PtyProcess>(CommandLine(std::move(args)),
                                      testing::PtyOptions{24, 100, kEnv});
}

void ApplySmall() {
  ProcessResult r = Starform({"apply", "-f", kSmall, "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
}

// The apply lock, held by someone else (renewed far into the future).
void HoldLock() {
  nlohmann::json lease = testing::LockLease("alice@ci-7 pid 4242", "2026-11-26T20:01:02.000000Z",
                                            "2099-01-01T00:00:00.000000Z", 60);
  REQUIRE(Api()->Post(kLeases, lease).code == 201);
}

// Runs |args| on a terminal up to its prompt, checks that the prompt shows |texts| in that order
// after the banner, answers |answer| and returns the exit code; |*output| is all it printed.
int Answer(const std::vector<std::string>& args, const std::vector<std::string>& texts,
           const std::string& answer, std::string* output) {
  std::unique_ptr<PtyProcess> p = OnTerminal(args);
  REQUIRE_THAT(p->WaitFor("Enter a value: "), Contains("Enter a value: "));
  std::string prompt = p->text();
  INFO(prompt);
  size_t last = 0;
  for (const std::string& text : texts) {
    INFO("expected next: " << text);
    size_t at = prompt.find(text, last);
    REQUIRE(at != std::string::npos);
    last = at + text.size();
  }
  CHECK(prompt.find(Cluster().token()) == std::string::npos);
  p->Write(answer);
  int code = p->Wait();
  *output = p->text();
  return code;
}

// On a terminal, |args| ends at once with 0, saying |says|: it has nothing to ask about. (Were it
// to ask, the wait would time out and fail the test.)
void EndsWithoutAsking(const std::vector<std::string>& args, const std::string& says) {
  std::unique_ptr<PtyProcess> p = OnTerminal(args);
  int code = p->Wait();
  INFO(p->text());
  CHECK(code == 0);
  CHECK_THAT(p->text(), Contains(says));
  CHECK_THAT(p->text(), !Contains("Enter a value"));
}

std::vector<std::string> ApplyPrompt() {
  return {"will be created",
          "Context:",
          "Server:   " + Cluster().server_url(),
          "Cluster:  do-nyc1-demo, revision 17",
          "Do you want to perform these actions?",
          "Only 'yes' will be accepted to approve.",
          "Enter a value: "};
}

TEST_CASE("apply on a terminal shows the plan, where it goes, and asks: 'yes' applies") {
  std::string output;
  int code = Answer({"apply", "-f", kSmall}, ApplyPrompt(), "yes\n", &output);
  INFO(output);
  CHECK(code == 0);
  std::string done = "Apply complete! Resources: 6 added, 0 changed, 0 destroyed.\n";
  REQUIRE(output.size() >= done.size());
  CHECK(output.substr(output.size() - done.size()) == done);
  CHECK(Status(kRoutes + "tenant-acme/httproutes/shop") == 200);
  CHECK(Status(kLease) == 404);
}

TEST_CASE("apply on a terminal takes only exactly 'yes': no, an empty line and YES cancel") {
  for (std::string answer : {"no", "", "YES", "y"}) {
    INFO("answer: '" << answer << "'");
    std::string output;
    int code = Answer({"apply", "-f", kSmall}, ApplyPrompt(), answer + "\n", &output);
    INFO(output);
    CHECK(code == 1);
    CHECK_THAT(output, Contains("Apply cancelled."));
    CHECK_THAT(output, !Contains("Apply complete!"));
    CHECK(Status(kRoutes + "tenant-acme/httproutes/shop") == 404);
    CHECK(Status(kLease) == 404);
  }
}

TEST_CASE("Ctrl-C at the apply prompt exits 130 and writes nothing") {
  std::string output;
  int code = Answer({"apply", "-f", kSmall}, ApplyPrompt(), "\x03", &output);
  INFO(output);
  CHECK(code == 130);
  CHECK_THAT(output, !Contains("Apply complete!"));
  CHECK(Status(kRoutes + "tenant-acme/httproutes/shop") == 404);
  CHECK(Status(kLease) == 404);
}

TEST_CASE("apply on a terminal with nothing to change asks nothing") {
  ApplySmall();
  EndsWithoutAsking({"apply", "-f", kSmall}, "No changes.");
}

// The progress updates in |raw| terminal output, each "\r\x1b[K" then the line: done, total,
// failed, seconds elapsed.
struct Progress {
  int done, total, failed, seconds;
};

std::vector<Progress> ProgressUpdates(const std::string& raw) {
  std::vector<Progress> updates;
  std::regex line("\r\x1b\\[KApplying: (\\d+)/(\\d+) done, (\\d+) failed, (\\d+)s elapsed");
  for (auto it = std::sregex_iterator(raw.begin(), raw.end(), line); it != std::sregex_iterator();
       ++it) {
    updates.push_back(
        {std::stoi((*it)[1]), std::stoi((*it)[2]), std::stoi((*it)[3]), std::stoi((*it)[4])});
  }
  return updates;
}

// The screen's lines that start with |prefix|.
std::vector<std::string> LinesStarting(const std::vector<std::string>& screen,
                                       const std::string& prefix) {
  std::vector<std::string> lines;
  for (const std::string& line : screen)
    if (line.rfind(prefix, 0) == 0)
      lines.push_back(line);
  return lines;
}

// Where the line that starts with |prefix| is on |screen| (screen.size() when it is not there).
size_t LineAt(const std::vector<std::string>& screen, const std::string& prefix) {
  size_t i = 0;
  while (i < screen.size() && screen[i].rfind(prefix, 0) != 0)
    ++i;
  return i;
}

TEST_CASE(
    "apply on a terminal shows one progress line, rewritten in place, not a line per object") {
  std::unique_ptr<PtyProcess> p = OnTerminal({"apply", "-f", kSmall, "--auto-approve"});
  int code = p->Wait();
  INFO(p->text());
  CHECK(code == 0);
  CHECK_THAT(p->text(), !Contains(": created"));
  std::vector<Progress> updates = ProgressUpdates(p->raw());
  REQUIRE(!updates.empty());
  for (size_t i = 0; i < updates.size(); ++i) {
    CHECK(updates[i].total == 6);
    CHECK(updates[i].failed == 0);
    if (i > 0)
      CHECK(updates[i].done >= updates[i - 1].done);
  }
  CHECK(updates.back().done == 6);
  // Each "Applying:" is a progress update: none is printed another way.
  size_t mentions = 0;
  for (size_t at = p->raw().find("Applying:"); at != std::string::npos;
       at = p->raw().find("Applying:", at + 1))
    ++mentions;
  CHECK(mentions == updates.size());
  // The screen keeps one progress line, ended before the summary.
  std::vector<std::string> screen = ScreenLines(p->raw());
  std::vector<std::string> progress = LinesStarting(screen, "Applying:");
  REQUIRE(progress.size() == 1);
  CHECK_THAT(progress[0], Catch::StartsWith("Applying: 6/6 done, 0 failed, "));
  size_t line = LineAt(screen, "Applying:");
  CHECK(LineAt(screen, "Apply complete! Resources: 6 added, 0 changed, 0 destroyed.") > line);
  CHECK(Status(kRoutes + "tenant-acme/httproutes/shop") == 200);
}

TEST_CASE("apply without a terminal prints a line per object and no progress line") {
  ProcessResult r = Starform({"apply", "-f", kSmall, "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("httproute tenant-acme/shop: created\n"));
  CHECK_THAT(r.out, Contains("httproute tenant-globex/blog: created\n"));
  CHECK_THAT(r.out + r.err, !Contains("Applying:"));
  CHECK_THAT(r.out + r.err, !Contains("\r"));
  CHECK_THAT(r.out + r.err, !Contains("\x1b["));
}

TEST_CASE("a failed write on a terminal gets its own line above the progress line") {
  testing::DevClusterSetup setup;
  // A webhook that refuses the blog route (with the dry run off, only the apply's write).
  setup.admitters.push_back([](const devcluster::ResourceType&, const std::string&,
                               const nlohmann::json& object, const nlohmann::json*) {
    if (object.value("kind", "") == "HTTPRoute" && object["metadata"].value("name", "") == "blog")
      throw devcluster::StatusError(403, "Forbidden",
                                    "admission webhook \"routes.example.com\" denied the request: "
                                    "no blogs");
  });
  Cluster(setup);
  std::unique_ptr<PtyProcess> p =
      OnTerminal({"apply", "-f", kSmall, "--auto-approve", "--server-dry-run=false"});
  int code = p->Wait();
  INFO(p->text());
  CHECK(code == 1);
  CHECK_THAT(p->text(), !Contains(": created"));
  std::vector<std::string> screen = ScreenLines(p->raw());
  std::vector<std::string> failed = LinesStarting(screen, "httproute tenant-globex/blog: failed: ");
  REQUIRE(failed.size() == 1);
  CHECK_THAT(failed[0], Contains("no blogs"));
  std::vector<std::string> progress = LinesStarting(screen, "Applying:");
  REQUIRE(progress.size() == 1);
  CHECK_THAT(progress[0], Contains(" 1 failed, "));
  CHECK(LineAt(screen, "httproute tenant-globex/blog: failed: ") < LineAt(screen, "Applying:"));
  CHECK(LineAt(screen, "Apply failed:") > LineAt(screen, "Applying:"));
  std::vector<Progress> updates = ProgressUpdates(p->raw());
  REQUIRE(!updates.empty());
  CHECK(updates.back().failed == 1);
  CHECK(updates.back().done + updates.back().failed <= updates.back().total);
  CHECK(Status(kRoutes + "tenant-acme/httproutes/shop") == 200);
  CHECK(Status(kRoutes + "tenant-globex/httproutes/blog") == 404);
}

TEST_CASE("the progress line counts the seconds while writes are slow") {
  // Each route's write takes 2.5 s: the line must tick at 1 s and 2 s without a result.
  Cluster({false, "apply:httproutes:latency=2500ms"});
  std::unique_ptr<PtyProcess> p =
      OnTerminal({"apply", "-f", kSmall, "--auto-approve", "--server-dry-run=false"});
  int code = p->Wait();
  INFO(p->text());
  CHECK(code == 0);
  std::vector<Progress> updates = ProgressUpdates(p->raw());
  bool ticked = false;
  for (size_t i = 1; i < updates.size(); ++i) {
    ticked = ticked || (updates[i].done == updates[i - 1].done &&
                        updates[i].failed == updates[i - 1].failed &&
                        updates[i].seconds > updates[i - 1].seconds);
  }
  CHECK(ticked);
  REQUIRE(!updates.empty());
  CHECK(updates.back().seconds >= 2);
  CHECK(updates.back().done == 6);
}

// Without a terminal and without |flag|, |command| asks nothing: it refuses, naming |flag|.
void RefusesWithoutTerminal(const std::string& command, const std::string& flag) {
  ProcessResult refused = Starform({command});
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Contains(flag));
  CHECK_THAT(refused.out + refused.err, !Contains("Enter a value"));
}

std::vector<std::string> DestroyPrompt() {
  return {"will be destroyed",
          "Context:",
          "Server:   " + Cluster().server_url(),
          "Cluster:",
          "Do you really want to destroy all resources?",
          "There is no undo.",
          "Only 'yes' will be accepted to confirm.",
          "Enter a value: "};
}

TEST_CASE("destroy on a terminal shows what goes and asks: 'yes' deletes all starform owns") {
  ApplySmall();
  std::string output;
  int code = Answer({"destroy"}, DestroyPrompt(), "yes\n", &output);
  INFO(output);
  CHECK(code == 0);
  CHECK(std::regex_search(output, std::regex("Destroy complete! Resources: 6 destroyed\\.\n$")));
  // On a terminal, a progress line as apply's, not a line per object.
  CHECK_THAT(output, !Contains(": destroyed"));
  std::vector<std::string> progress = LinesStarting(ScreenLines(output), "Destroying:");
  REQUIRE(progress.size() == 1);
  CHECK_THAT(progress[0], Catch::StartsWith("Destroying: 6/6 done, 0 failed, "));
  for (const std::string& route : kAllRoutes)
    CHECK(Status(kRoutes + route) == 404);
  CHECK(Status(kLease) == 404);
}

TEST_CASE("destroy on a terminal takes only exactly 'yes': anything else deletes nothing") {
  ApplySmall();
  for (std::string answer : {"no", "", "YES"}) {
    INFO("answer: '" << answer << "'");
    std::string output;
    int code = Answer({"destroy"}, DestroyPrompt(), answer + "\n", &output);
    INFO(output);
    CHECK(code == 1);
    CHECK_THAT(output, Contains("Destroy cancelled."));
    for (const std::string& route : kAllRoutes)
      CHECK(Status(kRoutes + route) == 200);
    CHECK(Status(kLease) == 404);
  }
}

TEST_CASE("destroy without a terminal needs --auto-approve, and with it deletes all") {
  ApplySmall();
  RefusesWithoutTerminal("destroy", "--auto-approve");
  CHECK(Status(kRoutes + "tenant-acme/httproutes/shop") == 200);
  ProcessResult r = Starform({"destroy", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("Destroy complete! Resources: 6 destroyed."));
  for (const std::string& route : kAllRoutes)
    CHECK(Status(kRoutes + route) == 404);
}

TEST_CASE("destroy with nothing owned says so and asks nothing") {
  EndsWithoutAsking({"destroy"}, "No changes.");
}

TEST_CASE("unlock with no apply lock held says so and asks nothing") {
  EndsWithoutAsking({"unlock"}, "No apply lock is held.");
  ProcessResult r = Starform({"unlock", "--yes"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("No apply lock is held."));
}

const std::vector<std::string> kUnlockPrompt = {
    "alice@ci-7 pid 4242", "2026-11-26T20:01:02", "Do you really want to force-unlock?",
    "Only 'yes' will be accepted to confirm.", "Enter a value: "};

TEST_CASE("unlock on a terminal names the holder and asks: 'yes' removes the lock") {
  HoldLock();
  std::string output;
  int code = Answer({"unlock"}, kUnlockPrompt, "yes\n", &output);
  INFO(output);
  CHECK(code == 0);
  CHECK_THAT(output, Contains("The apply lock has been removed."));
  CHECK(Status(kLease) == 404);
  // And apply can take it.
  ApplySmall();
}

TEST_CASE("unlock on a terminal takes only exactly 'yes': anything else keeps the lock") {
  HoldLock();
  for (std::string answer : {"no", "", "YES"}) {
    INFO("answer: '" << answer << "'");
    std::string output;
    int code = Answer({"unlock"}, kUnlockPrompt, answer + "\n", &output);
    INFO(output);
    CHECK(code == 1);
    CHECK_THAT(output, Contains("Unlock cancelled."));
    CHECK(Status(kLease) == 200);
  }
}

TEST_CASE("unlock without a terminal needs --yes, and --yes removes the lock without asking") {
  HoldLock();
  RefusesWithoutTerminal("unlock", "--yes");
  CHECK(Status(kLease) == 200);
  ProcessResult r = Starform({"unlock", "--yes"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("The apply lock has been removed."));
  CHECK_THAT(r.out, !Contains("Enter a value"));
  CHECK(Status(kLease) == 404);
}

}  // namespace
}  // namespace starform
