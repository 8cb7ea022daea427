#pragma once

// The Kubernetes REST client: credentials on every request, retries with capped exponential
// backoff and jitter (429 honouring Retry-After, 5xx and connection failures on idempotent
// requests, a 401 once after refreshing exec credentials), an optional QPS limit, request
// logging by verbosity with secrets redacted, and the operations starform needs: discovery,
// get, paginated list, server-side apply, delete and watch.
//
// Calls are asynchronous: Start() queues, Run() drives every queued call (and those started
// from callbacks) to completion on the calling thread. Synchronous helpers wrap one call.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/api_error.h"
#include "kube/credentials.h"
#include "kube/rest_config.h"
#include "kube/transport.h"

namespace starform::kube {

/// A value or the API error that prevented it.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(ApiError error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const { return std::get<0>(v_); }
  T& value() { return std::get<0>(v_); }
  const ApiError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

struct RetryPolicy {
  int max_attempts = 6;  ///< including the first
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds cap{8000};
  std::chrono::milliseconds max_total{
      60000};  ///< no retry starts later than this after the first try
};

/// -v levels, as kubectl's: 6 logs each request (method, URL, status, latency), 7 adds request
/// headers, 8 adds bodies (truncated), 9 untruncated. Credentials are redacted at every level.
using LogSink = std::function<void(const std::string& line)>;

struct ClientOptions {
  RetryPolicy retry;
  double qps = 0;  ///< 0: no client-side limit (the server's priority and fairness governs)
  int burst = 10;
  int verbosity = 0;
  LogSink log;
  std::string user_agent;
  uint64_t jitter_seed = 0;  ///< 0: random
  bool stdin_is_terminal = false;
};

/// A resource type: where its objects live in the URL space.
struct ResourceRef {
  std::string group;  ///< "" for the core group
  std::string version;
  std::string resource;  ///< plural, "httproutes"
  bool namespaced = true;

  /// "/apis/G/V[/namespaces/NS]/RESOURCE[/NAME]".
  std::string Path(const std::string& ns = "", const std::string& name = "") const;
};

struct ApiResource {
  std::string name;  ///< "httproutes", or "httproutes/status"
  std::string kind;
  bool namespaced = false;
  std::vector<std::string> verbs;
};

/// What the server serves, by group/version ("v1", "gateway.networking.k8s.io/v1").
struct Discovery {
  std::map<std::string, std::vector<ApiResource>> resources;
  /// The resource of |kind| in |group_version|, or nullopt when not served.
  std::optional<ResourceRef> Find(const std::string& group_version, const std::string& kind) const;
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int limit = 500;
  /// Fields of each item left out while parsing a page: "status", or one level down,
  /// "metadata.managedFields". A large list's unused parts then cost no memory.
  std::set<std::string> drop_item_fields;
};

struct ApplyOptions {
  std::string field_manager = "starform";
  bool force = false;
  bool dry_run = false;
  std::string field_validation = "Strict";
};

struct DeleteOptions {
  std::string propagation_policy = "Background";  ///< Background, Foreground, Orphan
  std::string precondition_uid;
  std::string precondition_resource_version;
  bool dry_run = false;
};

struct WatchEvent {
  std::string type;  ///< ADDED, MODIFIED, DELETED, BOOKMARK, ERROR
  nlohmann::json object;
};

class Client {
 public:
  Client(RestConfig config, std::unique_ptr<Transport> transport,
         std::unique_ptr<CredentialProvider> credentials, ClientOptions options);
  /// A client over libcurl for |config|.
  static std::unique_ptr<Client> Connect(const RestConfig& config, const Env& env,
                                         ClientOptions options);

  const RestConfig& config() const { return config_; }

  // --- asynchronous calls: queued; Run() completes them -------------------------------------

  struct Call {
    std::string method = "GET";
    std::string path;
    std::string body;
    std::string content_type;
    std::string accept = "application/json";
    bool idempotent = true;   ///< may be retried after a 5xx or a lost connection
    bool add_timeout = true;  ///< add ?timeout= from --request-timeout (not for watches)
    /// Streams a 2xx body instead of keeping it (watch); false stops reading.
    std::function<bool(std::string_view)> on_data;

