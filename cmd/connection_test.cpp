// kubectl's connection flags end to end: the kubectl-starform binary, a kubeconfig on disk and
// the dev cluster over HTTPS. Each case is one a user meets: several KUBECONFIG files,
// relative paths, overrides, a doctl-shaped config with doctl as an exec plugin, and errors.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "devcluster/server.h"
#include "kube/base64.h"
#include "testing/process.h"

namespace starform {
namespace {

namespace fs = std::filesystem;
using starform::testing::BuiltProgram;
using starform::testing::RunProcess;

std::string TempDir() {
  std::string pattern = (fs::temp_directory_path() / "connection-test-XXXXXX").string();
  return mkdtemp(pattern.data());
}

devcluster::DevCluster& Cluster() {
  static std::unique_ptr<devcluster::DevCluster> cluster = [] {
    devcluster::DevCluster::Options options;
    options.kubeconfig_out = TempDir() + "/kubeconfig";
    options.keep_alive_seconds = 1;
    options.controllers = false;
    auto c = std::make_unique<devcluster::DevCluster>(options);
    c->Start();
    return c;
  }();
  return *cluster;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

starform::testing::ProcessResult Version(std::vector<std::string> args,
                                         const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), {BuiltProgram("kubectl-starform"), "version"});
  // No kubeconfig of the machine's user may leak into a test.
  std::vector<std::string> full_env = {"HOME=/nonexistent", "KUBECONFIG="};
  for (const std::string& e : env) {
    std::string name = e.substr(0, e.find('=') + 1);
    std::erase_if(full_env, [&name](const std::string& d) { return d.rfind(name, 0) == 0; });
    full_env.push_back(e);
  }
  return RunProcess(args, "", full_env);
}

const std::string kServerLine = "Server Version: v1.33.1\n";

TEST_CASE("version --client needs no cluster") {
  auto r = Version({"--client"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == std::string("Client Version: kubectl-starform ") + STARFORM_VERSION + "\n");
}

TEST_CASE("the --kubeconfig flag connects with the file the dev cluster wrote") {
  auto r = Version({"--kubeconfig", Cluster().kubeconfig_path()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(kServerLine) != std::string::npos);
}

TEST_CASE("KUBECONFIG lists merge: the first file to name an entry wins") {
  std::string dir = TempDir();
  // The first file names the current context and its user (a bad token) but defines no
  // cluster; the second defines the cluster and a user of the same name with the good token,
  // which must NOT be used: first file wins the whole entry.
  std::string server = Cluster().server_url();
  Write(dir + "/a", "current-context: dev\nusers:\n- name: admin\n  user: {token: wrong}\n");
  Write(dir + "/b", "clusters:\n- name: dev\n  cluster:\n    server: " + server +
                        "\n    certificate-authority: ca.crt\ncontexts:\n- name: dev\n  context: "
                        "{cluster: dev, user: admin}\nusers:\n- name: admin\n  user: {token: " +
                        Cluster().token() + "}\n");
  Write(dir + "/ca.crt", Cluster().ca_pem());  // relative to b, the file that names it
  // The bad token of the first file wins: the server refuses it.
  auto r = Version({}, {"KUBECONFIG=" + dir + "/a:" + dir + "/b"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "error: You must be logged in to the server (Unauthorized)\n");
  // Swapped (and a missing file between, skipped), the good token wins; both reach the server
  // through the CA path relative to b.
  auto swapped = Version({}, {"KUBECONFIG=" + dir + "/b:" + dir + "/missing:" + dir + "/a"});
  INFO(swapped.err);
  CHECK(swapped.exit_code == 0);
  CHECK(swapped.out.find(kServerLine) != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("connection errors say what is wrong, and exit 1") {
  std::string kubeconfig = Cluster().kubeconfig_path();
  auto r = Version({"--kubeconfig", kubeconfig, "--context", "nope"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "error: context \"nope\" does not exist\n");

  r = Version({"--kubeconfig", "/nonexistent/kubeconfig"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "error: stat /nonexistent/kubeconfig: no such file or directory\n");

  r = Version({});
  CHECK(r.exit_code == 1);
  CHECK(r.err ==
        "error: invalid configuration: no configuration has been provided: set KUBECONFIG, pass "
        "--kubeconfig, or create ~/.kube/config\n");

  // A server nobody listens on.
  r = Version({"--server", "https://127.0.0.1:1", "--insecure-skip-tls-verify"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("error: Unable to connect to the server 127.0.0.1:1: ") &&
                        Catch::Contains("- is the cluster running, and did you specify the right "
                                        "host or port?"));

  // The system roots do not know the dev cluster's CA.
  r = Version({"--server", Cluster().server_url()});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("check the kubeconfig, --certificate-authority"));

  r = Version({"--kubeconfig", kubeconfig, "--request-timeout", "soon"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::StartsWith("error: invalid timeout value."));
}

TEST_CASE("flags override the kubeconfig: --server, --certificate-authority, --insecure") {
  std::string dir = TempDir();
  Write(dir + "/ca.crt", Cluster().ca_pem());
  auto r = Version({"--server", Cluster().server_url(), "--certificate-authority", dir + "/ca.crt",
                    "--token", Cluster().token()});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(kServerLine) != std::string::npos);

  r = Version({"--kubeconfig", Cluster().kubeconfig_path(), "--insecure-skip-tls-verify"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("Warning: the server's certificate is not verified"));
  fs::remove_all(dir);
}

TEST_CASE("a doctl kubeconfig runs doctl as its exec plugin") {
  std::string dir = TempDir();
  // A stand-in doctl on PATH that checks its arguments and records what it was given.
  Write(dir + "/bin/doctl",
        "#!/bin/sh\n"
        "[ \"$1 $2 $3 $4 $5\" = \"kubernetes cluster kubeconfig exec-credential "
        "--version=v1beta1\" ] || exit 2\n"
        "printf '%s' \"$KUBERNETES_EXEC_INFO\" > " +
            dir +
            "/exec-info\n"
            "echo '{\"kind\":\"ExecCredential\",\"apiVersion\":"
            "\"client.authentication.k8s.io/v1beta1\",\"spec\":{},\"status\":{\"token\":\"" +
            Cluster().token() + "\",\"expirationTimestamp\":\"2099-01-01T00:00:00Z\"}}'\n");
  chmod((dir + "/bin/doctl").c_str(), 0755);
  Write(dir + "/config",
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: " +
            kube::Base64Encode(Cluster().ca_pem()) + "\n    server: " + Cluster().server_url() +
            "\n  name: do-nyc1-prod\ncontexts:\n- context:\n    cluster: do-nyc1-prod\n    user: "
            "do-nyc1-prod-admin\n  name: do-nyc1-prod\ncurrent-context: do-nyc1-prod\nkind: "
            "Config\npreferences: {}\nusers:\n- name: do-nyc1-prod-admin\n  user:\n    exec:\n"
            "      apiVersion: client.authentication.k8s.io/v1beta1\n      args:\n      - "
            "kubernetes\n      - cluster\n      - kubeconfig\n      - exec-credential\n      - "
            "--version=v1beta1\n      - --context=default\n      - "
            "bd5f5959-5e1e-4205-a714-a914373942af\n      command: doctl\n      env: null\n"
            "      provideClusterInfo: false\n");
  // -v=6 makes a protected request visible in the log: the discovery of /api must succeed.
  auto r = Version({"-v=6"}, {"KUBECONFIG=" + dir + "/config",
                              "PATH=" + dir + "/bin:" + std::string(getenv("PATH"))});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(kServerLine) != std::string::npos);
  CHECK(
      Slurp(dir + "/exec-info") ==
      R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"interactive":false}})");
  // The token is sent but never printed, at any level.
  CHECK(r.err.find(Cluster().token()) == std::string::npos);
  CHECK_THAT(r.err, Catch::Contains("GET " + Cluster().server_url() + "/version 200 OK in "));

  // doctl missing: the install hint path of client-go.
  r = Version({}, {"KUBECONFIG=" + dir + "/config", "PATH=/nonexistent"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::StartsWith("error: getting credentials: exec: executable doctl not "
                                      "found\n\nIt looks like you are trying to use a client-go "
                                      "credential plugin that is not installed."));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace starform
