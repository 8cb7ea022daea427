// The REST client against the dev cluster over real HTTPS: kubeconfig to connection, each
// operation, each error type, credentials (token, token file, client certificate, exec
// plugin with 401 refresh), impersonation, TLS failures and redacted logs.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "devcluster/server.h"
#include "kube/client.h"

namespace starform::kube {
namespace {

using devcluster::DevCluster;
using nlohmann::json;

std::string TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "client-test-XXXXXX").string();
  return mkdtemp(pattern.data());
}

// One cluster for this file's tests, with a kubeconfig on disk as a user would have.
DevCluster& Cluster() {
  static std::unique_ptr<DevCluster> cluster = [] {
    DevCluster::Options options;
    options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
    options.kubeconfig_out = TempDir() + "/kubeconfig";
    options.keep_alive_seconds = 1;
    auto c = std::make_unique<DevCluster>(options);
    c->Start();
    return c;
  }();
  return *cluster;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

RestConfig ConfigFromKubeconfig(ConnectionFlags flags = {}) {
  Kubeconfig k =
      ParseKubeconfig(ReadFile(Cluster().kubeconfig_path()), Cluster().kubeconfig_path());
  return ResolveConfig(k, flags, SystemEnv()).rest;
}

std::unique_ptr<Client> Connect(const RestConfig& config, ClientOptions options = {}) {
  options.jitter_seed = 1;
  options.retry.base = std::chrono::milliseconds(5);
  return Client::Connect(config, SystemEnv(), std::move(options));
}

void MakeNamespace(const std::string& name) {
  devcluster::LocalRequest req;
  req.method = "POST";
  req.target = "/api/v1/namespaces";
  req.body =
      json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}}.dump();
  devcluster::LocalResponse r = Cluster().Call(req);
  if (r.status != 201 && r.status != 409)
    throw std::runtime_error("namespace " + name + ": " + r.body);
}

const ResourceRef kRoutes{"gateway.networking.k8s.io", "v1", "httproutes", true};
const ResourceRef kConfigMaps{"", "v1", "configmaps", true};

std::string Route(const std::string& ns, const std::string& name, const std::string& host) {
  return json{{"apiVersion", "gateway.networking.k8s.io/v1"},
              {"kind", "HTTPRoute"},
              {"metadata", {{"name", name}, {"namespace", ns}}},
              {"spec",
               {{"parentRefs", {{{"name", "eg"}, {"namespace", "starform-system"}}}},
                {"hostnames", {host}},
                {"rules", {{{"backendRefs", {{{"name", "shop"}, {"port", 8080}}}}}}}}}}
      .dump();
}

TEST_CASE("client: apply, get, list and delete over HTTPS with the kubeconfig's token") {
  MakeNamespace("client-crud");
  auto client = Connect(ConfigFromKubeconfig());
  ApplyOptions apply;
  Result<json> created = client->Apply(kRoutes, "client-crud", "shop",
                                       Route("client-crud", "shop", "a.example.com"), apply);
  REQUIRE(created.ok());
  CHECK(created.value()["metadata"]["managedFields"][0]["manager"] == "starform");
  CHECK(created.value()["metadata"]["generation"] == 1);

  Result<json> got = client->Get(kRoutes, "client-crud", "shop");
  REQUIRE(got.ok());
  CHECK(got.value()["spec"]["hostnames"][0] == "a.example.com");

  Result<std::vector<json>> listed = client->List(kRoutes, "client-crud");
  REQUIRE(listed.ok());
  REQUIRE(listed.value().size() == 1);

  apply.dry_run = true;
  Result<json> dry = client->Apply(kRoutes, "client-crud", "shop",
                                   Route("client-crud", "shop", "b.example.com"), apply);
  REQUIRE(dry.ok());
  CHECK(dry.value()["spec"]["hostnames"][0] == "b.example.com");
  CHECK(Cluster().Get("httproutes", "client-crud", "shop")["spec"]["hostnames"][0] ==
        "a.example.com");

  Result<json> deleted = client->Delete(kRoutes, "client-crud", "shop");
  REQUIRE(deleted.ok());
  Result<json> gone = client->Get(kRoutes, "client-crud", "shop");
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().reason == Reason::kNotFound);
  CHECK(gone.error().code == 404);
  CHECK(gone.error().Describe() ==
        "Error from server (NotFound): httproutes.gateway.networking.k8s.io \"shop\" not found");
}

