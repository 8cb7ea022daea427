#include "devcluster/store.h"

#include <algorithm>

namespace starform::devcluster {

using nlohmann::json;

const char* EventTypeName(EventType type) {
  switch (type) {
    case EventType::kAdded:
      return "ADDED";
    case EventType::kModified:
      return "MODIFIED";
    case EventType::kDeleted:
      return "DELETED";
  }
  return "";
}

std::string ObjectKey(const std::string& ns, const std::string& name) {
  return ns + "/" + name;
}

Store::Store(size_t history_limit) : history_limit_(history_limit) {}

Entry Store::MakeEntry(json object, uint64_t rv) {
  object["metadata"]["resourceVersion"] = std::to_string(rv);
  Entry e;
  e.text = std::make_shared<const std::string>(object.dump());
  e.object = std::make_shared<const json>(std::move(object));
  e.rv = rv;
  return e;
}

uint64_t Store::compacted_rv() const {
  std::shared_lock lock(mu_);
  return compacted_rv_;
}

size_t Store::size() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& [key, objects] : data_)
    n += objects.size();
  return n;
}

Entry Store::Get(const std::string& store_key, const std::string& ns,
                 const std::string& name) const {
  std::shared_lock lock(mu_);
  auto type = data_.find(store_key);
  if (type == data_.end())
    return {};
  auto it = type->second.find(ObjectKey(ns, name));
  return it == type->second.end() ? Entry{} : it->second;
}

Store::ListResult Store::List(const std::string& store_key, const ListOptions& options) const {
  ListResult result;
  std::shared_lock lock(mu_);
  uint64_t now = rv_.load();
  result.rv = options.at_rv == 0 || options.at_rv > now ? now : options.at_rv;
  if (result.rv < compacted_rv_) {
    result.compacted = true;
    return result;
  }
  // Objects changed after the snapshot: their value at the snapshot (empty when they did not
  // exist yet). Walking newest to oldest leaves the oldest change's "before", which is the
  // value at the snapshot.
  std::map<std::string, Entry> overlay;
  for (auto it = history_.rbegin(); it != history_.rend() && it->rv > result.rv; ++it) {
    if (it->store_key == store_key)
      overlay[it->key] = it->prev;
  }
  static const std::map<std::string, Entry> kEmpty;
  auto type = data_.find(store_key);
  const std::map<std::string, Entry>& current = type == data_.end() ? kEmpty : type->second;

  std::string lo = options.ns.empty() ? "" : options.ns + "/";
  std::string hi = options.ns.empty() ? "" : options.ns + "0";  // '0' follows '/'
  auto begin_at = [&](const std::map<std::string, Entry>& m) {
    if (!options.after_key.empty() && options.after_key >= lo) {
      return m.upper_bound(options.after_key);
    }
    return m.lower_bound(lo);
  };
  auto in_range = [&](const std::string& key) { return hi.empty() || key < hi; };
  auto c = begin_at(current);
  auto o = begin_at(overlay);
  bool full = false;
  int64_t remaining = 0;
  while (true) {
    bool c_ok = c != current.end() && in_range(c->first);
    bool o_ok = o != overlay.end() && in_range(o->first);
    if (!c_ok && !o_ok)
      break;
    const std::string* key;
    const Entry* entry;
    if (o_ok && (!c_ok || o->first <= c->first)) {
      if (c_ok && c->first == o->first)
        ++c;
      key = &o->first;
      entry = &o->second;
      ++o;
    } else {
      key = &c->first;
      entry = &c->second;
      ++c;
    }
    if (!*entry)
      continue;
    if (options.filter && !options.filter(*entry->object))
      continue;
    if (full) {
      ++remaining;
      if (!options.count_remaining)
        break;
      continue;
    }
    result.items.push_back(*entry);
    if (options.limit != 0 && result.items.size() == options.limit) {
      full = true;
      result.last_key = *key;
    }
  }
  if (full && remaining == 0)
    result.last_key.clear();  // nothing after the last item
  if (full && options.count_remaining)
    result.remaining = remaining;
  return result;
}

