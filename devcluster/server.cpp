// The HTTPS front: TLS and client certificates, authentication and impersonation, routing of
// discovery and resource paths, the request log.

#include "devcluster/server.h"

#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "devcluster/controller_runner.h"
#include "devcluster/digitalocean_admission.h"
#include "devcluster/discovery.h"
#include "devcluster/rest_util.h"
#include "devcluster/status.h"

namespace starform::devcluster {

using nlohmann::json;

namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos)
      slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

void NotFoundPage(httplib::Response& res) {
  // What the real server's fall-through handler writes for a path it does not serve.
  res.status = 404;
  res.set_content("404 page not found\n", "text/plain; charset=utf-8");
}

std::string NameEntry(X509_NAME* name, int nid) {
  int i = X509_NAME_get_index_by_NID(name, nid, -1);
  if (i < 0)
    return "";
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<size_t>(ASN1_STRING_length(data)));
}

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};

}  // namespace

class DevCluster::Http {
 public:
  explicit Http(DevCluster* cluster) : cluster_(cluster) {
    const Pki& pki = cluster->pki_;
    server_ = std::make_unique<httplib::SSLServer>([&pki](SSL_CTX& ctx) {
      auto bio = [](const std::string& pem) {
        return BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
      };
      BIO* b = bio(pki.server.cert_pem);
      X509* cert = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
      BIO_free(b);
      b = bio(pki.server.key_pem);
      EVP_PKEY* key = PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr);
      BIO_free(b);
      b = bio(pki.ca.cert_pem);
      X509* ca = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
      BIO_free(b);
      bool ok = cert != nullptr && key != nullptr && ca != nullptr &&
                SSL_CTX_use_certificate(&ctx, cert) == 1 && SSL_CTX_use_PrivateKey(&ctx, key) == 1;
      if (ok) {
        SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
        X509_STORE_add_cert(SSL_CTX_get_cert_store(&ctx), ca);
        SSL_CTX_add_client_CA(&ctx, ca);
        // Ask for a client certificate and verify one if sent; bearer tokens still work.
        SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
        static const unsigned char kContext[] = "starform-devcluster";
        SSL_CTX_set_session_id_context(&ctx, kContext, sizeof kContext - 1);
      }
      X509_free(cert);
      EVP_PKEY_free(key);
      X509_free(ca);
      return ok;
    });
    if (!server_->is_valid())
      throw std::runtime_error("cannot set up TLS");
    int threads = cluster->options_.threads;
    server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server_->set_keep_alive_max_count(100000);
    server_->set_keep_alive_timeout(cluster->options_.keep_alive_seconds);
    server_->set_payload_max_length(cluster->options_.max_body_bytes);
    server_->set_tcp_nodelay(true);
    server_->set_socket_options([this](socket_t sock) {
      httplib::default_socket_options(sock);
      listen_socket_ = sock;
    });
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { Serve(req, res); };
    server_->Get(".*", handler);
    server_->Post(".*", handler);
    server_->Put(".*", handler);
    server_->Patch(".*", handler);
    server_->Delete(".*", handler);
    size_t limit = cluster->options_.max_body_bytes;
    server_->set_error_handler(httplib::Server::HandlerWithResponse(
        [limit](const httplib::Request&, httplib::Response& res) {
          // httplib answers some requests itself (a body over the limit) with an empty body.
          if (!res.body.empty())
            return httplib::Server::HandlerResponse::Unhandled;
          StatusError e =
              res.status == 413
                  ? RequestEntityTooLarge(limit)
                  : StatusError(res.status, "", "the server could not handle the request");
          res.set_content(e.ToJson().dump(), "application/json");
          return httplib::Server::HandlerResponse::Handled;
        }));
  }

  int Bind(const std::string& host, int port) {
    int bound = port == 0 ? server_->bind_to_any_port(host)
                          : (server_->bind_to_port(host, port) ? port : -1);
    // Debian's libcpp-httplib listens with a backlog of 5, compiled in: a client opening a few
    // dozen connections at once loses SYNs and waits out the kernel's 1 s retransmit.
    // kube-apiserver (Go) listens with the kernel's somaxconn; listening again sets that.
    if (bound > 0 && listen_socket_ != INVALID_SOCKET && ::listen(listen_socket_, SOMAXCONN) != 0)
      return -1;
    return bound;
  }
  void Listen() { server_->listen_after_bind(); }
  void Stop() { server_->stop(); }
  // httplib's stop() does nothing until the accept loop runs, and the loop then never ends: a
  // Stop() right after Start() would hang. Start() waits for the loop first.
  void WaitUntilRunning() {
    while (!server_->is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  // An in-process request: already authenticated as |user|.
  void ServeLocal(const UserInfo& user, const httplib::Request& req, httplib::Response& res) {
    RequestRecord record = StartRecord(req);
    record.user = user.name;
    try {
      Route(user, req, res, &record);
    } catch (const StatusError& e) {
      WriteJson(res, e.code(), e.ToJson().dump());
    } catch (const std::exception& e) {
      StatusError internal = InternalError(e.what());
      WriteJson(res, internal.code(), internal.ToJson().dump());
    }
    FinishRecord(std::move(record), res);
  }

 private:
  UserInfo Authenticate(const httplib::Request& req) {
    if (req.ssl != nullptr) {
      X509* peer = SSL_get1_peer_certificate(req.ssl);
      if (peer != nullptr) {
        UserInfo user;
        if (SSL_get_verify_result(req.ssl) == X509_V_OK) {
          X509_NAME* subject = X509_get_subject_name(peer);
          user.name = NameEntry(subject, NID_commonName);
          std::string org = NameEntry(subject, NID_organizationName);
          if (!org.empty())
            user.groups.push_back(org);
          user.groups.push_back("system:authenticated");
        }
        X509_free(peer);
        if (!user.name.empty())
          return user;
      }
    }
    if (!cluster_->options_.require_client_certs) {
      std::string auth = req.get_header_value("Authorization");
      std::lock_guard lock(cluster_->mu_);
      if (!cluster_->token_revoked_ && auth == "Bearer " + cluster_->token_) {
        return {"starform-admin", {"system:masters", "system:authenticated"}};
      }
    }
    throw Unauthorized();
  }

  // Impersonate-* headers: the request runs as that user when the real user may
  // impersonate (system:masters may; nobody else here).
  UserInfo Impersonate(const UserInfo& real, const httplib::Request& req, RequestRecord* record) {
    record->impersonate_user = req.get_header_value("Impersonate-User");
    for (size_t i = 0; i < req.get_header_value_count("Impersonate-Group"); ++i) {
      record->impersonate_groups.push_back(req.get_header_value("Impersonate-Group", i));
    }
    record->impersonate_uid = req.get_header_value("Impersonate-Uid");
    if (record->impersonate_user.empty()) {
      if (!record->impersonate_groups.empty() || !record->impersonate_uid.empty()) {
        throw StatusError(500, "InternalError",
                          "Internal error occurred: requested [{Impersonate-Group} ...] without "
                          "impersonating a user");
      }
      return real;
    }
    bool admin =
        std::find(real.groups.begin(), real.groups.end(), "system:masters") != real.groups.end();
    if (!admin) {
      throw StatusError(403, "Forbidden",
                        "users \"" + record->impersonate_user + "\" is forbidden: User \"" +
                            real.name +
                            "\" cannot impersonate resource \"users\" in API group \"\" at the "
                            "cluster scope",
                        json{{"name", record->impersonate_user}, {"kind", "users"}});
    }
    UserInfo user{record->impersonate_user, record->impersonate_groups};
    user.groups.push_back("system:authenticated");
    return user;
  }

  void Serve(const httplib::Request& req, httplib::Response& res) {
    RequestRecord record = StartRecord(req);
    try {
      const std::string& path = req.path;
      bool public_path =
          path == "/version" || path == "/healthz" || path == "/livez" || path == "/readyz";
      // Credentials that fail are a 401 even on a public path: anonymous access is only for
      // requests that present none, as with kube-apiserver's --anonymous-auth.
      if (!public_path || req.has_header("Authorization")) {
        UserInfo user = Impersonate(Authenticate(req), req, &record);
        record.user = user.name;
        Route(user, req, res, &record);
      } else {
        record.user = "system:anonymous";
        Route({"system:anonymous", {"system:unauthenticated"}}, req, res, &record);
      }
    } catch (const StatusError& e) {
      WriteJson(res, e.code(), e.ToJson().dump());
    } catch (const std::exception& e) {
      StatusError internal = InternalError(e.what());
      WriteJson(res, internal.code(), internal.ToJson().dump());
    }
    FinishRecord(std::move(record), res);
  }

  static RequestRecord StartRecord(const httplib::Request& req) {
    RequestRecord record;
    record.method = req.method;
    record.path = req.path;
    size_t q = req.target.find('?');
    if (q != std::string::npos)
      record.query = req.target.substr(q + 1);
    record.started = std::chrono::steady_clock::now();
    return record;
  }
  void FinishRecord(RequestRecord record, const httplib::Response& res) {
    record.status = res.status;
    record.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - record.started);
    cluster_->Record(std::move(record));
  }

  void Route(const UserInfo& user, const httplib::Request& req, httplib::Response& res,
             RequestRecord* record) {
    const std::string& path = req.path;
    const ResourceRegistry& registry = cluster_->registry_;
    if (path == "/healthz" || path == "/livez" || path == "/readyz") {
      res.set_content("ok", "text/plain; charset=utf-8");
      return;
    }
    if (path.rfind("/openapi/", 0) == 0) {
      if (cluster_->options_.hooks.openapi && cluster_->options_.hooks.openapi(req, res))
        return;
      return NotFoundPage(res);
    }
    if (req.method == "GET") {
      if (path == "/version")
        return WriteJson(res, 200, VersionInfo().dump());
      if (path == "/api") {
        return WriteJson(res, 200,
                         ApiVersions("127.0.0.1:" + std::to_string(cluster_->port_)).dump());
      }
      if (path == "/api/v1")
        return WriteJson(res, 200, ApiResourceList(registry, "", "v1").dump());
      if (path == "/apis")
        return WriteJson(res, 200, ApiGroupList(registry).dump());
    }
    std::vector<std::string> seg = Split(path);
    std::string group, version;
    size_t rest;
    if (seg.size() >= 2 && seg[0] == "api" && seg[1] == "v1") {
      version = "v1";
      rest = 2;
    } else if (seg.size() >= 2 && seg[0] == "apis") {
      group = seg[1];
      if (seg.size() == 2 && req.method == "GET") {
        json g = ApiGroup(registry, group);
        if (g.is_null())
          return NotFoundPage(res);
        return WriteJson(res, 200, g.dump());
      }
      if (seg.size() < 3)
        return NotFoundPage(res);
      version = seg[2];
      rest = 3;
    } else {
      return NotFoundPage(res);
    }
    if (!registry.HasGroupVersion(group, version))
      return NotFoundPage(res);
    if (seg.size() == rest) {
      if (req.method != "GET")
        return NotFoundPage(res);
      return WriteJson(res, 200, ApiResourceList(registry, group, version).dump());
    }
    std::vector<std::string> r(seg.begin() + static_cast<long>(rest), seg.end());
    Target t;
    if (!r.empty() && r[0] == "watch") {
      t.watch_path = true;
      r.erase(r.begin());
    }
    std::string resource;
    bool namespaced_path =
        r.size() >= 3 && r[0] == "namespaces" && r[2] != "status" && r[2] != "finalize";
    size_t i = 0;
    if (namespaced_path) {
      t.ns = r[1];
      i = 2;
    }
    if (i >= r.size() || r.size() - i > 3)
      throw ResourceTypeNotFound();
    resource = r[i];
    if (i + 1 < r.size())
      t.name = r[i + 1];
    if (i + 2 < r.size())
      t.subresource = r[i + 2];
    t.type = registry.Find(group, version, resource);
    if (t.type == nullptr)
      throw ResourceTypeNotFound();
    if (namespaced_path && !t.type->namespaced)
      throw ResourceTypeNotFound();
    if (!namespaced_path && t.type->namespaced && !t.name.empty())
      throw ResourceTypeNotFound();
    if (t.type->namespaced && t.ns.empty() && req.method != "GET" && req.method != "HEAD") {
      throw MethodNotSupported(*t.type, req.method);
    }
    cluster_->rest_->Handle(t, user, req, res, &record->field_manager);
  }

  DevCluster* cluster_;
  std::unique_ptr<httplib::SSLServer> server_;
  socket_t listen_socket_ = INVALID_SOCKET;  ///< set by httplib as it binds
};

