// The REST client's retry policy against a scripted transport in virtual time: which failures
// are retried for which calls, the exact backoff bounds for a fixed jitter seed, Retry-After,
// the attempt and total-time limits, the 401 refresh, restarting a list whose continue token
// expired, and cancellation. Then the same against the dev cluster's fault injector
// (docs/devcluster-faults.md) over real HTTPS, each count predicted from the fault seed.

#include <catch2/catch.hpp>
#include <set>

#include "devcluster/faults.h"
#include "devcluster/server.h"
#include "kube/client.h"

namespace starform::kube {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using Clock = Transport::Clock;

// Answers each request from |answer|, in order of not_before, without waiting: time is
// virtual, so a test of a 3 s Retry-After takes no 3 s. Records what was sent and how long the
// client asked it to wait first.
class FakeTransport : public Transport {
 public:
  struct Sent {
    HttpRequest request;
    milliseconds delay{0};  ///< not_before minus the time of Submit, rounded up
  };

  std::function<HttpResponse(const HttpRequest&)> answer;
  std::vector<Sent> sent;

  void Submit(HttpRequest request, Callback done, Clock::time_point not_before) override {
    milliseconds delay{0};
    if (not_before != Clock::time_point{})
      delay = std::chrono::ceil<milliseconds>(not_before - Clock::now());
    queue_.push_back({std::move(request), std::move(done), not_before, delay});
  }

  void Run() override {
    while (!queue_.empty()) {
      auto next = std::min_element(
          queue_.begin(), queue_.end(),
          [](const Queued& a, const Queued& b) { return a.not_before < b.not_before; });
      Queued q = std::move(*next);
      queue_.erase(next);
      if (stop_) {
        HttpResponse r;
        r.cancelled = r.not_sent = true;
        r.error = "not started: stopping";
        q.done(std::move(r));
        continue;
      }
      sent.push_back({q.request, q.delay});
      q.done(answer(q.request));
    }
  }

  void StopStarting() override { stop_ = true; }

 private:
  struct Queued {
    HttpRequest request;
    Callback done;
    Clock::time_point not_before;
    milliseconds delay;
  };
  std::vector<Queued> queue_;
  bool stop_ = false;
};

// Bearer tokens "tok-N", N the generation; a 401 to the current one moves to the next when
// |refreshable| (as an exec plugin's), never for a static token.
class FakeCredentials : public CredentialProvider {
 public:
  explicit FakeCredentials(bool refreshable) : refreshable_(refreshable) {}
  Credentials Get() override {
    Credentials c;
    c.authorization = "Bearer tok-" + std::to_string(generation_);
    c.generation = generation_;
    return c;
  }
  bool OnUnauthorized(uint64_t generation) override {
    if (!refreshable_)
      return false;
    if (generation == generation_)
      ++generation_;
    return true;
  }

 private:
  bool refreshable_;
  uint64_t generation_ = 0;
};

HttpResponse Reply(int status, json body = json::object()) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

HttpResponse StatusReply(int status, const std::string& reason, const std::string& message,
                         json details = json::object()) {
  return Reply(status, {{"kind", "Status"},
                        {"apiVersion", "v1"},
                        {"status", "Failure"},
                        {"reason", reason},
                        {"message", message},
                        {"details", details},
                        {"code", status}});
}

HttpResponse ServiceUnavailable() {
  return StatusReply(503, "ServiceUnavailable",
                     "the server is currently unable to handle the request");
}

HttpResponse InternalError() {
  return StatusReply(500, "InternalError", "Internal error occurred: injected fault");
}

HttpResponse Lost(bool not_sent) {
  HttpResponse r;
  r.error = not_sent ? "Failed to connect to 10.0.0.1 port 6443: Connection refused"
                     : "Recv failure: Connection reset by peer";
  r.not_sent = not_sent;
  return r;
}

std::string AuthorizationOf(const HttpRequest& r) {
  for (const auto& [name, value] : r.headers) {
    if (name == "Authorization")
      return value;
  }
  return "";
}

// Backoff from 100 ms, capped at 1 s; a fixed jitter seed.
ClientOptions Options(uint64_t jitter_seed = 7) {
  ClientOptions options;
  options.jitter_seed = jitter_seed;
  options.retry.base = milliseconds(100);
  options.retry.cap = milliseconds(1000);
  return options;
}

struct Fixture {
  FakeTransport* transport = nullptr;
  std::unique_ptr<Client> client;

