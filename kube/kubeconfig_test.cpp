// Kubeconfig loading and connection resolution, against a fake environment: every case of
// ../shared/notes/kubectl-plugin.md §1 and §2.1 that decides which server, credentials and
// namespace a command uses, with kubectl's error messages.

#include <catch2/catch.hpp>

#include "kube/base64.h"
#include "kube/kubeconfig.h"
#include "kube/rest_config.h"

namespace starform::kube {
namespace {

const char* kCa = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";

std::string Config(const std::string& cluster, const std::string& server,
                   const std::string& user_yaml, const std::string& current = "") {
  std::string out = "apiVersion: v1\nkind: Config\nclusters:\n- name: " + cluster +
                    "\n  cluster:\n    server: " + server + "\nusers:\n- name: " + cluster +
                    "-user\n  user:\n" + user_yaml + "contexts:\n- name: " + cluster +
                    "\n  context:\n    cluster: " + cluster + "\n    user: " + cluster + "-user\n";
  if (!current.empty())
    out += "current-context: " + current + "\n";
  return out;
}

std::string ErrorOf(const ConnectionFlags& flags, const Env& env) {
  try {
    ResolveConfig(flags, env);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("several KUBECONFIG files: the first to define a name keeps the whole entry") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/a/config::/b/config:/missing:/a/config";
  env.files["/a/config"] = Config("prod", "https://a.example:6443", "    token: tok-a\n");
  // /b redefines prod (ignored whole: its tls-server-name must not leak in), adds staging and
  // names the current context, which /a leaves empty.
  env.files["/b/config"] =
      "clusters:\n- name: prod\n  cluster:\n    server: https://b.example\n    tls-server-name: "
      "b\n- name: staging\n  cluster:\n    server: https://s.example\ncontexts:\n- name: prod\n  "
      "context:\n    cluster: staging\n- name: staging\n  context:\n    cluster: staging\n"
      "current-context: prod\n";
  ResolvedConfig r = ResolveConfig({}, env);
  CHECK(r.rest.host == "https://a.example:6443");
  CHECK(r.rest.tls_server_name.empty());
  CHECK(r.rest.token == "tok-a");
  CHECK(r.rest.context_name == "prod");
  CHECK(r.warnings.empty());

  ConnectionFlags flags;
  flags.context = "staging";
  ResolvedConfig s = ResolveConfig(flags, env);
  CHECK(s.rest.host == "https://s.example");
  CHECK(s.rest.token.empty());
}

TEST_CASE("KUBECONFIG naming only missing files warns and has no configuration") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/nope:/neither";
  std::vector<std::string> warnings;
  Kubeconfig config = LoadKubeconfig(std::nullopt, env, &warnings);
  CHECK(config.empty());
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == "Config not found: /nope, /neither");
  CHECK(ErrorOf({}, env) ==
        "invalid configuration: no configuration has been provided: set KUBECONFIG, pass "
        "--kubeconfig, or create ~/.kube/config");
}

TEST_CASE("without KUBECONFIG the file is ~/.kube/config") {
  FakeEnv env;
  env.vars["HOME"] = "/home/jane";
  env.files["/home/jane/.kube/config"] =
      Config("home", "https://home.example", "    token: t\n", "home");
  CHECK(ResolveConfig({}, env).rest.host == "https://home.example");
}

TEST_CASE("the --kubeconfig flag reads only that file, which must exist") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/a/config";
  env.files["/a/config"] = Config("a", "https://a.example", "    token: t\n", "a");
  env.files["/x/config"] = Config("x", "https://x.example", "    token: t\n", "x");
  ConnectionFlags flags;
  flags.kubeconfig = "/x/config";
  CHECK(ResolveConfig(flags, env).rest.host == "https://x.example");
  flags.kubeconfig = "/x/absent";
  CHECK(ErrorOf(flags, env) == "stat /x/absent: no such file or directory");
}

