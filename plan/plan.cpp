#include "plan/plan.h"

#include "plan/names.h"

namespace starform {

std::string ObjectKey::Address() const {
  std::string address = ToLowerAscii(kind) + " ";
  if (!ns.empty())
    address += ns + "/";
  return address + name;
}

std::string ObjectKey::TargetSpelling() const {
  return kind + "/" + (ns.empty() ? "" : ns + "/") + name;
}

const char* ActionName(Action action) {
  switch (action) {
    case Action::kNoOp:
      return "no-op";
    case Action::kCreate:
      return "create";
    case Action::kUpdate:
      return "update";
    case Action::kDelete:
      return "delete";
    case Action::kReplace:
      return "replace";
  }
  return "no-op";
}

PlanSummary Plan::Summary() const {
  PlanSummary summary;
  for (const ResourceChange& change : resources) {
    switch (change.action) {
      case Action::kNoOp:
        ++summary.unchanged;
        break;
      case Action::kCreate:
        ++summary.add;
        break;
      case Action::kUpdate:
        ++summary.change;
        break;
      case Action::kDelete:
        ++summary.destroy;
        break;
      case Action::kReplace:
        ++summary.add;
        ++summary.destroy;
        break;
    }
  }
  return summary;
}

bool Plan::HasChanges() const {
  for (const ResourceChange& change : resources)
    if (change.action != Action::kNoOp)
      return true;
  return false;
}

}  // namespace starform
