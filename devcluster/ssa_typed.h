#pragma once

// Schema-aware walks over objects, as structured-merge-diff's typed package does them: the
// field set an object (or an applied configuration) covers, the comparison of two objects, the
// merge of an applied configuration onto a live object, and the removal of a set of fields.
//
// The schema decides how each value is split into fields:
//  - objects with declared properties are structs: a property is owned through its leaves
//    only, never as a field of its own (a key of a map is a field of its own);
//  - x-kubernetes-map-type: atomic objects are one field;
//  - arrays are atomic (one field) unless x-kubernetes-list-type is set (items keyed by value)
//    or map (items keyed by x-kubernetes-list-map-keys, with key defaults from the schema);
//  - where there is no schema (schemaless resources, x-kubernetes-preserve-unknown-fields,
//    fields the schema does not know), objects are granular maps whose keys are fields and
//    arrays are atomic: the library's "deduced" type.
// The top level always declares apiVersion, kind and metadata, and metadata is typed as
// ObjectMeta (labels and annotations granular, finalizers a set, ownerReferences a map keyed
// by uid), as the API server's type converter does for every resource.
//
// Where a value does not have the type its schema declares, the walks treat it as schemaless
// instead of failing: validation (kube/schema) reports such values, and the apply result is
// the same as the library's for every valid object.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "devcluster/ssa_fieldpath.h"
#include "kube/schema.h"

namespace starform::devcluster::smd {

/// A position in the schema: a node of a structural schema, or schemaless (nullptr).
struct TypeRef {
  const kube::Schema* schema = nullptr;
  bool root = false;  ///< the whole object: apiVersion, kind and metadata are declared

  static TypeRef Root(const kube::Schema* schema) { return TypeRef{schema, true}; }
};

/// What changed between two objects (typed.Comparison): no path is in two of the sets.
struct Comparison {
  FieldSet modified;
  FieldSet added;
  FieldSet removed;
  bool IsSame() const { return modified.Empty() && added.Empty() && removed.Empty(); }
};

/// The fields |object| sets (TypedValue.ToFieldSet).
FieldSet ToFieldSet(const nlohmann::json& object, TypeRef type);

/// The difference from |lhs| to |rhs| (TypedValue.Compare).
Comparison Compare(const nlohmann::json& lhs, const nlohmann::json& rhs, TypeRef type);

/// |applied| merged onto |live| (TypedValue.Merge): applied values win; maps merge by key; list
/// maps and sets merge by item, in the library's order (the applied order for the items both
/// have, live-only items kept where they were); atomic values are replaced whole.
nlohmann::json Merge(const nlohmann::json& live, const nlohmann::json& applied, TypeRef type);

/// |object| without the fields in |remove| and everything below them (TypedValue.RemoveItems).
/// A map or list left empty is replaced by a removal marker (a discarded json value) where the
/// library leaves null: walks read it as null, and DropRemovalMarkers() deletes it before the
/// object is stored, as the API server's decoding drops those nulls.
nlohmann::json RemoveItems(const nlohmann::json& object, const FieldSet& remove, TypeRef type);

/// Deletes removal markers left by RemoveItems.
void DropRemovalMarkers(nlohmann::json* object);

/// |set| plus, as members, every declared struct field it has children under
/// (Set.EnsureNamedFieldsAreMembers), so that pruning a struct removes it whole.
FieldSet EnsureNamedFieldsAreMembers(const FieldSet& set, TypeRef type);

/// The errors the library's typed conversion reports for an applied configuration, which the
/// API server answers with 500: list-map items without a key and without a default, null or
/// non-object list-map items, non-scalar set items, duplicate keys. Each as the library prints
/// it, e.g. `.spec.listeners: element 0: associative list with keys has an element that omits
/// key field "name" (and doesn't have default value)`.
std::vector<std::string> ValidateApplied(const nlohmann::json& object, TypeRef type);

/// The compiled ObjectMeta schema used for metadata.
const kube::Schema& ObjectMetaSchema();

}  // namespace starform::devcluster::smd
