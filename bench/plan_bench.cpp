// `kubectl starform plan` against the dev cluster, with the budgets of the plan issue. See
// README.md (plan_bench).
//
//   plan_bench [--runs N] [--apps N] [--scenario all|nochange|latency] [--state FILE]
//              [--latency-apps N] [--starform PATH]
//
// nochange: a desired state of --apps apps (bench/gen_state.py --format json, or --state FILE),
//   a dev cluster (CRDs, controllers off) holding what the state assumes (tenant namespaces with
//   the tenant label, the Services, the TLS Secret, the GatewayClass, the ApplySet parent) and
//   every rendered object applied as `apply` applies it (server-side apply, field manager
//   starform, forced). Times `kubectl-starform plan -f STATE -o json` (server dry run on, the
//   default), checks it plans 0 add/change/destroy, and compares it with `kubectl get
//   httproutes,securitypolicies -A -o json`. Budgets: median <= 2 s, <= 1.5x kubectl, peak RSS
//   <= 300 MB, requests O(kinds) + O(changed objects).
// latency: the same for --latency-apps apps on a cluster that adds 30 ms to every request on a
//   resource (--faults '*:*:latency=30ms'), against `kubectl diff --server-side -f` of the same
//   rendered objects. Budget: ours at least 10x faster.

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "devcluster/server.h"
#include "devcluster/test_client.h"
#include "plan/desired_state.h"
#include "plan/render.h"

namespace {

using nlohmann::json;
using Seconds = std::chrono::duration<double>;
namespace fs = std::filesystem;
using starform::devcluster::DevCluster;
using starform::devcluster::RequestRecord;
using starform::devcluster::testing::HttpResult;
using starform::devcluster::testing::TestClient;

constexpr double kMaxSeconds = 2.0;
constexpr double kMaxRatioToKubectlGet = 1.5;
constexpr double kMaxRssBytes = 300e6;  // 300 MB
constexpr double kMinSpeedupOverDiff = 10.0;
// Reads that are not continuation pages: discovery aside, one per kind, namespaces, Services,
// the GatewayClass, its EnvoyProxy, the ApplySet parent, one per listener Secret. A constant,
// whatever the number of apps; the bound leaves room for a few more kinds.
constexpr size_t kMaxFirstPageReads = 16;

std::string Flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name)
      return argv[i + 1];
  }
  return fallback;
}

