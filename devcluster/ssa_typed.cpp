#include "devcluster/ssa_typed.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace starform::devcluster::smd {

using kube::Schema;
using nlohmann::json;

namespace {

// ObjectMeta as the API server's type converter sees it (apimachinery types.go markers):
// labels and annotations are maps, finalizers a set, ownerReferences a map keyed by uid,
// managedFields atomic.
constexpr const char* kObjectMetaSchema = R"({
  "type": "object",
  "properties": {
    "name": {"type": "string"},
    "generateName": {"type": "string"},
    "namespace": {"type": "string"},
    "selfLink": {"type": "string"},
    "uid": {"type": "string"},
    "resourceVersion": {"type": "string"},
    "generation": {"type": "integer"},
    "creationTimestamp": {"type": "string"},
    "deletionTimestamp": {"type": "string"},
    "deletionGracePeriodSeconds": {"type": "integer"},
    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    "finalizers": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
    "ownerReferences": {
      "type": "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["uid"],
      "items": {
        "type": "object",
        "properties": {
          "apiVersion": {"type": "string"},
          "kind": {"type": "string"},
          "name": {"type": "string"},
          "uid": {"type": "string"},
          "controller": {"type": "boolean"},
          "blockOwnerDeletion": {"type": "boolean"}
        }
      }
    },
    "managedFields": {
      "type": "array",
      "x-kubernetes-list-type": "atomic",
      "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
    }
  }
})";

std::shared_ptr<const Schema> CompileOrDie(const char* text) {
  std::string error;
  auto schema = Schema::Compile(json::parse(text), &error);
  if (!schema)
    throw std::logic_error("built-in schema does not compile: " + error);
  return schema;
}

const Schema& StringSchema() {
  static const std::shared_ptr<const Schema> schema = CompileOrDie(R"({"type": "string"})");
  return *schema;
}

// --- Resolving a value against its schema ---

enum class Shape : uint8_t { kScalar, kMap, kList };
enum class Declared : uint8_t { kScalar, kMap, kList, kAny };

Declared DeclaredOf(TypeRef t) {
  if (t.root)
    return Declared::kMap;
  const Schema* s = t.schema;
  if (!s)
    return Declared::kAny;
  if (s->int_or_string())
    return Declared::kScalar;
  switch (s->type()) {
    case Schema::Type::kObject:
      return Declared::kMap;
    case Schema::Type::kArray:
      return Declared::kList;
    case Schema::Type::kString:
    case Schema::Type::kInteger:
    case Schema::Type::kNumber:
    case Schema::Type::kBoolean:
      return Declared::kScalar;
    case Schema::Type::kNone:
      break;
  }
  if (!s->properties().empty() || s->additional() != Schema::Additional::kAbsent) {
    return Declared::kMap;
  }
  if (s->items())
    return Declared::kList;
  return Declared::kAny;  // x-kubernetes-preserve-unknown-fields or an empty schema
}

bool Nullish(const json* v) {
  return !v || v->is_null() || v->is_discarded();
}

Shape ShapeOf(const json& v) {
  if (v.is_object())
    return Shape::kMap;
  if (v.is_array())
    return Shape::kList;
  return Shape::kScalar;
}

// How one value is walked: its shape, whether it is one field as a whole, and the schema node
// (deduced: no schema below).
struct Atom {
  Shape shape = Shape::kScalar;
  bool atomic = false;
  bool deduced = false;
  TypeRef type;
};

Atom Deduced(const json* value) {
  // The deduced type is a scalar, an atomic list and a granular map at once; for null or no
  // value the library picks the map.
  Atom atom;
  atom.deduced = true;
  if (Nullish(value) || value->is_object()) {
    atom.shape = Shape::kMap;
  } else if (value->is_array()) {
    atom.shape = Shape::kList;
    atom.atomic = true;
  }
  return atom;
}

