#pragma once

// What the benchmarks that run kubectl-starform against a dev cluster share: flags, medians, the
// spawner that runs and times the commands, request counts from the cluster's request log, and
// the desired state with what a real cluster holds before starform runs. Header-only: every
// bench/*.cpp is its own executable (CMakeLists.txt), so a shared .cpp would link into none.

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "devcluster/server.h"
#include "plan/desired_state.h"
#include "plan/render.h"

namespace starform::bench {

using nlohmann::json;
using Seconds = std::chrono::duration<double>;
namespace fs = std::filesystem;
using starform::devcluster::DevCluster;
using starform::devcluster::RequestRecord;

inline std::string Flag(int argc, char** argv, const std::string& name,
                        const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name)
      return argv[i + 1];
  }
  return fallback;
}

inline int IntFlag(int argc, char** argv, const std::string& name, int fallback) {
  std::string value = Flag(argc, argv, name, "");
  return value.empty() ? fallback : std::atoi(value.c_str());
}

inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

inline double Min(const std::vector<double>& v) {
  return *std::min_element(v.begin(), v.end());
}

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

inline std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

// --starform PATH, by default the kubectl-starform built beside the benchmark.
inline std::string StarformFlag(int argc, char** argv) {
  return Flag(argc, argv, "--starform",
              (fs::read_symlink("/proc/self/exe").parent_path() / "kubectl-starform").string());
}

// Runs |body|, which returns the exit code, with a new temporary folder, removed afterwards. An
// exception is printed after |program|'s name and exits |error_code|.
template <typename Body>
int RunInTempDir(const std::string& program, int error_code, Body body) {
  std::string prefix = program;
  std::replace(prefix.begin(), prefix.end(), '_', '-');
  std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  std::string dir = mkdtemp(pattern.data());
  int code = error_code;
  try {
    code = body(dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), e.what());
  }
  fs::remove_all(dir);
  return code;
}

