// Validation as the API server runs it on a custom resource. Three passes, in the order of
// apiextensions-apiserver's customresource strategy Validate:
//   1. kube-openapi's SchemaValidator (pkg/validation/validate: schema.go, type.go,
//      validator.go, slice_validator.go, object_validator.go, schema_props.go), whose errors
//      apiserver/validation/validation.go kubeOpenAPIResultToFieldErrors turns into field
//      errors;
//   2. embedded resources' apiVersion and kind (apiserver/schema/objectmeta/validation.go);
//   3. x-kubernetes-list-type set and map uniqueness (apiserver/schema/listtype/validation.go).
// Paths follow each pass: kube-openapi writes map values as ".key", the other two as "[key]".

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>

#include "kube/schema.h"
#include "kube/schema_causes.h"
#include "kube/schema_format.h"
#include "kube/schema_pattern.h"

namespace starform::kube {

namespace {

using json = nlohmann::json;

// kube-openapi's Result: the errors, deduplicated by message as Result.AddErrors does, and the
// match count anyOf/oneOf use to pick the failing branch whose errors to report.
struct Result {
  std::vector<StatusCause> causes;
  int match_count = 0;

  bool valid() const { return causes.empty(); }
  void Add(StatusCause cause) {
    for (const StatusCause& seen : causes) {
      if (seen == cause)
        return;
    }
    causes.push_back(std::move(cause));
  }
  void Merge(Result&& other) {
    for (StatusCause& cause : other.causes)
      Add(std::move(cause));
    match_count += other.match_count;
  }
};

// kube-openapi's name for the JSON kind of a value (type.go schemaInfoForType) and the format
// it infers for numbers (int64, float64) that a type error names when the schema has a format.
const char* TypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    default:
      return "null";
  }
}

const char* InferredFormat(const json& value) {
  if (value.is_number_integer())
    return "int64";
  if (value.is_number_float())
    return "float64";
  return "";
}

bool Contains(const std::vector<std::string>& names, std::string_view name) {
  for (const std::string& n : names) {
    if (n == name)
      return true;
  }
  return false;
}

// validation.go: the error's Name with its leading "." trimmed, or no path ("<nil>") for an
// error at the root.
std::string FieldOf(const std::string& name) {
  if (name.empty() || name == ".")
    return "<nil>";
  return name[0] == '.' ? name.substr(1) : name;
}

std::string Join(const std::string& path, std::string_view key) {
  std::string out = path;
  if (!out.empty())
    out += '.';
  out += key;
  return out;
}

int64_t RuneCount(const std::string& text) {
  int64_t count = 0;
  for (unsigned char c : text)
    count += (c & 0xC0) != 0x80;
  return count;
}

std::string Int(int64_t value) {
  return std::to_string(value);
}

// Go's int64(float64) truncates toward zero, which kube-openapi applies to bounds before
// comparing them with an integer value. Saturates instead of overflowing.
int64_t Truncate(double value) {
  if (!(value > -9.2e18))
    return std::numeric_limits<int64_t>::min();
  if (!(value < 9.2e18))
    return std::numeric_limits<int64_t>::max();
  return static_cast<int64_t>(value);
}

// swag.IsFloat64AJSONInteger, which lets 2.0 pass as an integer.
bool IsWholeNumber(double value) {
  return std::isfinite(value) && std::trunc(value) == value;
}

class OpenApiValidator {
 public:
  Result Validate(const Schema& s, const json& value) {
    const std::string& path = path_;  // kube-openapi's Name of the value, "" at the root
    Result result;
    if (value.is_null()) {
      // A null runs only the type and enum validators (schema.go Validate).
      if (!s.type_names().empty() && !s.nullable()) {
        result.Add(TypeMismatch(path, Joined(s.type_names()), "null"));
      }
      CheckEnum(s, value, path, &result);
      return result;
    }
    if (!s.type_names().empty() || !s.kept_format().empty()) {
      ++result.match_count;
      CheckType(s, value, path, &result);
    }
    ++result.match_count;
    CheckCombinators(s, value, &result);
    if (value.is_string()) {
      ++result.match_count;
      CheckString(s, value.get_ref<const std::string&>(), path, &result);
      if (s.checked_format() != Schema::Format::kNone) {
        ++result.match_count;
        const std::string& text = value.get_ref<const std::string&>();
        if (!MatchesFormat(s.checked_format(), text)) {
          result.Add(TypeInvalidCause(
              FieldOf(path), GoQuote(text),
              path + " in body must be of type " + s.format() + ": " + GoQuote(text)));
        }
      }
    }
    if (value.is_number()) {
      ++result.match_count;
      CheckNumber(s, value, path, &result);
    }
    if (value.is_array()) {
      ++result.match_count;
      CheckArray(s, value, &result);
    }
    ++result.match_count;
    CheckEnum(s, value, path, &result);
    if (value.is_object()) {
      ++result.match_count;
      CheckObject(s, value, &result);
    }
    ++result.match_count;
    return result;
  }

