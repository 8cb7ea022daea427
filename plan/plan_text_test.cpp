// RenderPlanText: golden files for every kind of plan (plain, coloured, with --diff), and the
// rules the goldens only show by example: alignment, plurals, colour, secrets.

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "plan/plan_output.h"
#include "plan/plan_testing.h"

namespace starform {
namespace {

using nlohmann::json;
using testing::PlanCase;
using testing::PlanCases;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("plan text matches the golden files", "[plan_text]") {
  for (const auto& [name, plan] : PlanCases()) {
    SECTION(name) {
      testing::CheckGolden(name + ".txt", RenderPlanText(plan, {.color = false, .diff = false}));
      testing::CheckGolden(name + ".color.txt",
                           RenderPlanText(plan, {.color = true, .diff = false}));
      testing::CheckGolden(name + ".diff.txt",
                           RenderPlanText(plan, {.color = false, .diff = true}));
    }
  }
}

TEST_CASE("plan text has no escape codes without colour, and colour with it", "[plan_text]") {
  for (const auto& [name, plan] : PlanCases()) {
    INFO(name);
    CHECK_FALSE(Contains(RenderPlanText(plan, {.color = false, .diff = false}), "\x1b"));
    CHECK_FALSE(Contains(RenderPlanText(plan, {.color = false, .diff = true}), "\x1b"));
    std::string colored = RenderPlanText(plan, {.color = true, .diff = true});
    CHECK(Contains(colored, "\x1b["));
  }
}

TEST_CASE("plan text never prints the apply body", "[plan_text]") {
  for (const auto& [name, plan] : PlanCases()) {
    INFO(name);
    CHECK_FALSE(
        Contains(RenderPlanText(plan, {.color = true, .diff = true}), testing::kBodySentinel));
  }
}

TEST_CASE("plan text aligns the = of a block's fields", "[plan_text]") {
  Plan plan;
  ResourceChange change = testing::UpdateRoute();
  change.changes.push_back({FieldChange::Op::kAdd, "x", nullptr, 1, ""});
  plan.resources = {change};
  std::vector<size_t> columns;
  for (const std::string& line : Lines(RenderPlanText(plan, {}))) {
    if (line.starts_with("      ") && Contains(line, " = "))
      columns.push_back(line.find(" = "));
  }
  REQUIRE(columns.size() == 4);
  CHECK(columns[0] == std::string("      ~ spec.rules[0].backendRefs[name=\"blog\"].port").size());
  for (size_t column : columns)
    CHECK(column == columns[0]);
}

TEST_CASE("plan text counts in singular and plural", "[plan_text]") {
  Plan plan;
  ResourceChange change = testing::UpdateRoute();
  change.unchanged_fields = 1;
  plan.resources = {change};
  CHECK(Contains(RenderPlanText(plan, {}), "        # (1 unchanged field hidden)\n"));
  plan.resources[0].unchanged_fields = 2;
  CHECK(Contains(RenderPlanText(plan, {}), "        # (2 unchanged fields hidden)\n"));
  plan.resources[0].unchanged_fields = 0;
  CHECK_FALSE(Contains(RenderPlanText(plan, {}), "unchanged"));
}

TEST_CASE("plan text's legend lists only the symbols used", "[plan_text]") {
  std::string text = RenderPlanText(PlanCase("delete"), {});
  CHECK(Contains(text, "\n  - destroy\n"));
  CHECK_FALSE(Contains(text, "+ create"));
  CHECK_FALSE(Contains(text, "~ update in-place"));
  CHECK_FALSE(Contains(text, "-/+"));
  CHECK_FALSE(Contains(RenderPlanText(PlanCase("no_changes"), {}), "symbols"));
}

TEST_CASE("plan text ends with the summary line", "[plan_text]") {
  CHECK(RenderPlanText(PlanCase("everything"), {})
            .ends_with("\nPlan: 3 to add, 2 to change, 3 to destroy.\n"));
  CHECK(RenderPlanText(PlanCase("no_changes"), {}) ==
        "No changes. Your gateway layer matches the desired state.\n");
}

TEST_CASE("plan text prints long structures as indented JSON", "[plan_text]") {
  Plan plan;
  ResourceChange change = testing::UpdateRoute();
  change.changes = {
      {FieldChange::Op::kAdd, "spec.short", nullptr, json{{"a", 1}, {"b", "x"}}, ""},
      {FieldChange::Op::kAdd, "spec.long", nullptr,
       json{{"name", "a-rather-long-name"}, {"value", "an even longer value here"}}, ""}};
  change.unchanged_fields = 0;
  plan.resources = {change};
  std::string text = RenderPlanText(plan, {});
  CHECK(Contains(text, "      + spec.short = {\"a\": 1, \"b\": \"x\"}\n"));
  CHECK(Contains(text,
                 "      + spec.long  = {\n"
                 "          \"name\": \"a-rather-long-name\",\n"
                 "          \"value\": \"an even longer value here\"\n"
                 "        }\n"));
}

TEST_CASE("plan text --diff writes unified hunks with diff -u's ranges", "[plan_text]") {
  Plan plan;
  ResourceChange change;
  change.key = testing::RouteKey("a", "b");
  change.action = Action::kUpdate;
  json before = json::object();
  for (int i = 0; i < 20; ++i)
    before["k" + std::to_string(100 + i)] = i;
  json after = before;
  after["k101"] = "one";
  after["k118"] = "eighteen";
  after.erase("k110");
  change.before = before;
  change.after = after;
  change.changes = {{FieldChange::Op::kModify, "k101", 1, "one", ""}};
  plan.resources = {change};
  std::string text = RenderPlanText(plan, {.color = false, .diff = true});
  // What GNU diff -u prints for the same two files.
  CHECK(text.substr(text.find("    --- live")) ==
        "    --- live\n"
        "    +++ planned\n"
        "    @@ -1,5 +1,5 @@\n"
        "     k100: 0\n"
        "    -k101: 1\n"
        "    +k101: one\n"
        "     k102: 2\n"
        "     k103: 3\n"
        "     k104: 4\n"
        "    @@ -8,7 +8,6 @@\n"
        "     k107: 7\n"
        "     k108: 8\n"
        "     k109: 9\n"
        "    -k110: 10\n"
        "     k111: 11\n"
        "     k112: 12\n"
        "     k113: 13\n"
        "    @@ -16,5 +15,5 @@\n"
        "     k115: 15\n"
        "     k116: 16\n"
        "     k117: 17\n"
        "    -k118: 18\n"
        "    +k118: eighteen\n"
        "     k119: 19\n"
        "\n"
        "Plan: 0 to add, 1 to change, 0 to destroy.\n");
}

TEST_CASE("plan text --diff of a created object adds every line", "[plan_text]") {
  Plan plan;
  ResourceChange change;
  change.key = testing::RouteKey("a", "b");
  change.action = Action::kCreate;
  change.after = {{"a", 1}, {"b", 2}};
  plan.resources = {change};
  CHECK(Contains(RenderPlanText(plan, {.color = false, .diff = true}),
                 "    --- live\n    +++ planned\n    @@ -0,0 +1,2 @@\n    +a: 1\n    +b: 2\n"));
}

}  // namespace
}  // namespace starform
