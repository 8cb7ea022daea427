#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "plan/desired_state.h"

namespace starform {
namespace {

constexpr std::string_view kValid = R"(apiVersion: starform.dev/v1alpha1
kind: DesiredState
cluster: do-nyc1-prod
revision: "8421"
gateway:
  className: eg
  listeners:
    - name: http
      port: 80
      protocol: HTTP
apps:
  - name: shop
    namespace: tenant-acme
    hostnames: [shop.starform.app]
    rules:
      - backends:
          - service: shop
            port: 8080
)";

struct Loaded {
  bool ok = false;
  DesiredState state;
  std::vector<Diagnostic> diags;
  std::string text;  // every diagnostic, "file:line:column: path: message\n"
};

Loaded Load(std::string_view text, const std::string& source = "desired.yaml") {
  Loaded out;
  Diagnostics diags(source);
  out.ok = LoadDesiredState(text, source, &out.state, &diags);
  out.diags = diags.all();
  out.text = diags.ToString();
  return out;
}

// kValid with |from| replaced by |to| (which must be there).
std::string Edit(std::string_view from, std::string_view to) {
  std::string text(kValid);
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

TEST_CASE("load: a valid document") {
  Loaded loaded = Load(kValid);
  INFO(loaded.text);
  CHECK(loaded.ok);
  CHECK(loaded.diags.empty());
  CHECK(loaded.state.source == "desired.yaml");
  CHECK(loaded.state.apps.at(0).rules.at(0).backends.at(0).port.value == 8080);
  CHECK(loaded.state.gateway.namespace_.value == "starform-system");
}

TEST_CASE("load: JSON input") {
  Loaded loaded = Load(R"({"apiVersion": "starform.dev/v1alpha1", "kind": "DesiredState",
    "cluster": "c", "revision": "1",
    "gateway": {"className": "eg", "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]},
    "apps": []})",
                       "<stdin>");
  INFO(loaded.text);
  CHECK(loaded.ok);
  CHECK(loaded.state.source == "<stdin>");
  CHECK(loaded.state.gateway.listeners.at(0).port.value == 80);
}

TEST_CASE("load: a syntax error stops before decoding") {
  Loaded loaded = Load(Edit("cluster: do-nyc1-prod", "cluster: a: b"));
  CHECK_FALSE(loaded.ok);
  CHECK(loaded.text == "desired.yaml:3:11: yaml: illegal map value\n");
  Loaded json = Load("{\"apiVersion\": 1,}", "s.json");
  CHECK(json.text == "s.json:1:18: json: unexpected character '}', expected a string key\n");
}

TEST_CASE("load: decode and validation errors together, in position order") {
  // Line 3: a value error (validation's); line 18: a shape error (the decoder's).
  std::string text = Edit("cluster: do-nyc1-prod", "cluster: DO_NYC1");
  text = text.replace(text.find("port: 8080"), 10, "port: 8080\n            wieght: 2");
  Loaded loaded = Load(text);
  INFO(loaded.text);
  CHECK_FALSE(loaded.ok);
  REQUIRE(loaded.diags.size() == 2);
  CHECK(loaded.diags[0].path == "cluster");
  CHECK(loaded.diags[0].mark.line == 3);
  CHECK(loaded.diags[0].severity == Diagnostic::Severity::kError);
  CHECK(loaded.diags[1].ToString() ==
        "desired.yaml:19:13: apps[0].rules[0].backends[0]: unknown field \"wieght\", did you "
        "mean \"weight\"?");
}

TEST_CASE("load: validation says nothing more about a value the decoder rejected") {
  // To validation, a listeners or hostnames of the wrong type would also be an empty list.
  std::string text =
      Edit("    hostnames: [shop.starform.app]\n", "    hostnames: shop.starform.app\n");
  text = text.replace(text.find("  listeners:\n"), 13, "  listeners: 5\n  unused:\n");
  Loaded loaded = Load(text);
  CHECK_FALSE(loaded.ok);
  CHECK(loaded.text ==
        "desired.yaml:7:14: gateway.listeners: expected sequence, got integer\n"
        "desired.yaml:8:3: gateway: unknown field \"unused\"\n"
        "desired.yaml:15:16: apps[0].hostnames: expected sequence, got string\n");
}

TEST_CASE("load: a document that is not a mapping is not validated") {
  CHECK(Load("- a\n").text == "desired.yaml:1:1: expected mapping, got sequence\n");
  CHECK(Load("").text ==
        "desired.yaml:1:1: the document is empty; expected a DesiredState mapping\n");
}

}  // namespace
}  // namespace starform
