#include "kube/schema.h"

#include <catch2/catch.hpp>

#include "kube/schema_testing.h"

namespace Catch {
template <>
struct StringMaker<starform::kube::StatusCause> {
  static std::string convert(const starform::kube::StatusCause& cause) {
    return "{" + cause.reason + ", " + cause.field + ", " + cause.message + "}";
  }
};
}  // namespace Catch

namespace starform::kube {
namespace {

using json = nlohmann::json;
using testing::SharedSchema;
using Causes = std::vector<StatusCause>;

const Schema& HTTPRouteV1() {
  return SharedSchema(testing::kHTTPRoutes, "v1");
}
const Schema& GatewayV1() {
  return SharedSchema(testing::kGateways, "v1");
}

json Route(json spec) {
  return {{"apiVersion", "gateway.networking.k8s.io/v1"},
          {"kind", "HTTPRoute"},
          {"metadata", {{"name", "web"}, {"namespace", "default"}}},
          {"spec", std::move(spec)}};
}

json Gateway(json listeners) {
  return {{"apiVersion", "gateway.networking.k8s.io/v1"},
          {"kind", "Gateway"},
          {"metadata", {{"name", "eg"}, {"namespace", "default"}}},
          {"spec", {{"gatewayClassName", "eg"}, {"listeners", std::move(listeners)}}}};
}

std::shared_ptr<const Schema> Compile(const json& schema) {
  std::string error;
  auto compiled = Schema::Compile(schema, &error);
  INFO(error);
  REQUIRE(compiled != nullptr);
  return compiled;
}

// --- Defaulting ---

TEST_CASE("an HTTPRoute's bare backendRef and missing matches get the server's defaults") {
  json route = Route({{"parentRefs", {{{"name", "eg"}}}},
                      {"rules", {{{"backendRefs", {{{"name", "web"}, {"port", 8080}}}}}}}});
  const Admission admission = Admit(&route, HTTPRouteV1());
  CHECK(admission.causes.empty());
  CHECK(admission.unknown_fields.empty());
  CHECK(route["spec"]["rules"][0]["backendRefs"][0] ==
        json{{"group", ""}, {"kind", "Service"}, {"name", "web"}, {"port", 8080}, {"weight", 1}});
  CHECK(route["spec"]["rules"][0]["matches"] ==
        json::parse(R"([{"path":{"type":"PathPrefix","value":"/"}}])"));
  CHECK(route["spec"]["parentRefs"][0] ==
        json{{"group", "gateway.networking.k8s.io"}, {"kind", "Gateway"}, {"name", "eg"}});
}

TEST_CASE("an HTTPRoute without rules gets the default rule, with its nested defaults") {
  json route = Route({{"parentRefs", {{{"name", "eg"}}}}});
  CHECK(Admit(&route, HTTPRouteV1()).causes.empty());
  CHECK(route["spec"]["rules"] ==
        json::parse(R"([{"matches":[{"path":{"type":"PathPrefix","value":"/"}}]}])"));
}

TEST_CASE("a match with only headers gets the default path and header match type") {
  json route =
      Route({{"rules", {{{"matches", {{{"headers", {{{"name", "x"}, {"value", "1"}}}}}}}}}}});
  CHECK(Admit(&route, HTTPRouteV1()).causes.empty());
  CHECK(route["spec"]["rules"][0]["matches"][0] ==
        json::parse(R"({"headers":[{"name":"x","type":"Exact","value":"1"}],
                        "path":{"type":"PathPrefix","value":"/"}})"));
}

TEST_CASE("a Gateway listener's allowedRoutes defaults to namespaces from Same") {
  json gateway = Gateway({{{"name", "http"}, {"port", 80}, {"protocol", "HTTP"}}});
  CHECK(Admit(&gateway, GatewayV1()).causes.empty());
  CHECK(gateway["spec"]["listeners"][0]["allowedRoutes"] ==
        json::parse(R"({"namespaces":{"from":"Same"}})"));
}

TEST_CASE("SecurityPolicy remoteJWKS defaults differ between Envoy Gateway releases") {
  const json provider = {
      {"name", "auth0"},
      {"remoteJWKS", {{"uri", "https://example.auth0.com/.well-known/jwks.json"}}}};
  json spec = {{"targetRefs",
                {{{"group", "gateway.networking.k8s.io"}, {"kind", "HTTPRoute"}, {"name", "web"}}}},
               {"jwt", {{"providers", {provider}}}}};
  json v190 = Route(spec), v150 = Route(spec);
  v190["apiVersion"] = v150["apiVersion"] = "gateway.envoyproxy.io/v1alpha1";
  v190["kind"] = v150["kind"] = "SecurityPolicy";
  CHECK(Admit(&v190, SharedSchema(testing::kSecurityPolicies, "v1alpha1")).causes == Causes{});
  CHECK(Admit(&v150, SharedSchema(testing::kSecurityPolicies150, "v1alpha1")).causes == Causes{});
  CHECK(
      v190["spec"]["jwt"]["providers"][0]["remoteJWKS"] ==
      json{{"cacheDuration", "300s"}, {"uri", "https://example.auth0.com/.well-known/jwks.json"}});
  CHECK(v150["spec"]["jwt"]["providers"][0]["remoteJWKS"] ==
        json{{"uri", "https://example.auth0.com/.well-known/jwks.json"}});
}

TEST_CASE("EnvoyProxy logging defaults to level default warn, but only under a spec") {
  const Schema& schema = SharedSchema(testing::kEnvoyProxies, "v1alpha1");
  json proxy = {{"apiVersion", "gateway.envoyproxy.io/v1alpha1"},
                {"kind", "EnvoyProxy"},
                {"metadata", {{"name", "proxy"}}},
                {"spec", json::object()}};
  CHECK(Admit(&proxy, schema).causes.empty());
  CHECK(proxy["spec"]["logging"] == json::parse(R"({"level":{"default":"warn"}})"));

  json no_spec = {{"apiVersion", "gateway.envoyproxy.io/v1alpha1"}, {"kind", "EnvoyProxy"}};
  ApplyDefaults(&no_spec, schema);
  CHECK_FALSE(no_spec.contains("spec"));
}

TEST_CASE(
    "a default is applied where the key is absent or a non-nullable null, not over a "
    "value or a nullable null") {
  auto schema = Compile(json::parse(R"({"type":"object","properties":{
    "a":{"type":"string","default":"A"},
    "b":{"type":"string","default":"B"},
    "c":{"type":"string","default":"C","nullable":true},
    "d":{"type":"string","default":"D"},
    "list":{"type":"array","items":{"type":"object","default":{"x":1},
            "properties":{"x":{"type":"integer"},"y":{"type":"integer","default":2}}}},
    "map":{"type":"object","additionalProperties":{"type":"object",
           "properties":{"z":{"type":"integer","default":3}}}}}})"));
  json object = json::parse(R"({"b":null,"c":null,"d":"set","list":[null,{"x":5}],
                                "map":{"k":{}}})");
  CHECK(Admit(&object, *schema).causes.empty());
  CHECK(object == json::parse(R"({"a":"A","b":"B","c":null,"d":"set",
                                  "list":[{"x":1,"y":2},{"x":5,"y":2}],"map":{"k":{"z":3}}})"));
}

