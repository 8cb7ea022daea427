#include "devcluster/envoy_gateway_controller.h"

#include <catch2/catch.hpp>
#include <thread>

#include "devcluster/server.h"
#include "devcluster/status.h"

namespace starform::devcluster {
namespace {

using nlohmann::json;

const char* kWhen = "2026-01-01T00:00:00Z";

std::string Plural(const std::string& kind) {
  static const std::map<std::string, std::string> kPlural = {{"GatewayClass", "gatewayclasses"},
                                                             {"Gateway", "gateways"},
                                                             {"HTTPRoute", "httproutes"},
                                                             {"ReferenceGrant", "referencegrants"},
                                                             {"SecurityPolicy", "securitypolicies"},
                                                             {"EnvoyProxy", "envoyproxies"},
                                                             {"Service", "services"},
                                                             {"Secret", "secrets"},
                                                             {"Namespace", "namespaces"}};
  return kPlural.at(kind);
}

std::string Collection(const json& object) {
  std::string api = object["apiVersion"];
  std::string prefix = api == "v1" ? "/api/v1" : "/apis/" + api;
  std::string ns = object["metadata"].value("namespace", "");
  return prefix + (ns.empty() ? "" : "/namespaces/" + ns) + "/" + Plural(object["kind"]);
}

// A test cluster without the runner: the tests call Reconcile themselves.
struct Fixture {
  Fixture() : cluster(Make()) {
    cluster.Start();
    controller = std::make_unique<EnvoyGatewayController>(ControllerOptions());
    Create(Namespace("envoy-gateway-system"));
    Create(Namespace("infra"));
    Create({{"apiVersion", "gateway.networking.k8s.io/v1"},
            {"kind", "GatewayClass"},
            {"metadata", {{"name", "eg"}}},
            {"spec", {{"controllerName", "gateway.envoyproxy.io/gatewayclass-controller"}}}});
  }
  static DevCluster::Options Make() {
    DevCluster::Options options;
    options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
    options.controllers = false;
    options.keep_alive_seconds = 1;
    // DigitalOcean's webhook, as far as these tests need it.
    options.hooks.admitters.push_back([](const ResourceType&, const std::string&,
                                         const json& object, const json*) {
      if (object.value(
              "/metadata/annotations/service.beta.kubernetes.io~1do-loadbalancer-size-slug"_json_pointer,
              "") == "lb-huge")
        throw StatusError(400, "BadRequest", "invalid LB size slug provided: lb-huge");
    });
    return options;
  }
  static EnvoyGatewayController::Options ControllerOptions() {
    EnvoyGatewayController::Options options;
    options.wall_clock = [] { return std::string(kWhen); };
    return options;
  }
  static json Namespace(const std::string& name, json labels = json::object()) {
    return {{"apiVersion", "v1"},
            {"kind", "Namespace"},
            {"metadata", {{"name", name}, {"labels", labels}}}};
  }
  void Create(const json& object) {
    LocalRequest request;
    request.method = "POST";
    request.target = Collection(object);
    request.body = object.dump();
    LocalResponse response = cluster.Call(request);
    INFO(response.body);
    REQUIRE(response.status == 201);
  }
  void Replace(json object) {
    json live =
        Get(object["kind"], object["metadata"].value("namespace", ""), object["metadata"]["name"]);
    object["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"];
    LocalRequest request;
    request.method = "PUT";
    request.target = Collection(object) + "/" + object["metadata"]["name"].get<std::string>();
    request.body = object.dump();
    LocalResponse response = cluster.Call(request);
    INFO(response.body);
    REQUIRE(response.status == 200);
  }
  void Delete(const std::string& kind, const std::string& ns, const std::string& name) {
    json stub = {{"apiVersion",
                  kind == "Gateway" || kind == "HTTPRoute" ? "gateway.networking.k8s.io/v1" : "v1"},
                 {"kind", kind},
                 {"metadata", {{"namespace", ns}}}};
    LocalRequest request;
    request.method = "DELETE";
    request.target = Collection(stub) + "/" + name;
    REQUIRE(cluster.Call(request).status == 200);
  }
  json Get(const std::string& kind, const std::string& ns, const std::string& name) {
    return cluster.Get(Plural(kind), ns, name);
  }
  // One Reconcile, one second after the last.
  void Step() {
    now += std::chrono::seconds(1);
    controller->Reconcile(cluster, now);
  }
  // The load balancer's address, as DigitalOcean's cloud controller would write it.
  void SetIngress(const std::string& service, const json& ingress) {
    json svc = Get("Service", "envoy-gateway-system", service);
    REQUIRE(!svc.is_null());
    svc["status"] = {{"loadBalancer", {{"ingress", ingress}}}};
    LocalRequest request;
    request.method = "PUT";
    request.target = "/api/v1/namespaces/envoy-gateway-system/services/" + service + "/status";
    request.body = svc.dump();
    REQUIRE(cluster.Call(request).status == 200);
  }

