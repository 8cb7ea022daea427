// The libcurl transport: one multi handle driving every request, so connections are reused,
// HTTP/2 streams are multiplexed when the server offers h2 by ALPN, and a caller can have
// hundreds of writes queued with a bounded number in flight.

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>

#include "kube/transport.h"

namespace starform::kube {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// "http://user:secret@proxy:3128" without "user:secret@", for messages.
std::string WithoutUserinfo(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t at = url.find('@', start);
  if (at == std::string::npos || at > url.find('/', start))
    return url;
  return url.substr(0, start) + url.substr(at + 1);
}

struct ServerUrl {
  std::string scheme, host, port, prefix;
};

// "https://host:port/prefix" (IPv6 hosts in brackets).
ServerUrl SplitServer(const std::string& server) {
  ServerUrl u;
  size_t sep = server.find("://");
  u.scheme = server.substr(0, sep);
  size_t start = sep + 3;
  size_t slash = server.find('/', start);
  std::string authority = server.substr(start, slash == std::string::npos ? slash : slash - start);
  u.prefix = slash == std::string::npos ? "" : server.substr(slash);
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    u.host = authority.substr(0, colon);
    u.port = authority.substr(colon + 1);
  } else {
    u.host = authority;
    u.port = u.scheme == "https" ? "443" : "80";
  }
  return u;
}