// --- Pruning ---

TEST_CASE("pruning drops unknown fields and reports their paths, sorted") {
  json route = Route({{"rules", {{{"bogus", 1}, {"matches", {{{"path", {{"value", "/"}}}}}}}}},
                      {"foo", {{"bar", 1}}}});
  route["zzz"] = true;
  route["metadata"]["unknownMeta"] = "kept";
  const Admission admission = Admit(&route, HTTPRouteV1());
  CHECK(admission.unknown_fields ==
        std::vector<std::string>{"spec.foo", "spec.rules[0].bogus", "zzz"});
  CHECK(admission.causes.empty());
  CHECK_FALSE(route["spec"].contains("foo"));
  CHECK_FALSE(route["spec"]["rules"][0].contains("bogus"));
  CHECK_FALSE(route.contains("zzz"));
  CHECK(route["metadata"]["unknownMeta"] == "kept");
  CHECK(UnknownFieldMessage(admission.unknown_fields[0]) == "unknown field \"spec.foo\"");
}

TEST_CASE("pruning keeps what x-kubernetes-preserve-unknown-fields and embedded resources keep") {
  auto schema = Compile(json::parse(R"({"type":"object","properties":{
    "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true,
            "properties":{"known":{"type":"object","properties":{"a":{"type":"string"}}}}},
    "embedded":{"type":"object","x-kubernetes-embedded-resource":true,
                "properties":{"spec":{"type":"object"}}},
    "strict":{"type":"object","properties":{"a":{"type":"string"}}}}})"));
  json object = json::parse(R"({
    "free":{"anything":{"deep":1},"known":{"a":"x","b":"pruned"}},
    "embedded":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{}},
    "strict":{"a":"x","kind":"pruned"}})");
  CHECK(Prune(&object, *schema) ==
        std::vector<std::string>{"embedded.data", "free.known.b", "strict.kind"});
  CHECK(object == json::parse(R"({
    "free":{"anything":{"deep":1},"known":{"a":"x"}},
    "embedded":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}},
    "strict":{"a":"x"}})"));
}