  DevCluster cluster;
  std::unique_ptr<EnvoyGatewayController> controller;
  Controller::Clock::time_point now{};
};

json Gateway(const std::string& ns, const std::string& name, json listeners) {
  return {{"apiVersion", "gateway.networking.k8s.io/v1"},
          {"kind", "Gateway"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"gatewayClassName", "eg"}, {"listeners", listeners}}}};
}

json Http(const std::string& name = "http", int port = 80, json allowed = nullptr) {
  json l = {{"name", name}, {"protocol", "HTTP"}, {"port", port}};
  if (!allowed.is_null())
    l["allowedRoutes"] = {{"namespaces", allowed}};
  return l;
}

json Service(const std::string& ns, const std::string& name, int port = 8080) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"ports", {{{"port", port}, {"protocol", "TCP"}}}}}}};
}

json Route(const std::string& ns, const std::string& name, json parent, json backend,
           json hostnames = json::array({"shop.example.com"})) {
  return {{"apiVersion", "gateway.networking.k8s.io/v1"},
          {"kind", "HTTPRoute"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"parentRefs", {parent}},
            {"hostnames", hostnames},
            {"rules", {{{"backendRefs", {backend}}}}}}}};
}

json Condition(const json& conditions, const std::string& type) {
  for (const json& c : conditions) {
    if (c["type"] == type)
      return c;
  }
  return nullptr;
}

// type, status, reason, message and observedGeneration of one condition.
void CheckCondition(const json& conditions, const std::string& type, const std::string& status,
                    const std::string& reason, const std::string& message, int generation = 1) {
  json c = Condition(conditions, type);
  INFO(conditions.dump(2));
  REQUIRE(c.is_object());
  CHECK(c["status"] == status);
  CHECK(c["reason"] == reason);
  CHECK(c["message"] == message);
  CHECK(c["observedGeneration"] == generation);
  CHECK(c["lastTransitionTime"] == kWhen);
}

TEST_CASE("eg: the Service name is EG's hashed name", "[envoy_gateway]") {
  CHECK(EnvoyGatewayController::ServiceName("default", "eg") == "envoy-default-eg-e41e7b31");
  CHECK(EnvoyGatewayController::ServiceName("starform-system", "starform") ==
        "envoy-starform-system-starform-31f22f83");
  std::string longer =
      EnvoyGatewayController::ServiceName(std::string(30, 'a'), std::string(30, 'b'));
  CHECK(longer.size() == std::string("envoy-").size() + 48 + 1 + 8);
}

