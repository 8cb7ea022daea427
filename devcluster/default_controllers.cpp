#include "devcluster/controller_runner.h"
#include "devcluster/server.h"

namespace starform::devcluster {

std::vector<std::unique_ptr<Controller>> DefaultControllers(const DevCluster& cluster) {
  (void)cluster;
  std::vector<std::unique_ptr<Controller>> controllers;
  return controllers;
}

}  // namespace starform::devcluster
