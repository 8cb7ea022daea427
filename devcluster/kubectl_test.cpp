// The real kubectl of this machine against the dev cluster: get (server-side Tables), get -o
// yaml, apply --server-side, diff --server-side, delete -f, and the typed-client commands that
// send protobuf. Each command's exit code and exact output are checked, then the server's
// state and request log. Where kubectl is not installed the tests say so and pass ([kubectl]).

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "devcluster/server.h"
#include "devcluster/table.h"
#include "testing/process.h"

namespace starform::devcluster {
namespace {

using nlohmann::json;
using starform::testing::ProcessResult;
using starform::testing::RunProcess;

// The first kubectl on PATH, or "".
std::string FindKubectl() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos)
      end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/kubectl";
    if (end > start && access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return "";
}

#define SKIP_WITHOUT_KUBECTL()                                                  \
  if (FindKubectl().empty()) {                                                  \
    WARN("kubectl is not installed (not on PATH): skipping this kubectl test"); \
    SUCCEED();                                                                  \
    return;                                                                     \
  }

// When seeded objects were created: fixed, so the AGE column is known.
constexpr const char* kCreated = "2024-01-01T00:00:00Z";

json Gateway() {
  return json::parse(R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway",
    "metadata":{"name":"edge","namespace":"tenant-acme"},
    "spec":{"gatewayClassName":"eg","listeners":[{"name":"http","port":80,"protocol":"HTTP"}]},
    "status":{"addresses":[{"type":"IPAddress","value":"203.0.113.7"}],
              "conditions":[{"type":"Programmed","status":"True","reason":"Programmed",
                             "message":"ok","lastTransitionTime":"2024-01-01T00:00:00Z",
                             "observedGeneration":1}]}})");
}

json Route(const std::string& ns, const std::string& name, const std::string& host) {
  return {{"apiVersion", "gateway.networking.k8s.io/v1"},
          {"kind", "HTTPRoute"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"parentRefs", {{{"name", "edge"}}}},
            {"hostnames", {host}},
            {"rules", {{{"backendRefs", {{{"name", name + "-web"}, {"port", 8080}}}}}}}}}};
}

// A dev cluster with the seed and a gateway and two routes, its kubeconfig in a temp dir, and
// kubectl run with that kubeconfig and a HOME of its own (no discovery cache from elsewhere).
class KubectlCluster {
 public:
  KubectlCluster() {
    char tmpl[] = "/tmp/kubectl-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    DevCluster::Options options;
    options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
    options.seed_file = std::string(STARFORM_TESTDATA_DIR) + "/devcluster/seed.yaml";
    options.kubeconfig_out = dir_ + "/kubeconfig";
    options.keep_alive_seconds = 1;
    options.controllers = false;  // no simulated controller writes status behind the test
    cluster_ = std::make_unique<DevCluster>(options);
    cluster_->Start();
    cluster_->Seed({Gateway(), Route("tenant-acme", "shop", "shop.example.com"),
                    Route("tenant-globex", "blog", "blog.example.com")});
    for (const char* resource : {"gateways", "httproutes"}) {
      for (const json& o : cluster_->List(resource)) {
        Backdate("gateway.networking.k8s.io/" + std::string(resource), o["metadata"]["namespace"],
                 o["metadata"]["name"]);
      }
    }
    for (const char* ns : {"tenant-acme", "tenant-globex"})
      Backdate("/namespaces", "", ns);
  }
  ~KubectlCluster() {
    cluster_->Stop();
    std::filesystem::remove_all(dir_);
  }

  DevCluster& cluster() { return *cluster_; }
  const std::string& dir() const { return dir_; }

  ProcessResult Kubectl(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), FindKubectl());
    return RunProcess(args, input,
                      {"KUBECONFIG=" + dir_ + "/kubeconfig", "HOME=" + dir_, "TMPDIR=" + dir_});
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // Sets the creation time of a stored object to kCreated.
  void Backdate(const std::string& store_key, const std::string& ns, const std::string& name) {
    cluster_->store().Write(store_key, ns, name, [](const Entry& current, uint64_t) {
      json o = *current.object;
      o["metadata"]["creationTimestamp"] = kCreated;
      return std::optional<json>(o);
    });
  }

 private:
  std::string dir_;
  std::unique_ptr<DevCluster> cluster_;
};

