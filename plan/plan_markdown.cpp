// RenderPlanMarkdown: the plan as a pull-request comment. A heading with the counts, a table of
// the changed objects, their changed fields in a collapsed section, then what needs a reader's
// attention: errors, warnings, skipped apps, routes of others, targeting.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/plan_output.h"

namespace starform {
namespace {

using nlohmann::json;

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

/// Free text made safe for Markdown: the characters that would start markup are escaped, and
/// line breaks (which would end a list item or a table row) become spaces.
std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '<':
      case '>':
      case '|':
      case '~':
        out += '\\';
        out += c;
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// A code span that holds |text| whatever backticks it contains.
std::string Code(std::string_view text) {
  size_t longest = 0;
  size_t run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  std::string fence(longest + 1, '`');
  std::string pad = longest > 0 ? " " : "";
  std::string flat(text);
  for (char& c : flat) {
    if (c == '\n' || c == '\r')
      c = ' ';
  }
  return fence + pad + flat + pad + fence;
}

/// "`a`, `b`": each item a code span.
std::string CodeList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items)
    out += (out.empty() ? "" : ", ") + Code(item);
  return out;
}

size_t CountLeaves(const json& value) {
  if (!value.is_structured() || value.empty())
    return value.is_null() ? 0 : 1;
  size_t n = 0;
  for (const json& child : value)
    n += CountLeaves(child);
  return n;
}

std::string ActionWord(const ResourceChange& change) {
  switch (change.action) {
    case Action::kCreate:
      return "create";
    case Action::kUpdate:
      return change.adopt ? "adopt and update" : "update";
    case Action::kDelete:
      return "destroy";
    case Action::kReplace:
      return change.adopt ? "adopt and replace" : "replace";
    case Action::kNoOp:
      break;
  }
  return "no-op";
}

/// The table's Changes cell: how much changes, and why for deletes and replaces.
std::string ChangesCell(const ResourceChange& change) {
  std::vector<std::string> parts;
  if (change.action == Action::kCreate) {
    parts.push_back(Plural(CountLeaves(change.after), "field", "fields"));
  } else if (change.action == Action::kDelete) {
    if (!change.reason.empty())
      parts.push_back(Escape(change.reason));
  } else {
    size_t modified = 0, added = 0, removed = 0, drift = 0;
    for (const FieldChange& field : change.changes) {
      modified += field.op == FieldChange::Op::kModify;
      added += field.op == FieldChange::Op::kAdd;
      removed += field.op == FieldChange::Op::kRemove;
      drift += !field.drift_manager.empty();
    }
    std::vector<std::string> counts;
    if (modified)
      counts.push_back(std::to_string(modified) + " modified");
    if (added)
      counts.push_back(std::to_string(added) + " added");
    if (removed)
      counts.push_back(std::to_string(removed) + " removed");
    std::string cell;
    for (const std::string& count : counts)
      cell += (cell.empty() ? "" : ", ") + count;
    if (drift)
      cell += " (" + Plural(drift, "drift", "drifts") + ")";
    if (!cell.empty())
      parts.push_back(cell);
    if (change.action == Action::kReplace && !change.reason.empty())
      parts.push_back(Escape(change.reason));
  }
  if (!change.recreates_load_balancer.empty())
    parts.push_back("**recreates the load balancer**");
  std::string out;
  for (const std::string& part : parts)
    out += (out.empty() ? "" : "; ") + part;
  return out;
}

const char* OpMark(FieldChange::Op op) {
  switch (op) {
    case FieldChange::Op::kAdd:
      return "+";
    case FieldChange::Op::kRemove:
      return "-";
    case FieldChange::Op::kModify:
      break;
  }
  return "~";
}

/// The changed field paths of each updated or replaced object, collapsed.
std::string ChangedFields(const Plan& plan) {
  std::string out;
  for (const ResourceChange& change : plan.resources) {
    if (change.changes.empty() ||
        (change.action != Action::kUpdate && change.action != Action::kReplace))
      continue;
    out += "\n" + Code(change.key.Address()) + "\n\n```diff\n";
    for (const FieldChange& field : change.changes) {
      out += std::string(OpMark(field.op)) + " " + field.path;
      if (!field.drift_manager.empty())
        out += "  (drift: set by " + field.drift_manager + ")";
      out += "\n";
    }
    out += "```\n";
  }
  if (out.empty())
    return "";
  return "\n<details><summary>Changed fields</summary>\n" + out + "\n</details>\n";
}

std::string Table(const Plan& plan) {
  std::string out = "\n| Action | Object | Changes |\n| --- | --- | --- |\n";
  for (const ResourceChange& change : plan.resources) {
    if (change.action == Action::kNoOp)
      continue;
    out += "| " + ActionWord(change) + " | " + Code(change.key.Address()) + " | " +
           ChangesCell(change) + " |\n";
  }
  return out;
}

std::string Section(const std::string& title, const std::vector<std::string>& items) {
  if (items.empty())
    return "";
  std::string out = "\n#### " + title + "\n\n";
  for (const std::string& item : items)
    out += "- " + item + "\n";
  return out;
}

std::vector<std::string> Warnings(const Plan& plan) {
  std::vector<std::string> items;
  for (const ResourceChange& change : plan.resources) {
    if (change.action != Action::kNoOp && !change.recreates_load_balancer.empty()) {
      items.push_back("**" + Code(change.key.Address()) +
                      " recreates the DigitalOcean load balancer** (a new public IP address): " +
                      Escape(change.recreates_load_balancer));
    }
  }
  for (const std::string& warning : plan.warnings)
    items.push_back(Escape(warning));
  return items;
}

std::vector<std::string> SkippedApps(const Plan& plan) {
  std::vector<std::string> items;
  for (const SkippedApp& app : plan.skipped_apps) {
    std::string item = Code(app.ns + "/" + app.name) + ": invalid, left exactly as it is live";
    for (const std::string& error : app.errors)
      item += "\n  - " + Code(error);
    items.push_back(item);
  }
  return items;
}

std::vector<std::string> ForeignRoutes(const Plan& plan) {
  std::vector<std::string> items;
  for (const ForeignRoute& route : plan.foreign_routes) {
    std::string item = Code(route.ns + "/" + route.name) + ": ";
    item += route.hostnames.empty() ? "(no hostnames)" : CodeList(route.hostnames);
    if (!route.hijacked.empty())
      item += " **Error: hijacks hostnames of desired apps:** " + CodeList(route.hijacked);
    items.push_back(item);
  }
  return items;
}

}  // namespace

std::string RenderPlanMarkdown(const Plan& plan) {
  std::string out;
  if (plan.HasChanges()) {
    PlanSummary summary = plan.Summary();
    out += "### Plan: " + std::to_string(summary.add) + " to add, " +
           std::to_string(summary.change) + " to change, " + std::to_string(summary.destroy) +
           " to destroy\n";
    out += Table(plan);
    out += ChangedFields(plan);
  } else {
    out += "### No changes.\n\nYour gateway layer matches the desired state.\n";
  }
  std::vector<std::string> errors;
  for (const std::string& error : plan.errors)
    errors.push_back(Escape(error));
  out += Section("Errors", errors);
  out += Section("Warnings", Warnings(plan));
  out += Section("Skipped apps (--skip-invalid-apps)", SkippedApps(plan));
  out += Section("Routes of others attached to the Gateway", ForeignRoutes(plan));
  if (!plan.targets.empty()) {
    out += Section("Resource targeting is in effect",
                   {"This plan may not represent all of the changes requested by the desired "
                    "state. Targets: " +
                    CodeList(plan.targets)});
  }
  return out;
}

}  // namespace starform
