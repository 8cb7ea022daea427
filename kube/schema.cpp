// Compiling an openAPIV3Schema into Schema nodes, and walking them.

#include "kube/schema.h"

#include <algorithm>

#include "kube/schema_pattern.h"

namespace starform::kube {

namespace {

const std::string kEmpty;

Schema::Type ParseType(const std::string& name, bool* ok) {
  *ok = true;
  if (name == "object")
    return Schema::Type::kObject;
  if (name == "array")
    return Schema::Type::kArray;
  if (name == "string")
    return Schema::Type::kString;
  if (name == "integer")
    return Schema::Type::kInteger;
  if (name == "number")
    return Schema::Type::kNumber;
  if (name == "boolean")
    return Schema::Type::kBoolean;
  *ok = false;
  return Schema::Type::kNone;
}

// Whether the server keeps |name| for validation: apiserver/validation/formats.go
// StripUnsupportedFormatsPostProcessorForVersion blanks every format not in its list (so
// int32, int64, float and double never reach the validator), comparing names without dashes
// as go-openapi normalises them ("date-time" is "datetime").
bool IsSupportedFormat(std::string name) {
  std::erase(name, '-');
  static const char* const kSupported[] = {
      "bsonobjectid", "uri",    "email",    "hostname",   "ipv4",     "ipv6",
      "cidr",         "mac",    "uuid",     "uuid3",      "uuid4",    "uuid5",
      "isbn",         "isbn10", "isbn13",   "creditcard", "ssn",      "hexcolor",
      "rgbcolor",     "byte",   "password", "date",       "duration", "datetime"};
  for (const char* supported : kSupported) {
    if (name == supported)
      return true;
  }
  return false;
}

// The supported formats this engine checks strings against (see schema_format.cpp); the
// others (uri, email, hostname, mac, isbn*, creditcard, ssn, *color, duration, bsonobjectid)
// are accepted unchecked.
Schema::Format ParseFormat(const std::string& name) {
  using F = Schema::Format;
  if (name == "byte")
    return F::kByte;
  if (name == "date-time" || name == "datetime")
    return F::kDateTime;
  if (name == "date")
    return F::kDate;
  if (name == "ipv4")
    return F::kIPv4;
  if (name == "ipv6")
    return F::kIPv6;
  if (name == "cidr")
    return F::kCIDR;
  if (name == "uuid")
    return F::kUUID;
  if (name == "uuid3")
    return F::kUUID3;
  if (name == "uuid4")
    return F::kUUID4;
  if (name == "uuid5")
    return F::kUUID5;
  if (name == "password")
    return F::kPassword;
  return F::kNone;
}

std::optional<int64_t> OptionalInt(const nlohmann::json& schema, const char* key) {
  auto found = schema.find(key);
  if (found == schema.end() || !found->is_number())
    return std::nullopt;
  return found->get<int64_t>();
}

std::optional<double> OptionalDouble(const nlohmann::json& schema, const char* key) {
  auto found = schema.find(key);
  if (found == schema.end() || !found->is_number())
    return std::nullopt;
  return found->get<double>();
}

bool Flag(const nlohmann::json& schema, const char* key) {
  auto found = schema.find(key);
  return found != schema.end() && found->is_boolean() && found->get<bool>();
}

std::string StringOr(const nlohmann::json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

}  // namespace

// Builds the tree; a friend of Schema so the fields stay read-only for everyone else.
class SchemaCompiler {
 public:
  explicit SchemaCompiler(std::string* error) : error_(error) {}