std::chrono::seconds SinceCreated() {
  std::chrono::system_clock::time_point created;
  ParseRfc3339(kCreated, &created);
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() -
                                                          created);
}
// The AGE kubectl shows for an object created at kCreated: the CRD convertor's short form...
std::string SeededAge() {
  return ShortHumanDuration(SinceCreated());
}
// ...and the built-in printers' longer one.
std::string SeededBuiltinAge() {
  return HumanDuration(SinceCreated());
}

std::vector<RequestRecord> Requests(DevCluster& cluster, const std::string& method,
                                    const std::string& path_part) {
  std::vector<RequestRecord> out;
  for (const RequestRecord& r : cluster.RequestLog()) {
    if (r.method == method && r.path.find(path_part) != std::string::npos)
      out.push_back(r);
  }
  return out;
}

TEST_CASE("kubectl get httproutes -A prints the server's Table", "[kubectl]") {
  SKIP_WITHOUT_KUBECTL();
  KubectlCluster k;
  ProcessResult r = k.Kubectl({"get", "httproutes", "-A"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string age = SeededAge();
  CHECK(r.out ==
        "NAMESPACE       NAME   HOSTNAMES              AGE\n"
        "tenant-acme     shop   [\"shop.example.com\"]   " +
            age +
            "\n"
            "tenant-globex   blog   [\"blog.example.com\"]   " +
            age + "\n");
  CHECK(r.err == "");
  std::vector<RequestRecord> lists =
      Requests(k.cluster(), "GET", "/apis/gateway.networking.k8s.io/v1/httproutes");
  REQUIRE(lists.size() == 1);
  CHECK(lists[0].query == "limit=500");
  CHECK(lists[0].status == 200);
}

TEST_CASE("kubectl get of built-ins and of one CR prints their columns", "[kubectl]") {
  SKIP_WITHOUT_KUBECTL();
  KubectlCluster k;
  ProcessResult r = k.Kubectl({"get", "namespaces", "tenant-acme", "tenant-globex"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string age = SeededBuiltinAge();
  CHECK(r.out ==
        "NAME            STATUS   AGE\n"
        "tenant-acme     Active   " +
            age +
            "\n"
            "tenant-globex   Active   " +
            age + "\n");
  r = k.Kubectl({"get", "gateway", "-n", "tenant-acme"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out ==
        "NAME   CLASS   ADDRESS       PROGRAMMED   AGE\n"
        "edge   eg      203.0.113.7   True         " +
            SeededAge() + "\n");
  r = k.Kubectl({"get", "httproute", "nope", "-n", "tenant-acme"});
  CHECK(r.exit_code == 1);
  CHECK(r.out == "");
  CHECK(r.err ==
        "Error from server (NotFound): httproutes.gateway.networking.k8s.io \"nope\" not found\n");
}

TEST_CASE("kubectl get gateway NAME -o yaml shows the object without managedFields", "[kubectl]") {
  SKIP_WITHOUT_KUBECTL();
  KubectlCluster k;
  json live = k.cluster().Get("gateways", "tenant-acme", "edge");
  ProcessResult r = k.Kubectl({"get", "gateway", "edge", "-n", "tenant-acme", "-o", "yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out ==
        "apiVersion: gateway.networking.k8s.io/v1\n"
        "kind: Gateway\n"
        "metadata:\n"
        "  creationTimestamp: \"2024-01-01T00:00:00Z\"\n"
        "  generation: 1\n"
        "  name: edge\n"
        "  namespace: tenant-acme\n"
        "  resourceVersion: \"" +
            live["metadata"]["resourceVersion"].get<std::string>() +
            "\"\n"
            "  uid: " +
            live["metadata"]["uid"].get<std::string>() +
            "\n"
            "spec:\n"
            "  gatewayClassName: eg\n"
            "  listeners:\n"
            "  - allowedRoutes:\n"
            "      namespaces:\n"
            "        from: Same\n"
            "    name: http\n"
            "    port: 80\n"
            "    protocol: HTTP\n"
            "status:\n"
            "  addresses:\n"
            "  - type: IPAddress\n"
            "    value: 203.0.113.7\n"
            "  conditions:\n"
            "  - lastTransitionTime: \"2024-01-01T00:00:00Z\"\n"
            "    message: ok\n"
            "    observedGeneration: 1\n"
            "    reason: Programmed\n"
            "    status: \"True\"\n"
            "    type: Programmed\n");
  // -o yaml asks for the object itself, not a Table.
  std::vector<RequestRecord> gets =
      Requests(k.cluster(), "GET", "/namespaces/tenant-acme/gateways/edge");
  REQUIRE(gets.size() == 1);
  CHECK(gets[0].status == 200);
}

const char* kCartYaml = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: cart
  namespace: tenant-acme
spec:
  parentRefs:
  - name: edge
  hostnames:
  - cart.example.com
  rules:
  - backendRefs:
    - name: cart-web
      port: 8080
)";

std::string WithHost(const std::string& yaml, const std::string& host) {
  return std::regex_replace(yaml, std::regex("cart\\.example\\.com"), host);
}

TEST_CASE("kubectl apply --server-side creates, then leaves an unchanged object alone",
          "[kubectl]") {
  SKIP_WITHOUT_KUBECTL();
  KubectlCluster k;
  std::string file = k.WriteFile("cart.yaml", kCartYaml);
  k.cluster().ClearRequestLog();
  ProcessResult r = k.Kubectl({"apply", "--server-side", "-f", file});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "httproute.gateway.networking.k8s.io/cart serverside-applied\n");
  json cart = k.cluster().Get("httproutes", "tenant-acme", "cart");
  REQUIRE(cart.is_object());
  CHECK(cart["spec"]["hostnames"] == json{"cart.example.com"});
  REQUIRE(cart["metadata"]["managedFields"].size() == 1);
  CHECK(cart["metadata"]["managedFields"][0]["manager"] == "kubectl");
  CHECK(cart["metadata"]["managedFields"][0]["operation"] == "Apply");
  std::vector<RequestRecord> patches =
      Requests(k.cluster(), "PATCH", "/namespaces/tenant-acme/httproutes/cart");
  REQUIRE(patches.size() == 1);
  CHECK(patches[0].query == "fieldManager=kubectl&fieldValidation=Strict&force=false");
  CHECK(patches[0].field_manager == "kubectl");
  CHECK(patches[0].status == 201);

  r = k.Kubectl({"apply", "--server-side", "-f", file});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "httproute.gateway.networking.k8s.io/cart serverside-applied\n");
  CHECK(k.cluster().Get("httproutes", "tenant-acme", "cart")["metadata"]["resourceVersion"] ==
        cart["metadata"]["resourceVersion"]);

  // -o yaml hides the managedFields the apply recorded; --show-managed-fields shows them.
  r = k.Kubectl({"get", "httproute", "cart", "-n", "tenant-acme", "-o", "yaml"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("managedFields") == std::string::npos);
  CHECK(r.out.find("  - cart.example.com\n") != std::string::npos);
  r = k.Kubectl(
      {"get", "httproute", "cart", "-n", "tenant-acme", "-o", "yaml", "--show-managed-fields"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("  managedFields:\n  - apiVersion: gateway.networking.k8s.io/v1\n"
                   "    fieldsType: FieldsV1\n") != std::string::npos);
  CHECK(r.out.find("    manager: kubectl\n    operation: Apply\n") != std::string::npos);
}

TEST_CASE("kubectl diff --server-side: exit 0 without changes, 1 and the diff with", "[kubectl]") {
  SKIP_WITHOUT_KUBECTL();
  KubectlCluster k;
  std::string file = k.WriteFile("cart.yaml", kCartYaml);
  REQUIRE(k.Kubectl({"apply", "--server-side", "-f", file}).exit_code == 0);
  json before = k.cluster().Get("httproutes", "tenant-acme", "cart");

  k.cluster().ClearRequestLog();
  ProcessResult r = k.Kubectl({"diff", "--server-side", "-f", file});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "");
  std::vector<RequestRecord> dry =
      Requests(k.cluster(), "PATCH", "/namespaces/tenant-acme/httproutes/cart");
  REQUIRE(dry.size() == 1);
  CHECK(dry[0].query == "dryRun=All&fieldManager=kubectl&force=false");
  CHECK(dry[0].status == 200);

  std::string changed = k.WriteFile("cart2.yaml", WithHost(kCartYaml, "www.example.com"));
  r = k.Kubectl({"diff", "--server-side", "-f", changed});
  CHECK(r.exit_code == 1);
  // The header names kubectl's temp dirs and times: keep the rest exact.
  std::string out = std::regex_replace(r.out, std::regex(k.dir() + "/(LIVE|MERGED)-[0-9]+"), "$1");
  out = std::regex_replace(out, std::regex("\t[0-9-]+ [0-9:.]+ [+-][0-9]+"), "");
  std::string name = "gateway.networking.k8s.io.v1.HTTPRoute.tenant-acme.cart";
  CHECK(out == "diff -u -N LIVE/" + name + " MERGED/" + name +
                   "\n"
                   "--- LIVE/" +
                   name +
                   "\n"
                   "+++ MERGED/" +
                   name +
                   "\n"
                   "@@ -2,14 +2,14 @@\n"
                   " kind: HTTPRoute\n"
                   " metadata:\n"
                   "   creationTimestamp: \"" +
                   before["metadata"]["creationTimestamp"].get<std::string>() +
                   "\"\n"
                   "-  generation: 1\n"
                   "+  generation: 2\n"
                   "   name: cart\n"
                   "   namespace: tenant-acme\n"
                   "   resourceVersion: \"" +
                   before["metadata"]["resourceVersion"].get<std::string>() +
                   "\"\n"
                   "   uid: " +
                   before["metadata"]["uid"].get<std::string>() +
                   "\n"
                   " spec:\n"
                   "   hostnames:\n"
                   "-  - cart.example.com\n"
                   "+  - www.example.com\n"
                   "   parentRefs:\n"
                   "   - group: gateway.networking.k8s.io\n"
                   "     kind: Gateway\n");
  // A dry run: nothing changed on the server.
  CHECK(k.cluster().Get("httproutes", "tenant-acme", "cart") == before);
}

TEST_CASE("kubectl delete -f deletes what the file names", "[kubectl]") {
  SKIP_WITHOUT_KUBECTL();
  KubectlCluster k;
  std::string file = k.WriteFile("cart.yaml", kCartYaml);
  REQUIRE(k.Kubectl({"apply", "--server-side", "-f", file}).exit_code == 0);
  k.cluster().ClearRequestLog();
  ProcessResult r = k.Kubectl({"delete", "-f", file});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "httproute.gateway.networking.k8s.io \"cart\" deleted\n");
  CHECK(k.cluster().Get("httproutes", "tenant-acme", "cart").is_null());
  std::vector<RequestRecord> deletes =
      Requests(k.cluster(), "DELETE", "/namespaces/tenant-acme/httproutes/cart");
  REQUIRE(deletes.size() == 1);
  CHECK(deletes[0].status == 200);
  r = k.Kubectl({"delete", "-f", file});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "Error from server (NotFound): error when deleting \"" + file +
                     "\": httproutes.gateway.networking.k8s.io \"cart\" not found\n");
}

TEST_CASE("kubectl create namespace, configmap, secret and service send protobuf", "[kubectl]") {
  SKIP_WITHOUT_KUBECTL();
  KubectlCluster k;
  ProcessResult r = k.Kubectl({"create", "namespace", "team-a"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "namespace/team-a created\n");
  CHECK(k.cluster().Get("namespaces", "", "team-a")["status"]["phase"] == "Active");
  r = k.Kubectl({"create", "configmap", "cfg", "-n", "team-a", "--from-literal=a=1"});
  CHECK(r.out == "configmap/cfg created\n");
  CHECK(k.cluster().Get("configmaps", "team-a", "cfg")["data"] == json{{"a", "1"}});
  r = k.Kubectl({"create", "secret", "generic", "pw", "-n", "team-a", "--from-literal=pw=hunter2"});
  CHECK(r.out == "secret/pw created\n");
  CHECK(k.cluster().Get("secrets", "team-a", "pw")["data"] == json{{"pw", "aHVudGVyMg=="}});
  r = k.Kubectl({"create", "service", "clusterip", "web", "-n", "team-a", "--tcp=80:8080"});
  CHECK(r.out == "service/web created\n");
  CHECK(k.cluster().Get("services", "team-a", "web")["spec"]["ports"] ==
        json::parse(R"([{"name":"80-8080","port":80,"protocol":"TCP","targetPort":8080}])"));
  std::vector<RequestRecord> creates = Requests(k.cluster(), "POST", "/api/v1/");
  REQUIRE(creates.size() == 4);
  for (const RequestRecord& c : creates)
    CHECK(c.status == 201);

  r = k.Kubectl({"delete", "namespace", "team-a"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "namespace \"team-a\" deleted\n");
  CHECK(k.cluster().Get("namespaces", "", "team-a").is_null());
}

}  // namespace
}  // namespace starform::devcluster
