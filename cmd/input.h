#pragma once

#include <string>

namespace starform {

/// Reads a whole file, or standard input when |path| is "-". On failure returns false and sets
/// |error| to a message naming the path and the reason ("open foo.yaml: No such file or
/// directory").
bool ReadInput(const std::string& path, std::string* text, std::string* error);

/// The name diagnostics use for |path|: "<stdin>" for "-", the path itself otherwise.
std::string InputName(const std::string& path);

}  // namespace starform
