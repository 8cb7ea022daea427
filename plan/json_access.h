#pragma once

// Reading optional members of served objects: never throws, never inserts.

#include <string>

#include <nlohmann/json.hpp>

#include "plan/plan.h"

namespace starform {

/// |object|[|name|], or null when |object| is not an object or has no such member.
const nlohmann::json& Member(const nlohmann::json& object, const char* name);

/// |object|[|name|] when it is a string, else "".
std::string StringMember(const nlohmann::json& object, const char* name);

/// The key of a rendered or served object, from its apiVersion, kind and metadata.
ObjectKey KeyOf(const nlohmann::json& object);

}  // namespace starform
