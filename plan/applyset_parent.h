#pragma once

// The ApplySet parent's bookkeeping (KEP-3659; ../shared/notes/plan-apply-anchors.md §3.3): which
// group kinds and namespaces the set spans, read from the live parent and computed from the
// rendered objects, and the server-side-apply bodies apply writes to ConfigMap starform in
// starform-system. Pure: apply reads and writes the parent; this only decides what to write.
//
// Crash safety, as kubectl's applyset.go does it. Apply reads the parent (ReadParent), refuses
// another tool's (ForeignParentReason) and another cluster's (the cluster guard), then writes it
// twice:
//   1. before writing any member, WidenedParentBody: the union of the live parent's contents and
//      the new ones, with the live revision and source kept, so that a run that dies part way
//      leaves a parent that still names every kind and namespace an owned object may be in;
//   2. after every member was written and every prune succeeded, NarrowedParentBody: exactly the
//      new contents, and the revision and source just applied.
// When anything fails, apply skips step 2: the superset stays for the next run to finish pruning.
// Both writes use the field manager kApplySetFieldManager (kubectl uses "<tool>-applyset"), never
// starform's member field manager, so that the parent's fields have one owner and an apply of the
// parent cannot conflict with an apply of the members.
//
// Size. The API server refuses an object whose annotations total more than 256 KiB (keys plus
// values; apimachinery's TotalAnnotationSizeLimitB), and additional-namespaces grows with every
// tenant namespace: the bodies below report that as an error rather than truncate the list.
// Measured (applyset_parent_test.cpp: tool version 0.1.0, every rendered kind, a 24-byte source;
// 461 bytes besides the namespace list):
//   - 10,000 tenants named as bench/gen_state.py names them (tenant-00001..tenant-10000, plus
//     starform-authz): 130,475 bytes of annotations, half the limit;
//   - 10,000 namespaces of the maximum 63 characters: 640,460 bytes, 2.4 times the limit; at that
//     length at most 4,088 namespaces fit, and 10,000 fit only while names average 25 characters
//     or fewer.
// So the list is kept where it fits: in the additional-namespaces annotation, as KEP-3659 says,
// while the parent's annotations (starform's and anyone else's) stay within the limit; beyond
// that, in the ConfigMap's data under "additional-namespaces" (ConfigMap data may hold 1 MiB:
// 10,000 names of 63 characters are 640 KB), with the annotation starform.dev/additional-
// namespaces-in-data: "true" and no additional-namespaces annotation. That is a documented
// deviation from the KEP (docs/apply.md): other ApplySet tools would read such a set as scoped to
// starform-system; starform itself never needs the list to find its members (it lists each
// rendered kind cluster-wide by the part-of label, plan/live.h's LiveSorter), and reads both
// places. Past the ConfigMap's limit too, the bodies are errors, never a partial list.

#include <cstddef>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/plan.h"

namespace starform {

inline constexpr const char* kApplySetIdLabel = "applyset.kubernetes.io/id";
inline constexpr const char* kApplySetToolingAnnotation = "applyset.kubernetes.io/tooling";
inline constexpr const char* kApplySetGroupKindsAnnotation =
    "applyset.kubernetes.io/contains-group-kinds";
inline constexpr const char* kApplySetNamespacesAnnotation =
    "applyset.kubernetes.io/additional-namespaces";
inline constexpr const char* kClusterAnnotation = "starform.dev/cluster";
inline constexpr const char* kRevisionAnnotation = "starform.dev/revision";
inline constexpr const char* kSourceAnnotation = "starform.dev/source";

/// The tool name of the tooling annotation ("<tool>/<semver>", as kubectl's "kubectl/v1.31.0").
inline constexpr const char* kApplySetToolName = "kubectl-starform";
/// The field manager of both parent writes.
inline constexpr const char* kApplySetFieldManager = "starform-applyset";
/// apimachinery's TotalAnnotationSizeLimitB: 256 * (1 << 10).
inline constexpr size_t kTotalAnnotationSizeLimit = 262144;
/// A ConfigMap's data and binaryData, keys and values, at most (core validation's
/// MaxSecretSize, which ValidateConfigMap applies): 1 MiB.
inline constexpr size_t kConfigMapDataSizeLimit = 1048576;
/// Where the namespace list goes when the annotation would not fit.
inline constexpr const char* kNamespacesDataKey = "additional-namespaces";
inline constexpr const char* kNamespacesInDataAnnotation =
    "starform.dev/additional-namespaces-in-data";

/// What the set spans.
struct ApplySetContents {
  /// KEP-3659 spelling, "Kind.group", core kinds without a group: "ConfigMap",
  /// "HTTPRoute.gateway.networking.k8s.io".
  std::set<std::string> group_kinds;
  /// Namespaces of members other than the parent's own (starform-system): the KEP's additional
  /// namespaces. Cluster-scoped members add none.
  std::set<std::string> namespaces;