  explicit Fixture(ClientOptions options = Options(), bool refreshable = false) {
    auto t = std::make_unique<FakeTransport>();
    transport = t.get();
    RestConfig config;
    config.host = "https://cluster.test:6443";
    client = std::make_unique<Client>(config, std::move(t),
                                      std::make_unique<FakeCredentials>(refreshable), options);
  }
  // Answers the n-th request (from 0) with replies[n], and 200 {} after the last.
  void Script(std::vector<HttpResponse> replies) {
    transport->answer = [replies = std::move(replies), n = size_t{0}](const HttpRequest&) mutable {
      return n < replies.size() ? replies[n++] : Reply(200, {{"kind", "ConfigMap"}});
    };
  }
  std::vector<milliseconds> Delays() const {
    std::vector<milliseconds> out;
    for (const auto& s : transport->sent)
      out.push_back(s.delay);
    return out;
  }
};

// Creates ConfigMap |name| in "default": not idempotent, so retried only when it cannot have
// reached the server.
Result<HttpResponse> Create(Client& client, const std::string& name) {
  Client::Call call = Client::Call::Of(
      "POST", "/api/v1/namespaces/default/configmaps",
      json{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}}.dump(),
      "application/json");
  call.idempotent = false;
  std::optional<Result<HttpResponse>> out;
  client.Start(call, [&out](Result<HttpResponse> r) { out.emplace(std::move(r)); });
  client.Run();
  return std::move(*out);
}

const ResourceRef kConfigMaps{"", "v1", "configmaps", true};

// A send that failed on a pooled connection the server had closed while it sat idle.
HttpResponse DeadPooledConnection() {
  HttpResponse r;
  r.error = "Send failure: Broken pipe";
  r.not_sent = r.reused_connection = true;
  return r;
}

TEST_CASE("retry: a request lost on a dead pooled connection goes again at once, on a new one") {
  SECTION("a create, which is otherwise never retried after it may have been sent") {
    Fixture f;
    f.Script({DeadPooledConnection()});
    REQUIRE(Create(*f.client, "cm").ok());
    REQUIRE(f.transport->sent.size() == 2);
    CHECK_FALSE(f.transport->sent[0].request.fresh_connection);
    CHECK(f.transport->sent[1].request.fresh_connection);
    CHECK(f.Delays() == std::vector<milliseconds>{milliseconds(0), milliseconds(0)});
  }
  SECTION("the lost try does not use up the last attempt") {
    ClientOptions options = Options();
    options.retry.max_attempts = 2;
    Fixture f(options);
    f.Script({InternalError(), DeadPooledConnection(), InternalError()});
    Result<json> r = f.client->Get(kConfigMaps, "ns", "cm");
    REQUIRE_FALSE(r.ok());
    // The last answer is the server's, not the dead connection's.
    CHECK(r.error().message == "Internal error occurred: injected fault (after 2 attempts)");
    REQUIRE(f.transport->sent.size() == 3);
    CHECK(f.transport->sent[2].request.fresh_connection);
  }
  SECTION("only once: a second loss is an attempt like any other") {
    Fixture f;
    f.Script({DeadPooledConnection(), DeadPooledConnection()});
    REQUIRE(Create(*f.client, "cm").ok());
    REQUIRE(f.transport->sent.size() == 3);
    CHECK(f.transport->sent[2].delay > milliseconds(0));
  }
}

TEST_CASE("retry: 503 and 500 on a GET are retried until it succeeds, each try counted") {
  Fixture f;
  f.Script({ServiceUnavailable(), ServiceUnavailable(), InternalError()});
  Result<json> r = f.client->Get(kConfigMaps, "ns", "cm");
  REQUIRE(r.ok());
  CHECK(r.value()["kind"] == "ConfigMap");
  CHECK(f.client->requests_sent() == 4);
  REQUIRE(f.transport->sent.size() == 4);
  for (const auto& s : f.transport->sent)
    CHECK(s.request.path == "/api/v1/namespaces/ns/configmaps/cm");
}

TEST_CASE("retry: server-side apply is idempotent, so a 500 or 503 is retried") {
  Fixture f;
  f.Script({InternalError(), ServiceUnavailable()});
  Result<json> r = f.client->Apply(kConfigMaps, "ns", "cm", "{}", {});
  REQUIRE(r.ok());
  CHECK(f.client->requests_sent() == 3);
  CHECK(f.transport->sent[2].request.method == "PATCH");
}

