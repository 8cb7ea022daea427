#include "devcluster/ssa_fieldpath.h"

#include "kube/schema_causes.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace starform::devcluster::smd {

using nlohmann::json;

// --- Values: ordering, equality, Go's printing ---

namespace {

int Sign(int64_t a, int64_t b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}
int SignF(double a, double b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

bool IsGoInt(const json& v) {
  return v.is_number_integer();
}  // signed or unsigned
int64_t GoInt(const json& v) {
  return v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>();
}

// Appends |value| in the shortest form that reads back exactly, in |format|.
void AppendShortest(double value, std::chars_format format, std::string* out) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, format);
  (void)ec;
  out->append(buf, end);
}

// Go writes exponents with at least two digits ("1e+06") and JSON drops the leading zero of a
// negative one ("1e-7"); std::to_chars writes "1e+06" and "1e-07".
std::string GoExponentForm(double value, bool json_style) {
  std::string out;
  AppendShortest(value, std::chars_format::scientific, &out);
  if (json_style) {
    size_t n = out.size();
    if (n >= 4 && out[n - 4] == 'e' && out[n - 3] == '-' && out[n - 2] == '0') {
      out.erase(n - 2, 1);
    }
  }
  return out;
}

// fmt's %v for a float64 (strconv 'g', shortest): %e when the exponent is < -4 or >= 6.
std::string GoFloatV(double value) {
  if (value == 0)
    return std::signbit(value) ? "-0" : "0";
  int exponent = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  std::string fixed;
  AppendShortest(value, std::chars_format::fixed, &fixed);
  std::string sci = GoExponentForm(value, false);
  // log10 can be off by one near powers of ten; the scientific form knows the exponent.
  if (size_t e = sci.find('e'); e != std::string::npos)
    exponent = std::stoi(sci.substr(e + 1));
  if (exponent < -4 || exponent >= 6)
    return sci;
  return fixed;
}

// encoding/json's float64: 'f' unless the magnitude is < 1e-6 or >= 1e21.
std::string GoJsonFloat(double value) {
  double magnitude = std::fabs(value);
  if (magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21)) {
    return GoExponentForm(value, true);
  }
  std::string out;
  AppendShortest(value, std::chars_format::fixed, &out);
  return out;
}

// Decodes one UTF-8 rune at |*i|; returns -1 (and advances one byte) for invalid bytes.
int32_t NextRune(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || *i + len > s.size()) {
    ++*i;
    return -1;
  }
  int32_t r = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[*i + k]);
    if ((cc >> 6) != 2) {
      ++*i;
      return -1;
    }
    r = (r << 6) | (cc & 0x3f);
  }
  static constexpr int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (r < kMin[len] || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) {
    ++*i;
    return -1;
  }
  *i += len;
  return r;
}

void AppendHex(uint32_t value, int digits, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    out->push_back(kHex[(value >> shift) & 0xf]);
}

}  // namespace

