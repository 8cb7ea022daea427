#pragma once

// Kubernetes protobuf request bodies (`Content-Type: application/vnd.kubernetes.protobuf`):
// the "k8s\0" magic, then a runtime.Unknown whose raw bytes are the object's generated.proto
// message. client-go's typed clients send built-in objects this way by default since v1.31
// (`kubectl create namespace`, `create configmap`, `create secret`, `create service`); the dev
// cluster reads those few kinds into the JSON it stores. Responses stay JSON, which those
// clients accept (their Accept lists */* or application/json after protobuf).

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace starform::devcluster {

/// True when |content_type| is application/vnd.kubernetes.protobuf (parameters ignored).
bool IsProtobuf(std::string_view content_type);

/// Decodes a protobuf body into the object's JSON form (apiVersion, kind, and the fields with
/// Go's omitempty: zero values left out). Kinds read: v1 Namespace, ConfigMap, Secret, Service
/// and meta.k8s.io DeleteOptions. Throws StatusError: 400 for a body that is not a well-formed
/// envelope, 415 for a kind the dev cluster cannot read from protobuf.
nlohmann::json DecodeProtobuf(std::string_view body);

}  // namespace starform::devcluster