TEST_CASE("retry: a failed page of a list is retried from the same continue token") {
  Fixture f;
  f.transport->answer = [n = 0](const HttpRequest& r) mutable -> HttpResponse {
    ++n;
    if (r.path.find("continue=") == std::string::npos)
      return Reply(200, {{"items", {{{"n", 1}}}}, {"metadata", {{"continue", "page2"}}}});
    if (n == 2)
      return ServiceUnavailable();
    return Reply(200, {{"items", {{{"n", 2}}}}, {"metadata", json::object()}});
  };
  Result<std::vector<json>> items = f.client->List(kConfigMaps, "ns");
  REQUIRE(items.ok());
  CHECK(items.value() == std::vector<json>{{{"n", 1}}, {{"n", 2}}});
  REQUIRE(f.transport->sent.size() == 3);
  CHECK(f.transport->sent[1].request.path == f.transport->sent[2].request.path);
}

TEST_CASE("retry: backoff is capped exponential with equal jitter, the same for the same seed") {
  ClientOptions options = Options(7);
  options.retry.max_attempts = 7;
  Fixture f(options);
  f.transport->answer = [](const HttpRequest&) { return ServiceUnavailable(); };
  Result<json> r = f.client->GetJson("/api/v1/namespaces/ns/configmaps/cm");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().reason == Reason::kServiceUnavailable);
  CHECK(r.error().code == 503);
  CHECK(f.client->requests_sent() == 7);
  // The error says it was retried, and how often.
  CHECK(r.error().Describe() ==
        "Error from server (ServiceUnavailable): the server is currently unable to handle the "
        "request (after 7 attempts)");

  std::vector<milliseconds> delays = f.Delays();
  REQUIRE(delays.size() == 7);
  CHECK(delays[0] == milliseconds(0));
  // Retry k waits between half and all of min(base * 2^(k-1), cap).
  const int64_t ceilings[] = {100, 200, 400, 800, 1000, 1000};
  for (int k = 1; k <= 6; ++k) {
    INFO("retry " << k << " waited " << delays[k].count() << " ms");
    CHECK(delays[k].count() >= ceilings[k - 1] / 2);
    CHECK(delays[k].count() <= ceilings[k - 1]);
  }

  Fixture same(options);
  same.transport->answer = f.transport->answer;
  REQUIRE_FALSE(same.client->GetJson("/api/v1/namespaces/ns/configmaps/cm").ok());
  CHECK(same.Delays() == delays);

  options.jitter_seed = 8;
  Fixture other(options);
  other.transport->answer = f.transport->answer;
  REQUIRE_FALSE(other.client->GetJson("/api/v1/namespaces/ns/configmaps/cm").ok());
  CHECK(other.Delays() != delays);
}

TEST_CASE("retry: a single attempt's error does not claim retries") {
  ClientOptions options = Options();
  options.retry.max_attempts = 1;
  Fixture f(options);
  f.Script({ServiceUnavailable()});
  Result<json> r = f.client->GetJson("/api/v1/namespaces/ns/configmaps/cm");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "the server is currently unable to handle the request");
  CHECK(f.client->requests_sent() == 1);
}

HttpResponse TooManyRequests(json details = json::object()) {
  return StatusReply(429, "TooManyRequests", "Too many requests, please try again later.", details);
}

TEST_CASE("retry: 429 waits at least Retry-After, for every verb") {
  SECTION("the Retry-After header, on a create") {
    Fixture f;
    HttpResponse busy = TooManyRequests();
    busy.headers.emplace_back("Retry-After", "3");
    f.Script({busy});
    CHECK(Create(*f.client, "new").ok());
    REQUIRE(f.transport->sent.size() == 2);
    CHECK(f.transport->sent[1].delay >= milliseconds(3000));
  }
  SECTION("retryAfterSeconds in the Status details") {
    Fixture f;
    f.Script({TooManyRequests({{"retryAfterSeconds", 2}})});
    REQUIRE(f.client->GetJson("/api/v1/namespaces/ns/configmaps/cm").ok());
    REQUIRE(f.transport->sent.size() == 2);
    CHECK(f.transport->sent[1].delay >= milliseconds(2000));
  }
  SECTION("a Retry-After past the total retry time ends the call at once") {
    ClientOptions options = Options();
    options.retry.max_total = milliseconds(60000);
    Fixture f(options);
    HttpResponse busy = TooManyRequests();
    busy.headers.emplace_back("Retry-After", "120");
    f.Script({busy});
    Result<json> r = f.client->GetJson("/api/v1/namespaces/ns/configmaps/cm");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().reason == Reason::kTooManyRequests);
    CHECK(r.error().retry_after == std::chrono::seconds(120));
    CHECK(f.client->requests_sent() == 1);
  }
}

