// Pruning, null-dropping and defaulting, as apiextensions-apiserver does them to a request
// body before validating it, and the Status message built from the causes.

#include <algorithm>

#include "kube/schema.h"
#include "kube/schema_causes.h"

namespace starform::kube {

namespace {

using json = nlohmann::json;

bool IsMetaField(std::string_view key) {
  return key == "apiVersion" || key == "kind" || key == "metadata";
}

// pruning/algorithm.go, with the path bookkeeping of UnknownFieldPathOptions: keys joined by
// ".", indices as "[i]", map values as keys.
class Pruner {
 public:
  std::vector<std::string> unknown;

  // |embedded|: keep apiVersion, kind and metadata here (an x-kubernetes-embedded-resource, or
  // the resource root, which the server treats as one).
  void Prune(json* value, const Schema* s, bool embedded) {
    if (s && s->preserve_unknown_fields()) {
      SkipPrune(value, s, embedded || s->embedded_resource());
      return;
    }
    embedded = embedded || (s && s->embedded_resource());
    const size_t length = path_.size();
    if (value->is_object() && !s) {
      for (const auto& [key, item] : value->items())
        Record(key);
      *value = json::object();
    } else if (value->is_object()) {
      std::vector<std::string> removed;
      for (auto& [key, item] : value->items()) {
        if (embedded && IsMetaField(key))
          continue;
        if (const Schema* property = s->Property(key)) {
          Descend(key, &item, property);
        } else if (s->additional() != Schema::Additional::kAbsent) {
          // additionalProperties: true or false has no schema, which prunes everything below.
          Descend(key, &item, s->additional_properties());
        } else {
          // The root's metadata fields were skipped above; deeper ones are reported.
          if (!IsMetaField(key) || length > 0)
            Record(key);
          removed.push_back(key);
        }
        path_.resize(length);
      }
      for (const std::string& key : removed)
        value->erase(key);
    } else if (value->is_array()) {
      for (size_t i = 0; i < value->size(); ++i) {
        path_ += "[" + std::to_string(i) + "]";
        Prune(&(*value)[i], s ? s->items() : nullptr, false);
        path_.resize(length);
      }
    }
  }

 private:
  void Descend(const std::string& key, json* item, const Schema* s) {
    AppendKey(key);
    Prune(item, s, false);
  }

  // Under x-kubernetes-preserve-unknown-fields: unknown keys stay, known ones are pruned
  // below; array items keep skipping (algorithm.go skipPrune).
  void SkipPrune(json* value, const Schema* s, bool embedded) {
    if (!s)
      return;
    const size_t length = path_.size();
    if (value->is_object()) {
      for (auto& [key, item] : value->items()) {
        if (embedded && IsMetaField(key))
          continue;
        if (const Schema* property = s->Property(key)) {
          Descend(key, &item, property);
        } else if (s->additional() != Schema::Additional::kAbsent) {
          Descend(key, &item, s->additional_properties());
        }
        path_.resize(length);
      }
    } else if (value->is_array()) {
      for (size_t i = 0; i < value->size(); ++i) {
        path_ += "[" + std::to_string(i) + "]";
        const Schema* items = s->items();
        SkipPrune(&(*value)[i], items, items && items->embedded_resource());
        path_.resize(length);
      }
    }
  }

  void AppendKey(std::string_view key) {
    if (!path_.empty())
      path_ += '.';
    path_ += key;
  }

  void Record(std::string_view key) {
    const size_t length = path_.size();
    AppendKey(key);
    unknown.push_back(path_);
    path_.resize(length);
  }

