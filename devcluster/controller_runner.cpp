#include "devcluster/controller_runner.h"

#include <pthread.h>

#include <iostream>
#include <string>
#include <thread>

#include "devcluster/server.h"

namespace starform::devcluster {

using Clock = Controller::Clock;

struct ControllerRunner::Worker {
  std::unique_ptr<Controller> controller;
  std::vector<std::string> watches;
  std::thread thread;
  // Guarded by the runner's mu_, for WaitForIdle.
  uint64_t seen = 0;  ///< every change up to this resourceVersion was looked at
  bool dirty = true;  ///< a change it watches waits for the next run
  bool running = false;
};

ControllerRunner::ControllerRunner(DevCluster& cluster,
                                   std::vector<std::unique_ptr<Controller>> controllers,
                                   Options options)
    : cluster_(cluster), options_(options) {
  for (auto& controller : controllers) {
    auto worker = std::make_unique<Worker>();
    worker->watches = controller->watches();
    worker->controller = std::move(controller);
    workers_.push_back(std::move(worker));
  }
}

ControllerRunner::~ControllerRunner() {
  Stop();
}

void ControllerRunner::Start() {
  if (started_)
    return;
  started_ = true;
  for (auto& worker : workers_) {
    worker->thread = std::thread([this, w = worker.get()] { Loop(*w); });
    std::string name = worker->controller->name().substr(0, 15);
    pthread_setname_np(worker->thread.native_handle(), name.c_str());
  }
}

void ControllerRunner::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  cluster_.store().Wake();
  for (auto& worker : workers_) {
    if (worker->thread.joinable())
      worker->thread.join();
  }
}

bool ControllerRunner::WaitForIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_until(lock, Clock::now() + timeout, [&] {
    uint64_t rv = cluster_.store().current_rv();
    for (const auto& worker : workers_) {
      if (worker->running || worker->dirty || worker->seen < rv)
        return false;
    }
    return true;
  });
}

// Whether an object of a store key |worker| watches changed after |rv|.
bool ControllerRunner::ChangedSince(const Worker& worker, uint64_t rv) const {
  std::vector<Event> events;
  for (const std::string& key : worker.watches) {
    if (!cluster_.store().EventsSince(key, rv, Clock::time_point{}, &events))
      return true;  // older than the history: assume it did
    if (!events.empty())
      return true;
  }
  return false;
}

void ControllerRunner::Publish(Worker& worker, uint64_t seen, bool dirty, bool running) {
  {
    std::lock_guard lock(mu_);
    worker.seen = seen;
    worker.dirty = dirty;
    worker.running = running;
  }
  cv_.notify_all();
}

void ControllerRunner::Loop(Worker& worker) {
  Store& store = cluster_.store();
  uint64_t seen = 0;
  bool dirty = true;  // level-triggered: look at everything once at start
  std::optional<Clock::time_point> wake_at;
  Clock::time_point last_run{};
  auto stopping = [this] { return stopping_.load(); };
  while (!stopping() && !store.shut_down()) {
    uint64_t rv = store.current_rv();
    if (!dirty && rv > seen)
      dirty = ChangedSince(worker, seen);
    seen = rv;
    Clock::time_point now = Clock::now();
    bool due = dirty || (wake_at && *wake_at <= now);
    if (!due) {
      Publish(worker, seen, false, false);
      store.WaitForChange(seen, wake_at.value_or(now + std::chrono::hours(1)), stopping);
      continue;
    }
    if (now < last_run + options_.min_interval) {
      // Coalesce: whatever else changes until then is covered by the same run.
      Publish(worker, seen, true, false);
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, last_run + options_.min_interval, stopping);
      continue;
    }
    Publish(worker, seen, true, true);
    last_run = now;
    dirty = false;
    try {
      wake_at = worker.controller->Reconcile(cluster_, now);
    } catch (const std::exception& e) {
      std::cerr << "controller " << worker.controller->name() << ": " << e.what() << std::endl;
      wake_at = now + options_.retry_after_error;
    }
  }
  Publish(worker, seen, false, false);
}

}  // namespace starform::devcluster
