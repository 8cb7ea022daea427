// Credentials: static ones, token files, and exec plugins run for real (small shell scripts
// standing in for doctl), with their caching, expiry and 401 refresh.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "kube/credentials.h"
#include "kube/exec_plugin.h"

namespace starform::kube {
namespace {

using nlohmann::json;
using std::chrono::system_clock;

// A temporary directory with plugin scripts; removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "creds-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  std::string Script(const std::string& name, const std::string& body) const {
    std::string file = path_ + "/" + name;
    std::ofstream(file) << "#!/bin/sh\n" << body;
    chmod(file.c_str(), 0755);
    return file;
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(path_ + "/" + name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

RestConfig ExecConfigFor(const std::string& command, const std::string& version,
                         const std::string& mode = "Never") {
  RestConfig config;
  config.exec = ExecConfig{};
  config.exec->command = command;
  config.exec->api_version = "client.authentication.k8s.io/" + version;
  config.exec->interactive_mode = mode;
  return config;
}

// A plugin that counts its runs in |dir|/runs and prints a token numbered by the run.
std::string CountingPlugin(const ScratchDir& dir, const std::string& version,
                           const std::string& expiry) {
  std::string expiry_field = expiry.empty() ? "" : ",\"expirationTimestamp\":\"" + expiry + "\"";
  return dir.Script(
      "plugin",
      "echo x >> " + dir.path() +
          "/runs\n"
          "n=$(wc -l < " +
          dir.path() +
          "/runs | tr -d ' ')\n"
          "printf '%s' \"$KUBERNETES_EXEC_INFO\" > " +
          dir.path() +
          "/info\n"
          "echo '{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/" +
          version + "\",\"status\":{\"token\":\"tok-'$n'\"" + expiry_field + "}}'\n");
}

TEST_CASE("static credentials: token, basic auth, client certificate") {
  FakeEnv env;
  RestConfig config;
  config.token = "abc";
  Credentials c = NewCredentialProvider(config, env, false)->Get();
  CHECK(c.authorization == "Bearer abc");

  RestConfig basic;
  basic.username = "admin";
  basic.password = "s3cret";
  auto provider = NewCredentialProvider(basic, env, false);
  CHECK(provider->Get().authorization == "Basic YWRtaW46czNjcmV0");
  CHECK_FALSE(provider->OnUnauthorized(provider->Get().generation));

  RestConfig cert;
  cert.client_cert_pem = "CERT";
  cert.client_key_pem = "KEY";
  c = NewCredentialProvider(cert, env, false)->Get();
  CHECK(c.authorization.empty());
  CHECK(c.client_cert_pem == "CERT");
  CHECK(c.client_key_pem == "KEY");
}

TEST_CASE("a token file is trimmed, re-read after a minute and after a 401") {
  FakeEnv env;
  env.files["/t"] = "  first\n";
  RestConfig config;
  config.token_file = "/t";
  auto provider = NewCredentialProvider(config, env, false);
  Credentials first = provider->Get();
  CHECK(first.authorization == "Bearer first");

  env.files["/t"] = "second\n";
  CHECK(provider->Get().authorization == "Bearer first");  // within the minute: cached
  env.now += std::chrono::seconds(61);
  CHECK(provider->Get().authorization == "Bearer second");

  env.files["/t"] = "third";
  Credentials second = provider->Get();
  CHECK(provider->OnUnauthorized(second.generation));  // the file changed: worth a retry
  CHECK(provider->Get().authorization == "Bearer third");
  CHECK_FALSE(provider->OnUnauthorized(provider->Get().generation));  // unchanged: no retry

  env.files.erase("/t");  // a failed re-read keeps the last good token
  env.now += std::chrono::minutes(2);
  CHECK(provider->Get().authorization == "Bearer third");
}

TEST_CASE("an empty or missing token file is an error that names it") {
  FakeEnv env;
  env.files["/t"] = " \n";
  RestConfig config;
  config.token_file = "/t";
  CHECK_THROWS_WITH(NewCredentialProvider(config, env, false)->Get(),
                    "read empty token from file \"/t\"");
  config.token_file = "/none";
  CHECK_THROWS_WITH(NewCredentialProvider(config, env, false)->Get(),
                    "cannot read token file: open /none: no such file or directory");
}

TEST_CASE("exec plugin v1beta1 and v1: run once, cached, given KUBERNETES_EXEC_INFO") {
  for (std::string version : {"v1beta1", "v1"}) {
    ScratchDir dir;
    FakeEnv env;
    RestConfig config = ExecConfigFor(CountingPlugin(dir, version, ""), version);
    config.exec->provide_cluster_info = true;
    config.exec_cluster = {{"server", "https://c.example"}};
    auto provider = NewCredentialProvider(config, env, false);
    CHECK(provider->Get().authorization == "Bearer tok-1");
    CHECK(provider->Get().authorization == "Bearer tok-1");
    CHECK(dir.Read("runs") == "x\n");
    CHECK(json::parse(dir.Read("info")) ==
          json{{"kind", "ExecCredential"},
               {"apiVersion", "client.authentication.k8s.io/" + version},
               {"spec", {{"interactive", false}, {"cluster", {{"server", "https://c.example"}}}}}});
  }
}

TEST_CASE("exec credentials are refreshed at expiry and after a 401, not before") {
  ScratchDir dir;
  FakeEnv env;
  env.now = *ParseRfc3339("2026-11-26T10:00:00Z");
  RestConfig config =
      ExecConfigFor(CountingPlugin(dir, "v1beta1", "2026-11-26T12:00:00+01:00"), "v1beta1");
  auto provider = NewCredentialProvider(config, env, false);
  Credentials first = provider->Get();
  CHECK(first.authorization == "Bearer tok-1");
  env.now += std::chrono::seconds(1);
  CHECK(provider->Get().authorization == "Bearer tok-1");  // valid until 11:00Z

  // A 401 answered to the current credentials drops them; a second report for the same
  // generation (another request in flight at the time) does not run the plugin twice.
  CHECK(provider->OnUnauthorized(first.generation));
  Credentials second = provider->Get();
  CHECK(second.authorization == "Bearer tok-2");
  CHECK(provider->OnUnauthorized(first.generation));
  CHECK(provider->Get().authorization == "Bearer tok-2");
  CHECK(dir.Read("runs") == "x\nx\n");
}

TEST_CASE("exec credentials past their expirationTimestamp are renewed") {
  ScratchDir dir;
  FakeEnv env;
  env.now = *ParseRfc3339("2026-11-26T10:00:00Z");
  RestConfig config = ExecConfigFor(CountingPlugin(dir, "v1", "2026-11-26T10:05:00Z"), "v1");
  auto provider = NewCredentialProvider(config, env, false);
  CHECK(provider->Get().authorization == "Bearer tok-1");
  env.now = *ParseRfc3339("2026-11-26T10:05:00Z");
  CHECK(provider->Get().authorization == "Bearer tok-1");  // client-go: expired only after
  env.now += std::chrono::seconds(1);
  CHECK(provider->Get().authorization == "Bearer tok-2");
}

TEST_CASE("exec plugin env is added to the inherited environment") {
  ScratchDir dir;
  FakeEnv env;
  std::string plugin = dir.Script(
      "plugin", "echo \"$STARFORM_TEST_A $HOME\" > " + dir.path() +
                    "/env\necho '{\"kind\":\"ExecCredential\",\"apiVersion\":"
                    "\"client.authentication.k8s.io/v1beta1\",\"status\":{\"token\":\"t\"}}'\n");
  RestConfig config = ExecConfigFor(plugin, "v1beta1");
  config.exec->env = {{"STARFORM_TEST_A", "from-config"}};
  NewCredentialProvider(config, env, false)->Get();
  CHECK(dir.Read("env") == "from-config " + std::string(getenv("HOME")) + "\n");
}

TEST_CASE("exec plugin failures say what went wrong") {
  ScratchDir dir;
  FakeEnv env;
  RestConfig missing = ExecConfigFor("starform-no-such-plugin", "v1beta1");
  missing.exec->install_hint = "Install doctl: \x1b[1mapt install doctl\x1b[0m";
  CHECK_THROWS_WITH(
      NewCredentialProvider(missing, env, false)->Get(),
      "exec: executable starform-no-such-plugin not found\n\nIt looks like you are trying to "
      "use a client-go credential plugin that is not installed.\n\nTo learn more about this "
      "feature, consult the documentation available at:\n      "
      "https://kubernetes.io/docs/reference/access-authn-authz/authentication/"
      "#client-go-credential-plugins\n\nInstall doctl: apt install doctl");

  RestConfig failing = ExecConfigFor(dir.Script("fail", "exit 3\n"), "v1beta1");
  CHECK_THROWS_WITH(NewCredentialProvider(failing, env, false)->Get(),
                    "exec: executable " + failing.exec->command + " failed with exit code 3");

  RestConfig wrong = ExecConfigFor(CountingPlugin(dir, "v1", ""), "v1beta1");
  CHECK_THROWS_WITH(NewCredentialProvider(wrong, env, false)->Get(),
                    "exec plugin is configured to use API version "
                    "client.authentication.k8s.io/v1beta1, plugin returned version "
                    "client.authentication.k8s.io/v1");

  RestConfig always = ExecConfigFor(CountingPlugin(dir, "v1", ""), "v1", "Always");
  CHECK_THROWS_WITH(NewCredentialProvider(always, env, false)->Get(),
                    "exec plugin cannot support interactive mode: standard input is not a "
                    "terminal");
}

TEST_CASE("ExecCredential decoding follows client-go") {
  const std::string v = "client.authentication.k8s.io/v1";
  CHECK_THROWS_WITH(ParseExecCredential("not json", v),
                    "decoding stdout: the exec plugin did not print an ExecCredential");
  CHECK_THROWS_WITH(
      ParseExecCredential(R"({"apiVersion":")" + v + R"(","kind":"ExecCredential"})", v),
      "exec plugin didn't return a status field");
  CHECK_THROWS_WITH(ParseExecCredential(
                        R"({"apiVersion":")" + v + R"(","kind":"ExecCredential","status":{}})", v),
                    "exec plugin didn't return a token or cert/key pair");
  CHECK_THROWS_WITH(ParseExecCredential(
                        R"({"apiVersion":")" + v +
                            R"(","kind":"ExecCredential","status":{"clientCertificateData":"C"}})",
                        v),
                    "exec plugin returned only certificate or key, not both");
  ExecCredential c = ParseExecCredential(
      R"({"apiVersion":")" + v +
          R"(","kind":"ExecCredential","status":{"clientCertificateData":"C","clientKeyData":"K","expirationTimestamp":"2018-03-05T17:30:20-08:00"}})",
      v);
  CHECK(c.client_certificate_data == "C");
  CHECK(c.client_key_data == "K");
  REQUIRE(c.expiration);
  CHECK(*c.expiration == *ParseRfc3339("2018-03-06T01:30:20Z"));
}

TEST_CASE("RFC 3339 timestamps") {
  CHECK(ParseRfc3339("1970-01-01T00:00:01Z") == system_clock::from_time_t(1));
  CHECK(ParseRfc3339("1970-01-01T01:00:01+01:00") == system_clock::from_time_t(1));
  CHECK(ParseRfc3339("1970-01-01T00:00:01.5Z") ==
        system_clock::from_time_t(1) + std::chrono::milliseconds(500));
  CHECK_FALSE(ParseRfc3339("1970-01-01 00:00:01Z"));
  CHECK_FALSE(ParseRfc3339("1970-01-01T00:00:01"));
  CHECK_FALSE(ParseRfc3339("1970-01-01T00:00:01Zjunk"));
}

}  // namespace
}  // namespace starform::kube