  std::string path_;
};

// defaulting/prunenulls.go: a null is dropped where its schema is known, not nullable and
// has no default; a null with a default is left for defaulting to replace. Checked against the
// package's documentation ("PruneNonNullableNullsWithoutDefaults removes non-nullable
// non-defaultable null values from object. Non-nullable nulls that have a default are left
// alone here and will be defaulted later", godoc of k8s.io/apiextensions-apiserver
// pkg/apiserver/schema/defaulting) and kubernetes/kubernetes#95423 "CRs: Default non-nullable
// nulls". So for a CRD, `field: null` in a request is kept if the field is nullable (and then
// not defaulted), replaced by the default if it has one, and otherwise removed as if absent:
// never a type error. Only a null array item stays (nothing removes list items), and fails
// validation as `must be of type object: "null"`.
void DropNonNullableNulls(json* value, const Schema* s) {
  if (value->is_object()) {
    std::vector<std::string> removed;
    for (auto& [key, item] : value->items()) {
      const Schema* field = s ? s->Field(key) : nullptr;
      if (item.is_null() && field && !field->nullable() && !field->default_value()) {
        removed.push_back(key);
      } else {
        DropNonNullableNulls(&item, field);
      }
    }
    for (const std::string& key : removed)
      value->erase(key);
  } else if (value->is_array()) {
    for (json& item : *value)
      DropNonNullableNulls(&item, s ? s->items() : nullptr);
  }
}

bool IsNonNullableNull(const json& value, const Schema* s) {
  return value.is_null() && s && !s->nullable();
}

// defaulting/algorithm.go Default.
void Default(json* value, const Schema* s) {
  if (!s || !s->defaults_below())
    return;
  if (value->is_object()) {
    for (const auto& [name, property] : s->properties()) {
      const json* fallback = property->default_value();
      if (!fallback)
        continue;
      auto found = value->find(name);
      if (found == value->end()) {
        value->emplace(name, *fallback);
      } else if (IsNonNullableNull(*found, property.get())) {
        *found = *fallback;
      }
    }
    for (auto& [key, item] : value->items()) {
      if (const Schema* property = s->Property(key)) {
        Default(&item, property);
      } else if (const Schema* additional = s->additional_properties()) {
        if (IsNonNullableNull(item, additional) && additional->default_value()) {
          item = *additional->default_value();
        }
        Default(&item, additional);
      }
    }
  } else if (value->is_array()) {
    const Schema* items = s->items();
    for (json& item : *value) {
      if (IsNonNullableNull(item, items) && items->default_value()) {
        item = *items->default_value();
      }
      Default(&item, items);
    }
  }
}

}  // namespace

std::vector<std::string> Prune(json* object, const Schema& schema, bool resource_root) {
  Pruner pruner;
  pruner.Prune(object, &schema, resource_root);
  std::sort(pruner.unknown.begin(), pruner.unknown.end());
  DropNonNullableNulls(object, &schema);
  return std::move(pruner.unknown);
}

void ApplyDefaults(json* object, const Schema& schema) {
  Default(object, &schema);
}

Admission Admit(json* object, const Schema& schema) {
  Admission admission;
  admission.unknown_fields = Prune(object, schema);
  ApplyDefaults(object, schema);
  admission.causes = Validate(*object, schema);
  return admission;
}

std::string UnknownFieldMessage(std::string_view path) {
  return "unknown field " + GoQuote(path);
}

std::string InvalidMessage(std::string_view kind, std::string_view group, std::string_view name,
                           const std::vector<StatusCause>& causes) {
  std::string qualified(kind);
  if (!group.empty())
    qualified += "." + std::string(group);
  std::vector<std::string> items;
  for (const StatusCause& cause : causes) {
    std::string item = cause.ToString();
    if (std::find(items.begin(), items.end(), item) == items.end())
      items.push_back(item);
  }
  std::string list;
  for (const std::string& item : items)
    list += (list.empty() ? "" : ", ") + item;
  if (items.size() > 1)
    list = "[" + list + "]";
  return qualified + " " + GoQuote(name) + " is invalid: " + list;
}

bool HasBlockingCause(const std::vector<StatusCause>& causes) {
  return std::any_of(causes.begin(), causes.end(), [](const StatusCause& cause) {
    return cause.reason == "FieldValueRequired" || cause.reason == "FieldValueNotSupported" ||
           cause.reason == "FieldValueTooLong" || cause.reason == "FieldValueTooMany" ||
           cause.reason == "FieldValueTypeInvalid";
  });
}

StatusCause RulesNotCheckedCause() {
  return InvalidCause("<nil>", "null",
                      "some validation rules were not checked because the object was invalid; "
                      "correct the existing errors to complete validation");
}

}  // namespace starform::kube