TEST_CASE("eg: GatewayClass Accepted, or InvalidParameters", "[envoy_gateway]") {
  Fixture f;
  f.Create({{"apiVersion", "gateway.networking.k8s.io/v1"},
            {"kind", "GatewayClass"},
            {"metadata", {{"name", "broken"}}},
            {"spec",
             {{"controllerName", "gateway.envoyproxy.io/gatewayclass-controller"},
              {"parametersRef",
               {{"group", "gateway.envoyproxy.io"},
                {"kind", "EnvoyProxy"},
                {"name", "missing"},
                {"namespace", "infra"}}}}}});
  f.Create({{"apiVersion", "gateway.networking.k8s.io/v1"},
            {"kind", "GatewayClass"},
            {"metadata", {{"name", "other"}}},
            {"spec", {{"controllerName", "example.com/other"}}}});
  f.Step();
  CheckCondition(f.Get("GatewayClass", "", "eg")["status"]["conditions"], "Accepted", "True",
                 "Accepted", "Valid GatewayClass");
  CheckCondition(f.Get("GatewayClass", "", "broken")["status"]["conditions"], "Accepted", "False",
                 "InvalidParameters", "Invalid parametersRef");
  json other = Condition(f.Get("GatewayClass", "", "other")["status"]["conditions"], "Accepted");
  CHECK(other["reason"] != "Accepted");  // not ours: left as the server defaulted it
}

TEST_CASE("eg: a Gateway gets its Service, then an address and Programmed", "[envoy_gateway]") {
  Fixture f;
  f.Create(Gateway("infra", "edge", {Http("http", 80), Http("alt", 8080)}));
  f.Step();
  std::string name = EnvoyGatewayController::ServiceName("infra", "edge");
  json svc = f.Get("Service", "envoy-gateway-system", name);
  REQUIRE(!svc.is_null());
  json labels = svc["metadata"]["labels"];
  CHECK(labels["gateway.envoyproxy.io/owning-gateway-name"] == "edge");
  CHECK(labels["gateway.envoyproxy.io/owning-gateway-namespace"] == "infra");
  CHECK(labels["app.kubernetes.io/managed-by"] == "envoy-gateway");
  CHECK(svc["spec"]["type"] == "LoadBalancer");
  CHECK(svc["spec"]["externalTrafficPolicy"] == "Local");
  REQUIRE(svc["spec"]["ports"].size() == 2);
  CHECK(svc["spec"]["ports"][0]["name"] == "http-80");
  CHECK(svc["spec"]["ports"][0]["targetPort"] == 10080);
  CHECK(svc["spec"]["ports"][1]["targetPort"] == 8080);
  CHECK(svc["metadata"]["ownerReferences"][0]["kind"] == "GatewayClass");

  json status = f.Get("Gateway", "infra", "edge")["status"];
  CheckCondition(status["conditions"], "Accepted", "True", "Accepted",
                 "The Gateway has been scheduled by Envoy Gateway");
  CheckCondition(status["conditions"], "Programmed", "False", "AddressNotAssigned",
                 "No addresses have been assigned to the Gateway");
  CHECK_FALSE(status.contains("addresses"));
  REQUIRE(status["listeners"].size() == 2);
  CHECK(status["listeners"][0]["supportedKinds"][0]["kind"] == "HTTPRoute");
  CHECK(status["listeners"][0]["attachedRoutes"] == 0);
  CheckCondition(status["listeners"][0]["conditions"], "Programmed", "True", "Programmed",
                 "Sending translated listener configuration to the data plane");

  f.SetIngress(name, {{{"ip", "203.0.113.7"}}});
  f.Step();
  status = f.Get("Gateway", "infra", "edge")["status"];
  CheckCondition(status["conditions"], "Programmed", "True", "Programmed",
                 "Address assigned to the Gateway, 1/1 envoy replicas available");
  CHECK(status["addresses"] == json::parse(R"([{"type":"IPAddress","value":"203.0.113.7"}])"));

  f.SetIngress(name, {{{"hostname", "lb.example.com"}}});
  f.Step();
  CHECK(f.Get("Gateway", "infra", "edge")["status"]["addresses"] ==
        json::parse(R"([{"type":"Hostname","value":"lb.example.com"}])"));

  SECTION("nothing changed: no write") {
    uint64_t rv = f.cluster.store().current_rv();
    f.Step();
    f.Step();
    CHECK(f.cluster.store().current_rv() == rv);
  }
  SECTION("a rename deletes the Service and makes a new one") {
    f.Delete("Gateway", "infra", "edge");
    f.Create(Gateway("infra", "edge2", {Http()}));
    f.Step();
    CHECK(f.Get("Service", "envoy-gateway-system", name).is_null());
    json renamed = f.Get("Service", "envoy-gateway-system",
                         EnvoyGatewayController::ServiceName("infra", "edge2"));
    REQUIRE(!renamed.is_null());
    CHECK_FALSE((renamed.contains("status") && renamed["status"].contains("loadBalancer") &&
                 renamed["status"]["loadBalancer"].contains("ingress")));
    CheckCondition(f.Get("Gateway", "infra", "edge2")["status"]["conditions"], "Programmed",
                   "False", "AddressNotAssigned", "No addresses have been assigned to the Gateway");
  }
}

