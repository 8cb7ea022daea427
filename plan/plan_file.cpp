// Saved plans (docs/plan-format.md): PlanToJson's document plus an "apply" section, read back
// strictly: a saved plan is a decision someone reviewed, so a document that is not exactly what
// PlanFileDocument writes is refused with the path of what is wrong, never half-read.

#include "plan/plan_file.h"

#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "plan/plan_output.h"

namespace starform {

namespace {

using nlohmann::json;

constexpr int kSupportedMajor = 1;

// The one exception of the reader, caught in ReadPlanFileDocument: what is wrong, where.
struct FormatError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void Fail(const std::string& path, const std::string& message) {
  throw FormatError(path + ": " + message);
}

std::string Member(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string Item(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

// "a string", "an object": for "expected a string, got number".
std::string Article(const std::string& noun) {
  return (noun[0] == 'a' || noun[0] == 'o' ? "an " : "a ") + noun;
}

[[noreturn]] void WrongType(const std::string& path, const std::string& expected,
                            const json& value) {
  Fail(path, "expected " + Article(expected) + ", got " + value.type_name());
}

void ExpectObject(const json& value, const std::string& path) {
  if (!value.is_object())
    WrongType(path, "object", value);
}

// The member |key| of the object |object| (at |path|), which must be there.
const json& Require(const json& object, const std::string& path, const std::string& key) {
  auto it = object.find(key);
  if (it == object.end())
    Fail(Member(path, key), "missing");
  return *it;
}

std::string RequireString(const json& object, const std::string& path, const std::string& key) {
  const json& value = Require(object, path, key);
  if (!value.is_string())
    WrongType(Member(path, key), "string", value);
  return value.get<std::string>();
}

// A string, or null for "not set" (read as the empty string).
std::string RequireStringOrNull(const json& object, const std::string& path,
                                const std::string& key) {
  const json& value = Require(object, path, key);
  if (value.is_null())
    return "";
  if (!value.is_string())
    WrongType(Member(path, key), "string or null", value);
  return value.get<std::string>();
}

bool RequireBool(const json& object, const std::string& path, const std::string& key) {
  const json& value = Require(object, path, key);
  if (!value.is_boolean())
    WrongType(Member(path, key), "boolean", value);
  return value.get<bool>();
}

size_t RequireCount(const json& object, const std::string& path, const std::string& key) {
  const json& value = Require(object, path, key);
  if (!value.is_number_unsigned()) {
    if (value.is_number())
      Fail(Member(path, key), "expected a non-negative integer, got " + value.dump());
    WrongType(Member(path, key), "non-negative integer", value);
  }
  return value.get<size_t>();
}

const json& RequireArray(const json& object, const std::string& path, const std::string& key) {
  const json& value = Require(object, path, key);
  if (!value.is_array())
    WrongType(Member(path, key), "array", value);
  return value;
}

const json& RequireObject(const json& object, const std::string& path, const std::string& key) {
  const json& value = Require(object, path, key);
  ExpectObject(value, Member(path, key));
  return value;
}

std::vector<std::string> RequireStrings(const json& object, const std::string& path,
                                        const std::string& key) {
  const json& array = RequireArray(object, path, key);
  std::vector<std::string> out;
  out.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_string())
      WrongType(Item(Member(path, key), i), "string", array[i]);
    out.push_back(array[i].get<std::string>());
  }
  return out;
}

// "1.0" -> 1; anything but MAJOR.MINOR fails.
int ParseMajor(const std::string& version) {
  size_t dot = version.find('.');
  auto digits = [](const std::string& s) {
    return !s.empty() && s.size() <= 6 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (dot == std::string::npos || !digits(version.substr(0, dot)) ||
      !digits(version.substr(dot + 1))) {
    Fail("format_version", "\"" + version + "\" is not a version (expected \"MAJOR.MINOR\")");
  }
  return std::atoi(version.substr(0, dot).c_str());
}

void CheckFormatVersion(const json& document) {
  if (!document.contains("format_version"))
    Fail("format_version", "missing (not a kubectl-starform plan document?)");
  std::string version = RequireString(document, "", "format_version");
  if (ParseMajor(version) != kSupportedMajor) {
    Fail("format_version", "\"" + version + "\" is not supported (this kubectl-starform reads " +
                               std::to_string(kSupportedMajor) + ".x, the newest being " +
                               kPlanFormatVersion + ")");
  }
}

Action ParseActions(const json& object, const std::string& path) {
  std::string where = Member(path, "actions");
  std::vector<std::string> words = RequireStrings(object, path, "actions");
  static const std::vector<std::pair<std::vector<std::string>, Action>> kActions = {
      {{"no-op"}, Action::kNoOp},
      {{"create"}, Action::kCreate},
      {{"update"}, Action::kUpdate},
      {{"delete"}, Action::kDelete},
      {{"delete", "create"}, Action::kReplace},
  };
  for (const auto& [spelling, action] : kActions) {
    if (words == spelling)
      return action;
  }
  Fail(where, json(words).dump() +
                  " is not an action (expected [\"no-op\"], [\"create\"], [\"update\"], "
                  "[\"delete\"] or [\"delete\",\"create\"])");
}

FieldChange::Op ParseOp(const json& object, const std::string& path) {
  std::string op = RequireString(object, path, "op");
  if (op == "add")
    return FieldChange::Op::kAdd;
  if (op == "remove")
    return FieldChange::Op::kRemove;
  if (op == "modify")
    return FieldChange::Op::kModify;
  Fail(Member(path, "op"), "\"" + op + "\" is not an op (expected add, remove or modify)");
}

FieldChange ReadFieldChange(const json& value, const std::string& path) {
  ExpectObject(value, path);
  FieldChange change;
  change.path = RequireString(value, path, "path");
  change.op = ParseOp(value, path);
  change.before = Require(value, path, "before");
  change.after = Require(value, path, "after");
  if (value.contains("drift_manager")) {
    change.drift_manager = RequireString(value, path, "drift_manager");
  }
  return change;
}

ResourceChange ReadResourceChange(const json& value, const std::string& path) {
  ExpectObject(value, path);
  ResourceChange resource;
  resource.key.api_version = RequireString(value, path, "api_version");
  resource.key.kind = RequireString(value, path, "kind");
  resource.key.ns = RequireString(value, path, "namespace");
  resource.key.name = RequireString(value, path, "name");
  std::string address = RequireString(value, path, "address");
  if (address != resource.key.Address()) {
    Fail(Member(path, "address"), "\"" + address + "\" does not match its kind, namespace and " +
                                      "name (\"" + resource.key.Address() + "\")");
  }
  resource.action = ParseActions(value, path);
  resource.before = Require(value, path, "before");
  resource.after = Require(value, path, "after");
  const json& changes = RequireArray(value, path, "changes");
  for (size_t i = 0; i < changes.size(); ++i)
    resource.changes.push_back(ReadFieldChange(changes[i], Item(Member(path, "changes"), i)));
  resource.unchanged_fields = RequireCount(value, path, "unchanged_fields");
  resource.adopt = RequireBool(value, path, "adopt");
  resource.reason = RequireStringOrNull(value, path, "reason");
  resource.recreates_load_balancer = RequireStringOrNull(value, path, "recreates_load_balancer");
  return resource;
}

void ReadApplyEntry(const json& value, const std::string& path, ResourceChange* resource,
                    const std::string& resource_path) {
  ExpectObject(value, path);
  std::string address = RequireString(value, path, "address");
  if (address != resource->key.Address()) {
    Fail(Member(path, "address"), "\"" + address + "\" does not match " + resource_path + " (\"" +
                                      resource->key.Address() + "\")");
  }
  resource->body = Require(value, path, "body");
  bool writes = resource->action == Action::kCreate || resource->action == Action::kUpdate ||
                resource->action == Action::kReplace;
  if (writes && !resource->body.is_object()) {
    Fail(Member(path, "body"), std::string("expected an object (the body to apply for a ") +
                                   ActionName(resource->action) + "), got " +
                                   resource->body.type_name());
  }
  resource->remove_paths = RequireStrings(value, path, "remove_paths");
  resource->live_digest = RequireStringOrNull(value, path, "live_digest");
  resource->live_uid = RequireStringOrNull(value, path, "live_uid");
}

void ReadDocument(const json& document, Plan* plan) {
  if (!document.is_object()) {
    throw FormatError(std::string("expected a JSON object at the top level, got ") +
                      document.type_name());
  }
  CheckFormatVersion(document);
  plan->origin.tool_version = RequireString(document, "", "tool_version");
  const json& origin = RequireObject(document, "", "origin");
  plan->origin.cluster = RequireString(origin, "origin", "cluster");
  plan->origin.server = RequireString(origin, "origin", "server");
  plan->origin.cluster_identity = RequireString(origin, "origin", "cluster_identity");
  plan->origin.revision = RequireString(origin, "origin", "revision");
  plan->origin.source = RequireString(origin, "origin", "source");
  plan->origin.desired_digest = RequireString(origin, "origin", "desired_digest");
  plan->origin.created = RequireString(origin, "origin", "created");

  const json& resources = RequireArray(document, "", "resource_changes");
  std::map<ObjectKey, size_t> seen;
  for (size_t i = 0; i < resources.size(); ++i) {
    std::string path = Item("resource_changes", i);
    plan->resources.push_back(ReadResourceChange(resources[i], path));
    auto [it, inserted] = seen.emplace(plan->resources.back().key, i);
    if (!inserted) {
      Fail(path, plan->resources.back().key.Address() + " appears twice (also " +
                     Item("resource_changes", it->second) + ")");
    }
  }

  const json& foreign = RequireArray(document, "", "foreign_routes");
  for (size_t i = 0; i < foreign.size(); ++i) {
    std::string path = Item("foreign_routes", i);
    ExpectObject(foreign[i], path);
    ForeignRoute route;
    route.ns = RequireString(foreign[i], path, "namespace");
    route.name = RequireString(foreign[i], path, "name");
    route.hostnames = RequireStrings(foreign[i], path, "hostnames");
    route.hijacked = RequireStrings(foreign[i], path, "hijacked");
    plan->foreign_routes.push_back(std::move(route));
  }
  const json& skipped = RequireArray(document, "", "skipped_apps");
  for (size_t i = 0; i < skipped.size(); ++i) {
    std::string path = Item("skipped_apps", i);
    ExpectObject(skipped[i], path);
    SkippedApp app;
    app.ns = RequireString(skipped[i], path, "namespace");
    app.name = RequireString(skipped[i], path, "name");
    app.errors = RequireStrings(skipped[i], path, "errors");
    plan->skipped_apps.push_back(std::move(app));
  }
  plan->warnings = RequireStrings(document, "", "warnings");
  plan->errors = RequireStrings(document, "", "errors");
  plan->targets = RequireStrings(document, "", "targets");
  // "summary" is derived from the resources (Plan::Summary) and not read back.

  if (!document.contains("apply")) {
    Fail("apply",
         "missing (this is a plan's -o json output, not a saved plan: save one with plan --out)");
  }
  const json& apply = RequireObject(document, "", "apply");
  const json& entries = RequireArray(apply, "apply", "resources");
  if (entries.size() != plan->resources.size()) {
    Fail("apply.resources", std::to_string(entries.size()) + " entries for " +
                                std::to_string(plan->resources.size()) + " resource_changes");
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    ReadApplyEntry(entries[i], Item("apply.resources", i), &plan->resources[i],
                   Item("resource_changes", i));
  }
}

}  // namespace

json PlanFileDocument(const Plan& plan) {
  json document = PlanToJson(plan);
  json entries = json::array();
  for (const ResourceChange& resource : plan.resources) {
    json remove_paths = json::array();
    for (const std::string& path : resource.remove_paths)
      remove_paths.push_back(path);
    entries.push_back({
        {"address", resource.key.Address()},
        {"body", resource.body},
        {"remove_paths", std::move(remove_paths)},
        {"live_digest", resource.live_digest.empty() ? json(nullptr) : json(resource.live_digest)},
        {"live_uid", resource.live_uid.empty() ? json(nullptr) : json(resource.live_uid)},
    });
  }
  document["apply"] = {{"resources", std::move(entries)}};
  return document;
}

bool ReadPlanFileDocument(const json& document, Plan* plan, std::string* error) {
  Plan read;
  try {
    ReadDocument(document, &read);
  } catch (const FormatError& e) {
    *error = e.what();
    return false;
  }
  *plan = std::move(read);
  return true;
}

std::vector<std::string> StaleReasons(const Plan& plan, const std::string& server,
                                      const std::string& cluster_identity, const LiveDigests& now) {
  const PlanOrigin& origin = plan.origin;
  if (origin.server != server || origin.cluster_identity != cluster_identity) {
    // Another cluster: its objects say nothing about this plan, so this is the only reason.
    return {"Saved plan was made for the cluster at " + origin.server + " (identity " +
            origin.cluster_identity + "), but the current context points at " + server +
            " (identity " + cluster_identity + ")"};
  }
  std::vector<std::string> reasons;
  for (const ResourceChange& resource : plan.resources) {
    std::optional<std::string> then;
    if (!resource.live_digest.empty())
      then = resource.live_digest;
    std::optional<std::string> current;
    if (auto it = now.find(resource.key); it != now.end())
      current = it->second;
    if (then == current)
      continue;
    const char* what = !then ? "was created" : !current ? "was deleted" : "changed";
    reasons.push_back("Saved plan is stale: " + resource.key.Address() + " " + what +
                      " since the plan was made");
  }
  return reasons;
}

}  // namespace starform