TEST_CASE("relative paths resolve against the file that defined them") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/home/jane/kube/config";
  env.files["/home/jane/kube/config"] =
      "clusters:\n- name: c\n  cluster:\n    server: https://c.example\n"
      "    certificate-authority: ../certs/ca.crt\n"
      "users:\n- name: u\n  user:\n    client-certificate: certs/u.crt\n    client-key: "
      "/abs/u.key\n- name: e\n  user:\n    exec:\n      apiVersion: "
      "client.authentication.k8s.io/v1beta1\n      command: ./bin/plugin\n"
      "- name: bare\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
      "      command: doctl\n"
      "contexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n";
  std::vector<std::string> warnings;
  Kubeconfig k = LoadKubeconfig(std::nullopt, env, &warnings);
  CHECK(k.clusters["c"].certificate_authority == "/home/jane/certs/ca.crt");
  CHECK(k.users["u"].client_certificate == "/home/jane/kube/certs/u.crt");
  CHECK(k.users["u"].client_key == "/abs/u.key");
  CHECK(k.users["e"].exec->command == "/home/jane/kube/bin/plugin");
  CHECK(k.users["bare"].exec->command == "doctl");

  env.files["/home/jane/certs/ca.crt"] = kCa;
  env.files["/home/jane/kube/certs/u.crt"] = "CERT";
  env.files["/abs/u.key"] = "KEY";
  ResolvedConfig r = ResolveConfig({}, env);
  CHECK(r.rest.ca_pem == kCa);
  CHECK(r.rest.client_cert_pem == "CERT");
  CHECK(r.rest.client_key_pem == "KEY");
}

TEST_CASE("unreadable files referenced by the config are named in the error") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/k";
  env.files["/k"] =
      "clusters:\n- name: c\n  cluster:\n    server: https://c\n    certificate-authority: "
      "/no/ca.crt\nusers:\n- name: u\n  user:\n    client-certificate: /no/u.crt\n"
      "contexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n";
  CHECK(ErrorOf({}, env) ==
        "invalid configuration: [client-key-data or client-key must be specified for u to use "
        "the clientCert authentication method., unable to read client-cert /no/u.crt for u due "
        "to open /no/u.crt: no such file or directory, unable to read certificate-authority "
        "/no/ca.crt for c due to open /no/ca.crt: no such file or directory]");
}

TEST_CASE("context, cluster and user selection by flag") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/k";
  env.files["/k"] =
      "clusters:\n- name: one\n  cluster: {server: https://one}\n- name: two\n  cluster: "
      "{server: https://two}\nusers:\n- name: alice\n  user: {token: a}\n- name: bob\n  user: "
      "{token: b}\ncontexts:\n- name: main\n  context: {cluster: one, user: alice, namespace: "
      "shop}\ncurrent-context: main\n";
  ResolvedConfig r = ResolveConfig({}, env);
  CHECK(r.rest.host == "https://one");
  CHECK(r.rest.token == "a");
  CHECK(r.namespace_ == "shop");
  CHECK_FALSE(r.namespace_explicit);

  ConnectionFlags flags;
  flags.cluster = "two";
  flags.user = "bob";
  flags.namespace_ = "other";
  r = ResolveConfig(flags, env);
  CHECK(r.rest.host == "https://two");
  CHECK(r.rest.token == "b");
  CHECK(r.rest.cluster_name == "two");
  CHECK(r.rest.user_name == "bob");
  CHECK(r.namespace_ == "other");
  CHECK(r.namespace_explicit);

  ConnectionFlags missing;
  missing.context = "nope";
  CHECK(ErrorOf(missing, env) == "context \"nope\" does not exist");
  missing = {};
  missing.user = "carol";
  CHECK(ErrorOf(missing, env) == "auth info \"carol\" does not exist");
  missing = {};
  missing.cluster = "three";
  CHECK(ErrorOf(missing, env) == "cluster \"three\" does not exist");
}

TEST_CASE("a current-context that does not exist is invalid configuration") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/k";
  env.files["/k"] =
      "clusters:\n- name: one\n  cluster: {server: https://one}\ncurrent-context: gone\n";
  CHECK(ErrorOf({}, env) ==
        "invalid configuration: [context was not found for specified context: gone, cluster has "
        "no server defined]");
}

