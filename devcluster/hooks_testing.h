#pragma once

// Expected bodies and objects shared by the hooks' HTTPS tests (hooks_wiring_test.cpp,
// faults_wiring_test.cpp). Test-only; header-only.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace starform::devcluster::testing {

/// A failure Status as the API server writes it; |details| null: none.
inline nlohmann::json StatusBody(int code, const std::string& reason, const std::string& message,
                                 const nlohmann::json& details) {
  nlohmann::json s = {
      {"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", nlohmann::json::object()},
      {"status", "Failure"}, {"message", message}, {"reason", reason}};
  if (!details.is_null())
    s["details"] = details;
  s["code"] = code;
  return s;
}

/// 422 Invalid with |causes| ({reason, message, field} objects).
inline nlohmann::json InvalidStatus(const std::string& kind, const std::string& group,
                                    const std::string& name, const std::string& message,
                                    const std::vector<nlohmann::json>& causes) {
  return StatusBody(
      422, "Invalid", message,
      {{"name", name}, {"group", group}, {"kind", kind}, {"causes", nlohmann::json(causes)}});
}

inline nlohmann::json Cause(const std::string& reason, const std::string& field,
                            const std::string& message) {
  return {{"reason", reason}, {"message", message}, {"field", field}};
}

/// A Gateway of class eg with one listener.
inline nlohmann::json Gateway(const std::string& name, nlohmann::json listener) {
  return {{"apiVersion", "gateway.networking.k8s.io/v1"},
          {"kind", "Gateway"},
          {"metadata", {{"name", name}}},
          {"spec", {{"gatewayClassName", "eg"}, {"listeners", {std::move(listener)}}}}};
}

inline std::string GatewaysPath(const std::string& ns) {
  return "/apis/gateway.networking.k8s.io/v1/namespaces/" + ns + "/gateways";
}

}  // namespace starform::devcluster::testing