json EnvoyProxy(const json& envoy_service) {
  return {{"apiVersion", "gateway.envoyproxy.io/v1alpha1"},
          {"kind", "EnvoyProxy"},
          {"metadata", {{"name", "proxy"}, {"namespace", "infra"}}},
          {"spec",
           {{"provider",
             {{"type", "Kubernetes"}, {"kubernetes", {{"envoyService", envoy_service}}}}}}}};
}

TEST_CASE("eg: the Gateway's EnvoyProxy shapes its Service", "[envoy_gateway]") {
  Fixture f;
  f.Create(
      EnvoyProxy({{"annotations", {{"service.beta.kubernetes.io/do-loadbalancer-name", "edge"}}},
                  {"externalTrafficPolicy", "Cluster"}}));
  json gw = Gateway("infra", "shaped", {Http()});
  gw["spec"]["infrastructure"] = {
      {"parametersRef",
       {{"group", "gateway.envoyproxy.io"}, {"kind", "EnvoyProxy"}, {"name", "proxy"}}}};
  f.Create(gw);
  f.Step();
  std::string name = EnvoyGatewayController::ServiceName("infra", "shaped");
  json svc = f.Get("Service", "envoy-gateway-system", name);
  REQUIRE(!svc.is_null());
  CHECK(svc["metadata"]["annotations"]["service.beta.kubernetes.io/do-loadbalancer-name"] ==
        "edge");
  CHECK(svc["spec"]["externalTrafficPolicy"] == "Cluster");

  SECTION("a change of the EnvoyProxy follows") {
    f.Replace(EnvoyProxy(
        {{"annotations", {{"service.beta.kubernetes.io/do-loadbalancer-name", "edge-2"}}}}));
    f.Step();
    svc = f.Get("Service", "envoy-gateway-system", name);
    CHECK(svc["metadata"]["annotations"]["service.beta.kubernetes.io/do-loadbalancer-name"] ==
          "edge-2");
    CHECK(svc["spec"]["externalTrafficPolicy"] == "Local");
  }
  SECTION("envoyService.name renames the Service") {
    f.Replace(EnvoyProxy({{"name", "edge-lb"}}));
    f.Step();
    CHECK(f.Get("Service", "envoy-gateway-system", name).is_null());
    CHECK(!f.Get("Service", "envoy-gateway-system", "edge-lb").is_null());
  }
  SECTION("refused by the webhook: no Service, no address") {
    f.Replace(EnvoyProxy(
        {{"name", "edge-huge"},
         {"annotations", {{"service.beta.kubernetes.io/do-loadbalancer-size-slug", "lb-huge"}}}}));
    f.Step();
    CHECK(f.Get("Service", "envoy-gateway-system", "edge-huge").is_null());
    CheckCondition(f.Get("Gateway", "infra", "shaped")["status"]["conditions"], "Programmed",
                   "False", "AddressNotAssigned", "No addresses have been assigned to the Gateway");
  }
}

