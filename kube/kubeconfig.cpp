#include "kube/kubeconfig.h"

#include <set>

#include "kube/base64.h"
#include "plan/source_tree.h"

namespace starform::kube {

using nlohmann::json;

namespace {

// Reads the typed fields of one file, naming the JSON path of whatever is wrong.
class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void Fail(const std::string& path, const std::string& what) const {
    throw ConfigError("error loading config file \"" + origin_ + "\": " + path + ": " + what);
  }

  std::string String(const json& obj, const std::string& path, const char* key) const {
    const json* v = Find(obj, key);
    if (v == nullptr)
      return "";
    if (!v->is_string())
      Fail(path + "." + key, std::string("expected string, got ") + v->type_name());
    return v->get<std::string>();
  }

  bool Bool(const json& obj, const std::string& path, const char* key) const {
    const json* v = Find(obj, key);
    if (v == nullptr)
      return false;
    if (!v->is_boolean())
      Fail(path + "." + key, std::string("expected boolean, got ") + v->type_name());
    return v->get<bool>();
  }

  std::string Data(const json& obj, const std::string& path, const char* key) const {
    std::string text = String(obj, path, key);
    std::string decoded;
    if (!Base64Decode(text, &decoded))
      Fail(path + "." + key, "illegal base64 data");
    return decoded;
  }

  std::vector<std::string> Strings(const json& obj, const std::string& path,
                                   const char* key) const {
    std::vector<std::string> out;
    const json* v = Find(obj, key);
    if (v == nullptr)
      return out;
    if (!v->is_array())
      Fail(path + "." + key, std::string("expected array, got ") + v->type_name());
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        Fail(path + "." + key + "[" + std::to_string(i) + "]",
             std::string("expected string, got ") + (*v)[i].type_name());
      }
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }

  const json& Object(const json& obj, const std::string& path, const char* key) const {
    static const json kEmpty = json::object();
    const json* v = Find(obj, key);
    if (v == nullptr)
      return kEmpty;
    if (!v->is_object())
      Fail(path + "." + key, std::string("expected object, got ") + v->type_name());
    return *v;
  }

  // A named list (clusters, users, contexts): each entry's name and its inner object.
  std::vector<std::pair<std::string, const json*>> NamedList(const json& root, const char* list,
                                                             const char* inner) const {
    std::vector<std::pair<std::string, const json*>> out;
    const json* v = Find(root, list);
    if (v == nullptr)
      return out;
    if (!v->is_array())
      Fail(list, std::string("expected array, got ") + v->type_name());
    std::set<std::string> seen;
    for (size_t i = 0; i < v->size(); ++i) {
      std::string path = std::string(list) + "[" + std::to_string(i) + "]";
      const json& item = (*v)[i];
      if (!item.is_object())
        Fail(path, std::string("expected object, got ") + item.type_name());
      std::string name = String(item, path, "name");
      if (!seen.insert(name).second)
        Fail(path + ".name", "duplicate name \"" + name + "\" in list " + list);
      out.emplace_back(name, &Object(item, path, inner));
    }
    return out;
  }

  const std::string& origin() const { return origin_; }

 private:
  static const json* Find(const json& obj, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null())
      return nullptr;
    return &*it;
  }

  std::string origin_;
};

std::string Resolve(const std::string& dir, const std::string& path) {
  return path.empty() ? path : ResolvePath(dir, path);
}

ClusterEntry ReadCluster(const Reader& r, const json& c, const std::string& path,
                         const std::string& dir) {
  ClusterEntry e;
  e.server = r.String(c, path, "server");
  e.tls_server_name = r.String(c, path, "tls-server-name");
  e.insecure_skip_tls_verify = r.Bool(c, path, "insecure-skip-tls-verify");
  e.certificate_authority = Resolve(dir, r.String(c, path, "certificate-authority"));
  e.certificate_authority_data = r.Data(c, path, "certificate-authority-data");
  e.proxy_url = r.String(c, path, "proxy-url");
  e.disable_compression = r.Bool(c, path, "disable-compression");
  auto ext = c.find("extensions");
  if (ext != c.end() && ext->is_array()) {
    for (const json& item : *ext) {
      if (item.is_object() && item.value("name", "") == "client.authentication.k8s.io/exec")
        e.exec_extension = item.value("extension", json());
    }
  }
  e.origin = r.origin();
  return e;
}

ExecConfig ReadExec(const Reader& r, const json& x, const std::string& path,
                    const std::string& dir) {
  ExecConfig e;
  e.command = r.String(x, path, "command");
  // Only a command with a path separator is relative to the file; a bare name is looked up
  // on PATH.
  if (e.command.find('/') != std::string::npos)
    e.command = Resolve(dir, e.command);
  e.args = r.Strings(x, path, "args");
  auto env = x.find("env");
  if (env != x.end() && !env->is_null()) {
    if (!env->is_array())
      r.Fail(path + ".env", std::string("expected array, got ") + env->type_name());
    for (size_t i = 0; i < env->size(); ++i) {
      std::string item_path = path + ".env[" + std::to_string(i) + "]";
      if (!(*env)[i].is_object())
        r.Fail(item_path, "expected object");
      e.env.emplace_back(r.String((*env)[i], item_path, "name"),
                         r.String((*env)[i], item_path, "value"));
    }
  }
  e.api_version = r.String(x, path, "apiVersion");
  e.install_hint = r.String(x, path, "installHint");
  e.provide_cluster_info = r.Bool(x, path, "provideClusterInfo");
  e.interactive_mode = r.String(x, path, "interactiveMode");
  return e;
}