int CompareValues(const json& a, const json& b) {
  if (a.is_number_float()) {
    if (b.is_number_float())
      return SignF(a.get<double>(), b.get<double>());
    if (IsGoInt(b))
      return SignF(a.get<double>(), static_cast<double>(GoInt(b)));
    return -1;
  }
  if (b.is_number_float()) {
    if (IsGoInt(a))
      return SignF(static_cast<double>(GoInt(a)), b.get<double>());
    return 1;
  }
  if (IsGoInt(a))
    return IsGoInt(b) ? Sign(GoInt(a), GoInt(b)) : -1;
  if (IsGoInt(b))
    return 1;
  if (a.is_string()) {
    if (!b.is_string())
      return -1;
    int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (b.is_string())
    return 1;
  if (a.is_boolean())
    return b.is_boolean() ? Sign(a.get<bool>(), b.get<bool>()) : -1;
  if (b.is_boolean())
    return 1;
  if (a.is_array()) {
    if (!b.is_array())
      return -1;
    for (size_t i = 0;; ++i) {
      if (i >= a.size() && i >= b.size())
        return 0;
      if (i >= a.size())
        return -1;
      if (i >= b.size())
        return 1;
      if (int c = CompareValues(a[i], b[i]); c != 0)
        return c;
    }
  }
  if (b.is_array())
    return 1;
  if (a.is_object()) {
    if (!b.is_object())
      return -1;
    // Lexical over the sorted keys, as value.MapCompare zips them.
    auto ia = a.begin(), ib = b.begin();
    for (; ia != a.end() && ib != b.end(); ++ia, ++ib) {
      if (ia.key() != ib.key())
        return ia.key() < ib.key() ? 1 : -1;
      if (int c = CompareValues(ia.value(), ib.value()); c != 0)
        return c;
    }
    return ia == a.end() ? (ib == b.end() ? 0 : -1) : 1;
  }
  if (b.is_object())
    return 1;
  if (a.is_null())
    return b.is_null() ? 0 : -1;
  return b.is_null() ? 1 : 0;
}

bool EqualValues(const json& a, const json& b) {
  // nlohmann compares integers and floats numerically, as value.Equals does.
  return a == b;
}

// strconv.Quote is the schema engine's too: one implementation of Go's quoting.
std::string GoQuote(std::string_view text) {
  return kube::GoQuote(text);
}

std::string GoValueString(const json& value) {
  if (value.is_null())
    return "null";
  if (value.is_number_float())
    return GoFloatV(value.get<double>());
  if (IsGoInt(value))
    return std::to_string(GoInt(value));
  if (value.is_string())
    return GoQuote(value.get_ref<const std::string&>());
  if (value.is_boolean())
    return value.get<bool>() ? "true" : "false";
  std::string out;
  if (value.is_array()) {
    out = "[";
    for (size_t i = 0; i < value.size(); ++i) {
      if (i > 0)
        out += ',';
      out += GoValueString(value[i]);
    }
    return out + "]";
  }
  for (const auto& [key, item] : value.items())
    out += key + "=" + GoValueString(item);
  return out;
}

std::string GoJsonString(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    size_t start = i;
    int32_t r = NextRune(text, &i);
    if (r < 0) {
      out += "\\ufffd";
      continue;
    }
    switch (r) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '<':
      case '>':
      case '&':
      case 0x2028:
      case 0x2029:
        out += "\\u";
        AppendHex(static_cast<uint32_t>(r), 4, &out);
        continue;
      default:
        break;
    }
    if (r < 0x20) {
      out += "\\u";
      AppendHex(static_cast<uint32_t>(r), 4, &out);
    } else {
      out.append(text.substr(start, i - start));
    }
  }
  out += '"';
  return out;
}

std::string GoJson(const json& value) {
  if (value.is_null())
    return "null";
  if (value.is_boolean())
    return value.get<bool>() ? "true" : "false";
  if (IsGoInt(value)) {
    return value.is_number_unsigned() ? std::to_string(value.get<uint64_t>())
                                      : std::to_string(value.get<int64_t>());
  }
  if (value.is_number_float())
    return GoJsonFloat(value.get<double>());
  if (value.is_string())
    return GoJsonString(value.get_ref<const std::string&>());
  std::string out;
  if (value.is_array()) {
    out = "[";
    for (size_t i = 0; i < value.size(); ++i) {
      if (i > 0)
        out += ',';
      out += GoJson(value[i]);
    }
    return out + "]";
  }
  out = "{";
  bool first = true;
  for (const auto& [key, item] : value.items()) {  // nlohmann keeps keys sorted, as Go writes maps
    if (!first)
      out += ',';
    first = false;
    out += GoJsonString(key) + ":" + GoJson(item);
  }
  return out + "}";
}

// --- PathElement ---

