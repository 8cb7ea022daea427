// The apply lock against a dev cluster of its own per test (the lock's Lease and namespace have
// fixed names, so tests cannot share one): taking, waiting, taking over, renewing, losing,
// releasing and breaking it, with the times and clocks the Lease is judged by.

#include <unistd.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <optional>
#include <thread>

#include "devcluster/server.h"
#include "kube/lease_lock.h"

namespace starform::kube {
namespace {

using devcluster::DevCluster;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

const char kLeasePath[] = "/apis/coordination.k8s.io/v1/namespaces/starform-system/leases";

system_clock::time_point At(const std::string& rfc3339) {
  std::optional<system_clock::time_point> t = ParseMicroTime(rfc3339);
  REQUIRE(t);
  return *t;
}

struct Cluster {
  explicit Cluster(const std::string& faults = "") {
    DevCluster::Options options;
    options.keep_alive_seconds = 1;
    options.controllers = false;
    options.faults = faults;
    cluster = std::make_unique<DevCluster>(options);
    cluster->Start();
    config.host = cluster->server_url();
    config.ca_pem = cluster->ca_pem();
    config.token = cluster->token();
  }

  std::unique_ptr<Client> Connect() const {
    ClientOptions options;
    options.jitter_seed = 1;
    return Client::Connect(config, SystemEnv(), options);
  }

  // A lock that renews fast enough for a test to watch: 2 s leases, renewed every 300 ms.
  std::unique_ptr<LeaseLock> Lock(const std::string& holder, WallClock now = {},
                                  milliseconds timeout = milliseconds(0)) const {
    LeaseLockOptions options;
    options.holder_identity = holder;
    options.lease_duration = seconds(2);
    options.renew_interval = milliseconds(300);
    options.poll_interval = milliseconds(100);
    options.timeout = timeout;
    options.now = std::move(now);
    ClientOptions client_options;
    client_options.jitter_seed = 1;
    return std::make_unique<LeaseLock>(config, SystemEnv(), client_options, options);
  }

  // A lock |holder| has taken (REQUIREd).
  std::unique_ptr<LeaseLock> Taken(const std::string& holder, WallClock now = {}) const {
    auto lock = Lock(holder, std::move(now));
    std::string error;
    bool taken = lock->Acquire(&error);
    INFO(error);
    REQUIRE(taken);
    return lock;
  }

  json Lease() const { return cluster->Get("leases", kLockNamespace, kLockName); }

  // Writes as another client would, without our lock code.
  devcluster::LocalResponse Send(const std::string& method, const std::string& target,
                                 const json& body = nullptr) {
    devcluster::LocalRequest request;
    request.method = method;
    request.target = target;
    request.body = body.is_null() ? "" : body.dump();
    request.user = "kubernetes-admin";
    request.groups = {"system:masters", "system:authenticated"};
    return cluster->Call(request);
  }