UserEntry ReadUser(const Reader& r, const json& u, const std::string& path,
                   const std::string& dir) {
  UserEntry e;
  e.client_certificate = Resolve(dir, r.String(u, path, "client-certificate"));
  e.client_certificate_data = r.Data(u, path, "client-certificate-data");
  e.client_key = Resolve(dir, r.String(u, path, "client-key"));
  e.client_key_data = r.Data(u, path, "client-key-data");
  e.token = r.String(u, path, "token");
  e.token_file = Resolve(dir, r.String(u, path, "tokenFile"));
  e.username = r.String(u, path, "username");
  e.password = r.String(u, path, "password");
  e.as = r.String(u, path, "as");
  e.as_uid = r.String(u, path, "as-uid");
  e.as_groups = r.Strings(u, path, "as-groups");
  const json& extra = r.Object(u, path, "as-user-extra");
  for (auto it = extra.begin(); it != extra.end(); ++it)
    e.as_user_extra[it.key()] = r.Strings(extra, path + ".as-user-extra", it.key().c_str());
  const json& exec = r.Object(u, path, "exec");
  if (!exec.empty())
    e.exec = ReadExec(r, exec, path + ".exec", dir);
  const json& provider = r.Object(u, path, "auth-provider");
  if (!provider.empty())
    e.auth_provider = r.String(provider, path + ".auth-provider", "name");
  e.origin = r.origin();
  return e;
}

}  // namespace

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  if (slash == 0)
    return "/";
  return path.substr(0, slash);
}

std::string ResolvePath(const std::string& base_dir, const std::string& path) {
  std::string joined = !path.empty() && path[0] == '/' ? path : base_dir + "/" + path;
  bool absolute = !joined.empty() && joined[0] == '/';
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t end = joined.find('/', start);
    if (end == std::string::npos)
      end = joined.size();
    std::string part = joined.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..")
        parts.pop_back();
      else if (!absolute)
        parts.push_back(part);
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out = absolute ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i)
    out += (i ? "/" : "") + parts[i];
  return out.empty() ? "." : out;
}

Kubeconfig ParseKubeconfig(const std::string& text, const std::string& origin) {
  Kubeconfig config;
  Reader r(origin);
  SourceNode node;
  Diagnostics diags(origin);
  if (!ParseDocument(text, &node, &diags)) {
    std::string message = diags.all().empty() ? "cannot parse" : diags.all()[0].ToString();
    throw ConfigError("error loading config file \"" + origin + "\": " + message);
  }
  json root = ToJson(node);
  if (root.is_null())
    return config;  // an empty file is an empty config, as client-go has it
  if (!root.is_object())
    r.Fail("(root)", std::string("expected object, got ") + root.type_name());
  std::string dir = DirName(origin);
  for (const auto& [name, c] : r.NamedList(root, "clusters", "cluster"))
    config.clusters[name] = ReadCluster(r, *c, "clusters[" + name + "].cluster", dir);
  for (const auto& [name, u] : r.NamedList(root, "users", "user"))
    config.users[name] = ReadUser(r, *u, "users[" + name + "].user", dir);
  for (const auto& [name, c] : r.NamedList(root, "contexts", "context")) {
    std::string path = "contexts[" + name + "].context";
    config.contexts[name] = {r.String(*c, path, "cluster"), r.String(*c, path, "user"),
                             r.String(*c, path, "namespace"), origin};
  }
  config.current_context = r.String(root, "", "current-context");
  return config;
}

void MergeKubeconfig(Kubeconfig* into, Kubeconfig next) {
  into->clusters.merge(next.clusters);  // std::map::merge keeps existing keys: first file wins
  into->users.merge(next.users);
  into->contexts.merge(next.contexts);
  if (into->current_context.empty())
    into->current_context = std::move(next.current_context);
}

Kubeconfig LoadKubeconfig(const std::optional<std::string>& explicit_path, const Env& env,
                          std::vector<std::string>* warnings) {
  auto load = [&env](const std::string& path) {
    std::string text, error;
    if (!env.ReadFile(path, &text, &error))
      throw ConfigError("error loading config file \"" + path + "\": " + error);
    return ParseKubeconfig(text, path);
  };
  if (explicit_path && !explicit_path->empty()) {
    if (!env.IsFile(*explicit_path))
      throw ConfigError("stat " + *explicit_path + ": no such file or directory");
    return load(*explicit_path);
  }
  std::vector<std::string> paths;
  std::optional<std::string> list = env.Getenv("KUBECONFIG");
  if (list && !list->empty()) {
    size_t start = 0;
    while (start <= list->size()) {
      size_t end = list->find(':', start);
      if (end == std::string::npos)
        end = list->size();
      std::string path = list->substr(start, end - start);
      bool seen = false;
      for (const std::string& p : paths)
        seen = seen || p == path;
      if (!path.empty() && !seen)
        paths.push_back(path);
      start = end + 1;
    }
  } else {
    std::optional<std::string> home = env.Getenv("HOME");
    if (home && !home->empty())
      paths.push_back(*home + "/.kube/config");
  }
  Kubeconfig config;
  std::vector<std::string> missing;
  for (const std::string& path : paths) {
    if (!env.IsFile(path)) {
      missing.push_back(path);
      continue;
    }
    MergeKubeconfig(&config, load(path));
  }
  // client-go warns only when a KUBECONFIG list was given and nothing in it exists.
  if (list && !list->empty() && !paths.empty() && missing.size() == paths.size()) {
    std::string message = "Config not found: ";
    for (size_t i = 0; i < missing.size(); ++i)
      message += (i ? ", " : "") + missing[i];
    warnings->push_back(message);
  }
  return config;
}

}  // namespace starform::kube