int IntFlag(int argc, char** argv, const std::string& name, int fallback) {
  std::string value = Flag(argc, argv, name, "");
  return value.empty() ? fallback : std::atoi(value.c_str());
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double Min(const std::vector<double>& v) {
  return *std::min_element(v.begin(), v.end());
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

bool HaveProgram(const std::string& name) {
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

int g_to_spawner = -1;
int g_from_spawner = -1;

bool ReadAll(int fd, void* data, size_t size) {
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

bool WriteAll(int fd, const void* data, size_t size) {
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
[[noreturn]] void SpawnerLoop(int in, int out) {
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
void StartSpawner() {
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

RunResult Run(const std::vector<std::string>& args, const std::string& dir) {
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
  if (!WriteAll(g_to_spawner, &size, sizeof size) ||
      !WriteAll(g_to_spawner, request.data(), request.size()) ||
      !ReadAll(g_from_spawner, &spawned, sizeof spawned))
    throw std::runtime_error("the spawner is gone");
  RunResult result;
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
  size_t other = 0;           ///< other writes (none expected)
  double server_seconds = 0;  ///< the sum of the requests' durations in the server
};

size_t Segments(const std::string& path) {
  size_t count = 0;
  for (size_t i = 0; i < path.size(); ++i)
    if (path[i] == '/' && i + 1 < path.size() && path[i + 1] != '/')
      ++count;
  return count;
}

bool IsResourcePath(const std::string& path) {
  if (path.rfind("/api/", 0) == 0)
    return Segments(path) >= 3;  // /api/v1/namespaces...
  if (path.rfind("/apis/", 0) == 0)
    return Segments(path) >= 4;  // /apis/G/V/resource...
  return false;
}

RequestCounts Count(const std::vector<RequestRecord>& log) {
  RequestCounts counts;
  for (const RequestRecord& record : log) {
    ++counts.total;
    counts.server_seconds += std::chrono::duration<double>(record.duration).count();
    bool dry_run = record.query.find("dryRun=") != std::string::npos;
    if (!IsResourcePath(record.path))
      ++counts.discovery;
    else if (dry_run)
      ++counts.dry_runs;
    else if (record.method != "GET")
      ++counts.other;
    else if (record.query.find("continue=") != std::string::npos)
      ++counts.next_pages;
    else
      ++counts.first_pages;
  }
  return counts;
}

std::string Describe(const RequestCounts& c) {
  return std::to_string(c.total) + " (" + std::to_string(c.discovery) + " discovery, " +
         std::to_string(c.first_pages) + " reads + " + std::to_string(c.next_pages) +
         " next pages, " + std::to_string(c.dry_runs) + " dry runs" +
         (c.other ? ", " + std::to_string(c.other) + " other" : "") + ")";
}

// ---------------------------------------------------------------------------------------------
// The cluster as a real one holds it before and after `kubectl starform apply`.

struct Desired {
  std::string state_path;
  starform::DesiredState state;
  std::vector<json> rendered;
};

Desired LoadState(const std::string& state_path) {
  Desired desired;
  desired.state_path = state_path;
  std::string text = Slurp(state_path);
  starform::Diagnostics diags(state_path);
  if (!starform::LoadDesiredState(text, state_path, &desired.state, &diags))
    throw std::runtime_error("invalid desired state " + state_path + ":\n" + diags.ToString());
  desired.rendered = starform::Render(desired.state);
  return desired;
}

std::string GenerateState(int apps, const std::string& dir) {
  fs::path script = fs::path(__FILE__).parent_path() / "gen_state.py";
  std::string path = dir + "/state-" + std::to_string(apps) + ".json";
  std::string command = "python3 " + Quote(script.string()) + " --apps " + std::to_string(apps) +
                        " --format json > " + Quote(path);
  if (std::system(command.c_str()) != 0)
    throw std::runtime_error("failed: " + command);
  return path;
}

json Namespace(const std::string& name, const std::string& tenant_label) {
  json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
  if (!tenant_label.empty())
    ns["metadata"]["labels"] = {{tenant_label, "true"}};
  return ns;
}

// Every Service a backendRefs list names (Service is the default kind), with its ports.
void CollectServices(const json& value, const std::string& ns,
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

// What the rendered objects assume exists: namespaces (tenants labelled), the GatewayClass, the
// listeners' TLS Secrets, the backend and ext_authz Services; and the ApplySet parent that
// apply keeps. Seeded in-process, as the cluster already holds them.
std::vector<json> AssumedObjects(const Desired& desired) {
  const starform::Gateway& gateway = desired.state.gateway;
  std::string tenant_label = gateway.tenant_label.value;
  std::vector<json> objects;
  std::set<std::string> namespaces;
  for (const std::string& ns :
       {std::string("envoy-gateway-system"), std::string(starform::kApplySetParentNamespace),
        gateway.namespace_.value}) {
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

std::string PathOf(const json& object) {
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

// Applies every rendered object as apply does: server-side apply as field manager starform,
// forced, the body the rendered JSON; |threads| clients, each on its own connection.
void ApplyAsStarform(DevCluster& cluster, const std::vector<json>& objects, int threads) {
  std::atomic<size_t> next{0};
  std::string error;
  std::mutex error_mu;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      TestClient client(cluster.server_url(), cluster.ca_pem(), cluster.token());
      for (size_t i = next++; i < objects.size(); i = next++) {
        HttpResult r = client.Patch(PathOf(objects[i]) + "?fieldManager=starform&force=true",
                                    objects[i].dump(), "application/apply-patch+yaml");
        if (r.code / 100 != 2) {
          std::lock_guard lock(error_mu);
          error = "apply of " + PathOf(objects[i]) + ": " + std::to_string(r.code) + " " + r.body;
          next = objects.size();
          return;
        }
      }
    });
  }
  for (std::thread& worker : workers)
    worker.join();
  if (!error.empty())
    throw std::runtime_error(error);
}

std::unique_ptr<DevCluster> StartCluster(const std::string& dir, const std::string& faults) {
  DevCluster::Options options;
  options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
  options.kubeconfig_out = dir + "/kubeconfig";
  options.controllers = false;  // a quiet cluster: only the plan and kubectl run
  options.keep_alive_seconds = 1;
  options.faults = faults;
  auto cluster = std::make_unique<DevCluster>(options);
  cluster->Start();
  return cluster;
}

void Prepare(DevCluster& cluster, const Desired& desired, int threads) {
  auto start = std::chrono::steady_clock::now();
  std::vector<json> assumed = AssumedObjects(desired);
  cluster.Seed(assumed);
  double seeded = Seconds(std::chrono::steady_clock::now() - start).count();
  start = std::chrono::steady_clock::now();
  ApplyAsStarform(cluster, desired.rendered, threads);
  double applied = Seconds(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr,
               "seeded %zu objects the state assumes in %.1f s; applied %zu rendered objects "
               "(server-side apply, %d connections) in %.1f s (%.0f/s)\n",
               assumed.size(), seeded, desired.rendered.size(), threads, applied,
               desired.rendered.size() / applied);
}

// ---------------------------------------------------------------------------------------------
// The measured commands.

struct Measured {
  std::vector<double> seconds;
  std::vector<double> cpu_seconds;
  double max_rss_bytes = 0;
  RequestCounts requests;
  std::string last_out;
};

// Runs |args| once to warm up, then |runs| times; each run must exit with one of |ok_codes|,
// and |check| its output. Requests are those of the last run.
template <typename Check>
Measured Measure(DevCluster& cluster, const std::vector<std::string>& args, int runs,
                 const std::set<int>& ok_codes, const std::string& dir, Check check) {
  Measured measured;
  for (int i = 0; i <= runs; ++i) {
    cluster.ClearRequestLog();
    RunResult r = Run(args, dir);
    if (!ok_codes.count(r.exit_code)) {
      std::string command;
      for (const std::string& arg : args)
        command += " " + arg;
      throw std::runtime_error("exit " + std::to_string(r.exit_code) + " from" + command + "\n" +
                               r.err + r.out.substr(0, 4000));
    }
    check(r);
    // The server logs a request once it has answered; let the last records land.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    if (i == 0)
      continue;  // the warm-up
    measured.seconds.push_back(r.seconds);
    measured.cpu_seconds.push_back(r.cpu_seconds);
    measured.max_rss_bytes = std::max(measured.max_rss_bytes, r.max_rss_bytes);
    measured.requests = Count(cluster.RequestLog());
    measured.last_out = std::move(r.out);
  }
  return measured;
}

std::vector<std::string> PlanCommand(const std::string& starform, const Desired& desired,
                                     const DevCluster& cluster) {
  return {starform, "plan", "-f", desired.state_path, "--kubeconfig", cluster.kubeconfig_path(),
          "-o",     "json"};
}

// A plan must succeed and plan nothing: the cluster holds exactly what the state renders.
Measured MeasurePlan(DevCluster& cluster, const std::string& starform, const Desired& desired,
                     int runs, const std::string& dir, size_t* warnings) {
  return Measure(
      cluster, PlanCommand(starform, desired, cluster), runs, {0}, dir,
      [&desired, warnings](const RunResult& r) {
        json plan = json::parse(r.out, nullptr, false);
        if (plan.is_discarded() || !plan.contains("summary"))
          throw std::runtime_error("plan printed no JSON plan:\n" + r.err);
        const json& s = plan["summary"];
        if (s["add"] != 0 || s["change"] != 0 || s["destroy"] != 0) {
          throw std::runtime_error("plan is not empty after applying the state: " + s.dump() +
                                   "\n" + r.out.substr(0, 4000));
        }
        if (s["unchanged"] != desired.rendered.size()) {
          throw std::runtime_error("plan compared " + s["unchanged"].dump() +
                                   " objects, expected " + std::to_string(desired.rendered.size()));
        }
        *warnings = plan["warnings"].size();
      });
}

std::string Sec(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f s", seconds);
  return buffer;
}

std::string MiB(double bytes) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f MiB", bytes / (1024 * 1024));
  return buffer;
}

const char* Verdict(bool met) {
  return met ? "met" : "**MISSED**";
}

// ---------------------------------------------------------------------------------------------

bool NoChange(const std::string& starform, int apps, const std::string& state_flag, int runs,
              const std::string& dir) {
  std::string state_path = state_flag.empty() ? GenerateState(apps, dir) : state_flag;
  Desired desired = LoadState(state_path);
  std::fprintf(stderr, "nochange: %zu apps render to %zu objects\n", desired.state.apps.size(),
               desired.rendered.size());
  auto cluster = StartCluster(dir, "");
  Prepare(*cluster, desired, 4);

  size_t warnings = 0;
  Measured ours = MeasurePlan(*cluster, starform, desired, runs, dir, &warnings);
  bool kubectl = HaveProgram("kubectl");
  Measured theirs;
  if (kubectl) {
    theirs = Measure(*cluster,
                     {"kubectl", "get", "httproutes,securitypolicies", "-A", "-o", "json",
                      "--kubeconfig", cluster->kubeconfig_path(), "--cache-dir", dir + "/cache"},
                     runs, {0}, dir, [](const RunResult&) {});
  }
  cluster->Stop();

  double median = Median(ours.seconds);
  bool time_met = median <= kMaxSeconds;
  bool rss_met = ours.max_rss_bytes <= kMaxRssBytes;
  bool requests_met = ours.requests.dry_runs == 0 && ours.requests.other == 0 &&
                      ours.requests.first_pages <= kMaxFirstPageReads;
  std::printf("\n### plan, no changes: %zu apps, %zu objects, %d runs\n\n",
              desired.state.apps.size(), desired.rendered.size(), runs);
  std::printf(
      "| measurement | ours (`plan -o json`) | kubectl get httproutes,securitypolicies "
      "| budget | |\n");
  std::printf("| --- | --- | --- | --- | --- |\n");
  std::printf("| median wall time | %.3f s | %s | <= %.1f s | %s |\n", median,
              kubectl ? Sec(Median(theirs.seconds)).c_str() : "not installed", kMaxSeconds,
              Verdict(time_met));
  std::printf("| min wall time | %.3f s | %s | | |\n", Min(ours.seconds),
              kubectl ? Sec(Min(theirs.seconds)).c_str() : "-");
  bool all = time_met && rss_met && requests_met;
  if (kubectl) {
    double ratio = median / Median(theirs.seconds);
    bool ratio_met = ratio <= kMaxRatioToKubectlGet;
    all = all && ratio_met;
    std::printf("| ratio of medians | %.2fx | 1x | <= %.1fx | %s |\n", ratio, kMaxRatioToKubectlGet,
                Verdict(ratio_met));
  }
  std::printf("| peak RSS | %s | %s | <= 300 MB (286 MiB) | %s |\n",
              MiB(ours.max_rss_bytes).c_str(), kubectl ? MiB(theirs.max_rss_bytes).c_str() : "-",
              Verdict(rss_met));
  std::printf("| requests | %s | %s | O(kinds) + O(changed): 0 dry runs, <= %zu reads | %s |\n",
              Describe(ours.requests).c_str(), kubectl ? Describe(theirs.requests).c_str() : "-",
              kMaxFirstPageReads, Verdict(requests_met));
  std::printf("| median CPU time (user + system) | %s | %s | | |\n",
              Sec(Median(ours.cpu_seconds)).c_str(),
              kubectl ? Sec(Median(theirs.cpu_seconds)).c_str() : "-");
  std::printf("| server time (sum over requests, last run) | %s | %s | | |\n",
              Sec(ours.requests.server_seconds).c_str(),
              kubectl ? Sec(theirs.requests.server_seconds).c_str() : "-");
  std::printf("\nplan: 0 to add, 0 to change, 0 to destroy, %zu unchanged; %zu warnings\n",
              desired.rendered.size(), warnings);
  return all;
}

bool Latency(const std::string& starform, int apps, int runs, const std::string& dir) {
  Desired desired = LoadState(GenerateState(apps, dir));
  std::string rendered_path = dir + "/rendered.json";
  json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", desired.rendered}};
  WriteFile(rendered_path, list.dump(2) + "\n");
  std::fprintf(stderr, "latency: %zu apps render to %zu objects\n", desired.state.apps.size(),
               desired.rendered.size());
  // The fault holds from the start: seeding is in-process (not faulted), the applies are slower.
  auto cluster = StartCluster(dir, "*:*:latency=30ms");
  Prepare(*cluster, desired, 16);

  size_t warnings = 0;
  Measured ours = MeasurePlan(*cluster, starform, desired, runs, dir, &warnings);
  bool kubectl = HaveProgram("kubectl");
  Measured theirs;
  if (kubectl) {
    // kubectl diff exits 0 without differences and 1 with some; more is an error.
    theirs = Measure(*cluster,
                     {"kubectl", "diff", "--server-side", "--field-manager=starform",
                      "--force-conflicts", "-f", rendered_path, "--kubeconfig",
                      cluster->kubeconfig_path(), "--cache-dir", dir + "/cache-diff"},
                     runs, {0, 1}, dir, [](const RunResult&) {});
  }
  cluster->Stop();

  double median = Median(ours.seconds);
  std::printf("\n### plan, 30 ms latency per request: %zu apps, %zu objects, %d runs\n\n",
              desired.state.apps.size(), desired.rendered.size(), runs);
  std::printf(
      "| measurement | ours (`plan -o json`) | kubectl diff --server-side -f | budget | "
      "|\n");
  std::printf("| --- | --- | --- | --- | --- |\n");
  if (!kubectl) {
    std::printf("| median wall time | %.3f s | not installed | | |\n", median);
    std::printf("| requests | %s | - | | |\n", Describe(ours.requests).c_str());
    return true;
  }
  double speedup = Median(theirs.seconds) / median;
  bool met = speedup >= kMinSpeedupOverDiff;
  std::printf("| median wall time | %.3f s | %.3f s | | |\n", median, Median(theirs.seconds));
  std::printf("| min wall time | %.3f s | %.3f s | | |\n", Min(ours.seconds), Min(theirs.seconds));
  std::printf("| kubectl diff / ours | %.1fx faster | 1x | >= %.0fx | %s |\n", speedup,
              kMinSpeedupOverDiff, Verdict(met));
  std::printf("| peak RSS | %s | %s | | |\n", MiB(ours.max_rss_bytes).c_str(),
              MiB(theirs.max_rss_bytes).c_str());
  std::printf("| requests | %s | %s | | |\n", Describe(ours.requests).c_str(),
              Describe(theirs.requests).c_str());
  std::printf("\nplan: 0 to add, 0 to change, 0 to destroy, %zu unchanged; %zu warnings\n",
              desired.rendered.size(), warnings);
  return met;
}

}  // namespace

int main(int argc, char** argv) {
  StartSpawner();
  int runs = std::max(1, IntFlag(argc, argv, "--runs", 5));
  int apps = std::max(1, IntFlag(argc, argv, "--apps", 10000));
  int latency_apps = std::max(1, IntFlag(argc, argv, "--latency-apps", 200));
  std::string scenario = Flag(argc, argv, "--scenario", "all");
  std::string state = Flag(argc, argv, "--state", "");
  std::string starform =
      Flag(argc, argv, "--starform",
           (fs::read_symlink("/proc/self/exe").parent_path() / "kubectl-starform").string());
  if (scenario != "all" && scenario != "nochange" && scenario != "latency") {
    std::cerr << "plan_bench: --scenario must be all, nochange or latency\n";
    return 2;
  }
  if (!fs::exists(starform)) {
    std::cerr << "plan_bench: " << starform
              << " not found: build the kubectl-starform target, or pass --starform PATH\n";
    return 1;
  }
  if (!HaveProgram("kubectl"))
    std::cerr << "plan_bench: kubectl is not installed: its columns are skipped\n";
  std::string pattern = (fs::temp_directory_path() / "plan-bench-XXXXXX").string();
  std::string dir = mkdtemp(pattern.data());
  bool met = true;
  try {
    if (scenario == "all" || scenario == "nochange")
      met = NoChange(starform, apps, state, runs, dir) && met;
    if (scenario == "all" || scenario == "latency")
      met = Latency(starform, latency_apps, runs, dir) && met;
  } catch (const std::exception& e) {
    std::cerr << "plan_bench: " << e.what() << "\n";
    fs::remove_all(dir);
    return 1;
  }
  fs::remove_all(dir);
  std::printf("\n%s\n", met ? "all budgets met" : "BUDGETS MISSED (see the tables)");
  return met ? 0 : 3;
}
