#include "plan/diff.h"

#include <cctype>
#include <map>
#include <optional>

namespace starform {

namespace {

bool IsPlainKey(const std::string& key) {
  if (key.empty() || !(std::isalpha(static_cast<unsigned char>(key[0])) || key[0] == '_'))
    return false;
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
      return false;
  return true;
}

std::string FieldPath(const std::string& parent, const std::string& key) {
  if (IsPlainKey(key))
    return parent.empty() ? key : parent + "." + key;
  return parent + "[" + nlohmann::json(key).dump() + "]";
}

// Ownership, walked alongside the live value: for each managedFields entry (status entries
// left out: status is not compared), its fieldsV1 node at the current path, or null.
struct Owners {
  std::vector<std::pair<std::string, const nlohmann::json*>> nodes;

  static Owners Root(const nlohmann::json& managed_fields) {
    Owners owners;
    if (!managed_fields.is_array())
      return owners;
    for (const nlohmann::json& entry : managed_fields) {
      if (!entry.is_object() || entry.value("subresource", "") == "status")
        continue;
      auto fields = entry.find("fieldsV1");
      if (fields == entry.end() || !fields->is_object())
        continue;
      owners.nodes.emplace_back(entry.value("manager", ""), &*fields);
    }
    return owners;
  }

  Owners Field(const std::string& key) const {
    Owners next;
    for (const auto& [manager, node] : nodes) {
      const nlohmann::json* child = nullptr;
      if (node != nullptr && node->empty()) {
        child = node;  // a leaf in fieldsV1 owns the whole value, e.g. an atomic list
      } else if (node != nullptr) {
        auto it = node->find("f:" + key);
        if (it != node->end())
          child = &*it;
      }
      next.nodes.emplace_back(manager, child);
    }
    return next;
  }

  // The fieldsV1 member for a list item: "i:<index>", "v:<value>" for a set, or "k:{...}" whose
  // key fields all equal the item's.
  static const nlohmann::json* ItemNode(const nlohmann::json& node, const nlohmann::json& item,
                                        size_t index) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string& name = it.key();
      if (name.size() < 2 || name[1] != ':')
        continue;
      std::string rest = name.substr(2);
      if (name[0] == 'i') {
        if (rest == std::to_string(index))
          return &*it;
      } else if (name[0] == 'v' || name[0] == 'k') {
        nlohmann::json parsed = nlohmann::json::parse(rest, nullptr, false);
        if (parsed.is_discarded())
          continue;
        if (name[0] == 'v') {
          if (parsed == item)
            return &*it;
          continue;
        }
        if (!parsed.is_object() || !item.is_object())
          continue;
        bool all = true;
        for (auto field = parsed.begin(); field != parsed.end() && all; ++field) {
          auto value = item.find(field.key());
          all = value != item.end() && *value == field.value();
        }
        if (all)
          return &*it;
      }
    }
    return nullptr;
  }

  Owners Item(const nlohmann::json& item, size_t index) const {
    Owners next;
    for (const auto& [manager, node] : nodes) {
      const nlohmann::json* child = nullptr;
      if (node != nullptr)
        child = node->empty() ? node : ItemNode(*node, item, index);
      next.nodes.emplace_back(manager, child);
    }
    return next;
  }

  // Managers owning the value here or something below it.
  std::vector<std::string> Here() const {
    std::vector<std::string> managers;
    for (const auto& [manager, node] : nodes)
      if (node != nullptr)
        managers.push_back(manager);
    return managers;
  }

  // The first manager other than starform that owns the value here.
  std::string Other() const {
    for (const std::string& manager : Here())
      if (manager != kFieldManager)
        return manager;
    return "";
  }
};

// The "name" of every item, when every item is an object with a distinct string name.
std::optional<std::map<std::string, size_t>> NamedItems(const nlohmann::json& list) {
  std::map<std::string, size_t> names;
  for (size_t i = 0; i < list.size(); ++i) {
    const nlohmann::json& item = list[i];
    if (!item.is_object())
      return std::nullopt;
    auto name = item.find("name");
    if (name == item.end() || !name->is_string())
      return std::nullopt;
    if (!names.emplace(name->get<std::string>(), i).second)
      return std::nullopt;
  }
  return names;
}

std::string NamedItemPath(const std::string& parent, const std::string& name) {
  return parent + "[name=" + nlohmann::json(name).dump() + "]";
}

bool IsLeaf(const nlohmann::json& value) {
  return !value.is_structured() || value.empty();
}

class Differ {
 public:
  explicit Differ(LiveOnlyFields mode) : mode_(mode) {}

  void Compare(const nlohmann::json& before, const nlohmann::json& after, const Owners& owners,
               const std::string& path) {
    if (before.is_object() && after.is_object() && !(before.empty() && after.empty())) {
      CompareObjects(before, after, owners, path);
    } else if (before.is_array() && after.is_array() && !before.empty() && !after.empty()) {
      CompareLists(before, after, owners, path);
    } else if (before == after) {
      diff.unchanged += CountLeaves(after);
    } else {
      diff.changes.push_back({FieldChange::Op::kModify, path, before, after, owners.Other()});
    }
  }

  Diff diff;

 private:
  void LiveOnly(const nlohmann::json& before, const Owners& owners, const std::string& path) {
    if (mode_ == LiveOnlyFields::kRemoveIfOwned && owners.Here().empty())
      return;  // a server default: set by no manager
    diff.changes.push_back({FieldChange::Op::kRemove, path, before, nullptr, owners.Other()});
  }

