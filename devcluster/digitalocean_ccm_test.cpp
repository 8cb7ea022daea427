// The simulated DigitalOcean cloud controller, driven step by step with explicit times: events,
// annotations, status and timings, the account limit, API errors, deletion and renames.

#include "devcluster/digitalocean_ccm.h"

#include <catch2/catch.hpp>

#include "devcluster/controller_runner.h"

#include "devcluster/test_cluster.h"

namespace starform::devcluster::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using Clock = Controller::Clock;

constexpr const char* kLb1 = "a2451f49-ebb5-4a04-af61-e1ea8a049f7f";  // FakeUuid("load-balancer:1")
constexpr const char* kLb2 = "593607c3-1ab4-4607-be1f-0522ba9a2ae3";  // FakeUuid("load-balancer:2")
constexpr const char* kPending =
    "Error syncing load balancer: failed to ensure load balancer: load-balancer is currently "
    "being created";

// A cluster of its own per test: the controller sees every Service of the cluster.
struct Fixture {
  Fixture() {
    DevCluster::Options options;
    options.keep_alive_seconds = 1;
    options.controllers = false;  // the tests run the controller themselves
    cluster = std::make_unique<DevCluster>(options);
    cluster->Start();
    client = Client(*cluster);
    MakeNamespace(*client, "shop");
  }
  DigitalOceanCcmOptions Options() {
    DigitalOceanCcmOptions options;
    auto wall0 = std::chrono::system_clock::from_time_t(1767322800);  // 2026-01-02T03:00:00Z
    options.wall = [t0 = t0, wall0](Clock::time_point t) {
      return wall0 + std::chrono::duration_cast<std::chrono::system_clock::duration>(t - t0);
    };
    return options;
  }
  void CreateService(const std::string& name, const json& annotations = json::object()) {
    json service = {{"apiVersion", "v1"},
                    {"kind", "Service"},
                    {"metadata", {{"name", name}, {"annotations", annotations}}},
                    {"spec",
                     {{"type", "LoadBalancer"},
                      {"ports", {{{"name", "https"}, {"port", 443}, {"protocol", "TCP"}}}}}}};
    HttpResult r = client->Post("/api/v1/namespaces/shop/services", service);
    REQUIRE(r.code == 201);
  }
  json Service(const std::string& name) {
    return client->Get("/api/v1/namespaces/shop/services/" + name).Json();
  }
  // "type reason xcount first-last message", sorted.
  std::vector<std::string> Events() {
    json items = client->Get("/api/v1/namespaces/shop/events").Json()["items"];
    std::vector<std::string> out;
    for (const json& e : items) {
      out.push_back(e["type"].get<std::string>() + " " + e["reason"].get<std::string>() + " x" +
                    std::to_string(e["count"].get<int>()) + " " +
                    e["firstTimestamp"].get<std::string>().substr(11, 8) + "-" +
                    e["lastTimestamp"].get<std::string>().substr(11, 8) + " " +
                    e["message"].get<std::string>());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::unique_ptr<DevCluster> cluster;
  std::unique_ptr<TestClient> client;
  Clock::time_point t0 = Clock::time_point{} + std::chrono::hours(1000);
};

TEST_CASE("a load balancer is pending for lb_delay, with the real warnings, then gets an IP") {
  Fixture f;
  DigitalOceanCcmOptions options = f.Options();
  options.lb_delay = seconds(40);
  DigitalOceanCcm ccm(options);
  f.CreateService("web");

  CHECK(ccm.Reconcile(*f.cluster, f.t0) == f.t0 + seconds(15));
  json service = f.Service("web");
  CHECK(service["metadata"]["finalizers"] == json{"service.kubernetes.io/load-balancer-cleanup"});
  CHECK(service["metadata"]["annotations"] ==
        json{{"kubernetes.digitalocean.com/load-balancer-id", kLb1},
             {"service.beta.kubernetes.io/do-loadbalancer-type", "REGIONAL_NETWORK"}});
  CHECK_FALSE(service["status"]["loadBalancer"].contains("ingress"));
  // Its own annotation write changed the Service: the service controller syncs it again.
  CHECK(ccm.Reconcile(*f.cluster, f.t0) == f.t0 + seconds(15));
  CHECK(f.Events() ==
        std::vector<std::string>{
            "Normal EnsuringLoadBalancer x2 03:00:00-03:00:00 Ensuring load balancer",
            std::string("Warning SyncLoadBalancerFailed x2 03:00:00-03:00:00 ") + kPending});
  f.cluster->ClearRequestLog();
  CHECK(ccm.Reconcile(*f.cluster, f.t0 + seconds(10)) == f.t0 + seconds(15));
  CHECK(f.cluster->RequestLog().empty());  // nothing due: nothing written

  CHECK(ccm.Reconcile(*f.cluster, f.t0 + seconds(15)) == f.t0 + seconds(30));
  CHECK(ccm.Reconcile(*f.cluster, f.t0 + seconds(30)) == f.t0 + seconds(40));
  CHECK_FALSE(f.Service("web")["status"]["loadBalancer"].contains("ingress"));
  CHECK(ccm.Reconcile(*f.cluster, f.t0 + seconds(40)) == std::nullopt);
  CHECK(f.Service("web")["status"]["loadBalancer"] ==
        json::parse(R"({"ingress":[{"ip":"203.0.113.1","ipMode":"VIP"}]})"));
  CHECK(f.Events() ==
        std::vector<std::string>{
            "Normal EnsuredLoadBalancer x1 03:00:40-03:00:40 Ensured load balancer",
            "Normal EnsuringLoadBalancer x5 03:00:00-03:00:40 Ensuring load balancer",
            std::string("Warning SyncLoadBalancerFailed x4 03:00:00-03:00:30 ") + kPending});
  f.cluster->ClearRequestLog();
  CHECK(ccm.Reconcile(*f.cluster, f.t0 + seconds(50)) == std::nullopt);
  CHECK(f.cluster->RequestLog().empty());
}

TEST_CASE("events are core/v1 Events as the service controller's recorder writes them") {
  Fixture f;
  DigitalOceanCcm ccm(f.Options());
  f.CreateService("web");
  json before = f.Service("web");
  ccm.Reconcile(*f.cluster, f.t0);
  json items = f.client->Get("/api/v1/namespaces/shop/events").Json()["items"];
  REQUIRE(items.size() == 2);
  json event = items[0]["reason"] == "EnsuringLoadBalancer" ? items[0] : items[1];
  for (const char* server_set : {"uid", "resourceVersion", "creationTimestamp", "managedFields"})
    event["metadata"].erase(server_set);
  CHECK(event == json{{"apiVersion", "v1"},
                      {"kind", "Event"},
                      // <name>.<UnixNano in hex> of 2026-01-02T03:00:00Z
                      {"metadata", {{"name", "web.1886cab91172e000"}, {"namespace", "shop"}}},
                      {"involvedObject",
                       {{"kind", "Service"},
                        {"namespace", "shop"},
                        {"name", "web"},
                        {"uid", before["metadata"]["uid"]},
                        {"apiVersion", "v1"},
                        {"resourceVersion", before["metadata"]["resourceVersion"]}}},
                      {"reason", "EnsuringLoadBalancer"},
                      {"message", "Ensuring load balancer"},
                      {"source", {{"component", "service-controller"}}},
                      {"firstTimestamp", "2026-01-02T03:00:00Z"},
                      {"lastTimestamp", "2026-01-02T03:00:00Z"},
                      {"count", 1},
                      {"type", "Normal"},
                      {"eventTime", nullptr},
                      {"reportingComponent", "service-controller"},
                      {"reportingInstance", ""}});
}

TEST_CASE("the hostname annotation makes the ingress a hostname instead of the IP") {
  Fixture f;
  DigitalOceanCcm ccm(f.Options());
  f.CreateService("web", {{"service.beta.kubernetes.io/do-loadbalancer-hostname", "LB.Example.com"},
                          {"service.beta.kubernetes.io/do-loadbalancer-type", "REGIONAL"}});
  CHECK(ccm.Reconcile(*f.cluster, f.t0) == std::nullopt);
  json service = f.Service("web");
  CHECK(service["status"]["loadBalancer"] ==
        json::parse(R"({"ingress":[{"hostname":"lb.example.com"}]})"));
  CHECK(service["metadata"]["annotations"]["service.beta.kubernetes.io/do-loadbalancer-type"] ==
        "REGIONAL");
  CHECK(ccm.Reconcile(*f.cluster, f.t0) == std::nullopt);
  CHECK(f.Events() ==
        std::vector<std::string>{
            "Normal EnsuredLoadBalancer x2 03:00:00-03:00:00 Ensured load balancer",
            "Normal EnsuringLoadBalancer x2 03:00:00-03:00:00 Ensuring load balancer"});
}

TEST_CASE("past the account's limit the API's 422 is retried with backoff until a slot frees") {
  Fixture f;
  DigitalOceanCcmOptions options = f.Options();
  options.lb_limit = 1;
  DigitalOceanCcm ccm(options);
  f.CreateService("a");
  f.CreateService("b");
  CHECK(ccm.Reconcile(*f.cluster, f.t0) == f.t0 + seconds(5));
  CHECK(ccm.Reconcile(*f.cluster, f.t0) == f.t0 + seconds(5));
  CHECK(ccm.Reconcile(*f.cluster, f.t0 + seconds(5)) == f.t0 + seconds(15));
  std::string limit =
      "Error syncing load balancer: failed to ensure load balancer: failed to create "
      "load-balancer: POST https://api.digitalocean.com/v2/load_balancers: 422 (request \"";
  std::string why =
      "\") You have reached the load balancer limit for your account. Please contact support to "
      "increase your limit.";
  CHECK(f.Events() == std::vector<std::string>{
                          "Normal EnsuredLoadBalancer x2 03:00:00-03:00:00 Ensured load balancer",
                          "Normal EnsuringLoadBalancer x2 03:00:00-03:00:00 Ensuring load balancer",
                          "Normal EnsuringLoadBalancer x2 03:00:00-03:00:05 Ensuring load balancer",
                          "Warning SyncLoadBalancerFailed x1 03:00:00-03:00:00 " + limit +
                              "6ddc164a-1c28-4b19-8bbd-4f7214a80364" + why,
                          "Warning SyncLoadBalancerFailed x1 03:00:05-03:00:05 " + limit +
                              "a28ac2a2-95d3-4906-88ec-49275c941acc" + why});
  json b = f.Service("b");
  CHECK_FALSE(b["metadata"]
                  .value("annotations", json::object())
                  .contains("kubernetes.digitalocean.com/load-balancer-id"));

  // Deleting "a" releases its balancer: the finalizer holds the Service until then.
  REQUIRE(f.client->Delete("/api/v1/namespaces/shop/services/a").code == 200);
  CHECK(f.Service("a")["metadata"].contains("deletionTimestamp"));
  CHECK(ccm.Reconcile(*f.cluster, f.t0 + seconds(6)) == f.t0 + seconds(15));
  CHECK(f.client->Get("/api/v1/namespaces/shop/services/a").code == 404);
  CHECK(ccm.load_balancer_count() == 0);
  CHECK(ccm.Reconcile(*f.cluster, f.t0 + seconds(15)) == std::nullopt);
  CHECK(f.Service("b")["status"]["loadBalancer"]["ingress"][0]["ip"] == "203.0.113.2");
  CHECK(ccm.load_balancer_count() == 1);
  std::vector<std::string> events = f.Events();
  CHECK(std::count(events.begin(), events.end(),
                   "Normal DeletingLoadBalancer x1 03:00:06-03:00:06 Deleting load balancer") == 1);
  CHECK(std::count(events.begin(), events.end(),
                   "Normal DeletedLoadBalancer x1 03:00:06-03:00:06 Deleted load balancer") == 1);
}

TEST_CASE("API 500s are retried with the service controller's doubling backoff") {
  Fixture f;
  DigitalOceanCcmOptions options = f.Options();
  options.api_failures = 2;
  DigitalOceanCcm ccm(options);
  f.CreateService("web");
  CHECK(ccm.Reconcile(*f.cluster, f.t0) == f.t0 + seconds(5));
  CHECK(ccm.Reconcile(*f.cluster, f.t0 + seconds(5)) == f.t0 + seconds(15));
  CHECK(ccm.Reconcile(*f.cluster, f.t0 + seconds(15)) == std::nullopt);
  std::string failed =
      "Error syncing load balancer: failed to ensure load balancer: failed to create "
      "load-balancer: POST https://api.digitalocean.com/v2/load_balancers: 500 (request \"";
  std::string why = "\") Server was unable to give you a response.";
  CHECK(f.Events() == std::vector<std::string>{
                          "Normal EnsuredLoadBalancer x1 03:00:15-03:00:15 Ensured load balancer",
                          "Normal EnsuringLoadBalancer x3 03:00:00-03:00:15 Ensuring load balancer",
                          "Warning SyncLoadBalancerFailed x1 03:00:00-03:00:00 " + failed +
                              "6ddc164a-1c28-4b19-8bbd-4f7214a80364" + why,
                          "Warning SyncLoadBalancerFailed x1 03:00:05-03:00:05 " + failed +
                              "a28ac2a2-95d3-4906-88ec-49275c941acc" + why});
  CHECK(f.Service("web")["status"]["loadBalancer"]["ingress"][0]["ip"] == "203.0.113.1");
}

TEST_CASE("a renamed Service gets a new balancer and IP, leaving LoadBalancer releases it") {
  Fixture f;
  DigitalOceanCcm ccm(f.Options());
  f.CreateService("web");
  ccm.Reconcile(*f.cluster, f.t0);
  ccm.Reconcile(*f.cluster, f.t0);
  CHECK(f.Service("web")["status"]["loadBalancer"]["ingress"][0]["ip"] == "203.0.113.1");
  // A rename is a delete and a create.
  REQUIRE(f.client->Delete("/api/v1/namespaces/shop/services/web").code == 200);
  f.CreateService("web-v2");
  ccm.Reconcile(*f.cluster, f.t0 + seconds(1));
  ccm.Reconcile(*f.cluster, f.t0 + seconds(1));
  CHECK(f.client->Get("/api/v1/namespaces/shop/services/web").code == 404);
  json renamed = f.Service("web-v2");
  CHECK(renamed["status"]["loadBalancer"]["ingress"][0]["ip"] == "203.0.113.2");
  CHECK(renamed["metadata"]["annotations"]["kubernetes.digitalocean.com/load-balancer-id"] == kLb2);
  CHECK(ccm.load_balancer_count() == 1);

  REQUIRE(f.client
              ->Patch("/api/v1/namespaces/shop/services/web-v2", R"({"spec":{"type":"ClusterIP"}})",
                      "application/merge-patch+json")
              .code == 200);
  CHECK(ccm.Reconcile(*f.cluster, f.t0 + seconds(2)) == std::nullopt);
  json cluster_ip = f.Service("web-v2");
  CHECK_FALSE(cluster_ip["metadata"].contains("finalizers"));
  CHECK(cluster_ip["status"]["loadBalancer"] == json::object());
  CHECK(ccm.load_balancer_count() == 0);
}

TEST_CASE("the runner drives the DigitalOcean controller from the cluster's options") {
  DevCluster::Options options;
  options.keep_alive_seconds = 1;
  options.controllers = false;  // a runner of its own below, with this controller only
  options.lb_limit = 1;
  DevCluster cluster(options);
  cluster.Start();
  std::vector<std::unique_ptr<Controller>> defaults = DefaultControllers(cluster);
  CHECK(std::count_if(defaults.begin(), defaults.end(),
                      [](const auto& c) { return c->name() == "digitalocean-ccm"; }) == 1);
  std::vector<std::unique_ptr<Controller>> controllers;
  controllers.push_back(MakeDigitalOceanCcm(cluster));
  ControllerRunner runner(cluster, std::move(controllers));
  runner.Start();
  auto client = Client(cluster);
  MakeNamespace(*client, "shop");
  for (const char* name : {"web", "api"}) {
    json service = {{"apiVersion", "v1"},
                    {"kind", "Service"},
                    {"metadata", {{"name", name}}},
                    {"spec", {{"type", "LoadBalancer"}, {"ports", {{{"port", 443}}}}}}};
    REQUIRE(client->Post("/api/v1/namespaces/shop/services", service).code == 201);
    REQUIRE(runner.WaitForIdle(std::chrono::seconds(10)));
  }
  json web = client->Get("/api/v1/namespaces/shop/services/web").Json();
  CHECK(web["status"]["loadBalancer"] ==
        json::parse(R"({"ingress":[{"ip":"203.0.113.1","ipMode":"VIP"}]})"));
  CHECK(web["metadata"]["annotations"]["kubernetes.digitalocean.com/load-balancer-id"] == kLb1);
  // The limit of one from the options: the second Service waits, with the API's error.
  json api = client->Get("/api/v1/namespaces/shop/services/api").Json();
  CHECK_FALSE(api["status"]["loadBalancer"].contains("ingress"));
  json events = client
                    ->Get(
                        "/api/v1/namespaces/shop/events?fieldSelector=involvedObject.name%3Dapi"
                        "%2Creason%3DSyncLoadBalancerFailed")
                    .Json()["items"];
  REQUIRE(events.size() == 1);
  CHECK(events[0]["message"].get<std::string>().find(" 422 (request ") != std::string::npos);
  runner.Stop();
}

}  // namespace
}  // namespace starform::devcluster::testing