 private:
  static std::string Joined(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names)
      out += (out.empty() ? "" : ",") + name;
    return out;
  }

  // errors.InvalidType with a string value: `<path> in body must be of type <type>: "<got>"`,
  // reported as field.TypeInvalid with the got-type as the bad value.
  static StatusCause TypeMismatch(const std::string& path, const std::string& expected,
                                  const std::string& got) {
    return TypeInvalidCause(FieldOf(path), GoQuote(got),
                            path + " in body must be of type " + expected + ": " + GoQuote(got));
  }

  // type.go typeValidator.Validate for a non-null value.
  static void CheckType(const Schema& s, const json& value, const std::string& path,
                        Result* result) {
    const std::string& format = s.kept_format();
    const std::string type = TypeName(value);
    const std::string inferred = InferredFormat(value);
    const auto& types = s.type_names();
    const bool float_int =
        value.is_number_float() && Contains(types, "integer") && IsWholeNumber(value.get<double>());
    const bool int_float = value.is_number_integer() && Contains(types, "number");
    const bool lower_int = format == "int64" && inferred == "int32";
    const bool lower_float = format == "float64" && inferred == "float32";
    const bool stringish = value.is_string() || value.is_array();
    if (!stringish && !format.empty() &&
        !(Contains(types, type) || inferred == format || float_int || int_float || lower_int ||
          lower_float)) {
      result->Add(TypeMismatch(path, format, inferred));
      return;
    }
    if (!(Contains(types, "number") || Contains(types, "integer")) && !format.empty() &&
        stringish) {
      return;
    }
    if (!(Contains(types, type) || float_int || int_float)) {
      result->Add(TypeMismatch(path, Joined(types), type));
    }
  }

  // schema_props.go: anyOf, oneOf, allOf, not. Their own errors have no field path.
  void CheckCombinators(const Schema& s, const json& value, Result* result) {
    if (s.any_of().empty() && s.one_of().empty() && s.all_of().empty() && !s.not_schema()) {
      return;
    }
    const std::string path = path_;
    const auto composite = [&](const std::string& message) {
      result->Add(InvalidCause("<nil>", "\"\"", message));
    };
    if (!s.any_of().empty()) {
      std::optional<Result> best, first_success;
      for (const auto& branch : s.any_of()) {
        Result r = Validate(*branch, value);
        if (r.valid()) {
          best.reset();
          first_success = std::move(r);
          break;
        }
        if (!best || r.match_count > best->match_count)
          best = std::move(r);
      }
      if (!first_success)
        composite(GoQuote(path) + " must validate at least one schema (anyOf)");
      if (best) {
        result->Merge(std::move(*best));
      } else if (first_success) {
        result->Merge(std::move(*first_success));
      }
    }
    if (!s.one_of().empty()) {
      std::optional<Result> best, first_success;
      int validated = 0;
      for (const auto& branch : s.one_of()) {
        Result r = Validate(*branch, value);
        if (r.valid()) {
          ++validated;
          best.reset();
          if (!first_success)
            first_success = std::move(r);
          continue;
        }
        if (validated == 0 && (!best || r.match_count > best->match_count))
          best = std::move(r);
      }
      if (validated != 1) {
        composite(GoQuote(path) + " must validate one and only one schema (oneOf). " +
                  (validated == 0 ? std::string("Found none valid")
                                  : "Found " + Int(validated) + " valid alternatives"));
        if (best)
          result->Merge(std::move(*best));
      } else if (first_success) {
        result->Merge(std::move(*first_success));
      }
    }
    if (!s.all_of().empty()) {
      size_t validated = 0;
      for (const auto& branch : s.all_of()) {
        Result r = Validate(*branch, value);
        if (r.valid())
          ++validated;
        result->Merge(std::move(r));
      }
      if (validated != s.all_of().size()) {
        composite(GoQuote(path) + " must validate all the schemas (allOf)" +
                  (validated == 0 ? ". None validated" : ""));
      }
    }
    if (s.not_schema() && Validate(*s.not_schema(), value).valid()) {
      composite(GoQuote(path) + " must not validate the schema (not)");
    }
  }

  // validator.go stringValidator: the first failing of maxLength, minLength, pattern.
  static void CheckString(const Schema& s, const std::string& text, const std::string& path,
                          Result* result) {
    if (s.max_length() || s.min_length()) {
      const int64_t length = RuneCount(text);  // utf8.RuneCount, as Go counts
      if (s.max_length() && length > *s.max_length()) {
        result->Add(TooLongCause(FieldOf(path), *s.max_length()));
        return;
      }
      if (s.min_length() && length < *s.min_length()) {
        result->Add(InvalidCause(
            FieldOf(path), GoQuote(text),
            path + " in body should be at least " + Int(*s.min_length()) + " chars long"));
        return;
      }
    }
    if (const Pattern* pattern = s.compiled_pattern(); pattern && !pattern->Search(text)) {
      result->Add(InvalidCause(FieldOf(path), GoQuote(text),
                               path + " in body should match '" + pattern->source() + "'"));
    }
  }

  // validator.go numberValidator: multipleOf, minimum, maximum. An integer value is compared
  // with bounds truncated to integers and they print as integers; a float with float bounds.
  static void CheckNumber(const Schema& s, const json& value, const std::string& path,
                          Result* result) {
    const bool is_int = value.is_number_integer();
    const int64_t i = is_int ? value.get<int64_t>() : 0;
    const double d = value.get<double>();
    const auto bound = [&](double b) { return is_int ? Int(Truncate(b)) : GoFloat(b); };
    const auto invalid = [&](const std::string& detail) {
      result->Add(InvalidCause(FieldOf(path), BadValue(value), path + " in body " + detail));
    };
    if (s.multiple_of() && *s.multiple_of() != 0) {
      const double factor = *s.multiple_of();
      bool multiple;
      if (is_int && Truncate(factor) != 0) {
        multiple = i % Truncate(factor) == 0;
      } else {
        const double quotient = factor < 1 ? 1 / factor * d : d / factor;
        multiple = IsWholeNumber(quotient);
      }
      if (!multiple)
        invalid("should be a multiple of " + bound(factor));
    }
    if (s.minimum()) {
      const bool below = is_int ? (s.exclusive_minimum() ? i <= Truncate(*s.minimum())
                                                         : i < Truncate(*s.minimum()))
                                : (s.exclusive_minimum() ? d <= *s.minimum() : d < *s.minimum());
      if (below) {
        invalid(std::string(s.exclusive_minimum() ? "should be greater than "
                                                  : "should be greater than or equal to ") +
                bound(*s.minimum()));
      }
    }
    if (s.maximum()) {
      const bool above = is_int ? (s.exclusive_maximum() ? i >= Truncate(*s.maximum())
                                                         : i > Truncate(*s.maximum()))
                                : (s.exclusive_maximum() ? d >= *s.maximum() : d > *s.maximum());
      if (above) {
        invalid(std::string(s.exclusive_maximum() ? "should be less than "
                                                  : "should be less than or equal to ") +
                bound(*s.maximum()));
      }
    }
  }

  // slice_validator.go: the items first, then minItems and maxItems.
  void CheckArray(const Schema& s, const json& value, Result* result) {
    if (const Schema* items = s.items()) {
      const size_t length = path_.size();
      for (size_t i = 0; i < value.size(); ++i) {
        path_ += '[';
        path_ += std::to_string(i);
        path_ += ']';
        result->Merge(Validate(*items, value[i]));
        path_.resize(length);
      }
    }
    const std::string& path = path_;
    const auto size = static_cast<int64_t>(value.size());
    if (s.min_items() && size < *s.min_items()) {
      result->Add(
          InvalidCause(FieldOf(path), Int(size),
                       path + " in body should have at least " + Int(*s.min_items()) + " items"));
    }
    if (s.max_items() && size > *s.max_items()) {
      result->Add(TooManyCause(FieldOf(path), size, *s.max_items()));
    }
  }

  // validator.go basicCommonValidator: the value must equal one of the enum's values (numbers
  // compare by value, as Go converts the value to the enum value's type first).
  static void CheckEnum(const Schema& s, const json& value, const std::string& path,
                        Result* result) {
    if (s.enum_values().empty())
      return;
    if (!value.is_null()) {
      for (const json& option : s.enum_values()) {
        if (option == value)
          return;
      }
    }
    result->Add(NotSupportedCause(FieldOf(path), value, s.enum_values()));
  }

  // object_validator.go: min/maxProperties (which stop here), additionalProperties, the
  // properties present, then required.
  void CheckObject(const Schema& s, const json& value, Result* result) {
    const std::string& path = path_;
    const size_t length = path_.size();
    const auto count = static_cast<int64_t>(value.size());
    if (s.min_properties() && count < *s.min_properties()) {
      result->Add(InvalidCause(
          FieldOf(path), Int(count),
          path + " in body should have at least " + Int(*s.min_properties()) + " properties"));
      return;
    }
    if (s.max_properties() && count > *s.max_properties()) {
      result->Add(TooManyCause(FieldOf(path), count, *s.max_properties()));
      return;
    }
    if (s.additional() == Schema::Additional::kFalse) {
      for (const auto& [key, item] : value.items()) {
        if (!s.Property(key)) {
          result->Add(InvalidCause(FieldOf(path), GoQuote(key),
                                   path + "." + key + " in body is a forbidden property"));
        }
      }
    } else if (const Schema* additional = s.additional_properties()) {
      for (const auto& [key, item] : value.items()) {
        if (s.Property(key))
          continue;
        path_ += '.';  // even at the root, whose "" becomes "." and is trimmed from the field
        path_ += key;
        result->Merge(Validate(*additional, item));
        path_.resize(length);
      }
    }
    // The properties present, in name order as both the schema's and the value's keys are
    // sorted (kube-openapi walks a Go map, so the server's order varies from run to run).
    for (const auto& [key, item] : value.items()) {
      const Schema* property = s.Property(key);
      if (!property)
        continue;
      if (length > 0)
        path_ += '.';
      path_ += key;
      result->Merge(Validate(*property, item));
      path_.resize(length);
    }
    for (const std::string& name : s.required()) {
      if (!value.contains(name))
        result->Add(RequiredCause(FieldOf(path + "." + name)));
    }
  }

  std::string path_;
};