TEST_CASE("retry: a non-idempotent call is retried only when it never reached the server") {
  SECTION("500: the server may have acted") {
    Fixture f;
    f.Script({InternalError()});
    Result<HttpResponse> r = Create(*f.client, "new");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().reason == Reason::kInternalError);
    CHECK(f.client->requests_sent() == 1);
  }
  SECTION("a connection lost after sending") {
    Fixture f;
    f.Script({Lost(false)});
    Result<HttpResponse> r = Create(*f.client, "new");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().reason == Reason::kTransport);
    CHECK(r.error().message == "Recv failure: Connection reset by peer");
    CHECK(f.client->requests_sent() == 1);
  }
  SECTION("a connection refused: never sent, so safe") {
    Fixture f;
    f.Script({Lost(true)});
    CHECK(Create(*f.client, "new").ok());
    CHECK(f.client->requests_sent() == 2);
  }
}

TEST_CASE("retry: a connection lost on an idempotent call is retried") {
  Fixture f;
  f.Script({Lost(false), Lost(true)});
  REQUIRE(f.client->Get(kConfigMaps, "ns", "cm").ok());
  CHECK(f.client->requests_sent() == 3);
}

TEST_CASE("retry: errors a retry cannot fix end the call at once") {
  for (int status : {400, 403, 404, 409, 422, 501}) {
    INFO("status " << status);
    Fixture f;
    f.Script({StatusReply(status, "", "no")});
    REQUIRE_FALSE(f.client->GetJson("/api/v1/namespaces/ns/configmaps/cm").ok());
    CHECK(f.client->requests_sent() == 1);
  }
}

TEST_CASE("retry: a 401 refreshes exec credentials and retries once with the new ones") {
  SECTION("refreshed credentials work") {
    Fixture f(Options(), /*refreshable=*/true);
    f.transport->answer = [](const HttpRequest& r) {
      return AuthorizationOf(r) == "Bearer tok-0" ? StatusReply(401, "Unauthorized", "Unauthorized")
                                                  : Reply(200);
    };
    REQUIRE(f.client->GetJson("/api/v1/namespaces/ns/configmaps/cm").ok());
    REQUIRE(f.transport->sent.size() == 2);
    CHECK(AuthorizationOf(f.transport->sent[1].request) == "Bearer tok-1");
    CHECK(f.transport->sent[1].delay == milliseconds(0));
  }
  SECTION("refreshed credentials refused too: one retry, not a loop") {
    Fixture f(Options(), /*refreshable=*/true);
    f.transport->answer = [](const HttpRequest&) {
      return StatusReply(401, "Unauthorized", "Unauthorized");
    };
    Result<json> r = f.client->GetJson("/api/v1/namespaces/ns/configmaps/cm");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().reason == Reason::kUnauthorized);
    CHECK(f.client->requests_sent() == 2);
  }
  SECTION("a static token is not retried") {
    Fixture f(Options(), /*refreshable=*/false);
    f.Script({StatusReply(401, "Unauthorized", "Unauthorized")});
    Result<json> r = f.client->GetJson("/api/v1/namespaces/ns/configmaps/cm");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().Describe() == "You must be logged in to the server (Unauthorized)");
    CHECK(f.client->requests_sent() == 1);
  }
}

// A LIST of |total| items, |limit| a page, whose continue tokens are "c<offset>"; the tokens
// listed in |expired| answer 410 the first time each is used, every token when |always_expire|.
std::function<HttpResponse(const HttpRequest&)> Lister(int total, int limit,
                                                       std::set<std::string> expired,
                                                       bool always_expire = false) {
  return [=](const HttpRequest& r) mutable -> HttpResponse {
    int offset = 0;
    size_t at = r.path.find("continue=");
    if (at != std::string::npos) {
      std::string token = r.path.substr(at + 9, r.path.find('&', at) - at - 9);
      if (always_expire || expired.erase(token) > 0) {
        return StatusReply(410, "Expired",
                           "The provided continue parameter is too old to display a consistent "
                           "list result. You can start a new list without the continue "
                           "parameter.");
      }
      offset = std::stoi(token.substr(1));
    }
    json page = {{"items", json::array()}, {"metadata", json::object()}};
    for (int i = offset; i < std::min(total, offset + limit); ++i)
      page["items"].push_back({{"metadata", {{"name", "cm-" + std::to_string(i)}}}});
    if (offset + limit < total)
      page["metadata"]["continue"] = "c" + std::to_string(offset + limit);
    return Reply(200, page);
  };
}

