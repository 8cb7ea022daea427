// Every object the example desired states render to, put through what the API server does with
// it (kube/schema.h): it must validate against the upstream CRD with no errors, lose nothing to
// pruning, and gain nothing from defaulting. The last is render's promise that a diff against the
// live object shows no perpetual change. (CEL rules are not evaluated by the engine.)

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "kube/crd.h"
#include "kube/schema.h"
#include "kube/schema_testing.h"
#include "plan/desired_state.h"
#include "plan/render.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace starform::kube {
namespace {

// The CRDs of the newest supported releases: Gateway API v1.6.1, Envoy Gateway v1.9.0.
const CrdSet& NewestCrds() {
  static const CrdSet* set = [] {
    auto* crds = new CrdSet;
    for (const char* file :
         {testing::kGateways, testing::kHTTPRoutes, testing::kReferenceGrants,
          testing::kSecurityPolicies, testing::kEnvoyProxies, testing::kClientTrafficPolicies}) {
      std::string error;
      if (!crds->Add(testing::SharedCrd(file), &error))
        throw std::runtime_error(error);
    }
    return crds;
  }();
  return *set;
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every example state, each with its path, sorted for a stable order.
std::vector<fs::path> ExampleStates() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(fs::path(STARFORM_TESTDATA_DIR) / "states")) {
    std::string ext = entry.path().extension().string();
    if (ext == ".yaml" || ext == ".json")
      out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<json> RenderFile(const fs::path& path) {
  DesiredState state;
  Diagnostics diags(path.filename().string());
  bool loaded = LoadDesiredState(Slurp(path), path.filename().string(), &state, &diags);
  INFO(diags.ToString());
  REQUIRE(loaded);
  return Render(state);
}

std::string Describe(const json& object) {
  return object.value("kind", "?") + " " + object["metadata"].value("namespace", "") + "/" +
         object["metadata"].value("name", "");
}

}  // namespace

TEST_CASE("rendered objects pass the API server's schema unchanged") {
  std::vector<fs::path> states = ExampleStates();
  REQUIRE(states.size() >= 4);
  size_t objects_checked = 0;
  for (const fs::path& path : states) {
    for (const json& object : RenderFile(path)) {
      INFO(path.filename().string() << ": " << Describe(object) << "\n" << object.dump(2));
      const CrdVersion* version = NewestCrds().FindForObject(
          object["apiVersion"].get<std::string>(), object["kind"].get<std::string>());
      REQUIRE(version != nullptr);
      REQUIRE(version->schema != nullptr);

      json pruned = object;
      CHECK(Prune(&pruned, *version->schema).empty());
      CHECK(pruned == object);  // no null or unknown field dropped either

      CHECK(Validate(object, *version->schema).empty());

      // Defaults reach status too (a new Gateway's "Pending" conditions); that part is the
      // server's, never rendered.
      json defaulted = object;
      ApplyDefaults(&defaulted, *version->schema);
      defaulted.erase("status");
      CHECK(defaulted == object);
      ++objects_checked;
    }
  }
  CHECK(objects_checked > 50);
}

TEST_CASE("the engine would default what render must write: the check can fail") {
  // The same HTTPRoute without the backendRef defaults render writes: defaulting changes it, so
  // the "gains nothing" check above is a real one.
  json route = {{"apiVersion", "gateway.networking.k8s.io/v1"},
                {"kind", "HTTPRoute"},
                {"metadata", {{"name", "shop"}, {"namespace", "tenant-a"}}},
                {"spec",
                 {{"parentRefs", {{{"name", "starform"}, {"namespace", "starform-system"}}}},
                  {"rules", {{{"backendRefs", {{{"name", "shop"}, {"port", 8080}}}}}}}}}};
  const CrdVersion* version =
      NewestCrds().FindForObject("gateway.networking.k8s.io/v1", "HTTPRoute");
  REQUIRE(version != nullptr);
  json defaulted = route;
  ApplyDefaults(&defaulted, *version->schema);
  defaulted.erase("status");
  CHECK(defaulted != route);
  CHECK(defaulted["spec"]["rules"][0]["backendRefs"][0]["weight"] == 1);
  CHECK(defaulted["spec"]["parentRefs"][0]["kind"] == "Gateway");
}

TEST_CASE("on Envoy Gateway v1.5, below the supported range, only the v1.6+ defaults are pruned") {
  // Documents why the contract starts at EG v1.7: the SecurityPolicy fields render writes that
  // older CRDs do not know. (v1.7 and v1.8 CRDs are not in shared/; they are assumed to know them.)
  const Schema& v150 = testing::SharedSchema(testing::kSecurityPolicies150, "v1alpha1");
  std::vector<std::string> pruned_paths;
  for (const fs::path& path : ExampleStates()) {
    if (path.filename() != "auth-heavy.yaml")
      continue;
    for (const json& object : RenderFile(path)) {
      if (object["kind"] != "SecurityPolicy")
        continue;
      json copy = object;
      for (std::string& field : Prune(&copy, v150)) {
        // "spec.jwt.providers[0].remoteJWKS.cacheDuration" -> "remoteJWKS.cacheDuration"
        std::string leaf = field.substr(field.rfind('.', field.rfind('.') - 1) + 1);
        if (std::find(pruned_paths.begin(), pruned_paths.end(), leaf) == pruned_paths.end()) {
          pruned_paths.push_back(leaf);
        }
      }
    }
  }
  std::sort(pruned_paths.begin(), pruned_paths.end());
  CHECK(pruned_paths ==
        std::vector<std::string>{"backendRefs[0].weight", "remoteJWKS.cacheDuration"});
}

}  // namespace starform::kube
