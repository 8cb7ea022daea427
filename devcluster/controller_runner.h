#pragma once

// Runs the simulated controllers (controller.h), each on its own thread, the way a controller
// manager runs informer-driven reconcilers: a controller runs when an object of a store key it
// watches changes, or when the time it asked for comes. Changes that arrive while it runs, or
// within |min_interval| of its last run, are coalesced into one next run, so a burst of writes
// costs a few runs and an idle cluster costs none.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "devcluster/controller.h"

namespace starform::devcluster {

class DevCluster;

/// The controllers a dev cluster runs unless Options::controllers is off
/// (default_controllers.cpp): Envoy Gateway's, then any other simulated one.
std::vector<std::unique_ptr<Controller>> DefaultControllers(const DevCluster& cluster);

class ControllerRunner {
 public:
  struct Options {
    /// The least time between the starts of two runs of one controller.
    std::chrono::milliseconds min_interval{50};
    /// When Reconcile throws, it runs again this much later (the error goes to stderr).
    std::chrono::milliseconds retry_after_error{1000};
  };

  ControllerRunner(DevCluster& cluster, std::vector<std::unique_ptr<Controller>> controllers,
                   Options options);
  ControllerRunner(DevCluster& cluster, std::vector<std::unique_ptr<Controller>> controllers)
      : ControllerRunner(cluster, std::move(controllers), Options{}) {}
  ~ControllerRunner();
  ControllerRunner(const ControllerRunner&) = delete;
  ControllerRunner& operator=(const ControllerRunner&) = delete;

  /// Starts one thread per controller; each runs once at start.
  void Start();
  /// Ends the threads, waiting for a Reconcile in progress to return. Idempotent.
  void Stop();
  /// True once every controller has run after the last change it watches and that run wrote
  /// nothing it watches (or it watches nothing that changed) — a fixed point. Times a controller
  /// asked to be woken at (a load balancer's delay) are not waited for. False on timeout.
  bool WaitForIdle(std::chrono::milliseconds timeout);

 private:
  struct Worker;
  void Loop(Worker& worker);
  bool ChangedSince(const Worker& worker, uint64_t rv) const;
  void Publish(Worker& worker, uint64_t seen, bool dirty, bool running);

  DevCluster& cluster_;
  Options options_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex mu_;
  std::condition_variable cv_;  ///< Stop() and state changes (WaitForIdle)
  std::atomic<bool> stopping_{false};
  bool started_ = false;
};

}  // namespace starform::devcluster
