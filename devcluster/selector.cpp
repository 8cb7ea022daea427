#include "devcluster/selector.h"

#include <algorithm>
#include <cctype>

namespace starform::devcluster {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n';
}

// A small lexer over the selector grammar of apimachinery's labels parser.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  void SkipSpace() {
    while (i_ < s_.size() && IsSpace(s_[i_]))
      ++i_;
  }
  bool AtEnd() {
    SkipSpace();
    return i_ >= s_.size();
  }
  char Peek() {
    SkipSpace();
    return i_ < s_.size() ? s_[i_] : '\0';
  }
  bool Consume(std::string_view token) {
    SkipSpace();
    if (s_.substr(i_, token.size()) == token) {
      i_ += token.size();
      return true;
    }
    return false;
  }
  /// An identifier: a label key or value (anything up to a delimiter).
  std::string Word() {
    SkipSpace();
    size_t start = i_;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (IsSpace(c) || c == ',' || c == '=' || c == '!' || c == '(' || c == ')')
        break;
      ++i_;
    }
    return std::string(s_.substr(start, i_ - start));
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

bool ValidLabelValue(std::string_view v) {
  if (v.size() > 63)
    return false;
  if (v.empty())
    return true;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(v.front()) || !alnum(v.back()))
    return false;
  return std::all_of(v.begin(), v.end(),
                     [&](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

}  // namespace

bool LabelSelector::Parse(std::string_view text, std::string* error) {
  requirements_.clear();
  Lexer lex(text);
  if (lex.AtEnd())
    return true;
  while (true) {
    Requirement r;
    bool negated = lex.Consume("!");
    r.key = lex.Word();
    if (r.key.empty()) {
      *error = "unable to parse requirement: found '" + std::string(1, lex.Peek()) +
               "', expected: identifier";
      return false;
    }
    if (negated) {
      r.op = Op::kDoesNotExist;
    } else if (lex.Consume("==") || lex.Consume("=")) {
      r.op = Op::kEquals;
    } else if (lex.Consume("!=")) {
      r.op = Op::kNotEquals;
    } else if (lex.AtEnd() || lex.Peek() == ',') {
      r.op = Op::kExists;
    } else {
      std::string word = lex.Word();
      if (word != "in" && word != "notin") {
        *error = "unable to parse requirement: found '" + word +
                 "', expected: in, notin, =, ==, !=, gt, lt";
        return false;
      }
      r.op = word == "in" ? Op::kIn : Op::kNotIn;
      if (!lex.Consume("(")) {
        *error = "unable to parse requirement: found '" + std::string(1, lex.Peek()) +
                 "', expected: '('";
        return false;
      }
      while (true) {
        r.values.push_back(lex.Word());
        if (lex.Consume(")"))
          break;
        if (!lex.Consume(",")) {
          *error = "unable to parse requirement: found '" + std::string(1, lex.Peek()) +
                   "', expected: ',' or ')'";
          return false;
        }
      }
    }
    if (r.op == Op::kEquals || r.op == Op::kNotEquals)
      r.values.push_back(lex.Word());
    for (const std::string& v : r.values) {
      if (!ValidLabelValue(v)) {
        *error = "values[0][" + r.key + "]: Invalid value: \"" + v +
                 "\": a valid label must be an empty string or consist of alphanumeric "
                 "characters, '-', '_' or '.', and must start and end with an alphanumeric "
                 "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
                 "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
        return false;
      }
    }
    requirements_.push_back(std::move(r));
    if (lex.AtEnd())
      return true;
    if (!lex.Consume(",")) {
      *error = "found '" + std::string(1, lex.Peek()) + "', expected: ',' or 'end of string'";
      return false;
    }
  }
}

bool LabelSelector::Matches(const nlohmann::json& labels) const {
  for (const Requirement& r : requirements_) {
    const std::string* value = nullptr;
    if (labels.is_object()) {
      auto it = labels.find(r.key);
      if (it != labels.end() && it->is_string())
        value = it->get_ptr<const std::string*>();
    }
    auto in_values = [&] {
      return value != nullptr &&
             std::find(r.values.begin(), r.values.end(), *value) != r.values.end();
    };
    switch (r.op) {
      case Op::kEquals:
      case Op::kIn:
        if (!in_values())
          return false;
        break;
      case Op::kNotEquals:
      case Op::kNotIn:
        // As apimachinery: a missing label satisfies != and notin.
        if (in_values())
          return false;
        break;
      case Op::kExists:
        if (value == nullptr)
          return false;
        break;
      case Op::kDoesNotExist:
        if (value != nullptr)
          return false;
        break;
    }
  }
  return true;
}

bool FieldSelector::Parse(std::string_view text, const std::vector<std::string>& supported,
                          std::string* error) {
  terms_.clear();
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view part = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    start = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    if (part.empty())
      continue;
    Term t;
    size_t op = part.find("!=");
    size_t len = 2;
    t.equals = false;
    if (op == std::string_view::npos) {
      t.equals = true;
      op = part.find("==");
      if (op == std::string_view::npos) {
        op = part.find('=');
        len = 1;
      }
    }
    if (op == std::string_view::npos) {
      *error = "invalid selector: '" + std::string(text) + "'; can't understand '" +
               std::string(part) + "'";
      return false;
    }
    t.field = std::string(part.substr(0, op));
    t.value = std::string(part.substr(op + len));
    if (std::find(supported.begin(), supported.end(), t.field) == supported.end()) {
      *error = "field label not supported: " + t.field;
      return false;
    }
    terms_.push_back(std::move(t));
  }
  return true;
}

bool FieldSelector::Matches(const nlohmann::json& object) const {
  for (const Term& t : terms_) {
    if ((FieldValue(object, t.field) == t.value) != t.equals)
      return false;
  }
  return true;
}

std::string FieldSelector::RequiredName() const {
  for (const Term& t : terms_) {
    if (t.equals && t.field == "metadata.name")
      return t.value;
  }
  return "";
}

std::string FieldValue(const nlohmann::json& object, std::string_view path) {
  const nlohmann::json* node = &object;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string key(
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (!node->is_object())
      return "";
    auto it = node->find(key);
    if (it == node->end())
      return "";
    node = &*it;
    if (dot == std::string_view::npos)
      break;
    start = dot + 1;
  }
  if (node->is_string())
    return node->get<std::string>();
  if (node->is_null())
    return "";
  return node->dump();
}

}  // namespace starform::devcluster
