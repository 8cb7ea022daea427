// RenderPlanText: the plan in Terraform's words and layout (see ../shared/notes/
// plan-apply-anchors.md §1.1), with an optional unified diff of each changed object's YAML.

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dtl/dtl.hpp>
#include <nlohmann/json.hpp>

#include "plan/diff.h"
#include "plan/plan_output.h"
#include "plan/yaml_emit.h"

namespace starform {
namespace {

using nlohmann::json;

// Structured values whose one-line form is longer than this print as indented JSON.
constexpr size_t kInlineValueWidth = 60;
// Lines of context around each change in --diff, as diff -u.
constexpr size_t kDiffContext = 3;
// Where a field line's path starts: continuation lines of a multi-line value indent from here.
constexpr std::string_view kFieldIndent = "        ";
constexpr std::string_view kDiffIndent = "    ";

constexpr const char* kBold = "\x1b[1m";
constexpr const char* kRed = "\x1b[31m";
constexpr const char* kGreen = "\x1b[32m";
constexpr const char* kYellow = "\x1b[33m";
constexpr const char* kCyan = "\x1b[36m";
constexpr const char* kBoldRed = "\x1b[1;31m";
constexpr const char* kBoldGreen = "\x1b[1;32m";
constexpr const char* kBoldYellow = "\x1b[1;33m";
constexpr const char* kReset = "\x1b[0m";

/// Wraps text in an ANSI style, or leaves it alone when colour is off.
class Painter {
 public:
  explicit Painter(bool on) : on_(on) {}
  std::string operator()(const char* style, std::string_view text) const {
    if (!on_ || text.empty())
      return std::string(text);
    return style + std::string(text) + kReset;
  }

 private:
  bool on_;
};

/// Display width of UTF-8 text, counted in code points (paths are almost always ASCII).
size_t Width(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty())
      out += separator;
    out += item;
  }
  return out;
}

// --- Values ------------------------------------------------------------------------------------

std::string DumpScalar(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// JSON on one line with a space after ':' and ',': {"name": "x", "port": 80}.
std::string OneLine(const json& value) {
  if (value.is_object() && !value.empty()) {
    std::string out = "{";
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (it != value.begin())
        out += ", ";
      out += DumpScalar(json(it.key())) + ": " + OneLine(it.value());
    }
    return out + "}";
  }
  if (value.is_array() && !value.empty()) {
    std::string out = "[";
    for (size_t i = 0; i < value.size(); ++i)
      out += (i ? ", " : "") + OneLine(value[i]);
    return out + "]";
  }
  return DumpScalar(value);
}

/// |value| as indented JSON whose short parts stay on one line; lines after the first are
/// indented by |indent|.
std::string Pretty(const json& value, const std::string& indent) {
  std::string line = OneLine(value);
  if (!value.is_structured() || Width(line) <= kInlineValueWidth)
    return line;
  std::string inner = indent + "  ";
  std::string out = value.is_object() ? "{\n" : "[\n";
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (it != value.begin())
      out += ",\n";
    out += inner;
    if (value.is_object())
      out += DumpScalar(json(it.key())) + ": ";
    out += Pretty(it.value(), inner);
  }
  return out + "\n" + indent + (value.is_object() ? "}" : "]");
}

/// A value as a field line shows it: one line, or indented JSON when a structure is long.
std::string FormatValue(const json& value) {
  return Pretty(value, std::string(kFieldIndent));
}

// --- Blocks ------------------------------------------------------------------------------------

/// The action symbol, right-aligned in three columns as Terraform prints it.
std::string ActionSymbol(Action action, const Painter& paint) {
  switch (action) {
    case Action::kCreate:
      return "  " + paint(kGreen, "+");
    case Action::kUpdate:
      return "  " + paint(kYellow, "~");
    case Action::kDelete:
      return "  " + paint(kRed, "-");
    case Action::kReplace:
      return paint(kRed, "-") + "/" + paint(kGreen, "+");
    case Action::kNoOp:
      break;
  }
  return "   ";
}

std::string OpSymbol(FieldChange::Op op, const Painter& paint) {
  switch (op) {
    case FieldChange::Op::kAdd:
      return paint(kGreen, "+");
    case FieldChange::Op::kRemove:
      return paint(kRed, "-");
    case FieldChange::Op::kModify:
      break;
  }
  return paint(kYellow, "~");
}

/// One "      ~ path = value # comment" line before alignment.
struct FieldLine {
  std::string symbol;  // painted
  std::string path;
  std::string value;
  std::string comment;  // painted, without the "# "
};