// apimachinery field.Path: Child is ".name" (bare at the root), Key "[key]", Index "[i]".
std::string Child(const std::string& path, std::string_view name) {
  return Join(path, name);
}
std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}
std::string Key(const std::string& path, std::string_view key) {
  return path + "[" + std::string(key) + "]";
}

// objectmeta/validation.go validateEmbeddedResource, for apiVersion and kind.
void ValidateEmbedded(const json& object, const std::string& path,
                      std::vector<StatusCause>* causes) {
  const std::string api_version_path = Child(path, "apiVersion");
  const std::string kind_path = Child(path, "kind");
  auto api_version = object.find("apiVersion");
  auto kind = object.find("kind");
  if (api_version == object.end())
    causes->push_back(RequiredCause(api_version_path));
  if (kind == object.end())
    causes->push_back(RequiredCause(kind_path));
  if (api_version != object.end()) {
    if (!api_version->is_string()) {
      causes->push_back(InvalidCause(api_version_path, BadValue(*api_version), "must be a string"));
    } else if (api_version->get_ref<const std::string&>().empty()) {
      causes->push_back(RequiredCause(api_version_path));
    } else {
      const std::string& text = api_version->get_ref<const std::string&>();
      if (std::count(text.begin(), text.end(), '/') > 1) {
        causes->push_back(InvalidCause(api_version_path, GoQuote(text),
                                       "unexpected GroupVersion string: " + text));
      }
    }
  }
  if (kind != object.end()) {
    if (!kind->is_string()) {
      causes->push_back(InvalidCause(kind_path, BadValue(*kind), "must be a string"));
    } else if (kind->get_ref<const std::string&>().empty()) {
      causes->push_back(RequiredCause(kind_path));
    }
  }
}

