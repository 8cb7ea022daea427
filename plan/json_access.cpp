#include "plan/json_access.h"

namespace starform {

const nlohmann::json& Member(const nlohmann::json& object, const char* name) {
  static const nlohmann::json kNull;
  if (!object.is_object())
    return kNull;
  auto it = object.find(name);
  return it == object.end() ? kNull : *it;
}

std::string StringMember(const nlohmann::json& object, const char* name) {
  const nlohmann::json& value = Member(object, name);
  return value.is_string() ? value.get<std::string>() : std::string();
}

ObjectKey KeyOf(const nlohmann::json& object) {
  const nlohmann::json& metadata = Member(object, "metadata");
  return {StringMember(object, "apiVersion"), StringMember(object, "kind"),
          StringMember(metadata, "namespace"), StringMember(metadata, "name")};
}

}  // namespace starform
