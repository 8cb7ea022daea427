#include <catch2/catch.hpp>

#include "plan/apply_program.h"

namespace starform {
namespace {

ResourceChange Change(const std::string& kind, const std::string& ns, const std::string& name,
                      Action action, bool adopt = false) {
  ResourceChange change;
  change.key = {"v", kind, ns, name};
  change.action = action;
  change.adopt = adopt;
  return change;
}

// "apply HTTPRoute a/shop" for each write of |program|, in stage order.
std::vector<std::string> Order(const Plan& plan, const ApplyProgram& program) {
  std::vector<std::string> order;
  for (const ProgramStage& stage : program.stages)
    for (size_t write : stage.writes) {
      const ObjectKey& key = plan.resources[program.writes[write].change].key;
      order.push_back(stage.name + " " + key.ns + "/" + key.name);
    }
  return order;
}

std::vector<std::string> Needs(const Plan& plan, const ApplyProgram& program,
                               const std::string& kind, const std::string& name) {
  for (const ProgramWrite& write : program.writes) {
    const ObjectKey& key = plan.resources[write.change].key;
    if (key.kind != kind || key.name != name)
      continue;
    std::vector<std::string> needs;
    for (size_t need : write.needs) {
      const ObjectKey& other = plan.resources[program.writes[need].change].key;
      needs.push_back(other.kind + " " + other.ns + "/" + other.name);
    }
    return needs;
  }
  FAIL("no write of " << kind << " " << name);
  return {};
}

Plan Mixed() {
  Plan plan;
  // In the planner's order: render order, then deletes.
  plan.resources = {
      Change("EnvoyProxy", "gw", "starform", Action::kNoOp),
      Change("Gateway", "gw", "starform", Action::kUpdate),
      Change("ClientTrafficPolicy", "gw", "identity", Action::kCreate),
      Change("ReferenceGrant", "shared", "auth", Action::kCreate),
      Change("SecurityPolicy", "a", "shop", Action::kCreate),
      Change("HTTPRoute", "a", "shop", Action::kCreate),
      Change("HTTPRoute", "a", "blog", Action::kReplace),
      Change("HTTPRoute", "a", "static", Action::kNoOp),
      Change("HTTPRoute", "b", "old", Action::kDelete),
      Change("SecurityPolicy", "b", "old", Action::kDelete),
      Change("ReferenceGrant", "shared", "gone", Action::kDelete),
  };
  return plan;
}

TEST_CASE("apply program: applies in render order, then deletes in reverse, no-ops left out") {
  Plan plan = Mixed();
  ApplyProgram program = ProgramOf(plan);
  CHECK(Order(plan, program) == std::vector<std::string>{
                                    "apply Gateway gw/starform",
                                    "apply ClientTrafficPolicy gw/identity",
                                    "apply ReferenceGrant shared/auth",
                                    "apply SecurityPolicy a/shop",
                                    "apply HTTPRoute a/shop",
                                    "apply HTTPRoute a/blog",
                                    "delete HTTPRoute b/old",
                                    "delete SecurityPolicy b/old",
                                    "delete ReferenceGrant shared/gone",
                                });
  CHECK(program.writes.size() == 9);
  CHECK(program.stages.size() == 8);
}

TEST_CASE("apply program: a route needs its policy and the ClientTrafficPolicy written first") {
  Plan plan = Mixed();
  ApplyProgram program = ProgramOf(plan);
  CHECK(Needs(plan, program, "HTTPRoute", "shop") ==
        std::vector<std::string>{"SecurityPolicy a/shop", "ClientTrafficPolicy gw/identity"});
  // blog's policy is not written by this apply: only the ClientTrafficPolicy.
  CHECK(Needs(plan, program, "HTTPRoute", "blog") ==
        std::vector<std::string>{"ClientTrafficPolicy gw/identity"});
  CHECK(Needs(plan, program, "SecurityPolicy", "shop").empty());
  CHECK(Needs(plan, program, "Gateway", "starform").empty());
}

TEST_CASE("apply program: a policy is deleted only after its route is") {
  Plan plan = Mixed();
  ApplyProgram program = ProgramOf(plan);
  CHECK(Needs(plan, program, "SecurityPolicy", "old") ==
        std::vector<std::string>{"HTTPRoute b/old"});
  CHECK(Needs(plan, program, "HTTPRoute", "old").empty());
}

TEST_CASE("apply program: destroying everything deletes the identity policy after every route") {
  Plan plan;
  plan.resources = {
      Change("HTTPRoute", "a", "shop", Action::kDelete),
      Change("HTTPRoute", "b", "blog", Action::kDelete),
      Change("SecurityPolicy", "a", "shop", Action::kDelete),
      Change("ClientTrafficPolicy", "gw", "identity", Action::kDelete),
      Change("Gateway", "gw", "starform", Action::kDelete),
      Change("EnvoyProxy", "gw", "starform", Action::kDelete),
  };
  ApplyProgram program = ProgramOf(plan);
  CHECK(Order(plan, program) == std::vector<std::string>{
                                    "delete HTTPRoute a/shop",
                                    "delete HTTPRoute b/blog",
                                    "delete SecurityPolicy a/shop",
                                    "delete ClientTrafficPolicy gw/identity",
                                    "delete Gateway gw/starform",
                                    "delete EnvoyProxy gw/starform",
                                });
  CHECK(Needs(plan, program, "ClientTrafficPolicy", "identity") ==
        std::vector<std::string>{"HTTPRoute a/shop", "HTTPRoute b/blog"});
}

TEST_CASE("apply program: a plan without changes has no stages") {
  Plan plan;
  plan.resources = {Change("HTTPRoute", "a", "shop", Action::kNoOp)};
  ApplyProgram program = ProgramOf(plan);
  CHECK(program.writes.empty());
  CHECK(program.stages.empty());
}

Plan WithDeletes(size_t owned, size_t deletes) {
  Plan plan;
  for (size_t i = 0; i < owned; ++i)
    plan.resources.push_back(Change("HTTPRoute", "a", "r" + std::to_string(i),
                                    i < deletes ? Action::kDelete : Action::kNoOp));
  return plan;
}

TEST_CASE("safety rails: --max-destroy defaults to 10% of the owned objects, at least 5") {
  CHECK(DefaultMaxDestroy(0) == 5);
  CHECK(DefaultMaxDestroy(50) == 5);
  CHECK(DefaultMaxDestroy(51) == 6);
  CHECK(DefaultMaxDestroy(1000) == 100);

  CHECK(SafetyRefusals(WithDeletes(100, 10), 3, {}).empty());
  std::vector<std::string> refused = SafetyRefusals(WithDeletes(100, 11), 3, {});
  REQUIRE(refused.size() == 1);
  CHECK(refused[0] ==
        "the plan destroys 11 objects, more than the default --max-destroy of 10 (10% of the 100 "
        "objects starform owns, at least 5); raise --max-destroy if that is intended");
  CHECK(SafetyRefusals(WithDeletes(10, 5), 3, {}).empty());
  CHECK(SafetyRefusals(WithDeletes(10, 6), 3, {}).size() == 1);
}

TEST_CASE("safety rails: an explicit --max-destroy raises or lowers the limit") {
  SafetyRails rails;
  rails.max_destroy = 50;
  CHECK(SafetyRefusals(WithDeletes(100, 50), 3, rails).empty());
  std::vector<std::string> refused = SafetyRefusals(WithDeletes(100, 51), 3, rails);
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].find("more than --max-destroy 50;") != std::string::npos);
  rails.max_destroy = 0;
  CHECK(SafetyRefusals(WithDeletes(100, 1), 3, rails).size() == 1);
}

