#pragma once

// The dev cluster integration tests run against: the upstream CRDs of ../shared/crds, the seed
// of testdata/devcluster/seed.yaml, a kubeconfig in a fresh temporary folder, short keep-alive
// so that it stops at once. Test-only; header-only, for test binaries that link the dev cluster.

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "devcluster/server.h"

namespace starform::testing {

/// A new, empty temporary folder.
inline std::string TempDir(const std::string& prefix = "starform-test") {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  return mkdtemp(pattern.data());
}

struct DevClusterSetup {
  bool controllers = false;  ///< run the simulated Envoy Gateway and DigitalOcean controllers
  std::string faults;        ///< fault-injection spec (docs/devcluster-faults.md)
  /// Validating admission added to the built-in ones: a webhook that refuses some writes. ("= {}"
  /// keeps {controllers, faults} free of -Wmissing-field-initializers.)
  std::vector<devcluster::AdmitFn> admitters = {};
};

/// A started dev cluster with CRDs and the seed.
inline std::unique_ptr<devcluster::DevCluster> StartDevCluster(const DevClusterSetup& setup = {}) {
  devcluster::DevCluster::Options options;
  options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
  options.seed_file = std::string(STARFORM_TESTDATA_DIR) + "/devcluster/seed.yaml";
  options.kubeconfig_out = TempDir("dev-cluster") + "/kubeconfig";
  options.keep_alive_seconds = 1;
  options.controllers = setup.controllers;
  options.faults = setup.faults;
  options.hooks.admitters = setup.admitters;
  auto cluster = std::make_unique<devcluster::DevCluster>(options);
  cluster->Start();
  return cluster;
}

}  // namespace starform::testing
