#include "kube/exec_plugin.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include "kube/credentials.h"

extern char** environ;

namespace starform::kube {

using nlohmann::json;

namespace {

const char* kInstallHelp =
    "\n\nIt looks like you are trying to use a client-go credential plugin that is not "
    "installed.\n\nTo learn more about this feature, consult the documentation available "
    "at:\n      "
    "https://kubernetes.io/docs/reference/access-authn-authz/authentication/"
    "#client-go-credential-plugins";

// The hint is shown to a person: drop terminal escape sequences a config could smuggle in.
std::string StripEscapes(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b') {
      ++i;
      if (i < text.size() && text[i] == '[') {
        while (i + 1 < text.size() && !(text[i + 1] >= '@' && text[i + 1] <= '~'))
          ++i;
        ++i;
      }
      continue;
    }
    out += text[i];
  }
  return out;
}

struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() {
    if (pipe2(fds, O_CLOEXEC) != 0)
      throw CredentialError(std::string("exec: cannot create a pipe: ") + std::strerror(errno));
  }
  ~Pipe() {
    for (int fd : fds)
      if (fd >= 0)
        close(fd);
  }
  void Close(int i) {
    close(fds[i]);
    fds[i] = -1;
  }
};

struct Output {
  int exit_code = 0;
  std::string stdout_text;
};

Output Spawn(const ExecConfig& exec, const std::string& info, bool interactive) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e)
    env_strings.emplace_back(*e);
  // Appended after the inherited environment: the configured values win, as with Go's os/exec.
  for (const auto& [name, value] : exec.env) {
    std::string prefix = name + "=";
    std::erase_if(env_strings, [&](const std::string& s) { return s.rfind(prefix, 0) == 0; });
    env_strings.push_back(prefix + value);
  }
  std::erase_if(env_strings,
                [](const std::string& s) { return s.rfind("KUBERNETES_EXEC_INFO=", 0) == 0; });
  env_strings.push_back("KUBERNETES_EXEC_INFO=" + info);
  std::vector<char*> envp;
  for (std::string& s : env_strings)
    envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = {exec.command};
  args.insert(args.end(), exec.args.begin(), exec.args.end());
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  Pipe out;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!interactive)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.fds[1], 1);
  pid_t pid;
  // PATH lookup only for a bare name, as Go's exec.Command does.
  bool bare = exec.command.find('/') == std::string::npos;
  int rc =
      bare ? posix_spawnp(&pid, exec.command.c_str(), &actions, nullptr, argv.data(), envp.data())
           : posix_spawn(&pid, exec.command.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc == ENOENT || rc == EACCES) {
    std::string message = "exec: executable " + exec.command + " not found" + kInstallHelp;
    if (!exec.install_hint.empty())
      message += "\n\n" + StripEscapes(exec.install_hint);
    throw CredentialError(message);
  }
  if (rc != 0)
    throw CredentialError("exec: cannot run " + exec.command + ": " + std::strerror(rc));
  out.Close(1);
  Output result;
  char buffer[4096];
  ssize_t n;
  while ((n = read(out.fds[0], buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0)
      result.stdout_text.append(buffer, static_cast<size_t>(n));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace

bool ExecInteractive(const ExecConfig& exec, bool stdin_is_terminal) {
  if (exec.interactive_mode == "Never")
    return false;
  if (exec.interactive_mode == "Always" && !stdin_is_terminal) {
    throw CredentialError(
        "exec plugin cannot support interactive mode: standard input is not a terminal");
  }
  return stdin_is_terminal;
}

std::string ExecInfo(const ExecConfig& exec, const json& cluster, bool interactive) {
  json spec = {{"interactive", interactive}};
  if (exec.provide_cluster_info && !cluster.is_null())
    spec["cluster"] = cluster;
  return json{{"kind", "ExecCredential"}, {"apiVersion", exec.api_version}, {"spec", spec}}.dump();
}

ExecCredential ParseExecCredential(const std::string& output, const std::string& api_version) {
  json doc = json::parse(output, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw CredentialError("decoding stdout: the exec plugin did not print an ExecCredential");
  std::string got = doc.value("apiVersion", "");
  if (got != api_version) {
    throw CredentialError("exec plugin is configured to use API version " + api_version +
                          ", plugin returned version " + got);
  }
  if (doc.value("kind", "") != "ExecCredential")
    throw CredentialError("decoding stdout: the exec plugin did not print an ExecCredential");
  auto status = doc.find("status");
  if (status == doc.end() || !status->is_object())
    throw CredentialError("exec plugin didn't return a status field");
  ExecCredential c;
  auto str = [&status](const char* key) {
    auto it = status->find(key);
    return it != status->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  c.token = str("token");
  c.client_certificate_data = str("clientCertificateData");
  c.client_key_data = str("clientKeyData");
  if (c.client_certificate_data.empty() != c.client_key_data.empty())
    throw CredentialError("exec plugin returned only certificate or key, not both");
  if (c.token.empty() && c.client_certificate_data.empty())
    throw CredentialError("exec plugin didn't return a token or cert/key pair");
  std::string expiry = str("expirationTimestamp");
  if (!expiry.empty()) {
    c.expiration = ParseRfc3339(expiry);
    if (!c.expiration) {
      throw CredentialError("exec plugin returned an invalid expirationTimestamp \"" + expiry +
                            "\"");
    }
  }
  return c;
}

ExecCredential RunExecPlugin(const ExecConfig& exec, const json& cluster, bool stdin_is_terminal) {
  bool interactive = ExecInteractive(exec, stdin_is_terminal);
  Output out = Spawn(exec, ExecInfo(exec, cluster, interactive), interactive);
  if (out.exit_code != 0) {
    throw CredentialError("exec: executable " + exec.command + " failed with exit code " +
                          std::to_string(out.exit_code));
  }
  return ParseExecCredential(out.stdout_text, exec.api_version);
}

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr)
    return std::nullopt;
  double fraction = 0;
  if (*rest == '.') {
    double scale = 0.1;
    ++rest;
    if (*rest < '0' || *rest > '9')
      return std::nullopt;
    while (*rest >= '0' && *rest <= '9') {
      fraction += (*rest - '0') * scale;
      scale /= 10;
      ++rest;
    }
  }
  long offset = 0;
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    int sign = *rest == '-' ? -1 : 1;
    int hh, mm;
    if (std::sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2 || std::strlen(rest) != 6)
      return std::nullopt;
    offset = sign * (hh * 3600L + mm * 60L);
    rest += 6;
  } else {
    return std::nullopt;
  }
  if (*rest != '\0')
    return std::nullopt;
  time_t seconds = timegm(&tm) - offset;
  return std::chrono::system_clock::from_time_t(seconds) +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(
             std::chrono::duration<double>(fraction));
}

}  // namespace starform::kube
