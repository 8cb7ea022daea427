#pragma once

// Running a client-go exec credential plugin (client.authentication.k8s.io/v1 and v1beta1):
// the KUBERNETES_EXEC_INFO it is given, the process (stdout captured, stderr to the user's,
// stdin only when interactive) and the ExecCredential it must print, with client-go's errors.

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "kube/kubeconfig.h"

namespace starform::kube {

struct ExecCredential {
  std::string token;
  std::string client_certificate_data;  ///< PEM (not base64, unlike kubeconfig)
  std::string client_key_data;
  std::optional<std::chrono::system_clock::time_point> expiration;
};

/// Whether the plugin runs interactively, per its interactiveMode. Throws CredentialError for
/// Always without a terminal.
bool ExecInteractive(const ExecConfig& exec, bool stdin_is_terminal);

/// The KUBERNETES_EXEC_INFO value: {"kind":"ExecCredential","apiVersion":...,"spec":{...}}.
std::string ExecInfo(const ExecConfig& exec, const nlohmann::json& cluster, bool interactive);

/// Decodes the plugin's stdout. Throws CredentialError with client-go's messages.
ExecCredential ParseExecCredential(const std::string& output, const std::string& api_version);

/// Runs the plugin and decodes what it printed. Throws CredentialError.
ExecCredential RunExecPlugin(const ExecConfig& exec, const nlohmann::json& cluster,
                             bool stdin_is_terminal);

/// RFC 3339 ("2018-03-05T17:30:20-08:00", "...Z", fractional seconds allowed).
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text);

}  // namespace starform::kube
