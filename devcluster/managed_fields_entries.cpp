#include "devcluster/managed_fields_entries.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace starform::devcluster::smd {

using nlohmann::json;

std::string ManagerIdentifier(const ManagerInfo& info) {
  // encoding/json field order of ManagedFieldsEntry, omitting empty fields; an Apply's version
  // is left out so that a manager applying at another version keeps its entry.
  std::string out = "{";
  auto add = [&](const char* name, const std::string& value) {
    if (value.empty())
      return;
    if (out.size() > 1)
      out += ',';
    out += std::string("\"") + name + "\":" + GoJsonString(value);
  };
  add("manager", info.manager);
  add("operation", info.operation);
  add("apiVersion", info.operation == "Apply" ? std::string() : info.api_version);
  add("subresource", info.subresource);
  return out + "}";
}

bool ParseManagerIdentifier(const std::string& id, ManagerInfo* info) {
  json parsed = json::parse(id, nullptr, false);
  if (!parsed.is_object())
    return false;
  auto text = [&](const char* key) {
    auto found = parsed.find(key);
    return found != parsed.end() && found->is_string() ? found->get<std::string>() : std::string();
  };
  *info = ManagerInfo{text("manager"), text("operation"), text("apiVersion"), text("subresource")};
  return true;
}

namespace {

std::string StringField(const json& entry, const char* key) {
  auto found = entry.find(key);
  return found != entry.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace

bool DecodeManagedFields(const json& entries, Managed* managed, std::string* error) {
  *managed = Managed();
  // The server reads a list it cannot convert as no list (unstructured GetManagedFields).
  if (!entries.is_array())
    return true;
  for (const json& entry : entries) {
    if (!entry.is_object())
      return true;
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    const json& entry = entries[i];
    ManagerInfo info{StringField(entry, "manager"), StringField(entry, "operation"),
                     StringField(entry, "apiVersion"), StringField(entry, "subresource")};
    if (info.operation != "Apply" && info.operation != "Update") {
      *error = "operation must be `Apply` or `Update`";
      return false;
    }
    if (info.api_version.empty()) {
      *error = "apiVersion must not be empty";
      return false;
    }
    const std::string fields_type = StringField(entry, "fieldsType");
    if (fields_type.empty()) {
      *error = "missing fieldsType in managed fields entry " + std::to_string(i);
      return false;
    }
    if (fields_type != "FieldsV1") {
      *error = "invalid fieldsType " + GoQuote(fields_type) + " in managed fields entry " +
               std::to_string(i);
      return false;
    }
    VersionedSet versioned;
    versioned.api_version = info.api_version;
    versioned.applied = info.operation == "Apply";
    auto fields = entry.find("fieldsV1");
    std::string set_error;
    if (fields != entry.end() && !fields->is_null() &&
        !FieldSet::FromFieldsV1(*fields, &versioned.set, &set_error)) {
      *error = "error decoding versioned set from " + entry.dump() +
               ": error decoding set: " + set_error;
      return false;
    }
    const std::string id = ManagerIdentifier(info);
    managed->fields[id] = std::move(versioned);
    if (auto time = entry.find("time"); time != entry.end() && time->is_string()) {
      managed->times[id] = time->get<std::string>();
    } else {
      managed->times.erase(id);
    }
  }
  return true;
}

int64_t UnixSeconds(const std::string& text) {
  int year, month, day, hour, minute, second;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &consumed) != 6) {
    return 0;
  }
  size_t i = static_cast<size_t>(consumed);
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9')
      ++i;
  }
  int64_t offset = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    int oh = 0, om = 0;
    if (std::sscanf(text.c_str() + i + 1, "%2d:%2d", &oh, &om) == 2) {
      offset = (text[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    }
  }
  // Days from the civil date (Howard Hinnant's algorithm).
  const int y = year - (month <= 2);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  return days * 86400 + hour * 3600 + minute * 60 + second - offset;
}

json EncodeManagedFields(const Managed& managed) {
  struct Entry {
    ManagerInfo info;
    std::string time;
    bool has_time = false;
    int64_t seconds = 0;
    const FieldSet* set = nullptr;
  };
  std::vector<Entry> entries;
  entries.reserve(managed.fields.size());
  for (const auto& [id, versioned] : managed.fields) {
    Entry entry;
    ParseManagerIdentifier(id, &entry.info);
    entry.info.api_version = versioned.api_version;
    if (versioned.applied)
      entry.info.operation = "Apply";
    if (auto time = managed.times.find(id); time != managed.times.end()) {
      entry.time = time->second;
      entry.has_time = true;
      entry.seconds = UnixSeconds(time->second);
    }
    entry.set = &versioned.set;
    entries.push_back(std::move(entry));
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& p, const Entry& q) {
    if (p.info.operation != q.info.operation)
      return p.info.operation < q.info.operation;
    if (p.seconds != q.seconds)
      return p.seconds < q.seconds;
    if (p.info.manager != q.info.manager)
      return p.info.manager < q.info.manager;
    if (p.info.api_version != q.info.api_version)
      return p.info.api_version < q.info.api_version;
    return p.info.subresource < q.info.subresource;
  });
  json out = json::array();
  for (const Entry& entry : entries) {
    json item = {{"apiVersion", entry.info.api_version},
                 {"fieldsType", "FieldsV1"},
                 {"fieldsV1", entry.set->ToFieldsV1()},
                 {"operation", entry.info.operation}};
    if (!entry.info.manager.empty())
      item["manager"] = entry.info.manager;
    if (entry.has_time)
      item["time"] = entry.time;
    if (!entry.info.subresource.empty())
      item["subresource"] = entry.info.subresource;
    out.push_back(std::move(item));
  }
  return out;
}

bool IsResetManagedFields(const json& entries) {
  if (!entries.is_array())
    return false;
  if (entries.empty())
    return true;
  return entries.size() == 1 && entries[0].is_object() && entries[0].empty();
}

}  // namespace starform::devcluster::smd
