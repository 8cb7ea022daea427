#pragma once

// The HTTP transport: requests in, responses out, many in flight at once. It knows TLS,
// proxies, compression and connection reuse; it knows nothing of Kubernetes, credentials
// policy or retries (the REST client above it decides those). An interface so the client is
// tested with a fake, as Envoy tests its filters.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace starform::kube {

struct HttpRequest {
  std::string method = "GET";
  std::string path;  ///< "/api/v1/namespaces?limit=500", appended to the server URL
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{0};  ///< 0: none
  /// The client certificate for this request (TLS), or empty.
  std::string client_cert_pem;
  std::string client_key_pem;
  /// When set, the body is handed over as it arrives instead of being kept (watch); return
  /// false to stop reading.
  std::function<bool(std::string_view)> on_data;
  /// Open a new connection for this request instead of reusing a pooled one: a retry after a
  /// transport failure, when the pool may hold more connections the server has closed.
  bool fresh_connection = false;
};

struct HttpResponse {
  int status = 0;  ///< 0 when no complete response arrived
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names as sent
  /// Why there is no complete response ("Connection refused", "SSL certificate problem: ...");
  /// empty when one arrived.
  std::string error;
  bool timed_out = false;
  /// The request never reached the server (connect or TLS failed): safe to retry any verb.
  bool not_sent = false;
  /// The failed request went out on a pooled connection (not one opened for it).
  bool reused_connection = false;
  /// Never started: the transport was told to stop starting requests.
  bool cancelled = false;
  int http_version = 0;  ///< 11 or 2
  std::chrono::microseconds elapsed{0};

  /// The first header of that name, case-insensitively, or "".
  std::string Header(std::string_view name) const;
};

class Transport {
 public:
  using Clock = std::chrono::steady_clock;
  using Callback = std::function<void(HttpResponse)>;
  virtual ~Transport() = default;

  /// Queues |request|; it starts no earlier than |not_before| and when a slot is free. |done|
  /// runs on the thread inside Run() and may Submit more (the next page, a retry).
  virtual void Submit(HttpRequest request, Callback done, Clock::time_point not_before = {}) = 0;
  /// Runs until every queued request, including those submitted meanwhile, has completed.
  virtual void Run() = 0;
  /// From any thread (a signal handler's thread): starts nothing new; requests in flight finish.
  virtual void StopStarting() = 0;
};

struct TransportOptions {
  std::string server;  ///< "https://host:port[/prefix]"
  std::string ca_pem;  ///< "" for the system roots
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string proxy_url;  ///< "" to use the proxy environment variables
  bool disable_compression = false;
  size_t max_in_flight = 64;
  std::chrono::milliseconds connect_timeout{30000};
  std::string user_agent;
};

std::unique_ptr<Transport> NewCurlTransport(const TransportOptions& options);

}  // namespace starform::kube
