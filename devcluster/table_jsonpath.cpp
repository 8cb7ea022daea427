// The subset of client-go's JSONPath that CRD printer columns use ("simple JSON path, with
// array notation"): fields, ['quoted'] fields, [N], [*] and [?(@.path OP literal)] filters,
// evaluated with missing keys allowed.

#include <cctype>
#include <string>

#include "devcluster/table.h"

namespace starform::devcluster {

using nlohmann::json;

namespace {

using Values = std::vector<const json*>;

class Evaluator {
 public:
  explicit Evaluator(std::string_view path) : path_(path) {}

  // Applies the steps from the current position to the end (or to |stop|) to |in|.
  bool Run(Values in, Values* out, char stop = '\0') {
    while (pos_ < path_.size() && path_[pos_] != stop) {
      if (path_[pos_] == '.') {
        ++pos_;
        if (pos_ < path_.size() && path_[pos_] == '.')
          return false;  // recursive descent: not a simple path
        std::string field = Identifier();
        if (field.empty())
          return false;
        in = Field(in, field);
      } else if (path_[pos_] == '[') {
        ++pos_;
        if (!Bracket(&in))
          return false;
      } else {
        return false;
      }
    }
    *out = std::move(in);
    return true;
  }

 private:
  std::string Identifier() {
    std::string name;
    while (pos_ < path_.size() && path_[pos_] != '.' && path_[pos_] != '[' && path_[pos_] != '=' &&
           path_[pos_] != '!' && path_[pos_] != ')' && path_[pos_] != ' ') {
      if (path_[pos_] == '\\' && pos_ + 1 < path_.size())
        ++pos_;
      name += path_[pos_++];
    }
    return name;
  }

  static Values Field(const Values& in, const std::string& name) {
    Values out;
    for (const json* v : in) {
      if (!v->is_object())
        continue;
      auto it = v->find(name);
      if (it != v->end())
        out.push_back(&*it);
    }
    return out;
  }

  bool Literal(json* value) {
    if (pos_ >= path_.size())
      return false;
    char quote = path_[pos_];
    if (quote == '"' || quote == '\'') {
      size_t end = path_.find(quote, pos_ + 1);
      if (end == std::string_view::npos)
        return false;
      *value = std::string(path_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
      return true;
    }
    size_t start = pos_;
    while (pos_ < path_.size() && path_[pos_] != ')' && path_[pos_] != ' ')
      ++pos_;
    *value = json::parse(path_.substr(start, pos_ - start), nullptr, false);
    return !value->is_discarded();
  }

  void SkipSpaces() {
    while (pos_ < path_.size() && path_[pos_] == ' ')
      ++pos_;
  }

  // [?(@.path OP literal)]; |pos_| is after "[?(".
  bool Filter(Values* in) {
    if (pos_ >= path_.size() || path_[pos_] != '@')
      return false;
    size_t op = path_.find_first_of("=!", ++pos_);
    if (op == std::string_view::npos)
      return false;
    std::string_view sub = path_.substr(pos_, op - pos_);
    while (!sub.empty() && sub.back() == ' ')
      sub.remove_suffix(1);
    pos_ = op;
    if (path_.substr(pos_, 2) != "==" && path_.substr(pos_, 2) != "!=")
      return false;
    bool equal = path_[pos_] == '=';
    pos_ += 2;
    SkipSpaces();
    json literal;
    if (!Literal(&literal))
      return false;
    SkipSpaces();
    if (path_.substr(pos_, 2) != ")]")
      return false;
    pos_ += 2;
    Values out;
    for (const json* v : *in) {
      if (!v->is_array())
        continue;
      for (const json& element : *v) {
        Values found;
        Evaluator sub_path(sub);
        if (!sub_path.Run({&element}, &found))
          return false;
        if (!found.empty() && ((*found[0] == literal) == equal))
          out.push_back(&element);
      }
    }
    *in = std::move(out);
    return true;
  }

  // After "[": an index, *, a quoted field or a filter, up to "]".
  bool Bracket(Values* in) {
    if (path_.substr(pos_, 2) == "?(") {
      pos_ += 2;
      return Filter(in);
    }
    size_t end = path_.find(']', pos_);
    if (end == std::string_view::npos)
      return false;
    std::string_view inner = path_.substr(pos_, end - pos_);
    pos_ = end + 1;
    Values out;
    if (inner == "*") {
      for (const json* v : *in) {
        if (v->is_array() || v->is_object()) {
          for (const json& element : *v)
            out.push_back(&element);
        }
      }
    } else if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"') &&
               inner.back() == inner.front()) {
      out = Field(*in, std::string(inner.substr(1, inner.size() - 2)));
    } else {
      if (inner.empty())
        return false;
      long long index = 0;
      bool negative = inner.front() == '-';
      for (char c : inner.substr(negative ? 1 : 0)) {
        if (!std::isdigit(static_cast<unsigned char>(c)))
          return false;
        index = index * 10 + (c - '0');
      }
      for (const json* v : *in) {
        if (!v->is_array())
          continue;
        long long i = negative ? static_cast<long long>(v->size()) - index : index;
        if (i >= 0 && i < static_cast<long long>(v->size()))
          out.push_back(&(*v)[static_cast<size_t>(i)]);
      }
    }
    *in = std::move(out);
    return true;
  }

  std::string_view path_;
  size_t pos_ = 0;
};

}  // namespace

bool EvaluateJsonPath(std::string_view path, const json& object, Values* results) {
  // The column's path is used as "{PATH}"; braces written around it are accepted too.
  if (path.size() >= 2 && path.front() == '{' && path.back() == '}')
    path = path.substr(1, path.size() - 2);
  if (path.empty() || (path.front() != '.' && path.front() != '['))
    return false;
  Evaluator evaluator(path);
  return evaluator.Run({&object}, results);
}

}  // namespace starform::devcluster