/// The field lines with their "=" aligned.
std::string RenderFieldLines(const std::vector<FieldLine>& lines) {
  size_t width = 0;
  for (const FieldLine& line : lines)
    width = std::max(width, Width(line.path));
  std::string out;
  for (const FieldLine& line : lines) {
    std::string first = line.value.substr(0, line.value.find('\n'));
    std::string rest = first.size() < line.value.size() ? line.value.substr(first.size()) : "";
    out += "      " + line.symbol + " " + line.path + std::string(width - Width(line.path), ' ') +
           " = " + first;
    if (!line.comment.empty())
      out += " # " + line.comment;
    out += rest + "\n";
  }
  return out;
}

std::string DriftNote(const FieldChange& change) {
  if (change.drift_manager.empty())
    return "";
  switch (change.op) {
    case FieldChange::Op::kAdd:
      return "drift: removed by " + change.drift_manager + ", will be restored";
    case FieldChange::Op::kRemove:
      return "drift: set by " + change.drift_manager + ", will be removed";
    case FieldChange::Op::kModify:
      break;
  }
  return "drift: set by " + change.drift_manager + ", will be reverted";
}

FieldLine ChangeLine(const FieldChange& change, bool forces_replacement, const Painter& paint) {
  FieldLine line{OpSymbol(change.op, paint), change.path, "", ""};
  switch (change.op) {
    case FieldChange::Op::kAdd:
      line.value = FormatValue(change.after);
      break;
    case FieldChange::Op::kRemove:
      line.value = FormatValue(change.before);
      break;
    case FieldChange::Op::kModify:
      line.value = FormatValue(change.before) + " -> " + FormatValue(change.after);
      break;
  }
  std::vector<std::string> notes;
  if (forces_replacement)
    notes.push_back(paint(kRed, "forces replacement"));
  if (std::string drift = DriftNote(change); !drift.empty())
    notes.push_back(paint(kYellow, drift));
  line.comment = Join(notes, "; ");
  return line;
}

/// "  # httproute tenant-a/shop will be updated in-place" and the comment lines under it.
std::string BlockHeader(const ResourceChange& change, const Painter& paint) {
  std::string out = paint(kBold, "  # " + change.key.Address());
  switch (change.action) {
    case Action::kCreate:
      out += " will be created";
      break;
    case Action::kUpdate:
      out += change.adopt ? " will be adopted and updated in-place" : " will be updated in-place";
      break;
    case Action::kDelete:
      out += " will be " + paint(kBoldRed, "destroyed");
      if (!change.reason.empty())
        out += " (" + change.reason + ")";
      break;
    case Action::kReplace:
      out += (change.adopt ? " will be adopted and " : " must be ") + paint(kBoldRed, "replaced");
      break;
    case Action::kNoOp:
      break;
  }
  out += "\n";
  if (change.action == Action::kReplace && !change.reason.empty())
    out += "  # (" + change.reason + ")\n";
  if (change.adopt)
    out += "  # (it exists without starform's ApplySet label: --adopt takes it over)\n";
  if (!change.recreates_load_balancer.empty()) {
    out += paint(kBoldRed, "  # WARNING: this recreates the DigitalOcean load balancer: " +
                               change.recreates_load_balancer) +
           "\n";
  }
  return out;
}

std::vector<FieldLine> BlockFieldLines(const ResourceChange& change, const Painter& paint) {
  std::vector<FieldLine> lines;
  if (change.action == Action::kCreate || change.action == Action::kDelete) {
    bool create = change.action == Action::kCreate;
    const json& whole = create ? change.after : change.before;
    std::vector<std::pair<std::string, const json*>> leaves;
    if (!whole.is_null())
      leaves = Leaves(whole);
    std::string symbol = create ? paint(kGreen, "+") : paint(kRed, "-");
    for (const auto& [path, value] : leaves)
      lines.push_back({symbol, path.empty() ? "(object)" : path, FormatValue(*value), ""});
    return lines;
  }
  for (const FieldChange& field : change.changes)
    lines.push_back(ChangeLine(field, change.action == Action::kReplace, paint));
  return lines;
}

// --- --diff ------------------------------------------------------------------------------------