void ValidateEmbeddedResources(const json& value, const Schema* s, const std::string& path,
                               std::vector<StatusCause>* causes) {
  if (!s || !s->embedded_below())
    return;
  if (value.is_object()) {
    if (s->embedded_resource())
      ValidateEmbedded(value, path, causes);
    for (const auto& [key, item] : value.items()) {
      if (const Schema* property = s->Property(key)) {
        ValidateEmbeddedResources(item, property, Child(path, key), causes);
      } else if (const Schema* additional = s->additional_properties()) {
        ValidateEmbeddedResources(item, additional, Key(path, key), causes);
      }
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      ValidateEmbeddedResources(value[i], s->items(), Index(path, i), causes);
    }
  }
}

// How listtype/validation.go tells values apart: scalars by Go equality (so 1 and 1.0
// differ), objects and arrays by their JSON encoding.
std::string SetKey(const json& value) {
  if (value.is_number_integer())
    return "i" + value.dump();
  if (value.is_number_float())
    return "f" + value.dump();
  return std::string(1, static_cast<char>('a' + static_cast<int>(value.type()))) + value.dump();
}

// The indices at which a value is seen for the second time (not the third, as the server).
std::vector<size_t> SecondOccurrences(const std::vector<std::string>& keys) {
  std::unordered_map<std::string_view, int> seen;
  std::vector<size_t> duplicates;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (++seen[keys[i]] == 2)
      duplicates.push_back(i);
  }
  return duplicates;
}

