// The HTTPS front: credentials, discovery, unknown paths, the request log.

#include <curl/curl.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "devcluster/test_cluster.h"

namespace starform::devcluster::testing {
namespace {

using nlohmann::json;

TEST_CASE("requests without valid credentials get the real 401 Status") {
  DevCluster& cluster = SharedCluster();
  TestClient anonymous(cluster.server_url(), cluster.ca_pem());
  HttpResult r = anonymous.Get("/api/v1/namespaces");
  CHECK(r.code == 401);
  CHECK(r.Json() == json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},)"
                                R"("status":"Failure","message":"Unauthorized",)"
                                R"("reason":"Unauthorized","code":401})"));
  TestClient wrong(cluster.server_url(), cluster.ca_pem(), "not-the-token");
  CHECK(wrong.Get("/api/v1/namespaces").code == 401);
  // /version is public, as with anonymous auth on a real cluster.
  CHECK(anonymous.Get("/version").code == 200);
  // Presenting a bad token is not anonymous: 401 even for /version, as kubectl sees it.
  HttpResult bad = wrong.Get("/version");
  CHECK(bad.code == 401);
  CHECK(bad.Json()["reason"] == "Unauthorized");
}

TEST_CASE("a client certificate signed by the CA authenticates as its CN") {
  DevCluster& cluster = SharedCluster();
  TestClient client(cluster.server_url(), cluster.ca_pem());
  client.set_client_cert(cluster.client_cert().cert_pem, cluster.client_cert().key_pem);
  cluster.ClearRequestLog();
  HttpResult r = client.Get("/api/v1/namespaces/default");
  CHECK(r.code == 200);
  std::vector<RequestRecord> log = cluster.RequestLog();
  REQUIRE(log.size() == 1);
  CHECK(log[0].user == "starform-admin");
  CHECK(log[0].path == "/api/v1/namespaces/default");
  CHECK(log[0].status == 200);
}

TEST_CASE("impersonation runs the request as the impersonated user and is logged") {
  DevCluster& cluster = SharedCluster();
  auto client = Client();
  client->extra_headers = {"Impersonate-User: jane", "Impersonate-Group: devs"};
  cluster.ClearRequestLog();
  CHECK(client->Get("/api/v1/namespaces?limit=1").code == 200);
  std::vector<RequestRecord> log = cluster.RequestLog();
  REQUIRE(log.size() == 1);
  CHECK(log[0].user == "jane");
  CHECK(log[0].impersonate_user == "jane");
  CHECK(log[0].impersonate_groups == std::vector<std::string>{"devs"});
  CHECK(log[0].query == "limit=1");

  // A certificate user outside system:masters may not impersonate.
  KeyPair dev = cluster.IssueClientCertificate("bob", "devs");
  TestClient bob(cluster.server_url(), cluster.ca_pem());
  bob.set_client_cert(dev.cert_pem, dev.key_pem);
  bob.extra_headers = {"Impersonate-User: jane"};
  HttpResult r = bob.Get("/api/v1/namespaces");
  CHECK(r.code == 403);
  CHECK(r.Json()["message"] ==
        "users \"jane\" is forbidden: User \"bob\" cannot impersonate resource \"users\" in API "
        "group \"\" at the cluster scope");
}

TEST_CASE("tokens rotate and revoke") {
  DevCluster::Options options;
  options.keep_alive_seconds = 1;
  DevCluster cluster(options);
  cluster.Start();
  TestClient client(cluster.server_url(), cluster.ca_pem(), cluster.token());
  CHECK(client.Get("/api").code == 200);
  std::string old = cluster.token();
  std::string fresh = cluster.RotateToken();
  CHECK(fresh != old);
  CHECK(client.Get("/api").code == 401);
  client.set_token(fresh);
  CHECK(client.Get("/api").code == 200);
  cluster.RevokeToken();
  CHECK(client.Get("/api").code == 401);
  // Without --crds the Gateway API is stored as sent, and said so.
  REQUIRE_FALSE(cluster.warnings().empty());
  CHECK(cluster.warnings()[0].find("no --crds given") == 0);
  cluster.Stop();
}

TEST_CASE("require_client_certs refuses bearer tokens") {
  DevCluster::Options options;
  options.keep_alive_seconds = 1;
  options.require_client_certs = true;
  DevCluster cluster(options);
  cluster.Start();
  {
    TestClient client(cluster.server_url(), cluster.ca_pem(), cluster.token());
    CHECK(client.Get("/api/v1/namespaces").code == 401);
    client.set_client_cert(cluster.client_cert().cert_pem, cluster.client_cert().key_pem);
    CHECK(client.Get("/api/v1/namespaces").code == 200);
  }  // closes the connections: httplib's TLS keep-alive wait does not see stop()
  cluster.Stop();
}

