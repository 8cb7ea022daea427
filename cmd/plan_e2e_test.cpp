// `kubectl starform plan` end to end: the built binary against a dev cluster with the upstream
// CRDs, the seed of the README demo and (where it matters) the simulated controllers. Objects
// are "applied" the way apply will apply them — server-side apply as field manager starform —
// until apply exists.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "devcluster/server.h"
#include "devcluster/test_client.h"
#include "plan/desired_state.h"
#include "plan/render.h"
#include "testing/dev_cluster.h"
#include "testing/process.h"

namespace starform {
namespace {

namespace fs = std::filesystem;
using devcluster::DevCluster;
using devcluster::testing::HttpResult;
using devcluster::testing::TestClient;
using starform::testing::BuiltProgram;
using starform::testing::ProcessResult;
using starform::testing::RunProcess;

const std::string kSmall = std::string(STARFORM_TESTDATA_DIR) + "/states/small.yaml";

std::string TempDir() {
  std::string pattern = (fs::temp_directory_path() / "plan-e2e-XXXXXX").string();
  return mkdtemp(pattern.data());
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// One cluster per test case (ctest runs each case in its own process).
DevCluster& Cluster(bool controllers = false) {
  static std::unique_ptr<DevCluster> cluster = testing::StartDevCluster({controllers, ""});
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

std::vector<nlohmann::json> Rendered(const std::string& text) {
  DesiredState state;
  Diagnostics diags("test");
  REQUIRE(LoadDesiredState(text, "test", &state, &diags));
  return Render(state);
}

std::string PathOf(const nlohmann::json& object) {
  std::string api_version = object["apiVersion"];
  std::string kind = object["kind"];
  for (const RenderedKind& rendered : RenderedKinds())
    if (kind == rendered.kind)
      return "/apis/" + api_version + "/namespaces/" +
             object["metadata"]["namespace"].get<std::string>() + "/" + rendered.resource + "/" +
             object["metadata"]["name"].get<std::string>();
  FAIL("not a rendered kind: " << kind);
  return "";
}

// Applies every object as apply will: server-side apply, field manager starform, forced.
void ApplyAsStarform(const std::vector<nlohmann::json>& objects) {
  auto api = Api();
  for (const nlohmann::json& object : objects) {
    // Namespaces the seed lacks (apply creates only the gateway's); 409 when it has them.
    nlohmann::json ns = {{"apiVersion", "v1"},
                         {"kind", "Namespace"},
                         {"metadata",
                          {{"name", object["metadata"]["namespace"]},
                           {"labels", {{"starform.dev/tenant", "true"}}}}}};
    api->Post("/api/v1/namespaces", ns);
  }
  for (const nlohmann::json& object : objects) {
    HttpResult r = api->Patch(PathOf(object) + "?fieldManager=starform&force=true", object.dump(),
                              "application/apply-patch+yaml");
    INFO(r.body);
    REQUIRE(r.code / 100 == 2);
  }
}

nlohmann::json RouteOf(const std::vector<nlohmann::json>& objects, const std::string& name) {
  for (const nlohmann::json& object : objects)
    if (object["kind"] == "HTTPRoute" && object["metadata"]["name"] == name)
      return object;
  FAIL("no route " << name);
  return nullptr;
}

TEST_CASE("plan on an empty gateway layer creates every rendered object") {
  std::vector<nlohmann::json> objects = Rendered(Slurp(kSmall));
  ProcessResult r = Starform({"plan", "-f", kSmall});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("+ create") != std::string::npos);
  CHECK(r.out.find("# httproute tenant-acme/shop will be created") != std::string::npos);
  CHECK(r.out.find("Plan: " + std::to_string(objects.size()) +
                   " to add, 0 to change, 0 to destroy.") != std::string::npos);

  ProcessResult detailed = Starform({"plan", "-f", kSmall, "--detailed-exitcode"});
  CHECK(detailed.exit_code == 2);
}

TEST_CASE("after an apply, plan says no changes, also with the controllers writing status") {
  Cluster(/*controllers=*/true);
  ApplyAsStarform(Rendered(Slurp(kSmall)));
  REQUIRE(Cluster().WaitForControllersIdle(std::chrono::seconds(20)));
  ProcessResult r = Starform({"plan", "-f", kSmall, "--detailed-exitcode"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("No changes.") != std::string::npos);
}

TEST_CASE("a managed field changed with kubectl edit shows as drift naming kubectl-edit") {
  std::vector<nlohmann::json> objects = Rendered(Slurp(kSmall));
  ApplyAsStarform(objects);
  nlohmann::json route = RouteOf(objects, "docs");
  nlohmann::json edited = route["spec"]["rules"];
  edited[0]["backendRefs"][0]["port"] = 81;
  auto api = Api();
  HttpResult patched = api->Patch(PathOf(route) + "?fieldManager=kubectl-edit",
                                  nlohmann::json{{"spec", {{"rules", edited}}}}.dump(),
                                  "application/merge-patch+json");
  REQUIRE(patched.code == 200);

  ProcessResult r = Starform({"plan", "-f", kSmall, "--detailed-exitcode"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("# httproute tenant-acme/docs will be updated in-place") != std::string::npos);
  CHECK(r.out.find("kubectl-edit") != std::string::npos);
  CHECK(r.out.find("Plan: 0 to add, 1 to change, 0 to destroy.") != std::string::npos);

  ProcessResult json = Starform({"plan", "-f", kSmall, "-o", "json"});
  nlohmann::json document = nlohmann::json::parse(json.out);
  bool found = false;
  for (const nlohmann::json& change : document["resource_changes"]) {
    if (change["address"] != "httproute tenant-acme/docs")
      continue;
    found = true;
    CHECK(change["actions"] == nlohmann::json{"update"});
    REQUIRE(change["changes"].size() == 1);
    CHECK(change["changes"][0]["path"] == "spec.rules[0].backendRefs[name=\"docs\"].port");
    CHECK(change["changes"][0]["before"] == 81);
    CHECK(change["changes"][0]["after"] == 80);
    CHECK(change["changes"][0]["drift_manager"] == "kubectl-edit");
  }
  CHECK(found);
}

TEST_CASE("an annotation added by another field manager is not a change") {
  std::vector<nlohmann::json> objects = Rendered(Slurp(kSmall));
  ApplyAsStarform(objects);
  auto api = Api();
  HttpResult patched =
      api->Patch(PathOf(RouteOf(objects, "shop")) + "?fieldManager=some-controller",
                 R"({"metadata":{"annotations":{"example.com/seen":"yes"},"labels":{"team":"a"}}})",
                 "application/merge-patch+json");
  REQUIRE(patched.code == 200);
  ProcessResult r = Starform({"plan", "-f", kSmall, "--detailed-exitcode"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("No changes.") != std::string::npos);
}

TEST_CASE("an extra Gateway listener added by another manager is drift to remove") {
  std::vector<nlohmann::json> objects = Rendered(Slurp(kSmall));
  ApplyAsStarform(objects);
  nlohmann::json gateway;
  for (const nlohmann::json& object : objects)
    if (object["kind"] == "Gateway")
      gateway = object;
  nlohmann::json extra = {
      {"apiVersion", "gateway.networking.k8s.io/v1"},
      {"kind", "Gateway"},
      {"metadata", gateway["metadata"]},
      {"spec", {{"listeners", {{{"name", "extra"}, {"port", 8080}, {"protocol", "HTTP"}}}}}}};
  extra["metadata"].erase("labels");
  auto api = Api();
  HttpResult applied = api->Patch(PathOf(gateway) + "?fieldManager=someone-else", extra.dump(),
                                  "application/apply-patch+yaml");
  INFO(applied.body);
  REQUIRE(applied.code == 200);
  ProcessResult r = Starform({"plan", "-f", kSmall, "-o", "json"});
  INFO(r.out << r.err);
  nlohmann::json document = nlohmann::json::parse(r.out);
  bool found = false;
  for (const nlohmann::json& change : document["resource_changes"]) {
    if (change["kind"] != "Gateway")
      continue;
    CHECK(change["actions"] == nlohmann::json{"update"});
    for (const nlohmann::json& field : change["changes"])
      if (field["path"] == "spec.listeners[name=\"extra\"]") {
        found = true;
        CHECK(field["op"] == "remove");
        CHECK(field["drift_manager"] == "someone-else");
      }
  }
  CHECK(found);
}

TEST_CASE("an app removed from the desired state shows as a destroy") {
  std::string text = Slurp(kSmall);
  ApplyAsStarform(Rendered(text));
  size_t docs = text.find("  - name: docs");
  size_t blog = text.find("  - name: blog");
  REQUIRE(docs != std::string::npos);
  std::string without_docs = text.substr(0, docs) + text.substr(blog);
  ProcessResult r = Starform({"plan", "-f", "-", "--detailed-exitcode"}, without_docs);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("# httproute tenant-acme/docs will be destroyed") != std::string::npos);
  CHECK(r.out.find("Plan: 0 to add, 0 to change, 1 to destroy.") != std::string::npos);
}

TEST_CASE("an object at a desired name that starform does not own needs --adopt") {
  std::vector<nlohmann::json> objects = Rendered(Slurp(kSmall));
  nlohmann::json route = RouteOf(objects, "blog");
  route["metadata"].erase("labels");
  auto api = Api();
  std::string path = PathOf(route);
  HttpResult created = api->Post(path.substr(0, path.rfind('/')), route);
  REQUIRE(created.code == 201);

  ProcessResult refused = Starform({"plan", "-f", kSmall});
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 1);
  CHECK(refused.out.find("httproute tenant-globex/blog exists but is not managed by starform") !=
        std::string::npos);
  CHECK(refused.out.find("--adopt") != std::string::npos);

  ProcessResult adopted = Starform({"plan", "-f", kSmall, "--adopt", "-o", "json"});
  INFO(adopted.out << adopted.err);
  CHECK(adopted.exit_code == 0);
  nlohmann::json document = nlohmann::json::parse(adopted.out);
  for (const nlohmann::json& change : document["resource_changes"])
    if (change["address"] == "httproute tenant-globex/blog")
      CHECK(change["adopt"] == true);
}

TEST_CASE("the cluster guard refuses a desired state for another cluster") {
  auto api = Api();
  nlohmann::json parent = {{"apiVersion", "v1"},
                           {"kind", "ConfigMap"},
                           {"metadata",
                            {{"name", "starform"},
                             {"namespace", "starform-system"},
                             {"annotations", {{"starform.dev/cluster", "do-ams3-prod"}}}}}};
  REQUIRE(api->Post("/api/v1/namespaces/starform-system/configmaps", parent).code == 201);
  ProcessResult r = Starform({"plan", "-f", kSmall});
  CHECK(r.exit_code == 1);
  CHECK(r.err ==
        "error: desired state is for do-nyc1-demo, but this cluster serves do-ams3-prod: check "
        "--context\n");
  CHECK(r.out.empty());
}

TEST_CASE("a foreign route claiming a desired hostname is a hijack error") {
  auto api = Api();
  nlohmann::json route = {
      {"apiVersion", "gateway.networking.k8s.io/v1"},
      {"kind", "HTTPRoute"},
      {"metadata", {{"name", "sneaky"}, {"namespace", "tenant-globex"}}},
      {"spec",
       {{"parentRefs", {{{"name", "starform"}, {"namespace", "starform-system"}}}},
        {"hostnames", {"shop.starform.app", "sneaky.example.com"}},
        {"rules", {{{"backendRefs", {{{"name", "blog"}, {"port", 8080}}}}}}}}}};
  REQUIRE(api->Post("/apis/gateway.networking.k8s.io/v1/namespaces/tenant-globex/httproutes", route)
              .code == 201);
  ProcessResult r = Starform({"plan", "-f", kSmall});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("tenant-globex/sneaky") != std::string::npos);
  CHECK(r.out.find("hijack") != std::string::npos);
}

TEST_CASE("readiness warnings name what the rendered objects assume exists") {
  std::string text = Slurp(kSmall);
  std::string broken = text;
  broken.replace(broken.find("service: docs"), 13, "service: nodocs");
  ProcessResult r = Starform({"plan", "-f", "-"}, broken);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Service tenant-acme/nodocs (backend of app tenant-acme/docs) does not "
                   "exist") != std::string::npos);
}

TEST_CASE("a cluster without the Envoy Gateway CRDs is refused, naming what is missing") {
  // Only the Gateway API's CRDs: links into ../shared/crds, which stays the only copy.
  std::string crds = TempDir();
  for (const auto& entry : fs::directory_iterator(std::string(STARFORM_SHARED_DIR) + "/crds"))
    if (entry.path().filename().string().rfind("gateway.networking.k8s.io_", 0) == 0)
      fs::create_symlink(entry.path(), crds + "/" + entry.path().filename().string());
  DevCluster::Options options;
  options.crds_dir = crds;
  options.kubeconfig_out = TempDir() + "/kubeconfig";
  options.keep_alive_seconds = 1;
  options.controllers = false;
  DevCluster partial(options);
  partial.Start();
  ProcessResult r = RunProcess({BuiltProgram("kubectl-starform"), "plan", "-f", kSmall,
                                "--kubeconfig", partial.kubeconfig_path()},
                               "", {"HOME=/nonexistent", "KUBECONFIG="});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("error: the cluster does not serve "
                    "envoyproxies.gateway.envoyproxy.io/v1alpha1 (EnvoyProxy), "
                    "clienttrafficpolicies.gateway.envoyproxy.io/v1alpha1 (ClientTrafficPolicy), "
                    "securitypolicies.gateway.envoyproxy.io/v1alpha1 (SecurityPolicy): install",
                    0) == 0);
  CHECK(r.err.find("Envoy Gateway (v1.7 or later)") != std::string::npos);
  partial.Stop();
}

