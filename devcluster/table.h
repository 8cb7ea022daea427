#pragma once

// Server-side printing: the meta.k8s.io Table that `kubectl get` asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...`, built the way kube-apiserver's
// table convertors build it: a CRD version's additionalPrinterColumns (apiextensions
// tableconvertor), the built-in printers (pkg/printers/internalversion) for the built-in kinds
// served here, and the default convertor (Name, Created At) for the rest.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace starform::devcluster {

struct ResourceType;

/// What the Accept header of a GET or LIST asks the response to be.
struct ResponseForm {
  bool table = false;
  std::string table_version;  ///< "v1" or "v1beta1" when |table|
};

/// Negotiates |accept| as the API server does for a resource read: the first media type, in the
/// client's order, that the server can produce. JSON and protobuf without a conversion mean the
/// object itself (protobuf is answered as JSON, which client-go decodes by Content-Type);
/// `as=Table` in meta.k8s.io v1 or v1beta1 means a Table. Throws 406 NotAcceptable when nothing
/// listed can be produced (e.g. only `as=PartialObjectMetadataList`).
ResponseForm NegotiateForm(std::string_view accept);

/// TableOptions.includeObject: what each row's `object` holds.
enum class IncludeObject { kNone, kMetadata, kObject };
/// The includeObject query value ("" is Metadata); throws 400 as the server does otherwise.
IncludeObject ParseIncludeObject(const std::string& value);

/// ListMeta of the table: the list's (or the single object's) resourceVersion and the list's
/// continue token and remainingItemCount.
struct TableListMeta {
  std::string resource_version;
  std::string continue_token;
  long long remaining_item_count = -1;  ///< -1: absent
};

/// The Table of |objects| (already in the version |type| serves) as |type|'s convertor builds
/// it. |now| is the time ages are counted to. |group_version| is "meta.k8s.io/v1" or
/// "meta.k8s.io/v1beta1".
nlohmann::ordered_json ToTable(const ResourceType& type,
                               const std::vector<const nlohmann::json*>& objects,
                               const TableListMeta& list_meta, const std::string& group_version,
                               IncludeObject include, std::chrono::system_clock::time_point now);

/// duration.ShortHumanDuration: "5s", "3m", "2h", "4d", "3y" (CRD date columns).
std::string ShortHumanDuration(std::chrono::seconds d);
/// duration.HumanDuration: "90s", "5m3s", "2h5m", "3d4h", "2y10d" (the built-in printers' Age).
std::string HumanDuration(std::chrono::seconds d);
/// Parses an RFC 3339 time ("2024-05-01T10:00:00Z", fractions and offsets allowed).
bool ParseRfc3339(std::string_view text, std::chrono::system_clock::time_point* out);

/// Evaluates a CRD printer column's simple JSONPath (".spec.hostnames",
/// ".status.addresses[*].value", ".status.conditions[?(@.type==\"Ready\")].status") against
/// |object|: every match in order. Returns false when the path cannot be parsed.
bool EvaluateJsonPath(std::string_view path, const nlohmann::json& object,
                      std::vector<const nlohmann::json*>* results);

}  // namespace starform::devcluster