// The names a ListAsync of ConfigMaps delivered, counting restarts (each forgets what came
// before, as a caller must).
struct Paged {
  bool ok = false;
  std::vector<std::string> names;
  int restarts = 0;
};
Paged ListNames(Client& client, const std::string& ns, const ListOptions& options) {
  Paged out;
  client.ListAsync(
      kConfigMaps, ns, options,
      [&](json page) {
        for (const json& item : page["items"])
          out.names.push_back(item["metadata"]["name"]);
      },
      [&] {
        ++out.restarts;
        out.names.clear();
      },
      [&](Result<bool> r) { out.ok = r.ok(); });
  client.Run();
  return out;
}

TEST_CASE("retry: an expired continue token restarts the list from the beginning") {
  Fixture f;
  f.transport->answer = Lister(10, 4, {"c8"});
  ListOptions options;
  options.limit = 4;
  Paged list = ListNames(*f.client, "ns", options);
  REQUIRE(list.ok);
  CHECK(list.restarts == 1);
  CHECK(list.names.size() == 10);
  CHECK(std::set<std::string>(list.names.begin(), list.names.end()).size() == 10);
  // first, c4, c8 (410), then first, c4, c8 again.
  CHECK(f.client->requests_sent() == 6);
  CHECK(f.transport->sent[3].request.path.find("continue=") == std::string::npos);

  Fixture sync;
  sync.transport->answer = Lister(10, 4, {"c4"});
  Result<std::vector<json>> items = sync.client->List(kConfigMaps, "ns", options);
  REQUIRE(items.ok());
  CHECK(items.value().size() == 10);
}

TEST_CASE("retry: a list whose tokens keep expiring gives up with the 410") {
  Fixture f;
  f.transport->answer = Lister(10, 4, {}, /*always_expire=*/true);
  ListOptions options;
  options.limit = 4;
  int restarts = 0;
  std::optional<Result<bool>> done;
  f.client->ListAsync(
      kConfigMaps, "ns", options, [](json) {}, [&] { ++restarts; },
      [&](Result<bool> r) { done = r; });
  f.client->Run();
  REQUIRE(done);
  REQUIRE_FALSE(done->ok());
  CHECK(done->error().reason == Reason::kExpired);
  CHECK(done->error().code == 410);
  CHECK(restarts == 3);
}

TEST_CASE("retry: StopStarting cancels queued calls and pending retries") {
  Fixture f;
  int answered = 0;
  f.transport->answer = [&](const HttpRequest&) {
    if (++answered == 1)
      f.client->StopStarting();  // as a signal handler would, while the first is in flight
    return ServiceUnavailable();
  };
  std::vector<Result<HttpResponse>> results;
  for (int i = 0; i < 5; ++i) {
    f.client->Start(
        Client::Call::Of("GET", "/api/v1/namespaces/ns/configmaps/cm-" + std::to_string(i)),
        [&results](Result<HttpResponse> r) { results.push_back(std::move(r)); });
  }
  f.client->Run();
  REQUIRE(results.size() == 5);
  CHECK(f.transport->sent.size() == 1);  // the 503's retry was never started either
  for (const auto& r : results) {
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().reason == Reason::kCancelled);
    CHECK_THAT(r.error().Describe(), Catch::EndsWith("was not sent: stopping"));
  }
}

// --- against the dev cluster's fault injector ------------------------------------------------

// A dev cluster that misbehaves as |spec| says, 25 ConfigMaps in "default", and a client with
// quick retries. |replay| makes the same decisions, to predict what the client will meet: each
// (verb, resource) pair's n-th request gets DecideAt(verb, resource, n).
struct FaultyCluster {
  devcluster::DevCluster cluster;
  devcluster::FaultInjector replay;
  std::unique_ptr<Client> client;