TEST_CASE("safety rails: adopted and created objects are not counted as owned") {
  Plan plan = WithDeletes(10, 5);
  for (int i = 0; i < 40; ++i)
    plan.resources.push_back(Change("HTTPRoute", "a", "new" + std::to_string(i), Action::kCreate));
  plan.resources.push_back(Change("HTTPRoute", "a", "adopted", Action::kUpdate, /*adopt=*/true));
  CHECK(SafetyRefusals(plan, 3, {}).empty());  // 5 of 10 owned: the floor of 5 holds
  plan.resources.push_back(Change("HTTPRoute", "a", "r-extra", Action::kDelete));
  CHECK(SafetyRefusals(plan, 3, {}).size() == 1);  // 6 of 11 owned
}

TEST_CASE("safety rails: replaces count as deletions, a policy is never replaced") {
  Plan plan = WithDeletes(10, 5);
  plan.resources.push_back(Change("HTTPRoute", "a", "moved", Action::kReplace));
  CHECK(SafetyRefusals(plan, 3, {}).size() == 1);  // 6 deletions of 11 owned
  Plan policy;
  policy.resources = {Change("SecurityPolicy", "a", "shop", Action::kReplace),
                      Change("ClientTrafficPolicy", "gw", "identity", Action::kReplace)};
  std::vector<std::string> refused = SafetyRefusals(policy, 3, {});
  REQUIRE(refused.size() == 2);
  CHECK(refused[0].find("replaces securitypolicy a/shop, which would leave its app's route "
                        "served without authentication") != std::string::npos);
  CHECK(refused[1].find("identity-header stripping") != std::string::npos);
}

TEST_CASE("safety rails: a desired state without apps needs --allow-empty") {
  std::vector<std::string> refused = SafetyRefusals(WithDeletes(4, 0), 0, {});
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].find("--allow-empty") != std::string::npos);
  SafetyRails rails;
  rails.allow_empty = true;
  CHECK(SafetyRefusals(WithDeletes(4, 0), 0, rails).empty());
}

}  // namespace
}  // namespace starform