    static Call Of(std::string method, std::string path, std::string body = "",
                   std::string content_type = "") {
      Call call;
      call.method = std::move(method);
      call.path = std::move(path);
      call.body = std::move(body);
      call.content_type = std::move(content_type);
      return call;
    }
  };
  using Done = std::function<void(Result<HttpResponse>)>;
  /// Queues |call|; |done| gets the 2xx response or the error after retries.
  void Start(Call call, Done done);
  void Run();
  /// Starts no new request (queued ones end as Cancelled); those in flight finish.
  void StopStarting();

  void GetAsync(const ResourceRef& ref, const std::string& ns, const std::string& name,
                std::function<void(Result<nlohmann::json>)> done);
  /// Pages of a LIST, in order, each handed to |on_page| as it arrives ({"items": [...],
  /// "metadata": {...}}). On 410 Expired in the middle, |on_restart| is called and the list
  /// starts over; |done| gets the final outcome.
  void ListAsync(const ResourceRef& ref, const std::string& ns, const ListOptions& options,
                 std::function<void(nlohmann::json page)> on_page, std::function<void()> on_restart,
                 std::function<void(Result<bool>)> done);
  void ApplyAsync(const ResourceRef& ref, const std::string& ns, const std::string& name,
                  const std::string& body, const ApplyOptions& options,
                  std::function<void(Result<nlohmann::json>)> done);
  void DeleteAsync(const ResourceRef& ref, const std::string& ns, const std::string& name,
                   const DeleteOptions& options, std::function<void(Result<nlohmann::json>)> done);

  // --- synchronous helpers ------------------------------------------------------------------

  Result<nlohmann::json> GetJson(const std::string& path);
  Result<nlohmann::json> Get(const ResourceRef& ref, const std::string& ns,
                             const std::string& name);
  /// Every item of a LIST (for small lists; large ones use ListAsync page by page).
  Result<std::vector<nlohmann::json>> List(const ResourceRef& ref, const std::string& ns,
                                           const ListOptions& options = {});
  Result<nlohmann::json> Apply(const ResourceRef& ref, const std::string& ns,
                               const std::string& name, const std::string& body,
                               const ApplyOptions& options);
  Result<nlohmann::json> Delete(const ResourceRef& ref, const std::string& ns,
                                const std::string& name, const DeleteOptions& options = {});
  /// Discovery, fetched once per client (the groups' documents in parallel).
  Result<Discovery> Discover();
  /// Watches from |resource_version| (""=now), resuming after each server timeout from the
  /// last version seen, until |on_event| returns false. A 410 Expired ends it with that error.
  Result<bool> Watch(const ResourceRef& ref, const std::string& ns,
                     const std::string& resource_version,
                     const std::function<bool(const WatchEvent&)>& on_event,
                     std::chrono::seconds timeout_per_request = std::chrono::seconds(300));

  /// Requests sent so far (each retry counts), for tests and benchmarks.
  size_t requests_sent() const { return requests_sent_; }

 private:
  struct Attempt;
  void Send(std::shared_ptr<Attempt> attempt, Transport::Clock::time_point not_before);
  void OnResponse(std::shared_ptr<Attempt> attempt, HttpResponse response);
  std::chrono::milliseconds Backoff(int attempt, std::chrono::seconds retry_after);
  Transport::Clock::time_point Throttle(Transport::Clock::time_point not_before);
  void LogRequest(const Attempt& attempt, const HttpRequest& request,
                  const HttpResponse& response) const;
  template <typename T>
  Result<T> RunOne(const std::function<void(std::function<void(Result<T>)>)>& start);

  RestConfig config_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<CredentialProvider> credentials_;
  ClientOptions options_;
  std::mt19937_64 rng_;
  Transport::Clock::time_point next_slot_{};
  std::optional<Discovery> discovery_;
  size_t requests_sent_ = 0;
};

/// Redacts credentials in a header value or a logged body: Authorization values, bearer
/// tokens, and the values of JSON fields that hold secrets (token, password, client keys).
std::string RedactHeader(const std::string& name, const std::string& value);
std::string RedactBody(const std::string& body);

}  // namespace starform::kube
