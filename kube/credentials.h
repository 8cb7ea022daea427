#pragma once

// Where a request's credentials come from: a static token, a token file re-read on use, basic
// auth, a client certificate, or an exec credential plugin (client.authentication.k8s.io v1 and
// v1beta1, ../shared/notes/kubectl-plugin.md §2) whose output is cached until it expires or the
// server answers 401. The transport asks before each request and reports a 401 back.

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "kube/env.h"
#include "kube/rest_config.h"

namespace starform::kube {

/// What one request is sent with. Never logged: see RedactedHeaders in the transport.
struct Credentials {
  std::string authorization;  ///< the Authorization header value ("Bearer ...", "Basic ..."), or ""
  std::string client_cert_pem;
  std::string client_key_pem;
  /// Changes whenever the credentials change, so a caller can tell whether a 401 was answered
  /// to credentials that have since been refreshed.
  uint64_t generation = 0;
};

/// The credentials cannot be obtained (the plugin is missing, failed, or printed something
/// that is not an ExecCredential). The message says what and how to fix it; it holds no secret.
class CredentialError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  /// The credentials for the next request. Thread-safe: concurrent callers share one plugin run.
  /// Throws CredentialError.
  virtual Credentials Get() = 0;
  /// The server answered 401 to a request sent with credentials of |generation|. Drops them if
  /// they are still current, so the next Get() runs the plugin (or re-reads the token file)
  /// again. Returns true when a retry may succeed (the credentials are refreshable and were
  /// refreshed or already have been since), false for static ones.
  virtual bool OnUnauthorized(uint64_t generation) = 0;
};

/// The provider for |config|. |stdin_is_terminal| decides interactiveMode IfAvailable/Always.
std::unique_ptr<CredentialProvider> NewCredentialProvider(const RestConfig& config, const Env& env,
                                                          bool stdin_is_terminal);

}  // namespace starform::kube
