#pragma once

// kubectl's connection flags on every subcommand that talks to a cluster, and the client they
// make: kubeconfig and flags resolved as kubectl resolves them (kube/rest_config.h), requests
// logged to stderr by -v level with credentials redacted.

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cmd/command.h"
#include "kube/client.h"
#include "kube/rest_config.h"

namespace starform {

class ConnectionOptions {
 public:
  /// Adds --kubeconfig, --context, --cluster, --user, -n/--namespace, -s/--server, --token,
  /// --certificate-authority, --client-certificate, --client-key, --insecure-skip-tls-verify,
  /// --tls-server-name, --request-timeout, --as, --as-group, --as-uid and --qps to |app|.
  void AddTo(CLI::App* app);

  /// The flags as given (after parsing).
  kube::ConnectionFlags Flags() const;

  /// The client options every command uses (verbosity, logging, --qps, user agent).
  kube::ClientOptions ClientOptionsFor(const GlobalOptions& globals) const;

  /// Resolves the kubeconfig and connects. On failure returns null (exit code 1 for the
  /// caller) after printing "error: ..." to stderr, or, given |error|, setting it instead.
  std::unique_ptr<kube::Client> Connect(const GlobalOptions& globals,
                                        kube::ResolvedConfig* resolved = nullptr,
                                        std::string* error = nullptr) const;

 private:
  struct Flag {
    CLI::Option* option = nullptr;
    std::string value;
  };
  Flag kubeconfig_, context_, cluster_, user_, namespace_, server_, token_, ca_, client_cert_,
      client_key_, tls_server_name_, request_timeout_, as_, as_uid_;
  std::vector<std::string> as_groups_;
  CLI::Option* insecure_option_ = nullptr;
  bool insecure_ = false;
  double qps_ = 0;
};

/// Writes a log line to stderr, as kubectl's klog does at -v.
void LogToStderr(const std::string& line);

}  // namespace starform