TEST_CASE("eg: a listener whose certificate Secret is missing", "[envoy_gateway]") {
  Fixture f;
  json https = {{"name", "https"},
                {"protocol", "HTTPS"},
                {"port", 443},
                {"tls", {{"mode", "Terminate"}, {"certificateRefs", {{{"name", "nope"}}}}}}};
  f.Create(Gateway("infra", "tls", {Http(), https}));
  f.Step();
  json status = f.Get("Gateway", "infra", "tls")["status"];
  json listener = status["listeners"][1];
  CheckCondition(listener["conditions"], "ResolvedRefs", "False", "InvalidCertificateRef",
                 "Secret infra/nope does not exist.");
  CheckCondition(listener["conditions"], "Programmed", "False", "Invalid",
                 "Listener is invalid, see other Conditions for details.");
  CheckCondition(status["conditions"], "Accepted", "True", "ListenersNotValid",
                 "Listeners not valid: https");
}

json Parent(const std::string& section = "") {
  json ref = {{"name", "shared"}, {"namespace", "infra"}};
  if (!section.empty())
    ref["sectionName"] = section;
  return ref;
}

json Backend(const std::string& name, int port = 8080, const std::string& ns = "") {
  json ref = {{"name", name}, {"port", port}};
  if (!ns.empty())
    ref["namespace"] = ns;
  return ref;
}

// The conditions EG wrote for the route's only parent.
json RouteConditions(Fixture& f, const std::string& ns, const std::string& name) {
  json parents = f.Get("HTTPRoute", ns, name)["status"]["parents"];
  INFO(parents.dump(2));
  REQUIRE(parents.size() == 1);
  CHECK(parents[0]["controllerName"] == "gateway.envoyproxy.io/gatewayclass-controller");
  CHECK(parents[0]["parentRef"]["name"] == "shared");
  return parents[0]["conditions"];
}

