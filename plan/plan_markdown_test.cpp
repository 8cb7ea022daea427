// RenderPlanMarkdown: golden files for every kind of plan, and escaping.

#include <string>

#include <catch2/catch.hpp>

#include "plan/plan_output.h"
#include "plan/plan_testing.h"

namespace starform {
namespace {

using testing::PlanCase;
using testing::PlanCases;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("plan markdown matches the golden files", "[plan_markdown]") {
  for (const auto& [name, plan] : PlanCases()) {
    SECTION(name) {
      testing::CheckGolden(name + ".md", RenderPlanMarkdown(plan));
    }
  }
}

TEST_CASE("plan markdown never prints the apply body nor escape codes", "[plan_markdown]") {
  for (const auto& [name, plan] : PlanCases()) {
    INFO(name);
    std::string markdown = RenderPlanMarkdown(plan);
    CHECK_FALSE(Contains(markdown, testing::kBodySentinel));
    CHECK_FALSE(Contains(markdown, "\x1b"));
  }
}

TEST_CASE("plan markdown heads with the counts, or says there are none", "[plan_markdown]") {
  CHECK(RenderPlanMarkdown(PlanCase("everything"))
            .starts_with("### Plan: 3 to add, 2 to change, 3 to destroy\n"));
  CHECK(RenderPlanMarkdown(PlanCase("no_changes")) ==
        "### No changes.\n\nYour gateway layer matches the desired state.\n");
}

TEST_CASE("plan markdown counts in singular and plural", "[plan_markdown]") {
  Plan plan;
  ResourceChange change = testing::CreateRoute();
  change.after = {{"spec", {{"a", 1}}}};
  plan.resources = {change};
  CHECK(Contains(RenderPlanMarkdown(plan), "| 1 field |"));
  plan.resources[0].after["spec"]["b"] = 2;
  CHECK(Contains(RenderPlanMarkdown(plan), "| 2 fields |"));
}

TEST_CASE("plan markdown escapes free text and code spans", "[plan_markdown]") {
  Plan plan;
  plan.warnings = {"*.example.com | <b>bold</b> _x_\nnext"};
  plan.targets = {"HTTPRoute/a`b/c"};
  std::string markdown = RenderPlanMarkdown(plan);
  CHECK(Contains(markdown, "- \\*.example.com \\| \\<b\\>bold\\</b\\> \\_x\\_ next\n"));
  CHECK(Contains(markdown, "`` HTTPRoute/a`b/c ``"));
}

}  // namespace
}  // namespace starform