std::vector<std::string> YamlLines(const json& value) {
  std::vector<std::string> lines;
  if (value.is_null())
    return lines;
  std::string yaml = ToYaml(value);
  size_t start = 0;
  while (start < yaml.size()) {
    size_t end = yaml.find('\n', start);
    if (end == std::string::npos)
      end = yaml.size();
    lines.push_back(yaml.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

struct DiffOp {
  char mark;  // ' ', '-' or '+'
  std::string line;
};

/// The edit script from dtl, each run of changes ordered as diff -u orders it: deletions first.
std::vector<DiffOp> EditScript(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  dtl::Diff<std::string, std::vector<std::string>> diff(a, b);
  diff.compose();
  std::vector<DiffOp> ops;
  std::vector<DiffOp> deletes;
  std::vector<DiffOp> adds;
  auto flush = [&] {
    ops.insert(ops.end(), deletes.begin(), deletes.end());
    ops.insert(ops.end(), adds.begin(), adds.end());
    deletes.clear();
    adds.clear();
  };
  for (const auto& [line, info] : diff.getSes().getSequence()) {
    if (info.type == dtl::SES_ADD) {
      adds.push_back({'+', line});
    } else if (info.type == dtl::SES_DELETE) {
      deletes.push_back({'-', line});
    } else {
      flush();
      ops.push_back({' ', line});
    }
  }
  flush();
  return ops;
}

/// "-3,7" as diff -u writes a range: the count left out when 1, the line before when empty.
std::string HunkRange(size_t lines_before, size_t count) {
  if (count == 0)
    return std::to_string(lines_before) + ",0";
  if (count == 1)
    return std::to_string(lines_before + 1);
  return std::to_string(lines_before + 1) + "," + std::to_string(count);
}

/// The unified diff of the two objects' YAML, each line indented; empty when the YAML is equal.
std::string UnifiedDiff(const json& before, const json& after, const Painter& paint) {
  std::vector<DiffOp> ops = EditScript(YamlLines(before), YamlLines(after));
  std::vector<size_t> changed;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].mark != ' ')
      changed.push_back(i);
  }
  if (changed.empty())
    return "";
  std::string indent(kDiffIndent);
  std::string out =
      indent + paint(kBold, "--- live") + "\n" + indent + paint(kBold, "+++ planned") + "\n";
  size_t next = 0;  // the first index of |changed| not yet in a hunk
  while (next < changed.size()) {
    size_t last = next;
    while (last + 1 < changed.size() && changed[last + 1] - changed[last] <= 2 * kDiffContext + 1)
      ++last;
    size_t begin = changed[next] > kDiffContext ? changed[next] - kDiffContext : 0;
    size_t end = std::min(ops.size(), changed[last] + kDiffContext + 1);
    size_t old_before = 0;
    size_t new_before = 0;
    for (size_t i = 0; i < begin; ++i) {
      old_before += ops[i].mark != '+';
      new_before += ops[i].mark != '-';
    }
    size_t old_count = 0;
    size_t new_count = 0;
    std::string body;
    for (size_t i = begin; i < end; ++i) {
      old_count += ops[i].mark != '+';
      new_count += ops[i].mark != '-';
      std::string line = std::string(1, ops[i].mark) + ops[i].line;
      if (ops[i].mark == '-')
        line = paint(kRed, line);
      else if (ops[i].mark == '+')
        line = paint(kGreen, line);
      body += indent + line + "\n";
    }
    out += indent +
           paint(kCyan, "@@ -" + HunkRange(old_before, old_count) + " +" +
                            HunkRange(new_before, new_count) + " @@") +
           "\n" + body;
    next = last + 1;
  }
  return out;
}

std::string Block(const ResourceChange& change, const TextOutputOptions& options,
                  const Painter& paint) {
  std::string out = BlockHeader(change, paint);
  out += ActionSymbol(change.action, paint) + " " + change.key.Address() + " {\n";
  out += RenderFieldLines(BlockFieldLines(change, paint));
  if (change.unchanged_fields > 0 &&
      (change.action == Action::kUpdate || change.action == Action::kReplace)) {
    out += "        # (" + Plural(change.unchanged_fields, "unchanged field", "unchanged fields") +
           " hidden)\n";
  }
  out += "    }\n";
  if (options.diff) {
    std::string diff = UnifiedDiff(change.before, change.after, paint);
    if (!diff.empty())
      out += "\n" + diff;
  }
  return out;
}

std::string Legend(const Plan& plan, const Painter& paint) {
  auto used = [&](Action action) {
    return std::any_of(plan.resources.begin(), plan.resources.end(),
                       [&](const ResourceChange& change) { return change.action == action; });
  };
  std::string out =
      "Starform compared the desired state with the live cluster and generated the following "
      "execution plan. Resource actions are indicated with the "
      "following symbols:\n";
  const std::pair<Action, const char*> kMeanings[] = {
      {Action::kCreate, "create"},
      {Action::kUpdate, "update in-place"},
      {Action::kDelete, "destroy"},
      {Action::kReplace, "destroy and then create replacement"},
  };
  for (const auto& [action, meaning] : kMeanings) {
    if (used(action))
      out += ActionSymbol(action, paint) + " " + meaning + "\n";
  }
  return out;
}