TEST_CASE("a null in a non-nullable field without a default is dropped before validation") {
  json route =
      Route({{"hostnames", nullptr}, {"rules", {{{"backendRefs", {{{"name", nullptr}}}}}}}});
  const Admission admission = Admit(&route, HTTPRouteV1());
  CHECK_FALSE(route["spec"].contains("hostnames"));
  // Dropped, the required name is then missing.
  CHECK(admission.causes ==
        Causes{{"FieldValueRequired", "spec.rules[0].backendRefs[0].name", "Required value"}});

  // Nothing removes a null list item, so it fails the item's type.
  json items = Route({{"hostnames", {nullptr}}});
  CHECK(Admit(&items, HTTPRouteV1()).causes ==
        Causes{{"FieldValueTypeInvalid", "spec.hostnames[0]",
                "Invalid value: \"null\": spec.hostnames[0] in body must be of type string: "
                "\"null\""}});
}

// --- Validation: one cause per keyword, worded as the API server words it ---

TEST_CASE("type: a string where an integer belongs") {
  json gateway = Gateway({{{"name", "http"}, {"port", "80"}, {"protocol", "HTTP"}}});
  CHECK(Admit(&gateway, GatewayV1()).causes ==
        Causes{{"FieldValueTypeInvalid", "spec.listeners[0].port",
                "Invalid value: \"string\": spec.listeners[0].port in body must be of type "
                "integer: \"string\""}});
}

TEST_CASE("required: missing fields at the root, in spec and in list items") {
  json gateway = Gateway({{{"name", "http"}, {"protocol", "HTTP"}}});
  gateway["spec"].erase("gatewayClassName");
  CHECK(Admit(&gateway, GatewayV1()).causes ==
        Causes{{"FieldValueRequired", "spec.listeners[0].port", "Required value"},
               {"FieldValueRequired", "spec.gatewayClassName", "Required value"}});

  json no_spec = Route(nullptr);
  no_spec.erase("spec");
  CHECK(Admit(&no_spec, HTTPRouteV1()).causes ==
        Causes{{"FieldValueRequired", "spec", "Required value"}});
}

TEST_CASE("enum: an unsupported path match type") {
  json route = Route({{"rules", {{{"matches", {{{"path", {{"type", "Foo"}, {"value", "/"}}}}}}}}}});
  CHECK(Admit(&route, HTTPRouteV1()).causes ==
        Causes{{"FieldValueNotSupported", "spec.rules[0].matches[0].path.type",
                "Unsupported value: \"Foo\": supported values: \"Exact\", \"PathPrefix\", "
                "\"RegularExpression\""}});
}

