#pragma once

// The API server's field errors, worded exactly as apimachinery's field package words them
// (k8s.io/apimachinery/pkg/util/validation/field/errors.go, Kubernetes 1.33+) and with bad
// values printed as Go's fmt prints them, so a cause from the dev cluster compares equal to one
// from a real cluster.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/schema.h"

namespace starform::kube {

/// strconv.Quote: "a\"b", non-printable bytes as \x.., invalid UTF-8 as \x...
std::string GoQuote(std::string_view text);
/// fmt's %v of a float64 (strconv 'g', shortest): 1.5, 100000, 1e+06, 1e-05.
std::string GoFloat(double value);
/// fmt's %#v of a decoded JSON value: map[string]interface {}{"name":"http"},
/// []interface {}{"a", 1}, "text", 80.
std::string GoSharpV(const nlohmann::json& value);
/// A bad value as field.Error.ErrorBody prints it: strings quoted, numbers and bools bare,
/// null as null, objects and arrays as %#v.
std::string BadValue(const nlohmann::json& value);

// Causes. |field| is the path, |value_text| a value already printed by BadValue (or quoted).
StatusCause RequiredCause(std::string field);
StatusCause InvalidCause(std::string field, std::string_view value_text, std::string_view detail);
StatusCause TypeInvalidCause(std::string field, std::string_view value_text,
                             std::string_view detail);
/// `Unsupported value: "Foo": supported values: "Exact", "PathPrefix"`; non-string allowed
/// values are JSON-encoded before being quoted, as validation.go does.
StatusCause NotSupportedCause(std::string field, const nlohmann::json& value,
                              const std::vector<nlohmann::json>& allowed);
/// `Too long: may not be more than 253 bytes` (the value is never shown). Servers before
/// 1.33 said `may not be longer than 253`.
StatusCause TooLongCause(std::string field, int64_t max);
/// `Too many: 17: must have at most 16 items`.
StatusCause TooManyCause(std::string field, int64_t actual, int64_t max);
/// `Duplicate value: "x"`.
StatusCause DuplicateCause(std::string field, const nlohmann::json& value);

}  // namespace starform::kube
