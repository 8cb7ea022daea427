// Render on the example desired states in testdata/states, loaded as the CLI loads them: each
// one loads cleanly, the YAML and JSON forms of one state render the same objects, and the
// states render what they were written to show.

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "plan/desired_state.h"
#include "plan/render.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace starform {
namespace {

const fs::path kStates = fs::path(STARFORM_TESTDATA_DIR) / "states";

std::vector<json> RenderState(const std::string& file) {
  std::ifstream in(kStates / file, std::ios::binary);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  DesiredState state;
  Diagnostics diags(file);
  bool loaded = LoadDesiredState(text.str(), file, &state, &diags);
  INFO(diags.ToString());
  REQUIRE(loaded);
  CHECK(diags.all().empty());  // not even a warning: these are the examples users copy
  return Render(state);
}

std::vector<json> OfKind(const std::vector<json>& objects, const std::string& kind) {
  std::vector<json> out;
  for (const json& object : objects) {
    if (object["kind"] == kind)
      out.push_back(object);
  }
  return out;
}

const json& Named(const std::vector<json>& objects, const std::string& kind,
                  const std::string& namespace_, const std::string& name) {
  for (const json& object : objects) {
    if (object["kind"] == kind && object["metadata"]["namespace"] == namespace_ &&
        object["metadata"]["name"] == name) {
      return object;
    }
  }
  FAIL("no " << kind << " " << namespace_ << "/" << name);
  throw;  // not reached
}

}  // namespace

TEST_CASE("every example state loads without a diagnostic and renders") {
  int states = 0;
  for (const auto& entry : fs::directory_iterator(kStates)) {
    INFO(entry.path());
    std::vector<json> objects = RenderState(entry.path().filename().string());
    CHECK(objects.size() > 3);
    ++states;
  }
  CHECK(states >= 4);
}

TEST_CASE("small.json, the state as Starbase serves it, renders exactly as small.yaml") {
  std::vector<json> from_yaml = RenderState("small.yaml");
  CHECK(RenderState("small.json") == from_yaml);
  CHECK(OfKind(from_yaml, "HTTPRoute").size() == 3);
  CHECK(OfKind(from_yaml, "SecurityPolicy").empty());
  CHECK(OfKind(from_yaml, "ReferenceGrant").empty());
  // No load balancer block: no annotations, and Envoy does not expect the PROXY protocol.
  CHECK_FALSE(
      from_yaml[0]["spec"]["provider"]["kubernetes"]["envoyService"].contains("annotations"));
  CHECK_FALSE(from_yaml[2]["spec"].contains("proxyProtocol"));
}

TEST_CASE("auth-heavy renders its grants, policies and PROXY protocol") {
  std::vector<json> objects = RenderState("auth-heavy.yaml");
  CHECK(objects[2]["kind"] == "ClientTrafficPolicy");
  CHECK(objects[2]["metadata"]["name"] == "edge-identity-headers");
  CHECK(objects[2]["spec"]["proxyProtocol"] == json::object());

  std::vector<json> grants = OfKind(objects, "ReferenceGrant");
  REQUIRE(grants.size() == 2);
  for (const json& grant : grants) {
    CHECK(grant["metadata"]["namespace"] == "starform-authz");
    CHECK(grant["spec"]["to"] ==
          json::array({{{"group", ""}, {"kind", "Service"}, {"name", "authz"}},
                       {{"group", ""}, {"kind", "Service"}, {"name", "authz-grpc"}}}));
  }
  CHECK(grants[0]["metadata"]["name"] == "starform-tenant-acme");
  CHECK(grants[1]["metadata"]["name"] == "starform-tenant-initech");

  // Six of the seven apps have auth; globex's status uses its own namespace and needs no grant.
  CHECK(OfKind(objects, "SecurityPolicy").size() == 6);
  const json& status = Named(objects, "SecurityPolicy", "tenant-globex", "status");
  CHECK(status["spec"]["extAuth"]["failOpen"] == true);
  CHECK_FALSE(status["spec"]["extAuth"]["http"]["backendRefs"][0].contains("namespace"));

  // The claimToHeaders default, an explicit list, and an explicit [].
  const json& shop = Named(objects, "SecurityPolicy", "tenant-acme", "shop");
  CHECK(shop["spec"]["jwt"]["providers"][0]["claimToHeaders"] ==
        json::array({{{"claim", "sub"}, {"header", "X-Starform-User-ID"}}}));
  CHECK(shop["spec"]["jwt"]["providers"][1]["claimToHeaders"].size() == 2);
  const json& admin = Named(objects, "SecurityPolicy", "tenant-acme", "admin");
  CHECK_FALSE(admin["spec"]["jwt"]["providers"][0].contains("claimToHeaders"));
  CHECK(admin["spec"]["extAuth"].contains("grpc"));
  CHECK(Named(objects, "SecurityPolicy", "tenant-globex", "api")["spec"]["jwt"]["optional"] ==
        true);
}

TEST_CASE("twenty-tenants renders one route per app in 20 namespaces") {
  std::vector<json> objects = RenderState("twenty-tenants.yaml");
  std::vector<json> routes = OfKind(objects, "HTTPRoute");
  std::set<std::string> namespaces;
  for (const json& route : routes)
    namespaces.insert(route["metadata"]["namespace"]);
  CHECK(routes.size() == 34);
  CHECK(namespaces.size() == 20);
  // The dashboards sign users in; nothing else has auth.
  CHECK(OfKind(objects, "SecurityPolicy").size() == 10);
  CHECK(Named(objects, "HTTPRoute", "tenant-02-globex",
              "globex-dash")["spec"]["parentRefs"][0]["sectionName"] == "https-dash");
  CHECK_FALSE(
      Named(objects, "HTTPRoute", "tenant-10-cyberdyne", "cyberdyne-api")["spec"]["parentRefs"][0]
          .contains("sectionName"));
}

}  // namespace starform