class CurlTransport : public Transport {
 public:
  explicit CurlTransport(const TransportOptions& options) : options_(options) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    url_ = SplitServer(options.server);
    multi_ = curl_multi_init();
    share_ = curl_share_init();
    if (multi_ == nullptr || share_ == nullptr)
      throw std::runtime_error("cannot initialise libcurl");
    curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(options.max_in_flight));
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(options.max_in_flight));
    // Resolve once and resume TLS sessions across handles (one thread: no locking needed).
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    // Verify against tls-server-name: ask for that name and connect it to the real host.
    if (!options.tls_server_name.empty()) {
      connect_to_ = curl_slist_append(
          nullptr,
          (options.tls_server_name + ":" + url_.port + ":" + url_.host + ":" + url_.port).c_str());
    }
  }

  ~CurlTransport() override {
    for (auto& [easy, active] : active_) {
      curl_multi_remove_handle(multi_, easy);
      curl_easy_cleanup(easy);
      curl_slist_free_all(active.headers);
    }
    curl_slist_free_all(connect_to_);
    curl_multi_cleanup(multi_);
    curl_share_cleanup(share_);
  }

  void Submit(HttpRequest request, Callback done, Clock::time_point not_before) override {
    std::lock_guard lock(mu_);
    pending_.push_back({std::move(request), std::move(done), not_before, next_seq_++});
    curl_multi_wakeup(multi_);
  }

  void StopStarting() override {
    stop_.store(true);
    curl_multi_wakeup(multi_);
  }

  void Run() override {
    for (;;) {
      std::vector<Pending> cancelled = StartReady();
      for (Pending& p : cancelled) {
        HttpResponse r;
        r.cancelled = r.not_sent = true;
        r.error = "not started: stopping";
        p.done(std::move(r));
      }
      int running = 0;
      curl_multi_perform(multi_, &running);
      FinishDone();
      if (active_.empty() && PendingEmpty())
        return;
      curl_multi_poll(multi_, nullptr, 0, PollTimeoutMs(), nullptr);
    }
  }

 private:
  struct Pending {
    HttpRequest request;
    Callback done;
    Clock::time_point not_before;
    uint64_t seq;
  };
  struct Active {
    CURL* easy = nullptr;
    HttpRequest request;
    Callback done;
    HttpResponse response;
    curl_slist* headers = nullptr;
    Clock::time_point start;
    char error[CURL_ERROR_SIZE] = {0};
    bool stopped_by_reader = false;
  };

  bool PendingEmpty() {
    std::lock_guard lock(mu_);
    return pending_.empty();
  }

  int PollTimeoutMs() {
    std::lock_guard lock(mu_);
    int timeout = 1000;
    auto now = Clock::now();
    for (const Pending& p : pending_) {
      if (p.not_before > now) {
        auto wait =
            std::chrono::duration_cast<std::chrono::milliseconds>(p.not_before - now).count() + 1;
        timeout = std::min<int>(timeout, static_cast<int>(wait));
      } else if (active_.size() < options_.max_in_flight) {
        timeout = 0;
      }
    }
    return timeout;
  }

  // Starts what is due while slots are free, in submission order; returns what must be
  // cancelled because the transport is stopping.
  std::vector<Pending> StartReady() {
    std::vector<Pending> ready, cancelled;
    {
      std::lock_guard lock(mu_);
      if (stop_.load()) {
        cancelled.assign(std::make_move_iterator(pending_.begin()),
                         std::make_move_iterator(pending_.end()));
        pending_.clear();
        return cancelled;
      }
      auto now = Clock::now();
      for (auto it = pending_.begin();
           it != pending_.end() && active_.size() + ready.size() < options_.max_in_flight;) {
        if (it->not_before <= now) {
          ready.push_back(std::move(*it));
          it = pending_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (Pending& p : ready)
      Start(std::move(p));
    return cancelled;
  }

  static size_t OnBody(char* data, size_t size, size_t n, void* user) {
    auto* a = static_cast<Active*>(user);
    size_t bytes = size * n;
    long status = 0;
    curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &status);
    // Only a successful body streams: an error's Status body is kept for the caller.
    if (a->request.on_data && status >= 200 && status < 300) {
      if (!a->request.on_data(std::string_view(data, bytes))) {
        a->stopped_by_reader = true;
        return 0;  // aborts the transfer
      }
      return bytes;
    }
    a->response.body.append(data, bytes);
    return bytes;
  }

  static size_t OnHeader(char* data, size_t size, size_t n, void* user) {
    auto* a = static_cast<Active*>(user);
    std::string_view line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) {
      a->response.headers.clear();  // a new response (after 100 Continue)
      return line.size();
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      return line.size();
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    a->response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    return line.size();
  }

  void Start(Pending p) {
    CURL* easy = curl_easy_init();
    Active& a = active_[easy];
    a.easy = easy;
    a.request = std::move(p.request);
    a.done = std::move(p.done);
    a.start = Clock::now();
    const HttpRequest& r = a.request;
    std::string host = options_.tls_server_name.empty() ? url_.host : options_.tls_server_name;
    std::string url = url_.scheme + "://" + host + ":" + url_.port + url_.prefix + r.path;
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &a);
    curl_easy_setopt(easy, CURLOPT_SHARE, share_);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, a.error);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &CurlTransport::OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &CurlTransport::OnHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &a);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    if (r.fresh_connection)
      curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    if (r.timeout.count() > 0)
      curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
    // gzip only, as client-go asks: "" would offer every encoding libcurl has (br, zstd), and a
    // server that picks brotli at its default quality spends seconds on each large LIST page.
    if (!options_.disable_compression)
      curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "gzip");
    if (!options_.user_agent.empty())
      curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
    SetTls(easy, r);
    if (connect_to_ != nullptr)
      curl_easy_setopt(easy, CURLOPT_CONNECT_TO, connect_to_);
    if (!options_.proxy_url.empty()) {
      curl_easy_setopt(easy, CURLOPT_PROXY, options_.proxy_url.c_str());
      // An explicit proxy-url is always used, as client-go's http.ProxyURL does; libcurl would
      // otherwise let NO_PROXY from the environment bypass it.
      curl_easy_setopt(easy, CURLOPT_NOPROXY, "");
    }
    SetMethod(easy, a);
    curl_multi_add_handle(multi_, easy);
  }

  void SetTls(CURL* easy, const HttpRequest& r) {
    curl_easy_setopt(easy, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (options_.insecure_skip_tls_verify) {
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (!options_.ca_pem.empty()) {
      // The cluster's CA replaces the system roots, as in client-go.
      curl_easy_setopt(easy, CURLOPT_CAINFO, nullptr);
      curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);
      curl_blob ca{const_cast<char*>(options_.ca_pem.data()), options_.ca_pem.size(),
                   CURL_BLOB_COPY};
      curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &ca);
    }
    if (!r.client_cert_pem.empty()) {
      curl_blob cert{const_cast<char*>(r.client_cert_pem.data()), r.client_cert_pem.size(),
                     CURL_BLOB_COPY};
      curl_blob key{const_cast<char*>(r.client_key_pem.data()), r.client_key_pem.size(),
                    CURL_BLOB_COPY};
      curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
      curl_easy_setopt(easy, CURLOPT_SSLCERT_BLOB, &cert);
      curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
      curl_easy_setopt(easy, CURLOPT_SSLKEY_BLOB, &key);
    }
  }

  void SetMethod(CURL* easy, Active& a) {
    const HttpRequest& r = a.request;
    for (const auto& [name, value] : r.headers)
      a.headers = curl_slist_append(a.headers, (name + ": " + value).c_str());
    // No "Expect: 100-continue" round trip before large bodies; the API server answers anyway.
    a.headers = curl_slist_append(a.headers, "Expect:");
    if (!options_.tls_server_name.empty()) {
      a.headers = curl_slist_append(a.headers, ("Host: " + url_.host + ":" + url_.port).c_str());
    }
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, a.headers);
    if (r.method == "GET") {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
      return;
    }
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body.data());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    }
  }

  void FinishDone() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      CURL* easy = msg->easy_handle;
      CURLcode code = msg->data.result;
      auto it = active_.find(easy);
      Active a = std::move(it->second);
      active_.erase(it);
      HttpResponse& r = a.response;
      long status = 0, version = 0, sent = 0, connects = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
      curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &sent);
      curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
      r.http_version = version == CURL_HTTP_VERSION_2_0 ? 2 : 11;
      r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - a.start);
      bool complete = code == CURLE_OK || (code == CURLE_WRITE_ERROR && a.stopped_by_reader);
      if (complete) {
        r.status = static_cast<int>(status);
      } else {
        r.error = a.error[0] != '\0' ? a.error : curl_easy_strerror(code);
        r.timed_out = code == CURLE_OPERATION_TIMEDOUT;
        // These fail only on a connection that exists; none made for this transfer: a pooled one.
        r.reused_connection =
            connects == 0 &&
            (code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING);
        // A send that fails on a pooled connection met a connection the server had closed
        // while it sat idle: the server never read the request, as libcurl itself assumes when
        // it retries such a request on a fresh connection.
        r.not_sent = sent == 0 || code == CURLE_COULDNT_CONNECT ||
                     code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY ||
                     (code == CURLE_SEND_ERROR && r.reused_connection);
        // Through a proxy every connection is to the proxy: say so, as Go's "proxyconnect"
        // does, or "Failed to connect to 127.0.0.1 port 3128" reads like the API server.
        if (!options_.proxy_url.empty() &&
            (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_PROXY)) {
          r.error = "proxyconnect " + WithoutUserinfo(options_.proxy_url) + ": " + r.error;
        }
      }
      curl_multi_remove_handle(multi_, easy);
      curl_easy_cleanup(easy);
      curl_slist_free_all(a.headers);
      a.done(std::move(r));
    }
  }

  TransportOptions options_;
  ServerUrl url_;
  CURLM* multi_ = nullptr;
  CURLSH* share_ = nullptr;
  curl_slist* connect_to_ = nullptr;
  std::map<CURL*, Active> active_;
  std::mutex mu_;
  std::deque<Pending> pending_;
  uint64_t next_seq_ = 0;
  std::atomic<bool> stop_{false};
};

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name))
      return value;
  }
  return "";
}

std::unique_ptr<Transport> NewCurlTransport(const TransportOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace starform::kube