PathElement PathElement::Field(std::string name) {
  PathElement pe;
  pe.kind = Kind::kField;
  pe.field = std::move(name);
  return pe;
}

PathElement PathElement::KeyOf(Key key) {
  std::sort(key.begin(), key.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  PathElement pe;
  pe.kind = Kind::kKey;
  pe.key = std::move(key);
  return pe;
}

PathElement PathElement::Value(json value) {
  PathElement pe;
  pe.kind = Kind::kValue;
  pe.value = std::move(value);
  return pe;
}

PathElement PathElement::Index(int64_t index) {
  PathElement pe;
  pe.kind = Kind::kIndex;
  pe.index = index;
  return pe;
}

int PathElement::Compare(const PathElement& other) const {
  if (kind != other.kind)
    return kind < other.kind ? -1 : 1;
  switch (kind) {
    case Kind::kField: {
      int c = field.compare(other.field);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Kind::kKey:
      // FieldList.Compare: lexical over (name, value) pairs, the shorter list first.
      for (size_t i = 0;; ++i) {
        if (i >= key.size() && i >= other.key.size())
          return 0;
        if (i >= key.size())
          return -1;
        if (i >= other.key.size())
          return 1;
        if (int c = key[i].first.compare(other.key[i].first); c != 0)
          return c < 0 ? -1 : 1;
        if (int c = CompareValues(key[i].second, other.key[i].second); c != 0)
          return c;
      }
    case Kind::kValue:
      return CompareValues(value, other.value);
    case Kind::kIndex:
      return Sign(index, other.index);
  }
  return 0;
}

std::string PathElement::String() const {
  switch (kind) {
    case Kind::kField:
      return "." + field;
    case Kind::kKey: {
      std::string out = "[";
      for (size_t i = 0; i < key.size(); ++i) {
        if (i > 0)
          out += ',';
        out += key[i].first + "=" + GoValueString(key[i].second);
      }
      return out + "]";
    }
    case Kind::kValue:
      return "[=" + GoValueString(value) + "]";
    case Kind::kIndex:
      return "[" + std::to_string(index) + "]";
  }
  return "{{invalid path element}}";
}

std::string PathElement::Serialize() const {
  switch (kind) {
    case Kind::kField:
      return "f:" + field;  // written raw, unescaped
    case Kind::kKey: {
      std::string out = "k:{";
      for (size_t i = 0; i < key.size(); ++i) {
        if (i > 0)
          out += ',';
        out += GoJsonString(key[i].first) + ":" + GoJson(key[i].second);
      }
      return out + "}";
    }
    case Kind::kValue:
      return "v:" + GoJson(value);
    case Kind::kIndex:
      return "i:" + std::to_string(index);
  }
  return "";
}

bool PathElement::Deserialize(std::string_view text, PathElement* out, bool* unknown,
                              std::string* error) {
  *unknown = false;
  if (text.size() < 2) {
    *error = "key must be 2 characters long:";
    return false;
  }
  if (text[1] != ':') {
    *error = "missing colon: " + std::string(text);
    return false;
  }
  std::string_view body = text.substr(2);
  switch (text[0]) {
    case 'f':
      *out = Field(std::string(body));
      return true;
    case 'v': {
      json value = json::parse(body.begin(), body.end(), nullptr, false);
      if (value.is_discarded()) {
        *error = "invalid value in " + std::string(text);
        return false;
      }
      *out = Value(std::move(value));
      return true;
    }
    case 'k': {
      json object = json::parse(body.begin(), body.end(), nullptr, false);
      if (!object.is_object()) {
        *error = "invalid key in " + std::string(text);
        return false;
      }
      Key key;
      key.reserve(object.size());
      for (auto& [name, value] : object.items())
        key.emplace_back(name, value);
      *out = KeyOf(std::move(key));
      return true;
    }
    case 'i': {
      int64_t index = 0;
      auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), index);
      if (ec != std::errc() || end != body.data() + body.size() || body.empty()) {
        *error = "strconv.Atoi: parsing " + GoQuote(body) + ": invalid syntax";
        return false;
      }
      *out = Index(index);
      return true;
    }
    default:
      *unknown = true;
      return false;
  }
}

