#include "plan/flat_map.h"

#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

namespace starform {
namespace {

using Map = FlatMap<std::string_view, int, std::hash<std::string_view>>;

// Sends every key to the same slot, so that every insert and lookup has to probe past others.
struct CollidingHash {
  size_t operator()(std::string_view) const { return 7; }
};

TEST_CASE("FlatMap keeps the first value of a key", "[flat_map]") {
  Map map(4);
  auto [first, inserted] = map.Emplace("shop.starform.app", 1);
  CHECK(inserted);
  CHECK(*first == 1);
  auto [again, inserted_again] = map.Emplace("shop.starform.app", 2);
  CHECK_FALSE(inserted_again);
  CHECK(*again == 1);
  REQUIRE(map.Find("shop.starform.app") != nullptr);
  CHECK(*map.Find("shop.starform.app") == 1);
  CHECK(map.Find("blog.starform.app") == nullptr);
}

TEST_CASE("FlatMap holds as many entries as it was sized for, even when all collide",
          "[flat_map]") {
  std::vector<std::string> keys;
  for (int i = 0; i < 100; ++i)
    keys.push_back("host-" + std::to_string(i));
  FlatMap<std::string_view, int, CollidingHash> map(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    CHECK(map.Emplace(keys[i], static_cast<int>(i)).second);
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    const int* value = map.Find(keys[i]);
    REQUIRE(value != nullptr);
    CHECK(*value == static_cast<int>(i));
  }
  CHECK(map.Find("host-100") == nullptr);
}

TEST_CASE("FlatMap sized for nothing still works", "[flat_map]") {
  Map map(0);
  CHECK(map.Find("a") == nullptr);
  CHECK(map.Emplace("a", 1).second);
  CHECK(*map.Find("a") == 1);
}

}  // namespace
}  // namespace starform
