// `kubectl starform apply` end to end, scenario by scenario: drift taken back, conflicts on
// adopted objects, foreign objects left alone, the order of writes, the safety rails, the lock,
// injected faults, signals and re-applying without changes. The built binary runs against a dev
// cluster, one per test case (ctest runs each case in its own process).

#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "devcluster/server.h"
#include "devcluster/test_client.h"
#include "kube/lease_lock.h"
#include "testing/apply_lock.h"
#include "testing/dev_cluster.h"
#include "testing/process.h"

namespace starform {
namespace {

using Catch::Matchers::Contains;
using devcluster::DevCluster;
using devcluster::RequestRecord;
using devcluster::testing::HttpResult;
using devcluster::testing::TestClient;
using starform::testing::BuiltProgram;
using starform::testing::ChildProcess;
using starform::testing::ProcessResult;
using std::chrono::steady_clock;
using std::chrono::system_clock;

const std::string kStates = std::string(STARFORM_TESTDATA_DIR) + "/states/";
const std::string kGateway = "/apis/gateway.networking.k8s.io/v1/namespaces/";
const std::string kEnvoy = "/apis/gateway.envoyproxy.io/v1alpha1/namespaces/";
const std::string& kLeases = testing::kLeasesPath;
const std::string& kLease = testing::kLockPath;
const std::string kPartOf = "applyset.kubernetes.io/part-of";

// The cluster of this test case, started on first use with |setup| (later calls' setup is
// ignored).
DevCluster& Cluster(const testing::DevClusterSetup& setup = {}) {
  static std::unique_ptr<DevCluster> cluster = testing::StartDevCluster(setup);
  return *cluster;
}

// The cluster of this test case, started with |faults| (docs/devcluster-faults.md).
DevCluster& ClusterWithFaults(const std::string& faults) {
  testing::DevClusterSetup setup;
  setup.faults = faults;
  return Cluster(setup);
}

std::unique_ptr<TestClient> Api() {
  return std::make_unique<TestClient>(Cluster().server_url(), Cluster().ca_pem(),
                                      Cluster().token());
}

// The command line of `kubectl starform ARGS` against the cluster, and its environment.
std::vector<std::string> CommandLine(std::vector<std::string> args) {
  args.insert(args.begin(), BuiltProgram("kubectl-starform"));
  args.insert(args.end(), {"--kubeconfig", Cluster().kubeconfig_path()});
  return args;
}
const std::vector<std::string> kEnv = {"HOME=/nonexistent", "KUBECONFIG=", "NO_COLOR=1"};

ProcessResult Run(const std::vector<std::string>& args) {
  return testing::RunProcess(CommandLine(args), "", kEnv);
}

std::string ReadState(const std::string& name) {
  std::ifstream in(kStates + name);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// |text| saved as a desired-state file; its path.
std::string StateFile(const std::string& text) {
  std::string path = testing::TempDir("apply-scenarios") + "/state.yaml";
  std::ofstream(path) << text;
  return path;
}

// |state| without the app |name| (the apps are the entries "  - name: " of the last list).
std::string DropApp(std::string state, const std::string& name) {
  size_t start = state.find("  - name: " + name + "\n");
  REQUIRE(start != std::string::npos);
  size_t end = state.find("\n  - name: ", start);
  state.erase(start, end == std::string::npos ? std::string::npos : end + 1 - start);
  return state;
}

// small.yaml without any app.
std::string NoApps() {
  std::string state = ReadState("small.yaml");
  state.erase(state.find("apps:"));
  return state + "apps: []\n";
}

// small.yaml with a JWT SecurityPolicy for shop (tenant-acme) and blog (tenant-globex); docs
// stays without auth.
std::string WithAuth() {
  std::string state = ReadState("small.yaml");
  for (std::string app : {"shop", "blog"}) {
    size_t at = state.find("\n", state.find("  - name: " + app + "\n") + 10);
    state.insert(at + 1,
                 "    auth:\n      jwt:\n        providers:\n          - name: starform\n"
                 "            issuer: https://auth.starform.app/\n"
                 "            jwksUri: https://auth.starform.app/.well-known/jwks.json\n"
                 "            audiences: [" +
                     app + "]\n");
  }
  return state;
}

const std::string kSmall = kStates + "small.yaml";

HttpResult Route(const std::string& ns, const std::string& name) {
  return Api()->Get(kGateway + ns + "/httproutes/" + name);
}

// A Lease held by |holder| since |renewed| (also its acquireTime) for |seconds|.
nlohmann::json Lease(const std::string& holder, system_clock::time_point renewed, int seconds) {
  std::string at = kube::FormatMicroTime(renewed);
  return testing::LockLease(holder, at, at, seconds);
}

// A server-side apply of |object| as field manager |manager|, forced.
HttpResult ApplyAs(const std::string& manager, const std::string& path,
                   const nlohmann::json& object) {
  return Api()->Patch(path + "?fieldManager=" + manager + "&force=true", object.dump(),
                      "application/apply-patch+yaml");
}

// A write to one of the rendered kinds, from the request log.
struct Write {
  std::string method;
  std::string resource;  ///< the plural: "httproutes"
  std::string ns;
  std::string name;
  steady_clock::time_point started, ended;
};

const std::vector<std::string> kRenderedKinds = {"envoyproxies",          "gateways",
                                                 "clienttrafficpolicies", "referencegrants",
                                                 "securitypolicies",      "httproutes"};

// The writes (not dry runs) to rendered kinds in the request log, in the order they started.
std::vector<Write> RenderedWrites() {
  std::vector<Write> writes;
  for (const RequestRecord& r : Cluster().RequestLog()) {
    if (r.method == "GET" || r.query.find("dryRun") != std::string::npos)
      continue;
    // "/apis/GROUP/VERSION/namespaces/NS/RESOURCE/NAME"
    std::vector<std::string> parts;
    for (size_t at = 1; at <= r.path.size();) {
      size_t slash = std::min(r.path.find('/', at), r.path.size());
      parts.push_back(r.path.substr(at, slash - at));
      at = slash + 1;
    }
    if (parts.size() != 7 || parts[3] != "namespaces" ||
        std::find(kRenderedKinds.begin(), kRenderedKinds.end(), parts[5]) == kRenderedKinds.end())
      continue;
    writes.push_back({r.method, parts[5], parts[4], parts[6], r.started, r.started + r.duration});
  }
  std::stable_sort(writes.begin(), writes.end(),
                   [](const Write& a, const Write& b) { return a.started < b.started; });
  return writes;
}

std::string Describe(const std::vector<Write>& writes) {
  std::string out;
  for (const Write& w : writes)
    out += w.method + " " + w.resource + " " + w.ns + "/" + w.name + "\n";
  return out;
}

// The index in |writes| of the first (or last) write to |resource| ns/name; -1 when none.
long IndexOf(const std::vector<Write>& writes, const std::string& resource, const std::string& ns,
             const std::string& name, bool last = false) {
  long found = -1;
  for (size_t i = 0; i < writes.size(); ++i) {
    const Write& w = writes[i];
    if (w.resource == resource && w.ns == ns && w.name == name) {
      found = static_cast<long>(i);
      if (!last)
        break;
    }
  }
  return found;
}

nlohmann::json Json(const HttpResult& result) {
  REQUIRE(result.code == 200);
  return result.Json();
}

TEST_CASE("apply takes drift back: a changed rendered field and a foreign listener") {
  REQUIRE(Run({"apply", "-f", kSmall, "--auto-approve"}).exit_code == 0);
  const std::string gateway = kGateway + "starform-system/gateways/starform";
  nlohmann::json edit = {{"apiVersion", "gateway.networking.k8s.io/v1"},
                         {"kind", "Gateway"},
                         {"metadata", {{"name", "starform"}, {"namespace", "starform-system"}}},
                         {"spec",
                          {{"listeners",
                            {{{"name", "http"}, {"port", 8080}, {"protocol", "HTTP"}},
                             {{"name", "extra"}, {"port", 8081}, {"protocol", "HTTP"}}}}}}};
  HttpResult edited = ApplyAs("kubectl-edit", gateway, edit);
  INFO(edited.body);
  REQUIRE(edited.code == 200);

  ProcessResult plan = Run({"plan", "-f", kSmall});
  INFO(plan.out << plan.err);
  CHECK(plan.exit_code == 0);
  CHECK_THAT(plan.out, Contains("gateway starform-system/starform will be updated in-place"));
  CHECK_THAT(plan.out, Contains("spec.listeners[name=\"http\"].port"));
  CHECK_THAT(plan.out, Contains("drift: set by kubectl-edit, will be reverted"));
  CHECK_THAT(plan.out, Contains("spec.listeners[name=\"extra\"]"));
  CHECK_THAT(plan.out, Contains("drift: set by kubectl-edit, will be removed"));

  ProcessResult r = Run({"apply", "-f", kSmall, "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("gateway starform-system/starform: updated"));
  CHECK_THAT(r.out, Contains("Apply complete! Resources: 0 added, 1 changed, 0 destroyed."));
  nlohmann::json listeners = Json(Api()->Get(gateway))["spec"]["listeners"];
  INFO(listeners.dump());
  REQUIRE(listeners.size() == 2);
  CHECK(listeners[0]["name"] == "http");
  CHECK(listeners[0]["port"] == 80);
  CHECK(listeners[1]["name"] == "https");
  CHECK(Run({"plan", "-f", kSmall, "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE("an adopted object another manager holds fails naming it, unless --force-conflicts") {
  // docs, at a desired name without the ownership label; helm claims other hostnames.
  nlohmann::json route = {
      {"apiVersion", "gateway.networking.k8s.io/v1"},
      {"kind", "HTTPRoute"},
      {"metadata", {{"name", "docs"}, {"namespace", "tenant-acme"}}},
      {"spec",
       {{"parentRefs", {{{"name", "starform"}, {"namespace", "starform-system"}}}},
        {"hostnames", {"docs.starform.app", "docs.acme.example"}}}}};
  HttpResult created = ApplyAs("helm", kGateway + "tenant-acme/httproutes/docs", route);
  INFO(created.body);
  REQUIRE(created.code == 201);

  ProcessResult r = Run({"apply", "-f", kSmall, "--adopt", "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Contains("httproute tenant-acme/docs will be adopted"));
  CHECK_THAT(r.out, Contains("Apply failed: 1 of 6 writes did not happen"));
  // The failure line and the summary line both name the manager and the field.
  std::string summary = r.out.substr(r.out.find("Apply failed:"));
  CHECK_THAT(summary, Contains("  httproute tenant-acme/docs: failed: "));
  CHECK_THAT(summary, Contains("\"helm\""));
  CHECK_THAT(summary, Contains(".spec.hostnames"));
  CHECK_THAT(summary, Contains("--force-conflicts"));
  // The others are written.
  CHECK_THAT(r.out, Contains("httproute tenant-acme/shop: created"));
  CHECK_THAT(r.out, Contains("httproute tenant-globex/blog: created"));
  CHECK(Route("tenant-globex", "blog").code == 200);
  nlohmann::json docs = Json(Route("tenant-acme", "docs"));
  CHECK_FALSE(docs["metadata"].value("labels", nlohmann::json::object()).contains(kPartOf));
  CHECK(docs["spec"]["hostnames"].size() == 2);

  ProcessResult forced =
      Run({"apply", "-f", kSmall, "--adopt", "--force-conflicts", "--auto-approve"});
  INFO(forced.out << forced.err);
  CHECK(forced.exit_code == 0);
  CHECK_THAT(forced.out, Contains("httproute tenant-acme/docs: updated"));
  docs = Json(Route("tenant-acme", "docs"));
  CHECK(docs["metadata"]["labels"].contains(kPartOf));
  CHECK(docs["spec"]["hostnames"] == nlohmann::json::array({"docs.starform.app"}));
  CHECK(Run({"plan", "-f", kSmall, "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE("objects without the ownership label, or with another ApplySet's, are never touched") {
  // Neither at a desired name; attached to a Gateway of their own.
  auto foreign = [](const std::string& ns, const std::string& name, nlohmann::json labels) {
    return nlohmann::json{
        {"apiVersion", "gateway.networking.k8s.io/v1"},
        {"kind", "HTTPRoute"},
        {"metadata", {{"name", name}, {"namespace", ns}, {"labels", std::move(labels)}}},
        {"spec",
         {{"parentRefs", {{{"name", "other"}}}},
          {"hostnames", nlohmann::json::array({name + ".example.com"})},
          {"rules", {{{"backendRefs", {{{"name", name}, {"port", 80}}}}}}}}}};
  };
  std::map<std::string, std::string> versions;  // by path
  for (const auto& [ns, name, labels] :
       std::vector<std::tuple<std::string, std::string, nlohmann::json>>{
           {"tenant-acme", "legacy-shop", nlohmann::json::object()},
           {"tenant-globex", "blog-v0", {{kPartOf, "applyset-someone-else-v1"}}}}) {
    HttpResult created = Api()->Post(kGateway + ns + "/httproutes", foreign(ns, name, labels));
    INFO(created.body);
    REQUIRE(created.code == 201);
    versions[kGateway + ns + "/httproutes/" + name] =
        created.Json()["metadata"]["resourceVersion"].get<std::string>();
  }
  auto unchanged = [&versions] {
    for (const auto& [path, version] : versions) {
      INFO(path);
      HttpResult now = Api()->Get(path);
      REQUIRE(now.code == 200);
      CHECK(now.Json()["metadata"]["resourceVersion"] == version);
    }
  };
  ProcessResult r = Run({"apply", "-f", kSmall, "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  unchanged();
  ProcessResult without_blog =
      Run({"apply", "-f", StateFile(DropApp(ReadState("small.yaml"), "blog")), "--auto-approve"});
  INFO(without_blog.out << without_blog.err);
  REQUIRE(without_blog.exit_code == 0);
  CHECK_THAT(without_blog.out, Contains("httproute tenant-globex/blog: destroyed"));
  unchanged();
  ProcessResult empty =
      Run({"apply", "-f", StateFile(NoApps()), "--allow-empty", "--auto-approve"});
  INFO(empty.out << empty.err);
  REQUIRE(empty.exit_code == 0);
  unchanged();
}

TEST_CASE("apply writes kind by kind, and deletes a route before its policy (--parallelism 1)") {
  ProcessResult r =
      Run({"apply", "-f", StateFile(WithAuth()), "--auto-approve", "--parallelism", "1"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<Write> writes = RenderedWrites();
  INFO(Describe(writes));
  std::vector<std::string> kinds;
  for (const Write& w : writes)
    if (kinds.empty() || kinds.back() != w.resource)
      kinds.push_back(w.resource);
  CHECK(kinds == std::vector<std::string>{"envoyproxies", "gateways", "clienttrafficpolicies",
                                          "securitypolicies", "httproutes"});
  CHECK(writes.size() == 8);
  // One at a time: each write ends before the next starts.
  for (size_t i = 1; i < writes.size(); ++i)
    CHECK(writes[i - 1].ended <= writes[i].started);

  Cluster().ClearRequestLog();
  ProcessResult del = Run({"apply", "-f", StateFile(DropApp(WithAuth(), "blog")), "--auto-approve",
                           "--parallelism", "1"});
  INFO(del.out << del.err);
  REQUIRE(del.exit_code == 0);
  CHECK_THAT(del.out, Contains("Apply complete! Resources: 0 added, 0 changed, 2 destroyed."));
  std::vector<Write> deletes = RenderedWrites();
  INFO(Describe(deletes));
  REQUIRE(deletes.size() == 2);
  CHECK(deletes[0].method == "DELETE");
  CHECK(deletes[0].resource == "httproutes");
  CHECK(deletes[1].method == "DELETE");
  CHECK(deletes[1].resource == "securitypolicies");
  CHECK(deletes[0].ended <= deletes[1].started);
  CHECK(Api()->Get(kEnvoy + "tenant-globex/securitypolicies/blog").code == 404);
}

TEST_CASE("with the default parallelism, each app's policy is written before its route") {
  ProcessResult r = Run({"apply", "-f", StateFile(WithAuth()), "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<Write> writes = RenderedWrites();
  INFO(Describe(writes));
  const std::vector<std::pair<std::string, std::string>> apps = {{"tenant-acme", "shop"},
                                                                 {"tenant-globex", "blog"}};
  for (const auto& [ns, name] : apps) {
    INFO(ns + "/" + name);
    long policy = IndexOf(writes, "securitypolicies", ns, name, /*last=*/true);
    long route = IndexOf(writes, "httproutes", ns, name);
    REQUIRE(policy >= 0);
    REQUIRE(route >= 0);
    CHECK(writes[static_cast<size_t>(policy)].ended <= writes[static_cast<size_t>(route)].started);
  }
  // Every route after the ClientTrafficPolicy.
  long ctp = IndexOf(writes, "clienttrafficpolicies", "starform-system",
                     "starform-identity-headers", /*last=*/true);
  REQUIRE(ctp >= 0);
  for (const Write& w : writes)
    if (w.resource == "httproutes")
      CHECK(writes[static_cast<size_t>(ctp)].ended <= w.started);

  Cluster().ClearRequestLog();
  ProcessResult del =
      Run({"apply", "-f", StateFile(DropApp(WithAuth(), "shop")), "--auto-approve"});
  INFO(del.out << del.err);
  REQUIRE(del.exit_code == 0);
  std::vector<Write> deletes = RenderedWrites();
  INFO(Describe(deletes));
  long route = IndexOf(deletes, "httproutes", "tenant-acme", "shop", /*last=*/true);
  long policy = IndexOf(deletes, "securitypolicies", "tenant-acme", "shop");
  REQUIRE(route >= 0);
  REQUIRE(policy >= 0);
  CHECK(deletes[static_cast<size_t>(route)].ended <= deletes[static_cast<size_t>(policy)].started);
}

TEST_CASE("a desired state without apps is refused unless --allow-empty") {
  REQUIRE(Run({"apply", "-f", kSmall, "--auto-approve"}).exit_code == 0);
  std::string empty = StateFile(NoApps());
  ProcessResult refused = Run({"apply", "-f", empty, "--auto-approve"});
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Contains("the desired state has no apps"));
  CHECK_THAT(refused.err, Contains("--allow-empty"));
  for (const auto& [ns, name] : std::vector<std::pair<std::string, std::string>>{
           {"tenant-acme", "shop"}, {"tenant-acme", "docs"}, {"tenant-globex", "blog"}})
    CHECK(Route(ns, name).code == 200);

  ProcessResult allowed = Run({"apply", "-f", empty, "--allow-empty", "--auto-approve"});
  INFO(allowed.out << allowed.err);
  CHECK(allowed.exit_code == 0);
  CHECK_THAT(allowed.out, Contains("Apply complete! Resources: 0 added, 0 changed, 3 destroyed."));
  for (const auto& [ns, name] : std::vector<std::pair<std::string, std::string>>{
           {"tenant-acme", "shop"}, {"tenant-acme", "docs"}, {"tenant-globex", "blog"}})
    CHECK(Route(ns, name).code == 404);
  CHECK(Api()->Get(kGateway + "starform-system/gateways/starform").code == 200);
}

TEST_CASE("apply takes over an expired lock and releases it afterwards") {
  HttpResult created = Api()->Post(
      kLeases, Lease("bob@old-ci pid 17 run 1", system_clock::now() - std::chrono::hours(1), 60));
  REQUIRE(created.code == 201);
  ProcessResult r = Run({"apply", "-f", kSmall, "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("Apply complete! Resources: 6 added, 0 changed, 0 destroyed."));
  CHECK(Api()->Get(kLease).code == 404);
  // It was taken over (an update of the Lease), not deleted and created anew.
  bool taken_over = false;
  for (const RequestRecord& record : Cluster().RequestLog())
    taken_over =
        taken_over || (record.method == "PUT" && record.path == kLease && record.status == 200);
  CHECK(taken_over);
}

TEST_CASE("apply --auto-approve reads the namespaces and the parent once, in its plan") {
  Cluster().ClearRequestLog();
  ProcessResult r = Run({"apply", "-f", kSmall, "--auto-approve"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string parent = "/api/v1/namespaces/starform-system/configmaps/starform";
  size_t parent_reads = 0, namespace_reads = 0, parent_writes = 0;
  for (const RequestRecord& record : Cluster().RequestLog()) {
    parent_reads += record.method == "GET" && record.path == parent;
    namespace_reads +=
        record.method == "GET" && record.path == "/api/v1/namespaces/starform-system";
    parent_writes += record.method == "PATCH" && record.path == parent;
  }
  CHECK(parent_reads == 1);
  CHECK(namespace_reads == 0);
  CHECK(parent_writes == 2);  // widened, then narrowed
}

TEST_CASE(
    "apply --lock-timeout waits for a held lock to expire, and 0 fails at once naming its holder") {
  // Held for an hour: --lock-timeout 0 must fail however slowly this machine starts the run.
  REQUIRE(Api()
              ->Post(kLeases, Lease("carol@laptop pid 77 run beef", system_clock::now(),
                                    /*seconds=*/3600))
              .code == 201);
  steady_clock::time_point start = steady_clock::now();
  ProcessResult at_once = Run({"apply", "-f", kSmall, "--auto-approve", "--lock-timeout", "0"});
  INFO(at_once.out << at_once.err);
  CHECK(at_once.exit_code == 1);
  CHECK_THAT(at_once.err, Contains("held by carol@laptop pid 77 run beef since"));
  // Well short of the hour it would have waited.
  CHECK(steady_clock::now() - start < std::chrono::seconds(60));
  CHECK(Route("tenant-acme", "shop").code == 404);

  // Renewed now for 4 s: a run allowed to wait 30 s gets it once it expires.
  const int seconds = 4;
  HttpResult held = Api()->Get(kLease);
  REQUIRE(held.code == 200);
  nlohmann::json renewed_lease = nlohmann::json::parse(held.body);
  system_clock::time_point renewed = system_clock::now();
  nlohmann::json fresh = Lease("carol@laptop pid 77 run beef", renewed, seconds);
  renewed_lease["spec"] = fresh["spec"];
  REQUIRE(Api()->Put(kLease, renewed_lease).code == 200);
  ProcessResult waited = Run({"apply", "-f", kSmall, "--auto-approve", "--lock-timeout", "30"});
  INFO(waited.out << waited.err);
  CHECK(waited.exit_code == 0);
  CHECK_THAT(waited.out, Contains("Apply complete! Resources: 6 added, 0 changed, 0 destroyed."));
  // Not before the lease expired.
  CHECK(system_clock::now() >= renewed + std::chrono::seconds(seconds));
  CHECK(Route("tenant-acme", "shop").code == 200);
  CHECK(Api()->Get(kLease).code == 404);
}

TEST_CASE("injected write failures fail their objects, skip their routes, and a re-run converges") {
  ClusterWithFaults("apply:securitypolicies:status=500");
  // Compared on the client: the plan's server-side dry runs would meet the same fault.
  std::string state = StateFile(WithAuth());
  ProcessResult r = Run({"apply", "-f", state, "--auto-approve", "--server-dry-run=false"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Contains("Apply failed: 4 of 8 writes did not happen (4 added"));
  std::string summary = r.out.substr(std::min(r.out.find("Apply failed:"), r.out.size()));
  for (std::string app : {"tenant-acme/shop", "tenant-globex/blog"}) {
    CHECK_THAT(summary, Contains("  securitypolicy " + app +
                                 ": failed: Error from server "
                                 "(InternalError): Internal error occurred: injected fault"));
    CHECK_THAT(summary,
               Contains("  httproute " + app + ": skipped: not written because securitypolicy " +
                        app + " was not written"));
  }
  CHECK_THAT(r.out, Contains("httproute tenant-acme/docs: created"));
  CHECK(Route("tenant-acme", "shop").code == 404);
  CHECK(Route("tenant-globex", "blog").code == 404);
  CHECK(Route("tenant-acme", "docs").code == 200);
  CHECK(Api()->Get(kLease).code == 404);

  // The dev cluster cannot change its fault spec once started; with no request in flight, the
  // hook that applies it is taken out instead.
  Cluster().hooks().faults = nullptr;
  ProcessResult again = Run({"apply", "-f", state, "--auto-approve"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Contains("Apply complete! Resources: 4 added, 0 changed, 0 destroyed."));
  CHECK(Route("tenant-acme", "shop").code == 200);
  CHECK(Api()->Get(kEnvoy + "tenant-globex/securitypolicies/blog").code == 200);
  CHECK(Run({"plan", "-f", state, "--detailed-exitcode"}).exit_code == 0);
}

// twenty-tenants.yaml's namespaces, with the tenant label.
void CreateTenantNamespaces(const std::string& state) {
  std::set<std::string> namespaces;
  for (size_t at = state.find("    namespace: "); at != std::string::npos;
       at = state.find("    namespace: ", at + 1)) {
    size_t start = at + 15;
    namespaces.insert(state.substr(start, state.find('\n', start) - start));
  }
  for (const std::string& ns : namespaces) {
    HttpResult created =
        Api()->Post("/api/v1/namespaces",
                    {{"apiVersion", "v1"},
                     {"kind", "Namespace"},
                     {"metadata", {{"name", ns}, {"labels", {{"starform.dev/tenant", "true"}}}}}});
    INFO(ns << ": " << created.body);
    REQUIRE((created.code == 201 || created.code == 409));
  }
}

size_t OwnedRoutes() {
  nlohmann::json list = Json(Api()->Get("/apis/gateway.networking.k8s.io/v1/httproutes"));
  size_t owned = 0;
  for (const nlohmann::json& item : list["items"])
    owned += item["metadata"].value("labels", nlohmann::json::object()).contains(kPartOf);
  return owned;
}

// An apply of twenty-tenants.yaml, one write at a time with 100 ms each, gets |signal_number|
// after its first write.
void Interrupt(int signal_number) {
  ClusterWithFaults("apply:*:latency=100ms");
  std::string text = ReadState("twenty-tenants.yaml");
  CreateTenantNamespaces(text);
  std::string state = StateFile(text);
  ChildProcess apply(CommandLine({"apply", "-f", state, "--auto-approve", "--parallelism", "1",
                                  "--server-dry-run=false"}),
                     kEnv);
  bool started = apply.WaitForOutput(": created\n", std::chrono::seconds(20));
  apply.Signal(signal_number);
  ProcessResult r = apply.Wait();
  INFO(r.out << r.err);
  REQUIRE(started);
  CHECK(r.exit_code == 128 + signal_number);
  CHECK_THAT(r.out, Contains(std::string("Apply interrupted by ") +
                             (signal_number == SIGINT ? "SIGINT" : "SIGTERM") + ": "));
  CHECK_THAT(r.out, Contains(": not started"));
  CHECK_THAT(r.out, Contains("Apply again to converge"));
  CHECK(r.out.find("Apply complete!") == std::string::npos);
  // What was done is reported and is in the cluster.
  CHECK_THAT(r.out, Contains("envoyproxy starform-system/starform: created"));
  CHECK(Api()->Get(kEnvoy + "starform-system/envoyproxies/starform").code == 200);
  CHECK(Api()->Get(kLease).code == 404);
  size_t routes = 0;  // one per app
  for (size_t at = text.find("\n  - name: "); at != std::string::npos;
       at = text.find("\n  - name: ", at + 1))
    ++routes;
  CHECK(OwnedRoutes() < routes);

  ProcessResult again = Run({"apply", "-f", state, "--auto-approve"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(OwnedRoutes() == routes);
  CHECK(Run({"plan", "-f", state, "--detailed-exitcode"}).exit_code == 0);
}

TEST_CASE("SIGINT mid-apply finishes the write in flight, releases the lock and exits 130") {
  Interrupt(SIGINT);
}

TEST_CASE("SIGTERM mid-apply finishes the write in flight, releases the lock and exits 143") {
  Interrupt(SIGTERM);
}

TEST_CASE("re-applying without changes writes no managed object") {
  std::string state = StateFile(WithAuth());
  REQUIRE(Run({"apply", "-f", state, "--auto-approve"}).exit_code == 0);
  Cluster().ClearRequestLog();
  ProcessResult r = Run({"apply", "-f", state, "--auto-approve"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("Apply complete! Resources: 0 added, 0 changed, 0 destroyed."));
  std::vector<Write> writes = RenderedWrites();
  INFO(Describe(writes));
  CHECK(writes.empty());
  // The log did record this apply (its reads), so an empty list means something.
  CHECK(Cluster().RequestLog().size() > 5);
}

}  // namespace
}  // namespace starform