TEST_CASE("pattern, maxLength and maxItems on hostnames") {
  SECTION("pattern") {
    json route = Route({{"hostnames", {"Foo_bar.example.com"}}});
    CHECK(
        Admit(&route, HTTPRouteV1()).causes ==
        Causes{{"FieldValueInvalid", "spec.hostnames[0]",
                "Invalid value: \"Foo_bar.example.com\": spec.hostnames[0] in body should match "
                "'^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'"}});
  }
  SECTION("maxLength, checked before the pattern, which is then not run") {
    json route = Route({{"hostnames", {std::string(254, 'a')}}});
    CHECK(Admit(&route, HTTPRouteV1()).causes ==
          Causes{{"FieldValueTooLong", "spec.hostnames[0]",
                  "Too long: may not be more than 253 bytes"}});
  }
  SECTION("minLength") {
    json route = Route({{"hostnames", {""}}});
    CHECK(Admit(&route, HTTPRouteV1()).causes ==
          Causes{{"FieldValueInvalid", "spec.hostnames[0]",
                  "Invalid value: \"\": spec.hostnames[0] in body should be at least 1 chars "
                  "long"}});
  }
  SECTION("maxItems") {
    json hostnames = json::array();
    for (int i = 0; i < 17; ++i)
      hostnames.push_back("h" + std::to_string(i) + ".example.com");
    json route = Route({{"hostnames", hostnames}});
    CHECK(Admit(&route, HTTPRouteV1()).causes ==
          Causes{
              {"FieldValueTooMany", "spec.hostnames", "Too many: 17: must have at most 16 items"}});
  }
}

TEST_CASE("minimum and maximum on a backend port") {
  json route = Route(
      {{"rules",
        {{{"backendRefs", {{{"name", "a"}, {"port", 0}}, {{"name", "b"}, {"port", 65536}}}}}}}});
  CHECK(Admit(&route, HTTPRouteV1()).causes ==
        Causes{{"FieldValueInvalid", "spec.rules[0].backendRefs[0].port",
                "Invalid value: 0: spec.rules[0].backendRefs[0].port in body should be greater "
                "than or equal to 1"},
               {"FieldValueInvalid", "spec.rules[0].backendRefs[1].port",
                "Invalid value: 65536: spec.rules[0].backendRefs[1].port in body should be less "
                "than or equal to 65535"}});
}

TEST_CASE("int-or-string: a quantity as int, as string, and as neither") {
  const Schema& schema = SharedSchema(testing::kClientTrafficPolicies, "v1alpha1");
  json policy = {
      {"apiVersion", "gateway.envoyproxy.io/v1alpha1"},
      {"kind", "ClientTrafficPolicy"},
      {"metadata", {{"name", "p"}, {"namespace", "default"}}},
      {"spec",
       {{"targetRefs",
         {{{"group", "gateway.networking.k8s.io"}, {"kind", "Gateway"}, {"name", "eg"}}}},
        {"connection", {{"bufferLimit", 32768}}}}}};
  CHECK(Validate(policy, schema).empty());
  policy["spec"]["connection"]["bufferLimit"] = "32Ki";
  CHECK(Validate(policy, schema).empty());
  policy["spec"]["connection"]["bufferLimit"] = true;
  const std::string path = "spec.connection.bufferLimit";
  CHECK(Validate(policy, schema) ==
        Causes{{"FieldValueTypeInvalid", path,
                "Invalid value: \"boolean\": " + path +
                    " in body must be of type integer,string: \"boolean\""},
               {"FieldValueInvalid", "<nil>",
                "Invalid value: \"\": \"" + path + "\" must validate at least one schema (anyOf)"},
               {"FieldValueTypeInvalid", path,
                "Invalid value: \"boolean\": " + path +
                    " in body must be of type integer: \"boolean\""}});
}

TEST_CASE("allOf: a string failing both quantity patterns") {
  const Schema& schema = SharedSchema(testing::kClientTrafficPolicies, "v1alpha1");
  const Schema* limit = schema.Find("spec.connection.bufferLimit");
  REQUIRE(limit != nullptr);
  const Causes causes = Validate(json("12Zi"), *limit);
  REQUIRE(causes.size() == 3);
  CHECK(causes[0].message ==
        "Invalid value: \"12Zi\":  in body should match '" + limit->all_of()[0]->pattern() + "'");
  CHECK(causes[1].message ==
        "Invalid value: \"12Zi\":  in body should match '" + limit->all_of()[1]->pattern() + "'");
  CHECK(causes[2] == StatusCause{"FieldValueInvalid", "<nil>",
                                 "Invalid value: \"\": \"\" must validate all the schemas (allOf). "
                                 "None validated"});
}

