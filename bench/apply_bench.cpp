// `kubectl starform apply` creating the gateway layer on a fresh dev cluster, with the budgets of
// the apply issue. See README.md (apply_bench).
//
//   apply_bench [--runs N] [--scenario all|latency|floor] [--starform PATH]
//               [--latency-apps N] [--floor-apps N]
//
// latency: --latency-apps apps (default 200) on a cluster that adds 30 ms to every request on a
//   resource ('*:*:latency=30ms'). `kubectl-starform apply -f STATE --auto-approve` with its
//   defaults (server dry run on, --parallelism 16) against `kubectl apply --server-side -f` of
//   the same rendered objects. Budget: ours at least 10x faster. --runs defaults to 3 here.
// floor: --floor-apps apps (default 2,000) on loopback, no latency. The same apply with
//   --server-dry-run=false against `curl --parallel --parallel-max 16 -K CONFIG`, one server-side
//   apply per rendered object. Budget: ours at most 1.5x curl. --runs defaults to 5 here.
//
// Every run, warm-ups included, gets a new dev cluster seeded with what a cluster holds before
// starform's first apply, so every command creates every object. Exit 0 when every budget holds,
// 1 when one fails, 2 on an error.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.h"
#include "devcluster/server.h"
#include "kube/env.h"
#include "kube/rest_config.h"
#include "plan/render.h"