TEST_CASE("eg: HTTPRoute parents: attachment and references", "[envoy_gateway]") {
  Fixture f;
  f.Create(Fixture::Namespace("tenant-a", {{"starform.dev/tenant", "true"}}));
  f.Create(Fixture::Namespace("stranger"));
  f.Create(Service("infra", "web"));
  f.Create(Service("tenant-a", "shop"));
  json tenants = {{"from", "Selector"},
                  {"selector", {{"matchLabels", {{"starform.dev/tenant", "true"}}}}}};
  json host = Http("shop", 8443, tenants);
  host["hostname"] = "*.example.com";
  f.Create(Gateway("infra", "shared", {Http("http", 80), host}));

  f.Create(Route("infra", "same", Parent("http"), Backend("web")));
  f.Create(Route("tenant-a", "tenant", Parent("shop"), Backend("shop")));
  f.Create(Route("stranger", "denied", Parent("shop"), Backend("shop")));
  f.Create(Route("tenant-a", "other-host", Parent("shop"), Backend("shop"),
                 json::array({"shop.example.org"})));
  f.Create(Route("infra", "no-section", Parent("nope"), Backend("web")));
  f.Create(Route("infra", "no-service", Parent("http"), Backend("gone")));
  f.Create(Route("infra", "no-port", Parent("http"), Backend("web", 9999)));
  f.Create(Route("infra", "cross", Parent("http"), Backend("shop", 8080, "tenant-a")));
  f.Create(Route("infra", "elsewhere", {{"name", "not-a-gateway"}}, Backend("web")));
  f.Step();

  const std::string kResolved = "Resolved all the Object references for the Route";
  json c = RouteConditions(f, "infra", "same");
  CheckCondition(c, "Accepted", "True", "Accepted", "Route is accepted");
  CheckCondition(c, "ResolvedRefs", "True", "ResolvedRefs", kResolved);
  CheckCondition(RouteConditions(f, "tenant-a", "tenant"), "Accepted", "True", "Accepted",
                 "Route is accepted");
  CheckCondition(RouteConditions(f, "stranger", "denied"), "Accepted", "False",
                 "NotAllowedByListeners",
                 "No listeners included by this parent ref allowed this attachment.");
  CheckCondition(RouteConditions(f, "tenant-a", "other-host"), "Accepted", "False",
                 "NoMatchingListenerHostname",
                 "There were no hostname intersections between the HTTPRoute and this parent "
                 "ref's Listener(s).");
  CheckCondition(RouteConditions(f, "infra", "no-section"), "Accepted", "False", "NoMatchingParent",
                 "No listeners match this parent ref");
  CheckCondition(RouteConditions(f, "infra", "no-service"), "ResolvedRefs", "False",
                 "BackendNotFound", "service infra/gone not found");
  CheckCondition(RouteConditions(f, "infra", "no-port"), "ResolvedRefs", "False", "BackendNotFound",
                 "TCP Port 9999 not found on Service infra/web");
  CheckCondition(RouteConditions(f, "infra", "cross"), "ResolvedRefs", "False", "RefNotPermitted",
                 "backend ref to Service tenant-a/shop not permitted by any ReferenceGrant");
  json elsewhere = f.Get("HTTPRoute", "infra", "elsewhere");
  CHECK_FALSE((elsewhere.contains("status") && elsewhere["status"].contains("parents") &&
               !elsewhere["status"]["parents"].empty()));

  json listeners = f.Get("Gateway", "infra", "shared")["status"]["listeners"];
  // http: same, no-service, no-port, cross (attachment does not need resolved refs).
  CHECK(listeners[0]["attachedRoutes"] == 4);
  CHECK(listeners[1]["attachedRoutes"] == 1);  // shop: tenant

  SECTION("a ReferenceGrant resolves the cross-namespace backend") {
    f.Create({{"apiVersion", "gateway.networking.k8s.io/v1beta1"},
              {"kind", "ReferenceGrant"},
              {"metadata", {{"name", "from-infra"}, {"namespace", "tenant-a"}}},
              {"spec",
               {{"from",
                 {{{"group", "gateway.networking.k8s.io"},
                   {"kind", "HTTPRoute"},
                   {"namespace", "infra"}}}},
                {"to", {{{"group", ""}, {"kind", "Service"}}}}}}});
    f.Step();
    CheckCondition(RouteConditions(f, "infra", "cross"), "ResolvedRefs", "True", "ResolvedRefs",
                   kResolved);
  }
  SECTION("the missing Service appears") {
    f.Create(Service("infra", "gone"));
    f.Step();
    CheckCondition(RouteConditions(f, "infra", "no-service"), "ResolvedRefs", "True",
                   "ResolvedRefs", kResolved);
  }
  SECTION("a deleted route no longer counts") {
    f.Delete("HTTPRoute", "tenant-a", "tenant");
    f.Step();
    CHECK(f.Get("Gateway", "infra", "shared")["status"]["listeners"][1]["attachedRoutes"] == 0);
  }
}

json SecurityPolicy(const std::string& name, json target) {
  return {{"apiVersion", "gateway.envoyproxy.io/v1alpha1"},
          {"kind", "SecurityPolicy"},
          {"metadata", {{"name", name}, {"namespace", "infra"}}},
          {"spec",
           {{"targetRefs", {target}}, {"cors", {{"allowOrigins", {"https://shop.example.com"}}}}}}};
}

json RouteTarget(const std::string& name) {
  return {{"group", "gateway.networking.k8s.io"}, {"kind", "HTTPRoute"}, {"name", name}};
}