  void CompareObjects(const nlohmann::json& before, const nlohmann::json& after,
                      const Owners& owners, const std::string& path) {
    for (auto it = after.begin(); it != after.end(); ++it) {
      std::string child = FieldPath(path, it.key());
      auto live = before.find(it.key());
      if (live == before.end()) {
        diff.changes.push_back({FieldChange::Op::kAdd, child, nullptr, it.value(), ""});
      } else {
        Compare(*live, it.value(), owners.Field(it.key()), child);
      }
    }
    for (auto it = before.begin(); it != before.end(); ++it)
      if (!after.contains(it.key()))
        LiveOnly(it.value(), owners.Field(it.key()), FieldPath(path, it.key()));
  }

  void CompareLists(const nlohmann::json& before, const nlohmann::json& after, const Owners& owners,
                    const std::string& path) {
    auto before_names = NamedItems(before);
    auto after_names = NamedItems(after);
    if (before_names && after_names) {
      for (const auto& [name, index] : *after_names) {
        std::string child = NamedItemPath(path, name);
        auto live = before_names->find(name);
        if (live == before_names->end()) {
          diff.changes.push_back({FieldChange::Op::kAdd, child, nullptr, after[index], ""});
        } else {
          Compare(before[live->second], after[index],
                  owners.Item(before[live->second], live->second), child);
        }
      }
      for (const auto& [name, index] : *before_names)
        if (!after_names->count(name))
          LiveOnly(before[index], owners.Item(before[index], index), NamedItemPath(path, name));
      return;
    }
    if (before.size() == after.size()) {
      for (size_t i = 0; i < after.size(); ++i)
        Compare(before[i], after[i], owners.Item(before[i], i),
                path + "[" + std::to_string(i) + "]");
      return;
    }
    diff.changes.push_back({FieldChange::Op::kModify, path, before, after, owners.Other()});
  }

  LiveOnlyFields mode_;
};

void CollectLeaves(const nlohmann::json& value, const std::string& path,
                   std::vector<std::pair<std::string, const nlohmann::json*>>* out) {
  if (IsLeaf(value)) {
    out->emplace_back(path, &value);
    return;
  }
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it)
      CollectLeaves(it.value(), FieldPath(path, it.key()), out);
    return;
  }
  auto names = NamedItems(value);
  for (size_t i = 0; i < value.size(); ++i) {
    std::string child = names ? NamedItemPath(path, value[i]["name"].get<std::string>())
                              : path + "[" + std::to_string(i) + "]";
    CollectLeaves(value[i], child, out);
  }
}

}  // namespace

nlohmann::json ComparedView(const nlohmann::json& labels, const nlohmann::json& annotations,
                            const nlohmann::json& spec, const std::set<std::string>& label_keys,
                            const std::set<std::string>& annotation_keys) {
  nlohmann::json metadata = nlohmann::json::object();
  auto pick = [&metadata](const nlohmann::json& from, const std::set<std::string>& keys,
                          const char* name) {
    if (!from.is_object())
      return;
    nlohmann::json picked = nlohmann::json::object();
    for (const std::string& key : keys) {
      auto it = from.find(key);
      if (it != from.end())
        picked[key] = *it;
    }
    if (!picked.empty())
      metadata[name] = std::move(picked);
  };
  pick(labels, label_keys, "labels");
  pick(annotations, annotation_keys, "annotations");
  nlohmann::json view = nlohmann::json::object();
  if (!metadata.empty())
    view["metadata"] = std::move(metadata);
  if (!spec.is_null())
    view["spec"] = spec;
  return view;
}

std::set<std::string> OwnedMetadataKeys(const nlohmann::json& managed_fields,
                                        const std::string& manager, const std::string& which) {
  std::set<std::string> keys;
  if (!managed_fields.is_array())
    return keys;
  for (const nlohmann::json& entry : managed_fields) {
    if (!entry.is_object() || entry.value("manager", "") != manager)
      continue;
    const nlohmann::json* node = &entry;
    for (const std::string& step :
         {std::string("fieldsV1"), std::string("f:metadata"), "f:" + which}) {
      auto it = node->find(step);
      if (it == node->end() || !it->is_object()) {
        node = nullptr;
        break;
      }
      node = &*it;
    }
    if (node == nullptr)
      continue;
    for (auto it = node->begin(); it != node->end(); ++it)
      if (it.key().rfind("f:", 0) == 0)
        keys.insert(it.key().substr(2));
  }
  return keys;
}

Diff DiffViews(const nlohmann::json& before, const nlohmann::json& after,
               const nlohmann::json& managed_fields, LiveOnlyFields mode) {
  Differ differ(mode);
  differ.Compare(before.is_null() ? nlohmann::json::object() : before,
                 after.is_null() ? nlohmann::json::object() : after, Owners::Root(managed_fields),
                 "");
  return std::move(differ.diff);
}

std::vector<std::pair<std::string, const nlohmann::json*>> Leaves(const nlohmann::json& view) {
  std::vector<std::pair<std::string, const nlohmann::json*>> leaves;
  CollectLeaves(view, "", &leaves);
  return leaves;
}

std::vector<std::string> LeafPaths(const nlohmann::json& view) {
  std::vector<std::string> paths;
  for (const auto& leaf : Leaves(view))
    paths.push_back(leaf.first);
  return paths;
}

size_t CountLeaves(const nlohmann::json& value) {
  if (IsLeaf(value))
    return 1;
  size_t count = 0;
  for (const nlohmann::json& child : value)
    count += CountLeaves(child);
  return count;
}

}  // namespace starform
