#include "kube/rest_config.h"

#include <cctype>
#include <cmath>

#include "kube/base64.h"

namespace starform::kube {

using nlohmann::json;

namespace {

constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";
constexpr const char* kEmptyConfig =
    "no configuration has been provided: set KUBECONFIG, pass --kubeconfig, or create "
    "~/.kube/config";

// Go's %v of a []string: [a b].
std::string GoList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? " " : "") + items[i];
  return out + "]";
}

// client-go's aggregate error: one message alone, several in brackets.
[[noreturn]] void ThrowInvalid(const std::vector<std::string>& errors) {
  std::string message = "invalid configuration: ";
  if (errors.size() == 1) {
    message += errors[0];
  } else {
    message += "[";
    for (size_t i = 0; i < errors.size(); ++i)
      message += (i ? ", " : "") + errors[i];
    message += "]";
  }
  throw ConfigError(message);
}

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b])))
    ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])))
    --e;
  return s.substr(b, e - b);
}

bool IsDnsLabel(const std::string& s) {
  if (s.empty() || s.size() > 63)
    return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && !(c == '-' && i > 0 && i + 1 < s.size()))
      return false;
  }
  return true;
}

void ValidateCluster(const std::string& name, const ClusterEntry& c, const Env& env,
                     std::vector<std::string>* errors) {
  if (c.server.empty()) {
    errors->push_back(name.empty() ? "default cluster has no server defined"
                                   : "no server found for cluster \"" + name + "\"");
  }
  if (!c.proxy_url.empty()) {
    std::string scheme = c.proxy_url.substr(0, c.proxy_url.find("://"));
    if (c.proxy_url.find("://") == std::string::npos ||
        (scheme != "http" && scheme != "https" && scheme != "socks5")) {
      errors->push_back("invalid 'proxy-url' \"" + c.proxy_url + "\" for cluster \"" + name +
                        "\": only \"http\", \"https\" and \"socks5\" are supported");
    }
  }
  if (!c.certificate_authority.empty() && !c.certificate_authority_data.empty()) {
    errors->push_back(
        "certificate-authority-data and certificate-authority are both specified "
        "for " +
        name + ". certificate-authority-data will override.");
  }
  std::string text, error;
  if (!c.certificate_authority.empty() && !env.ReadFile(c.certificate_authority, &text, &error)) {
    errors->push_back("unable to read certificate-authority " + c.certificate_authority + " for " +
                      name + " due to " + error);
  }
}

void ValidateExec(const std::string& name, const UserEntry& u, std::vector<std::string>* errors) {
  const ExecConfig& x = *u.exec;
  if (!u.auth_provider.empty()) {
    errors->push_back("authProvider cannot be provided in combination with an exec plugin for " +
                      name);
  }
  if (x.command.empty())
    errors->push_back("command must be specified for " + name +
                      " to use exec authentication plugin");
  if (x.api_version.empty()) {
    errors->push_back("apiVersion must be specified for " + name +
                      " to use exec authentication plugin");
  }
  for (const auto& [var, value] : x.env) {
    if (var.empty()) {
      errors->push_back("env variable name must be specified for " + name +
                        " to use exec authentication plugin");
    }
  }
  if (x.interactive_mode.empty()) {
    errors->push_back("interactiveMode must be specified for " + name +
                      " to use exec authentication plugin");
  } else if (x.interactive_mode != "Never" && x.interactive_mode != "IfAvailable" &&
             x.interactive_mode != "Always") {
    errors->push_back("invalid interactiveMode for " + name + ": \"" + x.interactive_mode + "\"");
  }
}

void ValidateUser(const std::string& name, const UserEntry& u, const Env& env,
                  std::vector<std::string>* errors) {
  std::vector<std::string> methods;
  if (!u.token.empty())
    methods.push_back("token");
  if (!u.username.empty() || !u.password.empty())
    methods.push_back("basicAuth");
  if (!u.client_certificate.empty() || !u.client_certificate_data.empty()) {
    if (!u.client_certificate.empty() && !u.client_certificate_data.empty()) {
      errors->push_back("client-cert-data and client-cert are both specified for " + name +
                        ". client-cert-data will override.");
    }
    if (!u.client_key.empty() && !u.client_key_data.empty()) {
      errors->push_back("client-key-data and client-key are both specified for " + name +
                        "; client-key-data will override");
    }
    if (u.client_key.empty() && u.client_key_data.empty()) {
      errors->push_back("client-key-data or client-key must be specified for " + name +
                        " to use the clientCert authentication method.");
    }
    std::string text, error;
    if (!u.client_certificate.empty() && !env.ReadFile(u.client_certificate, &text, &error)) {
      errors->push_back("unable to read client-cert " + u.client_certificate + " for " + name +
                        " due to " + error);
    }
    if (!u.client_key.empty() && !env.ReadFile(u.client_key, &text, &error)) {
      errors->push_back("unable to read client-key " + u.client_key + " for " + name + " due to " +
                        error);
    }
  } else if (!u.client_key.empty() || !u.client_key_data.empty()) {
    errors->push_back("client-cert-data or client-cert must be specified for " + name +
                      " to use the clientCert authentication method.");
  }
  if (u.exec)
    ValidateExec(name, u, errors);
  if (methods.size() > 1) {
    errors->push_back("more than one authentication method found for " + name + "; found " +
                      GoList(methods) + ", only one is allowed");
  }
  if ((!u.as_uid.empty() || !u.as_groups.empty() || !u.as_user_extra.empty()) && u.as.empty()) {
    errors->push_back("requesting uid, groups or user-extra for " + name +
                      " without impersonating a user");
  }
}

