// The generic, contract-independent part of decoding: paths, strict scalar reads, and the
// checks on the keys of a mapping (see decode_internal.h for the messages).

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <string>

#include "plan/decode_internal.h"

namespace starform::decode_internal {

namespace {

// A JSON string literal: map keys in paths may hold any character.
void AppendQuoted(std::string_view text, std::string* out) {
  out->push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out->append(buffer);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

// What a typo keeps: case, '_' and '-' do not matter ("class_name" is "className").
std::string Normalize(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '_' || c == '-')
      continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

// Edit distance counting a swap of two neighbours as one edit ("weigth" -> "weight").
size_t Distance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous2(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], previous2[j - 2] + 1);
      }
    }
    std::swap(previous2, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

bool IsIntegerText(std::string_view text) {
  if (!text.empty() && (text[0] == '-' || text[0] == '+'))
    text.remove_prefix(1);
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string Quoted(std::string_view text) {
  std::string out;
  AppendQuoted(text, &out);
  return out;
}

// --- Path ---------------------------------------------------------------------------------------

void Path::AppendTo(std::string* out) const {
  if (parent_ != nullptr)
    parent_->AppendTo(out);
  switch (kind_) {
    case Kind::kRoot:
      break;
    case Kind::kField:
      if (!out->empty())
        out->push_back('.');
      out->append(name_);
      break;
    case Kind::kIndex:
      out->push_back('[');
      out->append(std::to_string(index_));
      out->push_back(']');
      break;
    case Kind::kKey:
      out->push_back('[');
      AppendQuoted(name_, out);
      out->push_back(']');
      break;
  }
}

std::string Path::ToString() const {
  std::string out;
  AppendTo(&out);
  return out;
}

// --- Reader -------------------------------------------------------------------------------------

void Reader::Reject(Mark mark, const Path& path, std::string message) {
  std::string rendered = path.ToString();
  rejected_.push_back(rendered);
  Error(mark, rendered, std::move(message));
}

void Reader::Error(Mark mark, const Path& path, std::string message) {
  Error(mark, path.ToString(), std::move(message));
}

void Reader::Error(Mark mark, std::string path, std::string message) {
  ok_ = false;
  diags_->Error(mark, std::move(path), std::move(message));
}

bool Reader::Expect(const SourceNode& node, SourceNode::Kind kind, const Path& path) {
  if (node.kind == kind)
    return true;
  Reject(node.mark, path,
         std::string("expected ") + KindName(kind) + ", got " + KindName(node.kind));
  return false;
}

void Reader::ReadString(const SourceNode& node, const Path& path, Field<std::string>* out) {
  if (!Expect(node, SourceNode::Kind::kString, path))
    return;
  out->value = node.text;
  out->mark = node.mark;
  out->present = true;
}

void Reader::ReadInt(const SourceNode& node, const Path& path, Field<int64_t>* out) {
  if (node.kind == SourceNode::Kind::kFloat && IsIntegerText(node.text)) {
    // Both parsers make an integer beyond int64 a float; saying "got float" would puzzle.
    Reject(node.mark, path, "integer " + node.text + " is out of range");
    return;
  }
  if (!Expect(node, SourceNode::Kind::kInt, path))
    return;
  out->value = node.int_value;
  out->mark = node.mark;
  out->present = true;
}

void Reader::ReadBool(const SourceNode& node, const Path& path, Field<bool>* out) {
  if (!Expect(node, SourceNode::Kind::kBool, path))
    return;
  out->value = node.bool_value;
  out->mark = node.mark;
  out->present = true;
}

void Reader::ReadStrings(const SourceNode& node, const Path& path,
                         std::vector<Field<std::string>>* out) {
  out->clear();
  if (!Expect(node, SourceNode::Kind::kSeq, path))
    return;
  out->resize(node.items.size());
  for (size_t i = 0; i < node.items.size(); ++i) {
    ReadString(node.items[i], path.Index(i), &(*out)[i]);
  }
}

// --- MapReader ----------------------------------------------------------------------------------

MapReader::MapReader(Reader* reader, const SourceNode& node, const Path& path,
                     std::span<const std::string_view> names)
    : reader_(reader), node_(node), path_(path), names_(names) {
  assert(names.size() <= kMaxFields);
  assert(node.kind == SourceNode::Kind::kMap);
  const SourceNode* keys[kMaxFields] = {};  // the first key of each known field
  for (const auto& [key, value] : node.entries) {
    if (!key.is_scalar()) {
      reader_->Error(key.mark, path_,
                     std::string("expected a string key, got ") + KindName(key.kind));
      continue;
    }
    const size_t index = IndexOf(key.text);
    if (index == names_.size()) {
      std::string message = "unknown field " + Quoted(key.text);
      std::string_view suggestion = Suggest(key.text, names_);
      if (!suggestion.empty()) {
        message += ", did you mean " + Quoted(suggestion) + "?";
        suggested_[IndexOf(suggestion)] = true;
      }
      reader_->Error(key.mark, path_, std::move(message));
      continue;
    }
    if (keys[index] != nullptr) {
      reader_->Error(key.mark, path_,
                     "duplicate key " + Quoted(key.text) + " (first at line " +
                         std::to_string(keys[index]->mark.line) + ")");
      continue;
    }
    keys[index] = &key;
    values_[index] = &value;
  }
}

size_t MapReader::IndexOf(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name)
      return i;
  }
  return names_.size();
}

