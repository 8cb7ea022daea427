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

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.h"
#include "devcluster/server.h"
#include "devcluster/test_client.h"
#include "plan/render.h"

namespace starform::bench {
namespace {

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

void Prepare(DevCluster& cluster, const Desired& desired, int threads) {
  auto start = std::chrono::steady_clock::now();
  std::vector<json> assumed = AssumedObjects(desired);
  for (json& object : ApplyBookkeeping(desired))
    assumed.push_back(std::move(object));
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
  bool requests_met = ours.requests.dry_runs == 0 && ours.requests.writes == 0 &&
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

int Main(int argc, char** argv) {
  StartSpawner();
  int runs = std::max(1, IntFlag(argc, argv, "--runs", 5));
  int apps = std::max(1, IntFlag(argc, argv, "--apps", 10000));
  int latency_apps = std::max(1, IntFlag(argc, argv, "--latency-apps", 200));
  std::string scenario = Flag(argc, argv, "--scenario", "all");
  std::string state = Flag(argc, argv, "--state", "");
  std::string starform = StarformFlag(argc, argv);
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
  return RunInTempDir("plan_bench", 1, [&](const std::string& dir) {
    bool met = true;
    if (scenario == "all" || scenario == "nochange")
      met = NoChange(starform, apps, state, runs, dir) && met;
    if (scenario == "all" || scenario == "latency")
      met = Latency(starform, latency_apps, runs, dir) && met;
    std::printf("\n%s\n", met ? "all budgets met" : "BUDGETS MISSED (see the tables)");
    return met ? 0 : 3;
  });
}

}  // namespace
}  // namespace starform::bench

int main(int argc, char** argv) {
  return starform::bench::Main(argc, argv);
}