TEST_CASE("connection flags override the kubeconfig as kubectl's do") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/k";
  env.files["/k"] =
      "clusters:\n- name: c\n  cluster:\n    server: https://c.example?x=1#frag\n"
      "    tls-server-name: c.internal\n    certificate-authority-data: " +
      Base64Encode(kCa) +
      "\nusers:\n- name: u\n  user:\n    tokenFile: /t\n    client-certificate-data: " +
      Base64Encode("CERT") + "\n    client-key-data: " + Base64Encode("KEY") +
      "\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n";
  ResolvedConfig r = ResolveConfig({}, env);
  CHECK(r.rest.host == "https://c.example");
  CHECK(r.rest.tls_server_name == "c.internal");
  CHECK(r.rest.ca_pem == kCa);
  CHECK(r.rest.token_file == "/t");

  ConnectionFlags flags;
  flags.server = "https://lb.example:443/k8s/clusters/c-x/";
  flags.token = "flag-token";
  flags.insecure_skip_tls_verify = true;
  flags.as = "jane";
  flags.as_groups = {"devs", "ops"};
  flags.as_uid = "42";
  flags.request_timeout = "1m30s";
  r = ResolveConfig(flags, env);
  CHECK(r.rest.host == "https://lb.example:443/k8s/clusters/c-x");
  CHECK(r.rest.tls_server_name.empty());  // --server clears the old server's name
  CHECK(r.rest.insecure_skip_tls_verify);
  CHECK(r.rest.ca_pem.empty());  // insecure replaces the CA, or the two would clash
  CHECK(r.rest.token == "flag-token");
  CHECK(r.rest.token_file.empty());
  CHECK(r.rest.client_cert_pem == "CERT");
  CHECK(r.rest.impersonate_user == "jane");
  CHECK(r.rest.impersonate_groups == std::vector<std::string>{"devs", "ops"});
  CHECK(r.rest.impersonate_uid == "42");
  CHECK(r.rest.timeout == std::chrono::seconds(90));

  ConnectionFlags ca;
  ca.certificate_authority = "/other-ca.crt";
  env.files["/other-ca.crt"] = "OTHER";
  ca.tls_server_name = "sni.example";
  r = ResolveConfig(ca, env);
  CHECK(r.rest.ca_pem == "OTHER");
  CHECK(r.rest.tls_server_name == "sni.example");
}

TEST_CASE("a CA and insecure-skip-tls-verify together are refused") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/k";
  env.files["/k"] =
      "clusters:\n- name: c\n  cluster:\n    server: https://c\n    insecure-skip-tls-verify: "
      "true\n    certificate-authority-data: " +
      Base64Encode(kCa) + "\ncontexts:\n- name: c\n  context: {cluster: c}\ncurrent-context: c\n";
  CHECK(ErrorOf({}, env) ==
        "specifying a root certificates file with the insecure flag is not allowed");
}

TEST_CASE("credentials are never given to a plain-http server") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/k";
  env.files["/k"] = Config("c", "http://insecure.example:8080", "    token: secret\n", "c");
  ResolvedConfig r = ResolveConfig({}, env);
  CHECK(r.rest.host == "http://insecure.example:8080");
  CHECK(r.rest.token.empty());
}

TEST_CASE("user validation speaks client-go's messages") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/k";
  auto error_for = [&env](const std::string& user_yaml) {
    env.files["/k"] = Config("c", "https://c", user_yaml, "c");
    return ErrorOf({}, env);
  };
  CHECK(error_for("    token: t\n    username: u\n    password: p\n") ==
        "invalid configuration: more than one authentication method found for c-user; found "
        "[token basicAuth], only one is allowed");
  CHECK(error_for("    client-key-data: " + Base64Encode("K") + "\n") ==
        "invalid configuration: client-cert-data or client-cert must be specified for c-user to "
        "use the clientCert authentication method.");
  CHECK(error_for("    as-groups: [g]\n    token: t\n") ==
        "invalid configuration: requesting uid, groups or user-extra for c-user without "
        "impersonating a user");
  CHECK(error_for("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: "
                  "p\n") ==
        "invalid configuration: interactiveMode must be specified for c-user to use exec "
        "authentication plugin");
  CHECK(error_for("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: "
                  "p\n      interactiveMode: Sometimes\n") ==
        "invalid configuration: invalid interactiveMode for c-user: \"Sometimes\"");
  CHECK(error_for("    exec:\n      command: p\n") ==
        "invalid configuration: apiVersion must be specified for c-user to use exec "
        "authentication plugin");
  CHECK(error_for("    exec:\n      apiVersion: client.authentication.k8s.io/v1alpha1\n      "
                  "command: p\n") ==
        "exec plugin: invalid apiVersion "
        "\"client.authentication.k8s.io/v1alpha1\"");
}

TEST_CASE("a doctl kubeconfig as DOKS writes it") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/k";
  // As doctl's `kubernetes cluster kubeconfig save` writes it: sorted keys, env: null,
  // provideClusterInfo: false, no interactiveMode.
  env.files["/k"] = R"(apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: )" +
                    Base64Encode(kCa) +
                    R"(
    server: https://bd5f5959-5e1e-4205-a714-a914373942af.k8s.ondigitalocean.com
  name: do-nyc1-prod-cluster-01