Atom Resolve(TypeRef t, const json* value) {
  const Declared declared = DeclaredOf(t);
  if (declared == Declared::kAny)
    return Deduced(value);
  if (!Nullish(value)) {
    const Shape actual = ShapeOf(*value);
    const bool matches = (declared == Declared::kMap && actual == Shape::kMap) ||
                         (declared == Declared::kList && actual == Shape::kList) ||
                         (declared == Declared::kScalar && actual == Shape::kScalar);
    if (!matches)
      return Deduced(value);
  }
  Atom atom;
  atom.type = t;
  switch (declared) {
    case Declared::kScalar:
      atom.shape = Shape::kScalar;
      break;
    case Declared::kMap:
      atom.shape = Shape::kMap;
      atom.atomic = !t.root && t.schema && t.schema->map_type() == Schema::MapType::kAtomic;
      break;
    case Declared::kList:
      atom.shape = Shape::kList;
      atom.atomic = t.schema->list_type() != Schema::ListType::kSet &&
                    t.schema->list_type() != Schema::ListType::kMap;
      break;
    case Declared::kAny:
      break;
  }
  return atom;
}

struct FieldInfo {
  TypeRef type;
  bool declared = false;  ///< a struct property: not a field of its own
};

FieldInfo FieldOf(TypeRef t, bool deduced, const std::string& key) {
  if (deduced)
    return {};
  if (t.root) {
    if (key == "metadata")
      return {TypeRef{&ObjectMetaSchema(), false}, true};
    if (key == "apiVersion" || key == "kind")
      return {TypeRef{&StringSchema(), false}, true};
  }
  if (!t.schema)
    return {};
  if (const Schema* property = t.schema->Property(key))
    return {TypeRef{property, false}, true};
  if (const Schema* additional = t.schema->additional_properties()) {
    return {TypeRef{additional, false}, false};
  }
  return {};  // additionalProperties: true, preserved unknown fields, or an unknown field
}

struct ListInfo {
  enum class Relation : uint8_t { kAtomic, kSet, kMap };
  Relation relation = Relation::kAtomic;
  TypeRef element;
  const std::vector<std::string>* keys = nullptr;
};

ListInfo ListOf(const Atom& atom) {
  ListInfo info;
  if (atom.deduced || !atom.type.schema)
    return info;
  const Schema* s = atom.type.schema;
  info.element = TypeRef{s->items(), false};
  if (s->list_type() == Schema::ListType::kMap && !s->list_map_keys().empty()) {
    info.relation = ListInfo::Relation::kMap;
    info.keys = &s->list_map_keys();
  } else if (s->list_type() == Schema::ListType::kSet || s->list_type() == Schema::ListType::kMap) {
    info.relation = ListInfo::Relation::kSet;
  }
  return info;
}

// The path element of a list item (typed/helpers.go listItemToPathElement), with the library's
// error texts.
bool ItemElement(const ListInfo& list, const json& item, PathElement* out, std::string* error) {
  if (list.relation == ListInfo::Relation::kSet) {
    if (item.is_object()) {
      *error = "associative list without keys has an element that's a map type";
      return false;
    }
    if (item.is_array()) {
      *error = "not supported: associative list with lists as elements";
      return false;
    }
    if (Nullish(&item)) {
      *error = "associative list without keys has an element that's an explicit null";
      return false;
    }
    *out = PathElement::Value(item);
    return true;
  }
  if (Nullish(&item)) {
    *error = "associative list with keys may not have a null element";
    return false;
  }
  if (!item.is_object()) {
    *error = "associative list with keys may not have non-map elements";
    return false;
  }
  PathElement::Key key;
  key.reserve(list.keys->size());
  for (const std::string& name : *list.keys) {
    if (auto found = item.find(name); found != item.end()) {
      key.emplace_back(name, *found);
      continue;
    }
    const Schema* element = list.element.schema;
    const Schema* field = element ? element->Property(name) : nullptr;
    if (field && field->default_value()) {
      key.emplace_back(name, *field->default_value());
      continue;
    }
    *error = "associative list with keys has an element that omits key field " + GoQuote(name) +
             " (and doesn't have default value)";
    return false;
  }
  *out = PathElement::KeyOf(std::move(key));
  return true;
}

