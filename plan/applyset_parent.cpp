#include "plan/applyset_parent.h"

#include "plan/json_access.h"
#include "plan/render.h"

namespace starform {

namespace {

std::string_view TrimBlanks(std::string_view text) {
  const char* kBlanks = " \t\r\n";
  size_t first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos)
    return {};
  return text.substr(first, text.find_last_not_of(kBlanks) - first + 1);
}

// A person may have edited the list: "a, b,,c " reads as {a, b, c}.
std::set<std::string> SplitList(std::string_view list) {
  std::set<std::string> items;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = TrimBlanks(list.substr(0, comma));
    if (!item.empty())
      items.emplace(item);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return items;
}

// Sorted because std::set orders std::string bytewise, as Go's sort.Strings does in kubectl.
std::string JoinList(const std::set<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty())
      out += ',';
    out += item;
  }
  return out;
}

std::optional<std::string> OptionalString(const nlohmann::json& object, const char* name) {
  const nlohmann::json& value = Member(object, name);
  if (!value.is_string())
    return std::nullopt;
  return value.get<std::string>();
}

// The part of "<tool>/<semver>" before the last '/', as kubectl's toolingBaseName.
std::string_view ToolingBaseName(std::string_view tooling) {
  size_t slash = tooling.rfind('/');
  return slash == std::string_view::npos ? tooling : tooling.substr(0, slash);
}

// "262,144": sizes in errors are read by people.
std::string WithThousands(size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

// As the API server counts an annotation against the limit: key and value bytes.
size_t EntryBytes(const std::string& key, const nlohmann::json& value) {
  return key.size() +
         (value.is_string() ? value.get_ref<const std::string&>().size() : value.dump().size());
}

size_t MapBytes(const nlohmann::json& map) {
  size_t bytes = 0;
  if (map.is_object())
    for (const auto& [key, value] : map.items())
      bytes += EntryBytes(key, value);
  return bytes;
}

std::string ParentName() {
  return std::string("the ApplySet parent ") + kApplySetParentNamespace + "/" + kApplySetParentName;
}

// The one place a body is assembled; |revision| and |source| are left out when absent. The
// namespace list goes where KEP-3659 puts it, the additional-namespaces annotation, while the
// parent's annotations (ours and |others_bytes| of others') stay within the API server's limit;
// past that, into the ConfigMap's data (applyset_parent.h, "Size").
ParentBody MakeBody(const ApplySetContents& contents, std::string_view cluster,
                    const std::optional<std::string>& revision,
                    const std::optional<std::string>& source, std::string_view tool_version,
                    size_t others_bytes) {
  nlohmann::json annotations = nlohmann::json::object();
  annotations[kApplySetToolingAnnotation] = ToolingValue(tool_version);
  annotations[kApplySetGroupKindsAnnotation] = JoinList(contents.group_kinds);
  annotations[kClusterAnnotation] = cluster;
  if (revision)
    annotations[kRevisionAnnotation] = *revision;
  if (source)
    annotations[kSourceAnnotation] = *source;
  nlohmann::json metadata = {{"name", kApplySetParentName},
                             {"namespace", kApplySetParentNamespace},
                             {"labels", {{kApplySetIdLabel, ApplySetId()}}}};
  nlohmann::json body = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}};

  std::string namespaces = JoinList(contents.namespaces);
  ParentBody result;
  size_t without_list = MapBytes(annotations);
  size_t in_annotation =
      without_list + std::string_view(kApplySetNamespacesAnnotation).size() + namespaces.size();
  if (in_annotation + others_bytes <= kTotalAnnotationSizeLimit) {
    // Written even when empty, as kubectl does, so the narrowing write never drops the key.
    annotations[kApplySetNamespacesAnnotation] = std::move(namespaces);
    result.annotation_bytes = in_annotation;
  } else {
    annotations[kNamespacesInDataAnnotation] = "true";
    result.annotation_bytes = MapBytes(annotations);
    result.data_bytes = std::string_view(kNamespacesDataKey).size() + namespaces.size();
    body["data"] = {{kNamespacesDataKey, std::move(namespaces)}};
  }
  if (result.annotation_bytes + others_bytes > kTotalAnnotationSizeLimit) {
    result.error = ParentName() + " would carry " +
                   WithThousands(result.annotation_bytes + others_bytes) +
                   " bytes of annotations (" + WithThousands(others_bytes) +
                   " of them not starform's), over Kubernetes' limit of " +
                   WithThousands(kTotalAnnotationSizeLimit) + " bytes";
    return result;
  }
  if (result.data_bytes > kConfigMapDataSizeLimit) {
    result.error = ParentName() + " would list " + WithThousands(contents.namespaces.size()) +
                   " namespaces in " + WithThousands(result.data_bytes) +
                   " bytes of data, over Kubernetes' ConfigMap limit of " +
                   WithThousands(kConfigMapDataSizeLimit) + " bytes";
    return result;
  }
  metadata["annotations"] = std::move(annotations);
  body["metadata"] = std::move(metadata);
  result.body = std::move(body);
  return result;
}