TEST_CASE("eg: SecurityPolicy ancestors: accepted, conflicted, no target", "[envoy_gateway]") {
  Fixture f;
  f.Create(Service("infra", "web"));
  f.Create(Gateway("infra", "shared", {Http()}));
  f.Create(Route("infra", "app", Parent("http"), Backend("web")));
  f.Create(SecurityPolicy("first", RouteTarget("app")));
  f.Step();  // creationTimestamps have a one-second resolution
  f.Create(SecurityPolicy("second", RouteTarget("app")));
  f.Create(SecurityPolicy("orphan", RouteTarget("missing")));
  f.Step();

  json first = f.Get("SecurityPolicy", "infra", "first")["status"]["ancestors"];
  REQUIRE(first.size() == 1);
  CHECK(first[0]["ancestorRef"] == json::parse(R"({"group":"gateway.networking.k8s.io",
      "kind":"Gateway","name":"shared","namespace":"infra","sectionName":"http"})"));
  CHECK(first[0]["controllerName"] == "gateway.envoyproxy.io/gatewayclass-controller");
  CheckCondition(first[0]["conditions"], "Accepted", "True", "Accepted",
                 "Policy has been accepted.");
  json second = f.Get("SecurityPolicy", "infra", "second")["status"]["ancestors"];
  REQUIRE(second.size() == 1);
  CheckCondition(second[0]["conditions"], "Accepted", "False", "Conflicted",
                 "Unable to target HTTPRoute app, another SecurityPolicy has already attached "
                 "to it");
  json orphan = f.Get("SecurityPolicy", "infra", "orphan");
  CHECK((!orphan.contains("status") || orphan["status"].value("ancestors", json::array()).empty()));
}

TEST_CASE("eg: through the runner, objects made over HTTPS get their status", "[envoy_gateway]") {
  DevCluster::Options options = Fixture::Make();
  options.controllers = true;
  // The simulated DigitalOcean controller runs too: its load balancer takes this long, so the
  // Gateway is first seen without an address, however slow the machine.
  options.lb_delay = std::chrono::seconds(5);
  DevCluster cluster(options);
  cluster.Start();
  auto call = [&](const json& object) {
    LocalRequest request;
    request.method = "POST";
    request.target = Collection(object);
    request.body = object.dump();
    REQUIRE(cluster.Call(request).status == 201);
  };
  call(Fixture::Namespace("envoy-gateway-system"));
  call(Fixture::Namespace("infra"));
  call({{"apiVersion", "gateway.networking.k8s.io/v1"},
        {"kind", "GatewayClass"},
        {"metadata", {{"name", "eg"}}},
        {"spec", {{"controllerName", "gateway.envoyproxy.io/gatewayclass-controller"}}}});
  call(Gateway("infra", "live", {Http()}));
  REQUIRE(cluster.WaitForControllersIdle(std::chrono::seconds(10)));
  json gw = cluster.Get("gateways", "infra", "live");
  CHECK(Condition(gw["status"]["conditions"], "Accepted")["status"] == "True");
  CHECK(Condition(gw["status"]["conditions"], "Programmed")["reason"] == "AddressNotAssigned");
  CHECK(Condition(cluster.Get("gatewayclasses", "", "eg")["status"]["conditions"],
                  "Accepted")["status"] == "True");
  std::string name = EnvoyGatewayController::ServiceName("infra", "live");
  REQUIRE(!cluster.Get("services", "envoy-gateway-system", name).is_null());

  // Once the load balancer has its address, the Gateway is programmed with it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    gw = cluster.Get("gateways", "infra", "live");
    if (Condition(gw["status"]["conditions"], "Programmed")["status"] == "True")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(Condition(gw["status"]["conditions"], "Programmed")["status"] == "True");
  json ingress =
      cluster.Get("services", "envoy-gateway-system", name)["status"]["loadBalancer"]["ingress"];
  REQUIRE(ingress.size() == 1);
  CHECK(gw["status"]["addresses"][0]["value"] == ingress[0]["ip"]);
  cluster.Stop();
}

}  // namespace
}  // namespace starform::devcluster
