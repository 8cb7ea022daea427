#pragma once

// How server-side apply treats kubectl's client-side apply annotation
// (kubectl.kubernetes.io/last-applied-configuration), so that `kubectl apply --server-side`
// can take over objects `kubectl apply` made (apimachinery internal lastappliedupdater.go and
// lastappliedmanager.go). Both only act for the field manager "kubectl".

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "devcluster/ssa_fieldpath.h"
#include "devcluster/ssa_typed.h"

namespace starform::devcluster::smd {

inline constexpr char kLastAppliedAnnotation[] = "kubectl.kubernetes.io/last-applied-configuration";

/// lastAppliedUpdater: if |object| has the annotation, it becomes |applied| (without the
/// annotation) as encoding/json writes it, with a final newline; dropped if the annotations
/// would then exceed 256 KiB.
void UpdateLastApplied(const nlohmann::json& applied, nlohmann::json* object);

/// lastAppliedManager: the fields kubectl may take without a conflict, those of |live|'s
/// annotation whose live values still equal it (it set them, nobody changed them since).
/// nullopt when |live| has no usable annotation (none, not JSON, another apiVersion than
/// |api_version|, or items the library cannot key).
std::optional<FieldSet> AllowedConflictsFromLastApplied(const nlohmann::json& live,
                                                        const std::string& api_version,
                                                        TypeRef type);

}  // namespace starform::devcluster::smd
