// `kubectl starform apply` end to end: the built binary against a dev cluster with the upstream
// CRDs and the seed of the README demo.

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <string>

#include "devcluster/server.h"
#include "devcluster/test_client.h"
#include "testing/apply_lock.h"
#include "testing/dev_cluster.h"
#include "testing/process.h"

namespace starform {
namespace {

using devcluster::DevCluster;
using devcluster::testing::HttpResult;
using devcluster::testing::TestClient;
using starform::testing::BuiltProgram;
using starform::testing::ProcessResult;
using starform::testing::RunProcess;

const std::string kSmall = std::string(STARFORM_TESTDATA_DIR) + "/states/small.yaml";

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// One cluster per test case (ctest runs each case in its own process).
DevCluster& Cluster() {
  static std::unique_ptr<DevCluster> cluster = testing::StartDevCluster();
  return *cluster;
}

std::unique_ptr<TestClient> Api() {
  return std::make_unique<TestClient>(Cluster().server_url(), Cluster().ca_pem(),
                                      Cluster().token());
}

ProcessResult Starform(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), BuiltProgram("kubectl-starform"));
  args.push_back("--kubeconfig");
  args.push_back(Cluster().kubeconfig_path());
  return RunProcess(args, input, {"HOME=/nonexistent", "KUBECONFIG=", "NO_COLOR=1"});
}

// small.yaml without the app |name|.
std::string Without(const std::string& name) {
  std::string text = Slurp(kSmall);
  size_t start = text.find("  - name: " + name + "\n");
  REQUIRE(start != std::string::npos);
  size_t end = text.find("  - name: ", start + 1);
  text.erase(start, end == std::string::npos ? std::string::npos : end - start);
  return text;
}

const std::string kRoutes = "/apis/gateway.networking.k8s.io/v1/namespaces/";

TEST_CASE("apply --auto-approve creates the layer, and applying again changes nothing") {
  ProcessResult r = Starform({"apply", "-f", kSmall, "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("httproute tenant-acme/shop: created") != std::string::npos);
  CHECK(r.out.find("Apply complete! Resources: 6 added, 0 changed, 0 destroyed.") !=
        std::string::npos);
  ProcessResult again = Starform({"apply", "-f", kSmall, "--auto-approve"});
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("No changes.") != std::string::npos);
  CHECK(again.out.find("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.") !=
        std::string::npos);
  ProcessResult plan = Starform({"plan", "-f", kSmall, "--detailed-exitcode"});
  CHECK(plan.exit_code == 0);
  HttpResult parent = Api()->Get("/api/v1/namespaces/starform-system/configmaps/starform");
  REQUIRE(parent.code == 200);
  nlohmann::json annotations = nlohmann::json::parse(parent.body)["metadata"]["annotations"];
  CHECK(annotations["starform.dev/revision"] == "17");
  CHECK(annotations["applyset.kubernetes.io/additional-namespaces"] == "tenant-acme,tenant-globex");
  // The lock is released.
  CHECK(Api()->Get(testing::kLockPath).code == 404);
}

TEST_CASE("apply without a terminal or --auto-approve refuses and writes nothing") {
  ProcessResult r = Starform({"apply", "-f", kSmall}, "yes\n");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("pass --auto-approve") != std::string::npos);
  CHECK(Api()->Get(kRoutes + "tenant-acme/httproutes/shop").code == 404);
  ProcessResult json = Starform({"apply", "-f", kSmall, "-o", "json"});
  CHECK(json.exit_code == 1);
  CHECK(json.err.find("-o json cannot prompt") != std::string::npos);
}