DevCluster::DevCluster(Options options)
    : options_(std::move(options)), store_(options_.history_limit) {}

DevCluster::~DevCluster() {
  Stop();
}

std::string DevCluster::server_url() const {
  return "https://127.0.0.1:" + std::to_string(port_);
}

std::string DevCluster::token() const {
  std::lock_guard lock(mu_);
  return token_;
}

std::string DevCluster::RotateToken() {
  {
    std::lock_guard lock(mu_);
    token_ = RandomHex(32);
    token_revoked_ = false;
  }
  if (!options_.kubeconfig_out.empty() && port_ != 0)
    WriteKubeconfig();
  return token();
}

void DevCluster::RevokeToken() {
  std::lock_guard lock(mu_);
  token_revoked_ = true;
}

KeyPair DevCluster::IssueClientCertificate(const std::string& user,
                                           const std::string& group) const {
  return IssueClientCert(pki_.ca, user, group);
}

void DevCluster::Record(RequestRecord record) {
  std::lock_guard lock(mu_);
  log_.push_back(std::move(record));
}

std::vector<RequestRecord> DevCluster::RequestLog() const {
  std::lock_guard lock(mu_);
  return log_;
}

void DevCluster::ClearRequestLog() {
  std::lock_guard lock(mu_);
  log_.clear();
}

