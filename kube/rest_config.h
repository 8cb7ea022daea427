#pragma once

// From kubeconfig and kubectl's connection flags to what one connection needs, as client-go's
// clientcmd builds a rest.Config (../shared/notes/kubectl-plugin.md §1.4-1.8): context, cluster
// and user selection, flag overrides, validation with kubectl's messages, in-cluster config and
// the namespace.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/env.h"
#include "kube/kubeconfig.h"

namespace starform::kube {

/// kubectl's connection flags (cli-runtime ConfigFlags). Unset flags are nullopt: an empty
/// value given on the command line still overrides (as --tls-server-name= does in kubectl).
struct ConnectionFlags {
  std::optional<std::string> kubeconfig;
  std::optional<std::string> context;
  std::optional<std::string> cluster;
  std::optional<std::string> user;
  std::optional<std::string> namespace_;
  std::optional<std::string> server;
  std::optional<std::string> token;
  std::optional<std::string> certificate_authority;
  std::optional<std::string> client_certificate;
  std::optional<std::string> client_key;
  std::optional<bool> insecure_skip_tls_verify;
  std::optional<std::string> tls_server_name;
  std::optional<std::string> request_timeout;
  std::optional<std::string> as;
  std::vector<std::string> as_groups;
  std::optional<std::string> as_uid;
};

struct RestConfig {
  std::string host;  ///< "https://host:port[/prefix]", no query or fragment

  // TLS. An empty ca_pem means the system roots.
  std::string ca_pem;
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string client_cert_pem;
  std::string client_key_pem;

  // Credentials (at most one of token/basic/client cert/exec is used, in client-go's order).
  std::string token;
  std::string token_file;  ///< re-read on use; wins over |token| once read
  std::string username;
  std::string password;
  std::optional<ExecConfig> exec;
  /// ExecCredential spec.cluster when the plugin asked for provideClusterInfo.
  nlohmann::json exec_cluster;

  std::string impersonate_user;
  std::string impersonate_uid;
  std::vector<std::string> impersonate_groups;
  std::map<std::string, std::vector<std::string>> impersonate_extra;

  std::string proxy_url;  ///< "" uses the proxy environment variables
  bool disable_compression = false;
  std::chrono::milliseconds timeout{0};  ///< 0: none

  // Where it came from, for messages ("context do-nyc1-prod").
  std::string context_name;
  std::string cluster_name;
  std::string user_name;
  bool in_cluster = false;
};

struct ResolvedConfig {
  RestConfig rest;
  std::string namespace_;           ///< the namespace to use when a command needs one
  bool namespace_explicit = false;  ///< from -n (not the context or the default)
  std::vector<std::string> warnings;
};

/// Loads kubeconfig per |flags| and |env| and builds the connection. Throws ConfigError with
/// kubectl's wording ("context \"x\" does not exist", "invalid configuration: ...").
ResolvedConfig ResolveConfig(const ConnectionFlags& flags, const Env& env);

/// Builds the connection from an already loaded kubeconfig (for tests and tools).
ResolvedConfig ResolveConfig(const Kubeconfig& config, const ConnectionFlags& flags,
                             const Env& env);

/// kubectl's --request-timeout: a bare integer is seconds, else a Go duration ("1m30s",
/// "500ms"); "0" is no timeout. Throws ConfigError on anything else.
std::chrono::milliseconds ParseRequestTimeout(const std::string& value);

}  // namespace starform::kube