TEST_CASE("the kubeconfig names the server, the CA and the token") {
  std::string dir = std::string(STARFORM_BINARY_DIR) + "/devcluster-kubeconfig-test";
  DevCluster::Options options;
  options.keep_alive_seconds = 1;
  options.kubeconfig_out = dir + "/kubeconfig";
  DevCluster cluster(options);
  cluster.Start();
  std::ifstream in(dir + "/kubeconfig");
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str().find("server: " + cluster.server_url() + "\n") != std::string::npos);
  CHECK(text.str().find("token: " + cluster.token() + "\n") != std::string::npos);
  CHECK(text.str().find("certificate-authority-data: ") != std::string::npos);
  CHECK(text.str().find("current-context: starform-dev") != std::string::npos);
  std::ifstream ca(dir + "/ca.crt");
  std::stringstream ca_text;
  ca_text << ca.rdbuf();
  CHECK(ca_text.str() == cluster.ca_pem());
  cluster.Stop();
}

TEST_CASE("discovery documents") {
  auto client = Client();
  json version = client->Get("/version").Json();
  CHECK(version["major"] == "1");
  CHECK(version["minor"] == "33");
  CHECK(version["gitVersion"].get<std::string>().rfind("v1.33.", 0) == 0);
  CHECK(version["platform"] == "linux/amd64");

  CHECK(client->Get("/api").Json()["versions"] == json::array({"v1"}));

  json groups = client->Get("/apis").Json();
  CHECK(groups["kind"] == "APIGroupList");
  json gateway;
  for (const json& g : groups["groups"]) {
    if (g["name"] == "gateway.networking.k8s.io")
      gateway = g;
  }
  REQUIRE(gateway.is_object());
  CHECK(gateway["preferredVersion"] ==
        json({{"groupVersion", "gateway.networking.k8s.io/v1"}, {"version", "v1"}}));

  json list = client->Get("/apis/gateway.networking.k8s.io/v1").Json();
  CHECK(list["kind"] == "APIResourceList");
  CHECK(list["groupVersion"] == "gateway.networking.k8s.io/v1");
  json routes, status;
  for (const json& r : list["resources"]) {
    if (r["name"] == "httproutes")
      routes = r;
    if (r["name"] == "httproutes/status")
      status = r;
  }
  CHECK(routes["kind"] == "HTTPRoute");
  CHECK(routes["namespaced"] == true);
  CHECK(routes["singularName"] == "httproute");
  CHECK(routes["categories"] == json::array({"gateway-api"}));
  CHECK(status["verbs"] == json::array({"get", "patch", "update"}));

  json core = client->Get("/api/v1").Json();
  json services;
  for (const json& r : core["resources"]) {
    if (r["name"] == "services")
      services = r;
  }
  CHECK(services["shortNames"] == json::array({"svc"}));
  CHECK(client->Get("/healthz").body == "ok");
}

TEST_CASE("unknown paths, groups and resources answer 404 as a real server does") {
  auto client = Client();
  HttpResult page = client->Get("/apis/example.com/v1/widgets");
  CHECK(page.code == 404);
  CHECK(page.body == "404 page not found\n");
  HttpResult resource = client->Get("/apis/gateway.networking.k8s.io/v1/widgets");
  CHECK(resource.code == 404);
  CHECK(resource.Json() ==
        json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                    R"("message":"the server could not find the requested resource",)"
                    R"("reason":"NotFound","details":{},"code":404})"));
}

TEST_CASE("a cluster without some CRDs answers 404 for their group") {
  std::string dir = std::string(STARFORM_BINARY_DIR) + "/devcluster-gateway-crds-only";
  std::filesystem::create_directories(dir);
  for (const char* f : {"gateway.networking.k8s.io_httproutes.yaml"}) {
    std::filesystem::copy_file(std::string(STARFORM_SHARED_DIR) + "/crds/" + f, dir + "/" + f,
                               std::filesystem::copy_options::overwrite_existing);
  }
  DevCluster::Options options;
  options.keep_alive_seconds = 1;
  options.crds_dir = dir;
  DevCluster cluster(options);
  cluster.Start();
  TestClient client(cluster.server_url(), cluster.ca_pem(), cluster.token());
  HttpResult r = client.Get("/apis/gateway.envoyproxy.io/v1alpha1/securitypolicies");
  CHECK(r.code == 404);
  CHECK(r.body == "404 page not found\n");
  CHECK(client.Get("/apis/gateway.networking.k8s.io/v1/httproutes").code == 200);
  bool warned = false;
  for (const std::string& w : cluster.warnings()) {
    warned = warned || w == "CRD securitypolicies.gateway.envoyproxy.io not installed: its "
                            "resources answer 404";
  }
  CHECK(warned);
  cluster.Stop();
}

}  // namespace
}  // namespace starform::devcluster::testing