void ValidateListTypes(const json& value, const Schema* s, const std::string& path,
                       std::vector<StatusCause>* causes);

void ValidateListArray(const json& list, const Schema& s, const std::string& path,
                       std::vector<StatusCause>* causes) {
  if (s.list_type() == Schema::ListType::kSet && list.size() > 1) {
    std::vector<std::string> keys;
    for (const json& item : list)
      keys.push_back(SetKey(item));
    for (size_t i : SecondOccurrences(keys)) {
      causes->push_back(DuplicateCause(Index(path, i), list[i]));
    }
  } else if (s.list_type() == Schema::ListType::kMap) {
    bool objects = true;
    for (size_t i = 0; i < list.size() && objects; ++i) {
      if (!list[i].is_null() && !list[i].is_object()) {
        causes->push_back(InvalidCause(Index(path, i), BadValue(list[i]),
                                       "must be an object for an array of list-type map"));
        objects = false;
      }
    }
    if (objects && list.size() > 1) {
      // The key of an item is the object of its key fields that are present; a missing key
      // (or a null item) is "unspecified", equal only to another unspecified key.
      std::vector<json> key_objects;
      std::vector<std::string> keys;
      for (const json& item : list) {
        json key = json::object();
        if (item.is_object()) {
          for (const std::string& field : s.list_map_keys()) {
            if (auto found = item.find(field); found != item.end())
              key[field] = *found;
          }
        }
        if (s.list_map_keys().size() == 1 && key.empty()) {
          keys.push_back("unspecified");
        } else if (s.list_map_keys().size() == 1) {
          keys.push_back(SetKey(key.begin().value()));
        } else {
          keys.push_back(key.dump());
        }
        key_objects.push_back(std::move(key));
      }
      for (size_t i : SecondOccurrences(keys)) {
        causes->push_back(DuplicateCause(Index(path, i), key_objects[i]));
      }
    }
  }
  if (const Schema* items = s.items()) {
    for (size_t i = 0; i < list.size(); ++i) {
      ValidateListTypes(list[i], items, Index(path, i), causes);
    }
  }
}

void ValidateListTypes(const json& value, const Schema* s, const std::string& path,
                       std::vector<StatusCause>* causes) {
  if (!s || !s->unique_lists_below())
    return;
  if (value.is_array()) {
    ValidateListArray(value, *s, path, causes);
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (const Schema* additional = s->additional_properties()) {
        ValidateListTypes(item, additional, Key(path, key), causes);
      }
      if (const Schema* property = s->Property(key)) {
        ValidateListTypes(item, property, Child(path, key), causes);
      }
    }
  }
}

}  // namespace

std::vector<StatusCause> Validate(const json& object, const Schema& schema) {
  OpenApiValidator openapi;
  std::vector<StatusCause> causes = std::move(openapi.Validate(schema, object).causes);
  ValidateEmbeddedResources(object, &schema, "", &causes);
  ValidateListTypes(object, &schema, "", &causes);
  return causes;
}

}  // namespace starform::kube