  explicit FaultyCluster(const std::string& spec, int max_attempts = 10)
      : cluster(ClusterOptions(spec)), replay(Parse(spec)) {
    cluster.Start();
    std::vector<json> objects;
    for (int i = 0; i < 25; ++i) {
      objects.push_back({{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata", {{"name", "cm-" + std::to_string(i)}}}});
    }
    cluster.Seed(objects);  // not through the API: no fault decision taken
    RestConfig config;
    config.host = cluster.server_url();
    config.ca_pem = cluster.ca_pem();
    config.token = cluster.token();
    ClientOptions options;
    options.jitter_seed = 1;
    options.retry.base = milliseconds(5);
    options.retry.cap = milliseconds(50);
    options.retry.max_attempts = max_attempts;
    client = Client::Connect(config, SystemEnv(), options);
  }

  static devcluster::DevCluster::Options ClusterOptions(const std::string& spec) {
    devcluster::DevCluster::Options options;
    options.faults = spec;
    options.controllers = false;
    options.keep_alive_seconds = 1;
    return options;
  }
  static devcluster::FaultSpec Parse(const std::string& text) {
    devcluster::FaultSpec spec;
    std::string error;
    if (!devcluster::ParseFaultSpec(text, &spec, &error))
      throw std::invalid_argument(error);
    return spec;
  }
};

// How many requests of (verb, resource) from the |n|-th on meet |fails| before one does not.
int FailuresFrom(const devcluster::FaultInjector& replay, const std::string& verb,
                 const std::string& resource, uint64_t n,
                 const std::function<bool(const devcluster::FaultDecision&)>& fails) {
  int k = 0;
  while (fails(replay.DecideAt(verb, resource, n + static_cast<uint64_t>(k))))
    ++k;
  return k;
}

bool ErrorStatus(const devcluster::FaultDecision& d) {
  return d.status != 0;
}

// "seed=N;" + |clauses| for the first N from 1 whose decisions satisfy |wanted|, so a test
// meets the faults it is about whatever the hash function does.
std::string SeedWhere(const std::string& clauses,
                      const std::function<bool(const devcluster::FaultInjector&)>& wanted) {
  for (int seed = 1; seed < 1000; ++seed) {
    std::string spec = "seed=" + std::to_string(seed) + ";" + clauses;
    if (wanted(devcluster::FaultInjector(FaultyCluster::Parse(spec))))
      return spec;
  }
  throw std::runtime_error("no seed below 1000 gives the faults wanted for " + clauses);
}

const char* const kCm = "configmaps";

TEST_CASE("faults: 5xx on get, list pages and apply are retried, requests counted exactly") {
  // Pages of 10 of the 25 ConfigMaps: three list requests that succeed, each after its failures.
  auto list_requests = [](const devcluster::FaultInjector& r) {
    uint64_t n = 0;
    for (int page = 0; page < 3; ++page)
      n += static_cast<uint64_t>(FailuresFrom(r, "list", kCm, n, ErrorStatus)) + 1;
    return static_cast<int>(n);
  };
  std::string spec = SeedWhere(
      "get:configmaps:rate=0.5:status=503;list:configmaps:rate=0.5:status=500;"
      "apply:configmaps:rate=0.5:status=503",
      [&](const devcluster::FaultInjector& r) {
        int get = FailuresFrom(r, "get", kCm, 0, ErrorStatus);
        int apply = FailuresFrom(r, "apply", kCm, 0, ErrorStatus);
        int list = list_requests(r);
        return get >= 1 && get < 9 && apply >= 1 && apply < 9 && list >= 4 && list < 12;
      });
  INFO(spec);
  FaultyCluster f(spec);

  size_t before = f.client->requests_sent();
  REQUIRE(f.client->Get(kConfigMaps, "default", "cm-0").ok());
  CHECK(f.client->requests_sent() - before ==
        static_cast<size_t>(FailuresFrom(f.replay, "get", kCm, 0, ErrorStatus) + 1));

  before = f.client->requests_sent();
  ListOptions options;
  options.limit = 10;
  Result<std::vector<json>> items = f.client->List(kConfigMaps, "default", options);
  REQUIRE(items.ok());
  CHECK(items.value().size() == 25);
  CHECK(f.client->requests_sent() - before == static_cast<size_t>(list_requests(f.replay)));

  before = f.client->requests_sent();
  json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "applied"}}}};
  REQUIRE(f.client->Apply(kConfigMaps, "default", "applied", cm.dump(), {}).ok());
  CHECK(f.client->requests_sent() - before ==
        static_cast<size_t>(FailuresFrom(f.replay, "apply", kCm, 0, ErrorStatus) + 1));
}