TEST_CASE("client: a paginated list arrives page by page") {
  MakeNamespace("client-pages");
  auto client = Connect(ConfigFromKubeconfig());
  for (int i = 0; i < 25; ++i) {
    std::string name = "cm-" + std::to_string(i);
    client->ApplyAsync(
        kConfigMaps, "client-pages", name,
        json{{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata", {{"name", name}, {"labels", {{"n", std::to_string(i % 2)}}}}}}
            .dump(),
        {}, [](Result<json> r) { REQUIRE(r.ok()); });
  }
  client->Run();
  std::vector<size_t> pages;
  std::optional<Result<bool>> done;
  ListOptions options;
  options.limit = 10;
  client->ListAsync(
      kConfigMaps, "client-pages", options,
      [&](json page) { pages.push_back(page["items"].size()); }, nullptr,
      [&](Result<bool> r) { done = r; });
  client->Run();
  REQUIRE(done);
  CHECK(done->ok());
  CHECK(pages == std::vector<size_t>{10, 10, 5});

  options.label_selector = "n in (1)";
  Result<std::vector<json>> odd = client->List(kConfigMaps, "client-pages", options);
  REQUIRE(odd.ok());
  CHECK(odd.value().size() == 12);
}

TEST_CASE("client: a list can leave out fields of its items while parsing") {
  MakeNamespace("client-drop");
  auto client = Connect(ConfigFromKubeconfig());
  for (int i = 0; i < 3; ++i) {
    std::string name = "cm-" + std::to_string(i);
    Result<json> applied =
        client->Apply(kConfigMaps, "client-drop", name,
                      json{{"apiVersion", "v1"},
                           {"kind", "ConfigMap"},
                           {"metadata", {{"name", name}, {"annotations", {{"a", "b"}}}}},
                           {"data", {{"k", "v"}}}}
                          .dump(),
                      {});
    REQUIRE(applied.ok());
  }
  ListOptions options;
  options.limit = 2;
  options.drop_item_fields = {"data", "metadata.managedFields", "metadata.annotations"};
  std::vector<json> items;
  std::optional<Result<bool>> done;
  client->ListAsync(
      kConfigMaps, "client-drop", options,
      [&](json page) {
        CHECK(page["metadata"].contains("resourceVersion"));  // only items are filtered
        for (json& item : page["items"])
          items.push_back(std::move(item));
      },
      nullptr, [&](Result<bool> r) { done = r; });
  client->Run();
  REQUIRE(done);
  REQUIRE(done->ok());
  REQUIRE(items.size() == 3);
  for (const json& item : items) {
    CHECK_FALSE(item.contains("data"));
    CHECK_FALSE(item["metadata"].contains("managedFields"));
    CHECK_FALSE(item["metadata"].contains("annotations"));
    CHECK(item["metadata"]["name"].get<std::string>().rfind("cm-", 0) == 0);
    CHECK(item["metadata"].contains("uid"));
  }
}

TEST_CASE("client: errors are typed from the Status body") {
  MakeNamespace("client-errors");
  auto client = Connect(ConfigFromKubeconfig());
  ApplyOptions apply;
  REQUIRE(client
              ->Apply(kRoutes, "client-errors", "r", Route("client-errors", "r", "x.example.com"),
                      apply)
              .ok());

  // Another manager changing the same field conflicts, naming the manager.
  ApplyOptions other;
  other.field_manager = "kubectl-edit";
  Result<json> conflict = client->Apply(kRoutes, "client-errors", "r",
                                        Route("client-errors", "r", "y.example.com"), other);
  REQUIRE_FALSE(conflict.ok());
  CHECK(conflict.error().reason == Reason::kConflict);
  CHECK(conflict.error().code == 409);
  REQUIRE_FALSE(conflict.error().causes.empty());
  CHECK(conflict.error().causes[0].reason == "FieldManagerConflict");
  CHECK(conflict.error().causes[0].message == "conflict with \"starform\"");
  CHECK(conflict.error().causes[0].field == ".spec.hostnames");

  // A field the schema refuses: 422 with the field path.
  std::string bad = Route("client-errors", "bad", "x.example.com");
  json doc = json::parse(bad);
  doc["spec"]["rules"][0]["backendRefs"][0]["port"] = 70000;
  Result<json> invalid = client->Apply(kRoutes, "client-errors", "bad", doc.dump(), apply);
  REQUIRE_FALSE(invalid.ok());
  CHECK(invalid.error().reason == Reason::kInvalid);
  REQUIRE_FALSE(invalid.error().causes.empty());
  CHECK(invalid.error().causes[0].field == "spec.rules[0].backendRefs[0].port");

  // Unknown field under Strict validation.
  doc = json::parse(Route("client-errors", "strict", "x.example.com"));
  doc["spec"]["hostnamez"] = {"x"};
  Result<json> strict = client->Apply(kRoutes, "client-errors", "strict", doc.dump(), apply);
  REQUIRE_FALSE(strict.ok());
  CHECK(strict.error().code == 400);
  CHECK(strict.error().reason == Reason::kBadRequest);
  CHECK(strict.error().message.find("unknown field \"spec.hostnamez\"") != std::string::npos);

  // A namespace that does not exist.
  Result<json> missing_ns = client->Apply(kRoutes, "client-no-such-ns", "r",
                                          Route("client-no-such-ns", "r", "z.example.com"), apply);
  REQUIRE_FALSE(missing_ns.ok());
  CHECK(missing_ns.error().reason == Reason::kNotFound);
  CHECK(missing_ns.error().message == "namespaces \"client-no-such-ns\" not found");

  // Delete with a stale precondition.
  DeleteOptions precondition;
  precondition.precondition_uid = "not-the-uid";
  Result<json> stale = client->Delete(kRoutes, "client-errors", "r", precondition);
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.error().reason == Reason::kConflict);
}

TEST_CASE("client: a create of an existing object is AlreadyExists") {
  MakeNamespace("client-exists");
  auto client = Connect(ConfigFromKubeconfig());
  std::string body = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"twice"}})";
  std::vector<std::optional<Result<HttpResponse>>> results(2);
  for (auto& slot : results) {
    // Sequential: the second starts after the first has answered.
    Client::Call call = Client::Call::Of("POST", "/api/v1/namespaces/client-exists/configmaps",
                                         body, "application/json");
    call.idempotent = false;
    client->Start(call, [&slot](Result<HttpResponse> r) { slot.emplace(std::move(r)); });
    client->Run();
  }
  REQUIRE(results[0]->ok());
  CHECK(results[0]->value().status == 201);
  REQUIRE_FALSE(results[1]->ok());
  const ApiError& e = results[1]->error();
  CHECK(e.reason == Reason::kAlreadyExists);
  CHECK(e.code == 409);
  CHECK(e.Describe() == "Error from server (AlreadyExists): configmaps \"twice\" already exists");
  CHECK(e.details["name"] == "twice");
}