std::string PathString(const Path& path) {
  std::string out;
  for (const PathElement& pe : path)
    out += pe.String();
  return out;
}

// --- FieldSet ---

FieldSet::FieldSet() = default;
FieldSet::~FieldSet() = default;
FieldSet::FieldSet(const FieldSet&) = default;
FieldSet::FieldSet(FieldSet&&) noexcept = default;
FieldSet& FieldSet::operator=(const FieldSet&) = default;
FieldSet& FieldSet::operator=(FieldSet&&) noexcept = default;

namespace {

template <typename T, typename Key>
auto LowerBound(std::vector<T>& items, const Key& element) {
  return std::lower_bound(items.begin(), items.end(), element,
                          [](const T& item, const PathElement& pe) {
                            if constexpr (std::is_same_v<T, PathElement>) {
                              return item.Compare(pe) < 0;
                            } else {
                              return item.element.Compare(pe) < 0;
                            }
                          });
}

template <typename T>
auto LowerBoundConst(const std::vector<T>& items, const PathElement& element) {
  return std::lower_bound(items.begin(), items.end(), element,
                          [](const T& item, const PathElement& pe) {
                            if constexpr (std::is_same_v<T, PathElement>) {
                              return item.Compare(pe) < 0;
                            } else {
                              return item.element.Compare(pe) < 0;
                            }
                          });
}

}  // namespace

FieldSet* FieldSet::Descend(const PathElement& element) {
  // Walkers add children in order, so check the end first.
  if (children_.empty() || children_.back().element.Compare(element) < 0) {
    children_.push_back(FieldSetNode{element, FieldSet()});
    return &children_.back().set;
  }
  auto it = LowerBound(children_, element);
  if (it != children_.end() && it->element.Compare(element) == 0)
    return &it->set;
  it = children_.insert(it, FieldSetNode{element, FieldSet()});
  return &it->set;
}

void FieldSet::InsertMember(PathElement element) {
  if (members_.empty() || members_.back().Compare(element) < 0) {
    members_.push_back(std::move(element));
    return;
  }
  auto it = LowerBound(members_, element);
  if (it != members_.end() && it->Compare(element) == 0)
    return;
  members_.insert(it, std::move(element));
}

void FieldSet::Insert(const Path& path) {
  if (path.empty())
    return;
  FieldSet* node = this;
  for (size_t i = 0; i + 1 < path.size(); ++i)
    node = node->Descend(path[i]);
  node->InsertMember(path.back());
}

void FieldSet::AddChild(PathElement element, FieldSet set) {
  if (set.Empty())
    return;
  FieldSet* child = Descend(element);
  if (child->Empty()) {
    *child = std::move(set);
  } else {
    *child = child->Union(set);
  }
}

bool FieldSet::HasMember(const PathElement& element) const {
  auto it = LowerBoundConst(members_, element);
  return it != members_.end() && it->Compare(element) == 0;
}

const FieldSet* FieldSet::Child(const PathElement& element) const {
  auto it = LowerBoundConst(children_, element);
  if (it != children_.end() && it->element.Compare(element) == 0)
    return &it->set;
  return nullptr;
}

bool FieldSet::Has(const Path& path) const {
  if (path.empty())
    return false;
  const FieldSet* node = this;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    node = node->Child(path[i]);
    if (!node)
      return false;
  }
  return node->HasMember(path.back());
}

bool FieldSet::Empty() const {
  if (!members_.empty())
    return false;
  for (const FieldSetNode& child : children_) {
    if (!child.set.Empty())
      return false;
  }
  return true;
}

