#include "plan/field_path.h"

#include <cctype>
#include <set>

namespace starform {

namespace {

bool IsKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// Reads a JSON string literal at |text|[*at], advancing past it.
std::optional<std::string> ReadQuoted(const std::string& text, size_t* at) {
  if (*at >= text.size() || text[*at] != '"')
    return std::nullopt;
  size_t end = *at + 1;
  while (end < text.size() && text[end] != '"')
    end += text[end] == '\\' ? 2 : 1;
  if (end >= text.size())
    return std::nullopt;
  nlohmann::json value = nlohmann::json::parse(text.substr(*at, end + 1 - *at), nullptr, false);
  if (!value.is_string())
    return std::nullopt;
  *at = end + 1;
  return value.get<std::string>();
}

// One bracketed step: [N], ["key"] or [name="x"], with |text|[*at] == '['.
std::optional<PathStep> ReadBracket(const std::string& text, size_t* at) {
  ++*at;
  PathStep step;
  if (text.compare(*at, 5, "name=") == 0) {
    *at += 5;
    step.kind = PathStep::Kind::kName;
  }
  if (*at < text.size() && text[*at] == '"') {
    std::optional<std::string> quoted = ReadQuoted(text, at);
    if (!quoted)
      return std::nullopt;
    step.key = *quoted;
  } else if (step.kind == PathStep::Kind::kKey) {
    size_t end = *at;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])))
      ++end;
    if (end == *at)
      return std::nullopt;
    step.kind = PathStep::Kind::kIndex;
    step.index = std::stoul(text.substr(*at, end - *at));
    *at = end;
  } else {
    return std::nullopt;
  }
  if (*at >= text.size() || text[*at] != ']')
    return std::nullopt;
  ++*at;
  return step;
}

// The node at |steps| in |root|, or null when it is not there.
nlohmann::json* Find(nlohmann::json& root, const std::vector<PathStep>& steps, size_t count) {
  nlohmann::json* node = &root;
  for (size_t i = 0; i < count; ++i) {
    const PathStep& step = steps[i];
    if (step.kind == PathStep::Kind::kKey) {
      if (!node->is_object() || !node->contains(step.key))
        return nullptr;
      node = &(*node)[step.key];
    } else {
      if (!node->is_array())
        return nullptr;
      size_t index = step.index;
      if (step.kind == PathStep::Kind::kName) {
        index = node->size();
        for (size_t j = 0; j < node->size(); ++j)
          if ((*node)[j].is_object() && (*node)[j].value("name", nlohmann::json()) == step.key)
            index = j;
      }
      if (index >= node->size())
        return nullptr;
      node = &(*node)[index];
    }
  }
  return node;
}

bool Remove(nlohmann::json& root, const std::vector<PathStep>& steps) {
  if (steps.empty())
    return false;
  nlohmann::json* parent = Find(root, steps, steps.size() - 1);
  if (parent == nullptr || Find(root, steps, steps.size()) == nullptr)
    return false;
  const PathStep& last = steps.back();
  if (last.kind == PathStep::Kind::kKey) {
    parent->erase(last.key);
    return true;
  }
  size_t index = last.index;
  if (last.kind == PathStep::Kind::kName)
    for (size_t j = 0; j < parent->size(); ++j)
      if ((*parent)[j].is_object() && (*parent)[j].value("name", nlohmann::json()) == last.key)
        index = j;
  parent->erase(index);
  return true;
}

}  // namespace

std::optional<std::vector<PathStep>> ParseFieldPath(const std::string& path) {
  std::vector<PathStep> steps;
  size_t at = 0;
  while (at < path.size()) {
    if (path[at] == '[') {
      std::optional<PathStep> step = ReadBracket(path, &at);
      if (!step)
        return std::nullopt;
      steps.push_back(*step);
      continue;
    }
    if (path[at] == '.') {
      if (steps.empty())
        return std::nullopt;
      ++at;
    } else if (!steps.empty()) {
      return std::nullopt;
    }
    size_t end = at;
    while (end < path.size() && IsKeyChar(path[end]))
      ++end;
    if (end == at)
      return std::nullopt;
    steps.push_back({PathStep::Kind::kKey, path.substr(at, end - at), 0});
    at = end;
  }
  if (steps.empty())
    return std::nullopt;
  return steps;
}

std::optional<nlohmann::json> RemovalPatch(const nlohmann::json& object,
                                           const std::vector<std::string>& paths,
                                           std::string* error) {
  nlohmann::json changed = object;
  // The replaced parts: spec, or metadata.labels / metadata.annotations.
  std::set<std::vector<std::string>> parts;
  for (const std::string& path : paths) {
    std::optional<std::vector<PathStep>> steps = ParseFieldPath(path);
    bool in_metadata = steps && (*steps)[0].key == "metadata";
    if (in_metadata && steps->size() < 3)
      continue;
    if (!steps || steps->size() < 2) {
      *error = "cannot remove \"" + path + "\": not the path of a field";
      return std::nullopt;
    }
    if (!Remove(changed, *steps))
      continue;
    std::vector<std::string> part = {(*steps)[0].key};
    if (in_metadata)
      part.push_back((*steps)[1].key);
    parts.insert(part);
  }
  if (parts.empty())
    return std::nullopt;
  nlohmann::json patch = nlohmann::json::array();
  patch.push_back({{"op", "test"},
                   {"path", "/metadata/resourceVersion"},
                   {"value", object["metadata"]["resourceVersion"]}});
  for (const std::vector<std::string>& part : parts) {
    nlohmann::json::json_pointer pointer;
    for (const std::string& key : part)
      pointer /= key;  // escapes '~' and '/' as RFC 6901 says
    patch.push_back(
        {{"op", "replace"}, {"path", pointer.to_string()}, {"value", changed.at(pointer)}});
  }
  return patch;
}

}  // namespace starform
