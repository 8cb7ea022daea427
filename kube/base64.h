#pragma once

// Base64 (RFC 4648): the standard alphabet with padding, as kubeconfig's *-data fields and
// Secret data use, and the URL alphabet without padding, as continue tokens use.

#include <string>
#include <string_view>

namespace starform::kube {

std::string Base64Encode(std::string_view data);
/// Accepts padding and ignores line breaks and spaces (PEM-wrapped input); false on any other
/// character or a truncated group.
bool Base64Decode(std::string_view text, std::string* out);

std::string Base64UrlEncode(std::string_view data);
bool Base64UrlDecode(std::string_view text, std::string* out);

}  // namespace starform::kube
