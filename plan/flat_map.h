#pragma once

// FlatMap: an insert-only hash map in one array (open addressing, linear probing), for the
// validation indexes over every hostname and app of a document. std::unordered_map allocates a
// node per entry; for 30,000 hostnames read from YAML, whose parser leaves the heap fragmented,
// those allocations took a third of validation time.

#include <cstddef>
#include <utility>
#include <vector>

namespace starform {

/// |Key| and |Value| are small, cheap to copy values (string_view, indexes). The map never
/// grows: it is sized once for the most entries it will hold.
template <typename Key, typename Value, typename Hash>
class FlatMap {
 public:
  explicit FlatMap(size_t max_entries) {
    size_t capacity = 16;
    while (capacity < max_entries * 2)
      capacity *= 2;  // at most half full: short probes
    slots_.resize(capacity);
    mask_ = capacity - 1;
  }

  /// Inserts |key| -> |value| unless |key| is present. Returns the stored value (the existing one
  /// when |key| was present) and whether it was inserted.
  std::pair<const Value*, bool> Emplace(const Key& key, const Value& value) {
    Slot& slot = slots_[Probe(key)];
    if (slot.used)
      return {&slot.value, false};
    slot = {key, value, true};
    return {&slot.value, true};
  }

  /// The value stored for |key|, or nullptr.
  const Value* Find(const Key& key) const {
    const Slot& slot = slots_[Probe(key)];
    return slot.used ? &slot.value : nullptr;
  }

 private:
  struct Slot {
    Key key{};
    Value value{};
    bool used = false;
  };

  // The index of the slot holding |key|, or of the empty slot where it belongs. There is always
  // an empty slot: the map is never more than half full.
  size_t Probe(const Key& key) const {
    for (size_t i = Hash()(key) & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (!slot.used || slot.key == key)
        return i;
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

}  // namespace starform
