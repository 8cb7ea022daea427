// starform-devcluster: the embedded API server as a program, running until SIGTERM/SIGINT.

#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <regex>

#include "devcluster/server.h"

namespace {

// "500ms", "2s", "1m" -> milliseconds; -1 when malformed.
long long ParseDuration(const std::string& text) {
  std::smatch m;
  static const std::regex kDuration("^([0-9]+)(ms|s|m)$");
  if (!std::regex_match(text, m, kDuration))
    return -1;
  long long n = std::stoll(m[1]);
  if (m[2] == "s")
    return n * 1000;
  if (m[2] == "m")
    return n * 60000;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  starform::devcluster::DevCluster::Options options;
  std::string lb_delay = "0s";
  CLI::App app{"starform-devcluster: an embedded Kubernetes API server for demos and tests"};
  app.add_option("--kubeconfig-out", options.kubeconfig_out, "write a kubeconfig here")->required();
  app.add_option("--crds", options.crds_dir, "load CustomResourceDefinitions from this folder");
  app.add_option("--seed", options.seed_file, "create the objects of this YAML file at start");
  app.add_option("--state-dir", options.state_dir, "persist the objects here as JSON");
  app.add_option("--lb-delay", lb_delay, "load balancer provisioning delay, e.g. 2s");
  app.add_option("--lb-limit", options.lb_limit, "DigitalOcean load balancer limit (0: none)");
  app.add_option("--lb-api-failures", options.lb_api_failures,
                 "answer this many load balancer creations with a 500 (-1: all)");
  app.add_option("--faults", options.faults, "fault-injection spec (docs/devcluster-faults.md)");
  app.add_option("--port", options.port, "port to listen on (0: any free port)");
  CLI11_PARSE(app, argc, argv);
  long long delay = ParseDuration(lb_delay);
  if (delay < 0) {
    std::cerr << "error: --lb-delay: not a duration: " << lb_delay << "\n";
    return 2;
  }
  options.lb_delay = std::chrono::milliseconds(delay);

  // Block the signals before any thread starts so only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  starform::devcluster::DevCluster cluster(options);
  try {
    cluster.Start();
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  for (const std::string& warning : cluster.warnings()) {
    std::cerr << "warning: " << warning << "\n";
  }
  std::cout << "server: " << cluster.server_url() << "\n"
            << "kubeconfig: " << cluster.kubeconfig_path() << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  cluster.Stop();
  return 0;
}