TEST_CASE("oneOf, anyOf, not and format: a Gateway address that is not an IP") {
  json gateway = Gateway({{{"name", "http"}, {"port", 80}, {"protocol", "HTTP"}}});
  gateway["spec"]["addresses"] = {{{"type", "IPAddress"}, {"value", "10.0.0.256"}},
                                  {{"value", "10.0.0.1"}},
                                  {{"type", "Hostname"}, {"value", "lb.example.com"}}};
  CHECK(Admit(&gateway, GatewayV1()).causes ==
        Causes{{"FieldValueInvalid", "<nil>",
                "Invalid value: \"\": \"spec.addresses[0]\" must validate one and only one schema "
                "(oneOf). Found none valid"},
               {"FieldValueInvalid", "<nil>",
                "Invalid value: \"\": \"spec.addresses[0].value\" must validate at least one "
                "schema (anyOf)"},
               {"FieldValueTypeInvalid", "spec.addresses[0].value",
                "Invalid value: \"10.0.0.256\": spec.addresses[0].value in body must be of type "
                "ipv4: \"10.0.0.256\""}});
}

TEST_CASE("list-type map: a duplicate listener name") {
  json gateway = Gateway({{{"name", "http"}, {"port", 80}, {"protocol", "HTTP"}},
                          {{"name", "http"}, {"port", 8080}, {"protocol", "HTTP"}},
                          {{"name", "http"}, {"port", 8081}, {"protocol", "HTTP"}}});
  // Only the second occurrence is reported, as listtype/validation.go does.
  CHECK(Admit(&gateway, GatewayV1()).causes ==
        Causes{{"FieldValueDuplicate", "spec.listeners[1]",
                "Duplicate value: map[string]interface {}{\"name\":\"http\"}"}});
}

TEST_CASE("list-type set and map on synthetic schemas") {
  auto schema = Compile(json::parse(R"({"type":"object","properties":{
    "tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
    "ports":{"type":"array","x-kubernetes-list-type":"map",
             "x-kubernetes-list-map-keys":["port","protocol"],
             "items":{"type":"object","properties":{"port":{"type":"integer"},
                                                    "protocol":{"type":"string"}}}},
    "named":{"type":"object","additionalProperties":{"type":"array",
             "x-kubernetes-list-type":"set","items":{"type":"integer"}}}}})"));
  const json object = json::parse(R"({"tags":["a","b","a"],
    "ports":[{"port":80,"protocol":"TCP"},{"port":80,"protocol":"UDP"},{"port":80,"protocol":"TCP"}],
    "named":{"x":[1,2,2]}})");
  CHECK(Validate(object, *schema) ==
        Causes{{"FieldValueDuplicate", "named[x][2]", "Duplicate value: 2"},
               {"FieldValueDuplicate", "ports[2]",
                "Duplicate value: map[string]interface {}{\"port\":80, \"protocol\":\"TCP\"}"},
               {"FieldValueDuplicate", "tags[2]", "Duplicate value: \"a\""}});
}

TEST_CASE("nullable: null is a type error unless the field is nullable") {
  auto schema = Compile(json::parse(R"({"type":"object","properties":{
    "plain":{"type":"string"},"nullable":{"type":"string","nullable":true},
    "choice":{"type":"string","enum":["a","b"]}}})"));
  CHECK(Validate(json{{"nullable", nullptr}}, *schema).empty());
  CHECK(Validate(json{{"plain", nullptr}}, *schema) ==
        Causes{{"FieldValueTypeInvalid", "plain",
                "Invalid value: \"null\": plain in body must be of type string: \"null\""}});
  CHECK(Validate(json{{"choice", nullptr}}, *schema) ==
        Causes{{"FieldValueTypeInvalid", "choice",
                "Invalid value: \"null\": choice in body must be of type string: \"null\""},
               {"FieldValueNotSupported", "choice",
                "Unsupported value: null: supported values: \"a\", \"b\""}});
  // Through Admit the null is dropped first, as the server does, so nothing is reported.
  json object = {{"plain", nullptr}};
  CHECK(Admit(&object, *schema).causes.empty());
  CHECK(object == json::object());
}

