#pragma once

// One dev cluster per test binary, started lazily with ../shared/crds and shared by the tests
// (starting one costs key generation and CRD compilation). Tests use their own namespaces.

#include <memory>
#include <string>

#include "devcluster/server.h"
#include "devcluster/test_client.h"

namespace starform::devcluster::testing {

inline DevCluster& SharedCluster() {
  static std::unique_ptr<DevCluster> cluster = [] {
    DevCluster::Options options;
    options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
    options.rest.bookmark_interval = std::chrono::milliseconds(200);
    // No simulated controllers here: tests that share this cluster assert on its request log
    // and objects, which controller writes would change under them. Controller tests start
    // their own cluster.
    options.controllers = false;
    auto c = std::make_unique<DevCluster>(options);
    c->Start();
    return c;
  }();
  return *cluster;
}

inline std::unique_ptr<TestClient> Client(DevCluster& cluster = SharedCluster()) {
  return std::make_unique<TestClient>(cluster.server_url(), cluster.ca_pem(), cluster.token());
}

/// Creates namespace |name| (labels optional); REQUIREs success.
inline void MakeNamespace(TestClient& client, const std::string& name,
                          const nlohmann::json& labels = nlohmann::json::object()) {
  nlohmann::json ns = {{"apiVersion", "v1"},
                       {"kind", "Namespace"},
                       {"metadata", {{"name", name}, {"labels", labels}}}};
  HttpResult r = client.Post("/api/v1/namespaces", ns);
  if (r.code != 201)
    throw std::runtime_error("namespace " + name + ": " + r.body);
}

inline nlohmann::json Route(const std::string& ns, const std::string& name,
                            const std::string& host = "shop.example.com") {
  return {{"apiVersion", "gateway.networking.k8s.io/v1"},
          {"kind", "HTTPRoute"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"parentRefs", {{{"name", "eg"}, {"namespace", "starform-system"}}}},
            {"hostnames", {host}},
            {"rules", {{{"backendRefs", {{{"name", "shop"}, {"port", 8080}}}}}}}}}};
}

inline std::string RoutesPath(const std::string& ns) {
  return "/apis/gateway.networking.k8s.io/v1/namespaces/" + ns + "/httproutes";
}

}  // namespace starform::devcluster::testing
