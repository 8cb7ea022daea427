// The dev cluster at scale, in-process over real HTTPS (libcurl): the memory it takes to hold
// 50,000 objects, a paginated LIST of 20,000 HTTPRoutes, and writes per second from several
// client threads. Prints one table of medians over --runs runs. See bench/README.md.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "devcluster/server.h"
#include "devcluster/test_client.h"

namespace {

using nlohmann::json;
using starform::devcluster::DevCluster;
using starform::devcluster::testing::Escape;
using starform::devcluster::testing::HttpResult;
using starform::devcluster::testing::TestClient;
using Clock = std::chrono::steady_clock;

constexpr char kRoutes[] = "/apis/gateway.networking.k8s.io/v1/namespaces/";

// Resident set size of this process, in MiB.
double RssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

json Namespace(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
}

json Route(const std::string& ns, const std::string& name) {
  return {{"apiVersion", "gateway.networking.k8s.io/v1"},
          {"kind", "HTTPRoute"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"app", name}}}}},
          {"spec",
           {{"parentRefs", {{{"name", "eg"}, {"namespace", "starform-system"}}}},
            {"hostnames", {name + ".example.com"}},
            {"rules",
             {{{"matches", {{{"path", {{"type", "PathPrefix"}, {"value", "/"}}}}}},
               {"backendRefs", {{{"name", name}, {"port", 8080}}}}}}}}}};
}

json Service(const std::string& ns, const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"app", name}}}}},
          {"spec",
           {{"selector", {{"app", name}}},
            {"ports", {{{"name", "http"}, {"port", 8080}, {"targetPort", 8080}}}}}}};
}

struct Options {
  int runs = 5;
  int objects = 50000;
  int list_routes = 20000;
  int list_limit = 500;
  int threads = 4;
  int writes = 2000;  ///< per run, across the threads
  bool controllers = false;
  std::string crds = std::string(STARFORM_SHARED_DIR) + "/crds";
};

// |list_routes| HTTPRoutes in bench-list; the rest of |objects| as HTTPRoute and Service pairs
// over 50 tenant namespaces.
void SeedObjects(DevCluster& cluster, const Options& o) {
  std::vector<json> batch = {Namespace("bench-list")};
  for (int i = 0; i < o.list_routes; ++i)
    batch.push_back(Route("bench-list", "route-" + std::to_string(i)));
  cluster.Seed(batch);
  const int kTenants = 50;
  int rest = o.objects - o.list_routes;
  for (int t = 0; t < kTenants; ++t) {
    std::string ns = "tenant-" + std::to_string(t);
    batch = {Namespace(ns)};
    for (int i = t; i < rest; i += 2 * kTenants) {
      std::string app = "app-" + std::to_string(i);
      batch.push_back(Route(ns, app));
      if (i + kTenants < rest)
        batch.push_back(Service(ns, app));
    }
    cluster.Seed(batch);
  }
}

// One paginated LIST of bench-list, parsing each page as a client does. Returns seconds.
double PaginatedList(TestClient& client, const Options& o, size_t* items) {
  auto start = Clock::now();
  std::string token;
  *items = 0;
  do {
    std::string path =
        kRoutes + std::string("bench-list/httproutes?limit=") + std::to_string(o.list_limit);
    if (!token.empty())
      path += "&continue=" + Escape(token);
    HttpResult page = client.Get(path);
    if (page.code != 200)
      throw std::runtime_error("list page: " + std::to_string(page.code) + " " + page.body);
    json body = json::parse(page.body);
    *items += body["items"].size();
    token = body["metadata"].value("continue", "");
  } while (!token.empty());
  return Seconds(Clock::now() - start);
}

