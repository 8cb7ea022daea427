#pragma once

// The structural-schema engine: what the Kubernetes API server does with a CRD's
// openAPIV3Schema when a custom resource is created or updated, done in-process so the dev
// cluster (and plan) see the same objects, defaults and 422 causes as a real cluster.
//
// The API server's order, which Admit() follows (apiextensions-apiserver crdhandler.go
// unstructuredSchemaCoercer.apply, then the codec's defaulter, then strategy.go Validate):
//   1. prune unknown fields (pruning/algorithm.go), keeping apiVersion/kind/metadata at the root
//      and in x-kubernetes-embedded-resource objects, and everything under
//      x-kubernetes-preserve-unknown-fields;
//   2. drop nulls of fields that are not nullable and have no default
//      (defaulting/prunenulls.go);
//   3. apply defaults top-down (defaulting/algorithm.go);
//   4. validate: kube-openapi's schema validator (messages converted by
//      apiserver/validation/validation.go kubeOpenAPIResultToFieldErrors), then embedded
//      resources' apiVersion/kind (objectmeta/validation.go), then list-type set/map uniqueness
//      (listtype/validation.go).
// CEL rules (x-kubernetes-validations) are not evaluated: Schema::validation_rules() exposes
// them so the dev cluster can implement the ones it needs.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace starform::kube {

class Pattern;

/// One entry of x-kubernetes-validations, as written in the CRD.
struct ValidationRule {
  std::string rule;
  std::string message;
  std::string message_expression;
  std::string reason;      ///< "FieldValueInvalid" (the server's default) when the CRD sets none
  std::string field_path;  ///< relative JSON path the error is reported at, "" for this node
  bool optional_old_self = false;
};

/// One entry of a 422 Status's details.causes (StatusCause serialises Type as "reason").
struct StatusCause {
  std::string reason;   ///< "FieldValueRequired", "FieldValueInvalid", ...
  std::string field;    ///< "spec.rules[0].backendRefs[0].port"; "<nil>" when the server has none
  std::string message;  ///< the field error's body, e.g. "Required value"

  bool operator==(const StatusCause&) const = default;
  /// "field: message", as in the Status message's list.
  std::string ToString() const { return field + ": " + message; }
};

/// One compiled node of a structural schema. Compiled once from JSON; validating, pruning and
/// defaulting then never look at the JSON again. Immutable and safe to share between threads.
class Schema {
 public:
  enum class Type : uint8_t { kNone, kObject, kArray, kString, kInteger, kNumber, kBoolean };
  /// x-kubernetes-list-type. kUnset: server-side apply treats the list as atomic.
  enum class ListType : uint8_t { kUnset, kAtomic, kSet, kMap };
  /// x-kubernetes-map-type. kUnset: granular for objects (server-side apply's default).
  enum class MapType : uint8_t { kUnset, kGranular, kAtomic };
  /// additionalProperties: absent, false, true (any value, no schema), or a schema.
  enum class Additional : uint8_t { kAbsent, kFalse, kTrue, kSchema };

  /// Compiles an openAPIV3Schema. On a schema the engine cannot use (a $ref, an items array, a
  /// pattern that does not compile) returns nullptr and says why in |error|, naming the path.
  static std::shared_ptr<const Schema> Compile(const nlohmann::json& schema, std::string* error);

  Schema();
  ~Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

  // --- Walking the schema alongside an object (server-side apply, CEL, diffs) ---

