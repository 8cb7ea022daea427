#pragma once

// The plan as people and programs read it: Terraform-style text (with an optional unified diff
// of each changed object's YAML), the versioned JSON document of docs/plan-format.md, and a
// compact Markdown summary for a pull-request comment. Pure functions of the plan.

#include <string>

#include <nlohmann/json.hpp>

#include "plan/plan.h"

namespace starform {

/// The "format_version" of the -o json document (docs/plan-format.md). Minor versions add
/// fields; a major version change means a reader must not trust what it does not know.
inline constexpr const char* kPlanFormatVersion = "1.0";

struct TextOutputOptions {
  bool color = false;  ///< ANSI colours (the caller decides: a terminal, no --no-color/NO_COLOR)
  bool diff = false;   ///< --diff: a unified diff of each changed object's YAML under it
};

/// The Terraform-style plan: legend of the symbols used, one block per changed object, foreign
/// routes, skipped apps, warnings, errors, and the summary line ("Plan: 1 to add, 2 to change,
/// 0 to destroy." or "No changes. ...").
std::string RenderPlanText(const Plan& plan, const TextOutputOptions& options);

/// The -o json document (docs/plan-format.md).
nlohmann::json PlanToJson(const Plan& plan);

/// -o markdown: a summary table and the changed fields, for a pull-request comment.
std::string RenderPlanMarkdown(const Plan& plan);

}  // namespace starform