// A list's items with their path elements, skipping items without one and repeated ones
// (the first wins), and a sorted index to find them.
struct IndexedList {
  struct Entry {
    PathElement element;
    const json* value;
  };
  std::vector<Entry> order;
  std::vector<size_t> sorted;  // positions in |order|, by element

  const json* Find(const PathElement& pe) const {
    auto it = std::lower_bound(
        sorted.begin(), sorted.end(), pe,
        [&](size_t i, const PathElement& p) { return order[i].element.Compare(p) < 0; });
    if (it != sorted.end() && order[*it].element.Compare(pe) == 0)
      return order[*it].value;
    return nullptr;
  }
};

IndexedList IndexList(const ListInfo& list, const json* value) {
  IndexedList out;
  if (!value || !value->is_array())
    return out;
  out.order.reserve(value->size());
  for (const json& item : *value) {
    PathElement pe;
    std::string error;
    if (!ItemElement(list, item, &pe, &error))
      continue;
    if (out.Find(pe))
      continue;
    out.order.push_back({std::move(pe), &item});
    size_t index = out.order.size() - 1;
    auto at = std::lower_bound(
        out.sorted.begin(), out.sorted.end(), index,
        [&](size_t a, size_t b) { return out.order[a].element.Compare(out.order[b].element) < 0; });
    out.sorted.insert(at, index);
  }
  return out;
}

bool EmptyContainer(const json* v, Shape shape) {
  if (Nullish(v))
    return true;
  if (shape == Shape::kMap)
    return !v->is_object() || v->empty();
  return !v->is_array() || v->empty();
}

bool SameValue(const json& a, const json& b) {
  if (a.is_discarded() || b.is_discarded())
    return Nullish(&a) && Nullish(&b);
  return EqualValues(a, b);
}

json RemovalMarker() {
  return json(json::value_t::discarded);
}

// --- ToFieldSet ---

void VisitChildren(const json& value, const Atom& atom, FieldSet* node);

void VisitValue(const json& value, TypeRef type, const PathElement& pe, FieldSet* parent) {
  const Atom atom = Resolve(type, &value);
  if (atom.shape == Shape::kScalar || atom.atomic) {
    parent->InsertMember(pe);
    return;
  }
  FieldSet below;
  VisitChildren(value, atom, &below);
  parent->AddChild(pe, std::move(below));
}

void VisitChildren(const json& value, const Atom& atom, FieldSet* node) {
  if (atom.shape == Shape::kMap) {
    if (!value.is_object())
      return;
    for (auto it = value.begin(); it != value.end(); ++it) {
      const FieldInfo field = FieldOf(atom.type, atom.deduced, it.key());
      PathElement pe = PathElement::Field(it.key());
      VisitValue(*it, field.type, pe, node);
      if (!field.declared)
        node->InsertMember(std::move(pe));
    }
    return;
  }
  if (!value.is_array())
    return;
  const ListInfo list = ListOf(atom);
  for (const json& item : value) {
    PathElement pe;
    std::string error;
    if (!ItemElement(list, item, &pe, &error))
      continue;
    VisitValue(item, list.element, pe, node);
    node->InsertMember(std::move(pe));
  }
}

// --- Compare ---

void CompareChildren(const json* lhs, const json* rhs, const Atom& atom, Comparison* out);

