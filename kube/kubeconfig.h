#pragma once

// Kubeconfig files as client-go reads them (../shared/notes/kubectl-plugin.md §1): which files,
// how several merge, relative paths, and the entries the connection is built from. Parsing is
// lenient where client-go's is (unknown fields are ignored) and strict where it is (a duplicate
// name in one file is an error).

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/env.h"

namespace starform::kube {

/// A kubeconfig or connection-flag problem: the message says what, and where when a file is
/// involved. kubectl prints these after "error: ".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ExecConfig {
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string api_version;
  std::string install_hint;
  bool provide_cluster_info = false;
  std::string interactive_mode;  ///< "Never", "IfAvailable", "Always"; "" when unset
};

struct ClusterEntry {
  std::string server;
  std::string tls_server_name;
  bool insecure_skip_tls_verify = false;
  std::string certificate_authority;       ///< a file path
  std::string certificate_authority_data;  ///< PEM, decoded from base64
  std::string proxy_url;
  bool disable_compression = false;
  /// clusters[].cluster.extensions["client.authentication.k8s.io/exec"], for exec plugins.
  nlohmann::json exec_extension;
  std::string origin;  ///< the file that defined it
};

struct UserEntry {
  std::string client_certificate;       ///< a file path
  std::string client_certificate_data;  ///< PEM
  std::string client_key;
  std::string client_key_data;
  std::string token;
  std::string token_file;
  std::string username;
  std::string password;
  std::string as;
  std::string as_uid;
  std::vector<std::string> as_groups;
  std::map<std::string, std::vector<std::string>> as_user_extra;
  std::optional<ExecConfig> exec;
  std::string auth_provider;  ///< its name when set (gcp, azure, oidc)
  std::string origin;
};

struct ContextEntry {
  std::string cluster;
  std::string user;
  std::string namespace_;
  std::string origin;
};

struct Kubeconfig {
  std::map<std::string, ClusterEntry> clusters;
  std::map<std::string, UserEntry> users;
  std::map<std::string, ContextEntry> contexts;
  std::string current_context;

  bool empty() const {
    return clusters.empty() && users.empty() && contexts.empty() && current_context.empty();
  }
};

/// Parses one file's text. |origin| is its path: relative paths in it are resolved against
/// its directory. Throws ConfigError ("error loading config file "PATH": ...").
Kubeconfig ParseKubeconfig(const std::string& text, const std::string& origin);

/// Merges |next| under |into|, as a later KUBECONFIG file: the first file to define a name
/// keeps the whole entry; the first non-empty current-context wins.
void MergeKubeconfig(Kubeconfig* into, Kubeconfig next);

/// The files client-go would read: |explicit_path| alone when set (it must exist), else every
/// KUBECONFIG entry in order (missing ones skipped), else ~/.kube/config. |warnings| gets
/// "Config not found: ..." when every listed file is missing.
Kubeconfig LoadKubeconfig(const std::optional<std::string>& explicit_path, const Env& env,
                          std::vector<std::string>* warnings);

/// "/a/b/../c" -> "/a/c"; a relative |path| is taken from |base_dir|. Purely textual.
std::string ResolvePath(const std::string& base_dir, const std::string& path);
std::string DirName(const std::string& path);

}  // namespace starform::kube
