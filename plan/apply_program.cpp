#include "plan/apply_program.h"

#include <map>
#include <tuple>

#include "plan/render.h"

namespace starform {

namespace {

// Writes by kind, namespace and name: an app's route and policy share the namespace and name.
using WriteIndex = std::map<std::tuple<std::string, std::string, std::string>, size_t>;

bool Writes(Action action) {
  return action != Action::kNoOp;
}

bool Deletes(Action action) {
  return action == Action::kDelete;
}

// Adds one stage of |kind|'s writes (applies, or deletes) to |program|, and records where each
// landed by its key.
void AddStage(const Plan& plan, const std::string& kind, bool deletes, ApplyProgram* program,
              WriteIndex* index) {
  ProgramStage stage;
  stage.name = std::string(deletes ? "delete " : "apply ") + kind;
  for (size_t i = 0; i < plan.resources.size(); ++i) {
    const ResourceChange& change = plan.resources[i];
    if (change.key.kind != kind || !Writes(change.action) || Deletes(change.action) != deletes)
      continue;
    (*index)[{kind, change.key.ns, change.key.name}] = program->writes.size();
    stage.writes.push_back(program->writes.size());
    program->writes.push_back({i, {}});
  }
  if (!stage.writes.empty())
    program->stages.push_back(std::move(stage));
}

std::optional<size_t> WriteOf(const WriteIndex& index, const std::string& kind,
                              const std::string& ns, const std::string& name) {
  auto it = index.find({kind, ns, name});
  return it == index.end() ? std::nullopt : std::optional<size_t>(it->second);
}

std::vector<size_t> WritesOfKind(const WriteIndex& index, const std::string& kind) {
  std::vector<size_t> writes;
  for (auto it = index.lower_bound({kind, "", ""});
       it != index.end() && std::get<0>(it->first) == kind; ++it)
    writes.push_back(it->second);
  return writes;
}

void AddNeeds(const WriteIndex& applies, const WriteIndex& deletes, ApplyProgram* program) {
  std::vector<size_t> traffic_policy = WritesOfKind(applies, "ClientTrafficPolicy");
  std::vector<size_t> route_deletes = WritesOfKind(deletes, "HTTPRoute");
  for (const auto& [key, write] : applies) {
    const auto& [kind, ns, name] = key;
    if (kind != "HTTPRoute")
      continue;
    std::vector<size_t>& needs = program->writes[write].needs;
    if (std::optional<size_t> policy = WriteOf(applies, "SecurityPolicy", ns, name))
      needs.push_back(*policy);
    needs.insert(needs.end(), traffic_policy.begin(), traffic_policy.end());
  }
  for (const auto& [key, write] : deletes) {
    const auto& [kind, ns, name] = key;
    std::vector<size_t>& needs = program->writes[write].needs;
    if (kind == "SecurityPolicy") {
      if (std::optional<size_t> route = WriteOf(deletes, "HTTPRoute", ns, name))
        needs.push_back(*route);
    } else if (kind == "ClientTrafficPolicy") {
      needs.insert(needs.end(), route_deletes.begin(), route_deletes.end());
    }
  }
}

}  // namespace

ApplyProgram ProgramOf(const Plan& plan) {
  ApplyProgram program;
  WriteIndex applies;
  WriteIndex deletes;
  const std::vector<RenderedKind>& kinds = RenderedKinds();
  for (const RenderedKind& kind : kinds)
    AddStage(plan, kind.kind, /*deletes=*/false, &program, &applies);
  for (auto kind = kinds.rbegin(); kind != kinds.rend(); ++kind)
    AddStage(plan, kind->kind, /*deletes=*/true, &program, &deletes);
  AddNeeds(applies, deletes, &program);
  return program;
}

size_t DefaultMaxDestroy(size_t owned) {
  size_t tenth = (owned + 9) / 10;
  return tenth < 5 ? 5 : tenth;
}

std::vector<std::string> SafetyRefusals(const Plan& plan, size_t desired_apps,
                                        const SafetyRails& rails) {
  std::vector<std::string> refusals;
  size_t owned = 0;
  size_t deletions = 0;
  for (const ResourceChange& change : plan.resources) {
    bool live = change.action != Action::kCreate;
    if (live && !change.adopt)
      ++owned;
    if (change.action == Action::kDelete || change.action == Action::kReplace)
      ++deletions;
    if (change.action == Action::kReplace &&
        (change.key.kind == "SecurityPolicy" || change.key.kind == "ClientTrafficPolicy"))
      refusals.push_back(
          "the plan replaces " + change.key.Address() + ", which would leave " +
          (change.key.kind == "SecurityPolicy" ? "its app's route served without authentication"
                                               : "every route served without the identity-header "
                                                 "stripping") +
          " between its delete and its create; starform does not do that: remove what depends "
          "on it from the desired state and apply first, or change the field by hand");
  }
  if (desired_apps == 0 && !rails.allow_empty)
    refusals.push_back(
        "the desired state has no apps: applying it would remove every app's route and policy; "
        "pass --allow-empty if that is intended");
  size_t max_destroy = rails.max_destroy.value_or(DefaultMaxDestroy(owned));
  if (deletions > max_destroy) {
    std::string limit = rails.max_destroy
                            ? "--max-destroy " + std::to_string(max_destroy)
                            : "the default --max-destroy of " + std::to_string(max_destroy) +
                                  " (10% of the " + std::to_string(owned) +
                                  " objects starform owns, at least 5)";
    refusals.push_back("the plan destroys " + std::to_string(deletions) + " objects, more than " +
                       limit + "; raise --max-destroy if that is intended");
  }
  return refusals;
}

}  // namespace starform
