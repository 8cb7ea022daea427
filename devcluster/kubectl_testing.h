#pragma once

// Helpers for the tests that run the real kubectl against the dev cluster: find kubectl (and
// skip where it is absent), a cluster with the demo seed and its kubeconfig, and the request
// log filtered. Test-only; header-only so each kubectl test file can use it.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "devcluster/server.h"
#include "devcluster/table.h"
#include "testing/process.h"

namespace starform::devcluster {

using starform::testing::ProcessResult;
using starform::testing::RunProcess;

// The first kubectl on PATH, or "".
inline std::string FindKubectl() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos)
      end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/kubectl";
    if (end > start && access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return "";
}

#define SKIP_WITHOUT_KUBECTL()                                                  \
  if (FindKubectl().empty()) {                                                  \
    WARN("kubectl is not installed (not on PATH): skipping this kubectl test"); \
    SUCCEED();                                                                  \
    return;                                                                     \
  }

// When seeded objects were created: fixed, so the AGE column is known.
inline constexpr const char* kCreated = "2024-01-01T00:00:00Z";

inline nlohmann::json Gateway() {
  return nlohmann::json::parse(R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway",
    "metadata":{"name":"edge","namespace":"tenant-acme"},
    "spec":{"gatewayClassName":"eg","listeners":[{"name":"http","port":80,"protocol":"HTTP"}]},
    "status":{"addresses":[{"type":"IPAddress","value":"203.0.113.7"}],
              "conditions":[{"type":"Programmed","status":"True","reason":"Programmed",
                             "message":"ok","lastTransitionTime":"2024-01-01T00:00:00Z",
                             "observedGeneration":1}]}})");
}

inline nlohmann::json Route(const std::string& ns, const std::string& name,
                            const std::string& host) {
  return {{"apiVersion", "gateway.networking.k8s.io/v1"},
          {"kind", "HTTPRoute"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"parentRefs", {{{"name", "edge"}}}},
            {"hostnames", {host}},
            {"rules", {{{"backendRefs", {{{"name", name + "-web"}, {"port", 8080}}}}}}}}}};
}

// A dev cluster with the seed and a gateway and two routes, its kubeconfig in a temp dir, and
// kubectl run with that kubeconfig and a HOME of its own (no discovery cache from elsewhere).
class KubectlCluster {
 public:
  KubectlCluster() {
    char tmpl[] = "/tmp/kubectl-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    DevCluster::Options options;
    options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
    options.seed_file = std::string(STARFORM_TESTDATA_DIR) + "/devcluster/seed.yaml";
    options.kubeconfig_out = dir_ + "/kubeconfig";
    options.keep_alive_seconds = 1;
    options.controllers = false;  // no simulated controller writes status behind the test
    cluster_ = std::make_unique<DevCluster>(options);
    cluster_->Start();
    cluster_->Seed({Gateway(), Route("tenant-acme", "shop", "shop.example.com"),
                    Route("tenant-globex", "blog", "blog.example.com")});
    for (const char* resource : {"gateways", "httproutes"}) {
      for (const nlohmann::json& o : cluster_->List(resource)) {
        Backdate("gateway.networking.k8s.io/" + std::string(resource), o["metadata"]["namespace"],
                 o["metadata"]["name"]);
      }
    }
    for (const char* ns : {"tenant-acme", "tenant-globex"})
      Backdate("/namespaces", "", ns);
  }
  ~KubectlCluster() {
    cluster_->Stop();
    std::filesystem::remove_all(dir_);
  }

  DevCluster& cluster() { return *cluster_; }
  const std::string& dir() const { return dir_; }

  ProcessResult Kubectl(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), FindKubectl());
    return RunProcess(args, input,
                      {"KUBECONFIG=" + dir_ + "/kubeconfig", "HOME=" + dir_, "TMPDIR=" + dir_});
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // Sets the creation time of a stored object to kCreated.
  void Backdate(const std::string& store_key, const std::string& ns, const std::string& name) {
    cluster_->store().Write(store_key, ns, name, [](const Entry& current, uint64_t) {
      nlohmann::json o = *current.object;
      o["metadata"]["creationTimestamp"] = kCreated;
      return std::optional<nlohmann::json>(o);
    });
  }

 private:
  std::string dir_;
  std::unique_ptr<DevCluster> cluster_;
};

inline std::chrono::seconds SinceCreated() {
  std::chrono::system_clock::time_point created;
  ParseRfc3339(kCreated, &created);
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() -
                                                          created);
}
// The AGE kubectl shows for an object created at kCreated: the CRD convertor's short form...
inline std::string SeededAge() {
  return ShortHumanDuration(SinceCreated());
}
// ...and the built-in printers' longer one.
inline std::string SeededBuiltinAge() {
  return HumanDuration(SinceCreated());
}

inline std::vector<RequestRecord> Requests(DevCluster& cluster, const std::string& method,
                                           const std::string& path_part) {
  std::vector<RequestRecord> out;
  for (const RequestRecord& r : cluster.RequestLog()) {
    if (r.method == method && r.path.find(path_part) != std::string::npos)
      out.push_back(r);
  }
  return out;
}

}  // namespace starform::devcluster
