// The fault-injection grammar and the injector's decisions: parsing, errors that name the
// column, rates that converge on the configured probability, and determinism by seed.

#include "devcluster/faults.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace starform::devcluster {
namespace {

using std::chrono::milliseconds;

FaultSpec Parse(const std::string& text) {
  FaultSpec spec;
  std::string error;
  INFO(text);
  REQUIRE(ParseFaultSpec(text, &spec, &error));
  CHECK(error.empty());
  return spec;
}

std::string ErrorOf(const std::string& text) {
  FaultSpec spec;
  std::string error;
  CHECK_FALSE(ParseFaultSpec(text, &spec, &error));
  return error;
}

TEST_CASE("faults: the documented example parses") {
  FaultSpec spec = Parse(
      "seed=42;list:httproutes:rate=0.2:status=503;patch:*:rate=0.1:status=429:retry-after=1;"
      "get:*:latency=30ms;*:*:drop=0.05;list:*:expire-continue=0.5;apply:gateways:conflict=1");
  CHECK(spec.seed == 42);
  REQUIRE(spec.rules.size() == 6);
  CHECK(spec.rules[0].verb == "list");
  CHECK(spec.rules[0].resource == "httproutes");
  CHECK(spec.rules[0].error_rate == 0.2);
  CHECK(spec.rules[0].status == 503);
  CHECK(spec.rules[0].column == 9);
  CHECK(spec.rules[1].status == 429);
  CHECK(spec.rules[1].retry_after_seconds == 1);
  CHECK(spec.rules[2].latency_min == milliseconds(30));
  CHECK(spec.rules[2].latency_max == milliseconds(30));
  CHECK(spec.rules[3].drop_rate == 0.05);
  CHECK(spec.rules[4].expire_continue_rate == 0.5);
  CHECK(spec.rules[5].conflict_rate == 1);
  CHECK(FormatFaultSpec(spec) ==
        "seed=42;list:httproutes:rate=0.2:status=503;patch:*:rate=0.1:status=429:retry-after=1;"
        "get:*:latency=30ms;*:*:drop=0.05;list:*:expire-continue=0.5;apply:gateways:conflict=1");
  CHECK(FormatFaultSpec(Parse(FormatFaultSpec(spec))) == FormatFaultSpec(spec));
}

TEST_CASE("faults: defaults, ranges, spaces and an empty spec") {
  FaultSpec spec = Parse(" get:services:status=500 ; watch:*:latency=1.5s-2m ;");
  CHECK(spec.seed == 0);
  REQUIRE(spec.rules.size() == 2);
  CHECK(spec.rules[0].error_rate == 1);  // a status without a rate always fails
  CHECK(spec.rules[1].latency_min == milliseconds(1500));
  CHECK(spec.rules[1].latency_max == milliseconds(120000));
  CHECK(FormatFaultSpec(spec) ==
        "seed=0;get:services:rate=1:status=500;watch:*:latency=1500ms-120s");
  CHECK(Parse("").rules.empty());
  CHECK(Parse("seed=7").rules.empty());
}

TEST_CASE("faults: parse errors name the column and the clause") {
  CHECK(ErrorOf("seed=1;patch:*:rat=0.1") ==
        "column 16 (in \"patch:*:rat=0.1\"): unknown setting \"rat\"; expected rate, status, "
        "retry-after, latency, drop, expire-continue or conflict");
  CHECK(ErrorOf("post:*:status=500") ==
        "column 1 (in \"post:*:status=500\"): unknown verb \"post\"; expected get, list, watch, "
        "create, update, patch, apply, delete, deletecollection or *");
  CHECK(ErrorOf("get:HTTPRoutes:status=500") ==
        "column 5 (in \"get:HTTPRoutes:status=500\"): \"HTTPRoutes\" is not a resource; expected "
        "a plural such as httproutes, or *");
  CHECK(ErrorOf("get:*:rate=1.5:status=500") ==
        "column 12 (in \"get:*:rate=1.5:status=500\"): rate must be a probability from 0 to 1, "
        "got \"1.5\"");
  CHECK(ErrorOf("get:*:status=404") ==
        "column 14 (in \"get:*:status=404\"): status must be 429, 500 or 503, got \"404\"");
  CHECK(ErrorOf("get:*:rate=0.5") ==
        "column 7 (in \"get:*:rate=0.5\"): rate needs a status (429, 500 or 503)");
  CHECK(ErrorOf("get:*:latency=5ms:retry-after=2") ==
        "column 19 (in \"get:*:latency=5ms:retry-after=2\"): retry-after needs a status (429, "
        "500 or 503)");
  CHECK(ErrorOf("get:*:conflict=1") ==
        "column 7 (in \"get:*:conflict=1\"): conflict applies to writes, not get");
  CHECK(ErrorOf("watch:*:expire-continue=1") ==
        "column 9 (in \"watch:*:expire-continue=1\"): expire-continue applies to list requests, "
        "not watch");
  CHECK(ErrorOf("get:*:latency=200ms-10ms") ==
        "column 15 (in \"get:*:latency=200ms-10ms\"): the latency range 200ms-10ms is backwards");
  CHECK(ErrorOf("get:*:latency=30") ==
        "column 15 (in \"get:*:latency=30\"): latency must be a duration such as 30ms, 1.5s or "
        "2m, or a range such as 10ms-200ms (whole milliseconds, at most 1h), got \"30\"");
  CHECK(ErrorOf("get:*:drop=0.1:drop=0.2") ==
        "column 16 (in \"get:*:drop=0.1:drop=0.2\"): \"drop\" is given twice");
  CHECK(ErrorOf("get:*:drop") == "column 7 (in \"get:*:drop\"): expected name=value, got \"drop\"");
  CHECK(ErrorOf("seed=1;seed=2") == "column 8 (in \"seed=2\"): seed is given twice");
  CHECK(ErrorOf("seed=x") == "column 6 (in \"seed=x\"): the seed must be a non-negative integer");
  CHECK(ErrorOf("get:*:drop=1;;list:*:drop=1") == "column 14 (in \"\"): empty clause");
  CHECK(ErrorOf("get:*") ==
        "column 1 (in \"get:*\"): a clause is verb:resource:setting[:setting...] or seed=N");
}

int CountStatus(FaultInjector& injector, const std::string& verb, const std::string& resource,
                int requests) {
  int hits = 0;
  for (int i = 0; i < requests; ++i)
    hits += injector.Decide(verb, resource).status != 0;
  return hits;
}

TEST_CASE("faults: rates converge on the configured probability") {
  FaultInjector injector(
      Parse("seed=42;list:httproutes:rate=0.2:status=503;*:*:drop=0.05;apply:gateways:conflict=0.3;"
            "list:*:expire-continue=0.5"));
  constexpr int kRequests = 100000;
  CHECK(std::abs(CountStatus(injector, "list", "httproutes", kRequests) - 20000) < 600);
  // Other resources do not get the httproutes error.
  CHECK(CountStatus(injector, "list", "gateways", 1000) == 0);

  int drops = 0, conflicts = 0, expired = 0;
  for (int i = 0; i < kRequests; ++i) {
    FaultDecision d = injector.Decide("apply", "gateways");
    drops += d.drop_connection;
    conflicts += d.write_conflict;
    CHECK_FALSE(d.expire_continue);  // not a list
    expired += injector.Decide("list", "services").expire_continue;
  }
  CHECK(std::abs(drops - 5000) < 300);
  CHECK(std::abs(conflicts - 30000) < 700);
  CHECK(std::abs(expired - 50000) < 800);
}

TEST_CASE("faults: the same seed and sequence give the same decisions") {
  const std::string kSpec =
      "patch:*:rate=0.3:status=429:retry-after=2;get:*:latency=10ms-50ms;*:*:drop=0.2";
  FaultInjector a(Parse("seed=7;" + kSpec)), b(Parse("seed=7;" + kSpec)),
      other(Parse("seed=8;" + kSpec));
  std::vector<FaultDecision> from_a, from_b, from_other;
  for (int i = 0; i < 500; ++i) {
    from_a.push_back(a.Decide("patch", "httproutes"));
    from_a.push_back(a.Decide("get", "gateways"));
    // b sees the same per-pair sequences, interleaved differently and with other traffic.
    from_b.push_back(b.Decide("get", "gateways"));
    from_b.push_back(b.Decide("patch", "httproutes"));
    b.Decide("list", "services");
    from_other.push_back(other.Decide("patch", "httproutes"));
    from_other.push_back(other.Decide("get", "gateways"));
  }
  for (size_t i = 0; i < from_a.size(); i += 2)
    std::swap(from_b[i], from_b[i + 1]);
  CHECK(from_a == from_b);
  CHECK(from_a != from_other);
  // Decide is DecideAt with a per-pair counter.
  CHECK(a.DecideAt("patch", "httproutes", 0) == from_a[0]);
  CHECK(a.DecideAt("get", "gateways", 499) == from_a[999]);
}

TEST_CASE("faults: concurrent requests of one pair get each decision once") {
  FaultInjector injector(Parse("seed=3;create:*:rate=0.25:status=500"));
  constexpr int kThreads = 4, kEach = 2000;
  std::vector<int> hits(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] { hits[t] = CountStatus(injector, "create", "secrets", kEach); });
  }
  for (std::thread& thread : threads)
    thread.join();
  int expected = 0;
  for (int n = 0; n < kThreads * kEach; ++n) {
    expected += injector.DecideAt("create", "secrets", n).status != 0;
  }
  int total = 0;
  for (int h : hits)
    total += h;
  CHECK(total == expected);
}

