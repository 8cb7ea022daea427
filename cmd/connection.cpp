#include "cmd/connection.h"

#include <unistd.h>

#include <cstdio>

#include "kube/env.h"

namespace starform {

namespace {

std::optional<std::string> Given(CLI::Option* option, const std::string& value) {
  if (option == nullptr || option->count() == 0)
    return std::nullopt;
  return value;
}

}  // namespace

void ConnectionOptions::AddTo(CLI::App* app) {
  auto add = [app](Flag* flag, const char* names, const char* help) {
    flag->option = app->add_option(names, flag->value, help)->group("Connection");
  };
  add(&kubeconfig_, "--kubeconfig", "Path to the kubeconfig file (only that file is read)");
  add(&context_, "--context", "The kubeconfig context to use");
  add(&cluster_, "--cluster", "The kubeconfig cluster to use");
  add(&user_, "--user", "The kubeconfig user to use");
  add(&namespace_, "-n,--namespace", "The namespace scope for this request");
  add(&server_, "-s,--server", "The address and port of the Kubernetes API server");
  add(&token_, "--token", "Bearer token for authentication to the API server");
  add(&ca_, "--certificate-authority", "Path to a cert file for the certificate authority");
  add(&client_cert_, "--client-certificate", "Path to a client certificate file for TLS");
  add(&client_key_, "--client-key", "Path to a client key file for TLS");
  insecure_option_ = app->add_flag("--insecure-skip-tls-verify", insecure_,
                                   "Do not check the server's certificate (insecure)")
                         ->group("Connection");
  add(&tls_server_name_, "--tls-server-name",
      "Server name to use for certificate validation (default: the server's hostname)");
  add(&request_timeout_, "--request-timeout",
      "How long to wait for one request (1s, 2m, 3h; a bare number is seconds; 0: no limit)");
  add(&as_, "--as", "Username to impersonate for the operation");
  app->add_option("--as-group", as_groups_, "Group to impersonate (repeatable)")
      ->group("Connection");
  add(&as_uid_, "--as-uid", "UID to impersonate for the operation");
  app->add_option("--qps", qps_,
                  "Most requests per second to send (default: no client-side limit; the "
                  "server's priority and fairness governs)")
      ->check(CLI::NonNegativeNumber)
      ->group("Connection");
}

kube::ConnectionFlags ConnectionOptions::Flags() const {
  kube::ConnectionFlags f;
  f.kubeconfig = Given(kubeconfig_.option, kubeconfig_.value);
  f.context = Given(context_.option, context_.value);
  f.cluster = Given(cluster_.option, cluster_.value);
  f.user = Given(user_.option, user_.value);
  f.namespace_ = Given(namespace_.option, namespace_.value);
  f.server = Given(server_.option, server_.value);
  f.token = Given(token_.option, token_.value);
  f.certificate_authority = Given(ca_.option, ca_.value);
  f.client_certificate = Given(client_cert_.option, client_cert_.value);
  f.client_key = Given(client_key_.option, client_key_.value);
  if (insecure_option_ != nullptr && insecure_option_->count() > 0)
    f.insecure_skip_tls_verify = insecure_;
  f.tls_server_name = Given(tls_server_name_.option, tls_server_name_.value);
  f.request_timeout = Given(request_timeout_.option, request_timeout_.value);
  f.as = Given(as_.option, as_.value);
  f.as_groups = as_groups_;
  f.as_uid = Given(as_uid_.option, as_uid_.value);
  return f;
}

kube::ClientOptions ConnectionOptions::ClientOptionsFor(const GlobalOptions& globals) const {
  kube::ClientOptions options;
  options.verbosity = globals.verbosity;
  options.log = LogToStderr;
  options.qps = qps_;
  options.user_agent = std::string("kubectl-starform/") + STARFORM_VERSION;
  options.stdin_is_terminal = isatty(0) != 0;
  return options;
}

std::unique_ptr<kube::Client> ConnectionOptions::Connect(const GlobalOptions& globals,
                                                         kube::ResolvedConfig* resolved,
                                                         std::string* error) const {
  kube::ResolvedConfig config;
  try {
    config = kube::ResolveConfig(Flags(), kube::SystemEnv());
  } catch (const kube::ConfigError& e) {
    if (error != nullptr)
      *error = e.what();
    else
      std::fprintf(stderr, "error: %s\n", e.what());
    return nullptr;
  }
  for (const std::string& warning : config.warnings) {
    if (globals.verbosity >= 1)
      LogToStderr(warning);
  }
  if (config.rest.insecure_skip_tls_verify) {
    std::fprintf(stderr,
                 "Warning: the server's certificate is not verified (insecure-skip-tls-verify): "
                 "anyone on the network path can read and change this traffic\n");
  }
  auto client = kube::Client::Connect(config.rest, kube::SystemEnv(), ClientOptionsFor(globals));
  if (resolved != nullptr)
    *resolved = std::move(config);
  return client;
}

void LogToStderr(const std::string& line) {
  std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace starform