TEST_CASE("client: 401 and 403 say what they mean") {
  RestConfig config = ConfigFromKubeconfig();
  config.token = "wrong";
  auto client = Connect(config);
  Result<json> r = client->Get(kConfigMaps, "default", "x");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().reason == Reason::kUnauthorized);
  CHECK(r.error().Describe() == "You must be logged in to the server (Unauthorized)");
  CHECK(client->requests_sent() == 1);  // a static token is not retried

  // A certificate user without impersonation rights.
  RestConfig bob = ConfigFromKubeconfig();
  bob.token.clear();
  devcluster::KeyPair cert = Cluster().IssueClientCertificate("bob", "devs");
  bob.client_cert_pem = cert.cert_pem;
  bob.client_key_pem = cert.key_pem;
  bob.impersonate_user = "alice";
  Result<json> forbidden = Connect(bob)->Get(kConfigMaps, "default", "x");
  REQUIRE_FALSE(forbidden.ok());
  CHECK(forbidden.error().reason == Reason::kForbidden);
  CHECK(forbidden.error().Describe() ==
        "Error from server (Forbidden): users \"alice\" is forbidden: User \"bob\" cannot "
        "impersonate resource \"users\" in API group \"\" at the cluster scope");
}

TEST_CASE("client: client certificates and impersonation headers reach the server") {
  RestConfig config = ConfigFromKubeconfig();
  config.token.clear();
  config.client_cert_pem = Cluster().client_cert().cert_pem;
  config.client_key_pem = Cluster().client_cert().key_pem;
  config.impersonate_user = "jane";
  config.impersonate_groups = {"devs", "ops"};
  config.impersonate_uid = "42";
  Cluster().ClearRequestLog();
  Result<json> r = Connect(config)->GetJson("/api/v1/namespaces/default");
  REQUIRE(r.ok());
  auto log = Cluster().RequestLog();
  REQUIRE_FALSE(log.empty());
  CHECK(log.back().user == "jane");
  CHECK(log.back().impersonate_user == "jane");
  CHECK(log.back().impersonate_groups == std::vector<std::string>{"devs", "ops"});
  CHECK(log.back().impersonate_uid == "42");
}