TEST_CASE("on a fresh cluster, creates in namespaces that do not exist yet are planned") {
  DevCluster::Options options;
  options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
  options.kubeconfig_out = TempDir() + "/kubeconfig";
  options.keep_alive_seconds = 1;
  options.controllers = false;
  DevCluster fresh(options);
  fresh.Start();
  ProcessResult r = RunProcess({BuiltProgram("kubectl-starform"), "plan", "-f", kSmall,
                                "--kubeconfig", fresh.kubeconfig_path(), "--detailed-exitcode"},
                               "", {"HOME=/nonexistent", "KUBECONFIG=", "NO_COLOR=1"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("Plan: 6 to add, 0 to change, 0 to destroy.") != std::string::npos);
  CHECK(r.out.find("Warning: namespace tenant-acme (app tenant-acme/shop) does not exist") !=
        std::string::npos);
  CHECK(r.out.find("Error:") == std::string::npos);
  fresh.Stop();
}

TEST_CASE(
    "with --skip-invalid-apps, plan plans the valid apps, lists the skipped one and exits 1") {
  std::string text = Slurp(kSmall);
  ApplyAsStarform(Rendered(text));
  std::string broken = text;
  const std::string docs_port = "service: docs\n            port: 80\n";
  REQUIRE(broken.find(docs_port) != std::string::npos);
  broken.replace(broken.find(docs_port), docs_port.size(), "service: docs\n            port: 0\n");
  ProcessResult plain = Starform({"plan", "-f", "-"}, broken);
  CHECK(plain.exit_code == 1);
  CHECK(plain.out.empty());

  ProcessResult r = Starform({"plan", "-f", "-", "--skip-invalid-apps", "-o", "json"}, broken);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  nlohmann::json document = nlohmann::json::parse(r.out);
  REQUIRE(document["skipped_apps"].size() == 1);
  CHECK(document["skipped_apps"][0]["name"] == "docs");
  for (const nlohmann::json& change : document["resource_changes"]) {
    CHECK(change["address"] != "httproute tenant-acme/docs");  // neither updated nor pruned
    CHECK(change["actions"] == nlohmann::json{"no-op"});
  }
}

// Requests grow with the kinds and the changed objects, never with the objects alone: with
// twenty tenants applied and one app changed, the plan makes the same reads as with none, plus
// one dry run.
TEST_CASE("plan reads with O(kinds) requests and dry-runs only the changed objects") {
  const std::string twenty = std::string(STARFORM_TESTDATA_DIR) + "/states/twenty-tenants.yaml";
  std::string text = Slurp(twenty);
  std::vector<nlohmann::json> objects = Rendered(text);
  ApplyAsStarform(objects);
  auto count = [](const std::vector<devcluster::RequestRecord>& log, const std::string& method,
                  bool dry_run) {
    size_t n = 0;
    for (const devcluster::RequestRecord& record : log)
      if (record.method == method &&
          (record.query.find("dryRun=All") != std::string::npos) == dry_run)
        ++n;
    return n;
  };
  Cluster().ClearRequestLog();
  ProcessResult unchanged = Starform({"plan", "-f", twenty, "--detailed-exitcode"});
  INFO(unchanged.out << unchanged.err);
  REQUIRE(unchanged.exit_code == 0);
  std::vector<devcluster::RequestRecord> log = Cluster().RequestLog();
  size_t reads = count(log, "GET", false);
  CHECK(count(log, "PATCH", true) == 0);
  CHECK(reads < 25);  // discovery, six LISTs, namespaces, Services, class, parent, Secrets
  CHECK(objects.size() > 40);

  nlohmann::json route;
  for (const nlohmann::json& object : objects)
    if (object["kind"] == "HTTPRoute")
      route = object;
  auto api = Api();
  REQUIRE(api->Patch(PathOf(route) + "?fieldManager=kubectl-edit",
                     R"({"spec":{"hostnames":["changed.example.com"]}})",
                     "application/merge-patch+json")
              .code == 200);
  Cluster().ClearRequestLog();
  ProcessResult changed = Starform({"plan", "-f", twenty, "--detailed-exitcode"});
  INFO(changed.out << changed.err);
  CHECK(changed.exit_code == 2);
  log = Cluster().RequestLog();
  CHECK(count(log, "GET", false) == reads);
  CHECK(count(log, "PATCH", true) == 1);
  for (const devcluster::RequestRecord& record : log)
    CHECK((record.method == "GET" || record.query.find("dryRun=All") != std::string::npos));
}

// A state this large is loaded and rendered on its own thread while the cluster is read.
std::string LargeState(size_t apps, int broken_port = 0) {
  nlohmann::json state =
      nlohmann::json::parse(Slurp(std::string(STARFORM_TESTDATA_DIR) + "/states/small.json"));
  nlohmann::json shop = state["apps"][0];
  for (size_t i = 0; i < apps; ++i) {
    nlohmann::json app = shop;
    app["name"] = "shop-" + std::to_string(i);
    app["hostnames"] = {"shop-" + std::to_string(i) + ".starform.app"};
    state["apps"].push_back(app);
  }
  if (broken_port != 0)
    state["apps"].back()["rules"][0]["backends"][0]["port"] = broken_port;
  std::string text = state.dump(2);
  REQUIRE(text.size() > 256 * 1024);
  return text;
}

TEST_CASE("a large desired state, loaded while the cluster is read, plans the same") {
  std::string text = LargeState(600);
  std::vector<nlohmann::json> objects = Rendered(text);
  ProcessResult r = Starform({"plan", "-f", "-", "--server-dry-run=false", "-o", "json"}, text);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json plan = nlohmann::json::parse(r.out);
  CHECK(plan["summary"]["add"] == objects.size());

  ApplyAsStarform(objects);
  ProcessResult again = Starform({"plan", "-f", "-", "--detailed-exitcode"}, text);
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("No changes.") != std::string::npos);
}