// Replaces |target| with |value| when the flag was given with a non-empty value (mergo's
// WithOverride skips empty values).
void Override(std::string* target, const std::optional<std::string>& value) {
  if (value && !value->empty())
    *target = *value;
}

ClusterEntry SelectCluster(const Kubeconfig& config, const std::string& name,
                           const ConnectionFlags& flags) {
  ClusterEntry c;
  auto it = config.clusters.find(name);
  if (it != config.clusters.end())
    c = it->second;
  Override(&c.server, flags.server);
  bool insecure = flags.insecure_skip_tls_verify.value_or(false);
  bool ca = flags.certificate_authority && !flags.certificate_authority->empty();
  // A CA or insecure flag replaces all three settings, or the kubeconfig's CA would still win
  // (or clash with insecure).
  if (insecure || ca) {
    c.insecure_skip_tls_verify = insecure;
    c.certificate_authority = flags.certificate_authority.value_or("");
    c.certificate_authority_data.clear();
  }
  // --server alone clears the kubeconfig's tls-server-name: it named the old server.
  if ((flags.tls_server_name && !flags.tls_server_name->empty()) ||
      (flags.server && !flags.server->empty())) {
    c.tls_server_name = flags.tls_server_name.value_or("");
  }
  return c;
}

UserEntry SelectUser(const Kubeconfig& config, const std::string& name,
                     const ConnectionFlags& flags) {
  UserEntry u;
  auto it = config.users.find(name);
  if (it != config.users.end())
    u = it->second;
  if (flags.token && !flags.token->empty()) {
    u.token = *flags.token;
    u.token_file.clear();
  }
  if (flags.client_certificate && !flags.client_certificate->empty()) {
    u.client_certificate = *flags.client_certificate;
    u.client_certificate_data.clear();
  }
  if (flags.client_key && !flags.client_key->empty()) {
    u.client_key = *flags.client_key;
    u.client_key_data.clear();
  }
  Override(&u.as, flags.as);
  Override(&u.as_uid, flags.as_uid);
  if (!flags.as_groups.empty())
    u.as_groups = flags.as_groups;
  // Defaulting done on load by client-go: v1beta1 (and v1alpha1) plugins default to
  // IfAvailable; v1 must say.
  if (u.exec && u.exec->interactive_mode.empty() &&
      u.exec->api_version != "client.authentication.k8s.io/v1") {
    u.exec->interactive_mode = "IfAvailable";
  }
  return u;
}

std::string ReadOrEmpty(const Env& env, const std::string& path) {
  std::string text, error;
  if (path.empty() || !env.ReadFile(path, &text, &error))
    return "";
  return text;
}

// "host:6443" -> "https://host:6443"; query and fragment dropped, a path prefix kept.
std::string NormalizeHost(const std::string& server) {
  std::string host = server;
  if (host.find("://") == std::string::npos)
    host = "https://" + host;
  size_t cut = host.find_first_of("?#");
  if (cut != std::string::npos)
    host.resize(cut);
  size_t authority = host.find("://") + 3;
  while (host.size() > authority && host.back() == '/')
    host.pop_back();
  return host;
}

json ExecCluster(const ClusterEntry& c, const std::string& ca_pem) {
  json cluster = {{"server", c.server}};
  if (!c.tls_server_name.empty())
    cluster["tls-server-name"] = c.tls_server_name;
  if (c.insecure_skip_tls_verify)
    cluster["insecure-skip-tls-verify"] = true;
  if (!ca_pem.empty())
    cluster["certificate-authority-data"] = Base64Encode(ca_pem);
  if (!c.proxy_url.empty())
    cluster["proxy-url"] = c.proxy_url;
  if (c.disable_compression)
    cluster["disable-compression"] = true;
  if (!c.exec_extension.is_null())
    cluster["config"] = c.exec_extension;
  return cluster;
}

