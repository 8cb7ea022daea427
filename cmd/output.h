#pragma once

// Writing many objects to a stream without first building the whole text in memory: a render
// of 10,000 apps is tens of megabytes, and one string that size costs more in copies and page
// faults than the formatting itself.

#include <cstdio>
#include <vector>

#include <nlohmann/json.hpp>

namespace starform {

/// The objects as one v1 List with 4-space indentation, byte for byte what
/// `nlohmann::json{{"apiVersion","v1"},{"items",objects},{"kind","List"}}.dump(4)` plus a newline
/// would be (and what `kubectl get -o json` prints for several objects).
void WriteJsonList(const std::vector<nlohmann::json>& objects, std::FILE* out);

/// The objects as a YAML stream, documents separated by "---", as ToYamlStream makes it.
void WriteYamlStream(const std::vector<nlohmann::json>& objects, std::FILE* out);

}  // namespace starform