  /// The declared property |name|, or nullptr.
  const Schema* Property(std::string_view name) const;
  /// What a key of an object value is governed by: its property, else the additionalProperties
  /// schema, else nullptr (then the key is unknown, unless preserve_unknown_fields()).
  const Schema* Field(std::string_view key) const;
  /// The schema of an array's items, or nullptr.
  const Schema* items() const { return items_.get(); }
  /// The schema at a path such as "spec.listeners[].allowedRoutes" or "spec.rules[0].matches":
  /// dotted keys, [] or [N] for an array item. A key under additionalProperties is written as
  /// a key ("spec.selector.matchLabels.app"); a key containing '.', '[' or ']' cannot be
  /// written, so walk with Field() for those. nullptr when the path leaves the schema.
  const Schema* Find(std::string_view path) const;
  /// Declared property names, sorted.
  std::vector<std::string_view> PropertyNames() const;
  /// The declared properties, sorted by name.
  const std::vector<std::pair<std::string, std::unique_ptr<Schema>>>& properties() const {
    return properties_;
  }
  /// Whether this node or any below it (properties, items, additionalProperties) has a
  /// default; defaulting skips subtrees that have none.
  bool defaults_below() const { return defaults_below_; }
  /// Whether this node or any below it is an x-kubernetes-embedded-resource.
  bool embedded_below() const { return embedded_below_; }
  /// Whether this node or any below it is a list of type set or map, whose uniqueness
  /// validation checks.
  bool unique_lists_below() const { return unique_lists_below_; }

  Type type() const { return type_; }
  bool int_or_string() const { return int_or_string_; }
  bool nullable() const { return nullable_; }
  bool preserve_unknown_fields() const { return preserve_unknown_fields_; }
  bool embedded_resource() const { return embedded_resource_; }
  ListType list_type() const { return list_type_; }
  /// x-kubernetes-list-map-keys when list_type() is kMap.
  const std::vector<std::string>& list_map_keys() const { return list_map_keys_; }
  MapType map_type() const { return map_type_; }
  Additional additional() const { return additional_; }
  const Schema* additional_properties() const { return additional_schema_.get(); }
  /// The default, or nullptr.
  const nlohmann::json* default_value() const { return default_ ? &*default_ : nullptr; }
  const std::vector<ValidationRule>& validation_rules() const { return rules_; }
  const std::vector<std::string>& required() const { return required_; }
  const std::vector<nlohmann::json>& enum_values() const { return enum_; }
  const std::string& format() const { return format_; }
  /// The format kube-openapi sees: format() if the server supports it, else "" (the server
  /// strips int32, int64, float, double and any other unknown format before validating).
  const std::string& kept_format() const { return kept_format_; }
  /// The pattern as written, "" when none.
  const std::string& pattern() const;

  // Limits, as written in the schema.
  std::optional<int64_t> max_length() const { return max_length_; }
  std::optional<int64_t> min_length() const { return min_length_; }
  std::optional<int64_t> max_items() const { return max_items_; }
  std::optional<int64_t> min_items() const { return min_items_; }
  std::optional<int64_t> max_properties() const { return max_properties_; }
  std::optional<int64_t> min_properties() const { return min_properties_; }
  std::optional<double> maximum() const { return maximum_; }
  std::optional<double> minimum() const { return minimum_; }
  bool exclusive_maximum() const { return exclusive_maximum_; }
  bool exclusive_minimum() const { return exclusive_minimum_; }
  std::optional<double> multiple_of() const { return multiple_of_; }

  const std::vector<std::unique_ptr<Schema>>& all_of() const { return all_of_; }
  const std::vector<std::unique_ptr<Schema>>& any_of() const { return any_of_; }
  const std::vector<std::unique_ptr<Schema>>& one_of() const { return one_of_; }
  const Schema* not_schema() const { return not_.get(); }

  /// The compiled pattern, or nullptr.
  const Pattern* compiled_pattern() const { return pattern_.get(); }
  /// The types kube-openapi checks: {"integer","string"} for int-or-string, else type().
  const std::vector<std::string>& type_names() const { return type_names_; }
  /// A known string format kube-openapi validates (byte, date-time, ipv4, ...), else kNone.
  enum class Format : uint8_t {
    kNone,
    kByte,
    kDateTime,
    kDate,
    kIPv4,
    kIPv6,
    kCIDR,
    kUUID,
    kUUID3,
    kUUID4,
    kUUID5,
    kPassword
  };
  Format checked_format() const { return checked_format_; }