void CompareValue(const json* lhs, const json* rhs, TypeRef type, const PathElement& pe,
                  Comparison* parent) {
  const Atom left = Resolve(type, lhs);
  const Atom right = Resolve(type, rhs);
  const Atom& atom = rhs ? right : left;
  bool leaf = atom.shape == Shape::kScalar || atom.atomic;
  if (lhs && rhs && (left.shape != right.shape || left.atomic != right.atomic))
    leaf = true;
  if (!leaf && EmptyContainer(lhs, atom.shape) && EmptyContainer(rhs, atom.shape))
    leaf = true;
  if (leaf) {
    if (!lhs) {
      parent->added.InsertMember(pe);
    } else if (!rhs) {
      parent->removed.InsertMember(pe);
    } else if (!SameValue(*lhs, *rhs)) {
      parent->modified.InsertMember(pe);
    }
    return;
  }
  Comparison below;
  CompareChildren(lhs, rhs, atom, &below);
  parent->modified.AddChild(pe, std::move(below.modified));
  parent->added.AddChild(pe, std::move(below.added));
  parent->removed.AddChild(pe, std::move(below.removed));
  if (!lhs) {
    parent->added.InsertMember(pe);
  } else if (!rhs) {
    parent->removed.InsertMember(pe);
  }
}

void CompareChildren(const json* lhs, const json* rhs, const Atom& atom, Comparison* out) {
  if (atom.shape == Shape::kMap) {
    const json* l = lhs && lhs->is_object() ? lhs : nullptr;
    const json* r = rhs && rhs->is_object() ? rhs : nullptr;
    static const json kEmpty = json::object();
    const json& lm = l ? *l : kEmpty;
    const json& rm = r ? *r : kEmpty;
    auto li = lm.begin(), ri = rm.begin();
    while (li != lm.end() || ri != rm.end()) {
      int c = li == lm.end() ? 1 : ri == rm.end() ? -1 : li.key().compare(ri.key());
      const std::string& key = c <= 0 ? li.key() : ri.key();
      const json* lv = c <= 0 ? &*li : nullptr;
      const json* rv = c >= 0 ? &*ri : nullptr;
      CompareValue(lv, rv, FieldOf(atom.type, atom.deduced, key).type, PathElement::Field(key),
                   out);
      if (c <= 0)
        ++li;
      if (c >= 0)
        ++ri;
    }
    return;
  }
  const ListInfo list = ListOf(atom);
  const IndexedList left = IndexList(list, lhs);
  const IndexedList right = IndexList(list, rhs);
  for (const auto& entry : right.order) {
    CompareValue(left.Find(entry.element), entry.value, list.element, entry.element, out);
  }
  for (const auto& entry : left.order) {
    if (!right.Find(entry.element)) {
      CompareValue(entry.value, nullptr, list.element, entry.element, out);
    }
  }
}

// --- Merge ---

std::optional<json> MergeValue(const json* lhs, const json* rhs, TypeRef type);

std::optional<json> MergeList(const json* lhs, const json* rhs, const Atom& atom) {
  const ListInfo list = ListOf(atom);
  const IndexedList left = IndexList(list, lhs);
  const IndexedList right = IndexList(list, rhs);
  // typed/merge.go visitListItems: the items both sides have come in the applied order; items
  // only the live object has stay where they were relative to those; items only the applied
  // configuration has come where it puts them.
  std::vector<const PathElement*> shared;
  for (const auto& entry : right.order) {
    if (left.Find(entry.element))
      shared.push_back(&entry.element);
  }
  size_t next_shared_index = 0;
  const PathElement* next_shared = shared.empty() ? nullptr : shared[0];
  auto advance_shared = [&] {
    ++next_shared_index;
    next_shared = next_shared_index < shared.size() ? shared[next_shared_index] : nullptr;
  };
  json out = json::array();
  auto emit = [&](const json* l, const json* r) {
    if (auto merged = MergeValue(l, r, list.element))
      out.push_back(std::move(*merged));
  };
  const size_t lcount = left.order.size(), rcount = right.order.size();
  size_t li = 0, ri = 0;
  while (li < lcount || ri < rcount) {
    const size_t before_l = li, before_r = ri;
    if (li < lcount && ri < rcount) {
      const PathElement& pe = left.order[li].element;
      if (pe.Compare(right.order[ri].element) == 0) {
        emit(left.order[li].value, right.order[ri].value);
        ++li;
        ++ri;
        advance_shared();
        continue;
      }
      if (right.Find(pe) && next_shared && next_shared->Compare(pe) != 0) {
        ++li;  // a shared item, emitted when the applied order reaches it
        continue;
      }
    }
    if (li < lcount && !right.Find(left.order[li].element)) {
      emit(left.order[li].value, nullptr);
      ++li;
      continue;
    }
    if (ri < rcount) {
      const PathElement& pe = right.order[ri].element;
      emit(left.Find(pe), right.order[ri].value);
      ++ri;
      if (next_shared && next_shared->Compare(pe) == 0)
        advance_shared();
    }
    if (li == before_l && ri == before_r)
      ++li;  // an already emitted shared item
  }
  if (out.empty())
    return std::nullopt;
  return out;
}

