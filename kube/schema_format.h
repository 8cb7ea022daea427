#pragma once

// The string formats kube-openapi's default registry validates (strfmt/default.go, time.go),
// for the formats the server keeps (validation.go StripUnsupportedFormatsPostProcessor).

#include <string_view>

#include "kube/schema.h"

namespace starform::kube {

/// Whether |text| is valid for |format|; true for Format::kNone.
bool MatchesFormat(Schema::Format format, std::string_view text);

}  // namespace starform::kube