TEST_CASE("client: a token file is read and used") {
  std::string dir = TempDir();
  std::ofstream(dir + "/token") << "  " << Cluster().token() << "\n";
  RestConfig config = ConfigFromKubeconfig();
  config.token.clear();
  config.token_file = dir + "/token";
  CHECK(Connect(config)->GetJson("/api/v1/namespaces/default").ok());
  std::filesystem::remove_all(dir);
}

TEST_CASE("client: an exec plugin's expired token is refreshed on 401 and the request retried") {
  std::string dir = TempDir();
  // The plugin prints whatever token is in the file, counting its runs.
  std::string plugin = dir + "/plugin";
  std::ofstream(plugin) << "#!/bin/sh\necho x >> " << dir
                        << "/runs\necho '{\"kind\":\"ExecCredential\",\"apiVersion\":"
                           "\"client.authentication.k8s.io/v1beta1\",\"status\":{\"token\":\"'"
                           "$(cat "
                        << dir << "/token)'\"}}'\n";
  chmod(plugin.c_str(), 0755);
  std::ofstream(dir + "/token") << "stale-token";
  RestConfig config = ConfigFromKubeconfig();
  config.token.clear();
  config.exec = ExecConfig{};
  config.exec->command = plugin;
  config.exec->api_version = "client.authentication.k8s.io/v1beta1";
  config.exec->interactive_mode = "Never";
  auto client = Connect(config);
  // First run: the plugin's token is stale, the server says 401, the plugin runs again (now
  // printing the good token) and the request is retried once.
  Result<json> r = client->GetJson("/api/v1/namespaces/default");
  REQUIRE_FALSE(r.ok());  // stale both times: 401 after exactly one retry
  CHECK(r.error().reason == Reason::kUnauthorized);
  CHECK(client->requests_sent() == 2);
  CHECK(ReadFile(dir + "/runs") == "x\nx\n");

  std::ofstream(dir + "/token", std::ios::trunc) << Cluster().token();
  r = client->GetJson("/api/v1/namespaces/default");
  CHECK(r.ok());
  CHECK(ReadFile(dir + "/runs") == "x\nx\nx\n");
  // Cached now: no further run.
  CHECK(client->GetJson("/api/v1/namespaces/default").ok());
  CHECK(ReadFile(dir + "/runs") == "x\nx\nx\n");
  std::filesystem::remove_all(dir);
}

TEST_CASE("client: a wrong CA is a clear TLS error, and no credential is logged") {
  RestConfig config = ConfigFromKubeconfig();
  config.ca_pem = devcluster::MakePki().ca.cert_pem;  // some other cluster's CA
  std::vector<std::string> lines;
  ClientOptions options;
  options.verbosity = 9;
  options.log = [&lines](const std::string& line) { lines.push_back(line); };
  options.retry.max_attempts = 1;
  auto client = Connect(config, options);
  Result<json> r = client->GetJson("/api/v1/namespaces/default");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().reason == Reason::kTransport);
  CHECK_THAT(r.error().Describe(),
             Catch::StartsWith("Unable to connect to the server 127.0.0.1:") &&
                 Catch::Contains("check the kubeconfig, --certificate-authority"));
  for (const std::string& line : lines)
    CHECK(line.find(config.token) == std::string::npos);
}