TEST_CASE("the remaining keywords on a synthetic schema") {
  auto schema = Compile(json::parse(R"({"type":"object","properties":{
    "few":{"type":"array","minItems":2,"items":{"type":"string"}},
    "props":{"type":"object","minProperties":1,"additionalProperties":{"type":"string"}},
    "capped":{"type":"object","maxProperties":1,"additionalProperties":{"type":"string"}},
    "closed":{"type":"object","additionalProperties":false,"properties":{"a":{"type":"string"}}},
    "ratio":{"type":"number","maximum":1,"exclusiveMaximum":true,"minimum":0.5},
    "even":{"type":"integer","multipleOf":2},
    "blob":{"type":"string","format":"byte"},
    "when":{"type":"string","format":"date-time"},
    "count":{"type":"integer","format":"int32"},
    "rune":{"type":"string","maxLength":2}}})"));
  CHECK(Validate(json::parse(R"({"few":["a","b"],"props":{"k":"v"},"capped":{"k":"v"},
    "closed":{"a":"x"},"ratio":0.75,"even":4,"blob":"aGk=","when":"2024-02-29T23:59:59.5+01:00",
    "count":3,"rune":"éé"})"),
                 *schema)
            .empty());
  CHECK(
      Validate(json::parse(R"({"few":["a"],"props":{},"capped":{"a":"1","b":"2"},
    "closed":{"a":"x","b":"y"},"ratio":1,"even":3,"blob":"","when":"2023-02-29T10:00:00Z",
    "count":true,"rune":"ééé"})"),
               *schema) ==
      Causes{
          {"FieldValueTypeInvalid", "blob",
           "Invalid value: \"\": blob in body must be of type byte: \"\""},
          {"FieldValueTooMany", "capped", "Too many: 2: must have at most 1 items"},
          {"FieldValueInvalid", "closed",
           "Invalid value: \"b\": closed.b in body is a forbidden property"},
          // The server strips int32 before validating, so only the type is checked.
          {"FieldValueTypeInvalid", "count",
           "Invalid value: \"boolean\": count in body must be of type integer: \"boolean\""},
          {"FieldValueInvalid", "even", "Invalid value: 3: even in body should be a multiple of 2"},
          {"FieldValueInvalid", "few",
           "Invalid value: 1: few in body should have at least 2 items"},
          {"FieldValueInvalid", "props",
           "Invalid value: 0: props in body should have at least 1 properties"},
          {"FieldValueInvalid", "ratio", "Invalid value: 1: ratio in body should be less than 1"},
          {"FieldValueTooLong", "rune", "Too long: may not be more than 2 bytes"},
          {"FieldValueTypeInvalid", "when",
           "Invalid value: \"2023-02-29T10:00:00Z\": when in body must be of type date-time: "
           "\"2023-02-29T10:00:00Z\""}});
}

TEST_CASE("a kept format names itself when the value is not even a string") {
  auto schema = Compile(json::parse(R"({"type":"object","properties":{
    "blob":{"type":"string","format":"byte"},"id":{"type":"string","format":"uuid"}}})"));
  // type.go checks the format first for non-strings, naming Go's inferred number format.
  CHECK(Validate(json{{"blob", 5}, {"id", "not-checked-here"}}, *schema) ==
        Causes{{"FieldValueTypeInvalid", "blob",
                "Invalid value: \"int64\": blob in body must be of type byte: \"int64\""},
               {"FieldValueTypeInvalid", "id",
                "Invalid value: \"not-checked-here\": id in body must be of type uuid: "
                "\"not-checked-here\""}});
}

