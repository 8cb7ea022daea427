#pragma once

// The dev cluster's PKI, made fresh at every start: a CA, a serving certificate for
// 127.0.0.1/localhost, and a client certificate tests can authenticate with.

#include <string>

namespace starform::devcluster {

struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

struct Pki {
  KeyPair ca;
  KeyPair server;
  KeyPair client;  ///< CN=starform-admin, O=system:masters
};

/// Makes a CA (EC P-256) and the server and client certificates it signs. Throws
/// std::runtime_error when OpenSSL fails.
Pki MakePki();

/// A client certificate signed by |ca| for |common_name| in |organization| (a group).
KeyPair IssueClientCert(const KeyPair& ca, const std::string& common_name,
                        const std::string& organization);

/// Random bytes as lowercase hex (tokens, uids).
std::string RandomHex(size_t bytes);
/// A random UUID (version 4) as the API server writes uids.
std::string NewUid();

}  // namespace starform::devcluster
