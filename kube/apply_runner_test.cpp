// The apply runner against a dev cluster with the upstream CRDs: writes in program order,
// drift taken back, a route held back when its policy failed, deletes guarded by the planned
// uid, and a stop that starts nothing new.

#include <catch2/catch.hpp>
#include <fstream>

#include "kube/apply_runner.h"
#include "kube/dry_runner.h"
#include "kube/kubeconfig.h"
#include "plan/desired_state.h"
#include "plan/planner.h"
#include "plan/render.h"
#include "testing/dev_cluster.h"

namespace starform::kube {
namespace {

using devcluster::DevCluster;
using nlohmann::json;
using Outcome = WriteResult::Outcome;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::unique_ptr<Client> Connect(DevCluster& cluster) {
  Kubeconfig k = ParseKubeconfig(ReadFile(cluster.kubeconfig_path()), cluster.kubeconfig_path());
  ClientOptions options;
  options.jitter_seed = 1;
  return Client::Connect(ResolveConfig(k, {}, SystemEnv()).rest, SystemEnv(), options);
}

// small.yaml, with a JWT on shop so that it has a SecurityPolicy; |without| drops that app.
DesiredState State(const std::string& without = "") {
  std::string text = ReadFile(std::string(STARFORM_TESTDATA_DIR) + "/states/small.yaml");
  const std::string shop_rules = "    listener: https\n";
  text.replace(text.find(shop_rules), shop_rules.size(),
               shop_rules +
                   "    auth:\n      jwt:\n        providers:\n          - name: idp\n"
                   "            issuer: https://id.example.com/\n"
                   "            jwksUri: https://id.example.com/jwks.json\n");
  DesiredState state;
  Diagnostics diags("small.yaml");
  INFO(diags.ToString());
  REQUIRE(LoadDesiredState(text, "small.yaml", &state, &diags));
  std::erase_if(state.apps, [&](const App& app) { return app.name.value == without; });
  return state;
}

struct Session {
  std::unique_ptr<Client> client;
  RenderedApis apis;
};

Session Open(DevCluster& cluster) {
  Session session{Connect(cluster), {}};
  std::string error;
  REQUIRE(Preflight(*session.client, &session.apis, &error));
  return session;
}

Plan PlanOf(Session& session, const DesiredState& state, bool dry_run = true) {
  std::vector<json> desired = Render(state);
  LiveRead live;
  std::string error;
  REQUIRE(ReadLive(*session.client, session.apis, ReadScopeOf(state, desired), &live, &error));
  Planner planner(std::move(desired), std::move(live.state), {});
  if (dry_run)
    ConfirmByDryRun(*session.client, session.apis, planner);
  Plan plan = planner.Finish({});
  INFO((plan.errors.empty() ? "" : plan.errors[0]));
  REQUIRE(plan.errors.empty());
  return plan;
}

std::vector<WriteResult> Run(Session& session, const Plan& plan, RunOptions options = {}) {
  return RunProgram(*session.client, session.apis, plan, ProgramOf(plan), options);
}

// "kind name: outcome" of each write, in order.
std::vector<std::string> Outcomes(const Plan& plan, const std::vector<WriteResult>& results) {
  ApplyProgram program = ProgramOf(plan);
  std::vector<std::string> out;
  for (const WriteResult& result : results) {
    const ObjectKey& key = plan.resources[program.writes[result.write].change].key;
    const char* names[] = {"done", "failed", "skipped", "not started"};
    out.push_back(key.kind + " " + key.name + ": " + names[static_cast<int>(result.outcome)]);
  }
  return out;
}

TEST_CASE("apply runner: writes the plan, after which there are no changes") {
  auto cluster = testing::StartDevCluster();
  Session session = Open(*cluster);
  Plan plan = PlanOf(session, State());
  REQUIRE(plan.Summary().add == Render(State()).size());
  std::vector<WriteResult> results = Run(session, plan);
  for (const WriteResult& result : results) {
    INFO(result.error);
    CHECK(result.outcome == Outcome::kDone);
  }
  CHECK_FALSE(PlanOf(session, State()).HasChanges());
}

TEST_CASE("apply runner: drift is taken back, other managers' extra fields removed") {
  auto cluster = testing::StartDevCluster();
  Session session = Open(*cluster);
  Run(session, PlanOf(session, State()));
  const ResourceRef& gateways = session.apis.at("Gateway");
  const ResourceRef& routes = session.apis.at("HTTPRoute");
  ApplyOptions other;
  other.field_manager = "platform-team";
  json listener = {{"apiVersion", "gateway.networking.k8s.io/v1"},
                   {"kind", "Gateway"},
                   {"metadata", {{"name", "starform"}, {"namespace", "starform-system"}}},
                   {"spec",
                    {{"gatewayClassName", "eg"},
                     {"listeners", {{{"name", "debug"}, {"port", 9000}, {"protocol", "HTTP"}}}}}}};
  REQUIRE(session.client->Apply(gateways, "starform-system", "starform", listener.dump(), other));
  other.field_manager = "kubectl-edit";
  other.force = true;
  json hostnames = {{"apiVersion", "gateway.networking.k8s.io/v1"},
                    {"kind", "HTTPRoute"},
                    {"metadata", {{"name", "docs"}, {"namespace", "tenant-acme"}}},
                    {"spec", {{"hostnames", {"evil.example.com"}}}}};
  REQUIRE(session.client->Apply(routes, "tenant-acme", "docs", hostnames.dump(), other));

  Plan drifted = PlanOf(session, State());
  REQUIRE(drifted.Summary().change == 2);
  std::vector<WriteResult> results = Run(session, drifted);
  for (const WriteResult& result : results) {
    INFO(result.error);
    CHECK(result.outcome == Outcome::kDone);
  }
  CHECK_FALSE(PlanOf(session, State()).HasChanges());
  json gateway = session.client->Get(gateways, "starform-system", "starform").value();
  CHECK(gateway["spec"]["listeners"].size() == 2);
  for (const json& item : gateway["spec"]["listeners"])
    CHECK(item["name"] != "debug");
  json docs = session.client->Get(routes, "tenant-acme", "docs").value();
  CHECK(docs["spec"]["hostnames"] == json{"docs.starform.app"});
}

TEST_CASE("apply runner: a drift removal the server finds invalid fails at once, not as stale") {
  auto cluster = testing::StartDevCluster();
  Session session = Open(*cluster);
  Plan plan = PlanOf(session, State());
  Run(session, plan);
  // The Gateway as an update whose removal would take a required field away: the server
  // refuses the patch as it refuses a failed resourceVersion test (422 Invalid).
  std::erase_if(plan.resources,
                [](const ResourceChange& change) { return change.key.kind != "Gateway"; });
  REQUIRE(plan.resources.size() == 1);
  plan.resources[0].action = Action::kUpdate;
  plan.resources[0].remove_paths = {"spec.gatewayClassName"};
  cluster->ClearRequestLog();
  std::vector<WriteResult> results = Run(session, plan);
  REQUIRE(results.size() == 1);
  CHECK(results[0].outcome == Outcome::kFailed);
  CHECK(results[0].error.starts_with("removing fields of other managers: "));
  CHECK(results[0].error.find("gatewayClassName") != std::string::npos);
  // One apply, one patch, one read that shows the object did not move: no second attempt.
  std::vector<std::string> requests;
  for (const devcluster::RequestRecord& record : cluster->RequestLog())
    if (record.path.find("/gateways/") != std::string::npos)
      requests.push_back(record.method);
  CHECK(requests == std::vector<std::string>{"PATCH", "PATCH", "GET"});
}

TEST_CASE("apply runner: a route whose SecurityPolicy failed to write is not written") {
  // Every server-side apply to an existing SecurityPolicy answers 409: creating one works,
  // changing it fails (and so would its dry run: these plans are made without).
  auto cluster = testing::StartDevCluster({false, "apply:securitypolicies:conflict=1"});
  Session session = Open(*cluster);
  for (const WriteResult& result : Run(session, PlanOf(session, State(), false)))
    REQUIRE(result.outcome == Outcome::kDone);
  DesiredState changed = State();
  for (App& app : changed.apps) {
    app.hostnames[0].value = "new-" + app.hostnames[0].value;
    if (app.auth)
      app.auth->jwt->providers[0].issuer.value = "https://other.example.com/";
  }
  Plan plan = PlanOf(session, changed, false);
  std::vector<WriteResult> results = Run(session, plan);
  std::vector<std::string> outcomes = Outcomes(plan, results);
  // In the program's order: the plan's, by namespace and name within a kind.
  CHECK(outcomes == std::vector<std::string>{"SecurityPolicy shop: failed", "HTTPRoute docs: done",
                                             "HTTPRoute shop: skipped", "HTTPRoute blog: done"});
  for (const WriteResult& result : results) {
    if (result.outcome == Outcome::kSkipped)
      CHECK(result.error == "not written because securitypolicy tenant-acme/shop was not written");
    if (result.outcome == Outcome::kFailed)
      CHECK(result.error.find("Conflict") != std::string::npos);
  }
  json route = session.client->Get(session.apis.at("HTTPRoute"), "tenant-acme", "shop").value();
  CHECK(route["spec"]["hostnames"] == json{"shop.starform.app"});
}

TEST_CASE("apply runner: deletes in reverse order, never an object recreated since the plan") {
  auto cluster = testing::StartDevCluster();
  Session session = Open(*cluster);
  Run(session, PlanOf(session, State()));
  Plan prune = PlanOf(session, State(/*without=*/"shop"));
  REQUIRE(prune.Summary().destroy == 2);
  std::vector<std::string> outcomes = Outcomes(prune, Run(session, prune));
  CHECK(outcomes == std::vector<std::string>{"HTTPRoute shop: done", "SecurityPolicy shop: done"});
  CHECK_FALSE(PlanOf(session, State("shop")).HasChanges());

  // docs is deleted and created again (a new uid) after the plan that deletes it.
  Run(session, PlanOf(session, State()));
  Plan stale = PlanOf(session, State("docs"));
  const ResourceRef& routes = session.apis.at("HTTPRoute");
  REQUIRE(session.client->Delete(routes, "tenant-acme", "docs"));
  Run(session, PlanOf(session, State()));
  std::vector<WriteResult> results = Run(session, stale);
  REQUIRE(results.size() == 1);
  CHECK(results[0].outcome == Outcome::kFailed);
  CHECK(results[0].error.find("replaced since the plan") != std::string::npos);
  CHECK(session.client->Get(routes, "tenant-acme", "docs"));
}

TEST_CASE("apply runner: once stopping, no write starts") {
  auto cluster = testing::StartDevCluster();
  Session session = Open(*cluster);
  Plan plan = PlanOf(session, State());
  RunOptions options;
  size_t ended = 0;
  options.on_result = [&ended](const WriteResult&) { ++ended; };
  options.stopping = [&ended] { return ended >= 2; };
  options.parallelism = 1;
  std::vector<WriteResult> results = Run(session, plan, options);
  size_t done = std::count_if(results.begin(), results.end(),
                              [](const WriteResult& r) { return r.outcome == Outcome::kDone; });
  CHECK(done == 2);
  CHECK(ended == results.size());
  for (size_t i = 2; i < results.size(); ++i)
    CHECK(results[i].outcome == Outcome::kNotStarted);
}

}  // namespace
}  // namespace starform::kube
