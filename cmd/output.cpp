#include "cmd/output.h"

#include <string>

#include "plan/yaml_emit.h"

namespace starform {

namespace {

constexpr size_t kFlushBytes = 1 << 20;

void Flush(std::string* buffer, std::FILE* out) {
  std::fwrite(buffer->data(), 1, buffer->size(), out);
  buffer->clear();
}

}  // namespace

void WriteJsonList(const std::vector<nlohmann::json>& objects, std::FILE* out) {
  std::string buffer;
  buffer.reserve(kFlushBytes + (kFlushBytes >> 2));
  buffer += "{\n    \"apiVersion\": \"v1\",\n    \"items\": [";
  // nlohmann's serializer takes the indentation the value starts at, which dump() does not
  // expose: items of the list sit two levels (8 spaces) deep.
  nlohmann::detail::serializer<nlohmann::json> serializer(
      nlohmann::detail::output_adapter<char>(buffer), ' ', nlohmann::json::error_handler_t::strict);
  for (size_t i = 0; i < objects.size(); ++i) {
    buffer += i == 0 ? "\n        " : ",\n        ";
    serializer.dump(objects[i], true, false, 4, 8);
    if (buffer.size() >= kFlushBytes)
      Flush(&buffer, out);
  }
  buffer += objects.empty() ? "],\n" : "\n    ],\n";
  buffer += "    \"kind\": \"List\"\n}\n";
  Flush(&buffer, out);
}

void WriteYamlStream(const std::vector<nlohmann::json>& objects, std::FILE* out) {
  std::string buffer;
  buffer.reserve(kFlushBytes + (kFlushBytes >> 2));
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i > 0)
      buffer += "---\n";
    AppendYaml(objects[i], &buffer);
    if (buffer.size() >= kFlushBytes)
      Flush(&buffer, out);
  }
  Flush(&buffer, out);
}

}  // namespace starform