  void MakeNamespace() {
    json ns = {
        {"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kLockNamespace}}}};
    REQUIRE(Send("POST", "/api/v1/namespaces", ns).status == 201);
  }

  // A Lease as another holder left it.
  json PutLease(const std::string& holder, const std::string& acquired, const std::string& renewed,
                int duration, int transitions) {
    json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", kLockName}, {"namespace", kLockNamespace}}},
                  {"spec",
                   {{"holderIdentity", holder},
                    {"acquireTime", acquired},
                    {"renewTime", renewed},
                    {"leaseDurationSeconds", duration},
                    {"leaseTransitions", transitions}}}};
    // A lock being renewed meanwhile makes the update conflict: read again and retry.
    for (int attempt = 0; attempt < 10; ++attempt) {
      json current = Lease();
      devcluster::LocalResponse r;
      if (current.is_null()) {
        r = Send("POST", kLeasePath, lease);
      } else {
        lease["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"];
        r = Send("PUT", std::string(kLeasePath) + "/" + kLockName, lease);
      }
      if (r.status == 200 || r.status == 201)
        return json::parse(r.body);
      INFO(r.body);
      REQUIRE(r.status == 409);
    }
    FAIL("the Lease kept changing");
    return nullptr;
  }

  std::unique_ptr<DevCluster> cluster;
  RestConfig config;
};

// Waits up to |limit| for |condition|; how long it took, or nullopt.
std::optional<milliseconds> Within(milliseconds limit, const std::function<bool()>& condition) {
  auto start = steady_clock::now();
  while (steady_clock::now() - start < limit) {
    if (condition())
      return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
    std::this_thread::sleep_for(milliseconds(10));
  }
  return std::nullopt;
}

// How long until |lock| reports lost (REQUIREd within 3 s).
milliseconds TimeToLoss(const LeaseLock& lock) {
  std::optional<milliseconds> noticed = Within(milliseconds(3000), [&] { return lock.lost(); });
  REQUIRE(noticed);
  return *noticed;
}

WallClock FixedClock(const std::string& rfc3339) {
  system_clock::time_point t = At(rfc3339);
  return [t] { return t; };
}

// --- without a server ------------------------------------------------------------------------

TEST_CASE("lease lock: MicroTime is RFC 3339 with microseconds, and parses what servers send") {
  system_clock::time_point t = At("2026-11-26T20:01:02.123456Z");
  CHECK(FormatMicroTime(t) == "2026-11-26T20:01:02.123456Z");
  CHECK(FormatMicroTime(At("2026-11-26T20:01:02Z")) == "2026-11-26T20:01:02.000000Z");
  CHECK(At("2026-11-26T21:01:02.123456+01:00") == t);
  CHECK(At("2026-11-26T20:01:02.1234569Z") == t);  // past the microsecond: dropped, as Go does
  CHECK(At("2026-11-26T20:01:02.5Z") == At("2026-11-26T20:01:02.500000Z"));
  CHECK_FALSE(ParseMicroTime("2026-11-26 20:01:02"));
  CHECK_FALSE(ParseMicroTime(""));
  CHECK_FALSE(ParseMicroTime("2026-11-26T20:01:02.Z"));
  for (const char* text : {"1999-12-31T23:59:59.999999Z", "2026-01-01T00:00:00.000001Z"})
    CHECK(FormatMicroTime(At(text)) == text);
}

TEST_CASE("lease lock: a lease expires when renewTime plus its duration has passed") {
  json lease = {{"metadata", {{"uid", "u1"}, {"resourceVersion", "7"}}},
                {"spec",
                 {{"holderIdentity", "alice@ci-7 pid 4242"},
                  {"acquireTime", "2026-11-26T20:01:02.000000Z"},
                  {"renewTime", "2026-11-26T20:05:00.000000Z"},
                  {"leaseDurationSeconds", 60},
                  {"leaseTransitions", 2}}}};
  LockInfo info = LockInfoOf(lease, At("2026-11-26T20:06:00Z"));
  CHECK(info.holder == "alice@ci-7 pid 4242");
  CHECK(info.acquire_time == At("2026-11-26T20:01:02Z"));
  CHECK(info.renew_time == At("2026-11-26T20:05:00Z"));
  CHECK(info.lease_duration == seconds(60));
  CHECK(info.transitions == 2);
  CHECK(info.uid == "u1");
  CHECK(info.resource_version == "7");
  CHECK_FALSE(info.expired);  // exactly at the end: not yet
  CHECK(LockInfoOf(lease, At("2026-11-26T20:06:00.000001Z")).expired);
  CHECK_FALSE(LockInfoOf(lease, At("2026-11-26T20:05:30Z")).expired);

  json released = lease;
  released["spec"]["holderIdentity"] = "";
  CHECK(LockInfoOf(released, At("2026-11-26T20:05:30Z")).expired);
  json garbled = lease;
  garbled["spec"]["renewTime"] = nullptr;
  CHECK(LockInfoOf(garbled, At("2026-11-26T20:05:30Z")).expired);
}

TEST_CASE("lease lock: the default holder identity is user@host pid N run R") {
  std::string id = DefaultHolderIdentity();
  std::string pid = " pid " + std::to_string(getpid()) + " run ";
  size_t at_pid = id.find(pid);
  REQUIRE(at_pid != std::string::npos);
  std::string run = id.substr(at_pid + pid.size());
  CHECK(run.size() == 8);
  CHECK(run.find_first_not_of("0123456789abcdef") == std::string::npos);
  size_t at = id.find('@');
  REQUIRE(at != std::string::npos);
  CHECK(at > 0);
  CHECK(at + 1 < at_pid);
  // Two runs on one host with one pid (containers) still differ.
  CHECK(DefaultHolderIdentity() != id);
}

// --- against the dev cluster -----------------------------------------------------------------

TEST_CASE("lease lock: acquire on a fresh cluster creates the namespace and the Lease") {
  LeaseLockOptions defaults;
  CHECK(defaults.lease_duration == seconds(60));
  CHECK(defaults.renew_interval == milliseconds(20000));
  CHECK(defaults.timeout == milliseconds(0));

  Cluster c;
  REQUIRE(c.cluster->Get("namespaces", "", kLockNamespace).is_null());
  auto lock = c.Taken("alice@ci-7 pid 4242", FixedClock("2026-11-26T20:01:02.123456Z"));
  std::string error;
  CHECK(lock->held());
  CHECK_FALSE(lock->lost());
  CHECK_FALSE(c.cluster->Get("namespaces", "", kLockNamespace).is_null());
  json spec = c.Lease()["spec"];
  CHECK(spec["holderIdentity"] == "alice@ci-7 pid 4242");
  CHECK(spec["acquireTime"] == "2026-11-26T20:01:02.123456Z");
  CHECK(spec["renewTime"] == "2026-11-26T20:01:02.123456Z");
  CHECK(spec["leaseDurationSeconds"] == 2);
  CHECK(spec["leaseTransitions"] == 0);
}

// The requests of the log other than renewals (PUTs of the holder's own thread).
std::vector<devcluster::RequestRecord> Unrenewed(const DevCluster& cluster) {
  std::vector<devcluster::RequestRecord> out;
  for (const devcluster::RequestRecord& r : cluster.RequestLog())
    if (r.method != "PUT")
      out.push_back(r);
  return out;
}

TEST_CASE("lease lock: a free lock costs one request, a held one is read after the create fails") {
  Cluster c;
  c.MakeNamespace();
  c.cluster->ClearRequestLog();
  auto first = c.Taken("alice@ci-7 pid 4242");
  std::vector<devcluster::RequestRecord> log = Unrenewed(*c.cluster);
  REQUIRE(log.size() == 1);
  CHECK(log[0].method == "POST");
  CHECK(log[0].status == 201);

  c.cluster->ClearRequestLog();
  auto second = c.Lock("bob@laptop pid 7");
  std::string error;
  CHECK_FALSE(second->Acquire(&error));
  CHECK_THAT(error, Catch::Contains("held by alice@ci-7 pid 4242"));
  log = Unrenewed(*c.cluster);
  REQUIRE(log.size() == 2);
  CHECK((log[0].method == "POST" && log[0].status == 409));
  CHECK((log[1].method == "GET" && log[1].status == 200));
}

TEST_CASE("lease lock: a create whose answer is lost is found to be ours by reading the Lease") {
  // The server makes the Lease, then closes the connection mid-response.
  Cluster c("create:leases:drop=1");
  c.MakeNamespace();
  auto lock = c.Taken("alice@ci-7 pid 4242");
  CHECK(lock->held());
  CHECK(c.Lease()["spec"]["holderIdentity"] == "alice@ci-7 pid 4242");
}

TEST_CASE("lease lock: a create the server keeps failing reports the server's error") {
  Cluster c("create:leases:status=500");
  c.MakeNamespace();
  auto lock = c.Lock("alice@ci-7 pid 4242");
  std::string error;
  CHECK_FALSE(lock->Acquire(&error));
  CHECK_THAT(error, Catch::Contains("creating the apply lock"));
  CHECK_THAT(error, Catch::Contains("injected fault"));
  CHECK_FALSE(lock->held());
}

TEST_CASE("lease lock: a second taker with no timeout fails at once, naming holder and since") {
  Cluster c;
  WallClock clock = FixedClock("2026-11-26T20:01:02.123456Z");
  auto alice = c.Taken("alice@ci-7 pid 4242", clock);
  std::string error;

  auto bob = c.Lock("bob@laptop pid 17", clock);
  auto start = steady_clock::now();
  CHECK_FALSE(bob->Acquire(&error));
  CHECK(steady_clock::now() - start < milliseconds(100));  // no poll
  CHECK(error ==
        "the apply lock (Lease starform-system/starform-apply) is held by alice@ci-7 pid 4242 "
        "since 2026-11-26T20:01:02Z; wait for it, or break it with kubectl starform unlock");
  CHECK_FALSE(bob->held());
  CHECK(c.Lease()["spec"]["holderIdentity"] == "alice@ci-7 pid 4242");
}

TEST_CASE("lease lock: with a timeout, a taker waits and gets the lock once it is released") {
  Cluster c;
  auto alice = c.Taken("alice@ci-7 pid 4242");
  std::string error;

  auto bob = c.Lock("bob@laptop pid 17", {}, milliseconds(5000));
  std::atomic<bool> released{false};
  bool bob_saw_release = false;
  std::string bob_error;
  std::thread taker([&] {
    bool got = bob->Acquire(&bob_error);
    bob_saw_release = got && released;
  });
  std::this_thread::sleep_for(milliseconds(700));
  released = true;
  REQUIRE(alice->Release(&error));
  taker.join();
  INFO(bob_error);
  CHECK(bob_saw_release);
  CHECK(c.Lease()["spec"]["holderIdentity"] == "bob@laptop pid 17");
}

TEST_CASE("lease lock: a taker that waits in vain says how long it waited") {
  Cluster c;
  WallClock clock = FixedClock("2026-11-26T20:01:02.123456Z");
  auto alice = c.Taken("alice@ci-7 pid 4242", clock);
  std::string error;
  auto bob = c.Lock("bob@laptop pid 17", clock, milliseconds(600));
  auto start = steady_clock::now();
  CHECK_FALSE(bob->Acquire(&error));
  CHECK(steady_clock::now() - start >= milliseconds(600));
  CHECK(error ==
        "the apply lock (Lease starform-system/starform-apply) is still held by alice@ci-7 pid "
        "4242 since 2026-11-26T20:01:02Z after waiting 600ms; wait longer (--lock-timeout), or "
        "break it with kubectl starform unlock");
}

TEST_CASE("lease lock: an expired lease is taken over, one still running is not") {
  Cluster c;
  c.MakeNamespace();
  // Renewed 59 s before "now" with a 60 s lease: still held.
  json old = c.PutLease("carol@old pid 7", "2026-11-26T19:00:00.000000Z",
                        "2026-11-26T19:59:01.000000Z", 60, 3);
  std::string error;
  auto bob = c.Lock("bob@laptop pid 17", FixedClock("2026-11-26T20:00:00Z"));
  CHECK_FALSE(bob->Acquire(&error));
  CHECK(error.find("held by carol@old pid 7 since 2026-11-26T19:00:00Z") != std::string::npos);

  // Two seconds later it has expired.
  bob = c.Lock("bob@laptop pid 17", FixedClock("2026-11-26T20:00:02Z"));
  REQUIRE(bob->Acquire(&error));
  json lease = c.Lease();
  CHECK(lease["metadata"]["uid"] == old["metadata"]["uid"]);  // an update, not a new Lease
  CHECK(lease["spec"]["holderIdentity"] == "bob@laptop pid 17");
  CHECK(lease["spec"]["acquireTime"] == "2026-11-26T20:00:02.000000Z");
  CHECK(lease["spec"]["leaseTransitions"] == 4);
  CHECK(lease["spec"]["leaseDurationSeconds"] == 2);
}

TEST_CASE("lease lock: of takers racing for an expired lease, exactly one wins") {
  Cluster c;
  c.MakeNamespace();
  for (int round = 0; round < 5; ++round) {
    c.PutLease("carol@old pid 7", "2026-11-26T19:00:00.000000Z", "2026-11-26T19:00:00.000000Z", 60,
               round);
    WallClock clock = FixedClock("2026-11-26T20:00:00Z");
    std::vector<std::unique_ptr<LeaseLock>> locks;
    for (int i = 0; i < 4; ++i)
      locks.push_back(c.Lock("taker" + std::to_string(i) + "@host pid 1", clock));
    std::vector<int> won(locks.size(), 0);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < locks.size(); ++i) {
      threads.emplace_back([&, i] {
        std::string error;
        won[i] = locks[i]->Acquire(&error) ? 1 : 0;
      });
    }
    for (std::thread& t : threads)
      t.join();
    int winners = 0;
    std::string holder = c.Lease()["spec"]["holderIdentity"];
    for (size_t i = 0; i < locks.size(); ++i) {
      winners += won[i];
      if (won[i] != 0)
        CHECK(holder == "taker" + std::to_string(i) + "@host pid 1");
    }
    CHECK(winners == 1);
    CHECK(c.Lease()["spec"]["leaseTransitions"] == round + 1);
    for (auto& lock : locks)
      lock.reset();  // the winner deletes the Lease
    REQUIRE(c.Lease().is_null());
  }
}

TEST_CASE("lease lock: renewal advances renewTime and keeps acquireTime") {
  Cluster c;
  auto lock = c.Taken("alice@ci-7 pid 4242");
  std::string error;
  json first = c.Lease();
  std::this_thread::sleep_for(milliseconds(1000));
  json later = c.Lease();
  CHECK(later["spec"]["acquireTime"] == first["spec"]["acquireTime"]);
  CHECK(later["metadata"]["resourceVersion"] != first["metadata"]["resourceVersion"]);
  system_clock::time_point renewed_first = At(first["spec"]["renewTime"]);
  system_clock::time_point renewed_later = At(later["spec"]["renewTime"]);
  CHECK(renewed_later - renewed_first >= milliseconds(500));
  CHECK_FALSE(lock->lost());
  CHECK(lock->LostReason().empty());
}

TEST_CASE("lease lock: lost when someone else takes the Lease, and release leaves theirs alone") {
  Cluster c;
  auto lock = c.Taken("alice@ci-7 pid 4242");
  std::string error;
  c.PutLease("mallory@elsewhere pid 9", "2026-11-26T20:00:00.000000Z",
             "2026-11-26T20:00:00.000000Z", 60, 1);
  // One renew interval (300 ms) at most, and some slack for a busy machine.
  CHECK(TimeToLoss(*lock) <= milliseconds(600));
  CHECK(lock->LostReason() ==
        "the apply lock (Lease starform-system/starform-apply) was taken while held: it is now "
        "held by mallory@elsewhere pid 9 since 2026-11-26T20:00:00Z");
  CHECK(lock->Release(&error));
  CHECK(c.Lease()["spec"]["holderIdentity"] == "mallory@elsewhere pid 9");
}

TEST_CASE("lease lock: lost when the Lease is deleted while held") {
  Cluster c;
  auto lock = c.Taken("alice@ci-7 pid 4242");
  std::string error;
  REQUIRE(c.Send("DELETE", std::string(kLeasePath) + "/" + kLockName).status == 200);
  CHECK(TimeToLoss(*lock) <= milliseconds(600));
  CHECK(lock->LostReason().find("was deleted while held") != std::string::npos);
}

TEST_CASE("lease lock: release deletes the Lease, and so does the destructor") {
  Cluster c;
  std::string error;
  auto lock = c.Lock("alice@ci-7 pid 4242");
  REQUIRE(lock->Acquire(&error));
  REQUIRE_FALSE(c.Lease().is_null());
  CHECK(lock->Release(&error));
  CHECK_FALSE(lock->held());
  CHECK(c.Lease().is_null());
  CHECK(lock->Release(&error));  // twice is harmless

  lock = c.Lock("alice@ci-7 pid 4242");
  REQUIRE(lock->Acquire(&error));
  REQUIRE_FALSE(c.Lease().is_null());
  lock.reset();
  CHECK(c.Lease().is_null());
}

TEST_CASE("lease lock: ReadLock says who holds it, and BreakLock deletes it") {
  Cluster c;
  auto client = c.Connect();
  Result<std::optional<LockInfo>> none = ReadLock(*client);
  REQUIRE(none);
  CHECK_FALSE(none.value());

  auto lock = c.Taken("alice@ci-7 pid 4242", FixedClock("2026-11-26T20:01:02.5Z"));
  std::string error;
  Result<std::optional<LockInfo>> read = ReadLock(*client, FixedClock("2026-11-26T20:01:04Z"));
  REQUIRE(read);
  REQUIRE(read.value());
  const LockInfo& info = *read.value();
  CHECK(info.holder == "alice@ci-7 pid 4242");
  CHECK(info.acquire_time == At("2026-11-26T20:01:02.5Z"));
  CHECK(info.renew_time == At("2026-11-26T20:01:02.5Z"));
  CHECK(info.lease_duration == seconds(2));
  CHECK_FALSE(info.expired);
  CHECK_FALSE(info.uid.empty());
  CHECK(ReadLock(*client, FixedClock("2026-11-26T20:01:05Z")).value()->expired);

  CHECK(BreakLock(*client, info, &error));
  CHECK(c.Lease().is_null());
  CHECK(Within(milliseconds(3000), [&] { return lock->lost(); }));
  CHECK(BreakLock(*client, info, &error));  // already gone
}

TEST_CASE("lease lock: BreakLock follows renewals but never deletes a lock taken meanwhile") {
  Cluster c;
  auto client = c.Connect();
  std::string error;
  auto alice = c.Lock("alice@ci-7 pid 4242");
  REQUIRE(alice->Acquire(&error));
  LockInfo read = *ReadLock(*client).value();

  SECTION("renewed since it was read: the same lock, broken") {
    REQUIRE(Within(milliseconds(3000), [&] {
      return c.Lease()["metadata"]["resourceVersion"] != read.resource_version;
    }));
    CHECK(BreakLock(*client, read, &error));
    CHECK(c.Lease().is_null());
  }
  SECTION("released and taken by another: a new Lease, left alone") {
    REQUIRE(alice->Release(&error));
    auto bob = c.Lock("bob@laptop pid 17", FixedClock("2026-11-26T20:30:00Z"));
    REQUIRE(bob->Acquire(&error));
    CHECK_FALSE(BreakLock(*client, read, &error));
    CHECK(error ==
          "the apply lock (Lease starform-system/starform-apply) changed since it was read: it is "
          "now held by bob@laptop pid 17 since 2026-11-26T20:30:00Z; it was not broken");
    CHECK(c.Lease()["spec"]["holderIdentity"] == "bob@laptop pid 17");
  }
  SECTION("taken over in place (same uid): left alone") {
    json taken = c.PutLease("mallory@elsewhere pid 9", "2026-11-26T20:00:00.000000Z",
                            "2026-11-26T20:00:00.000000Z", 60, 1);
    REQUIRE(taken["metadata"]["uid"] == read.uid);
    CHECK_FALSE(BreakLock(*client, read, &error));
    CHECK(error.find("now held by mallory@elsewhere pid 9") != std::string::npos);
    CHECK(c.Lease()["spec"]["holderIdentity"] == "mallory@elsewhere pid 9");
  }
}

TEST_CASE("lease lock: a renewal the API refuses marks the lock lost within one interval") {
  Cluster c("update:leases:status=503");
  auto lock = c.Lock("alice@ci-7 pid 4242");
  std::string error;
  REQUIRE(lock->Acquire(&error));  // a create, not an update
  std::optional<milliseconds> noticed = Within(milliseconds(3000), [&] { return lock->lost(); });
  REQUIRE(noticed);
  CHECK(*noticed <= milliseconds(700));  // first renewal at 300 ms, retries within 150 ms more
  std::string reason = lock->LostReason();
  CHECK(reason.find("renewing the apply lock") != std::string::npos);
  CHECK(reason.find(c.config.token) == std::string::npos);
}

TEST_CASE("lease lock: a renewal that hangs marks the lock lost within one interval") {
  Cluster c("update:leases:latency=3s");
  auto lock = c.Taken("alice@ci-7 pid 4242");
  std::string error;
  CHECK(TimeToLoss(*lock) <= milliseconds(800));
  CHECK(lock->LostReason().find(c.config.token) == std::string::npos);
}

}  // namespace
}  // namespace starform::kube