std::optional<json> MergeValue(const json* lhs, const json* rhs, TypeRef type) {
  // Merging with nothing on one side gives that side back (for the valid values the applied
  // configuration is checked to be).
  if (!lhs)
    return *rhs;
  if (!rhs)
    return *lhs;
  const Atom left = Resolve(type, lhs);
  const Atom right = Resolve(type, rhs);
  if (left.shape != right.shape || left.atomic != right.atomic)
    return *rhs;
  const Atom& atom = right;
  if (atom.shape == Shape::kScalar || atom.atomic ||
      (EmptyContainer(lhs, atom.shape) && EmptyContainer(rhs, atom.shape))) {
    return *rhs;
  }
  if (atom.shape == Shape::kList)
    return MergeList(lhs, rhs, atom);
  static const json kEmpty = json::object();
  const json& lm = lhs->is_object() ? *lhs : kEmpty;
  const json& rm = rhs->is_object() ? *rhs : kEmpty;
  json out = json::object();
  auto li = lm.begin(), ri = rm.begin();
  while (li != lm.end() || ri != rm.end()) {
    int c = li == lm.end() ? 1 : ri == rm.end() ? -1 : li.key().compare(ri.key());
    const std::string& key = c <= 0 ? li.key() : ri.key();
    const json* lv = c <= 0 ? &*li : nullptr;
    const json* rv = c >= 0 ? &*ri : nullptr;
    if (auto merged = MergeValue(lv, rv, FieldOf(atom.type, atom.deduced, key).type)) {
      out[key] = std::move(*merged);
    }
    if (c <= 0)
      ++li;
    if (c >= 0)
      ++ri;
  }
  if (out.empty())
    return std::nullopt;
  return out;
}

// --- RemoveItems ---

json RemoveValue(const json& value, const FieldSet& remove, TypeRef type) {
  const Atom atom = Resolve(type, &value);
  if (atom.shape == Shape::kScalar)
    return value;
  if (EmptyContainer(&value, atom.shape) || atom.atomic)
    return RemovalMarker();
  if (atom.shape == Shape::kMap) {
    json out = json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      const PathElement pe = PathElement::Field(it.key());
      if (remove.HasMember(pe))
        continue;
      if (const FieldSet* below = remove.Child(pe)) {
        out[it.key()] = RemoveValue(*it, *below, FieldOf(atom.type, atom.deduced, it.key()).type);
      } else {
        out[it.key()] = *it;
      }
    }
    return out.empty() ? RemovalMarker() : out;
  }
  const ListInfo list = ListOf(atom);
  json out = json::array();
  for (const json& item : value) {
    PathElement pe;
    std::string error;
    const bool keyed = ItemElement(list, item, &pe, &error);
    if (keyed && remove.HasMember(pe))
      continue;
    const FieldSet* below = keyed ? remove.Child(pe) : nullptr;
    out.push_back(below ? RemoveValue(item, *below, list.element) : item);
  }
  return out.empty() ? RemovalMarker() : out;
}

// --- EnsureNamedFieldsAreMembers ---