// --- Diagnostics and the other sections --------------------------------------------------------

enum class Severity { kWarning, kError };

/// Terraform's diagnostic: "Warning: summary", then the indented detail lines after a blank line.
std::string Diagnostic(Severity severity, const std::string& summary,
                       const std::vector<std::string>& detail, const Painter& paint) {
  std::string out =
      severity == Severity::kError ? paint(kBoldRed, "Error: ") : paint(kBoldYellow, "Warning: ");
  out += paint(kBold, summary) + "\n";
  if (!detail.empty()) {
    out += "\n";
    for (const std::string& line : detail)
      out += line.empty() ? "\n" : "  " + line + "\n";
  }
  return out;
}

std::string ForeignRoutes(const std::vector<ForeignRoute>& routes, const Painter& paint) {
  std::string out =
      "Routes of others attached to the Gateway (starform leaves them as they are):\n";
  for (const ForeignRoute& route : routes) {
    std::string hostnames =
        route.hostnames.empty() ? "(no hostnames)" : Join(route.hostnames, ", ");
    out += "  httproute " + route.ns + "/" + route.name + ": " + hostnames + "\n";
    // The hijack itself is one of the plan's errors, printed with the others below.
    if (!route.hijacked.empty())
      out += "    " +
             paint(kRed, "# claims hostnames of desired apps: " + Join(route.hijacked, ", ")) +
             "\n";
  }
  return out;
}

std::string SkippedAppDiagnostic(const SkippedApp& app, const Painter& paint) {
  std::vector<std::string> detail = {
      "It is left exactly as it is live (--skip-invalid-apps). Its errors:"};
  for (const std::string& error : app.errors)
    detail.push_back("  " + error);
  return Diagnostic(Severity::kWarning,
                    "App " + app.ns + "/" + app.name + " is invalid and was skipped", detail,
                    paint);
}

std::string Targets(const std::vector<std::string>& targets, const Painter& paint) {
  std::vector<std::string> detail = {
      "You are creating a plan with the --target option, which means that the result of this",
      "plan may not represent all of the changes requested by the desired state. Targets:"};
  for (const std::string& target : targets)
    detail.push_back("  " + target);
  return Diagnostic(Severity::kWarning, "Resource targeting is in effect", detail, paint);
}

std::string SummaryLine(const Plan& plan, const Painter& paint) {
  if (!plan.HasChanges()) {
    return paint(kBoldGreen, "No changes.") +
           paint(kBold, " Your gateway layer matches the desired state.") + "\n";
  }
  PlanSummary summary = plan.Summary();
  return paint(kBold, "Plan:") + " " + std::to_string(summary.add) + " to add, " +
         std::to_string(summary.change) + " to change, " + std::to_string(summary.destroy) +
         " to destroy.\n";
}

}  // namespace

std::string RenderPlanText(const Plan& plan, const TextOutputOptions& options) {
  Painter paint(options.color);
  std::vector<std::string> sections;
  if (plan.HasChanges()) {
    sections.push_back(Legend(plan, paint));
    sections.push_back("Starform will perform the following actions:\n");
    for (const ResourceChange& change : plan.resources) {
      if (change.action != Action::kNoOp)
        sections.push_back(Block(change, options, paint));
    }
  }
  if (!plan.foreign_routes.empty())
    sections.push_back(ForeignRoutes(plan.foreign_routes, paint));
  for (const SkippedApp& app : plan.skipped_apps)
    sections.push_back(SkippedAppDiagnostic(app, paint));
  for (const ResourceChange& change : plan.resources) {
    if (change.action == Action::kNoOp || change.recreates_load_balancer.empty())
      continue;
    sections.push_back(Diagnostic(
        Severity::kWarning, change.key.Address() + " recreates the DigitalOcean load balancer",
        {change.recreates_load_balancer, "The load balancer gets a new public IP address."},
        paint));
  }
  for (const std::string& warning : plan.warnings)
    sections.push_back(Diagnostic(Severity::kWarning, warning, {}, paint));
  for (const std::string& error : plan.errors)
    sections.push_back(Diagnostic(Severity::kError, error, {}, paint));
  if (!plan.targets.empty())
    sections.push_back(Targets(plan.targets, paint));
  sections.push_back(SummaryLine(plan, paint));
  return Join(sections, "\n");
}

}  // namespace starform
