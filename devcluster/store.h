#pragma once

// The object store: what etcd is to the API server. Thread-safe; one global resourceVersion
// counter; each object kept with its serialized JSON so LIST is mostly string concatenation;
// a bounded history of events that serves watches and lets a paginated LIST read the
// snapshot its first page was taken at (the way etcd serves a continue token's revision).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace starform::devcluster {

/// One version of one object. Immutable once stored; shared by readers.
struct Entry {
  std::shared_ptr<const nlohmann::json> object;
  std::shared_ptr<const std::string> text;  ///< object->dump()
  uint64_t rv = 0;

  explicit operator bool() const { return object != nullptr; }
};

enum class EventType { kAdded, kModified, kDeleted };
const char* EventTypeName(EventType type);

struct Event {
  EventType type;
  std::string store_key;  ///< "group/resource"
  std::string key;        ///< "namespace/name" ("/name" when cluster-scoped)
  Entry entry;            ///< the object after the change (for kDeleted: as deleted)
  Entry prev;             ///< before the change; empty for kAdded
  uint64_t rv = 0;
};

/// The store key of an object: "namespace/name".
std::string ObjectKey(const std::string& ns, const std::string& name);

class Store {
 public:
  explicit Store(size_t history_limit = 10000);

  uint64_t current_rv() const { return rv_.load(); }
  /// Events at or below this resourceVersion are gone from the history.
  uint64_t compacted_rv() const;

  Entry Get(const std::string& store_key, const std::string& ns, const std::string& name) const;

  struct ListOptions {
    std::string ns;         ///< "" for every namespace
    uint64_t at_rv = 0;     ///< read the snapshot at this resourceVersion; 0 for now
    std::string after_key;  ///< start after this key (a continue token's position)
    size_t limit = 0;       ///< 0 for no limit
    std::function<bool(const nlohmann::json&)> filter;  ///< null matches everything
    bool count_remaining = false;
  };
  struct ListResult {
    std::vector<Entry> items;
    uint64_t rv = 0;       ///< the snapshot read
    std::string last_key;  ///< set when more items remain
    int64_t remaining = -1;
    bool compacted = false;  ///< at_rv is older than the history
  };
  ListResult List(const std::string& store_key, const ListOptions& options) const;

  /// A write decided under the store's lock: given the current entry (maybe empty) and the
  /// resourceVersion the write will get, returns the new object, std::nullopt to delete it,
  /// or throws to abort. The store sets metadata.resourceVersion.
  using Mutation = std::function<std::optional<nlohmann::json>(const Entry& current, uint64_t rv)>;
  /// Applies |mutate| to one object; returns the stored entry (for a delete: the object as
  /// deleted, with the deletion's resourceVersion). |dry_run|: computed, not stored.
  Entry Write(const std::string& store_key, const std::string& ns, const std::string& name,
              const Mutation& mutate, bool dry_run = false);

  /// Appends to |out| the events of |store_key| after |after_rv|, waiting until |deadline|
  /// when there are none. Returns false when |after_rv| is older than the history.
  bool EventsSince(const std::string& store_key, uint64_t after_rv,
                   std::chrono::steady_clock::time_point deadline, std::vector<Event>* out) const;

  /// Waits until the resourceVersion passes |after_rv|, |deadline| comes, the store shuts down
  /// or |cancelled| (checked after each Wake()) returns true. Returns current_rv().
  uint64_t WaitForChange(uint64_t after_rv, std::chrono::steady_clock::time_point deadline,
                         const std::function<bool()>& cancelled) const;
  /// Makes every WaitForChange check its |cancelled| now.
  void Wake() const;

  /// Wakes and ends every waiting watch.
  void Shutdown();
  bool shut_down() const { return shutdown_.load(); }

  /// Every object, for persistence: {"resourceVersion": N, "objects": {store_key: [...]}}.
  nlohmann::json Dump() const;
  /// Replaces the contents with a Dump().
  void Load(const nlohmann::json& dump);
  /// Called after every committed write (persistence debounce).
  void set_on_change(std::function<void()> fn) { on_change_ = std::move(fn); }
  size_t size() const;

  /// Data a writer derives from the store and keeps beside it (the Services' allocated
  /// addresses), so it need not list every object on each write. Only touched inside a
  /// Write's mutation, which the write lock serializes.
  struct WriterIndex {
    virtual ~WriterIndex() = default;
  };
  std::unique_ptr<WriterIndex>& writer_index(const std::string& name) const {
    return writer_indexes_[name];
  }

 private:
  static Entry MakeEntry(nlohmann::json object, uint64_t rv);

  size_t history_limit_;
  mutable std::shared_mutex mu_;
  std::mutex write_mu_;  ///< serializes writers so resourceVersions commit in order
  std::map<std::string, std::map<std::string, Entry>> data_;
  std::deque<Event> history_;
  uint64_t compacted_rv_ = 0;
  std::atomic<uint64_t> rv_{0};
  std::atomic<bool> shutdown_{false};
  mutable std::mutex notify_mu_;
  mutable std::condition_variable notify_cv_;
  std::function<void()> on_change_;
  mutable std::map<std::string, std::unique_ptr<WriterIndex>> writer_indexes_;
};

}  // namespace starform::devcluster