void DevCluster::Start() {
  if (options_.crds_dir.empty()) {
    registry_.AddSchemalessCustomResources();
    warnings_.push_back(
        "no --crds given: Gateway API and Envoy Gateway objects are stored as sent, without "
        "pruning, defaulting or validation");
  } else {
    registry_.LoadCrds(options_.crds_dir, &warnings_);
    for (const char* needed :
         {"gatewayclasses.gateway.networking.k8s.io", "gateways.gateway.networking.k8s.io",
          "httproutes.gateway.networking.k8s.io", "referencegrants.gateway.networking.k8s.io",
          "securitypolicies.gateway.envoyproxy.io", "clienttrafficpolicies.gateway.envoyproxy.io",
          "envoyproxies.gateway.envoyproxy.io"}) {
      bool found = false;
      for (const auto& crd : registry_.crds())
        found = found || crd->name == needed;
      if (!found) {
        warnings_.push_back(std::string("CRD ") + needed +
                            " not installed: its resources answer 404");
      }
    }
  }
  InstallBuiltinHooks(registry_, options_.faults, &options_.hooks, &warnings_);
  // DOKS installs its LoadBalancer Service webhook in every cluster.
  InstallDigitalOceanAdmission(&options_.hooks);
  rest_ = std::make_unique<RestApi>(&registry_, &store_, &options_.hooks, options_.rest);
  LoadState();
  if (!options_.seed_file.empty())
    SeedFile(options_.seed_file);
  pki_ = MakePki();
  token_ = RandomHex(32);
  http_ = std::make_unique<Http>(this);
  port_ = http_->Bind(options_.host, options_.port);
  if (port_ <= 0)
    throw std::runtime_error("cannot listen on " + options_.host);
  // Persistence is hooked up before anything can write: the listener's requests and the
  // controllers' writes call the store's on_change from their own threads.
  if (!options_.state_dir.empty()) {
    store_.set_on_change([this] {
      std::lock_guard lock(save_mu_);
      dirty_ = true;
      save_cv_.notify_all();
    });
    saver_ = std::thread([this] {
      std::unique_lock lock(save_mu_);
      while (!stopping_) {
        save_cv_.wait(lock, [this] { return dirty_ || stopping_; });
        if (stopping_)
          break;
        // Debounce: one write for a burst of changes.
        save_cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_; });
        dirty_ = false;
        lock.unlock();
        SaveState();
        lock.lock();
      }
    });
  }
  listener_ = std::thread([this] { http_->Listen(); });
  http_->WaitUntilRunning();
  if (!options_.kubeconfig_out.empty())
    WriteKubeconfig();
  if (options_.controllers) {
    controllers_ = std::make_unique<ControllerRunner>(*this, DefaultControllers(*this));
    controllers_->Start();
  }
}