RestConfig BuildRestConfig(const ClusterEntry& c, const UserEntry& u, const Env& env) {
  RestConfig rest;
  rest.host = NormalizeHost(c.server);
  rest.insecure_skip_tls_verify = c.insecure_skip_tls_verify;
  rest.tls_server_name = c.tls_server_name;
  rest.ca_pem = !c.certificate_authority_data.empty() ? c.certificate_authority_data
                                                      : ReadOrEmpty(env, c.certificate_authority);
  if (rest.insecure_skip_tls_verify && !rest.ca_pem.empty()) {
    throw ConfigError("specifying a root certificates file with the insecure flag is not allowed");
  }
  rest.proxy_url = c.proxy_url;
  rest.disable_compression = c.disable_compression;
  // Credentials go only to a TLS server: over plain http anyone on the path could read them.
  if (rest.host.rfind("https://", 0) != 0)
    return rest;
  rest.client_cert_pem = !u.client_certificate_data.empty()
                             ? u.client_certificate_data
                             : ReadOrEmpty(env, u.client_certificate);
  rest.client_key_pem =
      !u.client_key_data.empty() ? u.client_key_data : ReadOrEmpty(env, u.client_key);
  rest.token = u.token;
  rest.token_file = u.token_file;
  rest.username = u.username;
  rest.password = u.password;
  rest.impersonate_user = u.as;
  rest.impersonate_uid = u.as_uid;
  rest.impersonate_groups = u.as_groups;
  rest.impersonate_extra = u.as_user_extra;
  // client-go runs the exec plugin only when nothing else authenticates.
  bool has_other = !rest.token.empty() || !rest.token_file.empty() || !rest.username.empty() ||
                   !rest.client_cert_pem.empty();
  if (u.exec && !has_other) {
    const std::string& v = u.exec->api_version;
    if (v != "client.authentication.k8s.io/v1" && v != "client.authentication.k8s.io/v1beta1")
      throw ConfigError("exec plugin: invalid apiVersion \"" + v + "\"");
    rest.exec = u.exec;
    if (u.exec->provide_cluster_info)
      rest.exec_cluster = ExecCluster(c, rest.ca_pem);
  }
  return rest;
}

bool InClusterPossible(const Env& env) {
  auto host = env.Getenv("KUBERNETES_SERVICE_HOST");
  auto port = env.Getenv("KUBERNETES_SERVICE_PORT");
  return host && !host->empty() && port && !port->empty() &&
         env.IsFile(std::string(kServiceAccountDir) + "/token");
}

ResolvedConfig InCluster(const ConnectionFlags& flags, const Env& env) {
  std::string host = *env.Getenv("KUBERNETES_SERVICE_HOST");
  if (host.find(':') != std::string::npos)
    host = "[" + host + "]";  // net.JoinHostPort brackets IPv6
  ClusterEntry c;
  c.server = "https://" + host + ":" + *env.Getenv("KUBERNETES_SERVICE_PORT");
  c.certificate_authority = std::string(kServiceAccountDir) + "/ca.crt";
  UserEntry u;
  u.token_file = std::string(kServiceAccountDir) + "/token";
  // Only these three overrides apply in-cluster.
  Override(&c.server, flags.server);
  Override(&c.certificate_authority, flags.certificate_authority);
  if (flags.token && !flags.token->empty()) {
    u.token = *flags.token;
    u.token_file.clear();
  }
  ResolvedConfig out;
  out.rest = BuildRestConfig(c, u, env);
  out.rest.in_cluster = true;
  if (flags.namespace_ && !flags.namespace_->empty()) {
    out.namespace_ = *flags.namespace_;
    out.namespace_explicit = true;
  } else if (auto ns = env.Getenv("POD_NAMESPACE"); ns && !ns->empty()) {
    out.namespace_ = *ns;
  } else {
    std::string text = Trim(ReadOrEmpty(env, std::string(kServiceAccountDir) + "/namespace"));
    out.namespace_ = text.empty() ? "default" : text;
  }
  return out;
}

}  // namespace