 private:
  friend class SchemaCompiler;

  Type type_ = Type::kNone;
  bool int_or_string_ = false;
  bool nullable_ = false;
  bool preserve_unknown_fields_ = false;
  bool embedded_resource_ = false;
  bool exclusive_maximum_ = false;
  bool exclusive_minimum_ = false;
  bool defaults_below_ = false;
  bool embedded_below_ = false;
  bool unique_lists_below_ = false;
  ListType list_type_ = ListType::kUnset;
  MapType map_type_ = MapType::kUnset;
  Additional additional_ = Additional::kAbsent;
  Format checked_format_ = Format::kNone;
  std::vector<std::string> type_names_;
  std::vector<std::string> list_map_keys_;
  std::vector<std::pair<std::string, std::unique_ptr<Schema>>> properties_;  ///< sorted by name
  std::unique_ptr<Schema> items_;
  std::unique_ptr<Schema> additional_schema_;
  std::vector<std::string> required_;
  std::vector<nlohmann::json> enum_;
  std::string format_;
  std::string kept_format_;
  std::shared_ptr<const Pattern> pattern_;
  std::optional<int64_t> max_length_, min_length_, max_items_, min_items_, max_properties_,
      min_properties_;
  std::optional<double> maximum_, minimum_, multiple_of_;
  std::vector<std::unique_ptr<Schema>> all_of_, any_of_, one_of_;
  std::unique_ptr<Schema> not_;
  std::optional<nlohmann::json> default_;
  std::vector<ValidationRule> rules_;
};

// --- What the API server does to a request body ---

/// Removes fields the schema does not know (step 1 above) and then non-nullable nulls without a
/// default (step 2). |resource_root|: |object| is a whole resource, so apiVersion, kind and
/// metadata are kept (metadata is not looked into). Returns the paths of the removed unknown
/// fields, sorted, as the server reports them for fieldValidation=Warn/Strict ("spec.foo",
/// "spec.rules[0].bar"); removed nulls are not reported, as the server does not report them.
std::vector<std::string> Prune(nlohmann::json* object, const Schema& schema,
                               bool resource_root = true);

/// Applies defaults (step 3): for each property that is absent, or null but not nullable, a
/// copy of its default; then recursing into every value, so a defaulted object gets its own
/// nested defaults, and array items and additionalProperties values get theirs.
void ApplyDefaults(nlohmann::json* object, const Schema& schema);

/// Validates (step 4) and returns the causes in the server's order; empty when valid.
std::vector<StatusCause> Validate(const nlohmann::json& object, const Schema& schema);

/// Steps 1 to 4 on a request body, as the API server runs them on create and update.
struct Admission {
  std::vector<std::string> unknown_fields;  ///< from Prune
  std::vector<StatusCause> causes;          ///< from Validate; empty when the object is valid
};
Admission Admit(nlohmann::json* object, const Schema& schema);

/// The warning (fieldValidation=Warn) or strict-decoding item for a pruned path:
/// `unknown field "spec.foo"`.
std::string UnknownFieldMessage(std::string_view path);

/// The 422 Status message: `HTTPRoute.gateway.networking.k8s.io "web" is invalid: <causes>`,
/// the causes as "field: message", one bare or several in [..., ...] with duplicates dropped
/// (apimachinery errors.NewInvalid and util/errors aggregate.Error).
std::string InvalidMessage(std::string_view kind, std::string_view group, std::string_view name,
                           const std::vector<StatusCause>& causes);

/// The cause the server appends instead of running CEL rules when schema validation already
/// failed with a Required, NotSupported, TooLong, TooMany or TypeInvalid cause
/// (customresource/strategy.go hasBlockingErr). Use it when emulating the rules.
bool HasBlockingCause(const std::vector<StatusCause>& causes);
StatusCause RulesNotCheckedCause();

}  // namespace starform::kube
