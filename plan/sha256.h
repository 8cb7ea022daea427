#pragma once

#include <string>
#include <string_view>

namespace starform {

/// "sha256:" and the lowercase hex SHA-256 of |text|: how saved plans name content.
std::string Sha256Digest(std::string_view text);

}  // namespace starform
