#pragma once

// What the hand-written CEL rules are made of: the registry entry, and helpers that give
// CEL's meaning to the few operations the rules use (has(), field selection, all/exists/
// exists_one, size, duration) on nlohmann::json values.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace starform::devcluster::cel {

using nlohmann::json;

/// An evaluation error, as CEL reports it ("no such key: port"). The rule is then reported as
/// "<error> evaluating rule: <message>".
class EvalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What a rule sees: self, and oldSelf for transition rules (null on create, or where the
/// node has no correlated old value).
struct RuleInput {
  const json& self;
  const json* old_self = nullptr;
};

/// One implemented rule. |rule| is the CEL expression as written in the CRD (compared with
/// runs of whitespace collapsed), so an implementation is never used for a rule that changed.
struct RuleImpl {
  std::string_view message;
  std::string_view rule;
  bool (*check)(const RuleInput&);  ///< true: passes; throws EvalError
  bool uses_old_self = false;
};

std::span<const RuleImpl> GatewayApiRules();
std::span<const RuleImpl> EnvoyGatewayRules();

// --- CEL operations on JSON ---

/// has(v.key): |v| is an object with |key|.
inline bool Has(const json& v, std::string_view key) {
  return v.is_object() && v.find(key) != v.end();
}

/// v.key: the field, or CEL's "no such key" error.
inline const json& Get(const json& v, std::string_view key) {
  if (v.is_object()) {
    if (auto it = v.find(key); it != v.end())
      return *it;
  }
  throw EvalError("no such key: " + std::string(key));
}

/// v.key as a string ("" for a non-string, which schema validation has already refused).
inline std::string_view Str(const json& v, std::string_view key) {
  const json& field = Get(v, key);
  return field.is_string() ? std::string_view(field.get_ref<const std::string&>())
                           : std::string_view();
}

/// v.a.b.c, reading through has() guards written as a chain in the rule: the innermost field
/// or nullptr when any link is absent.
inline const json* Find(const json& v, std::initializer_list<std::string_view> keys) {
  const json* at = &v;
  for (std::string_view key : keys) {
    if (!Has(*at, key))
      return nullptr;
    at = &*at->find(key);
  }
  return at;
}

/// size(): elements of a list, entries of a map, code points of a string.
inline int64_t Size(const json& v) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    return std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; });
  }
  return static_cast<int64_t>(v.size());
}

/// The elements of a list; an error for anything else.
inline const json& List(const json& v) {
  if (!v.is_array())
    throw EvalError("no such overload");
  return v;
}

/// CEL's all(): false if any element is false, even when others fail to evaluate; otherwise
/// the first error, otherwise true.
template <typename Pred>
bool All(const json& list, Pred pred) {
  std::string error;
  for (const json& e : List(list)) {
    try {
      if (!pred(e))
        return false;
    } catch (const EvalError& err) {
      if (error.empty())
        error = err.what();
    }
  }
  if (!error.empty())
    throw EvalError(error);
  return true;
}

/// CEL's exists(): true if any element is true; otherwise the first error, otherwise false.
template <typename Pred>
bool Exists(const json& list, Pred pred) {
  std::string error;
  for (const json& e : List(list)) {
    try {
      if (pred(e))
        return true;
    } catch (const EvalError& err) {
      if (error.empty())
        error = err.what();
    }
  }
  if (!error.empty())
    throw EvalError(error);
  return false;
}

/// CEL's exists_one(): exactly one element is true; an error stops it.
template <typename Pred>
bool ExistsOne(const json& list, Pred pred) {
  int count = 0;
  for (const json& e : List(list))
    count += pred(e) ? 1 : 0;
  return count == 1;
}

/// filter(pred).size().
template <typename Pred>
int64_t Count(const json& list, Pred pred) {
  int64_t count = 0;
  for (const json& e : List(list))
    count += pred(e) ? 1 : 0;
  return count;
}

/// CEL's ||, which is commutative over errors: true if either side is true, else the first
/// side's error, else false. C++'s || would stop at the first side's error.
template <typename A, typename B>
bool Or(A a, B b) {
  std::string error;
  try {
    if (a())
      return true;
  } catch (const EvalError& err) {
    error = err.what();
  }
  try {
    if (b())
      return true;
  } catch (const EvalError& err) {
    if (error.empty())
      error = err.what();
  }
  if (!error.empty())
    throw EvalError(error);
  return false;
}