TEST_CASE("client: -v=9 logs requests and bodies with credentials masked") {
  RestConfig config = ConfigFromKubeconfig();
  std::vector<std::string> lines;
  ClientOptions options;
  options.verbosity = 9;
  options.log = [&lines](const std::string& line) { lines.push_back(line); };
  auto client = Connect(config, options);
  MakeNamespace("client-log");
  json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "s"}}},
                 {"data", {{"key", "c2VjcmV0"}}}};
  REQUIRE(client->Apply({"", "v1", "secrets", true}, "client-log", "s", secret.dump(), {}).ok());
  std::string all;
  for (const std::string& line : lines)
    all += line + "\n";
  CHECK(all.find(config.token) == std::string::npos);
  CHECK(all.find("c2VjcmV0") == std::string::npos);
  CHECK(all.find("Request Header: \"Authorization: Bearer <masked>\"") != std::string::npos);
  CHECK(all.find("PATCH " + config.host +
                 "/api/v1/namespaces/client-log/secrets/s?fieldManager=starform&"
                 "fieldValidation=Strict 201 Created in ") != std::string::npos);
}

TEST_CASE("client: discovery finds the served kinds") {
  auto client = Connect(ConfigFromKubeconfig());
  Result<Discovery> d = client->Discover();
  REQUIRE(d.ok());
  auto routes = d.value().Find("gateway.networking.k8s.io/v1", "HTTPRoute");
  REQUIRE(routes);
  CHECK(routes->resource == "httproutes");
  CHECK(routes->namespaced);
  auto policies = d.value().Find("gateway.envoyproxy.io/v1alpha1", "SecurityPolicy");
  REQUIRE(policies);
  CHECK(policies->Path("t", "p") ==
        "/apis/gateway.envoyproxy.io/v1alpha1/namespaces/t/securitypolicies/p");
  CHECK_FALSE(d.value().Find("gateway.networking.k8s.io/v1", "NoSuchKind"));
  size_t sent = client->requests_sent();
  CHECK(client->Discover().ok());
  CHECK(client->requests_sent() == sent);  // cached for the run
}

TEST_CASE("client: watch delivers events from a resourceVersion and stops on request") {
  MakeNamespace("client-watch");
  auto client = Connect(ConfigFromKubeconfig());
  Result<std::vector<json>> before = client->List(kConfigMaps, "client-watch");
  REQUIRE(before.ok());
  std::thread writer([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    devcluster::LocalRequest req;
    req.method = "POST";
    req.target = "/api/v1/namespaces/client-watch/configmaps";
    req.body = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"watched"}})";
    Cluster().Call(req);
  });
  std::vector<std::string> seen;
  Result<bool> r = client->Watch(
      kConfigMaps, "client-watch", "",
      [&](const WatchEvent& e) {
        if (e.type == "BOOKMARK")
          return true;
        seen.push_back(e.type + " " + e.object["metadata"].value("name", ""));
        return false;
      },
      std::chrono::seconds(5));
  writer.join();
  REQUIRE(r.ok());
  CHECK(seen == std::vector<std::string>{"ADDED watched"});
}

TEST_CASE("client: hundreds of concurrent applies complete with bounded connections") {
  MakeNamespace("client-many");
  auto client = Connect(ConfigFromKubeconfig());
  int ok = 0;
  for (int i = 0; i < 300; ++i) {
    std::string name = "cm-" + std::to_string(i);
    client->ApplyAsync(
        kConfigMaps, "client-many", name,
        json{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}}.dump(),
        {}, [&ok](Result<json> r) { ok += r.ok(); });
  }
  client->Run();
  CHECK(ok == 300);
  CHECK(Cluster().List("configmaps", "client-many").size() == 300);
}

}  // namespace
}  // namespace starform::kube