const SourceNode* MapReader::Get(std::string_view name, bool required) {
  const size_t index = IndexOf(name);
  assert(index < names_.size());
  const SourceNode* value = values_[index];
  if (value == nullptr) {
    if (required && suggested_[index]) {
      reader_->RejectQuietly(path_.Field(name));  // "did you mean" said it already
    } else if (required) {
      reader_->Error(node_.mark, path_, "missing required field " + Quoted(name));
      reader_->RejectQuietly(path_.Field(name));
    }
    return nullptr;
  }
  if (value->kind == SourceNode::Kind::kNull && !required)
    return nullptr;
  return value;
}

void MapReader::String(std::string_view name, Field<std::string>* out, bool required) {
  if (const SourceNode* value = Get(name, required)) {
    reader_->ReadString(*value, path_.Field(name), out);
  }
}

void MapReader::Int(std::string_view name, Field<int64_t>* out, bool required) {
  if (const SourceNode* value = Get(name, required)) {
    reader_->ReadInt(*value, path_.Field(name), out);
  }
}

void MapReader::Bool(std::string_view name, Field<bool>* out, bool required) {
  if (const SourceNode* value = Get(name, required)) {
    reader_->ReadBool(*value, path_.Field(name), out);
  }
}

bool MapReader::Strings(std::string_view name, std::vector<Field<std::string>>* out, Mark* mark,
                        bool required) {
  const SourceNode* value = Get(name, required);
  if (value == nullptr)
    return false;
  if (mark != nullptr)
    *mark = value->mark;
  reader_->ReadStrings(*value, path_.Field(name), out);
  return value->kind == SourceNode::Kind::kSeq;
}

// --- Suggest ------------------------------------------------------------------------------------

std::string_view Suggest(std::string_view name, std::span<const std::string_view> known) {
  const std::string typed = Normalize(name);
  std::string_view best;
  size_t best_distance = SIZE_MAX;
  for (std::string_view candidate : known) {
    const std::string normal = Normalize(candidate);
    const size_t distance = Distance(typed, normal);
    // One or two edits in a short name, three in a long one, are typos; more are another word...
    const size_t allowed = normal.size() <= 4 ? 1 : normal.size() <= 9 ? 2 : 3;
    // ...unless one name holds the other: "matchType" for "match", "proxyProtocol" for
    // "enableProxyProtocol". Their distance still ranks them, so "namespaceSelector" suggests
    // "namespace" rather than "name", and a real typo wins over both.
    const bool extends = normal.size() >= 3 && typed.starts_with(normal);
    const bool part_of = typed.size() >= 5 && normal.find(typed) != std::string::npos;
    if (distance > allowed && !extends && !part_of)
      continue;
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace starform::decode_internal
