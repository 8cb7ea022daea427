// The real kubectl against the dev cluster where it used to fall short of a real API server:
// `get crd` lists the CRDs loaded, Services come back defaulted and with a cluster IP, and
// `describe` of a namespace, a Service and an HTTPRoute completes. Exact output and the
// requests kubectl made are checked; where kubectl is not installed the tests say so and pass.

#include <catch2/catch.hpp>
#include <regex>

#include "devcluster/kubectl_testing.h"

namespace starform::devcluster {
namespace {

using nlohmann::json;

// kubectl's tabwriter: each column as wide as its widest cell plus 3 spaces, the last unpadded.
std::string Tabulate(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size())
        out += std::string(widths[i] + 3 - row[i].size(), ' ');
    }
    out += "\n";
  }
  return out;
}

TEST_CASE("kubectl get crd lists the CRDs loaded from --crds", "[kubectl]") {
  SKIP_WITHOUT_KUBECTL();
  KubectlCluster k;
  ProcessResult r = k.Kubectl({"get", "crd"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<std::vector<std::string>> rows = {{"NAME", "CREATED AT"}};
  for (const json& crd : k.cluster().List("customresourcedefinitions")) {
    rows.push_back({crd["metadata"]["name"], crd["metadata"]["creationTimestamp"]});
  }
  REQUIRE(rows.size() > 7);
  CHECK(r.out == Tabulate(rows));
  CHECK(r.out.find("\nhttproutes.gateway.networking.k8s.io ") != std::string::npos);
  CHECK(r.err == "");

  r = k.Kubectl({"get", "crd", "httproutes.gateway.networking.k8s.io", "-o",
                 "jsonpath={.status.conditions[?(@.type==\"Established\")].status} "
                 "{.status.acceptedNames.kind} {.status.storedVersions}"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "True HTTPRoute [\"v1\"]");

  // What `kubectl wait --for condition=established` does before using a CRD.
  r = k.Kubectl({"wait", "--for", "condition=established", "--timeout=10s",
                 "crd/gateways.gateway.networking.k8s.io"});
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        "customresourcedefinition.apiextensions.k8s.io/gateways.gateway.networking.k8s.io "
        "condition met\n");
}

TEST_CASE("kubectl create service gets a defaulted Service with a cluster IP", "[kubectl]") {
  SKIP_WITHOUT_KUBECTL();
  KubectlCluster k;
  ProcessResult r =
      k.Kubectl({"create", "service", "nodeport", "web", "-n", "tenant-acme", "--tcp=80:8080"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json web = k.cluster().Get("services", "tenant-acme", "web");
  std::string ip = web["spec"]["clusterIP"];
  int64_t node_port = web["spec"]["ports"][0]["nodePort"];
  CHECK(ip.rfind("10.96.", 0) == 0);
  CHECK(node_port >= 30000);
  CHECK(node_port <= 32767);
  r = k.Kubectl({"get", "service", "web", "-n", "tenant-acme", "-o",
                 "jsonpath={.spec.type} {.spec.clusterIPs} {.spec.ipFamilies} "
                 "{.spec.ipFamilyPolicy} {.spec.sessionAffinity} {.spec.externalTrafficPolicy} "
                 "{.spec.internalTrafficPolicy} {.spec.ports[0].protocol}"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "NodePort [\"" + ip + "\"] [\"IPv4\"] SingleStack None Cluster Cluster TCP");
  r = k.Kubectl({"get", "service", "web", "-n", "tenant-acme"});
  REQUIRE(r.exit_code == 0);
  std::string out = std::regex_replace(r.out, std::regex(" [0-9]+s\n"), " AGE\n");
  CHECK(out == Tabulate({{"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"},
                         {"web", "NodePort", ip, "<none>",
                          "80:" + std::to_string(node_port) + "/TCP", "AGE"}}));
}

TEST_CASE("kubectl describe namespace reads its quotas and limit ranges", "[kubectl]") {
  SKIP_WITHOUT_KUBECTL();
  KubectlCluster k;
  k.cluster().ClearRequestLog();
  ProcessResult r = k.Kubectl({"describe", "namespace", "tenant-acme"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out ==
        "Name:         tenant-acme\n"
        "Labels:       kubernetes.io/metadata.name=tenant-acme\n"
        "              starform.dev/tenant=true\n"
        "Annotations:  <none>\n"
        "Status:       Active\n"
        "\n"
        "No resource quota.\n"
        "\n"
        "No LimitRange resource.\n");
  CHECK(r.err == "");
  for (const char* resource : {"/resourcequotas", "/limitranges"}) {
    std::vector<RequestRecord> lists = Requests(k.cluster(), "GET", resource);
    REQUIRE(lists.size() == 1);
    CHECK(lists[0].path == std::string("/api/v1/namespaces/tenant-acme") + resource);
    CHECK(lists[0].status == 200);
  }
}

TEST_CASE("kubectl describe service shows the defaulted and allocated fields", "[kubectl]") {
  SKIP_WITHOUT_KUBECTL();
  KubectlCluster k;
  json web = k.cluster().Get("services", "tenant-acme", "shop-web");
  REQUIRE(web.is_object());
  std::string ip = web["spec"]["clusterIP"];
  ProcessResult r = k.Kubectl({"describe", "service", "shop-web", "-n", "tenant-acme"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out ==
        "Name:                     shop-web\n"
        "Namespace:                tenant-acme\n"
        "Labels:                   <none>\n"
        "Annotations:              <none>\n"
        "Selector:                 app=shop-web\n"
        "Type:                     ClusterIP\n"
        "IP Family Policy:         SingleStack\n"
        "IP Families:              IPv4\n"
        "IP:                       " +
            ip +
            "\n"
            "IPs:                      " +
            ip +
            "\n"
            "Port:                     http  8080/TCP\n"
            "TargetPort:               8080/TCP\n"
            "Endpoints:                <none>\n"
            "Session Affinity:         None\n"
            "Internal Traffic Policy:  Cluster\n"
            "Events:                   <none>\n");
}

}  // namespace
}  // namespace starform::devcluster