FieldSet EnsureNamed(const FieldSet& set, TypeRef type) {
  FieldSet out;
  for (const PathElement& member : set.members())
    out.InsertMember(member);
  const Declared declared = DeclaredOf(type);
  for (const FieldSetNode& child : set.children()) {
    TypeRef child_type;
    if (child.element.kind == PathElement::Kind::kField && declared == Declared::kMap) {
      const FieldInfo field = FieldOf(type, false, child.element.field);
      child_type = field.type;
      if (field.declared)
        out.InsertMember(child.element);
    } else if (child.element.kind == PathElement::Kind::kKey && declared == Declared::kList) {
      child_type = TypeRef{type.schema->items(), false};
    }
    out.AddChild(child.element, EnsureNamed(child.set, child_type));
  }
  return out;
}

// --- Validation of an applied configuration ---

void ValidateValue(const json& value, TypeRef type, std::string* path,
                   std::vector<std::string>* errors) {
  const Atom atom = Resolve(type, &value);
  if (atom.shape == Shape::kScalar || atom.atomic)
    return;
  const size_t length = path->size();
  if (atom.shape == Shape::kMap) {
    if (!value.is_object())
      return;
    for (auto it = value.begin(); it != value.end(); ++it) {
      *path += "." + it.key();
      ValidateValue(*it, FieldOf(atom.type, atom.deduced, it.key()).type, path, errors);
      path->resize(length);
    }
    return;
  }
  if (!value.is_array())
    return;
  const ListInfo list = ListOf(atom);
  std::vector<PathElement> seen;
  for (size_t i = 0; i < value.size(); ++i) {
    PathElement pe;
    std::string error;
    if (!ItemElement(list, value[i], &pe, &error)) {
      // The library stops at the first item it cannot key (typed/validate.go).
      errors->push_back(*path + ": element " + std::to_string(i) + ": " + error);
      return;
    }
    if (std::any_of(seen.begin(), seen.end(), [&](const PathElement& s) { return s == pe; })) {
      errors->push_back(*path + ": duplicate entries for key " + pe.String());
    } else {
      seen.push_back(pe);
    }
    *path += pe.String();
    ValidateValue(value[i], list.element, path, errors);
    path->resize(length);
  }
}

void DropMarkers(json* value) {
  if (value->is_object()) {
    for (auto it = value->begin(); it != value->end();) {
      if (it->is_discarded()) {
        it = value->erase(it);
      } else {
        DropMarkers(&*it);
        ++it;
      }
    }
  } else if (value->is_array()) {
    for (auto it = value->begin(); it != value->end();) {
      if (it->is_discarded()) {
        it = value->erase(it);
      } else {
        DropMarkers(&*it);
        ++it;
      }
    }
  }
}

}  // namespace

const Schema& ObjectMetaSchema() {
  static const std::shared_ptr<const Schema> schema = CompileOrDie(kObjectMetaSchema);
  return *schema;
}

FieldSet ToFieldSet(const json& object, TypeRef type) {
  FieldSet out;
  const Atom atom = Resolve(type, &object);
  if (atom.shape != Shape::kScalar && !atom.atomic)
    VisitChildren(object, atom, &out);
  return out;
}

Comparison Compare(const json& lhs, const json& rhs, TypeRef type) {
  Comparison out;
  const Atom atom = Resolve(type, &rhs);
  CompareChildren(&lhs, &rhs, atom, &out);
  return out;
}

json Merge(const json& live, const json& applied, TypeRef type) {
  std::optional<json> merged = MergeValue(&live, &applied, type);
  return merged ? std::move(*merged) : json::object();
}

json RemoveItems(const json& object, const FieldSet& remove, TypeRef type) {
  if (remove.Empty())
    return object;
  json out = RemoveValue(object, remove, type);
  return out.is_discarded() ? json::object() : out;
}

void DropRemovalMarkers(json* object) {
  DropMarkers(object);
}

FieldSet EnsureNamedFieldsAreMembers(const FieldSet& set, TypeRef type) {
  return EnsureNamed(set, type);
}

std::vector<std::string> ValidateApplied(const json& object, TypeRef type) {
  std::vector<std::string> errors;
  std::string path;
  ValidateValue(object, type, &path, &errors);
  return errors;
}

}  // namespace starform::devcluster::smd