/// CEL's &&, commutative over errors: false if any operand is false (even when an earlier one
/// fails to evaluate), else the first error, else true. C++'s && would stop at the first error.
template <typename... Operands>
bool And(Operands... operands) {
  std::string error;
  bool all_true = true;
  auto one = [&](auto& operand) {
    if (!all_true)
      return;
    try {
      all_true = operand();
    } catch (const EvalError& err) {
      if (error.empty())
        error = err.what();
    }
  };
  (one(operands), ...);
  if (!all_true)
    return false;
  if (!error.empty())
    throw EvalError(error);
  return true;
}

/// all() over a map's keys.
template <typename Pred>
bool AllKeys(const json& map, Pred pred) {
  if (!map.is_object())
    throw EvalError("no such overload");
  for (const auto& [key, value] : map.items()) {
    if (!pred(std::string_view(key)))
      return false;
  }
  return true;
}

/// 'x' in list.
inline bool In(const json& list, std::string_view value) {
  for (const json& e : List(list)) {
    if (e.is_string() && e.get_ref<const std::string&>() == value)
      return true;
  }
  return false;
}

/// A string equal to one of |values| (CEL's `s in ['a', 'b']`).
inline bool OneOf(std::string_view s, std::initializer_list<std::string_view> values) {
  return std::find(values.begin(), values.end(), s) != values.end();
}

/// duration(s) in nanoseconds, parsed as Go's time.ParseDuration ("1h30m", "500ms", "1.5s").
/// Throws EvalError on a malformed duration, as CEL's duration() does.
int64_t Duration(std::string_view s);

/// s.matches(pattern): RE2's unanchored search, through the schema engine's pattern cache.
bool Matches(std::string_view s, const std::string& pattern);

/// The recurring rule shape `self.type == 'T' ? has(self.f) : !has(self.f)`: |field| is set
/// exactly when type is |type|.
inline bool FieldIffType(const json& self, std::string_view type, std::string_view field) {
  return (Str(self, "type") == type) == Has(self, field);
}

/// A string literal usable as a template argument, so rules of one shape share a body.
template <size_t N>
struct Lit {
  constexpr Lit(const char (&s)[N]) { std::copy_n(s, N, text); }  // NOLINT: implicit by design
  constexpr std::string_view view() const { return std::string_view(text, N - 1); }
  char text[N];
};

// --- Rule shapes that recur across the CRDs, each named after the CEL it implements ---

/// self.type == '<type>' ? has(self.<field>) : true
template <Lit type, Lit field>
bool TypeNeedsField(const RuleInput& in) {
  return Str(in.self, "type") == type.view() ? Has(in.self, field.view()) : true;
}

/// has(self.<field>) ? self.type == '<type>' : true
template <Lit field, Lit type>
bool FieldNeedsType(const RuleInput& in) {
  return Has(in.self, field.view()) ? Str(in.self, "type") == type.view() : true;
}

/// self.type == '<type>' ? has(self.<field>) : !has(self.<field>)
template <Lit type, Lit field>
bool FieldIff(const RuleInput& in) {
  return FieldIffType(in.self, type.view(), field.view());
}

/// self.type == '<type>' ? !has(self.<field>) : true
template <Lit type, Lit field>
bool TypeForbidsField(const RuleInput& in) {
  return Str(in.self, "type") == type.view() ? !Has(in.self, field.view()) : true;
}

/// !(has(self.<a>) && has(self.<b>)), and its spellings !has(a) || !has(b) and
/// ((has(a) && !has(b)) || (!has(a) && has(b))) || (!has(a) && !has(b)).
template <Lit a, Lit b>
bool NotBoth(const RuleInput& in) {
  return !(Has(in.self, a.view()) && Has(in.self, b.view()));
}

/// has(self.<a>) || has(self.<b>) || ...
template <Lit... fields>
bool AnyHas(const RuleInput& in) {
  return (Has(in.self, fields.view()) || ...);
}

/// Exactly one of the fields is set: (has(a) && !has(b)) || (!has(a) && has(b)), or
/// (has(a) ? 1 : 0) + (has(b) ? 1 : 0) + ... == 1.
template <Lit... fields>
bool ExactlyOneHas(const RuleInput& in) {
  return ((Has(in.self, fields.view()) ? 1 : 0) + ...) == 1;
}

/// !has(self.<field>)
template <Lit field>
bool NotHas(const RuleInput& in) {
  return !Has(in.self, field.view());
}

/// !has(self.<a>) || has(self.<b>)
template <Lit a, Lit b>
bool Implies(const RuleInput& in) {
  return !Has(in.self, a.view()) || Has(in.self, b.view());
}

}  // namespace starform::devcluster::cel