contexts:
- context:
    cluster: do-nyc1-prod-cluster-01
    user: do-nyc1-prod-cluster-01-admin
  name: do-nyc1-prod-cluster-01
current-context: do-nyc1-prod-cluster-01
kind: Config
preferences: {}
users:
- name: do-nyc1-prod-cluster-01-admin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - kubernetes
      - cluster
      - kubeconfig
      - exec-credential
      - --version=v1beta1
      - --context=default
      - bd5f5959-5e1e-4205-a714-a914373942af
      command: doctl
      env: null
      provideClusterInfo: false
)";
  ResolvedConfig r = ResolveConfig({}, env);
  CHECK(r.rest.host == "https://bd5f5959-5e1e-4205-a714-a914373942af.k8s.ondigitalocean.com");
  CHECK(r.rest.ca_pem == kCa);
  REQUIRE(r.rest.exec);
  CHECK(r.rest.exec->command == "doctl");
  CHECK(r.rest.exec->args.size() == 7);
  CHECK(r.rest.exec->args[6] == "bd5f5959-5e1e-4205-a714-a914373942af");
  CHECK(r.rest.exec->interactive_mode == "IfAvailable");  // v1beta1's default
  CHECK(r.rest.exec->env.empty());
  CHECK(r.rest.exec_cluster.is_null());
  CHECK(r.namespace_ == "default");
}

TEST_CASE("provideClusterInfo passes the cluster, with the CA inlined") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/k";
  env.files["/ca.crt"] = kCa;
  env.files["/k"] =
      "clusters:\n- name: c\n  cluster:\n    server: https://c\n    certificate-authority: "
      "/ca.crt\n    extensions:\n    - name: client.authentication.k8s.io/exec\n      "
      "extension: {audience: starform}\nusers:\n- name: u\n  user:\n    exec:\n      "
      "apiVersion: client.authentication.k8s.io/v1\n      command: p\n      interactiveMode: "
      "Never\n      provideClusterInfo: true\n      env:\n      - {name: A, value: b}\n"
      "contexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n";
  ResolvedConfig r = ResolveConfig({}, env);
  REQUIRE(r.rest.exec);
  CHECK(r.rest.exec->env == std::vector<std::pair<std::string, std::string>>{{"A", "b"}});
  CHECK(r.rest.exec_cluster == nlohmann::json{{"server", "https://c"},
                                              {"certificate-authority-data", Base64Encode(kCa)},
                                              {"config", {{"audience", "starform"}}}});
}

TEST_CASE("the exec plugin is not used when another credential is present") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/k";
  env.files["/k"] = Config("c", "https://c",
                           "    token: t\n    exec:\n      apiVersion: "
                           "client.authentication.k8s.io/v1beta1\n      command: p\n",
                           "c");
  CHECK_FALSE(ResolveConfig({}, env).rest.exec);
}

TEST_CASE("in-cluster config is used only when no kubeconfig gives anything") {
  FakeEnv env;
  env.vars["KUBERNETES_SERVICE_HOST"] = "fd00::1";
  env.vars["KUBERNETES_SERVICE_PORT"] = "443";
  env.files["/var/run/secrets/kubernetes.io/serviceaccount/token"] = "sa-token\n";
  env.files["/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"] = kCa;
  env.files["/var/run/secrets/kubernetes.io/serviceaccount/namespace"] = "starform-system\n";
  ResolvedConfig r = ResolveConfig({}, env);
  CHECK(r.rest.in_cluster);
  CHECK(r.rest.host == "https://[fd00::1]:443");
  CHECK(r.rest.ca_pem == kCa);
  CHECK(r.rest.token_file == "/var/run/secrets/kubernetes.io/serviceaccount/token");
  CHECK(r.namespace_ == "starform-system");

  env.vars["POD_NAMESPACE"] = "from-env";
  CHECK(ResolveConfig({}, env).namespace_ == "from-env");
  ConnectionFlags flags;
  flags.namespace_ = "flag";
  CHECK(ResolveConfig(flags, env).namespace_ == "flag");

  env.vars["HOME"] = "/h";
  env.files["/h/.kube/config"] = Config("c", "https://kubeconfig.example", "    token: t\n", "c");
  CHECK_FALSE(ResolveConfig({}, env).rest.in_cluster);
}

TEST_CASE("a --server flag works without any kubeconfig") {
  FakeEnv env;
  ConnectionFlags flags;
  flags.server = "https://127.0.0.1:6443";
  flags.token = "t";
  ResolvedConfig r = ResolveConfig(flags, env);
  CHECK(r.rest.host == "https://127.0.0.1:6443");
  CHECK(r.rest.token == "t");
  CHECK(r.namespace_ == "default");
}

