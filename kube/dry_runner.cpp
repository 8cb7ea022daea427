#include "kube/dry_runner.h"

namespace starform::kube {

DryRunOutcome DryRunOutcomeOf(const Result<nlohmann::json>& result) {
  DryRunOutcome outcome;
  if (result) {
    outcome.ok = true;
    outcome.object = result.value();
    return outcome;
  }
  const ApiError& error = result.error();
  outcome.error = error.Describe();
  if (error.reason == Reason::kInvalid) {
    // Immutable fields are reported by the API server's validation ("field is immutable") and
    // by CRD transition rules ("Value is immutable"): a replacement, not an error.
    for (const StatusCause& cause : error.causes) {
      if (cause.message.find("immutable") == std::string::npos)
        continue;
      outcome.immutable = (cause.field.empty() ? "" : cause.field + ": ") + cause.message;
      break;
    }
  }
  return outcome;
}

size_t ConfirmByDryRun(Client& client, const RenderedApis& apis, Planner& planner) {
  std::vector<size_t> indexes = planner.ToConfirm();
  ApplyOptions options;
  options.dry_run = true;
  options.force = true;
  // Warn, not Strict: a field the CRD does not know is then pruned from the result instead of
  // refused, and the planner names it with the versions that know it.
  options.field_validation = "Warn";
  for (size_t index : indexes) {
    const ObjectKey& key = planner.draft().resources[index].key;
    client.ApplyAsync(apis.at(key.kind), key.ns, key.name, planner.Body(index).dump(), options,
                      [&planner, index](Result<nlohmann::json> result) {
                        planner.Confirm(index, DryRunOutcomeOf(result));
                      });
  }
  client.Run();
  return indexes.size();
}

}  // namespace starform::kube
