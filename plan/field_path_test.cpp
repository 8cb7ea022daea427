#include <catch2/catch.hpp>

#include "plan/field_path.h"

namespace starform {
namespace {

using nlohmann::json;

std::string Spelled(const std::vector<PathStep>& steps) {
  std::string out;
  for (const PathStep& step : steps) {
    switch (step.kind) {
      case PathStep::Kind::kKey:
        out += "<" + step.key + ">";
        break;
      case PathStep::Kind::kIndex:
        out += "#" + std::to_string(step.index);
        break;
      case PathStep::Kind::kName:
        out += "@" + step.key;
        break;
    }
  }
  return out;
}

TEST_CASE("field paths: every spelling the diff writes reads back") {
  auto parsed = [](const std::string& path) {
    std::optional<std::vector<PathStep>> steps = ParseFieldPath(path);
    return steps ? Spelled(*steps) : std::string("invalid");
  };
  CHECK(parsed("spec.listeners[name=\"debug\"].port") == "<spec><listeners>@debug<port>");
  CHECK(parsed("spec.rules[0].matches[1].path.value") == "<spec><rules>#0<matches>#1<path><value>");
  CHECK(parsed("metadata.annotations[\"example.com/x\"]") ==
        "<metadata><annotations><example.com/x>");
  CHECK(parsed("spec.headers[name=\"a \\\"b\\\"\"]") == "<spec><headers>@a \"b\"");
  CHECK(parsed("spec") == "<spec>");
  for (const char* bad : {"", ".spec", "spec.", "spec[", "spec[x]", "spec[name=x]", "spec..a",
                          "spec[0", "spec[\"open]", "spec a"})
    CHECK(parsed(bad) == "invalid");
}

json Gateway() {
  return json::parse(R"({
    "apiVersion": "gateway.networking.k8s.io/v1",
    "kind": "Gateway",
    "metadata": {"name": "gw", "resourceVersion": "42", "labels": {"a": "1", "team": "x"},
                 "annotations": {"example.com/x": "y"}},
    "spec": {"gatewayClassName": "eg", "listeners": [
      {"name": "http", "port": 80}, {"name": "debug", "port": 9000},
      {"name": "https", "port": 443}, {"name": "extra", "port": 8443}]},
    "status": {"conditions": []}
  })");
}

TEST_CASE("removal patch: removes named items, tested against the resourceVersion") {
  std::string error;
  std::optional<json> patch = RemovalPatch(
      Gateway(), {"spec.listeners[name=\"debug\"]", "spec.listeners[name=\"extra\"]"}, &error);
  REQUIRE(patch);
  json expected = json::parse(R"([
    {"op": "test", "path": "/metadata/resourceVersion", "value": "42"},
    {"op": "replace", "path": "/spec", "value": {"gatewayClassName": "eg", "listeners": [
      {"name": "http", "port": 80}, {"name": "https", "port": 443}]}}
  ])");
  CHECK(*patch == expected);
  json patched = Gateway().patch(*patch);
  CHECK(patched["spec"]["listeners"].size() == 2);
  CHECK(patched["status"] == Gateway()["status"]);
}

TEST_CASE("removal patch: fields by key and index, metadata maps with escaped keys") {
  std::string error;
  std::optional<json> patch = RemovalPatch(
      Gateway(), {"spec.listeners[1].port", "metadata.annotations[\"example.com/x\"]"}, &error);
  REQUIRE(patch);
  json patched = Gateway().patch(*patch);
  CHECK_FALSE(patched["spec"]["listeners"][1].contains("port"));
  CHECK(patched["spec"]["listeners"][1]["name"] == "debug");
  CHECK(patched["metadata"]["annotations"] == json::object());
  CHECK(patched["metadata"]["labels"] == Gateway()["metadata"]["labels"]);
  CHECK((*patch)[1]["path"] == "/metadata/annotations");
  CHECK((*patch)[2]["path"] == "/spec");
}

TEST_CASE("removal patch: what is already gone is skipped, bad or whole-spec paths are errors") {
  std::string error;
  CHECK_FALSE(RemovalPatch(Gateway(), {"spec.listeners[name=\"gone\"]"}, &error));
  CHECK_FALSE(RemovalPatch(Gateway(), {"spec.nothing"}, &error));
  CHECK_FALSE(RemovalPatch(Gateway(), {"metadata.labels"}, &error));  // not other managers'
  CHECK(error.empty());
  CHECK_FALSE(RemovalPatch(Gateway(), {"spec"}, &error));
  CHECK(error == "cannot remove \"spec\": not the path of a field");
  error.clear();
  CHECK_FALSE(RemovalPatch(Gateway(), {"spec.listeners[name=\"debug\"]", "spec[oops"}, &error));
  CHECK(error == "cannot remove \"spec[oops\": not the path of a field");
  error.clear();
  std::optional<json> patch = RemovalPatch(
      Gateway(),
      {"spec.listeners[name=\"gone\"]", "metadata.annotations", "spec.listeners[name=\"debug\"]"},
      &error);
  REQUIRE(patch);
  CHECK(Gateway().patch(*patch)["spec"]["listeners"].size() == 3);
}

TEST_CASE("removal patch: a stale object fails the test instead of removing the wrong item") {
  std::string error;
  std::optional<json> patch = RemovalPatch(Gateway(), {"spec.listeners[name=\"debug\"]"}, &error);
  REQUIRE(patch);
  json newer = Gateway();
  newer["metadata"]["resourceVersion"] = "43";
  CHECK_THROWS(newer.patch(*patch));
}

}  // namespace
}  // namespace starform