TEST_CASE("embedded resources need apiVersion and kind") {
  auto schema = Compile(json::parse(R"({"type":"object","properties":{
    "templates":{"type":"object","additionalProperties":{"type":"object",
                 "x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}}})"));
  CHECK(Validate(json::parse(R"({"templates":{"ok":{"apiVersion":"v1","kind":"Pod"},
    "bad":{"apiVersion":"a/b/c","kind":""},"none":{}}})"),
                 *schema) ==
        Causes{{"FieldValueInvalid", "templates[bad].apiVersion",
                "Invalid value: \"a/b/c\": unexpected GroupVersion string: a/b/c"},
               {"FieldValueRequired", "templates[bad].kind", "Required value"},
               {"FieldValueRequired", "templates[none].apiVersion", "Required value"},
               {"FieldValueRequired", "templates[none].kind", "Required value"}});
}

TEST_CASE("a large valid HTTPRoute validates with no cause") {
  json rules = json::array();
  for (int r = 0; r < 16; ++r) {
    json matches = json::array();
    for (int m = 0; m < 7; ++m) {
      matches.push_back({{"path", {{"type", "PathPrefix"}, {"value", "/r" + std::to_string(r)}}},
                         {"headers", {{{"name", "x-tenant"}, {"value", std::to_string(m)}}}},
                         {"queryParams", {{{"name", "v"}, {"value", "2"}}}},
                         {"method", "GET"}});
    }
    rules.push_back({{"name", "rule-" + std::to_string(r)},
                     {"matches", matches},
                     {"filters",
                      {{{"type", "RequestHeaderModifier"},
                        {"requestHeaderModifier",
                         {{"set", {{{"name", "x-a"}, {"value", "b"}}}}, {"remove", {"x-c"}}}}}}},
                     {"backendRefs",
                      {{{"name", "svc-" + std::to_string(r)}, {"port", 8080}, {"weight", 3}},
                       {{"name", "canary"}, {"port", 8080}, {"weight", 1}}}},
                     {"timeouts", {{"request", "10s"}}}});
  }
  json route =
      Route({{"parentRefs", {{{"name", "eg"}, {"namespace", "infra"}, {"sectionName", "https"}}}},
             {"hostnames", {"app.example.com", "*.apps.example.com"}},
             {"rules", rules}});
  const Admission admission = Admit(&route, HTTPRouteV1());
  CHECK(admission.causes == Causes{});
  CHECK(admission.unknown_fields.empty());
  CHECK(route["spec"]["rules"][15]["backendRefs"][1]["kind"] == "Service");
}

TEST_CASE("a very long string is matched without exhausting the stack") {
  auto schema = Compile(json::parse(R"({"type":"string","pattern":"^[a-z]*$"})"));
  CHECK(Validate(json(std::string(1 << 20, 'a')), *schema).empty());
  CHECK(Validate(json(std::string(1 << 20, 'a') + "!"), *schema).size() == 1);
}

// --- Walking the schema, for server-side apply ---

TEST_CASE("list and map types along object paths") {
  const Schema& gateway = GatewayV1();
  const Schema* listeners = gateway.Find("spec.listeners");
  REQUIRE(listeners != nullptr);
  CHECK(listeners->list_type() == Schema::ListType::kMap);
  CHECK(listeners->list_map_keys() == std::vector<std::string>{"name"});
  CHECK(gateway.Find("spec.listeners[0].allowedRoutes.namespaces.from") ==
        gateway.Find("spec.listeners[].allowedRoutes.namespaces.from"));
  CHECK(gateway.Find("spec.listeners[].allowedRoutes.namespaces.selector")->map_type() ==
        Schema::MapType::kAtomic);

  const Schema& route = HTTPRouteV1();
  CHECK(route.Find("spec.hostnames")->list_type() == Schema::ListType::kAtomic);
  CHECK(route.Find("spec.parentRefs")->list_type() == Schema::ListType::kAtomic);
  CHECK(route.Find("spec.rules")->list_type() == Schema::ListType::kAtomic);
  CHECK(route.Find("spec.rules[].backendRefs[].filters[].cors.allowMethods")->list_type() ==
        Schema::ListType::kSet);
  CHECK(route.Find("spec.nope") == nullptr);
  CHECK(route.Find("metadata")->type() == Schema::Type::kObject);
  CHECK(route.Find("metadata.labels") == nullptr);  // the CRD says only type: object
  CHECK(route.Property("spec")->Field("rules") == route.Find("spec.rules"));
  CHECK(route.Find("spec.rules")->items() == route.Find("spec.rules[]"));

  const Schema& policy = SharedSchema(testing::kEnvoyProxies, "v1alpha1");
  const Schema* labels = policy.Find("spec.provider.kubernetes.envoyService.annotations");
  REQUIRE(labels != nullptr);
  CHECK(labels->additional_properties() != nullptr);
  CHECK(policy.Find("spec.provider.kubernetes.envoyService.annotations.team") ==
        labels->additional_properties());
  // A key with dots cannot be written in a Find path; Field() takes any key.
  CHECK(labels->Field("example.com/team") == labels->additional_properties());
}

