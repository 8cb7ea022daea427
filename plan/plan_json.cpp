// PlanToJson: the -o json document of docs/plan-format.md. Keys are snake_case and every key is
// always present (null or empty when it does not apply) except a change's drift_manager, so that
// a reader can tell "not set" from "an older format"; nlohmann::json keeps object keys sorted,
// which makes the output deterministic.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/plan.h"
#include "plan/plan_output.h"

namespace starform {

namespace {

using nlohmann::json;

// Terraform's spelling: a replace is a delete followed by a create.
json ActionsArray(Action action) {
  switch (action) {
    case Action::kNoOp:
      return json::array({"no-op"});
    case Action::kCreate:
      return json::array({"create"});
    case Action::kUpdate:
      return json::array({"update"});
    case Action::kDelete:
      return json::array({"delete"});
    case Action::kReplace:
      return json::array({"delete", "create"});
  }
  return json::array({"no-op"});
}

const char* OpName(FieldChange::Op op) {
  switch (op) {
    case FieldChange::Op::kAdd:
      return "add";
    case FieldChange::Op::kRemove:
      return "remove";
    case FieldChange::Op::kModify:
      return "modify";
  }
  return "modify";
}

// Empty strings that mean "does not apply" are null, so that `select(.reason)` works in jq.
json StringOrNull(const std::string& value) {
  return value.empty() ? json(nullptr) : json(value);
}

json StringArray(const std::vector<std::string>& values) {
  json array = json::array();
  for (const std::string& value : values)
    array.push_back(value);
  return array;
}

json FieldChangeToJson(const FieldChange& change) {
  json out = {
      {"path", change.path},
      {"op", OpName(change.op)},
      {"before", change.before},
      {"after", change.after},
  };
  if (!change.drift_manager.empty())
    out["drift_manager"] = change.drift_manager;
  return out;
}

json ResourceChangeToJson(const ResourceChange& resource) {
  json changes = json::array();
  for (const FieldChange& change : resource.changes)
    changes.push_back(FieldChangeToJson(change));
  return {
      {"address", resource.key.Address()},
      {"api_version", resource.key.api_version},
      {"kind", resource.key.kind},
      {"namespace", resource.key.ns},
      {"name", resource.key.name},
      {"actions", ActionsArray(resource.action)},
      {"before", resource.before},
      {"after", resource.after},
      {"changes", std::move(changes)},
      {"unchanged_fields", resource.unchanged_fields},
      {"adopt", resource.adopt},
      {"reason", StringOrNull(resource.reason)},
      {"recreates_load_balancer", StringOrNull(resource.recreates_load_balancer)},
  };
}

}  // namespace

json PlanToJson(const Plan& plan) {
  const PlanOrigin& origin = plan.origin;
  json resources = json::array();
  for (const ResourceChange& resource : plan.resources)
    resources.push_back(ResourceChangeToJson(resource));

  json foreign = json::array();
  for (const ForeignRoute& route : plan.foreign_routes) {
    foreign.push_back({
        {"namespace", route.ns},
        {"name", route.name},
        {"hostnames", StringArray(route.hostnames)},
        {"hijacked", StringArray(route.hijacked)},
    });
  }
  json skipped = json::array();
  for (const SkippedApp& app : plan.skipped_apps) {
    skipped.push_back({
        {"namespace", app.ns},
        {"name", app.name},
        {"errors", StringArray(app.errors)},
    });
  }
  PlanSummary summary = plan.Summary();
  return {
      {"format_version", kPlanFormatVersion},
      {"tool_version", origin.tool_version},
      {"origin",
       {
           {"cluster", origin.cluster},
           {"server", origin.server},
           {"cluster_identity", origin.cluster_identity},
           {"revision", origin.revision},
           {"source", origin.source},
           {"desired_digest", origin.desired_digest},
           {"created", origin.created},
       }},
      {"resource_changes", std::move(resources)},
      {"foreign_routes", std::move(foreign)},
      {"skipped_apps", std::move(skipped)},
      {"warnings", StringArray(plan.warnings)},
      {"errors", StringArray(plan.errors)},
      {"targets", StringArray(plan.targets)},
      {"summary",
       {
           {"add", summary.add},
           {"change", summary.change},
           {"destroy", summary.destroy},
           {"unchanged", summary.unchanged},
       }},
  };
}

}  // namespace starform
