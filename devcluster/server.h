#pragma once

// The dev cluster: an embedded Kubernetes API server over HTTPS, usable in-process from tests
// and as the starform-devcluster binary.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "devcluster/certs.h"
#include "devcluster/hooks.h"
#include "devcluster/resources.h"
#include "devcluster/rest.h"
#include "devcluster/store.h"

namespace starform::devcluster {

/// One entry of the in-process request log, in arrival order.
struct RequestRecord {
  std::string method;
  std::string path;
  std::string query;  ///< the raw query string, "" when none
  std::string user;   ///< who the request ran as
  std::string impersonate_user;
  std::vector<std::string> impersonate_groups;
  std::string impersonate_uid;
  std::string field_manager;
  int status = 0;
  std::chrono::microseconds duration{0};
  std::chrono::steady_clock::time_point started;
};

/// A request made in-process, as a client of the API would make it over HTTPS: the simulated
/// controllers write this way so their writes pass the same admission, managedFields and
/// resourceVersion checks as everyone else's and show in the request log.
struct LocalRequest {
  std::string method = "GET";
  std::string target;  ///< path and query, "/api/v1/namespaces/x/services?fieldManager=y"
  std::string body;
  std::string content_type = "application/json";
  std::string user = "system:serviceaccount:envoy-gateway-system:envoy-gateway";
  std::vector<std::string> groups = {"system:serviceaccounts", "system:authenticated"};
};
struct LocalResponse {
  int status = 0;
  std::string body;
  std::string content_type;
};

class ControllerRunner;

class DevCluster {
 public:
  struct Options {
    std::string crds_dir;        ///< "" to store custom resources without schemas
    std::string seed_file;       ///< multi-document YAML of objects to create at start
    std::string state_dir;       ///< persist the store here as JSON; "" keeps it in memory
    std::string kubeconfig_out;  ///< write a kubeconfig (and ca.crt beside it) here
    std::string host = "127.0.0.1";
    int port = 0;  ///< 0: any free port
    /// httplib serves each open connection on a thread of its own, idle keep-alive ones too,
    /// and a connection beyond the pool waits for one to close; kube-apiserver has no such
    /// limit. Starform alone opens up to 64 connections (plus its lock's) over HTTP/1.1.
    int threads = 256;
    /// How long an idle connection is kept. Stop() waits for idle TLS connections up to this
    /// long (httplib's keep-alive wait does not notice stop()), so tests use a short one.
    int keep_alive_seconds = 10;
    /// Only client certificates authenticate (bearer tokens are refused).
    bool require_client_certs = false;
    size_t history_limit = 10000;
    size_t max_body_bytes = 3 * 1024 * 1024;
    RestOptions rest;
    std::chrono::milliseconds lb_delay{0};  ///< for the simulated cloud controller
    /// The simulated DigitalOcean account (digitalocean_ccm.h): its load balancer limit (0: none)
    /// and how many load balancer creations its API answers with a 500 first (-1: all).
    int lb_limit = 0;
    int lb_api_failures = 0;
    std::string faults;  ///< fault-injection spec, for the faults hook
    Hooks hooks;
    /// Run the simulated controllers (controller_runner.h) while serving.
    bool controllers = true;
  };

  explicit DevCluster(Options options);
  ~DevCluster();
  DevCluster(const DevCluster&) = delete;
  DevCluster& operator=(const DevCluster&) = delete;

  /// Loads CRDs, seed and state, makes the certificates, binds and starts serving. Throws
  /// std::runtime_error on failure. Warnings (missing CRDs, no --crds) go to warnings().
  void Start();
  /// Stops serving (ends watches), persists state when a state dir is set.
  void Stop();

  int port() const { return port_; }
  std::string server_url() const;
  const std::string& kubeconfig_path() const { return options_.kubeconfig_out; }
  const std::string& ca_pem() const { return pki_.ca.cert_pem; }
  /// A client certificate and key (PEM) for the admin user, signed by the CA.
  const KeyPair& client_cert() const { return pki_.client; }
  /// A client certificate for any user and groups.
  KeyPair IssueClientCertificate(const std::string& user, const std::string& group) const;
  std::string token() const;
  /// A new admin token; the old one stops working. Rewrites the kubeconfig.
  std::string RotateToken();
  /// No token works any more (401) until RotateToken().
  void RevokeToken();
  const std::vector<std::string>& warnings() const { return warnings_; }

  /// Creates or replaces objects as a real cluster would already hold them (no admission).
  void Seed(const std::vector<nlohmann::json>& objects);
  /// Seeds from a multi-document YAML file; throws std::runtime_error on a bad document.
  void SeedFile(const std::string& path);
  /// The object, or null.
  nlohmann::json Get(const std::string& resource, const std::string& ns,
                     const std::string& name) const;
  /// Every object of |resource| ("httproutes", or "httproutes.gateway.networking.k8s.io").
  std::vector<nlohmann::json> List(const std::string& resource, const std::string& ns = "") const;

  /// Serves |request| in-process, without TLS or authentication, as |request.user|.
  /// Watches are not supported this way.
  LocalResponse Call(const LocalRequest& request);

  /// Waits until the simulated controllers have caught up with every change (see
  /// ControllerRunner::WaitForIdle); true at once when they are off. False on timeout.
  bool WaitForControllersIdle(std::chrono::milliseconds timeout);

  std::vector<RequestRecord> RequestLog() const;
  void ClearRequestLog();

  Store& store() { return store_; }
  const ResourceRegistry& registry() const { return registry_; }
  Hooks& hooks() { return options_.hooks; }
  const Options& options() const { return options_; }

 private:
  class Http;
  friend class Http;

  const ResourceType* FindResource(const std::string& resource) const;
  void WriteKubeconfig();
  void LoadState();
  void SaveState();
  void Record(RequestRecord record);

  Options options_;
  ResourceRegistry registry_;
  Store store_;
  std::unique_ptr<RestApi> rest_;
  Pki pki_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::string token_;
  bool token_revoked_ = false;
  std::vector<RequestRecord> log_;
  std::vector<std::string> warnings_;
  std::unique_ptr<Http> http_;
  std::unique_ptr<ControllerRunner> controllers_;
  std::thread listener_;
  std::thread saver_;
  std::mutex save_mu_;
  std::condition_variable save_cv_;
  bool dirty_ = false;
  bool stopping_ = false;
};

}  // namespace starform::devcluster