TEST_CASE("faults: 429 with Retry-After is waited out") {
  std::string spec = SeedWhere("get:configmaps:rate=0.5:status=429:retry-after=1",
                               [](const devcluster::FaultInjector& r) {
                                 int k = FailuresFrom(r, "get", kCm, 0, ErrorStatus);
                                 return k >= 1 && k <= 2;
                               });
  INFO(spec);
  FaultyCluster f(spec);
  int throttled = FailuresFrom(f.replay, "get", kCm, 0, ErrorStatus);
  auto start = Clock::now();
  REQUIRE(f.client->Get(kConfigMaps, "default", "cm-0").ok());
  CHECK(Clock::now() - start >= std::chrono::seconds(throttled));
  CHECK(f.client->requests_sent() == static_cast<size_t>(throttled + 1));
}

TEST_CASE("faults: a create is not retried after a 500, a GET stops at max_attempts") {
  FaultyCluster f("create:configmaps:status=500;get:configmaps:status=500", 3);
  Result<HttpResponse> created = Create(*f.client, "new");
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().reason == Reason::kInternalError);
  CHECK(f.client->requests_sent() == 1);

  Result<json> got = f.client->Get(kConfigMaps, "default", "cm-0");
  REQUIRE_FALSE(got.ok());
  CHECK(f.client->requests_sent() == 4);
  CHECK(got.error().Describe() ==
        "Error from server (InternalError): Internal error occurred: injected fault (after 3 "
        "attempts)");
}

TEST_CASE("faults: an expired continue token restarts the list, items complete and unique") {
  // Replays the client's pager: 3 pages; a page after the first whose token expired restarts.
  struct Plan {
    int requests = 0, restarts = 0;
  };
  auto plan = [](const devcluster::FaultInjector& r) {
    Plan p;
    for (int page = 0; page < 3;) {
      bool expired = r.DecideAt("list", kCm, static_cast<uint64_t>(p.requests++)).expire_continue;
      if (page > 0 && expired) {
        ++p.restarts;
        page = 0;
      } else {
        ++page;
      }
    }
    return p;
  };
  std::string spec =
      SeedWhere("list:configmaps:expire-continue=0.4", [&](const devcluster::FaultInjector& r) {
        Plan p = plan(r);
        return p.restarts >= 1 && p.restarts <= 2;
      });
  INFO(spec);
  FaultyCluster f(spec);
  Plan expected = plan(f.replay);
  ListOptions options;
  options.limit = 10;
  Paged list = ListNames(*f.client, "default", options);
  REQUIRE(list.ok);
  CHECK(list.restarts == expected.restarts);
  CHECK(f.client->requests_sent() == static_cast<size_t>(expected.requests));
  CHECK(list.names.size() == 25);
  CHECK(std::set<std::string>(list.names.begin(), list.names.end()).size() == 25);
}

TEST_CASE("faults: a dropped connection is retried for a GET, not for a create") {
  auto dropped = [](const devcluster::FaultDecision& d) { return d.drop_connection; };
  std::string spec = SeedWhere("get:configmaps:drop=0.5;create:configmaps:drop=1",
                               [&](const devcluster::FaultInjector& r) {
                                 int k = FailuresFrom(r, "get", kCm, 0, dropped);
                                 return k >= 1 && k <= 3;
                               });
  INFO(spec);
  FaultyCluster f(spec);
  Result<json> got = f.client->Get(kConfigMaps, "default", "cm-0");
  REQUIRE(got.ok());
  CHECK(got.value()["metadata"]["name"] == "cm-0");
  CHECK(f.client->requests_sent() ==
        static_cast<size_t>(FailuresFrom(f.replay, "get", kCm, 0, dropped) + 1));

  size_t before = f.client->requests_sent();
  Result<HttpResponse> created = Create(*f.client, "made");
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().reason == Reason::kTransport);
  CHECK(f.client->requests_sent() - before == 1);
  // Why: the server did create it before the connection dropped; a retry would answer 409.
  CHECK_FALSE(f.cluster.Get("configmaps", "default", "made").is_null());
}

}  // namespace
}  // namespace starform::kube