// |o.writes| writes from |o.threads| clients, each on its own connection, in rounds of three:
// a create (POST), a server-side apply that creates, and a server-side apply that changes the
// applied route. Returns writes per second.
double Writes(DevCluster& cluster, const Options& o, int run) {
  std::string ns = "bench-writes-" + std::to_string(run);
  cluster.Seed({Namespace(ns)});
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  int rounds = std::max(1, o.writes / o.threads / 3);
  auto start = Clock::now();
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      TestClient client(cluster.server_url(), cluster.ca_pem(), cluster.token());
      std::string routes = kRoutes + ns + "/httproutes";
      auto apply = [&](const json& route) {
        return client
            .Patch(
                routes + "/" + route["metadata"]["name"].get<std::string>() + "?fieldManager=bench",
                route.dump(), "application/apply-patch+yaml")
            .code;
      };
      for (int i = 0; i < rounds; ++i) {
        std::string id = std::to_string(t) + "-" + std::to_string(i);
        failures += client.Post(routes, Route(ns, "c-" + id)).code != 201;
        json applied = Route(ns, "a-" + id);
        failures += apply(applied) != 201;
        applied["spec"]["hostnames"] = {"a-" + id + ".shop.example.com"};
        failures += apply(applied) != 200;
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  double elapsed = Seconds(Clock::now() - start);
  if (failures != 0)
    throw std::runtime_error(std::to_string(failures.load()) + " writes failed");
  return 3.0 * rounds * o.threads / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"devcluster_bench: the dev cluster holding, listing and writing at scale"};
  app.add_option("--runs", o.runs, "runs of each timed measurement (median reported)");
  app.add_option("--objects", o.objects, "objects to hold");
  app.add_option("--list-routes", o.list_routes, "HTTPRoutes in the listed namespace");
  app.add_option("--limit", o.list_limit, "page size of the paginated LIST");
  app.add_option("--threads", o.threads, "concurrent writing clients");
  app.add_option("--writes", o.writes, "writes per run, across the clients");
  app.add_option("--crds", o.crds, "CRD folder");
  app.add_flag("--controllers", o.controllers,
               "run the simulated controllers too (they reconcile every seeded route)");
  CLI11_PARSE(app, argc, argv);
  if (o.runs < 1 || o.threads < 1 || o.list_routes > o.objects) {
    std::cerr << "error: need --runs >= 1, --threads >= 1 and --list-routes <= --objects\n";
    return 2;
  }

  DevCluster::Options options;
  options.crds_dir = o.crds;
  options.keep_alive_seconds = 1;
  options.controllers = o.controllers;
  DevCluster cluster(options);
  try {
    cluster.Start();
    double rss_before = RssMiB();
    auto seed_start = Clock::now();
    SeedObjects(cluster, o);
    double seed_seconds = Seconds(Clock::now() - seed_start);
    double rss_after = RssMiB();

    TestClient client(cluster.server_url(), cluster.ca_pem(), cluster.token());
    std::vector<double> lists, writes;
    size_t items = 0;
    for (int run = 0; run < o.runs; ++run) {
      lists.push_back(PaginatedList(client, o, &items) * 1000);
      writes.push_back(Writes(cluster, o, run));
    }
    if (items != static_cast<size_t>(o.list_routes))
      throw std::runtime_error("the LIST returned " + std::to_string(items) + " items");

    std::printf("devcluster_bench: %d runs, %u hardware threads, controllers %s\n\n", o.runs,
                std::thread::hardware_concurrency(), o.controllers ? "on" : "off");
    std::printf("| measurement | median | min | max |\n| --- | --- | --- | --- |\n");
    std::printf("| objects held (seeded in-process in %.1f s) | %d | | |\n", seed_seconds,
                o.objects);
    std::printf("| RSS holding them (MiB; before seeding %.0f) | %.0f | | |\n", rss_before,
                rss_after);
    std::printf("| paginated LIST of %d HTTPRoutes, limit=%d (ms) | %.0f | %.0f | %.0f |\n",
                o.list_routes, o.list_limit, Median(lists),
                *std::min_element(lists.begin(), lists.end()),
                *std::max_element(lists.begin(), lists.end()));
    std::printf("| writes/s, %d clients, create + apply (%d writes a run) | %.0f | %.0f | %.0f |\n",
                o.threads, 3 * std::max(1, o.writes / o.threads / 3) * o.threads, Median(writes),
                *std::min_element(writes.begin(), writes.end()),
                *std::max_element(writes.begin(), writes.end()));
    std::printf("\nRSS after the runs: %.0f MiB\n", RssMiB());
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  cluster.Stop();
  return 0;
}