TEST_CASE("a saved plan applies exactly, takes no planning flags, and is stale afterwards") {
  REQUIRE(Starform({"apply", "-f", kSmall, "--auto-approve"}).exit_code == 0);
  std::string dir = testing::TempDir("apply-e2e");
  std::string state = dir + "/state.yaml";
  std::ofstream(state) << Without("blog");
  REQUIRE(Starform({"plan", "-f", state, "--out", dir + "/plan.out"}).exit_code == 0);

  ProcessResult flags = Starform({"apply", dir + "/plan.out", "--adopt"});
  CHECK(flags.exit_code == 1);
  CHECK(flags.err.find("a saved plan is applied exactly as it was made") != std::string::npos);

  ProcessResult r = Starform({"apply", dir + "/plan.out"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("httproute tenant-globex/blog: destroyed") != std::string::npos);
  CHECK(Api()->Get(kRoutes + "tenant-globex/httproutes/blog").code == 404);

  ProcessResult stale = Starform({"apply", dir + "/plan.out"});
  CHECK(stale.exit_code == 1);
  CHECK(stale.err.find("Saved plan is stale: httproute tenant-globex/blog was deleted since the "
                       "plan was made") != std::string::npos);
}

TEST_CASE("apply waits for no one: a held lock fails at once, naming its holder") {
  nlohmann::json lease = testing::LockLease("alice@ci-7 pid 4242", "2026-11-26T20:01:02.000000Z",
                                            "2099-01-01T00:00:00.000000Z", 60);
  REQUIRE(Api()->Post(testing::kLeasesPath, lease).code == 201);
  ProcessResult r = Starform({"apply", "-f", kSmall, "--auto-approve"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("held by alice@ci-7 pid 4242 since 2026-11-26T20:01:02") != std::string::npos);
  CHECK(Api()->Get(kRoutes + "tenant-acme/httproutes/shop").code == 404);
}

TEST_CASE("apply refuses more deletions than --max-destroy allows") {
  REQUIRE(Starform({"apply", "-f", kSmall, "--auto-approve"}).exit_code == 0);
  std::string dir = testing::TempDir("apply-e2e");
  std::string state = dir + "/state.yaml";
  std::ofstream(state) << Without("blog");
  ProcessResult r = Starform({"apply", "-f", state, "--auto-approve", "--max-destroy", "0"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("more than --max-destroy 0") != std::string::npos);
  CHECK(Api()->Get(kRoutes + "tenant-globex/httproutes/blog").code == 200);
  CHECK(Starform({"apply", "-f", state, "--auto-approve"}).exit_code == 0);
  CHECK(Api()->Get(kRoutes + "tenant-globex/httproutes/blog").code == 404);
}

TEST_CASE("apply and destroy with -o json print one result document and nothing else") {
  ProcessResult r = Starform({"apply", "-f", kSmall, "--auto-approve", "-o", "json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json applied = nlohmann::json::parse(r.out);  // the whole of stdout
  CHECK(applied["format_version"] == "1.0");
  CHECK(applied["command"] == "apply");
  CHECK(applied["complete"] == true);
  CHECK(applied["summary"] == nlohmann::json{{"added", 6},
                                             {"changed", 0},
                                             {"destroyed", 0},
                                             {"failed", 0},
                                             {"skipped", 0},
                                             {"not_started", 0}});
  REQUIRE(applied["results"].size() == 6);
  CHECK(applied["results"][0]["kind"] == "EnvoyProxy");
  for (const nlohmann::json& result : applied["results"]) {
    CHECK(result["action"] == "create");
    CHECK(result["outcome"] == "done");
    CHECK_FALSE(result.contains("error"));
  }

  ProcessResult refused = Starform({"destroy", "-o", "json"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("pass --auto-approve") != std::string::npos);
  ProcessResult destroyed = Starform({"destroy", "--auto-approve", "-o", "json"});
  INFO(destroyed.out << destroyed.err);
  REQUIRE(destroyed.exit_code == 0);
  nlohmann::json document = nlohmann::json::parse(destroyed.out);
  CHECK(document["command"] == "destroy");
  CHECK(document["summary"]["destroyed"] == 6);
  CHECK(document["results"][0]["kind"] == "HTTPRoute");  // routes go first
  CHECK(document["results"][0]["action"] == "delete");
  CHECK(Api()->Get(kRoutes + "tenant-acme/httproutes/shop").code == 404);
  // The parent stays, naming nothing, still recording the cluster it serves.
  nlohmann::json parent = nlohmann::json::parse(
      Api()->Get("/api/v1/namespaces/starform-system/configmaps/starform").body);
  CHECK(parent["metadata"]["annotations"]["applyset.kubernetes.io/contains-group-kinds"] == "");
  CHECK(parent["metadata"]["annotations"]["starform.dev/cluster"] == "do-nyc1-demo");
  ProcessResult again = Starform({"destroy", "--auto-approve"});
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("No changes.") != std::string::npos);
}

TEST_CASE("a lock whose renewal fails starts no new write and fails the apply") {
  // Renewals (PUT of the Lease) fail; each HTTPRoute write takes 6 s, one at a time, so the
  // lock (15 s, renewed every 5 s, lost by about 7.5 s) is lost before the routes are all
  // written, yet not before the Gateway's write however slowly this machine plans. No dry
  // runs: they would take as long as the writes, and the lock would be lost before the first.
  static std::unique_ptr<DevCluster> faulty =
      testing::StartDevCluster({.faults = "update:leases:status=500;apply:httproutes:latency=6s"});
  ProcessResult r =
      RunProcess({BuiltProgram("kubectl-starform"), "apply", "-f", kSmall, "--auto-approve",
                  "--parallelism", "1", "--lock-duration", "15", "--server-dry-run=false",
                  "--kubeconfig", faulty->kubeconfig_path()},
                 "", {"HOME=/nonexistent", "KUBECONFIG=", "NO_COLOR=1"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("error: the apply lock was lost: ") != std::string::npos);
  // What started before the loss finished; what had not, never started.
  CHECK(r.out.find("gateway starform-system/starform: created") != std::string::npos);
  CHECK(r.out.find(": not started") != std::string::npos);
  CHECK(r.out.find("Apply complete!") == std::string::npos);
}

TEST_CASE("a failed apply leaves the parent naming the namespaces of the objects it deletes") {
  // Deletes of HTTPRoutes fail; the rest works.
  static std::unique_ptr<DevCluster> faulty =
      testing::StartDevCluster({.faults = "delete:httproutes:status=500"});
  std::vector<std::string> connect = {"--kubeconfig", faulty->kubeconfig_path()};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), BuiltProgram("kubectl-starform"));
    args.insert(args.end(), connect.begin(), connect.end());
    return RunProcess(args, "", {"HOME=/nonexistent", "KUBECONFIG=", "NO_COLOR=1"});
  };
  REQUIRE(run({"apply", "-f", kSmall, "--auto-approve"}).exit_code == 0);
  TestClient api(faulty->server_url(), faulty->ca_pem(), faulty->token());
  // Someone edits the parent so it no longer names tenant-globex.
  const std::string parent = "/api/v1/namespaces/starform-system/configmaps/starform";
  REQUIRE(
      api.Patch(
             parent,
             R"({"metadata":{"annotations":{"applyset.kubernetes.io/additional-namespaces":"tenant-acme"}}})",
             "application/merge-patch+json")
          .code == 200);
  std::string dir = testing::TempDir("apply-e2e");
  std::ofstream(dir + "/state.yaml") << Without("blog");
  ProcessResult r = run({"apply", "-f", dir + "/state.yaml", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("httproute tenant-globex/blog: failed") != std::string::npos);
  nlohmann::json annotations =
      nlohmann::json::parse(api.Get(parent).body)["metadata"]["annotations"];
  CHECK(annotations["applyset.kubernetes.io/additional-namespaces"] == "tenant-acme,tenant-globex");
}

}  // namespace
}  // namespace starform
