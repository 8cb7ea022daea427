#include "cmd/apply_writes.h"

#include "plan/apply_program.h"
#include "plan/render.h"

namespace starform {

namespace {

const kube::ResourceRef kNamespaces{"", "v1", "namespaces", false};
const kube::ResourceRef kConfigMaps{"", "v1", "configmaps", true};

bool CreateNamespace(kube::Client& client, const std::string& name, const LiveSeen* seen,
                     std::string* error) {
  if (seen && seen->namespaces.count(name))
    return true;
  kube::Result<nlohmann::json> got = client.Get(kNamespaces, "", name);
  if (got)
    return true;
  if (got.error().reason != kube::Reason::kNotFound) {
    *error = "reading namespace " + name + ": " + got.error().Describe();
    return false;
  }
  nlohmann::json body = {
      {"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
  kube::ApplyOptions options;
  options.field_manager = "starform";
  kube::Result<nlohmann::json> created = client.Apply(kNamespaces, "", name, body.dump(), options);
  if (created)
    return true;
  *error = "creating namespace " + name + ": " + created.error().Describe();
  return false;
}

bool WriteParent(kube::Client& client, const ParentBody& parent, std::string* error) {
  if (!parent.ok()) {
    *error = parent.error;
    return false;
  }
  kube::ApplyOptions options;
  options.field_manager = kApplySetFieldManager;
  options.force = true;
  kube::Result<nlohmann::json> written = client.Apply(
      kConfigMaps, kApplySetParentNamespace, kApplySetParentName, parent.body.dump(), options);
  if (written)
    return true;
  *error = "writing the ApplySet parent ConfigMap " + std::string(kApplySetParentNamespace) + "/" +
           kApplySetParentName + ": " + written.error().Describe();
  return false;
}

}  // namespace

bool ApplyOutcome::Succeeded() const {
  if (!errors.empty())
    return false;
  for (const kube::WriteResult& result : results)
    if (result.outcome != kube::WriteResult::Outcome::kDone)
      return false;
  return true;
}

bool EnsureNamespaces(kube::Client& client, const std::string& gateway_ns, const LiveSeen* seen,
                      std::string* error) {
  return CreateNamespace(client, kApplySetParentNamespace, seen, error) &&
         (gateway_ns.empty() || gateway_ns == kApplySetParentNamespace ||
          CreateNamespace(client, gateway_ns, seen, error));
}

ApplyOutcome ApplyPlan(kube::Client& client, const kube::RenderedApis& apis, const Plan& plan,
                       const ApplyRun& run, const LiveSeen* seen) {
  ApplyOutcome outcome;
  std::string error;
  nlohmann::json live_parent;
  if (seen) {
    live_parent = seen->applyset_parent.value_or(nlohmann::json());
  } else {
    kube::Result<nlohmann::json> live =
        client.Get(kConfigMaps, kApplySetParentNamespace, kApplySetParentName);
    if (!live && live.error().reason != kube::Reason::kNotFound) {
      outcome.errors.push_back("reading the ApplySet parent: " + live.error().Describe());
      return outcome;
    }
    if (live)
      live_parent = std::move(live.value());
  }
  LiveParent parent = ReadParent(live_parent);
  if (std::string foreign = ForeignParentReason(parent); !foreign.empty()) {
    outcome.errors.push_back(foreign);
    return outcome;
  }
  // Before any write: an apply interrupted from here on leaves every member listed, also the
  // objects it deletes, which a parent someone edited may not name.
  std::vector<ObjectKey> planned;
  for (const ResourceChange& change : plan.resources)
    planned.push_back(change.key);
  ApplySetContents widest = Union(run.next, ContentsOf(planned));
  if (!WriteParent(client, WidenedParentBody(parent, widest, run.stamp.cluster, STARFORM_VERSION),
                   &error)) {
    outcome.errors.push_back(error);
    return outcome;
  }
  outcome.results = kube::RunProgram(client, apis, plan, ProgramOf(plan), run.run);
  if (!outcome.Succeeded())
    return outcome;  // the superset stays, so the next apply finishes the cleanup
  if (!WriteParent(client, NarrowedParentBody(parent, run.next, run.stamp, STARFORM_VERSION),
                   &error))
    outcome.errors.push_back(error);
  return outcome;
}

}  // namespace starform