  std::unique_ptr<Schema> Compile(const nlohmann::json& json, const std::string& path) {
    if (!json.is_object())
      return Fail(path, "a schema must be an object");
    auto node = std::make_unique<Schema>();
    Schema& s = *node;

    if (json.contains("$ref"))
      return Fail(path, "$ref is not allowed in a structural schema");
    if (auto type = json.find("type"); type != json.end()) {
      bool ok = type->is_string();
      if (ok)
        s.type_ = ParseType(type->get<std::string>(), &ok);
      if (!ok)
        return Fail(path, "unknown type " + type->dump());
    }
    s.int_or_string_ = Flag(json, "x-kubernetes-int-or-string");
    // kube-openapi checks int-or-string as the type list [integer, string] (validation.go
    // ConvertJSONSchemaPropsWithPostProcess).
    if (s.int_or_string_) {
      s.type_names_ = {"integer", "string"};
    } else if (s.type_ != Schema::Type::kNone) {
      s.type_names_ = {json["type"].get<std::string>()};
    }
    s.nullable_ = Flag(json, "nullable");
    s.preserve_unknown_fields_ = Flag(json, "x-kubernetes-preserve-unknown-fields");
    s.embedded_resource_ = Flag(json, "x-kubernetes-embedded-resource");
    s.exclusive_maximum_ = Flag(json, "exclusiveMaximum");
    s.exclusive_minimum_ = Flag(json, "exclusiveMinimum");
    s.format_ = StringOr(json, "format");
    if (IsSupportedFormat(s.format_))
      s.kept_format_ = s.format_;
    s.checked_format_ = ParseFormat(s.kept_format_);
    s.max_length_ = OptionalInt(json, "maxLength");
    s.min_length_ = OptionalInt(json, "minLength");
    s.max_items_ = OptionalInt(json, "maxItems");
    s.min_items_ = OptionalInt(json, "minItems");
    s.max_properties_ = OptionalInt(json, "maxProperties");
    s.min_properties_ = OptionalInt(json, "minProperties");
    s.maximum_ = OptionalDouble(json, "maximum");
    s.minimum_ = OptionalDouble(json, "minimum");
    s.multiple_of_ = OptionalDouble(json, "multipleOf");

    if (auto list_type = json.find("x-kubernetes-list-type"); list_type != json.end()) {
      const std::string name = list_type->is_string() ? list_type->get<std::string>() : "";
      if (name == "atomic") {
        s.list_type_ = Schema::ListType::kAtomic;
      } else if (name == "set") {
        s.list_type_ = Schema::ListType::kSet;
      } else if (name == "map") {
        s.list_type_ = Schema::ListType::kMap;
      } else {
        return Fail(path, "unknown x-kubernetes-list-type " + list_type->dump());
      }
    }
    if (auto keys = json.find("x-kubernetes-list-map-keys"); keys != json.end()) {
      for (const auto& key : *keys)
        s.list_map_keys_.push_back(key.get<std::string>());
    }
    if (auto map_type = json.find("x-kubernetes-map-type"); map_type != json.end()) {
      const std::string name = map_type->is_string() ? map_type->get<std::string>() : "";
      if (name == "granular") {
        s.map_type_ = Schema::MapType::kGranular;
      } else if (name == "atomic") {
        s.map_type_ = Schema::MapType::kAtomic;
      } else {
        return Fail(path, "unknown x-kubernetes-map-type " + map_type->dump());
      }
    }
    if (auto required = json.find("required"); required != json.end()) {
      for (const auto& name : *required)
        s.required_.push_back(name.get<std::string>());
    }
    if (auto values = json.find("enum"); values != json.end() && values->is_array()) {
      s.enum_.assign(values->begin(), values->end());
    }
    if (auto value = json.find("default"); value != json.end())
      s.default_ = *value;
    if (auto pattern = json.find("pattern"); pattern != json.end() && pattern->is_string()) {
      std::string why;
      s.pattern_ = Pattern::Get(pattern->get<std::string>(), &why);
      if (!s.pattern_)
        return Fail(path, why);
    }
    if (auto rules = json.find("x-kubernetes-validations"); rules != json.end()) {
      for (const auto& rule : *rules) {
        ValidationRule r;
        r.rule = StringOr(rule, "rule");
        r.message = StringOr(rule, "message");
        r.message_expression = StringOr(rule, "messageExpression");
        r.reason = StringOr(rule, "reason");
        if (r.reason.empty())
          r.reason = "FieldValueInvalid";
        r.field_path = StringOr(rule, "fieldPath");
        r.optional_old_self = Flag(rule, "optionalOldSelf");
        s.rules_.push_back(std::move(r));
      }
    }

    if (auto properties = json.find("properties"); properties != json.end()) {
      // nlohmann::json keeps object keys sorted, so properties_ comes out sorted.
      for (const auto& [name, child] : properties->items()) {
        auto compiled = Compile(child, Join(path, name));
        if (!compiled)
          return nullptr;
        s.properties_.emplace_back(name, std::move(compiled));
      }
    }
    if (auto items = json.find("items"); items != json.end()) {
      if (items->is_array())
        return Fail(path, "items must be a schema, not an array");
      s.items_ = Compile(*items, path + "[]");
      if (!s.items_)
        return nullptr;
    }
    if (auto additional = json.find("additionalProperties"); additional != json.end()) {
      if (additional->is_boolean()) {
        s.additional_ =
            additional->get<bool>() ? Schema::Additional::kTrue : Schema::Additional::kFalse;
      } else {
        s.additional_ = Schema::Additional::kSchema;
        s.additional_schema_ = Compile(*additional, path + "{}");
        if (!s.additional_schema_)
          return nullptr;
      }
    }
    if (!CompileAll(json, "allOf", path, &s.all_of_) ||
        !CompileAll(json, "anyOf", path, &s.any_of_) ||
        !CompileAll(json, "oneOf", path, &s.one_of_)) {
      return nullptr;
    }
    if (auto negated = json.find("not"); negated != json.end()) {
      s.not_ = Compile(*negated, path + ".not");
      if (!s.not_)
        return nullptr;
    }
    // What lies below, so defaulting and the extra validation passes skip the subtrees that
    // have nothing for them. Those passes only follow properties, items and
    // additionalProperties (structural schemas forbid defaults inside allOf/anyOf/oneOf/not).
    s.defaults_below_ = s.default_.has_value();
    s.embedded_below_ = s.embedded_resource_;
    s.unique_lists_below_ =
        s.list_type_ == Schema::ListType::kSet || s.list_type_ == Schema::ListType::kMap;
    const auto inherit = [&s](const Schema* child) {
      if (!child)
        return;
      s.defaults_below_ |= child->defaults_below_;
      s.embedded_below_ |= child->embedded_below_;
      s.unique_lists_below_ |= child->unique_lists_below_;
    };
    inherit(s.items_.get());
    inherit(s.additional_schema_.get());
    for (const auto& [name, child] : s.properties_)
      inherit(child.get());
    return node;
  }