namespace starform::devcluster::testing {
namespace {

TEST_CASE("a CRD defined twice is served from its upstream-named file") {
  const ResourceRegistry& registry = SharedCluster().registry();
  const ResourceType* sp = registry.Find("gateway.envoyproxy.io", "v1alpha1", "securitypolicies");
  REQUIRE(sp != nullptr);
  // ../shared/crds also holds an older v1.5.0 copy; the v1.9.0 one must win.
  kube::Crd canonical;
  Diagnostics diags("");
  REQUIRE(kube::LoadCrdFile(
      std::string(STARFORM_SHARED_DIR) + "/crds/gateway.envoyproxy.io_securitypolicies.yaml",
      &canonical, &diags));
  CHECK(sp->crd->versions.at(0).openapi_schema == canonical.versions.at(0).openapi_schema);
}

TEST_CASE("in-process calls take the same path as HTTPS requests and are logged") {
  DevCluster& cluster = SharedCluster();
  LocalRequest create;
  create.method = "POST";
  create.target = "/api/v1/namespaces?fieldManager=envoy-gateway";
  create.body = R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"local-call"}})";
  LocalResponse created = cluster.Call(create);
  REQUIRE(created.status == 201);
  json ns = json::parse(created.body);
  CHECK(ns["metadata"]["managedFields"][0]["manager"] == "envoy-gateway");
  CHECK(created.content_type == "application/json");

  LocalResponse again = cluster.Call(create);
  CHECK(again.status == 409);
  CHECK(json::parse(again.body)["reason"] == "AlreadyExists");

  bool logged = false;
  for (const RequestRecord& r : cluster.RequestLog()) {
    logged = logged || (r.path == "/api/v1/namespaces" && r.query == "fieldManager=envoy-gateway" &&
                        r.user == create.user && r.status == 409);
  }
  CHECK(logged);
}

// kube-apiserver serves every connection a client opens; httplib gives each open connection a
// thread of the pool, idle keep-alive ones included, and makes the rest wait until one closes.
// Starform's plan opens up to 64 connections at once (plus its lock's); a client with more than
// the pool held would stall for the keep-alive time.
TEST_CASE("more connections at once than a client needs are all served without waiting") {
  DevCluster::Options options;
  options.controllers = false;
  options.keep_alive_seconds = 30;  // idle connections hold their threads for the whole test
  DevCluster cluster(options);
  cluster.Start();
  constexpr int kConnections = 120;
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(kConnections));
  std::string url = cluster.server_url() + "/version";
  std::string ca = cluster.ca_pem();
  std::vector<CURL*> easies;
  for (int i = 0; i < kConnections; ++i) {
    CURL* easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_blob blob{ca.data(), ca.size(), CURL_BLOB_COPY};
    curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &blob);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 0L);
    // Far beyond a handshake under sanitizers, far below the 30 s a queued connection waits.
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(
        easy, CURLOPT_WRITEFUNCTION, +[](char*, size_t size, size_t n, void*) { return size * n; });
    curl_multi_add_handle(multi, easy);
    easies.push_back(easy);
  }
  int running = 0;
  do {
    curl_multi_perform(multi, &running);
    curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  } while (running > 0);
  int served = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &running)) {
    long status = 0;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
    INFO(curl_easy_strerror(msg->data.result));
    CHECK(msg->data.result == CURLE_OK);
    served += msg->data.result == CURLE_OK && status == 200;
  }
  long connections = 0;
  double slowest_connect = 0;
  for (CURL* easy : easies) {
    long opened = 0;
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &opened);
    connections += opened;
    // The TCP handshake alone, which the kernel completes: a SYN dropped by a full listen
    // backlog is sent again only after 1 s.
    double connect = 0;
    curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME, &connect);
    slowest_connect = std::max(slowest_connect, connect);
    curl_multi_remove_handle(multi, easy);
    curl_easy_cleanup(easy);
  }
  curl_multi_cleanup(multi);
  CHECK(served == kConnections);
  CHECK(connections == kConnections);  // each on a connection of its own, all open at once
  CHECK(slowest_connect < 0.9);
  cluster.Stop();
}

}  // namespace
}  // namespace starform::devcluster::testing
