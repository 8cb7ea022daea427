#include <algorithm>

#include "devcluster/envoy_gateway_internal.h"
#include "devcluster/server.h"

namespace starform::devcluster::eg {

using nlohmann::json;

json Condition(const std::string& type, bool status, const std::string& reason,
               const std::string& message, int64_t generation) {
  return {{"type", type},
          {"status", status ? "True" : "False"},
          {"reason", reason},
          {"message", message},
          {"observedGeneration", generation}};
}

namespace {

// What identifies an element of a status list across writes.
std::string Identity(const json& element, size_t index) {
  if (!element.is_object())
    return std::to_string(index);
  for (const char* key : {"type", "parentRef", "ancestorRef", "name"}) {
    if (element.contains(key))
      return key + element[key].dump();
  }
  return std::to_string(index);
}

void Carry(const json* live, json* want, const std::string& now) {
  if (want->is_object()) {
    if (want->contains("type") && want->contains("status")) {
      bool same = live && live->is_object() && live->value("status", "") == (*want)["status"] &&
                  live->contains("lastTransitionTime");
      (*want)["lastTransitionTime"] = same ? (*live)["lastTransitionTime"] : json(now);
      return;
    }
    for (auto& [key, value] : want->items()) {
      const json* sub = live && live->is_object() && live->contains(key) ? &(*live)[key] : nullptr;
      Carry(sub, &value, now);
    }
  } else if (want->is_array()) {
    for (size_t i = 0; i < want->size(); ++i) {
      const json* match = nullptr;
      if (live && live->is_array()) {
        std::string id = Identity((*want)[i], i);
        for (size_t j = 0; j < live->size() && !match; ++j) {
          if (Identity((*live)[j], j) == id)
            match = &(*live)[j];
        }
      }
      Carry(match, &(*want)[i], now);
    }
  }
}

json WithoutTransitionTimes(json value) {
  if (value.is_object()) {
    value.erase("lastTransitionTime");
    for (auto& [key, sub] : value.items())
      sub = WithoutTransitionTimes(std::move(sub));
  } else if (value.is_array()) {
    for (auto& sub : value)
      sub = WithoutTransitionTimes(std::move(sub));
  }
  return value;
}

}  // namespace

void CarryTransitionTimes(const json& live, json* want, const std::string& now) {
  Carry(&live, want, now);
}

bool SameStatus(const json& a, const json& b) {
  return WithoutTransitionTimes(a) == WithoutTransitionTimes(b);
}

std::optional<json> WithOurs(const json& object, const std::string& list, json ours) {
  json status = object.value("status", json::object());
  json entries = json::array();
  for (const json& entry : status.value(list, json::array())) {
    if (entry.value("controllerName", "") != kControllerName)
      entries.push_back(entry);
  }
  bool had_ours = entries.size() != status.value(list, json::array()).size();
  if (ours.empty() && !had_ours)
    return std::nullopt;
  for (json& entry : ours)
    entries.push_back(std::move(entry));
  status[list] = std::move(entries);
  return status;
}

int64_t Generation(const json& object) {
  return object["metadata"].value("generation", int64_t{0});
}

std::string Str(const json& object, const json::json_pointer& at) {
  if (!object.contains(at) || !object[at].is_string())
    return "";
  return object[at].get<std::string>();
}

std::string Key(const json& object) {
  return object["metadata"].value("namespace", "") + "/" + object["metadata"].value("name", "");
}

namespace {

bool Has(const json& list, const std::function<bool(const json&)>& pred) {
  return list.is_array() && std::any_of(list.begin(), list.end(), pred);
}

}  // namespace

bool ReferenceGranted(DevCluster& cluster, const std::string& from_group,
                      const std::string& from_kind, const std::string& from_ns,
                      const std::string& to_kind, const std::string& to_ns,
                      const std::string& to_name) {
  Store::ListOptions options;
  options.ns = to_ns;
  for (const Entry& grant : cluster.store().List(kReferenceGrants, options).items) {
    const json& spec = (*grant.object)["spec"];
    bool from = Has(spec["from"], [&](const json& f) {
      return f.value("group", "") == from_group && f.value("kind", "") == from_kind &&
             f.value("namespace", "") == from_ns;
    });
    bool to = Has(spec["to"], [&](const json& t) {
      return t.value("group", "") == "" && t.value("kind", "") == to_kind &&
             (t.value("name", "").empty() || t.value("name", "") == to_name);
    });
    if (from && to)
      return true;
  }
  return false;
}

bool NamespaceSelected(DevCluster& cluster, const std::string& ns, const json& selector) {
  Entry entry = cluster.store().Get(kNamespaces, "", ns);
  if (!entry)
    return false;
  json labels = (*entry.object)["metadata"].value("labels", json::object());
  json match_labels = selector.value("matchLabels", json::object());
  for (const auto& [key, value] : match_labels.items()) {
    if (!labels.contains(key) || labels[key] != value)
      return false;
  }
  for (const json& req : selector.value("matchExpressions", json::array())) {
    std::string key = req.value("key", "");
    std::string op = req.value("operator", "");
    json values = req.value("values", json::array());
    bool has = labels.contains(key);
    bool in = has && std::find(values.begin(), values.end(), labels[key]) != values.end();
    if ((op == "In" && !in) || (op == "NotIn" && in) || (op == "Exists" && !has) ||
        (op == "DoesNotExist" && has))
      return false;
  }
  return true;
}

}  // namespace starform::devcluster::eg