 private:
  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  bool CompileAll(const nlohmann::json& json, const char* key, const std::string& path,
                  std::vector<std::unique_ptr<Schema>>* out) {
    auto list = json.find(key);
    if (list == json.end())
      return true;
    if (!list->is_array()) {
      Fail(path, std::string(key) + " must be an array");
      return false;
    }
    for (size_t i = 0; i < list->size(); ++i) {
      auto compiled = Compile((*list)[i], path + "." + key + "[" + std::to_string(i) + "]");
      if (!compiled)
        return false;
      out->push_back(std::move(compiled));
    }
    return true;
  }

  std::unique_ptr<Schema> Fail(const std::string& path, const std::string& why) {
    if (error_ && error_->empty())
      *error_ = (path.empty() ? "<root>" : path) + ": " + why;
    return nullptr;
  }

  std::string* error_;
};

Schema::Schema() = default;
Schema::~Schema() = default;

std::shared_ptr<const Schema> Schema::Compile(const nlohmann::json& schema, std::string* error) {
  std::string why;
  SchemaCompiler compiler(&why);
  std::unique_ptr<Schema> root;
  try {
    root = compiler.Compile(schema, "");
  } catch (const nlohmann::json::exception& e) {
    why = std::string("malformed schema: ") + e.what();
  }
  if (!root && error)
    *error = why;
  return std::shared_ptr<const Schema>(std::move(root));
}

const Schema* Schema::Property(std::string_view name) const {
  auto found =
      std::lower_bound(properties_.begin(), properties_.end(), name,
                       [](const auto& entry, std::string_view key) { return entry.first < key; });
  if (found == properties_.end() || found->first != name)
    return nullptr;
  return found->second.get();
}

const Schema* Schema::Field(std::string_view key) const {
  if (const Schema* property = Property(key))
    return property;
  return additional_schema_.get();
}

std::vector<std::string_view> Schema::PropertyNames() const {
  std::vector<std::string_view> names;
  names.reserve(properties_.size());
  for (const auto& entry : properties_)
    names.push_back(entry.first);
  return names;
}

const std::string& Schema::pattern() const {
  return pattern_ ? pattern_->source() : kEmpty;
}

const Schema* Schema::Find(std::string_view path) const {
  const Schema* node = this;
  size_t i = 0;
  while (node && i < path.size()) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      const size_t close = path.find(']', i);
      if (close == std::string_view::npos)
        return nullptr;
      node = node->items();
      i = close + 1;
      continue;
    }
    const size_t end = path.find_first_of(".[", i);
    const std::string_view key =
        path.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    node = node->Field(key);
    i = end == std::string_view::npos ? path.size() : end;
  }
  return node;
}

}  // namespace starform::kube
