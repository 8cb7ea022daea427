#include "devcluster/controller_runner.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "devcluster/server.h"

namespace starform::devcluster {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

json ConfigMap(const std::string& name, const std::string& value = "1") {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"data", {{"v", value}}}};
}

json Secret(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}, {"namespace", "default"}}}};
}

// What the fake controller saw; shared with the test.
struct Seen {
  std::atomic<int> runs{0};
  std::atomic<size_t> configmaps{0};
  std::atomic<int> throw_next{0};
  std::atomic<int> wake_in_ms{0};   ///< ask for one timed run this much later
  std::atomic<bool> mirror{false};  ///< keep ConfigMap "mirror" equal to the count
};

// Counts ConfigMaps; optionally writes a ConfigMap of its own when it differs.
class Counter : public Controller {
 public:
  explicit Counter(std::shared_ptr<Seen> seen) : seen_(std::move(seen)) {}
  std::string name() const override { return "counter"; }
  std::vector<std::string> watches() const override { return {"/configmaps"}; }
  std::optional<Clock::time_point> Reconcile(DevCluster& cluster, Clock::time_point now) override {
    ++seen_->runs;
    if (seen_->throw_next.exchange(0))
      throw std::runtime_error("boom");
    size_t n = cluster.List("configmaps").size();
    seen_->configmaps = n;
    if (seen_->mirror) {
      json want = ConfigMap("mirror", std::to_string(n));
      json live = cluster.Get("configmaps", "default", "mirror");
      if (live.is_null() || live["data"] != want["data"])
        cluster.Seed({want});
    }
    if (int ms = seen_->wake_in_ms.exchange(0))
      return now + milliseconds(ms);
    return std::nullopt;
  }

 private:
  std::shared_ptr<Seen> seen_;
};

// Waits (up to a generous limit, for loaded CI machines) until |done| holds.
template <typename F>
bool Eventually(F done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

struct Fixture {
  Fixture() : cluster(Quiet()) { cluster.Start(); }
  static DevCluster::Options Quiet() {
    DevCluster::Options options;
    options.controllers = false;  // these tests run their own runner
    options.keep_alive_seconds = 1;
    return options;
  }
  std::unique_ptr<ControllerRunner> Run(std::shared_ptr<Seen> seen, milliseconds interval) {
    std::vector<std::unique_ptr<Controller>> controllers;
    controllers.push_back(std::make_unique<Counter>(seen));
    ControllerRunner::Options options;
    options.min_interval = interval;
    options.retry_after_error = milliseconds(100);
    auto runner = std::make_unique<ControllerRunner>(cluster, std::move(controllers), options);
    runner->Start();
    return runner;
  }
  DevCluster cluster;
};

TEST_CASE("runner: runs at start, then only for changes it watches", "[controller_runner]") {
  Fixture f;
  auto seen = std::make_shared<Seen>();
  auto runner = f.Run(seen, milliseconds(10));
  REQUIRE(runner->WaitForIdle(milliseconds(5000)));
  CHECK(seen->runs == 1);

  f.cluster.Seed({Secret("s1")});
  REQUIRE(runner->WaitForIdle(milliseconds(5000)));
  CHECK(seen->runs == 1);  // secrets are not watched

  f.cluster.Seed({ConfigMap("a")});
  REQUIRE(runner->WaitForIdle(milliseconds(5000)));
  CHECK(seen->runs == 2);
  CHECK(seen->configmaps == 1);
}

TEST_CASE("runner: a burst of writes is coalesced into a few runs", "[controller_runner]") {
  Fixture f;
  auto seen = std::make_shared<Seen>();
  auto runner = f.Run(seen, milliseconds(100));
  REQUIRE(runner->WaitForIdle(milliseconds(5000)));
  int before = seen->runs;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 500; ++i)
    f.cluster.Seed({ConfigMap("cm-" + std::to_string(i))});
  auto burst = std::chrono::steady_clock::now() - start;
  REQUIRE(runner->WaitForIdle(milliseconds(10000)));
  CHECK(seen->configmaps == 500);
  // At most one run per 100 ms while the burst lasts, and one or two after it: never one per
  // write, however slow the machine makes the burst.
  CHECK(seen->runs - before <= burst / milliseconds(100) + 3);
  CHECK(seen->runs - before < 500);
}

TEST_CASE("runner: its own writes converge to a fixed point", "[controller_runner]") {
  Fixture f;
  auto seen = std::make_shared<Seen>();
  seen->mirror = true;
  auto runner = f.Run(seen, milliseconds(10));
  REQUIRE(runner->WaitForIdle(milliseconds(5000)));
  // The first run writes "mirror" (a ConfigMap: it wakes itself); the next counts 1 and
  // rewrites it with the new count; the third finds nothing to change.
  CHECK(seen->runs == 3);
  CHECK(f.cluster.Get("configmaps", "default", "mirror")["data"]["v"] == "1");
  uint64_t rv = f.cluster.store().current_rv();
  std::this_thread::sleep_for(milliseconds(100));
  CHECK(f.cluster.store().current_rv() == rv);  // no write loop
}

TEST_CASE("runner: runs at the time the controller asks for", "[controller_runner]") {
  Fixture f;
  auto seen = std::make_shared<Seen>();
  seen->wake_in_ms = 1500;  // far enough that WaitForIdle returns first on a slow machine
  auto started = std::chrono::steady_clock::now();
  auto runner = f.Run(seen, milliseconds(10));
  REQUIRE(runner->WaitForIdle(milliseconds(5000)));
  CHECK(seen->runs == 1);  // idle does not wait for the timer
  REQUIRE(Eventually([&] { return seen->runs == 2; }));
  CHECK(std::chrono::steady_clock::now() - started >= milliseconds(1500));  // not before its time
}

TEST_CASE("runner: a Reconcile that throws is retried", "[controller_runner]") {
  Fixture f;
  auto seen = std::make_shared<Seen>();
  seen->throw_next = 1;
  auto runner = f.Run(seen, milliseconds(10));
  REQUIRE(Eventually([&] { return seen->runs == 2; }));
  CHECK(seen->configmaps == 0);
}

TEST_CASE("runner: Stop ends promptly while waiting for a far timer", "[controller_runner]") {
  Fixture f;
  auto seen = std::make_shared<Seen>();
  seen->wake_in_ms = 3600 * 1000;
  auto runner = f.Run(seen, milliseconds(10));
  REQUIRE(runner->WaitForIdle(milliseconds(5000)));
  auto start = std::chrono::steady_clock::now();
  runner->Stop();
  // Far below the hour the timer is set for, with room for a loaded machine.
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(3000));
}

TEST_CASE("runner: DevCluster runs the default controllers and waits for them",
          "[controller_runner]") {
  DevCluster::Options options;
  options.keep_alive_seconds = 1;
  DevCluster cluster(options);
  cluster.Start();
  CHECK(cluster.WaitForControllersIdle(milliseconds(5000)));
  cluster.Stop();
  DevCluster::Options off = Fixture::Quiet();
  DevCluster quiet(off);
  quiet.Start();
  CHECK(quiet.WaitForControllersIdle(milliseconds(0)));
}

}  // namespace
}  // namespace starform::devcluster