bool IsStarformAnnotation(std::string_view key) {
  for (const char* ours :
       {kApplySetToolingAnnotation, kApplySetGroupKindsAnnotation, kApplySetNamespacesAnnotation,
        kClusterAnnotation, kRevisionAnnotation, kSourceAnnotation, kNamespacesInDataAnnotation})
    if (key == ours)
      return true;
  return false;
}

}  // namespace

void ApplySetContents::Add(const ObjectKey& key) {
  group_kinds.insert(GroupKindOf(key.api_version, key.kind));
  if (!key.ns.empty() && key.ns != kApplySetParentNamespace)
    namespaces.insert(key.ns);
}

std::string GroupKindOf(std::string_view api_version, std::string_view kind) {
  size_t slash = api_version.find('/');
  // "v1" has no slash: the core group, which KEP-3659 spells as the bare kind.
  if (slash == std::string_view::npos || slash == 0)
    return std::string(kind);
  return std::string(kind) + "." + std::string(api_version.substr(0, slash));
}

ApplySetContents ContentsOf(const std::vector<nlohmann::json>& rendered) {
  ApplySetContents contents;
  for (const nlohmann::json& object : rendered)
    contents.Add(KeyOf(object));
  return contents;
}

ApplySetContents ContentsOf(std::span<const ObjectKey> keys) {
  ApplySetContents contents;
  for (const ObjectKey& key : keys)
    contents.Add(key);
  return contents;
}

ApplySetContents Union(const ApplySetContents& a, const ApplySetContents& b) {
  ApplySetContents both = a;
  both.group_kinds.insert(b.group_kinds.begin(), b.group_kinds.end());
  both.namespaces.insert(b.namespaces.begin(), b.namespaces.end());
  return both;
}

LiveParent ReadParent(const nlohmann::json& live) {
  LiveParent parent;
  const nlohmann::json& metadata = Member(live, "metadata");
  if (!metadata.is_object())
    return parent;
  parent.exists = true;
  parent.id = StringMember(Member(metadata, "labels"), kApplySetIdLabel);
  const nlohmann::json& annotations = Member(metadata, "annotations");
  parent.tooling = StringMember(annotations, kApplySetToolingAnnotation);
  parent.contents.group_kinds = SplitList(StringMember(annotations, kApplySetGroupKindsAnnotation));
  parent.contents.namespaces = SplitList(StringMember(annotations, kApplySetNamespacesAnnotation));
  std::set<std::string> in_data = SplitList(StringMember(Member(live, "data"), kNamespacesDataKey));
  parent.contents.namespaces.insert(in_data.begin(), in_data.end());
  parent.contents.namespaces.erase(kApplySetParentNamespace);
  parent.cluster = OptionalString(annotations, kClusterAnnotation);
  parent.revision = OptionalString(annotations, kRevisionAnnotation);
  parent.source = OptionalString(annotations, kSourceAnnotation);
  if (annotations.is_object())
    for (const auto& [key, value] : annotations.items())
      if (!IsStarformAnnotation(key))
        parent.others_annotation_bytes += EntryBytes(key, value);
  return parent;
}

ApplySetContents ContentsOfParent(const nlohmann::json& live) {
  return ReadParent(live).contents;
}

std::string ForeignParentReason(const LiveParent& live) {
  if (!live.exists)
    return "";
  std::string parent = ParentName();
  if (live.tooling.empty())
    return parent + " exists without the annotation " + kApplySetToolingAnnotation;
  if (ToolingBaseName(live.tooling) != kApplySetToolName)
    return parent + " is managed by tooling \"" + std::string(ToolingBaseName(live.tooling)) +
           "\", not \"" + kApplySetToolName + "\"";
  if (live.id != ApplySetId())
    return parent + " has label " + kApplySetIdLabel + "=\"" + live.id + "\", not \"" +
           ApplySetId() + "\"";
  return "";
}

std::string ToolingValue(std::string_view tool_version) {
  std::string value = std::string(kApplySetToolName) + "/";
  if (!tool_version.starts_with('v'))
    value += 'v';
  return value + std::string(tool_version);
}

ParentBody WidenedParentBody(const LiveParent& live, const ApplySetContents& next,
                             std::string_view cluster, std::string_view tool_version) {
  return MakeBody(Union(live.contents, next), cluster, live.revision, live.source, tool_version,
                  live.others_annotation_bytes);
}

ParentBody NarrowedParentBody(const LiveParent& live, const ApplySetContents& next,
                              const AppliedStamp& applied, std::string_view tool_version) {
  return MakeBody(next, applied.cluster, applied.revision, applied.source, tool_version,
                  live.others_annotation_bytes);
}

size_t AnnotationBytes(const nlohmann::json& object) {
  return MapBytes(Member(Member(object, "metadata"), "annotations"));
}

}  // namespace starform