inline bool HaveProgram(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

// ---------------------------------------------------------------------------------------------
// A child process, timed, with its peak RSS.
//
// ru_maxrss counts the memory a child had between fork and exec: a child forked from this
// process, which holds the dev cluster (hundreds of MiB), would report that instead of its own
// peak. So the children are forked by a small spawner forked at start, before the cluster
// exists, which runs one command at a time on request and reports back.

struct RunResult {
  std::chrono::steady_clock::time_point started;  ///< when it was asked for, just before fork
  double seconds = 0;
  int exit_code = -1;
  double max_rss_bytes = 0;
  double cpu_seconds = 0;
  std::string out;
  std::string err;
};

struct Spawned {
  int64_t nanoseconds;
  int32_t exit_code;
  int64_t max_rss_kib;
  int64_t cpu_microseconds;  ///< user + system
};

inline int g_to_spawner = -1;
inline int g_from_spawner = -1;

inline bool ReadAll(int fd, void* data, size_t size) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    ssize_t n = read(fd, p, size);
    if (n <= 0)
      return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

inline bool WriteAll(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n <= 0)
      return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// A request is its size and then NUL-terminated strings: stdout path, stderr path, argv...
[[noreturn]] inline void SpawnerLoop(int in, int out) {
  for (;;) {
    uint64_t size = 0;
    if (!ReadAll(in, &size, sizeof size))
      _exit(0);
    std::string request(size, '\0');
    if (!ReadAll(in, request.data(), size))
      _exit(0);
    std::vector<std::string> parts;
    for (size_t start = 0; start < request.size();) {
      size_t end = request.find('\0', start);
      parts.push_back(request.substr(start, end - start));
      start = end + 1;
    }
    std::vector<char*> argv;
    for (size_t i = 2; i < parts.size(); ++i)
      argv.push_back(parts[i].data());
    argv.push_back(nullptr);
    auto start = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
      int child_out = open(parts[0].c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int child_err = open(parts[1].c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int child_in = open("/dev/null", O_RDONLY);
      if (child_out < 0 || child_err < 0 || child_in < 0)
        _exit(126);
      dup2(child_in, 0);
      dup2(child_out, 1);
      dup2(child_err, 2);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    Spawned spawned{0, -1, 0, 0};
    int status = 0;
    rusage usage{};
    if (pid > 0 && wait4(pid, &status, 0, &usage) == pid) {
      spawned.nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count();
      spawned.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      spawned.max_rss_kib = usage.ru_maxrss;  // KiB on Linux
      spawned.cpu_microseconds = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000 +
                                 usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
    }
    if (!WriteAll(out, &spawned, sizeof spawned))
      _exit(0);
  }
}

// Forks the spawner; call first thing in main, while this process is small and has no threads.
inline void StartSpawner() {
  int requests[2], replies[2];
  if (pipe(requests) != 0 || pipe(replies) != 0)
    throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(requests[1]);
    close(replies[0]);
    SpawnerLoop(requests[0], replies[1]);
  }
  close(requests[0]);
  close(replies[1]);
  g_to_spawner = requests[1];
  g_from_spawner = replies[0];
}

inline RunResult Run(const std::vector<std::string>& args, const std::string& dir) {
  std::string out_path = dir + "/child.out", err_path = dir + "/child.err";
  std::string request;
  for (const std::string& part : {out_path, err_path}) {
    request += part;
    request += '\0';
  }
  for (const std::string& arg : args) {
    request += arg;
    request += '\0';
  }
  uint64_t size = request.size();
  Spawned spawned{};
  auto started = std::chrono::steady_clock::now();
  if (!WriteAll(g_to_spawner, &size, sizeof size) ||
      !WriteAll(g_to_spawner, request.data(), request.size()) ||
      !ReadAll(g_from_spawner, &spawned, sizeof spawned))
    throw std::runtime_error("the spawner is gone");
  RunResult result;
  result.started = started;
  result.seconds = static_cast<double>(spawned.nanoseconds) / 1e9;
  result.exit_code = spawned.exit_code;
  result.max_rss_bytes = static_cast<double>(spawned.max_rss_kib) * 1024;
  result.cpu_seconds = static_cast<double>(spawned.cpu_microseconds) / 1e6;
  result.out = Slurp(out_path);
  result.err = Slurp(err_path);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Requests, from the cluster's request log.

struct RequestCounts {
  size_t total = 0;
  size_t discovery = 0;       ///< /api, /apis, /apis/G/V, /openapi, /version
  size_t first_pages = 0;     ///< reads on resources that are not continuation pages
  size_t next_pages = 0;      ///< LIST continuation pages
  size_t dry_runs = 0;        ///< PATCH ...?dryRun=All
  size_t writes = 0;          ///< writes that are not dry runs
  double server_seconds = 0;  ///< the sum of the requests' durations in the server
};

inline size_t Segments(const std::string& path) {
  size_t count = 0;
  for (size_t i = 0; i < path.size(); ++i)
    if (path[i] == '/' && i + 1 < path.size() && path[i + 1] != '/')
      ++count;
  return count;
}

inline bool IsResourcePath(const std::string& path) {
  if (path.rfind("/api/", 0) == 0)
    return Segments(path) >= 3;  // /api/v1/namespaces...
  if (path.rfind("/apis/", 0) == 0)
    return Segments(path) >= 4;  // /apis/G/V/resource...
  return false;
}

enum class RequestClass { kDiscovery, kFirstPage, kNextPage, kDryRun, kWrite };

inline RequestClass Classify(const RequestRecord& record) {
  if (!IsResourcePath(record.path))
    return RequestClass::kDiscovery;
  if (record.query.find("dryRun=") != std::string::npos)
    return RequestClass::kDryRun;
  if (record.method != "GET")
    return RequestClass::kWrite;
  if (record.query.find("continue=") != std::string::npos)
    return RequestClass::kNextPage;
  return RequestClass::kFirstPage;
}

inline RequestCounts Count(const std::vector<RequestRecord>& log) {
  RequestCounts counts;
  for (const RequestRecord& record : log) {
    ++counts.total;
    counts.server_seconds += std::chrono::duration<double>(record.duration).count();
    switch (Classify(record)) {
      case RequestClass::kDiscovery:
        ++counts.discovery;
        break;
      case RequestClass::kFirstPage:
        ++counts.first_pages;
        break;
      case RequestClass::kNextPage:
        ++counts.next_pages;
        break;
      case RequestClass::kDryRun:
        ++counts.dry_runs;
        break;
      case RequestClass::kWrite:
        ++counts.writes;
        break;
    }
  }
  return counts;
}

inline std::string Describe(const RequestCounts& c) {
  return std::to_string(c.total) + " (" + std::to_string(c.discovery) + " discovery, " +
         std::to_string(c.first_pages) + " reads + " + std::to_string(c.next_pages) +
         " next pages, " + std::to_string(c.dry_runs) + " dry runs" +
         (c.writes ? ", " + std::to_string(c.writes) + " writes" : "") + ")";
}

// ---------------------------------------------------------------------------------------------
// The cluster as a real one holds it before and after `kubectl starform apply`.

struct Desired {
  std::string state_path;
  starform::DesiredState state;
  std::vector<json> rendered;
};

inline Desired LoadState(const std::string& state_path) {
  Desired desired;
  desired.state_path = state_path;
  std::string text = Slurp(state_path);
  starform::Diagnostics diags(state_path);
  if (!starform::LoadDesiredState(text, state_path, &desired.state, &diags))
    throw std::runtime_error("invalid desired state " + state_path + ":\n" + diags.ToString());
  desired.rendered = starform::Render(desired.state);
  return desired;
}

inline std::string GenerateState(int apps, const std::string& dir) {
  fs::path script = fs::path(__FILE__).parent_path() / "gen_state.py";
  std::string path = dir + "/state-" + std::to_string(apps) + ".json";
  std::string command = "python3 " + Quote(script.string()) + " --apps " + std::to_string(apps) +
                        " --format json > " + Quote(path);
  if (std::system(command.c_str()) != 0)
    throw std::runtime_error("failed: " + command);
  return path;
}

inline json Namespace(const std::string& name, const std::string& tenant_label) {
  json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
  if (!tenant_label.empty())
    ns["metadata"]["labels"] = {{tenant_label, "true"}};
  return ns;
}

// Every Service a backendRefs list names (Service is the default kind), with its ports.
inline void CollectServices(const json& value, const std::string& ns,
                            std::map<std::pair<std::string, std::string>, std::set<int64_t>>* out) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (key == "backendRefs" && item.is_array()) {
        for (const json& ref : item) {
          std::string kind = ref.value("kind", "Service");
          if (kind != "Service" || !ref.contains("name") || !ref.contains("port"))
            continue;
          (*out)[{ref.value("namespace", ns), ref["name"].get<std::string>()}].insert(
              ref["port"].get<int64_t>());
        }
      } else {
        CollectServices(item, ns, out);
      }
    }
  } else if (value.is_array()) {
    for (const json& item : value)
      CollectServices(item, ns, out);
  }
}