Entry Store::Write(const std::string& store_key, const std::string& ns, const std::string& name,
                   const Mutation& mutate, bool dry_run) {
  std::lock_guard write_lock(write_mu_);
  std::string key = ObjectKey(ns, name);
  Entry current;
  {
    std::shared_lock lock(mu_);
    auto type = data_.find(store_key);
    if (type != data_.end()) {
      auto it = type->second.find(key);
      if (it != type->second.end())
        current = it->second;
    }
  }
  uint64_t rv = rv_.load() + 1;
  std::optional<json> next = mutate(current, rv);
  Entry stored;
  if (next) {
    stored = MakeEntry(std::move(*next), rv);
  } else if (current) {
    stored = MakeEntry(*current.object, rv);  // the object as deleted, at the deletion's RV
  } else {
    return {};
  }
  if (dry_run) {
    // Not stored and no resourceVersion used; the response shows the object's current RV.
    if (current) {
      json obj = *stored.object;
      obj["metadata"]["resourceVersion"] = std::to_string(current.rv);
      return MakeEntry(std::move(obj), current.rv);
    }
    json obj = *stored.object;
    obj["metadata"].erase("resourceVersion");
    Entry e;
    e.text = std::make_shared<const std::string>(obj.dump());
    e.object = std::make_shared<const json>(std::move(obj));
    return e;
  }
  {
    std::unique_lock lock(mu_);
    Event event;
    event.store_key = store_key;
    event.key = key;
    event.prev = current;
    event.entry = stored;
    event.rv = rv;
    if (next) {
      event.type = current ? EventType::kModified : EventType::kAdded;
      data_[store_key][key] = stored;
    } else {
      event.type = EventType::kDeleted;
      data_[store_key].erase(key);
    }
    history_.push_back(std::move(event));
    while (history_.size() > history_limit_) {
      compacted_rv_ = history_.front().rv;
      history_.pop_front();
    }
    {
      std::lock_guard notify(notify_mu_);
      rv_.store(rv);
    }
  }
  notify_cv_.notify_all();
  if (on_change_)
    on_change_();
  return stored;
}

bool Store::EventsSince(const std::string& store_key, uint64_t after_rv,
                        std::chrono::steady_clock::time_point deadline,
                        std::vector<Event>* out) const {
  {
    std::unique_lock notify(notify_mu_);
    notify_cv_.wait_until(notify, deadline,
                          [&] { return rv_.load() > after_rv || shutdown_.load(); });
  }
  std::shared_lock lock(mu_);
  if (after_rv < compacted_rv_)
    return false;
  // History is ordered by resourceVersion: binary search for the first newer event.
  auto it = std::upper_bound(history_.begin(), history_.end(), after_rv,
                             [](uint64_t rv, const Event& e) { return rv < e.rv; });
  for (; it != history_.end(); ++it) {
    if (it->store_key == store_key)
      out->push_back(*it);
  }
  return true;
}

uint64_t Store::WaitForChange(uint64_t after_rv, std::chrono::steady_clock::time_point deadline,
                              const std::function<bool()>& cancelled) const {
  std::unique_lock notify(notify_mu_);
  notify_cv_.wait_until(notify, deadline,
                        [&] { return rv_.load() > after_rv || shutdown_.load() || cancelled(); });
  return rv_.load();
}

void Store::Wake() const {
  { std::lock_guard notify(notify_mu_); }  // a waiter is either before its check or waiting
  notify_cv_.notify_all();
}

void Store::Shutdown() {
  {
    std::lock_guard notify(notify_mu_);
    shutdown_.store(true);
  }
  notify_cv_.notify_all();
}

json Store::Dump() const {
  std::shared_lock lock(mu_);
  json objects = json::object();
  for (const auto& [store_key, entries] : data_) {
    json list = json::array();
    for (const auto& [key, entry] : entries)
      list.push_back(*entry.object);
    objects[store_key] = std::move(list);
  }
  return json{{"resourceVersion", rv_.load()}, {"objects", std::move(objects)}};
}

void Store::Load(const json& dump) {
  std::lock_guard write_lock(write_mu_);
  std::unique_lock lock(mu_);
  data_.clear();
  history_.clear();
  uint64_t rv = dump.value("resourceVersion", uint64_t{0});
  for (const auto& [store_key, list] : dump.at("objects").items()) {
    for (const json& object : list) {
      const json& meta = object.at("metadata");
      std::string object_rv = meta.value("resourceVersion", "0");
      Entry e = MakeEntry(object, std::stoull(object_rv));
      data_[store_key][ObjectKey(meta.value("namespace", ""), meta.value("name", ""))] = e;
    }
  }
  // The history before a restart is gone, as after an etcd compaction.
  compacted_rv_ = rv;
  rv_.store(rv);
}

}  // namespace starform::devcluster