  /// Counts |key|'s kind and namespace in.
  void Add(const ObjectKey& key);
  bool operator==(const ApplySetContents&) const = default;
};

/// "HTTPRoute.gateway.networking.k8s.io" for ("gateway.networking.k8s.io/v1", "HTTPRoute");
/// "ConfigMap" for ("v1", "ConfigMap").
std::string GroupKindOf(std::string_view api_version, std::string_view kind);

/// The contents of a set whose members are |rendered| (Render's objects) or |keys|.
ApplySetContents ContentsOf(const std::vector<nlohmann::json>& rendered);
ApplySetContents ContentsOf(std::span<const ObjectKey> keys);

/// Both sets' group kinds and namespaces.
ApplySetContents Union(const ApplySetContents& a, const ApplySetContents& b);

/// What starform reads of the live parent. Every field is empty when the parent does not exist;
/// an annotation a person removed or garbled reads as missing, never as an error.
struct LiveParent {
  bool exists = false;
  ApplySetContents contents;
  std::string id;       ///< the applyset.kubernetes.io/id label, "" when missing
  std::string tooling;  ///< the tooling annotation, "" when missing
  std::optional<std::string> cluster;
  std::optional<std::string> revision;
  std::optional<std::string> source;
  /// The bytes of the annotations that are not starform's, which count against the same limit.
  size_t others_annotation_bytes = 0;
};

/// Reads the parent as served (GET or the item of a LIST); null, a non-object or an object
/// without metadata read as a missing parent. Lists are split at commas; blanks around an entry
/// and empty entries are dropped, as is the parent's own namespace. The namespaces are those of the
/// annotation and of the data key together.
LiveParent ReadParent(const nlohmann::json& live);

/// ReadParent(live).contents.
ApplySetContents ContentsOfParent(const nlohmann::json& live);

/// Why apply must not write to this parent, or "" when it may (it is missing, or it is
/// starform's): another tool's tooling, a missing tooling annotation, or a wrong or missing id
/// label. KEP-3659: "tooling should refuse to mutate ApplySets belonging to other tools".
std::string ForeignParentReason(const LiveParent& live);

/// "kubectl-starform/v0.1.0" for "0.1.0" (and for "v0.1.0").
std::string ToolingValue(std::string_view tool_version);

/// What starform records of a complete apply.
struct AppliedStamp {
  std::string cluster;   ///< the desired state's cluster, the cluster guard
  std::string revision;  ///< the desired state's revision
  std::string source;    ///< the file, or the Starbase URL and ETag
};

/// A server-side-apply body for the parent, or why there is none.
struct ParentBody {
  nlohmann::json body;          ///< the ConfigMap; null when |error| is set
  size_t annotation_bytes = 0;  ///< starform's annotations
  size_t data_bytes = 0;        ///< the namespace list in data, when it is there
  std::string error;            ///< "" on success
  bool ok() const { return error.empty(); }
};

/// Step 1: the parent widened to Union(live.contents, next), for |cluster| (the cluster guard
/// has passed). The revision and source are the live parent's, written back unchanged: a server-
/// side apply that leaves out a field its manager set removes it. Absent when the live parent has
/// none (the first apply).
ParentBody WidenedParentBody(const LiveParent& live, const ApplySetContents& next,
                             std::string_view cluster, std::string_view tool_version);

/// Step 2: the parent narrowed to exactly |next|, stamped with the apply that just completed;
/// |live| (as read before step 1) for the size of others' annotations.
ParentBody NarrowedParentBody(const LiveParent& live, const ApplySetContents& next,
                              const AppliedStamp& applied, std::string_view tool_version);

/// The sum of the key and value bytes of |object|'s metadata.annotations, as the API server
/// counts them against kTotalAnnotationSizeLimit. Values that are not strings count as their
/// JSON text.
size_t AnnotationBytes(const nlohmann::json& object);

}  // namespace starform
