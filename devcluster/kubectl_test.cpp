// The real kubectl of this machine against the dev cluster: get (server-side Tables), get -o
// yaml, apply --server-side, diff --server-side, delete -f, and the typed-client commands that
// send protobuf. Each command's exit code and exact output are checked, then the server's
// state and request log. Where kubectl is not installed the tests say so and pass ([kubectl]).

#include <catch2/catch.hpp>
#include <regex>

#include "devcluster/kubectl_testing.h"

namespace starform::devcluster {
namespace {

using nlohmann::json;

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