TEST_CASE("a context namespace that is not a DNS label is invalid unless -n overrides it") {
  FakeEnv env;
  env.vars["KUBECONFIG"] = "/k";
  env.files["/k"] =
      "clusters:\n- name: c\n  cluster: {server: https://c}\ncontexts:\n- name: c\n  context: "
      "{cluster: c, namespace: Bad_NS}\ncurrent-context: c\n";
  CHECK(ErrorOf({}, env) ==
        "invalid configuration: namespace \"Bad_NS\" for context \"c\" does not conform to the "
        "kubernetes DNS_LABEL rules");
  ConnectionFlags flags;
  flags.namespace_ = "good";
  CHECK(ResolveConfig(flags, env).namespace_ == "good");
}

TEST_CASE("kubeconfig syntax and type errors name the file and the field") {
  CHECK_THROWS_WITH(ParseKubeconfig("clusters: [", "/k"),
                    Catch::StartsWith("error loading config file \"/k\": /k:1:"));
  CHECK_THROWS_WITH(ParseKubeconfig("clusters:\n- name: a\n  cluster: {server: 5}\n", "/k"),
                    "error loading config file \"/k\": clusters[a].cluster.server: expected "
                    "string, got number");
  CHECK_THROWS_WITH(
      ParseKubeconfig("clusters:\n- name: a\n  cluster: {}\n- name: a\n  cluster: {}\n", "/k"),
      "error loading config file \"/k\": clusters[1].name: duplicate name \"a\" in list "
      "clusters");
  CHECK_THROWS_WITH(
      ParseKubeconfig("users:\n- name: a\n  user: {token: 1}\n", "/k"),
      "error loading config file \"/k\": users[a].user.token: expected string, got number");
  CHECK_THROWS_WITH(ParseKubeconfig("users:\n- name: a\n  user: {client-key-data: '%%%'}\n", "/k"),
                    "error loading config file \"/k\": users[a].user.client-key-data: illegal "
                    "base64 data");
  CHECK(ParseKubeconfig("", "/k").empty());
  // Unknown fields are ignored, as client-go's non-strict decoder does.
  CHECK(ParseKubeconfig("clusters:\n- name: a\n  cluster: {server: s, future: 1}\n", "/k")
            .clusters.at("a")
            .server == "s");
}

TEST_CASE("the request timeout takes seconds or a Go duration") {
  CHECK(ParseRequestTimeout("0") == std::chrono::milliseconds(0));
  CHECK(ParseRequestTimeout("") == std::chrono::milliseconds(0));
  CHECK(ParseRequestTimeout("5") == std::chrono::seconds(5));
  CHECK(ParseRequestTimeout("500ms") == std::chrono::milliseconds(500));
  CHECK(ParseRequestTimeout("1h2m3s") == std::chrono::seconds(3723));
  CHECK(ParseRequestTimeout("1.5s") == std::chrono::milliseconds(1500));
  CHECK_THROWS_WITH(ParseRequestTimeout("5 minutes"),
                    "invalid timeout value. Timeout must be a single integer in seconds, or an "
                    "integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)");
  CHECK_THROWS_AS(ParseRequestTimeout("s"), ConfigError);
}

TEST_CASE("ResolvePath is textual and keeps absolute paths") {
  CHECK(ResolvePath("/a/b", "../c/./d") == "/a/c/d");
  CHECK(ResolvePath("/a/b", "/x/y") == "/x/y");
  CHECK(ResolvePath("rel", "x") == "rel/x");
  CHECK(ResolvePath("/", "..") == "/");
  CHECK(DirName("/a/b/config") == "/a/b");
  CHECK(DirName("config") == ".");
}

TEST_CASE("base64 as kubeconfig data uses it") {
  std::string out;
  CHECK(Base64Decode("aGVs\nbG8=", &out));
  CHECK(out == "hello");
  out.clear();
  CHECK_FALSE(Base64Decode("aGVsbG8=x", &out));
  out.clear();
  CHECK_FALSE(Base64Decode("a", &out));
  CHECK(Base64Encode("hello") == "aGVsbG8=");
  CHECK(Base64UrlEncode("\xfb\xff") == "-_8");
  out.clear();
  CHECK(Base64UrlDecode("-_8", &out));
  CHECK(out == "\xfb\xff");
}

}  // namespace
}  // namespace starform::kube