TEST_CASE("a large desired state with an invalid app fails as a small one does") {
  std::string broken = LargeState(600, /*broken_port=*/70000);
  ProcessResult r = Starform({"plan", "-f", "-"}, broken);
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("apps[602]") != std::string::npos);
  CHECK(r.err.find("port") != std::string::npos);

  ProcessResult skipped = Starform(
      {"plan", "-f", "-", "--skip-invalid-apps", "--server-dry-run=false", "-o", "json"}, broken);
  INFO(skipped.err);
  CHECK(skipped.exit_code == 1);
  nlohmann::json plan = nlohmann::json::parse(skipped.out);
  REQUIRE(plan["skipped_apps"].size() == 1);
  CHECK(plan["skipped_apps"][0]["name"] == "shop-599");
}

TEST_CASE("plan --out saves a 0600 plan that show prints, and refuses to save a failed plan") {
  std::string dir = TempDir();
  std::string file = dir + "/plan.json";
  ProcessResult r = Starform({"plan", "-f", kSmall, "--out", file});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Saved the plan to: " + file) != std::string::npos);
  struct stat info {};
  REQUIRE(stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  auto show = [](std::vector<std::string> args) {
    args.insert(args.begin(), {BuiltProgram("kubectl-starform"), "show"});
    return RunProcess(args, "", {"HOME=/nonexistent", "NO_COLOR=1"});
  };
  ProcessResult shown = show({file});
  INFO(shown.err);
  CHECK(shown.exit_code == 0);
  CHECK(shown.out.find("# httproute tenant-acme/shop will be created") != std::string::npos);
  ProcessResult json = show({file, "-o", "json"});
  nlohmann::json document = nlohmann::json::parse(json.out);
  CHECK(document["origin"]["cluster"] == "do-nyc1-demo");
  CHECK(document["origin"]["server"] == Cluster().server_url());
  CHECK_FALSE(document.contains("apply"));

  // A failed plan writes nothing.
  auto api = Api();
  nlohmann::json route = RouteOf(Rendered(Slurp(kSmall)), "blog");
  route["metadata"].erase("labels");
  std::string path = PathOf(route);
  REQUIRE(api->Post(path.substr(0, path.rfind('/')), route).code == 201);
  std::string failed = dir + "/failed.json";
  ProcessResult refused = Starform({"plan", "-f", kSmall, "--out", failed});
  CHECK(refused.exit_code == 1);
  CHECK_FALSE(fs::exists(failed));
}

}  // namespace
}  // namespace starform