void DevCluster::Stop() {
  if (!http_)
    return;
  if (controllers_)
    controllers_->Stop();
  store_.Shutdown();
  http_->Stop();
  if (listener_.joinable())
    listener_.join();
  http_.reset();
  if (saver_.joinable()) {
    {
      std::lock_guard lock(save_mu_);
      stopping_ = true;
    }
    save_cv_.notify_all();
    saver_.join();
  }
  if (!options_.state_dir.empty())
    SaveState();
}

}  // namespace starform::devcluster

namespace starform::devcluster {

bool DevCluster::WaitForControllersIdle(std::chrono::milliseconds timeout) {
  return !controllers_ || controllers_->WaitForIdle(timeout);
}

LocalResponse DevCluster::Call(const LocalRequest& request) {
  if (!http_)
    throw std::runtime_error("DevCluster::Call before Start");
  httplib::Request req;
  req.method = request.method;
  req.target = request.target;
  size_t q = request.target.find('?');
  req.path = httplib::detail::decode_url(request.target.substr(0, q), false);
  if (q != std::string::npos)
    httplib::detail::parse_query_text(request.target.substr(q + 1), req.params);
  req.body = request.body;
  if (!request.body.empty())
    req.headers.emplace("Content-Type", request.content_type);
  req.headers.emplace("Accept", "application/json");
  httplib::Response res;
  http_->ServeLocal({request.user, request.groups}, req, res);
  return {res.status, res.body, res.get_header_value("Content-Type")};
}

}  // namespace starform::devcluster