TEST_CASE("faults: what a decision holds") {
  FaultInjector injector(Parse(
      "seed=1;get:*:latency=10ms-20ms;get:services:latency=5ms;get:*:status=503:retry-after=4;"
      "get:*:status=500;patch:secrets:status=429"));
  bool saw_min = false, saw_max = false;
  for (int i = 0; i < 2000; ++i) {
    FaultDecision d = injector.Decide("get", "services");
    CHECK(d.latency >= milliseconds(15));  // the clauses' latencies add up
    CHECK(d.latency <= milliseconds(25));
    saw_min |= d.latency == milliseconds(15);
    saw_max |= d.latency == milliseconds(25);
    // The first matching clause with an error decides it.
    CHECK(d.status == 503);
    CHECK(d.retry_after_seconds == 4);
  }
  CHECK(saw_min);
  CHECK(saw_max);
  CHECK(injector.Decide("get", "secrets").latency >= milliseconds(10));
  // A patch clause covers server-side apply; no clause covers list here.
  CHECK(injector.Decide("apply", "secrets").status == 429);
  CHECK(injector.Decide("patch", "secrets").status == 429);
  CHECK_FALSE(injector.Decide("list", "secrets").any());

  FaultInjector apply_only(Parse("apply:*:status=500"));
  CHECK(apply_only.Decide("apply", "gateways").status == 500);
  CHECK(apply_only.Decide("patch", "gateways").status == 0);

  FaultInjector none(Parse(""));
  CHECK_FALSE(none.Decide("get", "services").any());
}

TEST_CASE("faults: a dropped connection sends part of the body") {
  FaultInjector injector(Parse("seed=5;get:*:drop=1"));
  for (int i = 0; i < 200; ++i) {
    FaultDecision d = injector.Decide("get", "configmaps");
    REQUIRE(d.drop_connection);
    CHECK(d.drop_fraction >= 0);
    CHECK(d.drop_fraction < 1);
    size_t sent = d.DropAfter(1000);
    CHECK(sent >= 1);
    CHECK(sent <= 999);
    CHECK(d.DropAfter(2) == 1);
    CHECK(d.DropAfter(0) == 0);
  }
}

}  // namespace
}  // namespace starform::devcluster