TEST_CASE("preserve-unknown-fields, int-or-string and CEL rules are exposed per node") {
  const Schema& route = HTTPRouteV1();
  const Schema* rules = route.Find("spec.rules");
  REQUIRE(rules->validation_rules().size() >= 1);
  CHECK(rules->validation_rules()[0].message ==
        "While 16 rules and 64 matches per rule are allowed, the total number of matches across "
        "all rules in a route must be less than 128");
  CHECK(rules->validation_rules()[0].reason == "FieldValueInvalid");
  CHECK_FALSE(rules->validation_rules()[0].rule.empty());
  CHECK(route.Find("spec.rules[].matches[].path.type")->default_value()->get<std::string>() ==
        "PathPrefix");

  const Schema& ctp = SharedSchema(testing::kClientTrafficPolicies, "v1alpha1");
  const Schema* limit = ctp.Find("spec.connection.bufferLimit");
  CHECK(limit->int_or_string());
  CHECK(limit->type_names() == std::vector<std::string>{"integer", "string"});
  CHECK_FALSE(route.preserve_unknown_fields());
}

// --- Messages ---

TEST_CASE("the Status message lists the causes as the server does") {
  const Causes one = {{"FieldValueRequired", "spec.gatewayClassName", "Required value"}};
  CHECK(InvalidMessage("Gateway", "gateway.networking.k8s.io", "eg", one) ==
        "Gateway.gateway.networking.k8s.io \"eg\" is invalid: spec.gatewayClassName: Required "
        "value");
  Causes two = one;
  two.push_back(one[0]);
  two.push_back({"FieldValueTooLong", "spec.x", "Too long: may not be more than 3 bytes"});
  CHECK(InvalidMessage("Gateway", "gateway.networking.k8s.io", "eg", two) ==
        "Gateway.gateway.networking.k8s.io \"eg\" is invalid: [spec.gatewayClassName: Required "
        "value, spec.x: Too long: may not be more than 3 bytes]");
  CHECK(HasBlockingCause(two));
  CHECK_FALSE(HasBlockingCause({{"FieldValueInvalid", "spec.x", "Invalid value: 1: nope"}}));
  CHECK(RulesNotCheckedCause().ToString() ==
        "<nil>: Invalid value: null: some validation rules were not checked because the object "
        "was invalid; correct the existing errors to complete validation");
}

TEST_CASE("Schema::Compile refuses what it cannot run") {
  std::string error;
  CHECK(Schema::Compile(json::parse(R"({"type":"object","properties":{"a":{"$ref":"#/x"}}})"),
                        &error) == nullptr);
  CHECK(error == "a: $ref is not allowed in a structural schema");
  error.clear();
  CHECK(Schema::Compile(json::parse(R"({"type":"array","items":[{"type":"string"}]})"), &error) ==
        nullptr);
  CHECK(error == "<root>: items must be a schema, not an array");
  error.clear();
  CHECK(Schema::Compile(json::parse(R"({"type":"text"})"), &error) == nullptr);
  CHECK(error == "<root>: unknown type \"text\"");
}

}  // namespace
}  // namespace starform::kube
