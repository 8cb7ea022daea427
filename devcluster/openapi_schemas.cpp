// The schemas in the openapi documents: apimachinery's meta types, the built-in kinds (minimal,
// written out below), and custom resources from their CRDs.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "devcluster/openapi_internal.h"

namespace starform::devcluster::openapi {
namespace {

using nlohmann::json;

constexpr std::string_view kDefinitionsPrefix = "#/definitions/";

// Descriptions the API server repeats on every kind (apimachinery's swagger docs).
constexpr const char* kApiVersionDescription =
    "APIVersion defines the versioned schema of this representation of an object. Servers "
    "should convert recognized schemas to the latest internal value, and may reject "
    "unrecognized values. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#resources";
constexpr const char* kKindDescription =
    "Kind is a string value representing the REST resource this object represents. Servers may "
    "infer this from the endpoint the client submits requests to. Cannot be updated. In "
    "CamelCase. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#types-kinds";
constexpr const char* kMetadataDescription =
    "Standard object's metadata. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#metadata";
constexpr const char* kListMetadataDescription =
    "Standard list metadata. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#types-kinds";

// apimachinery's meta types, trimmed to their fields and the extensions clients rely on.
constexpr const char* kMeta = R"json({
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time": {
    "description": "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.",
    "type": "string", "format": "date-time"},
  "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": {
    "description": "MicroTime is version of Time with microsecond level precision.",
    "type": "string", "format": "date-time"},
  "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": {
    "description": "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.",
    "type": "object"},
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
    "description": "IntOrString is a type that can hold an int32 or a string.",
    "type": "string", "format": "int-or-string"},
  "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry": {
    "description": "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
    "type": "object",
    "properties": {
      "apiVersion": {"type": "string"},
      "fieldsType": {"type": "string"},
      "fieldsV1": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"},
      "manager": {"type": "string"},
      "operation": {"type": "string"},
      "subresource": {"type": "string"},
      "time": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time"}}},
  "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference": {
    "description": "OwnerReference contains enough information to let you identify an owning object.",
    "type": "object",
    "required": ["apiVersion", "kind", "name", "uid"],
    "properties": {
      "apiVersion": {"type": "string"},
      "blockOwnerDeletion": {"type": "boolean"},
      "controller": {"type": "boolean"},
      "kind": {"type": "string"},
      "name": {"type": "string"},
      "uid": {"type": "string"}},
    "x-kubernetes-map-type": "atomic"},
  "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {
    "description": "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
    "type": "object",
    "properties": {
      "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
      "creationTimestamp": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time"},
      "deletionGracePeriodSeconds": {"type": "integer", "format": "int64"},
      "deletionTimestamp": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time"},
      "finalizers": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set",
                     "x-kubernetes-patch-strategy": "merge"},
      "generateName": {"type": "string"},
      "generation": {"type": "integer", "format": "int64"},
      "labels": {"type": "object", "additionalProperties": {"type": "string"}},
      "managedFields": {"type": "array", "x-kubernetes-list-type": "atomic",
        "items": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry"}},
      "name": {"type": "string"},
      "namespace": {"type": "string"},
      "ownerReferences": {"type": "array",
        "items": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference"},
        "x-kubernetes-list-map-keys": ["uid"], "x-kubernetes-list-type": "map",
        "x-kubernetes-patch-merge-key": "uid", "x-kubernetes-patch-strategy": "merge"},
      "resourceVersion": {"type": "string"},
      "selfLink": {"type": "string"},
      "uid": {"type": "string"}}},
  "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta": {
    "description": "ListMeta describes metadata that synthetic resources must have, including lists and various status objects.",
    "type": "object",
    "properties": {
      "continue": {"type": "string"},
      "remainingItemCount": {"type": "integer", "format": "int64"},
      "resourceVersion": {"type": "string"},
      "selfLink": {"type": "string"}}},
  "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement": {
    "type": "object",
    "required": ["key", "operator"],
    "properties": {
      "key": {"type": "string"},
      "operator": {"type": "string"},
      "values": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"}}},
  "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector": {
    "type": "object",
    "properties": {
      "matchExpressions": {"type": "array", "x-kubernetes-list-type": "atomic",
        "items": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement"}},
      "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}}},
    "x-kubernetes-map-type": "atomic"},
  "io.k8s.apimachinery.pkg.apis.meta.v1.Condition": {
    "type": "object",
    "required": ["type", "status", "lastTransitionTime", "reason", "message"],
    "properties": {
      "lastTransitionTime": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time"},
      "message": {"type": "string"},
      "observedGeneration": {"type": "integer", "format": "int64"},
      "reason": {"type": "string"},
      "status": {"type": "string"},
      "type": {"type": "string"}}},
  "io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause": {
    "type": "object",
    "properties": {"field": {"type": "string"}, "message": {"type": "string"}, "reason": {"type": "string"}}},
  "io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails": {
    "type": "object",
    "properties": {
      "causes": {"type": "array", "x-kubernetes-list-type": "atomic",
        "items": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause"}},
      "group": {"type": "string"},
      "kind": {"type": "string"},
      "name": {"type": "string"},
      "retryAfterSeconds": {"type": "integer", "format": "int32"},
      "uid": {"type": "string"}}},
  "io.k8s.apimachinery.pkg.apis.meta.v1.Status": {
    "description": "Status is a return value for calls that don't return other objects.",
    "type": "object",
    "properties": {
      "apiVersion": {"type": "string"},
      "code": {"type": "integer", "format": "int32"},
      "details": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails"},
      "kind": {"type": "string"},
      "message": {"type": "string"},
      "metadata": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"},
      "reason": {"type": "string"},
      "status": {"type": "string"}},
    "x-kubernetes-group-version-kind": [{"group": "", "kind": "Status", "version": "v1"}]},
  "io.k8s.apimachinery.pkg.apis.meta.v1.Patch": {
    "description": "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
    "type": "object"},
  "io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions": {
    "type": "object",
    "properties": {"resourceVersion": {"type": "string"}, "uid": {"type": "string"}}},
  "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions": {
    "description": "DeleteOptions may be provided when deleting an API object.",
    "type": "object",
    "properties": {
      "apiVersion": {"type": "string"},
      "dryRun": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"},
      "gracePeriodSeconds": {"type": "integer", "format": "int64"},
      "ignoreStoreReadErrorWithClusterBreakingPotential": {"type": "boolean"},
      "kind": {"type": "string"},
      "orphanDependents": {"type": "boolean"},
      "preconditions": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions"},
      "propagationPolicy": {"type": "string"}}}
})json";

// The built-in kinds, trimmed to the fields the dev cluster, its controllers and starform use,
// with the list types and merge keys of the real schemas.
constexpr const char* kBuiltins = R"json({
  "io.k8s.api.core.v1.NamespaceSpec": {"type": "object",
    "properties": {"finalizers": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"}}},
  "io.k8s.api.core.v1.NamespaceStatus": {"type": "object",
    "properties": {"phase": {"type": "string"}}},
  "io.k8s.api.core.v1.Namespace": {
    "description": "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
    "type": "object",
    "properties": {
      "spec": {"$ref": "#/definitions/io.k8s.api.core.v1.NamespaceSpec"},
      "status": {"$ref": "#/definitions/io.k8s.api.core.v1.NamespaceStatus"}}},
  "io.k8s.api.core.v1.ServicePort": {"type": "object", "required": ["port"],
    "properties": {
      "appProtocol": {"type": "string"},
      "name": {"type": "string"},
      "nodePort": {"type": "integer", "format": "int32"},
      "port": {"type": "integer", "format": "int32"},
      "protocol": {"type": "string", "default": "TCP"},
      "targetPort": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"}}},
  "io.k8s.api.core.v1.ServiceSpec": {"type": "object",
    "properties": {
      "allocateLoadBalancerNodePorts": {"type": "boolean"},
      "clusterIP": {"type": "string"},
      "clusterIPs": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"},
      "externalName": {"type": "string"},
      "externalTrafficPolicy": {"type": "string"},
      "healthCheckNodePort": {"type": "integer", "format": "int32"},
      "internalTrafficPolicy": {"type": "string"},
      "ipFamilies": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"},
      "ipFamilyPolicy": {"type": "string"},
      "loadBalancerClass": {"type": "string"},
      "loadBalancerIP": {"type": "string"},
      "loadBalancerSourceRanges": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"},
      "ports": {"type": "array", "items": {"$ref": "#/definitions/io.k8s.api.core.v1.ServicePort"},
        "x-kubernetes-list-map-keys": ["port", "protocol"], "x-kubernetes-list-type": "map",
        "x-kubernetes-patch-merge-key": "port", "x-kubernetes-patch-strategy": "merge"},
      "publishNotReadyAddresses": {"type": "boolean"},
      "selector": {"type": "object", "additionalProperties": {"type": "string"}, "x-kubernetes-map-type": "atomic"},
      "sessionAffinity": {"type": "string"},
      "type": {"type": "string"}}},
  "io.k8s.api.core.v1.LoadBalancerIngress": {"type": "object",
    "properties": {"hostname": {"type": "string"}, "ip": {"type": "string"}, "ipMode": {"type": "string"}}},
  "io.k8s.api.core.v1.ServiceStatus": {"type": "object",
    "properties": {
      "conditions": {"type": "array", "items": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Condition"},
        "x-kubernetes-list-map-keys": ["type"], "x-kubernetes-list-type": "map",
        "x-kubernetes-patch-merge-key": "type", "x-kubernetes-patch-strategy": "merge"},
      "loadBalancer": {"type": "object", "properties": {
        "ingress": {"type": "array", "items": {"$ref": "#/definitions/io.k8s.api.core.v1.LoadBalancerIngress"},
                    "x-kubernetes-list-type": "atomic"}}}}},
  "io.k8s.api.core.v1.Service": {
    "description": "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.",
    "type": "object",
    "properties": {
      "spec": {"$ref": "#/definitions/io.k8s.api.core.v1.ServiceSpec"},
      "status": {"$ref": "#/definitions/io.k8s.api.core.v1.ServiceStatus"}}},
  "io.k8s.api.core.v1.Secret": {
    "description": "Secret holds secret data of a certain type.",
    "type": "object",
    "properties": {
      "data": {"type": "object", "additionalProperties": {"type": "string", "format": "byte"}},
      "immutable": {"type": "boolean"},
      "stringData": {"type": "object", "additionalProperties": {"type": "string"}},
      "type": {"type": "string"}}},
  "io.k8s.api.core.v1.ConfigMap": {
    "description": "ConfigMap holds configuration data for pods to consume.",
    "type": "object",
    "properties": {
      "binaryData": {"type": "object", "additionalProperties": {"type": "string", "format": "byte"}},
      "data": {"type": "object", "additionalProperties": {"type": "string"}},
      "immutable": {"type": "boolean"}}},
  "io.k8s.api.core.v1.ResourceQuotaSpec": {"type": "object",
    "properties": {
      "hard": {"type": "object", "additionalProperties": {"type": "string"}},
      "scopes": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"},
      "scopeSelector": {"type": "object", "x-kubernetes-map-type": "atomic",
        "x-kubernetes-preserve-unknown-fields": true}}},
  "io.k8s.api.core.v1.ResourceQuotaStatus": {"type": "object",
    "properties": {
      "hard": {"type": "object", "additionalProperties": {"type": "string"}},
      "used": {"type": "object", "additionalProperties": {"type": "string"}}}},
  "io.k8s.api.core.v1.ResourceQuota": {
    "description": "ResourceQuota sets aggregate quota restrictions enforced per namespace",
    "type": "object",
    "properties": {
      "spec": {"$ref": "#/definitions/io.k8s.api.core.v1.ResourceQuotaSpec"},
      "status": {"$ref": "#/definitions/io.k8s.api.core.v1.ResourceQuotaStatus"}}},
  "io.k8s.api.core.v1.LimitRangeItem": {"type": "object", "required": ["type"],
    "properties": {
      "default": {"type": "object", "additionalProperties": {"type": "string"}},
      "defaultRequest": {"type": "object", "additionalProperties": {"type": "string"}},
      "max": {"type": "object", "additionalProperties": {"type": "string"}},
      "maxLimitRequestRatio": {"type": "object", "additionalProperties": {"type": "string"}},
      "min": {"type": "object", "additionalProperties": {"type": "string"}},
      "type": {"type": "string"}}},
  "io.k8s.api.core.v1.LimitRangeSpec": {"type": "object", "required": ["limits"],
    "properties": {
      "limits": {"type": "array", "x-kubernetes-list-type": "atomic",
        "items": {"$ref": "#/definitions/io.k8s.api.core.v1.LimitRangeItem"}}}},
  "io.k8s.api.core.v1.LimitRange": {
    "description": "LimitRange sets resource usage limits for each kind of resource in a Namespace.",
    "type": "object",
    "properties": {"spec": {"$ref": "#/definitions/io.k8s.api.core.v1.LimitRangeSpec"}}},
  "io.k8s.api.core.v1.ObjectReference": {"type": "object",
    "properties": {
      "apiVersion": {"type": "string"}, "fieldPath": {"type": "string"}, "kind": {"type": "string"},
      "name": {"type": "string"}, "namespace": {"type": "string"},
      "resourceVersion": {"type": "string"}, "uid": {"type": "string"}},
    "x-kubernetes-map-type": "atomic"},
  "io.k8s.api.core.v1.EventSource": {"type": "object",
    "properties": {"component": {"type": "string"}, "host": {"type": "string"}}},
  "io.k8s.api.core.v1.Event": {
    "description": "Event is a report of an event somewhere in the cluster.",
    "type": "object",
    "required": ["metadata", "involvedObject"],
    "properties": {
      "action": {"type": "string"},
      "count": {"type": "integer", "format": "int32"},
      "eventTime": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"},
      "firstTimestamp": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time"},
      "involvedObject": {"$ref": "#/definitions/io.k8s.api.core.v1.ObjectReference"},
      "lastTimestamp": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time"},
      "message": {"type": "string"},
      "reason": {"type": "string"},
      "related": {"$ref": "#/definitions/io.k8s.api.core.v1.ObjectReference"},
      "reportingComponent": {"type": "string"},
      "reportingInstance": {"type": "string"},
      "source": {"$ref": "#/definitions/io.k8s.api.core.v1.EventSource"},
      "type": {"type": "string"}}},
  "io.k8s.api.coordination.v1.LeaseSpec": {"type": "object",
    "properties": {
      "acquireTime": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"},
      "holderIdentity": {"type": "string"},
      "leaseDurationSeconds": {"type": "integer", "format": "int32"},
      "leaseTransitions": {"type": "integer", "format": "int32"},
      "preferredHolder": {"type": "string"},
      "renewTime": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"},
      "strategy": {"type": "string"}}},
  "io.k8s.api.coordination.v1.Lease": {
    "description": "Lease defines a lease concept.",
    "type": "object",
    "properties": {"spec": {"$ref": "#/definitions/io.k8s.api.coordination.v1.LeaseSpec"}}},
  "io.k8s.api.core.v1.ContainerPort": {"type": "object", "required": ["containerPort"],
    "properties": {
      "containerPort": {"type": "integer", "format": "int32"},
      "name": {"type": "string"},
      "protocol": {"type": "string", "default": "TCP"}}},
  "io.k8s.api.core.v1.EnvVar": {"type": "object", "required": ["name"],
    "properties": {"name": {"type": "string"}, "value": {"type": "string"}}},
  "io.k8s.api.core.v1.Container": {"type": "object", "required": ["name"],
    "properties": {
      "args": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"},
      "command": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"},
      "env": {"type": "array", "items": {"$ref": "#/definitions/io.k8s.api.core.v1.EnvVar"},
        "x-kubernetes-list-map-keys": ["name"], "x-kubernetes-list-type": "map",
        "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"},
      "image": {"type": "string"},
      "imagePullPolicy": {"type": "string"},
      "name": {"type": "string"},
      "ports": {"type": "array", "items": {"$ref": "#/definitions/io.k8s.api.core.v1.ContainerPort"},
        "x-kubernetes-list-map-keys": ["containerPort", "protocol"], "x-kubernetes-list-type": "map",
        "x-kubernetes-patch-merge-key": "containerPort", "x-kubernetes-patch-strategy": "merge"}}},
  "io.k8s.api.core.v1.PodSpec": {"type": "object", "required": ["containers"],
    "properties": {
      "containers": {"type": "array", "items": {"$ref": "#/definitions/io.k8s.api.core.v1.Container"},
        "x-kubernetes-list-map-keys": ["name"], "x-kubernetes-list-type": "map",
        "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"},
      "serviceAccountName": {"type": "string"}}},
  "io.k8s.api.core.v1.PodTemplateSpec": {"type": "object",
    "properties": {
      "metadata": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
      "spec": {"$ref": "#/definitions/io.k8s.api.core.v1.PodSpec"}}},
  "io.k8s.api.apps.v1.DeploymentSpec": {"type": "object", "required": ["selector", "template"],
    "properties": {
      "minReadySeconds": {"type": "integer", "format": "int32"},
      "paused": {"type": "boolean"},
      "progressDeadlineSeconds": {"type": "integer", "format": "int32"},
      "replicas": {"type": "integer", "format": "int32"},
      "revisionHistoryLimit": {"type": "integer", "format": "int32"},
      "selector": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"},
      "template": {"$ref": "#/definitions/io.k8s.api.core.v1.PodTemplateSpec"}}},
  "io.k8s.api.apps.v1.DeploymentCondition": {"type": "object", "required": ["type", "status"],
    "properties": {
      "lastTransitionTime": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time"},
      "lastUpdateTime": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time"},
      "message": {"type": "string"}, "reason": {"type": "string"},
      "status": {"type": "string"}, "type": {"type": "string"}}},
  "io.k8s.api.apps.v1.DeploymentStatus": {"type": "object",
    "properties": {
      "availableReplicas": {"type": "integer", "format": "int32"},
      "conditions": {"type": "array", "items": {"$ref": "#/definitions/io.k8s.api.apps.v1.DeploymentCondition"},
        "x-kubernetes-list-map-keys": ["type"], "x-kubernetes-list-type": "map",
        "x-kubernetes-patch-merge-key": "type", "x-kubernetes-patch-strategy": "merge"},
      "observedGeneration": {"type": "integer", "format": "int64"},
      "readyReplicas": {"type": "integer", "format": "int32"},
      "replicas": {"type": "integer", "format": "int32"},
      "updatedReplicas": {"type": "integer", "format": "int32"}}},
  "io.k8s.api.apps.v1.Deployment": {
    "description": "Deployment enables declarative updates for Pods and ReplicaSets.",
    "type": "object",
    "properties": {
      "spec": {"$ref": "#/definitions/io.k8s.api.apps.v1.DeploymentSpec"},
      "status": {"$ref": "#/definitions/io.k8s.api.apps.v1.DeploymentStatus"}}},
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionNames": {
    "type": "object", "required": ["plural", "kind"],
    "properties": {
      "categories": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"},
      "kind": {"type": "string"}, "listKind": {"type": "string"}, "plural": {"type": "string"},
      "shortNames": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"},
      "singular": {"type": "string"}}},
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec": {
    "type": "object", "required": ["group", "names", "scope", "versions"],
    "properties": {
      "group": {"type": "string"},
      "names": {"$ref": "#/definitions/io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionNames"},
      "scope": {"type": "string"},
      "versions": {"type": "array", "x-kubernetes-list-type": "atomic",
        "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}},
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition": {
    "description": "CustomResourceDefinition represents a resource that should be exposed on the API server.",
    "type": "object", "required": ["spec"],
    "properties": {
      "spec": {"$ref": "#/definitions/io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec"},
      "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}
})json";

// The built-in kinds, to give each its apiVersion, kind, metadata, GVK and list.
struct BuiltinKind {
  const char* group;
  const char* version;
  const char* kind;
};
constexpr BuiltinKind kBuiltinKinds[] = {
    {"", "v1", "Namespace"},      {"", "v1", "Service"},
    {"", "v1", "Secret"},         {"", "v1", "ConfigMap"},
    {"", "v1", "Event"},          {"coordination.k8s.io", "v1", "Lease"},
    {"apps", "v1", "Deployment"}, {"apiextensions.k8s.io", "v1", "CustomResourceDefinition"},
    {"", "v1", "ResourceQuota"},  {"", "v1", "LimitRange"},
};

json Ref(const std::string& name) {
  return {{"$ref", std::string(kDefinitionsPrefix) + name}};
}

json Gvk(std::string_view group, std::string_view version, std::string_view kind) {
  return json::array({{{"group", group}, {"kind", kind}, {"version", version}}});
}

void AddTypeMeta(json* definition) {
  json& properties = (*definition)["properties"];
  properties["apiVersion"] = {{"description", kApiVersionDescription}, {"type", "string"}};
  properties["kind"] = {{"description", kKindDescription}, {"type", "string"}};
}

json ListOf(const std::string& item, std::string_view group, std::string_view version,
            std::string_view list_kind, std::string_view kind, std::string_view plural) {
  json list = {
      {"description", std::string(list_kind) + " is a list of " + std::string(kind)},
      {"type", "object"},
      {"required", {"items"}},
      {"properties",
       {{"items",
         {{"description", "List of " + std::string(plural) +
                              ". More info: https://git.k8s.io/community/contributors/devel/"
                              "sig-architecture/api-conventions.md"},
          {"type", "array"},
          {"items", Ref(item)}}},
        {"metadata",
         {{"$ref",
           std::string(kDefinitionsPrefix) + "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"},
          {"description", kListMetadataDescription}}}}},
      {"x-kubernetes-group-version-kind", Gvk(group, version, list_kind)}};
  AddTypeMeta(&list);
  return list;
}

// What a v2 document keeps of a CRD schema (apiextensions' StripValueValidations and
// StripNullable): structure, descriptions, defaults and the x-kubernetes extensions but the
// CEL rules.
void StripForV2(json* schema) {
  if (!schema->is_object())
    return;
  static const std::vector<std::string_view> kDropped = {"format",
                                                         "maximum",
                                                         "exclusiveMaximum",
                                                         "minimum",
                                                         "exclusiveMinimum",
                                                         "maxLength",
                                                         "minLength",
                                                         "pattern",
                                                         "maxItems",
                                                         "minItems",
                                                         "uniqueItems",
                                                         "multipleOf",
                                                         "enum",
                                                         "maxProperties",
                                                         "minProperties",
                                                         "required",
                                                         "allOf",
                                                         "oneOf",
                                                         "anyOf",
                                                         "not",
                                                         "nullable",
                                                         "x-kubernetes-validations"};
  for (std::string_view key : kDropped)
    schema->erase(std::string(key));
  if (auto it = schema->find("properties"); it != schema->end()) {
    for (auto& [name, property] : it->items())
      StripForV2(&property);
  }
  if (auto it = schema->find("items"); it != schema->end())
    StripForV2(&*it);
  if (auto it = schema->find("additionalProperties"); it != schema->end())
    StripForV2(&*it);
}

// structural.Unfold: an int-or-string node gets anyOf [integer, string] (if it has no anyOf).
void UnfoldIntOrString(json* schema) {
  if (!schema->is_object())
    return;
  if (schema->value("x-kubernetes-int-or-string", false) && !schema->contains("anyOf")) {
    (*schema)["anyOf"] = json::array({{{"type", "integer"}}, {{"type", "string"}}});
  }
  if (auto it = schema->find("properties"); it != schema->end()) {
    for (auto& [name, property] : it->items())
      UnfoldIntOrString(&property);
  }
  if (auto it = schema->find("items"); it != schema->end())
    UnfoldIntOrString(&*it);
  if (auto it = schema->find("additionalProperties"); it != schema->end()) {
    UnfoldIntOrString(&*it);
  }
}

void CollectRefs(const json& node, std::vector<std::string>* out) {
  if (node.is_object()) {
    if (auto it = node.find("$ref"); it != node.end() && it->is_string()) {
      std::string_view ref = it->get_ref<const std::string&>();
      if (ref.starts_with(kDefinitionsPrefix)) {
        out->emplace_back(ref.substr(kDefinitionsPrefix.size()));
      }
    }
    for (const auto& [key, value] : node.items())
      CollectRefs(value, out);
  } else if (node.is_array()) {
    for (const json& value : node)
      CollectRefs(value, out);
  }
}

}  // namespace

std::string DefinitionName(std::string_view group, std::string_view version,
                           std::string_view kind) {
  std::string prefix;
  if (group.empty()) {
    prefix = "io.k8s.api.core";
  } else if (group == "apiextensions.k8s.io") {
    prefix = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions";
  } else if (group == "apps" || group == "coordination.k8s.io") {
    prefix = "io.k8s.api." + std::string(group.substr(0, group.find('.')));
  } else {
    // A custom resource: the group's labels reversed (apiextensions' CRDCanonicalTypeNamer
    // through kube-openapi's friendly names).
    std::vector<std::string_view> labels;
    size_t at = 0;
    while (true) {
      size_t dot = group.find('.', at);
      labels.push_back(group.substr(at, dot - at));
      if (dot == std::string_view::npos)
        break;
      at = dot + 1;
    }
    std::reverse(labels.begin(), labels.end());
    for (std::string_view label : labels) {
      if (!prefix.empty())
        prefix += '.';
      prefix += label;
    }
  }
  return prefix + "." + std::string(version) + "." + std::string(kind);
}

const json& MetaDefinitions() {
  static const json* definitions = new json(json::parse(kMeta));
  return *definitions;
}

const json& BuiltinDefinitions() {
  static const json* definitions = [] {
    auto* all = new json(json::parse(kBuiltins));
    for (const BuiltinKind& k : kBuiltinKinds) {
      std::string name = DefinitionName(k.group, k.version, k.kind);
      json& definition = (*all)[name];
      AddTypeMeta(&definition);
      definition["properties"]["metadata"] = {
          {"$ref",
           std::string(kDefinitionsPrefix) + "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
          {"description", kMetadataDescription}};
      definition["x-kubernetes-group-version-kind"] = Gvk(k.group, k.version, k.kind);
      std::string plural = std::string(k.kind) + "s";  // only used in a description
      (*all)[name + "List"] =
          ListOf(name, k.group, k.version, std::string(k.kind) + "List", k.kind, plural);
    }
    return all;
  }();
  return *definitions;
}

json CustomResourceDefinition(const json& schema, std::string_view group, std::string_view version,
                              std::string_view kind, bool v2) {
  json definition;
  if (!schema.is_object()) {
    // No schema: apiextensions publishes a bare object, so clients assume nothing of it.
    definition = {{"type", "object"}};
  } else {
    definition = schema;
    if (v2) {
      StripForV2(&definition);
    } else {
      UnfoldIntOrString(&definition);
    }
    definition["properties"]["metadata"] = {
        {"$ref",
         std::string(kDefinitionsPrefix) + "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
        {"description", kMetadataDescription}};
    AddTypeMeta(&definition);
  }
  definition["x-kubernetes-group-version-kind"] = Gvk(group, version, kind);
  return definition;
}

json CustomResourceListDefinition(std::string_view group, std::string_view version,
                                  std::string_view kind, std::string_view list_kind,
                                  std::string_view plural) {
  return ListOf(DefinitionName(group, version, kind), group, version, list_kind, kind, plural);
}

json ToV3(const json& v2) {
  if (v2.is_array()) {
    json out = json::array();
    for (const json& item : v2)
      out.push_back(ToV3(item));
    return out;
  }
  if (!v2.is_object())
    return v2;
  json out = json::object();
  for (const auto& [key, value] : v2.items()) {
    if (key == "$ref" && value.is_string()) {
      std::string ref = value;
      if (std::string_view(ref).starts_with(kDefinitionsPrefix)) {
        ref = "#/components/schemas/" + ref.substr(kDefinitionsPrefix.size());
      }
      out["$ref"] = ref;
    } else {
      out[key] = ToV3(value);
    }
  }
  if (out.contains("$ref") && out.size() > 1) {
    json ref = {{"$ref", out["$ref"]}};
    out.erase("$ref");
    out["allOf"] = json::array({ref});
  }
  return out;
}

void AddReferenced(const json& definition, const json& available, json* out) {
  std::vector<std::string> pending;
  CollectRefs(definition, &pending);
  while (!pending.empty()) {
    std::string name = std::move(pending.back());
    pending.pop_back();
    if (out->contains(name))
      continue;
    auto it = available.find(name);
    if (it == available.end())
      continue;
    (*out)[name] = *it;
    CollectRefs(*it, &pending);
  }
}

}  // namespace starform::devcluster::openapi
