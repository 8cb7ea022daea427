#include "cmd/output.h"

#include <cstdio>
#include <string>

#include <catch2/catch.hpp>

#include "plan/yaml_emit.h"

namespace {

template <typename Write>
std::string Capture(Write write) {
  char* data = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&data, &size);
  write(out);
  std::fclose(out);
  std::string text(data, size);
  std::free(data);
  return text;
}

std::vector<nlohmann::json> Objects(int count) {
  std::vector<nlohmann::json> objects;
  for (int i = 0; i < count; ++i) {
    objects.push_back(
        {{"apiVersion", "v1"},
         {"kind", "ConfigMap"},
         {"metadata", {{"name", "c" + std::to_string(i)}, {"labels", {{"x", "é\t"}}}}},
         {"data", {{"k", std::string(200, 'v')}, {"empty", nlohmann::json::object()}}}});
  }
  return objects;
}

}  // namespace

TEST_CASE("WriteJsonList writes what dump(4) of the List writes, streamed") {
  for (int count : {0, 1, 3, 7000}) {  // 7000 objects cross the flush size
    auto objects = Objects(count);
    nlohmann::json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", objects}};
    INFO(count);
    CHECK(Capture([&](std::FILE* out) { starform::WriteJsonList(objects, out); }) ==
          list.dump(4) + "\n");
  }
}

TEST_CASE("WriteYamlStream writes what ToYamlStream makes, streamed") {
  for (int count : {0, 1, 3, 7000}) {
    auto objects = Objects(count);
    INFO(count);
    CHECK(Capture([&](std::FILE* out) { starform::WriteYamlStream(objects, out); }) ==
          starform::ToYamlStream(objects));
  }
}
