#include "devcluster/ssa_last_applied.h"

namespace starform::devcluster::smd {

using nlohmann::json;

namespace {

constexpr size_t kTotalAnnotationSizeLimit = 256 * 1024;  // ValidateAnnotationsSize

// The annotation's value, or nullptr when |object| has none (or an empty one).
const std::string* LastAppliedOf(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object())
    return nullptr;
  auto annotations = meta->find("annotations");
  if (annotations == meta->end() || !annotations->is_object())
    return nullptr;
  auto value = annotations->find(kLastAppliedAnnotation);
  if (value == annotations->end() || !value->is_string() ||
      value->get_ref<const std::string&>().empty()) {
    return nullptr;
  }
  return &value->get_ref<const std::string&>();
}

}  // namespace

void UpdateLastApplied(const json& applied, json* object) {
  if (!LastAppliedOf(*object))
    return;
  json config = applied;
  if (auto meta = config.find("metadata"); meta != config.end() && meta->is_object()) {
    if (auto annotations = meta->find("annotations");
        annotations != meta->end() && annotations->is_object()) {
      annotations->erase(kLastAppliedAnnotation);
    }
  }
  json& annotations = (*object)["metadata"]["annotations"];
  annotations[kLastAppliedAnnotation] = GoJson(config) + "\n";
  size_t total = 0;
  for (auto it = annotations.begin(); it != annotations.end(); ++it) {
    total += it.key().size() + (it->is_string() ? it->get_ref<const std::string&>().size() : 0);
  }
  if (total > kTotalAnnotationSizeLimit)
    annotations.erase(kLastAppliedAnnotation);
}

std::optional<FieldSet> AllowedConflictsFromLastApplied(const json& live,
                                                        const std::string& api_version,
                                                        TypeRef type) {
  const std::string* text = LastAppliedOf(live);
  if (!text)
    return std::nullopt;
  json last = json::parse(*text, nullptr, false);
  if (!last.is_object() || last.value("apiVersion", json()) != api_version)
    return std::nullopt;
  if (!ValidateApplied(last, type).empty())
    return std::nullopt;
  // What kubectl applied, less what the live object no longer has as it applied it.
  const Comparison comparison = Compare(last, live, type);
  return ToFieldSet(last, type)
      .Difference(comparison.modified)
      .Difference(comparison.added)
      .Difference(comparison.removed);
}

}  // namespace starform::devcluster::smd