namespace starform::bench {
namespace {

constexpr double kMinSpeedupOverKubectl = 10.0;
constexpr double kMaxRatioToCurl = 1.5;
constexpr int kParallelism = 16;  // starform's default --parallelism, and curl's --parallel-max

// One measured command. Each run starts it on a cluster of its own.
struct Contender {
  std::string name;
  std::function<std::vector<std::string>(const DevCluster&)> command;
  /// Throws when the run's output says it did not do its job (the exit code is checked first).
  std::function<void(const RunResult&, const DevCluster&)> check;
};

struct Measured {
  std::vector<double> seconds;
  double max_rss_bytes = 0;
  RunResult last;
  std::vector<RequestRecord> last_log;
};

std::string KeyOf(const std::string& kind, const json& object) {
  const json& metadata = object["metadata"];
  return kind + "/" + metadata.value("namespace", "") + "/" + metadata.value("name", "");
}

// How many of |rendered| the cluster holds, read in-process.
size_t Present(const DevCluster& cluster, const std::vector<json>& rendered) {
  std::set<std::string> live;
  for (const RenderedKind& kind : RenderedKinds()) {
    std::string api_version = kind.api_version;
    std::string group = api_version.substr(0, api_version.find('/'));
    for (const json& object : cluster.List(std::string(kind.resource) + "." + group))
      live.insert(KeyOf(kind.kind, object));
  }
  return std::count_if(rendered.begin(), rendered.end(), [&live](const json& object) {
    return live.count(KeyOf(object["kind"], object)) > 0;
  });
}

std::string CommandLine(const std::vector<std::string>& args) {
  std::string line;
  for (const std::string& arg : args)
    line += (line.empty() ? "" : " ") + arg;
  return line;
}

// Runs every contender once to warm up (kubectl fills its discovery cache), then |runs| times,
// the contenders one after the other in each round so that the machine's load falls on all.
// Each run: a new cluster on the same port (so kubectl's cache, keyed by host and port, stays
// valid), seeded with |assumed|; the command; its checks; every rendered object present.
std::vector<Measured> MeasureSideBySide(const Desired& desired,
                                        const std::vector<Contender>& contenders,
                                        const std::string& faults, int runs,
                                        const std::string& dir) {
  std::vector<json> assumed = AssumedObjects(desired);
  std::vector<Measured> measured(contenders.size());
  int port = 0;
  for (int round = 0; round <= runs; ++round) {
    for (size_t c = 0; c < contenders.size(); ++c) {
      auto cluster = StartCluster(dir, faults, port);
      port = cluster->port();
      cluster->Seed(assumed);
      cluster->ClearRequestLog();
      std::vector<std::string> args = contenders[c].command(*cluster);
      RunResult r = Run(args, dir);
      std::string what = contenders[c].name + " (" + CommandLine(args) + ")";
      if (r.exit_code != 0) {
        throw std::runtime_error("exit " + std::to_string(r.exit_code) + " from " + what + "\n" +
                                 r.err.substr(0, 4000) + r.out.substr(0, 4000));
      }
      contenders[c].check(r, *cluster);
      size_t present = Present(*cluster, desired.rendered);
      if (present != desired.rendered.size()) {
        throw std::runtime_error("after " + what + " the cluster holds " + std::to_string(present) +
                                 " of the " + std::to_string(desired.rendered.size()) +
                                 " rendered objects");
      }
      // The server logs a request once it has answered; let the last records land.
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      std::fprintf(stderr, "%s %s: %.3f s\n", round == 0 ? "warm-up" : "run",
                   contenders[c].name.c_str(), r.seconds);
      if (round > 0) {
        Measured& m = measured[c];
        m.seconds.push_back(r.seconds);
        m.max_rss_bytes = std::max(m.max_rss_bytes, r.max_rss_bytes);
        m.last_log = cluster->RequestLog();
        m.last = std::move(r);
      }
      cluster->Stop();
    }
  }
  return measured;
}

// Where a run's time went, from the cluster's request log: each class of request, how many, from
// when to when (seconds since the command was started), and how many were in flight on average
// over that span, which shows whether the client kept its parallelism busy.
std::string Timeline(const Measured& m) {
  struct Span {
    const char* name;
    size_t count = 0;
    double first = 0, last = 0, busy = 0;
  };
  std::array<Span, 5> spans = {Span{"discovery"}, Span{"reads"}, Span{"next pages"},
                               Span{"dry runs"}, Span{"writes"}};
  for (const RequestRecord& record : m.last_log) {
    Span& span = spans[static_cast<size_t>(Classify(record))];
    double start = Seconds(record.started - m.last.started).count();
    double end = start + Seconds(record.duration).count();
    span.first = span.count == 0 ? start : std::min(span.first, start);
    span.last = std::max(span.last, end);
    span.busy += Seconds(record.duration).count();
    ++span.count;
  }
  std::string text;
  char buffer[128];
  for (const Span& span : spans) {
    if (span.count == 0)
      continue;
    double in_flight = span.last > span.first ? span.busy / (span.last - span.first) : 1;
    std::snprintf(buffer, sizeof buffer, "%zu %s %.2f–%.2f s (%.1f in flight); ", span.count,
                  span.name, span.first, span.last, in_flight);
    text += buffer;
  }
  std::snprintf(buffer, sizeof buffer, "exit at %.2f s", m.last.seconds);
  return text + buffer;
}

std::vector<std::string> StarformApply(const std::string& starform, const Desired& desired,
                                       const DevCluster& cluster, bool server_dry_run) {
  std::vector<std::string> args = {starform,
                                   "apply",
                                   "-f",
                                   desired.state_path,
                                   "--auto-approve",
                                   "--kubeconfig",
                                   cluster.kubeconfig_path()};
  if (!server_dry_run)
    args.push_back("--server-dry-run=false");
  return args;
}

// Starform must say it created everything, and leave its ApplySet parent.
Contender Starform(const std::string& starform, const Desired& desired, bool server_dry_run) {
  std::string complete = "Apply complete! Resources: " + std::to_string(desired.rendered.size()) +
                         " added, 0 changed, 0 destroyed.";
  return {"starform",
          [&starform, &desired, server_dry_run](const DevCluster& cluster) {
            return StarformApply(starform, desired, cluster, server_dry_run);
          },
          [complete](const RunResult& r, const DevCluster& cluster) {
            if (r.out.find(complete) == std::string::npos) {
              throw std::runtime_error(
                  "starform apply did not print \"" + complete + "\":\n" +
                  r.out.substr(r.out.size() - std::min<size_t>(r.out.size(), 2000)));
            }
            if (cluster.Get("configmaps", kApplySetParentNamespace, kApplySetParentName).is_null())
              throw std::runtime_error("starform apply left no ApplySet parent");
          }};
}

// The server-side applies starform makes, one per rendered object, as a curl config: the CA and
// bearer token are the kubeconfig's, and the token stays in this file (in the benchmark's 0700
// temporary folder), off every command line.
std::string WriteCurlConfig(const std::vector<std::string>& bodies,
                            const std::vector<json>& rendered, const DevCluster& cluster,
                            const std::string& dir) {
  kube::ConnectionFlags flags;
  flags.kubeconfig = cluster.kubeconfig_path();
  kube::RestConfig rest = kube::ResolveConfig(flags, kube::SystemEnv()).rest;
  if (rest.token.empty() || rest.ca_pem.empty())
    throw std::runtime_error("the dev cluster's kubeconfig has no bearer token or CA");
  std::string ca_path = dir + "/curl-ca.crt";
  WriteFile(ca_path, rest.ca_pem);
  // curl resets these at every `next`: each transfer repeats them.
  std::string common = "request = \"PATCH\"\n";
  common += "cacert = \"" + ca_path + "\"\n";
  common += "header = \"Authorization: Bearer " + rest.token + "\"\n";
  common += "header = \"Content-Type: application/apply-patch+yaml\"\n";
  common += "output = \"/dev/null\"\n";
  common += "write-out = \"%{http_code}\\n\"\n";
  std::string config;
  for (size_t i = 0; i < rendered.size(); ++i) {
    if (i > 0)
      config += "next\n";  // a trailing one would be a transfer without a URL, an error
    config +=
        "url = \"" + rest.host + PathOf(rendered[i]) + "?fieldManager=starform&force=true\"\n";
    config += "data-binary = \"@" + bodies[i] + "\"\n";
    config += common;
  }
  std::string path = dir + "/curl.config";
  WriteFile(path, config);
  return path;
}

// curl prints each transfer's status; every one must be a success.
Contender Curl(const Desired& desired, const std::string& dir) {
  auto bodies = std::make_shared<std::vector<std::string>>();
  fs::create_directories(dir + "/bodies");
  for (size_t i = 0; i < desired.rendered.size(); ++i) {
    bodies->push_back(dir + "/bodies/" + std::to_string(i) + ".json");
    WriteFile(bodies->back(), desired.rendered[i].dump());
  }
  size_t expected = desired.rendered.size();
  return {"curl",
          [bodies, &desired, dir](const DevCluster& cluster) {
            std::string config = WriteCurlConfig(*bodies, desired.rendered, cluster, dir);
            // --silent does not quiet curl 7.88's parallel progress meter; this does.
            return std::vector<std::string>{"curl",
                                            "--no-progress-meter",
                                            "--parallel",
                                            "--parallel-max",
                                            std::to_string(kParallelism),
                                            "-K",
                                            config};
          },
          [expected](const RunResult& r, const DevCluster&) {
            std::istringstream lines(r.out);
            size_t ok = 0, total = 0;
            for (std::string code; std::getline(lines, code); ++total)
              ok += code.size() == 3 && code[0] == '2';
            if (ok != expected || total != expected) {
              throw std::runtime_error("curl: " + std::to_string(ok) + " of " +
                                       std::to_string(total) + " transfers succeeded, expected " +
                                       std::to_string(expected));
            }
          }};
}

Contender Kubectl(const std::string& rendered_path, const std::string& dir) {
  return {"kubectl",
          [rendered_path, dir](const DevCluster& cluster) {
            return std::vector<std::string>{"kubectl",
                                            "apply",
                                            "--server-side",
                                            "-f",
                                            rendered_path,
                                            "--kubeconfig",
                                            cluster.kubeconfig_path(),
                                            "--cache-dir",
                                            dir + "/kubectl-cache"};
          },
          [](const RunResult&, const DevCluster&) {}};
}

const char* Verdict(bool pass) {
  return pass ? "PASS" : "**FAIL**";
}

void PrintCommonRows(const Measured& ours, const Measured& theirs) {
  std::printf("| median wall time | %s | %s | | |\n", Sec(Median(ours.seconds)).c_str(),
              Sec(Median(theirs.seconds)).c_str());
  std::printf("| min wall time | %s | %s | | |\n", Sec(Min(ours.seconds)).c_str(),
              Sec(Min(theirs.seconds)).c_str());
}

void PrintDetails(const Measured& ours, const Measured& theirs, const std::string& their_name) {
  std::printf("| peak RSS | %s | %s | | |\n", MiB(ours.max_rss_bytes).c_str(),
              MiB(theirs.max_rss_bytes).c_str());
  std::printf("| requests (last run) | %s | %s | | |\n", Describe(Count(ours.last_log)).c_str(),
              Describe(Count(theirs.last_log)).c_str());
  std::printf("\nWhere the time went (last run, from the request log):\n\n");
  std::printf("- starform: %s\n", Timeline(ours).c_str());
  std::printf("- %s: %s\n", their_name.c_str(), Timeline(theirs).c_str());
}

bool Latency(const std::string& starform, int apps, int runs, const std::string& dir) {
  Desired desired = LoadState(GenerateState(apps, dir));
  // One document per object, not a v1 List: kubectl validates a List on the client, against
  // /openapi/v2 in protobuf, which the dev cluster does not serve (406, and kubectl exits 1);
  // each object on its own gets the server's field validation, as from a real cluster.
  std::string rendered_path = dir + "/rendered.yaml";
  std::string documents;
  for (const json& object : desired.rendered)
    documents += "---\n" + object.dump(2) + "\n";
  WriteFile(rendered_path, documents);
  std::fprintf(stderr, "latency: %zu apps render to %zu objects\n", desired.state.apps.size(),
               desired.rendered.size());
  std::vector<Measured> m =
      MeasureSideBySide(desired, {Starform(starform, desired, true), Kubectl(rendered_path, dir)},
                        "*:*:latency=30ms", runs, dir);
  double speedup = Median(m[1].seconds) / Median(m[0].seconds);
  bool pass = speedup >= kMinSpeedupOverKubectl;
  std::printf(
      "\n### apply, 30 ms latency per request: %zu apps, %zu objects created, %d runs, a new "
      "cluster each\n\n",
      desired.state.apps.size(), desired.rendered.size(), runs);
  std::printf(
      "| measurement | starform `apply --auto-approve` | `kubectl apply --server-side -f` | "
      "budget | |\n");
  std::printf("| --- | --- | --- | --- | --- |\n");
  PrintCommonRows(m[0], m[1]);
  std::printf("| kubectl / starform | %.1fx faster | 1x | >= %.0fx | %s |\n", speedup,
              kMinSpeedupOverKubectl, Verdict(pass));
  PrintDetails(m[0], m[1], "kubectl");
  return pass;
}

bool Floor(const std::string& starform, int apps, int runs, const std::string& dir) {
  Desired desired = LoadState(GenerateState(apps, dir));
  std::fprintf(stderr, "floor: %zu apps render to %zu objects\n", desired.state.apps.size(),
               desired.rendered.size());
  std::vector<Measured> m = MeasureSideBySide(
      desired, {Starform(starform, desired, false), Curl(desired, dir)}, "", runs, dir);
  double ratio = Median(m[0].seconds) / Median(m[1].seconds);
  bool pass = ratio <= kMaxRatioToCurl;
  std::printf(
      "\n### apply, loopback: %zu apps, %zu objects created, %d runs, a new cluster each\n\n",
      desired.state.apps.size(), desired.rendered.size(), runs);
  std::printf(
      "| measurement | starform `apply --auto-approve --server-dry-run=false` | `curl --parallel "
      "--parallel-max %d` | budget | |\n",
      kParallelism);
  std::printf("| --- | --- | --- | --- | --- |\n");
  PrintCommonRows(m[0], m[1]);
  std::printf("| starform / curl | %.2fx | 1x | <= %.1fx | %s |\n", ratio, kMaxRatioToCurl,
              Verdict(pass));
  PrintDetails(m[0], m[1], "curl");
  return pass;
}

int Main(int argc, char** argv) {
  StartSpawner();
  int runs = IntFlag(argc, argv, "--runs", 0);
  int latency_apps = std::max(1, IntFlag(argc, argv, "--latency-apps", 200));
  int floor_apps = std::max(1, IntFlag(argc, argv, "--floor-apps", 2000));
  std::string scenario = Flag(argc, argv, "--scenario", "all");
  std::string starform = StarformFlag(argc, argv);
  if (scenario != "all" && scenario != "latency" && scenario != "floor") {
    std::cerr << "apply_bench: --scenario must be all, latency or floor\n";
    return 2;
  }
  if (!fs::exists(starform)) {
    std::cerr << "apply_bench: " << starform
              << " not found: build the kubectl-starform target, or pass --starform PATH\n";
    return 2;
  }
  for (const char* program : {"kubectl", "curl"}) {
    if (!HaveProgram(program)) {
      std::cerr << "apply_bench: " << program << " is not installed: the budgets need it\n";
      return 2;
    }
  }
  return RunInTempDir("apply_bench", 2, [&](const std::string& dir) {
    bool pass = true;
    if (scenario == "all" || scenario == "latency")
      pass = Latency(starform, latency_apps, runs > 0 ? runs : 3, dir) && pass;
    if (scenario == "all" || scenario == "floor")
      pass = Floor(starform, floor_apps, runs > 0 ? runs : 5, dir) && pass;
    std::printf("\n%s\n", pass ? "every budget holds" : "BUDGET FAILED (see the tables)");
    return pass ? 0 : 1;
  });
}

}  // namespace
}  // namespace starform::bench

int main(int argc, char** argv) {
  return starform::bench::Main(argc, argv);
}