// What the rendered objects assume exists, as a cluster holds it before starform's first apply:
// namespaces (tenants labelled), the GatewayClass, the listeners' TLS Secrets, the backend and
// ext_authz Services. Seeded in-process, as the cluster already holds them.
inline std::vector<json> AssumedObjects(const Desired& desired) {
  const starform::Gateway& gateway = desired.state.gateway;
  std::string tenant_label = gateway.tenant_label.value;
  std::vector<json> objects;
  std::set<std::string> namespaces;
  for (const std::string& ns : {std::string("envoy-gateway-system"), gateway.namespace_.value}) {
    if (namespaces.insert(ns).second)
      objects.push_back(Namespace(ns, ""));
  }
  for (const auto& shared : gateway.shared_service_namespaces) {
    if (namespaces.insert(shared.value).second)
      objects.push_back(Namespace(shared.value, ""));
  }
  for (const starform::App& app : desired.state.apps) {
    if (namespaces.insert(app.namespace_.value).second)
      objects.push_back(Namespace(app.namespace_.value, tenant_label));
  }
  objects.push_back(
      {{"apiVersion", "gateway.networking.k8s.io/v1"},
       {"kind", "GatewayClass"},
       {"metadata", {{"name", gateway.class_name.value}}},
       {"spec", {{"controllerName", "gateway.envoyproxy.io/gatewayclass-controller"}}}});
  std::set<std::string> secrets;
  for (const starform::Listener& listener : gateway.listeners)
    for (const auto& ref : listener.certificate_refs)
      secrets.insert(ref.value);
  for (const std::string& name : secrets) {
    objects.push_back({{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"metadata", {{"name", name}, {"namespace", gateway.namespace_.value}}},
                       {"type", "kubernetes.io/tls"},
                       {"data", {{"tls.crt", ""}, {"tls.key", ""}}}});
  }
  std::map<std::pair<std::string, std::string>, std::set<int64_t>> services;
  for (const json& object : desired.rendered)
    CollectServices(object["spec"], object["metadata"]["namespace"].get<std::string>(), &services);
  for (const auto& [key, ports] : services) {
    json service_ports = json::array();
    for (int64_t port : ports) {
      service_ports.push_back({{"name", "port-" + std::to_string(port)},
                               {"port", port},
                               {"targetPort", port},
                               {"protocol", "TCP"}});
    }
    objects.push_back({{"apiVersion", "v1"},
                       {"kind", "Service"},
                       {"metadata", {{"name", key.second}, {"namespace", key.first}}},
                       {"spec", {{"selector", {{"app", key.second}}}, {"ports", service_ports}}}});
  }
  return objects;
}

