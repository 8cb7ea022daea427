// The live reader and the dry runner against a dev cluster with the upstream CRDs: what a plan
// reads, and the saved-plan staleness rule (status-only changes do not count).

#include <catch2/catch.hpp>
#include <fstream>

#include "devcluster/server.h"
#include "kube/dry_runner.h"
#include "kube/kubeconfig.h"
#include "kube/live_reader.h"
#include "plan/desired_state.h"
#include "plan/plan_file.h"
#include "plan/planner.h"
#include "plan/render.h"
#include "testing/dev_cluster.h"

namespace starform::kube {
namespace {

using devcluster::DevCluster;
using nlohmann::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

DevCluster& Cluster() {
  static std::unique_ptr<DevCluster> cluster = testing::StartDevCluster();
  return *cluster;
}

std::unique_ptr<Client> Connect() {
  Kubeconfig k =
      ParseKubeconfig(ReadFile(Cluster().kubeconfig_path()), Cluster().kubeconfig_path());
  ClientOptions options;
  options.jitter_seed = 1;
  return Client::Connect(ResolveConfig(k, {}, SystemEnv()).rest, SystemEnv(), options);
}

DesiredState Small() {
  DesiredState state;
  Diagnostics diags("small.yaml");
  std::string text = ReadFile(std::string(STARFORM_TESTDATA_DIR) + "/states/small.yaml");
  REQUIRE(LoadDesiredState(text, "small.yaml", &state, &diags));
  return state;
}

std::set<ObjectKey> KeysOf(const std::vector<json>& objects) {
  std::set<ObjectKey> keys;
  for (const json& object : objects)
    keys.insert({object["apiVersion"], object["kind"], object["metadata"]["namespace"],
                 object["metadata"]["name"]});
  return keys;
}

void ApplyAll(Client& client, const RenderedApis& apis, const std::vector<json>& objects) {
  ApplyOptions options;
  options.force = true;
  for (const json& object : objects) {
    Result<json> applied = client.Apply(apis.at(object["kind"]), object["metadata"]["namespace"],
                                        object["metadata"]["name"], object.dump(), options);
    INFO((applied ? "" : applied.error().Describe()));
    REQUIRE(applied);
  }
}

// Makes the plan of |state| as `plan` does, dry run included.
Plan PlanOf(Client& client, const RenderedApis& apis, const DesiredState& state,
            LiveRead* live_out = nullptr) {
  std::vector<json> desired = Render(state);
  LiveRead live;
  std::string error;
  REQUIRE(ReadLive(client, apis, ReadScopeOf(state, desired), &live, &error));
  if (live_out != nullptr)
    *live_out = live;
  Planner planner(std::move(desired), std::move(live.state), {});
  ConfirmByDryRun(client, apis, planner);
  PlanOrigin origin;
  origin.server = client.config().host;
  origin.cluster_identity = live.cluster_identity;
  return planner.Finish(origin);
}

LiveDigests DigestsNow(Client& client, const RenderedApis& apis, const Plan& plan) {
  std::vector<ObjectKey> keys;
  for (const ResourceChange& change : plan.resources)
    keys.push_back(change.key);
  LiveDigests now;
  std::string error;
  REQUIRE(ReadDigests(client, apis, keys, &now, &error));
  return now;
}

TEST_CASE("live reader: preflight finds every rendered kind in the dev cluster") {
  auto client = Connect();
  RenderedApis apis;
  std::string error;
  REQUIRE(Preflight(*client, &apis, &error));
  CHECK(apis.size() == RenderedKinds().size());
  CHECK(apis.at("ReferenceGrant").version == "v1beta1");
  CHECK(apis.at("HTTPRoute").resource == "httproutes");
}

TEST_CASE("live reader: reads the facts readiness needs and the cluster's identity") {
  auto client = Connect();
  RenderedApis apis;
  std::string error;
  REQUIRE(Preflight(*client, &apis, &error));
  LiveRead live;
  PlanOf(*client, apis, Small(), &live);
  CHECK_FALSE(live.cluster_identity.empty());
  CHECK(live.state.facts.gateway_class.has_value());
  CHECK(live.state.facts.secrets.count("starform-system/starform-app-tls") == 1);
  CHECK(live.state.facts.services_known);
  CHECK(live.state.facts.services.count("tenant-acme/shop-web") == 1);
  CHECK(live.state.facts.namespaces.count("tenant-globex") == 1);
}

TEST_CASE("live reader: pages read before the scope is known are sorted by Finish the same") {
  auto client = Connect();
  RenderedApis apis;
  std::string error;
  REQUIRE(Preflight(*client, &apis, &error));
  DesiredState state = Small();
  std::vector<json> desired = Render(state);
  ApplyAll(*client, apis, desired);
  ReadScope scope = ReadScopeOf(state, desired);
  CHECK(scope.desired == KeysOf(desired));

  LiveRead at_once;
  REQUIRE(ReadLive(*client, apis, scope, &at_once, &error));
  LiveReader reader(*client, apis);
  int asked = 0;
  reader.ReadUnscoped([&asked]() -> const ReadScope* {
    ++asked;
    return nullptr;
  });
  LiveRead held;
  REQUIRE(reader.Finish(scope, &held, &error));

  CHECK(asked > 0);
  REQUIRE(held.state.objects.size() == at_once.state.objects.size());
  CHECK(held.state.objects.size() >= desired.size());
  for (const auto& [key, object] : at_once.state.objects) {
    INFO(key.Address());
    REQUIRE(held.state.objects.count(key) == 1);
    CHECK(held.state.objects.at(key).spec == object.spec);
    CHECK(held.state.objects.at(key).uid == object.uid);
  }
  // Services of namespaces no app uses are dropped once the scope is known.
  CHECK(held.state.facts.services == at_once.state.facts.services);
  CHECK(held.state.facts.services.count("tenant-acme/shop-web") == 1);
  for (const auto& [name, ports] : held.state.facts.services)
    CHECK(scope.app_namespaces.count(name.substr(0, name.find('/'))) == 1);
  CHECK(held.state.facts.secrets == at_once.state.facts.secrets);
  CHECK(held.state.facts.gateway_class == at_once.state.facts.gateway_class);
  CHECK(held.cluster_identity == at_once.cluster_identity);
}

TEST_CASE("live reader: a read that fails before the scope is known fails Finish") {
  auto client = Connect();
  RenderedApis apis;
  std::string error;
  REQUIRE(Preflight(*client, &apis, &error));
  apis["HTTPRoute"].resource = "nosuchroutes";
  DesiredState state = Small();
  LiveReader reader(*client, apis);
  reader.ReadUnscoped([]() -> const ReadScope* { return nullptr; });
  LiveRead live;
  CHECK_FALSE(reader.Finish(ReadScopeOf(state, Render(state)), &live, &error));
  CHECK(error.find("reading the HTTPRoute objects") != std::string::npos);
}

TEST_CASE("saved plans: a status update leaves a plan valid, a spec change makes it stale") {
  auto client = Connect();
  RenderedApis apis;
  std::string error;
  REQUIRE(Preflight(*client, &apis, &error));
  DesiredState state = Small();
  ApplyAll(*client, apis, Render(state));
  Plan plan = PlanOf(*client, apis, state);
  REQUIRE_FALSE(plan.HasChanges());
  const std::string server = plan.origin.server;
  const std::string identity = plan.origin.cluster_identity;
  CHECK(StaleReasons(plan, server, identity, DigestsNow(*client, apis, plan)).empty());

  // A controller writes status (attachedRoutes, conditions): not a change to the plan.
  std::string route_path = apis.at("HTTPRoute").Path("tenant-acme", "shop");
  Result<json> route = client->GetJson(route_path);
  REQUIRE(route);
  json with_status = route.value();
  with_status["status"] = {
      {"parents",
       {{{"parentRef", {{"name", "starform"}, {"namespace", "starform-system"}}},
         {"controllerName", "gateway.envoyproxy.io/gatewayclass-controller"},
         {"conditions",
          {{{"type", "Accepted"},
            {"status", "True"},
            {"reason", "Accepted"},
            {"message", "Route is accepted"},
            {"lastTransitionTime", "2026-11-26T00:00:00Z"},
            {"observedGeneration", 1}}}}}}}};
  devcluster::LocalRequest put;
  put.method = "PUT";
  put.target = route_path + "/status";
  put.body = with_status.dump();
  REQUIRE(Cluster().Call(put).status == 200);
  CHECK(StaleReasons(plan, server, identity, DigestsNow(*client, apis, plan)).empty());

  // A spec change is.
  devcluster::LocalRequest patch;
  patch.method = "PATCH";
  patch.target = route_path + "?fieldManager=kubectl-edit";
  patch.content_type = "application/merge-patch+json";
  patch.body = R"({"spec":{"hostnames":["elsewhere.starform.app"]}})";
  REQUIRE(Cluster().Call(patch).status == 200);
  std::vector<std::string> reasons =
      StaleReasons(plan, server, identity, DigestsNow(*client, apis, plan));
  REQUIRE(reasons.size() == 1);
  CHECK(reasons[0] ==
        "Saved plan is stale: httproute tenant-acme/shop changed since the plan was made");

  // And another cluster behind the same URL is refused.
  CHECK_FALSE(StaleReasons(plan, server, "another-uid", DigestsNow(*client, apis, plan)).empty());
}

TEST_CASE("dry runner: an immutable-field refusal becomes a replacement, others errors") {
  Result<json> immutable = ApiError{Reason::kInvalid,
                                    422,
                                    "HTTPRoute.gateway.networking.k8s.io \"x\" is invalid",
                                    {{"FieldValueInvalid", "spec.x", "field is immutable"}},
                                    {},
                                    {},
                                    "PATCH",
                                    "https://h/x"};
  DryRunOutcome outcome = DryRunOutcomeOf(immutable);
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.immutable == "spec.x: field is immutable");
  Result<json> refused = ApiError{Reason::kInvalid,
                                  422,
                                  "bad",
                                  {{"FieldValueRequired", "spec.y", "Required value"}},
                                  {},
                                  {},
                                  "PATCH",
                                  "https://h/x"};
  outcome = DryRunOutcomeOf(refused);
  CHECK(outcome.immutable.empty());
  CHECK_FALSE(outcome.error.empty());
}

}  // namespace
}  // namespace starform::kube