size_t FieldSet::Size() const {
  size_t n = members_.size();
  for (const FieldSetNode& child : children_)
    n += child.set.Size();
  return n;
}

namespace {

// Merges two sorted element lists; |keep| decides from (in a, in b) whether an element stays.
std::vector<PathElement> MergeMembers(const std::vector<PathElement>& a,
                                      const std::vector<PathElement>& b, bool keep_a_only,
                                      bool keep_b_only, bool keep_both) {
  std::vector<PathElement> out;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    int c = i >= a.size() ? 1 : (j >= b.size() ? -1 : a[i].Compare(b[j]));
    if (c < 0) {
      if (keep_a_only)
        out.push_back(a[i]);
      ++i;
    } else if (c > 0) {
      if (keep_b_only)
        out.push_back(b[j]);
      ++j;
    } else {
      if (keep_both)
        out.push_back(a[i]);
      ++i;
      ++j;
    }
  }
  return out;
}

}  // namespace

FieldSet FieldSet::Union(const FieldSet& other) const {
  FieldSet out;
  out.members_ = MergeMembers(members_, other.members_, true, true, true);
  size_t i = 0, j = 0;
  const auto& a = children_;
  const auto& b = other.children_;
  while (i < a.size() || j < b.size()) {
    int c = i >= a.size() ? 1 : (j >= b.size() ? -1 : a[i].element.Compare(b[j].element));
    if (c < 0) {
      out.children_.push_back(a[i++]);
    } else if (c > 0) {
      out.children_.push_back(b[j++]);
    } else {
      out.children_.push_back(FieldSetNode{a[i].element, a[i].set.Union(b[j].set)});
      ++i;
      ++j;
    }
  }
  return out;
}

FieldSet FieldSet::Intersection(const FieldSet& other) const {
  FieldSet out;
  out.members_ = MergeMembers(members_, other.members_, false, false, true);
  size_t i = 0, j = 0;
  const auto& a = children_;
  const auto& b = other.children_;
  while (i < a.size() && j < b.size()) {
    int c = a[i].element.Compare(b[j].element);
    if (c < 0) {
      ++i;
    } else if (c > 0) {
      ++j;
    } else {
      FieldSet both = a[i].set.Intersection(b[j].set);
      if (!both.Empty())
        out.children_.push_back(FieldSetNode{a[i].element, std::move(both)});
      ++i;
      ++j;
    }
  }
  return out;
}

FieldSet FieldSet::Difference(const FieldSet& other) const {
  FieldSet out;
  out.members_ = MergeMembers(members_, other.members_, true, false, false);
  for (const FieldSetNode& child : children_) {
    const FieldSet* theirs = other.Child(child.element);
    if (!theirs) {
      out.children_.push_back(child);
      continue;
    }
    FieldSet rest = child.set.Difference(*theirs);
    if (!rest.Empty())
      out.children_.push_back(FieldSetNode{child.element, std::move(rest)});
  }
  return out;
}

FieldSet FieldSet::RecursiveDifference(const FieldSet& other) const {
  FieldSet out;
  out.members_ = MergeMembers(members_, other.members_, true, false, false);
  for (const FieldSetNode& child : children_) {
    if (other.HasMember(child.element))
      continue;
    const FieldSet* theirs = other.Child(child.element);
    if (!theirs) {
      out.children_.push_back(child);
      continue;
    }
    FieldSet rest = child.set.RecursiveDifference(*theirs);
    if (!rest.Empty())
      out.children_.push_back(FieldSetNode{child.element, std::move(rest)});
  }
  return out;
}

bool FieldSet::operator==(const FieldSet& other) const {
  if (members_.size() != other.members_.size() || children_.size() != other.children_.size()) {
    return false;
  }
  for (size_t i = 0; i < members_.size(); ++i) {
    if (members_[i].Compare(other.members_[i]) != 0)
      return false;
  }
  for (size_t i = 0; i < children_.size(); ++i) {
    if (children_[i].element.Compare(other.children_[i].element) != 0)
      return false;
    if (!(children_[i].set == other.children_[i].set))
      return false;
  }
  return true;
}