std::chrono::milliseconds ParseRequestTimeout(const std::string& value) {
  static const char* kUsage =
      "invalid timeout value. Timeout must be a single integer in seconds, or an integer "
      "followed by a corresponding time unit (e.g. 1s | 2m | 3h)";
  if (value.empty() || value == "0")
    return std::chrono::milliseconds(0);
  bool digits = value.find_first_not_of("0123456789") == std::string::npos;
  std::string text = digits ? value + "s" : value;
  // Go's time.ParseDuration: a sequence of decimal numbers, each with a unit.
  double total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i == start)
      throw ConfigError(kUsage);
    double number = std::stod(text.substr(start, i - start));
    size_t unit_start = i;
    while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '.')
      ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    double scale;
    if (unit == "ns")
      scale = 1e-6;
    else if (unit == "us" || unit == "\u00b5s")
      scale = 1e-3;
    else if (unit == "ms")
      scale = 1;
    else if (unit == "s")
      scale = 1e3;
    else if (unit == "m")
      scale = 60e3;
    else if (unit == "h")
      scale = 3600e3;
    else
      throw ConfigError(kUsage);
    total_ms += number * scale;
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(total_ms)));
}

ResolvedConfig ResolveConfig(const ConnectionFlags& flags, const Env& env) {
  std::vector<std::string> warnings;
  Kubeconfig config = LoadKubeconfig(flags.kubeconfig, env, &warnings);
  bool server_given = flags.server && !flags.server->empty();
  if (config.empty() && !server_given && InClusterPossible(env)) {
    ResolvedConfig out = InCluster(flags, env);
    if (flags.request_timeout)
      out.rest.timeout = ParseRequestTimeout(*flags.request_timeout);
    return out;
  }
  ResolvedConfig out = ResolveConfig(config, flags, env);
  out.warnings.insert(out.warnings.begin(), warnings.begin(), warnings.end());
  return out;
}

ResolvedConfig ResolveConfig(const Kubeconfig& config, const ConnectionFlags& flags,
                             const Env& env) {
  // Named things that do not exist fail first, with the name, before any other check.
  if (flags.user && !flags.user->empty() && !config.users.count(*flags.user))
    throw ConfigError("auth info \"" + *flags.user + "\" does not exist");
  bool context_flag = flags.context && !flags.context->empty();
  std::string context_name = context_flag ? *flags.context : config.current_context;
  auto context_it = config.contexts.find(context_name);
  if (context_flag && context_it == config.contexts.end())
    throw ConfigError("context \"" + context_name + "\" does not exist");
  if (flags.cluster && !flags.cluster->empty() && !config.clusters.count(*flags.cluster))
    throw ConfigError("cluster \"" + *flags.cluster + "\" does not exist");

  ContextEntry context;
  if (context_it != config.contexts.end())
    context = context_it->second;
  std::string cluster_name =
      flags.cluster && !flags.cluster->empty() ? *flags.cluster : context.cluster;
  std::string user_name = flags.user && !flags.user->empty() ? *flags.user : context.user;
  ClusterEntry cluster = SelectCluster(config, cluster_name, flags);
  UserEntry user = SelectUser(config, user_name, flags);

  std::vector<std::string> errors;
  if (!context_name.empty() && context_it == config.contexts.end())
    errors.push_back("context was not found for specified context: " + context_name);
  ValidateUser(user_name, user, env, &errors);
  bool cluster_empty = cluster.server.empty() && cluster.certificate_authority.empty() &&
                       cluster.certificate_authority_data.empty() &&
                       cluster.tls_server_name.empty() && !cluster.insecure_skip_tls_verify &&
                       cluster.proxy_url.empty();
  if (cluster_empty) {
    // The only problem being no cluster at all means there was no configuration to speak of.
    if (errors.empty())
      ThrowInvalid({kEmptyConfig});
    errors.push_back("cluster has no server defined");
  } else {
    ValidateCluster(cluster_name, cluster, env, &errors);
  }
  bool ns_flag = flags.namespace_ && !flags.namespace_->empty();
  if (!ns_flag && !context.namespace_.empty() && !IsDnsLabel(context.namespace_)) {
    errors.push_back("namespace \"" + context.namespace_ + "\" for context \"" + context_name +
                     "\" does not conform to the kubernetes DNS_LABEL rules");
  }
  if (!errors.empty())
    ThrowInvalid(errors);

  ResolvedConfig out;
  out.rest = BuildRestConfig(cluster, user, env);
  out.rest.context_name = context_name;
  out.rest.cluster_name = cluster_name;
  out.rest.user_name = user_name;
  if (flags.request_timeout)
    out.rest.timeout = ParseRequestTimeout(*flags.request_timeout);
  if (ns_flag) {
    out.namespace_ = *flags.namespace_;
    out.namespace_explicit = true;
  } else {
    out.namespace_ = context.namespace_.empty() ? "default" : context.namespace_;
  }
  return out;
}

}  // namespace starform::kube
