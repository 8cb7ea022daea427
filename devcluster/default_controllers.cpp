#include "devcluster/controller_runner.h"
#include "devcluster/digitalocean_ccm.h"
#include "devcluster/envoy_gateway_controller.h"
#include "devcluster/server.h"

namespace starform::devcluster {

std::vector<std::unique_ptr<Controller>> DefaultControllers(const DevCluster& cluster) {
  std::vector<std::unique_ptr<Controller>> controllers;
  controllers.push_back(std::make_unique<EnvoyGatewayController>());
  controllers.push_back(MakeDigitalOceanCcm(cluster));
  return controllers;
}

}  // namespace starform::devcluster