// What an apply leaves besides the rendered objects: the namespace starform-system and the
// ApplySet parent in it, recording the cluster.
inline std::vector<json> ApplyBookkeeping(const Desired& desired) {
  std::vector<json> objects = {Namespace(starform::kApplySetParentNamespace, "")};
  objects.push_back({{"apiVersion", "v1"},
                     {"kind", "ConfigMap"},
                     {"metadata",
                      {{"name", starform::kApplySetParentName},
                       {"namespace", starform::kApplySetParentNamespace},
                       {"labels", {{"applyset.kubernetes.io/id", starform::ApplySetId()}}},
                       {"annotations",
                        {{"starform.dev/cluster", desired.state.cluster.value},
                         {"applyset.kubernetes.io/tooling", "starform/v0"}}}}}});
  return objects;
}

inline std::string PathOf(const json& object) {
  std::string kind = object["kind"];
  for (const starform::RenderedKind& rendered : starform::RenderedKinds()) {
    if (kind == rendered.kind) {
      return "/apis/" + object["apiVersion"].get<std::string>() + "/namespaces/" +
             object["metadata"]["namespace"].get<std::string>() + "/" + rendered.resource + "/" +
             object["metadata"]["name"].get<std::string>();
    }
  }
  throw std::runtime_error("not a rendered kind: " + kind);
}

// |port| 0 is any free port; a fixed one keeps kubectl's discovery cache (keyed by host and
// port) valid across clusters started one after another.
inline std::unique_ptr<DevCluster> StartCluster(const std::string& dir, const std::string& faults,
                                                int port = 0) {
  DevCluster::Options options;
  options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
  options.kubeconfig_out = dir + "/kubeconfig";
  options.controllers = false;  // a quiet cluster: only the measured commands run
  options.keep_alive_seconds = 1;
  options.port = port;
  options.faults = faults;
  auto cluster = std::make_unique<DevCluster>(options);
  cluster->Start();
  return cluster;
}

inline std::string Sec(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f s", seconds);
  return buffer;
}

inline std::string MiB(double bytes) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f MiB", bytes / (1024 * 1024));
  return buffer;
}

}  // namespace starform::bench
