#include "devcluster/cel_rules.h"

#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "devcluster/cel_rules_internal.h"
#include "kube/schema_pattern.h"

namespace starform::devcluster {
namespace {

using kube::Schema;
using kube::StatusCause;
using kube::ValidationRule;
using nlohmann::json;

// Rules are looked up by message and expression with whitespace runs collapsed: the CRDs fold
// long expressions over several lines and leave trailing spaces.
std::string Normalize(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space)
      out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// strings.TrimSpace, as the server trims a rule's message before reporting it.
std::string Trim(std::string_view text) {
  const char* space = " \t\n\r\f\v";
  size_t begin = text.find_first_not_of(space);
  if (begin == std::string_view::npos)
    return "";
  return std::string(text.substr(begin, text.find_last_not_of(space) - begin + 1));
}

std::string Key(std::string_view message, std::string_view rule) {
  return Normalize(message) + '\0' + Normalize(rule);
}

const cel::RuleImpl* FindImpl(const ValidationRule& rule) {
  static const auto* registry = [] {
    auto* map = new std::unordered_map<std::string, const cel::RuleImpl*>;
    for (auto rules : {cel::GatewayApiRules(), cel::EnvoyGatewayRules()}) {
      for (const cel::RuleImpl& impl : rules)
        map->emplace(Key(impl.message, impl.rule), &impl);
    }
    return map;
  }();
  // messageExpression rules are keyed by the expression: their message is computed.
  auto it =
      registry->find(Key(rule.message.empty() ? rule.message_expression : rule.message, rule.rule));
  return it == registry->end() ? nullptr : it->second;
}

const char* TypeName(const Schema& schema) {
  switch (schema.type()) {
    case Schema::Type::kObject:
      return "object";
    case Schema::Type::kArray:
      return "array";
    case Schema::Type::kString:
      return "string";
    case Schema::Type::kInteger:
      return "integer";
    case Schema::Type::kNumber:
      return "number";
    case Schema::Type::kBoolean:
      return "boolean";
    case Schema::Type::kNone:
      break;
  }
  return "";
}

// The items of a list-type map are correlated with the old list's item of the same keys;
// items of other lists are not (cel/validation.go makeMapList).
const json* CorrelatedItem(const Schema& schema, const json& item, const json* old_list) {
  if (!old_list || !old_list->is_array() || schema.list_type() != Schema::ListType::kMap) {
    return nullptr;
  }
  for (const json& old : *old_list) {
    bool same = old.is_object() && item.is_object();
    for (const std::string& key : schema.list_map_keys()) {
      if (!same)
        break;
      auto a = item.find(key);
      auto b = old.find(key);
      same = (a == item.end()) == (b == old.end()) && (a == item.end() || *a == *b);
    }
    if (same)
      return &old;
  }
  return nullptr;
}

class Walker {
 public:
  Walker(std::vector<StatusCause>* causes, std::vector<std::string>* warnings)
      : causes_(causes), warnings_(warnings) {}

  // |old| is the correlated old value of this node (null when none); |anchor_value| and
  // |anchor_old| the nearest node at or above with one, whose equality decides ratcheting.
  void Walk(const Schema& schema, const json& value, const json* old, const json* anchor_value,
            const json* anchor_old) {
    if (value.is_null())
      return;  // the server validates only non-null values
    if (old) {
      anchor_value = &value;
      anchor_old = old;
    }
    RunRules(schema, value, old, anchor_value, anchor_old);
    for (const auto& sub : schema.all_of())
      Walk(*sub, value, old, anchor_value, anchor_old);

    size_t length = path_.size();
    if (value.is_object()) {
      bool additional = schema.additional() == Schema::Additional::kSchema;
      for (const auto& [key, child] : value.items()) {
        const Schema* sub = additional ? schema.additional_properties() : schema.Property(key);
        if (!sub)
          continue;
        if (additional) {
          path_ += '[' + key + ']';
        } else {
          if (!path_.empty())
            path_ += '.';
          path_ += key;
        }
        const json* old_child = nullptr;
        if (old && old->is_object()) {
          if (auto it = old->find(key); it != old->end())
            old_child = &*it;
        }
        Walk(*sub, child, old_child, anchor_value, anchor_old);
        path_.resize(length);
      }
    } else if (value.is_array() && schema.items()) {
      for (size_t i = 0; i < value.size(); ++i) {
        path_ += '[' + std::to_string(i) + ']';
        Walk(*schema.items(), value[i], CorrelatedItem(schema, value[i], old), anchor_value,
             anchor_old);
        path_.resize(length);
      }
    }
  }

