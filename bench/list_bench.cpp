// Lists 20,000 HTTPRoutes in 200 namespaces from the dev cluster with our client (paginated,
// 500 a page, each page parsed) and with `kubectl get httproutes -A -o json`, and prints the
// median wall times side by side. The budget: ours at most 1.5x kubectl's. See README.md.
//
//   list_bench [--runs N] [--routes N] [--namespaces N]

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "devcluster/server.h"
#include "kube/client.h"
#include "kube/rest_config.h"

namespace {

using nlohmann::json;
using Seconds = std::chrono::duration<double>;
namespace kube = starform::kube;

int Flag(int argc, char** argv, const std::string& name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name)
      return std::atoi(argv[i + 1]);
  }
  return fallback;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::vector<json> Routes(int routes, int namespaces) {
  std::vector<json> objects;
  for (int n = 0; n < namespaces; ++n) {
    objects.push_back({{"apiVersion", "v1"},
                       {"kind", "Namespace"},
                       {"metadata", {{"name", "bench-" + std::to_string(n)}}}});
  }
  for (int i = 0; i < routes; ++i) {
    std::string ns = "bench-" + std::to_string(i % namespaces);
    std::string name = "route-" + std::to_string(i);
    objects.push_back(
        {{"apiVersion", "gateway.networking.k8s.io/v1"},
         {"kind", "HTTPRoute"},
         {"metadata",
          {{"name", name}, {"namespace", ns}, {"labels", {{"app", name}, {"tier", "web"}}}}},
         {"spec",
          {{"parentRefs", {{{"name", "eg"}, {"namespace", "envoy-gateway-system"}}}},
           {"hostnames", {name + ".example.com"}},
           {"rules",
            {{{"matches", {{{"path", {{"type", "PathPrefix"}, {"value", "/"}}}}}},
              {"backendRefs", {{{"name", name}, {"port", 8080}}}}}}}}}});
  }
  return objects;
}

// One paginated LIST of every route; returns the item count.
size_t ListOnce(const kube::RestConfig& config) {
  kube::ClientOptions options;
  auto client = kube::Client::Connect(config, kube::SystemEnv(), options);
  kube::ResourceRef routes{"gateway.networking.k8s.io", "v1", "httproutes", true};
  kube::ListOptions list;
  list.limit = 500;
  size_t items = 0;
  std::string error;
  client->ListAsync(
      routes, "", list, [&items](json page) { items += page["items"].size(); },
      [&items] { items = 0; },
      [&error](kube::Result<bool> r) {
        if (!r)
          error = r.error().Describe();
      });
  client->Run();
  if (!error.empty())
    throw std::runtime_error(error);
  return items;
}

bool HaveKubectl() {
  return std::system("command -v kubectl >/dev/null 2>&1") == 0;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = std::max(1, Flag(argc, argv, "--runs", 5));
  int routes = Flag(argc, argv, "--routes", 20000);
  int namespaces = std::max(1, Flag(argc, argv, "--namespaces", 200));
  try {
    std::string pattern = (std::filesystem::temp_directory_path() / "list-bench-XXXXXX").string();
    std::string dir = mkdtemp(pattern.data());
    starform::devcluster::DevCluster::Options options;
    options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
    options.kubeconfig_out = dir + "/kubeconfig";
    options.controllers = false;  // a quiet cluster: only the lists run
    options.keep_alive_seconds = 1;
    starform::devcluster::DevCluster cluster(options);
    cluster.Start();
    auto seed_start = std::chrono::steady_clock::now();
    cluster.Seed(Routes(routes, namespaces));
    std::cerr << "seeded " << routes << " HTTPRoutes in " << namespaces << " namespaces in "
              << Seconds(std::chrono::steady_clock::now() - seed_start).count() << " s\n";

    kube::ConnectionFlags flags;
    flags.kubeconfig = cluster.kubeconfig_path();
    kube::RestConfig config = kube::ResolveConfig(flags, kube::SystemEnv()).rest;

    bool kubectl = HaveKubectl();
    std::string kubectl_cmd = "KUBECONFIG='" + cluster.kubeconfig_path() +
                              "' kubectl get httproutes -A -o json --cache-dir='" + dir +
                              "/cache' > /dev/null";
    // Warm up both (kubectl fills its discovery cache, as a user's already is).
    size_t listed = ListOnce(config);
    if (listed != static_cast<size_t>(routes)) {
      std::cerr << "listed " << listed << " routes, expected " << routes << "\n";
      return 1;
    }
    if (kubectl && std::system(kubectl_cmd.c_str()) != 0) {
      std::cerr << "kubectl failed: " << kubectl_cmd << "\n";
      return 1;
    }

    std::vector<double> ours, theirs;
    for (int i = 0; i < runs; ++i) {
      auto start = std::chrono::steady_clock::now();
      ListOnce(config);
      ours.push_back(Seconds(std::chrono::steady_clock::now() - start).count());
      if (kubectl) {
        start = std::chrono::steady_clock::now();
        if (std::system(kubectl_cmd.c_str()) != 0)
          return 1;
        theirs.push_back(Seconds(std::chrono::steady_clock::now() - start).count());
      }
    }
    cluster.Stop();
    std::filesystem::remove_all(dir);

    std::printf("list %d HTTPRoutes in %d namespaces, limit=500, %d runs (median wall time)\n",
                routes, namespaces, runs);
    std::printf("  starform client   %.3f s\n", Median(ours));
    if (kubectl) {
      double ratio = Median(ours) / Median(theirs);
      std::printf("  kubectl -o json   %.3f s\n", Median(theirs));
      std::printf("  ratio             %.2fx (budget <= 1.50x: %s)\n", ratio,
                  ratio <= 1.5 ? "met" : "MISSED");
    } else {
      std::printf("  kubectl           not installed: column skipped\n");
    }
  } catch (const std::exception& e) {
    std::cerr << "list_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