void FieldSet::IteratePrefix(Path* prefix, const std::function<void(const Path&)>& visit) const {
  for (const PathElement& member : members_) {
    prefix->push_back(member);
    visit(*prefix);
    prefix->pop_back();
  }
  for (const FieldSetNode& child : children_) {
    prefix->push_back(child.element);
    child.set.IteratePrefix(prefix, visit);
    prefix->pop_back();
  }
}

void FieldSet::Iterate(const std::function<void(const Path&)>& visit) const {
  Path prefix;
  IteratePrefix(&prefix, visit);
}

std::vector<Path> FieldSet::Paths() const {
  std::vector<Path> out;
  Iterate([&](const Path& p) { out.push_back(p); });
  return out;
}

// --- fieldsV1 ---

namespace {

json EmitJson(const FieldSet& set, bool include_self) {
  json out = json::object();
  if (include_self && !(set.members().empty() && set.children().empty())) {
    out["."] = json::object();
  }
  for (const PathElement& member : set.members())
    out[member.Serialize()] = json::object();
  for (const FieldSetNode& child : set.children()) {
    out[child.element.Serialize()] = EmitJson(child.set, set.HasMember(child.element));
  }
  return out;
}

bool ReadV1(const json& fields, FieldSet* children, bool* is_member, std::string* error) {
  if (!fields.is_object()) {
    *error = "expected an object, got " + fields.dump();
    return false;
  }
  for (const auto& [key, value] : fields.items()) {
    if (key == ".") {
      *is_member = true;
      continue;
    }
    PathElement pe;
    bool unknown = false;
    std::string pe_error;
    if (!PathElement::Deserialize(key, &pe, &unknown, &pe_error)) {
      if (unknown)
        continue;  // a future element type: dropped, as the library does
      *error = "parsing key as path element: " + pe_error;
      return false;
    }
    FieldSet grandchildren;
    bool child_is_member = false;
    if (!ReadV1(value, &grandchildren, &child_is_member, error))
      return false;
    if (child_is_member)
      children->InsertMember(pe);
    if (!grandchildren.Empty())
      children->AddChild(std::move(pe), std::move(grandchildren));
  }
  // An empty object ({}) marks a leaf member; so does one holding only ".".
  if (children->Empty())
    *is_member = true;
  return true;
}

}  // namespace

json FieldSet::ToFieldsV1() const {
  return EmitJson(*this, false);
}

void FieldSet::EmitV1(bool include_self, std::string* out) const {
  bool first = true;
  auto pre = [&] {
    if (!first)
      out->push_back(',');
    first = false;
  };
  if (include_self && !(members_.empty() && children_.empty())) {
    pre();
    *out += "\".\":{}";
  }
  size_t mi = 0, ci = 0;
  while (mi < members_.size() || ci < children_.size()) {
    int c = mi >= members_.size()    ? 1
            : ci >= children_.size() ? -1
                                     : members_[mi].Compare(children_[ci].element);
    pre();
    if (c < 0) {
      *out += GoJsonString(members_[mi].Serialize()) + ":{}";
      ++mi;
    } else {
      *out += GoJsonString(children_[ci].element.Serialize()) + ":{";
      children_[ci].set.EmitV1(c == 0, out);
      *out += "}";
      if (c == 0)
        ++mi;
      ++ci;
    }
  }
}

std::string FieldSet::ToFieldsV1Text() const {
  std::string out = "{";
  EmitV1(false, &out);
  return out + "}";
}

bool FieldSet::FromFieldsV1(const json& fields, FieldSet* out, std::string* error) {
  *out = FieldSet();
  bool is_member = false;
  return ReadV1(fields, out, &is_member, error);
}

}  // namespace starform::devcluster::smd