 private:
  void RunRules(const Schema& schema, const json& value, const json* old, const json* anchor_value,
                const json* anchor_old) {
    for (const ValidationRule& rule : schema.validation_rules()) {
      const cel::RuleImpl* impl = FindImpl(rule);
      if (!impl)
        continue;
      // Transition rules run only where there is an old value to compare with.
      if (impl->uses_old_self && !old)
        continue;
      std::string detail;
      try {
        if (impl->check(cel::RuleInput{value, old}))
          continue;
        detail = rule.message.empty() ? "failed rule: " + Trim(rule.rule) : Trim(rule.message);
      } catch (const cel::EvalError& error) {
        std::string named = rule.message.empty() ? Trim(rule.rule) : Trim(rule.message);
        detail = std::string(error.what()) + " evaluating rule: " + named;
      }
      StatusCause cause = Cause(rule, schema, detail);
      bool ratchet = !impl->uses_old_self && anchor_old && *anchor_old == *anchor_value;
      if (ratchet) {
        if (warnings_)
          warnings_->push_back(cause.ToString());
      } else {
        causes_->push_back(std::move(cause));
      }
    }
  }

  // fieldErrorForReason: Invalid unless the rule names another reason.
  StatusCause Cause(const ValidationRule& rule, const Schema& schema, const std::string& detail) {
    std::string field = path_;
    if (!rule.field_path.empty()) {
      std::string_view relative = rule.field_path;
      if (relative.front() == '.')
        relative.remove_prefix(1);
      if (!field.empty() && relative.front() != '[')
        field += '.';
      field += relative;
    }
    if (field.empty())
      field = "<nil>";
    std::string quoted_type = std::string("\"") + TypeName(schema) + "\"";
    if (rule.reason == "FieldValueForbidden") {
      return {rule.reason, field, "Forbidden: " + detail};
    }
    if (rule.reason == "FieldValueRequired") {
      return {rule.reason, field, "Required value: " + detail};
    }
    if (rule.reason == "FieldValueDuplicate") {
      return {rule.reason, field, "Duplicate value: " + quoted_type};
    }
    return {"FieldValueInvalid", field, "Invalid value: " + quoted_type + ": " + detail};
  }

  std::vector<StatusCause>* causes_;
  std::vector<std::string>* warnings_;
  std::string path_;
};

void CollectUnimplemented(const Schema& schema, std::string path,
                          std::vector<UnimplementedRule>* out) {
  for (const ValidationRule& rule : schema.validation_rules()) {
    if (!FindImpl(rule)) {
      out->push_back({path, rule.message.empty() ? rule.message_expression : rule.message,
                      Normalize(rule.rule)});
    }
  }
  for (const auto& sub : schema.all_of())
    CollectUnimplemented(*sub, path, out);
  for (const auto& [name, sub] : schema.properties()) {
    CollectUnimplemented(*sub, path.empty() ? name : path + "." + name, out);
  }
  if (schema.items())
    CollectUnimplemented(*schema.items(), path + "[]", out);
  if (schema.additional_properties()) {
    CollectUnimplemented(*schema.additional_properties(), path + "[*]", out);
  }
}

}  // namespace

std::vector<StatusCause> CheckCelRules(const Schema& schema, const json& object,
                                       const json* old_object, std::vector<std::string>* warnings) {
  std::vector<StatusCause> causes;
  Walker(&causes, warnings).Walk(schema, object, old_object, nullptr, nullptr);
  return causes;
}

std::vector<UnimplementedRule> UnimplementedCelRules(const Schema& schema) {
  std::vector<UnimplementedRule> out;
  CollectUnimplemented(schema, "", &out);
  return out;
}

namespace cel {

int64_t Duration(std::string_view s) {
  // Go's time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+, or "0".
  const std::string original(s);
  auto invalid = [&] { return EvalError("invalid duration \"" + original + "\""); };
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0")
    return 0;
  if (s.empty())
    throw invalid();
  long double total = 0;
  while (!s.empty()) {
    size_t digits = 0;
    long double number = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') {
      number = number * 10 + (s[digits] - '0');
      ++digits;
    }
    size_t at = digits;
    bool fraction = false;
    if (at < s.size() && s[at] == '.') {
      long double scale = 0.1L;
      for (++at; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, scale /= 10) {
        number += (s[at] - '0') * scale;
        fraction = true;
      }
    }
    if (digits == 0 && !fraction)
      throw invalid();
    size_t unit_end = at;
    while (unit_end < s.size() && !(s[unit_end] >= '0' && s[unit_end] <= '9') &&
           s[unit_end] != '.') {
      ++unit_end;
    }
    std::string_view unit = s.substr(at, unit_end - at);
    long double scale;
    if (unit == "ns")
      scale = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      scale = 1e3L;
    else if (unit == "ms")
      scale = 1e6L;
    else if (unit == "s")
      scale = 1e9L;
    else if (unit == "m")
      scale = 60e9L;
    else if (unit == "h")
      scale = 3600e9L;
    else
      throw invalid();
    total += number * scale;
    s.remove_prefix(unit_end);
  }
  if (total > static_cast<long double>(std::numeric_limits<int64_t>::max()))
    throw invalid();
  auto nanos = static_cast<int64_t>(std::llround(total));
  return negative ? -nanos : nanos;
}

bool Matches(std::string_view s, const std::string& pattern) {
  std::string error;
  auto compiled = kube::Pattern::Get(pattern, &error);
  if (!compiled)
    throw EvalError(error);
  return compiled->Search(s);
}

}  // namespace cel
}  // namespace starform::devcluster
