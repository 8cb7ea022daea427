// The libcurl transport under real conditions: HTTP/2 negotiated by ALPN through nghttpx in
// front of the dev cluster (which itself speaks only HTTP/1.1), a hundred requests multiplexed
// over one connection, and proxies through tinyproxy (proxy-url, HTTPS_PROXY, NO_PROXY).
// nghttpx and tinyproxy come from scripts/install-deps.sh; a test without them says so and
// does nothing.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "devcluster/server.h"
#include "kube/client.h"

extern char** environ;

namespace starform::kube {
namespace {

using devcluster::DevCluster;
using nlohmann::json;
namespace fs = std::filesystem;

std::string TempDir() {
  std::string pattern = (fs::temp_directory_path() / "transport-test-XXXXXX").string();
  return mkdtemp(pattern.data());
}

DevCluster& Cluster() {
  static std::unique_ptr<DevCluster> cluster = [] {
    DevCluster::Options options;
    options.keep_alive_seconds = 1;
    options.controllers = false;
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

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return "";
}

// A port nothing listens on now (the kernel's pick); the daemon binds it next.
// The path of |name|, or "" with a warning that the test is skipped (CI installs it).
std::string Tool(const std::string& name, const std::string& package) {
  std::string path = FindOnPath(name);
  if (path.empty())
    WARN("skipped: " << name << " is not installed (apt-get install " << package << ")");
  return path;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("no free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// Polls |path| until |ready| holds for its text (a daemon logs after answering), or 10 s.
std::string WaitForLog(const std::string& path,
                       const std::function<bool(const std::string&)>& ready) {
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text = ReadFile(path);
    if (ready(text))
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return text;
}

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

// A helper program run in the foreground for one test, its output in |log|; stopped (SIGTERM,
// then reaped) when it goes out of scope.
class Daemon {
 public:
  Daemon(const std::vector<std::string>& argv, const std::string& log, int port) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const std::string& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
      throw std::runtime_error("cannot start " + argv[0]);
    for (int i = 0; i < 200 && !Accepts(port); ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error(argv[0] + " exited at start: " + ReadFile(log));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!Accepts(port))
      throw std::runtime_error(argv[0] + " does not listen on " + std::to_string(port) + ": " +
                               ReadFile(log));
  }
  ~Daemon() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

 private:
  pid_t pid_ = -1;
};

// nghttpx terminating TLS (its own certificate, from a fresh CA) in front of the dev cluster,
// verifying the cluster's certificate against the cluster's CA (by the name localhost:
// nghttpx matches no IP address SANs). The access log has one line per
// request: client port, ALPN and status.
struct Nghttpx {
  std::string dir = TempDir();
  devcluster::Pki pki = devcluster::MakePki();
  int port = FreePort();
  std::string access_log = dir + "/access.log";
  std::optional<Daemon> daemon;

  explicit Nghttpx(const std::string& binary) {
    WriteFile(dir + "/server.crt", pki.server.cert_pem);
    WriteFile(dir + "/server.key", pki.server.key_pem);
    WriteFile(dir + "/cluster-ca.crt", Cluster().ca_pem());
    daemon.emplace(
        std::vector<std::string>{
            binary,
            "--conf=/dev/null",
            "--frontend=127.0.0.1," + std::to_string(port),
            "--backend=127.0.0.1," + std::to_string(Cluster().port()) + ";;tls;sni=localhost",
            "--cacert=" + dir + "/cluster-ca.crt",
            "--workers=1",
            "--no-ocsp",
            "--accesslog-file=" + access_log,
            "--accesslog-format=$remote_port $alpn $status",
            "--errorlog-file=" + dir + "/error.log",
            dir + "/server.key",
            dir + "/server.crt",
        },
        dir + "/nghttpx.out", port);
  }
  ~Nghttpx() {
    daemon.reset();
    fs::remove_all(dir);
  }
  /// The error log, for a failing test's message.
  std::string errors() const { return ReadFile(dir + "/error.log"); }
};

// tinyproxy on a free port, logging each CONNECT it is asked for.
struct Tinyproxy {
  std::string dir = TempDir();
  int port = FreePort();
  std::string log = dir + "/tinyproxy.log";
  std::optional<Daemon> daemon;

  explicit Tinyproxy(const std::string& binary) {
    WriteFile(dir + "/tinyproxy.conf", "Port " + std::to_string(port) +
                                           "\nListen 127.0.0.1\nTimeout 30\nLogFile \"" + log +
                                           "\"\nLogLevel Connect\nMaxClients 200\n"
                                           "Allow 127.0.0.1\n");
    daemon.emplace(std::vector<std::string>{binary, "-d", "-c", dir + "/tinyproxy.conf"},
                   dir + "/tinyproxy.out", port);
  }
  ~Tinyproxy() {
    daemon.reset();
    fs::remove_all(dir);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
  /// How many CONNECTs to the dev cluster the log shows.
  size_t Connects() const {
    return CountOf(ReadFile(log), "CONNECT 127.0.0.1:" + std::to_string(Cluster().port()) + " ");
  }
};

HttpRequest GetNamespace(const std::string& name) {
  HttpRequest r;
  r.path = "/api/v1/namespaces/" + name;
  r.headers.emplace_back("Authorization", "Bearer " + Cluster().token());
  r.headers.emplace_back("Accept", "application/json");
  return r;
}

// Sends |n| GETs at once and returns their responses in completion order.
std::vector<HttpResponse> GetMany(Transport& transport, int n) {
  std::vector<HttpResponse> responses;
  for (int i = 0; i < n; ++i) {
    transport.Submit(GetNamespace("default"),
                     [&responses](HttpResponse r) { responses.push_back(std::move(r)); });
  }
  transport.Run();
  return responses;
}

RestConfig ClusterConfig() {
  RestConfig config;
  config.host = Cluster().server_url();
  config.ca_pem = Cluster().ca_pem();
  config.token = Cluster().token();
  return config;
}

std::unique_ptr<Client> Connect(const RestConfig& config, int max_attempts = 6) {
  ClientOptions options;
  options.jitter_seed = 1;
  options.retry.base = std::chrono::milliseconds(5);
  options.retry.max_attempts = max_attempts;
  return Client::Connect(config, SystemEnv(), std::move(options));
}

// Sets HTTPS_PROXY and NO_PROXY (nullptr: unset) for one scope, the lowercase ones unset,
// restoring all four after.
class ProxyEnv {
 public:
  ProxyEnv(const char* https_proxy, const char* no_proxy) {
    const std::pair<const char*, const char*> vars[] = {{"HTTPS_PROXY", https_proxy},
                                                        {"https_proxy", nullptr},
                                                        {"NO_PROXY", no_proxy},
                                                        {"no_proxy", nullptr}};
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old != nullptr ? std::optional<std::string>(old) : std::nullopt);
      if (value != nullptr)
        setenv(name, value, 1);
      else
        unsetenv(name);
    }
  }
  ~ProxyEnv() {
    for (const auto& [name, value] : saved_) {
      if (value)
        setenv(name.c_str(), value->c_str(), 1);
      else
        unsetenv(name.c_str());
    }
  }
  ProxyEnv(const ProxyEnv&) = delete;
  ProxyEnv& operator=(const ProxyEnv&) = delete;

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_CASE("transport: the dev cluster alone answers over HTTP/1.1") {
  TransportOptions options;
  options.server = Cluster().server_url();
  options.ca_pem = Cluster().ca_pem();
  auto transport = NewCurlTransport(options);
  std::vector<HttpResponse> responses = GetMany(*transport, 1);
  REQUIRE(responses.size() == 1);
  CHECK(responses[0].status == 200);
  CHECK(responses[0].http_version == 11);
}

TEST_CASE("transport: HTTP/2 by ALPN through nghttpx, 100 GETs multiplexed on one connection") {
  std::string binary = Tool("nghttpx", "nghttp2-proxy");
  if (binary.empty())
    return;
  Nghttpx proxy(binary);
  TransportOptions options;
  options.server = "https://127.0.0.1:" + std::to_string(proxy.port);
  options.ca_pem = proxy.pki.ca.cert_pem;
  auto transport = NewCurlTransport(options);

  std::vector<HttpResponse> responses = GetMany(*transport, 100);
  INFO("nghttpx: " << proxy.errors());
  REQUIRE(responses.size() == 100);
  for (const HttpResponse& r : responses) {
    INFO(r.error);
    CHECK(r.status == 200);
    CHECK(r.http_version == 2);
    CHECK(json::parse(r.body, nullptr, false)["metadata"]["name"] == "default");
  }

  std::string log = WaitForLog(proxy.access_log,
                               [](const std::string& text) { return CountOf(text, "\n") >= 100; });
  std::istringstream lines(log);
  std::set<std::string> client_ports;
  size_t h2_ok = 0;
  for (std::string port, alpn, status; lines >> port >> alpn >> status;) {
    client_ports.insert(port);
    h2_ok += alpn == "h2" && status == "200";
  }
  CHECK(h2_ok == 100);
  // Over HTTP/1.1 each request in flight needs its own connection (up to 64 here); over h2
  // they share one. A second one is allowed for a connection that raced the first.
  CHECK(client_ports.size() <= 2);
}

TEST_CASE("transport: the REST client works through nghttpx with the kubeconfig's token") {
  std::string binary = Tool("nghttpx", "nghttp2-proxy");
  if (binary.empty())
    return;
  Nghttpx proxy(binary);
  RestConfig config = ClusterConfig();
  config.host = "https://127.0.0.1:" + std::to_string(proxy.port);
  config.ca_pem = proxy.pki.ca.cert_pem;
  auto client = Connect(config);
  Result<std::vector<json>> namespaces = client->List({"", "v1", "namespaces", false}, "");
  INFO("nghttpx: " << proxy.errors());
  REQUIRE(namespaces.ok());
  CHECK_FALSE(namespaces.value().empty());
  Result<json> missing = client->GetJson("/api/v1/namespaces/transport-no-such");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().reason == Reason::kNotFound);
}

TEST_CASE("transport: proxy-url sends requests through the proxy with CONNECT") {
  std::string binary = Tool("tinyproxy", "tinyproxy");
  if (binary.empty())
    return;
  Tinyproxy proxy(binary);
  RestConfig config = ClusterConfig();
  config.proxy_url = proxy.url();
  auto client = Connect(config);
  Result<json> r = client->GetJson("/api/v1/namespaces/default");
  REQUIRE(r.ok());
  CHECK(r.value()["metadata"]["name"] == "default");
  std::string log = WaitForLog(proxy.log, [&](const std::string&) { return proxy.Connects() > 0; });
  INFO(log);
  CHECK(proxy.Connects() >= 1);
}

TEST_CASE("transport: a proxy that is not there is a clear transport error") {
  RestConfig config = ClusterConfig();
  int port = FreePort();
  config.proxy_url = "http://127.0.0.1:" + std::to_string(port);
  auto client = Connect(config, 2);
  Result<json> r = client->GetJson("/api/v1/namespaces/default");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().reason == Reason::kTransport);
  CHECK(client->requests_sent() == 2);  // never sent: retried even though nothing was answered
  std::string described = r.error().Describe();
  CHECK_THAT(described, Catch::Contains("proxy") && Catch::Contains(config.proxy_url));
}

TEST_CASE("transport: HTTPS_PROXY is used when proxy-url is empty, and NO_PROXY bypasses it") {
  std::string binary = Tool("tinyproxy", "tinyproxy");
  if (binary.empty())
    return;
  Tinyproxy proxy(binary);
  RestConfig config = ClusterConfig();
  {
    ProxyEnv env(proxy.url().c_str(), nullptr);
    auto client = Connect(config);
    REQUIRE(client->GetJson("/api/v1/namespaces/default").ok());
    WaitForLog(proxy.log, [&](const std::string&) { return proxy.Connects() > 0; });
    CHECK(proxy.Connects() == 1);
  }
  {
    ProxyEnv env(proxy.url().c_str(), "localhost,127.0.0.1");
    auto client = Connect(config);
    REQUIRE(client->GetJson("/api/v1/namespaces/default").ok());
    CHECK(proxy.Connects() == 1);  // unchanged: straight to the cluster
  }
  {
    // An explicit proxy-url wins over NO_PROXY, as in client-go.
    ProxyEnv env(nullptr, "localhost,127.0.0.1");
    config.proxy_url = proxy.url();
    auto client = Connect(config);
    REQUIRE(client->GetJson("/api/v1/namespaces/default").ok());
    WaitForLog(proxy.log, [&](const std::string&) { return proxy.Connects() > 1; });
    CHECK(proxy.Connects() == 2);
  }
}

}  // namespace
}  // namespace starform::kube
