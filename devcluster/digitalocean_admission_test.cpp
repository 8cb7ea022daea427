// DOKS's LoadBalancer Service webhook: what it refuses, over HTTPS, and the exact Status.

#include <catch2/catch.hpp>

#include "devcluster/digitalocean_lb_request.h"
#include "devcluster/test_cluster.h"

namespace starform::devcluster::testing {
namespace {

using nlohmann::json;

json LbService(const std::string& ns, const std::string& name, const json& annotations,
               const std::string& type = "LoadBalancer") {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"annotations", annotations}}},
          {"spec",
           {{"type", type},
            {"ports",
             {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}, {"targetPort", 8080}},
              {{"name", "https"}, {"port", 443}, {"protocol", "TCP"}, {"targetPort", 8443}}}}}}};
}

json Denial(const std::string& why) {
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", json::object()},
          {"status", "Failure"},
          {"message",
           "admission webhook \"validation-webhook.cloud-controller-manager.digitalocean.com\" "
           "denied the request: " +
               why},
          {"reason", "Forbidden"},
          {"code", 403}};
}

std::string ServicesPath(const std::string& ns) {
  return "/api/v1/namespaces/" + ns + "/services";
}

const std::string kBuild =
    "failed to build DO API request: failed to build base load balancer request: ";

TEST_CASE("the DigitalOcean webhook refuses a bad size slug with the webhook denial Status") {
  auto client = Client();
  MakeNamespace(*client, "do-adm-slug");
  HttpResult r = client->Post(
      ServicesPath("do-adm-slug"),
      LbService("do-adm-slug", "web",
                {{"service.beta.kubernetes.io/do-loadbalancer-size-slug", "lb-huge"}}));
  CHECK(r.code == 403);
  CHECK(r.Json() == Denial(kBuild + "invalid LB size slug provided: lb-huge"));
  CHECK(client->Get(ServicesPath("do-adm-slug") + "/web").code == 404);
}

TEST_CASE("the DigitalOcean webhook refuses unknown enum values in the CCM's words") {
  auto client = Client();
  MakeNamespace(*client, "do-adm-enums");
  struct Case {
    json annotations;
    std::string why;
  };
  const std::string p = "service.beta.kubernetes.io/do-loadbalancer-";
  std::vector<Case> cases = {
      {{{p + "type", "GLOBAL"}}, "only LB types supported are (REGIONAL, REGIONAL_NETWORK)"},
      {{{p + "network", "PUBLIC"}}, "only LB networks supported are (EXTERNAL, INTERNAL)"},
      {{{p + "type", "REGIONAL"}, {p + "protocol", "ftp"}},
       "invalid protocol \"ftp\" specified in annotation "
       "\"service.beta.kubernetes.io/do-loadbalancer-protocol\""},
      {{{p + "enable-proxy-protocol", "yes"}},
       "failed to get proxy protocol configuration setting: cannot convert value \"yes\" for "
       "annotation \"service.beta.kubernetes.io/do-loadbalancer-enable-proxy-protocol\" to bool: "
       "strconv.ParseBool: parsing \"yes\": invalid syntax"},
      {{{p + "type", "REGIONAL"}, {p + "tls-ports", "443"}},
       "failed to build TLS part(s) of forwarding rule: must set certificate id or enable tls "
       "pass through"},
      {{{p + "http-idle-timeout-seconds", "-5"}},
       "failed to parse provided LB HTTP idle timeout seconds value '-5': strconv.ParseUint: "
       "parsing \"-5\": invalid syntax"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(i);
    HttpResult r = client->Post(ServicesPath("do-adm-enums"),
                                LbService("do-adm-enums", "web", cases[i].annotations));
    CHECK(r.code == 403);
    CHECK(r.Json() == Denial(kBuild + cases[i].why));
  }
}

TEST_CASE("the DigitalOcean webhook passes API range errors on as the API's 422") {
  auto client = Client();
  MakeNamespace(*client, "do-adm-range");
  HttpResult r = client->Post(
      ServicesPath("do-adm-range"),
      LbService("do-adm-range", "web",
                {{"service.beta.kubernetes.io/do-loadbalancer-http-idle-timeout-seconds", "10"}}));
  CHECK(r.code == 403);
  // The request id is sha256("admission:do-adm-range/web:<message>") laid out as a UUID v4.
  CHECK(r.Json() == Denial("invalid load balancer definition: POST "
                           "https://api.digitalocean.com/v2/load_balancers: 422 (request "
                           "\"a018239a-7e27-40b6-9cbe-bb534604c912\") http_idle_timeout_seconds "
                           "must be between 30 and 600"));
}

TEST_CASE("the DigitalOcean webhook leaves other Services and valid ones alone") {
  auto client = Client();
  MakeNamespace(*client, "do-adm-ok");
  const std::string slug = "service.beta.kubernetes.io/do-loadbalancer-size-slug";
  CHECK(client
            ->Post(ServicesPath("do-adm-ok"),
                   LbService("do-adm-ok", "internal", {{slug, "lb-huge"}}, "ClusterIP"))
            .code == 201);
  CHECK(client->Post(ServicesPath("do-adm-ok"), LbService("do-adm-ok", "web", {{slug, "lb-large"}}))
            .code == 201);
  // An update is checked too: a merge patch that breaks the slug is refused.
  HttpResult r = client->Patch(ServicesPath("do-adm-ok") + "/web",
                               R"({"metadata":{"annotations":{")" + slug + R"(":"lb-xl"}}})",
                               "application/merge-patch+json");
  CHECK(r.code == 403);
  CHECK(r.Json() == Denial(kBuild + "invalid LB size slug provided: lb-xl"));
}

TEST_CASE("an update that does not change the request is not sent to the API again") {
  DevCluster& cluster = SharedCluster();
  auto client = Client();
  MakeNamespace(*client, "do-adm-update");
  const std::string idle = "service.beta.kubernetes.io/do-loadbalancer-http-idle-timeout-seconds";
  // Seeded objects bypass admission, as if the webhook had been down (failurePolicy: Ignore).
  cluster.Seed({LbService(
      "do-adm-update", "web",
      {{idle, "10"},
       {"kubernetes.digitalocean.com/load-balancer-id", "0c2b2d2e-1111-4222-8333-444455556666"}})});
  std::string path = ServicesPath("do-adm-update") + "/web";
  CHECK(client
            ->Patch(path, R"({"metadata":{"labels":{"tier":"edge"}}})",
                    "application/merge-patch+json")
            .code == 200);
  HttpResult r = client->Patch(path, R"({"metadata":{"annotations":{")" + idle + R"(":"20"}}})",
                               "application/merge-patch+json");
  CHECK(r.code == 403);
  CHECK(r.Json()["message"] ==
        Denial("invalid load balancer definition: PUT "
               "https://api.digitalocean.com/v2/load_balancers/"
               "0c2b2d2e-1111-4222-8333-444455556666: 422 (request "
               "\"ad73d4da-1259-4f28-b45c-401e0c05f65f\") "
               "http_idle_timeout_seconds must be between 30 and 600")["message"]);
}

}  // namespace
}  // namespace starform::devcluster::testing
