#include "plan/yaml_emit.h"

#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
// GCC 12 warns of an uninitialized std::function inside <regex> when optimizing with sanitizers,
// a false positive that -Werror would turn into a broken build.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
#include <stdexcept>
#include <string>
#include <vector>

// Expected texts marked "yaml.v2" were produced by gopkg.in/yaml.v2 2.4.0 (what kubectl's
// sigs.k8s.io/yaml uses) from the same JSON; where this emitter deliberately differs, the case
// says so.

namespace starform {
namespace {

using nlohmann::json;

// For failure messages: a value read back wrong may hold text that is not UTF-8.
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// ---------------------------------------------------------------------------------------------
// Reading our YAML back: yaml-cpp parses, this resolves plain scalars by the YAML 1.2 core schema
// and checks that a YAML 1.1 reader (kubectl's) would not resolve them otherwise.

bool Matches(const std::string& text, const std::regex& pattern) {
  return std::regex_match(text, pattern);
}

// Would a YAML 1.1 reader (yaml.v2, PyYAML) take this plain scalar for something else than a
// string? The patterns of yaml.org/type (bool, null, int, float, timestamp, merge), as PyYAML
// writes them, with yaml.v2's y/n booleans and one-digit months.
bool IsNonStringInYaml11(const std::string& text) {
  static const std::regex kPatterns(
      "y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
      "|~|null|Null|NULL|"
      "|[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
      "|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+"
      "|[-+]?[0-9][0-9_]*\\.[0-9_]*([eE][-+][0-9]+)?|\\.[0-9_]+([eE][-+][0-9]+)?"
      "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)"
      "|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
      "|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \\t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\\.[0-9]*)?"
      "([ \\t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?"
      "|<<");
  return Matches(text, kPatterns);
}

// The YAML 1.2 core schema's resolution of a plain scalar; |problems| collects plain strings
// that a YAML 1.1 reader would misread.
json ResolvePlain(const std::string& text, std::vector<std::string>* problems) {
  static const std::regex kNull("~|null|Null|NULL|");
  static const std::regex kTrue("true|True|TRUE");
  static const std::regex kFalse("false|False|FALSE");
  static const std::regex kDecimal("[-+]?[0-9]+");
  static const std::regex kOctal("0o[0-7]+");
  static const std::regex kHex("0x[0-9a-fA-F]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  static const std::regex kInfinity("[-+]?\\.(inf|Inf|INF)");
  static const std::regex kNan("\\.(nan|NaN|NAN)");
  if (Matches(text, kNull))
    return nullptr;
  if (Matches(text, kTrue))
    return true;
  if (Matches(text, kFalse))
    return false;
  if (Matches(text, kDecimal)) {
    if (text[0] == '-')
      return std::stoll(text);
    return std::stoull(text[0] == '+' ? text.substr(1) : text);
  }
  if (Matches(text, kOctal))
    return std::stoull(text.substr(2), nullptr, 8);
  if (Matches(text, kHex))
    return std::stoull(text.substr(2), nullptr, 16);
  if (Matches(text, kFloat))
    return std::strtod(text.c_str(), nullptr);
  if (Matches(text, kInfinity)) {
    return text[0] == '-' ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity();
  }
  if (Matches(text, kNan))
    return std::numeric_limits<double>::quiet_NaN();
  if (IsNonStringInYaml11(text))
    problems->push_back(text);
  return text;
}

json FromYaml(const YAML::Node& node, std::vector<std::string>* problems) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags plain scalars "?" and quoted or block scalars "!".
      if (node.Tag() == "!")
        return node.Scalar();
      return ResolvePlain(node.Scalar(), problems);
    case YAML::NodeType::Sequence: {
      json array = json::array();
      for (const auto& item : node)
        array.push_back(FromYaml(item, problems));
      return array;
    }
    case YAML::NodeType::Map: {
      json object = json::object();
      for (const auto& entry : node) {
        const json key = FromYaml(entry.first, problems);
        if (!key.is_string()) {
          problems->push_back("non-string key " + Dump(key));
          continue;
        }
        object[key.get<std::string>()] = FromYaml(entry.second, problems);
      }
      return object;
    }
    case YAML::NodeType::Undefined:
      break;
  }
  throw std::logic_error("undefined YAML node");
}

// JSON equality that also tells integers from floats (nlohmann's == finds 1 == 1.0) and -0.0
// from 0.0.
bool SameJson(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_number_float() != b.is_number_float())
      return false;
    if (a.is_number_float()) {
      const double x = a.get<double>(), y = b.get<double>();
      return (std::isnan(x) && std::isnan(y)) || (x == y && std::signbit(x) == std::signbit(y));
    }
    return a == b;
  }
  if (a.type() != b.type())
    return false;
  if (a.is_object()) {
    if (a.size() != b.size())
      return false;
    for (auto it = a.begin(), jt = b.begin(); it != a.end(); ++it, ++jt) {
      if (it.key() != jt.key() || !SameJson(it.value(), jt.value()))
        return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size())
      return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameJson(a[i], b[i]))
        return false;
    }
    return true;
  }
  return a == b;
}

// Emits |value|, reads it back, and checks it is the same JSON and no plain scalar is ambiguous.
void CheckRoundTrip(const json& value) {
  const std::string yaml = ToYaml(value);
  INFO("json: " << Dump(value));
  INFO("yaml:\n" << yaml);
  std::vector<std::string> problems;
  const json back = FromYaml(YAML::Load(yaml), &problems);
  INFO("read back: " << Dump(back));
  CHECK(problems.empty());
  CHECK(SameJson(back, value));
}

std::string Value(const json& value) {
  return ToYaml(json{{"v", value}});
}

// ---------------------------------------------------------------------------------------------
// Layout.

TEST_CASE("yaml_emit: a Kubernetes object prints as kubectl get -o yaml prints it") {
  const json route = json::parse(R"({
    "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
    "metadata": {
      "annotations": {
        "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"HTTPRoute\",\"metadata\":{\"name\":\"shop\",\"namespace\":\"tenant-acme\"}}\n",
        "starform.dev/note": "Routes shop traffic: the checkout path has a 30s timeout because payment providers are slow"
      },
      "creationTimestamp": "2024-05-01T10:00:00Z", "generation": 3,
      "labels": {
        "app.kubernetes.io/managed-by": "starform",
        "applyset.kubernetes.io/part-of": "applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1"
      },
      "name": "shop", "namespace": "tenant-acme", "resourceVersion": "48213",
      "uid": "5e9a3c1e-2f0b-4d7a-9c61-0d7f3b2a9e11"
    },
    "spec": {
      "hostnames": ["shop.starform.app", "*.shop.starform.app"],
      "parentRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "starform",
                      "namespace": "starform-system", "sectionName": "https"}],
      "rules": [{
        "backendRefs": [{"group": "", "kind": "Service", "name": "shop", "port": 8080, "weight": 1}],
        "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
        "timeouts": {"request": "30s"}
      }]
    },
    "status": {"parents": [{
      "conditions": [{"lastTransitionTime": "2024-05-01T10:00:01Z", "message": "Route is accepted",
                      "observedGeneration": 3, "reason": "Accepted", "status": "True", "type": "Accepted"}],
      "controllerName": "gateway.envoyproxy.io/gatewayclass-controller",
      "parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "starform",
                    "namespace": "starform-system", "sectionName": "https"}
    }]}
  })");
  // yaml.v2, byte for byte.
  CHECK(ToYaml(route) == R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"shop","namespace":"tenant-acme"}}
    starform.dev/note: 'Routes shop traffic: the checkout path has a 30s timeout because
      payment providers are slow'
  creationTimestamp: "2024-05-01T10:00:00Z"
  generation: 3
  labels:
    app.kubernetes.io/managed-by: starform
    applyset.kubernetes.io/part-of: applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1
  name: shop
  namespace: tenant-acme
  resourceVersion: "48213"
  uid: 5e9a3c1e-2f0b-4d7a-9c61-0d7f3b2a9e11
spec:
  hostnames:
  - shop.starform.app
  - '*.shop.starform.app'
  parentRefs:
  - group: gateway.networking.k8s.io
    kind: Gateway
    name: starform
    namespace: starform-system
    sectionName: https
  rules:
  - backendRefs:
    - group: ""
      kind: Service
      name: shop
      port: 8080
      weight: 1
    matches:
    - path:
        type: PathPrefix
        value: /
    timeouts:
      request: 30s
status:
  parents:
  - conditions:
    - lastTransitionTime: "2024-05-01T10:00:01Z"
      message: Route is accepted
      observedGeneration: 3
      reason: Accepted
      status: "True"
      type: Accepted
    controllerName: gateway.envoyproxy.io/gatewayclass-controller
    parentRef:
      group: gateway.networking.k8s.io
      kind: Gateway
      name: starform
      namespace: starform-system
      sectionName: https
)");
  CheckRoundTrip(route);
}

TEST_CASE("yaml_emit: empty containers, nested sequences and top-level values") {
  // yaml.v2.
  CHECK(ToYaml(json::object()) == "{}\n");
  CHECK(ToYaml(json::array()) == "[]\n");
  CHECK(ToYaml(json{{"a", json::object()}, {"b", json::array()}}) == "a: {}\nb: []\n");
  CHECK(ToYaml(json::parse(R"([["a", "b"], [["c"]], [], {}, [{}], {"a": []}])")) ==
        "- - a\n  - b\n- - - c\n- []\n- {}\n- - {}\n- a: []\n");
  CHECK(ToYaml(json::parse(R"({"a": {"deep": ["x", ["y", "z"], {"q": 1}, {}, []]}})")) ==
        "a:\n  deep:\n  - x\n  - - \"y\"\n    - z\n  - q: 1\n  - {}\n  - []\n");
  CHECK(ToYaml(json::parse(R"([{"a": 1, "b": {"c": [1, 2]}}, [{"d": null}]])")) ==
        "- a: 1\n  b:\n    c:\n    - 1\n    - 2\n- - d: null\n");
  CHECK(ToYaml(nullptr) == "null\n");
  CHECK(ToYaml(true) == "true\n");
  CHECK(ToYaml(5) == "5\n");
  CHECK(ToYaml("plain root") == "plain root\n");
  CHECK(ToYaml("true") == "\"true\"\n");
}

TEST_CASE("yaml_emit: documents in a stream are separated by ---") {
  const std::vector<json> docs = {json{{"a", 1}}, json{{"b", "x"}}, json::object()};
  const std::string stream = ToYamlStream(docs);
  CHECK(stream == "a: 1\n---\nb: x\n---\n{}\n");
  const std::vector<YAML::Node> back = YAML::LoadAll(stream);
  REQUIRE(back.size() == 3);
  CHECK(back[1]["b"].as<std::string>() == "x");
  CHECK(ToYamlStream({}) == "");
}

TEST_CASE("yaml_emit: AppendYaml appends to what the buffer holds") {
  std::string words;
  for (int i = 0; i < 30; ++i)
    words += "word ";
  const json value = {{"v", words + "end"}};
  std::string out = "# header\n";
  AppendYaml(value, &out);
  CHECK(out == "# header\n" + ToYaml(value));
  // Folds count columns from the document's start even when the buffer's last line is open.
  out = "# no newline";
  AppendYaml(value, &out);
  CHECK(out == "# no newline" + ToYaml(value));
}

// ---------------------------------------------------------------------------------------------
// Scalars.

TEST_CASE("yaml_emit: numbers, booleans and null") {
  CHECK(Value(0) == "v: 0\n");
  CHECK(Value(-42) == "v: -42\n");
  CHECK(Value(std::numeric_limits<std::int64_t>::min()) == "v: -9223372036854775808\n");
  CHECK(Value(std::numeric_limits<std::uint64_t>::max()) == "v: 18446744073709551615\n");
  CHECK(Value(true) == "v: true\n");
  CHECK(Value(false) == "v: false\n");
  CHECK(Value(nullptr) == "v: null\n");
  // Floats stay floats: yaml.v2 would print 1.0 as 1 and 1e21 as 1e+21, which a YAML 1.1 reader
  // takes for an int and a string.
  CHECK(Value(1.0) == "v: 1.0\n");
  CHECK(Value(-0.0) == "v: -0.0\n");
  CHECK(Value(0.1) == "v: 0.1\n");
  CHECK(Value(1.5e-7) == "v: 1.5e-07\n");
  CHECK(Value(1e21) == "v: 1.0e+21\n");
  CHECK(Value(123456789012345680000.0) == "v: 123456789012345683968.0\n");
  CHECK(Value(std::numeric_limits<double>::infinity()) == "v: .inf\n");
  CHECK(Value(-std::numeric_limits<double>::infinity()) == "v: -.inf\n");
  CHECK(Value(std::numeric_limits<double>::quiet_NaN()) == "v: .nan\n");
  for (double x : {0.1, 1.0 / 3, 2.5e-308, 1.7976931348623157e308, 4.9e-324, 1e15, 1e16, 100.0}) {
    CheckRoundTrip(json{{"v", x}});
  }
}

struct QuotingCase {
  const char* input;
  const char* yaml;  // the value of v
};

TEST_CASE("yaml_emit: plain strings stay plain") {
  // yaml.v2.
  const std::vector<QuotingCase> cases = {
      {"starform", "starform"},
      {"gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1"},
      {"1.2.3", "1.2.3"},
      {"10.0.0.1", "10.0.0.1"},
      {"30s", "30s"},
      {"a:b", "a:b"},
      {"a#b", "a#b"},
      {"-x", "-x"},
      {"?x", "?x"},
      {":x", ":x"},
      {"x-", "x-"},
      {"a,b", "a,b"},
      {"a[b]", "a[b]"},
      {"a{b}", "a{b}"},
      {"foo bar", "foo bar"},
      {"http://x.y/z?q=1#f", "http://x.y/z?q=1#f"},
      {"/", "/"},
      {"~x", "~x"},
      {"=", "="},
      {"y_", "y_"},
      {"a\\b", "a\\b"},
      {"x'y'", "x'y'"},
      {"2024-01-01T10:00:00Z*,", "2024-01-01T10:00:00Z*,"},
      {"é", "é"},
      {"中文", "中文"},
      {"été 中文", "été 中文"},
  };
  for (const auto& c : cases) {
    INFO(c.input);
    CHECK(Value(c.input) == std::string("v: ") + c.yaml + "\n");
    CheckRoundTrip(json{{"v", c.input}, {c.input, 1}});
  }
}

TEST_CASE("yaml_emit: strings that would read as another type are double-quoted") {
  // yaml.v2, but for the cases marked stricter.
  const std::vector<const char*> cases = {
      "true", "True", "TRUE", "false", "yes", "Yes", "no", "NO", "on", "off", "y", "n", "Y", "N",
      "null", "Null", "NULL", "~", "", "80", "-1", "+1", "0", "007", "08", "0x1F", "0o17", "0b101",
      "1_000", "1e3", "1.5", ".5", "1.", "-.5", "+.inf", ".nan", ".NaN", "-.INF", "1:20",
      "190:20:30.15", "2024-01-01", "2024-1-2", "2024-01-01T10:00:00Z", "2024-1-2 3:4:5",
      "12345678901234567890123",
      // Stricter than yaml.v2, which writes these plain: YAML 1.1 readers other than yaml.v2
      // take them for a time, an int or a float, yaml-cpp for an infinite float, and readers
      // with merge keys for one.
      "2001-12-14 21:59:43.10 -5", "0x_", "._5", "1e400", "<<"};
  for (const char* c : cases) {
    INFO(c);
    CHECK(Value(c) == std::string("v: \"") + c + "\"\n");
    CheckRoundTrip(json{{"v", c}, {c, c}});
  }
  CHECK(ToYaml(json{{"n", 1}, {"80", 2}}) == "\"80\": 2\n\"n\": 1\n");
}

TEST_CASE("yaml_emit: strings that cannot be plain are single-quoted") {
  // yaml.v2.
  const std::vector<QuotingCase> cases = {
      {"*.starform.app", "'*.starform.app'"},
      {"- x", "'- x'"},
      {"-", "'-'"},
      {"?", "'?'"},
      {":", "':'"},
      {"? x", "'? x'"},
      {": x", "': x'"},
      {"a: b", "'a: b'"},
      {"a #b", "'a #b'"},
      {"key:", "'key:'"},
      {"@x", "'@x'"},
      {"`x", "'`x'"},
      {"%x", "'%x'"},
      {"!x", "'!x'"},
      {"&x", "'&x'"},
      {"*x", "'*x'"},
      {"|x", "'|x'"},
      {">x", "'>x'"},
      {"\"x", "'\"x'"},
      {"#x", "'#x'"},
      {"[x", "'[x'"},
      {"]x", "']x'"},
      {"{x", "'{x'"},
      {"}x", "'}x'"},
      {",x", "',x'"},
      {"---", "'---'"},
      {"...", "'...'"},
      {"---x", "'---x'"},
      {" lead", "' lead'"},
      {"trail ", "'trail '"},
      {" ", "' '"},
      {"'x", "'''x'"},
      {"'quoted'", "'''quoted'''"},
  };
  for (const auto& c : cases) {
    INFO(c.input);
    CHECK(Value(c.input) == std::string("v: ") + c.yaml + "\n");
    CheckRoundTrip(json{{"v", c.input}, {c.input, 1}});
  }
  CHECK(ToYaml(json{{"a: b", 1}}) == "'a: b': 1\n");
}

TEST_CASE("yaml_emit: control and non-printable characters are double-quoted escapes") {
  // yaml.v2, but for the line and paragraph separators (yaml.v2 writes them raw, as line
  // breaks, which a YAML 1.2 reader takes for content).
  const std::vector<QuotingCase> cases = {
      {"a\tb", R"("a\tb")"},
      {"\x01", R"("\x01")"},
      {"\x7f", R"("\x7F")"},
      {"a\rb", R"("a\rb")"},
      {"\xc2\x85", R"("\x85")"},  // yaml.v2 writes "\N", which yaml-cpp misreads
      {"\xef\xbb\xbf", R"("\uFEFF")"},
      {"\xf0\x9f\x9a\x80", R"("\U0001F680")"},
      {"\xe2\x80\xa8", R"("\L")"},
      {"\xe2\x80\xa9x", R"("\Px")"},
      {"a \nb", R"("a \nb")"},
      {"a\n\tb", R"("a\n\tb")"},
      {"\x1b[0m \"q\" \\", R"("\e[0m \"q\" \\")"},
  };
  for (const auto& c : cases) {
    INFO(c.input);
    CHECK(Value(c.input) == std::string("v: ") + c.yaml + "\n");
    CheckRoundTrip(json{{"v", c.input}, {c.input, 1}});
  }
  CHECK(Value(std::string("a\0b", 3)) == "v: \"a\\0b\"\n");
  CheckRoundTrip(json{{"v", std::string("a\0b", 3)}});
}

TEST_CASE("yaml_emit: multi-line strings are literal blocks") {
  // yaml.v2.
  const std::vector<QuotingCase> cases = {
      {"a\nb", "|-\n  a\n  b"},
      {"a\nb\n", "|\n  a\n  b"},
      {"a\n\n", "|+\n  a\n"},
      {"\n", "|2+\n"},
      {" a\nb", "|2-\n   a\n  b"},
      {"\na", "|2-\n\n  a"},
      {"a\n b", "|-\n  a\n   b"},
      {"a\n\nb\n", "|\n  a\n\n  b"},
      {"#!/bin/sh\necho 'hi: there'\n", "|\n  #!/bin/sh\n  echo 'hi: there'"},
  };
  for (const auto& c : cases) {
    INFO(c.input);
    CHECK(Value(c.input) == std::string("v: ") + c.yaml + "\n");
    CheckRoundTrip(json{{"v", c.input}});
    CheckRoundTrip(json{{"list", {c.input, c.input}}, {"z", 1}});
  }
  CHECK(ToYaml(json{{"a", {{"b", "x\ny\n"}}}, {"c", 1}}) == "a:\n  b: |\n    x\n    y\nc: 1\n");
  CHECK(ToYaml(json::array({"x\ny"})) == "- |-\n  x\n  y\n");
}

TEST_CASE("yaml_emit: long scalars fold at column 80 as yaml.v2 folds them") {
  std::string words;
  for (int i = 0; i < 30; ++i)
    words += "word ";
  words += "end";
  // yaml.v2.
  CHECK(Value(words) ==
        "v: word word word word word word word word word word word word word word word word\n"
        "  word word word word word word word word word word word word word word end\n");
  CHECK(ToYaml(json{{"list", {words}}}) ==
        "list:\n"
        "- word word word word word word word word word word word word word word word word\n"
        "  word word word word word word word word word word word word word word end\n");
  // Runs of spaces are never folded in plain text; in double quotes the next space is escaped.
  std::string tabs;
  for (int i = 0; i < 30; ++i)
    tabs += "a\tb  ";
  CHECK(Value(tabs) ==
        R"(v: "a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb
  \ a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb  a\tb
  \ a\tb  a\tb  "
)");
  std::string quotes;
  for (int i = 0; i < 20; ++i)
    quotes += "'quoted' ";
  CHECK(
      Value(quotes) ==
      "v: '''quoted'' ''quoted'' ''quoted'' ''quoted'' ''quoted'' ''quoted'' ''quoted'' "
      "''quoted''\n"
      "  ''quoted'' ''quoted'' ''quoted'' ''quoted'' ''quoted'' ''quoted'' ''quoted'' ''quoted''\n"
      "  ''quoted'' ''quoted'' ''quoted'' ''quoted'' '\n");
  // Keys never fold.
  const std::string long_key(90, 'k');
  CHECK(ToYaml(json{{long_key + " x", 1}}) == long_key + " x: 1\n");
  for (const auto& s : {words, tabs, quotes}) {
    CheckRoundTrip(json{{"v", s}, {"list", {s, {{"deep", s}}}}});
  }
}

TEST_CASE("yaml_emit: long and multi-line keys use the explicit form") {
  const std::string long_key(130, 'k');
  // yaml.v2.
  CHECK(ToYaml(json{{long_key, "v"}}) == "? " + long_key + "\n: v\n");
  CHECK(ToYaml(json{{long_key, {{"a", 1}, {"b", {1, 2}}}}}) ==
        "? " + long_key + "\n: a: 1\n  b:\n  - 1\n  - 2\n");
  CHECK(ToYaml(json{{long_key, {1, {{"x", 1}}}}}) == "? " + long_key + "\n: - 1\n  - x: 1\n");
  CHECK(ToYaml(json{{"multi\nkey", "v"}}) == "? |-\n  multi\n  key\n: v\n");
  CHECK(ToYaml(json{{"m\rk", {1}}}) == "? \"m\\rk\"\n: - 1\n");
  CheckRoundTrip(json{{long_key, {{"a", 1}, {"b", {1, 2}}}},
                      {"multi\nkey", {1, {{"x", 1}}}},
                      {"m\rk", json::object()}});
}

TEST_CASE("yaml_emit: invalid UTF-8 is refused, not written") {
  CHECK_THROWS_AS(ToYaml(json{{"v", "a\xff"}}), std::invalid_argument);
  CHECK_THROWS_AS(ToYaml(json{{"\xc0\xaf", 1}}), std::invalid_argument);        // overlong '/'
  CHECK_THROWS_AS(ToYaml(json{{"v", "\xed\xa0\x80"}}), std::invalid_argument);  // a surrogate
  CHECK_THROWS_AS(ToYaml(json{{"v", "\xe2\x82"}}), std::invalid_argument);      // cut short
}

// ---------------------------------------------------------------------------------------------
// Property: whatever the value, yaml-cpp reads back the same JSON.

class ValueGenerator {
 public:
  explicit ValueGenerator(std::uint32_t seed) : random_(seed) {}

  json Any(int depth) {
    const int kind = Pick(depth >= 4 ? 6 : 10);
    if (kind < 4)
      return String();
    if (kind == 4)
      return Number();
    if (kind == 5)
      return Choose<json>({true, false, nullptr, json::object(), json::array()});
    if (kind < 8) {
      json object = json::object();
      const int size = 1 + Pick(5);
      for (int i = 0; i < size; ++i)
        object[String()] = Any(depth + 1);
      return object;
    }
    json array = json::array();
    const int size = 1 + Pick(4);
    for (int i = 0; i < size; ++i)
      array.push_back(Any(depth + 1));
    return array;
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }

  template <typename T>
  T Choose(const std::vector<T>& items) {
    return items[Pick(static_cast<int>(items.size()))];
  }

  // Pieces that stress quoting: indicators, spaces, breaks, look-alikes of other types, text
  // that is not ASCII.
  std::string String() {
    static const std::vector<std::string> kPieces = {"a",
                                                     "b",
                                                     "z",
                                                     " ",
                                                     "  ",
                                                     ":",
                                                     "#",
                                                     "-",
                                                     "?",
                                                     "'",
                                                     "\"",
                                                     "\\",
                                                     "\n",
                                                     "\n\n",
                                                     "\t",
                                                     "\r",
                                                     "é",
                                                     "中",
                                                     "\xc2\xa0",
                                                     "\xc2\x85",
                                                     "\xef\xbb\xbf",
                                                     "\xf0\x9f\x9a\x80",
                                                     "\xe2\x80\xa8",
                                                     "x",
                                                     "1",
                                                     "0",
                                                     "9",
                                                     ".",
                                                     "e",
                                                     "E",
                                                     "+",
                                                     "_",
                                                     "yes",
                                                     "true",
                                                     "null",
                                                     "~",
                                                     "*",
                                                     "&",
                                                     "!",
                                                     "|",
                                                     ">",
                                                     "%",
                                                     "@",
                                                     "`",
                                                     ",",
                                                     "[",
                                                     "]",
                                                     "{",
                                                     "}",
                                                     "---",
                                                     "...",
                                                     "2024-01-01",
                                                     "T10:00:00Z",
                                                     "12:30",
                                                     "0x",
                                                     "0o",
                                                     "0b",
                                                     ".inf",
                                                     "word ",
                                                     "\x01",
                                                     "\x7f",
                                                     "y",
                                                     "n",
                                                     "on",
                                                     "<<",
                                                     "lorem ipsum dolor sit amet "};
    if (Pick(10) == 0) {
      std::string sentence;  // long enough to fold
      const int words = 5 + Pick(35);
      for (int i = 0; i < words; ++i) {
        if (i > 0)
          sentence += ' ';
        sentence += Choose(kPieces);
      }
      return sentence;
    }
    std::string text;
    const int pieces = Pick(Choose<int>({2, 4, 9}));
    for (int i = 0; i < pieces; ++i)
      text += Choose(kPieces);
    return text;
  }

  json Number() {
    switch (Pick(6)) {
      case 0:
        return std::uniform_int_distribution<std::int64_t>(
            std::numeric_limits<std::int64_t>::min())(random_);
      case 1:
        return std::uniform_int_distribution<std::uint64_t>()(random_);
      case 2:
        return Pick(2000) - 1000;
      case 3:
        return std::uniform_real_distribution<double>(-1e6, 1e6)(random_);
      case 4:
        return std::ldexp(std::uniform_real_distribution<double>(-1, 1)(random_),
                          Pick(2098) - 1074);
      default:
        return Choose<double>({0.0, -0.0, 1.0, 1e21, 1e-7, 100.0, 3.0e15, 5e-324});
    }
  }

  std::mt19937 random_;
};

TEST_CASE("yaml_emit: random values read back the same (yaml-cpp, core schema, YAML 1.1)") {
  ValueGenerator generator(20240501);
  for (int i = 0; i < 3000; ++i) {
    const json value = generator.Any(0);
    std::vector<std::string> problems;
    const std::string yaml = ToYaml(value);
    json back;
    try {
      back = FromYaml(YAML::Load(yaml), &problems);
    } catch (const YAML::Exception& e) {
      FAIL("yaml-cpp cannot read\n" << yaml << "\nfor " << Dump(value) << ": " << e.what());
    }
    if (!problems.empty() || !SameJson(back, value)) {
      FAIL("value " << i << ": " << Dump(value) << "\nyaml:\n"
                    << yaml << "\nread back: " << Dump(back)
                    << "\nambiguous plain scalars: " << Dump(json(problems)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Speed: 10,000 apps render to about 20,000 objects; writing them must stay a small part of the
// one-second budget.

json HttpRouteLike(int i) {
  const std::string name = "app-" + std::to_string(i);
  const std::string ns = "tenant-" + std::to_string(i % 1000);
  return {
      {"apiVersion", "gateway.networking.k8s.io/v1"},
      {"kind", "HTTPRoute"},
      {"metadata",
       {{"labels",
         {{"app.kubernetes.io/managed-by", "starform"},
          {"applyset.kubernetes.io/part-of",
           "applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1"}}},
        {"name", name},
        {"namespace", ns}}},
      {"spec",
       {{"hostnames", {name + ".starform.app"}},
        {"parentRefs",
         {{{"group", "gateway.networking.k8s.io"},
           {"kind", "Gateway"},
           {"name", "starform"},
           {"namespace", "starform-system"},
           {"sectionName", "https"}}}},
        {"rules",
         {{{"backendRefs",
            {{{"group", ""}, {"kind", "Service"}, {"name", name}, {"port", 8080}, {"weight", 1}}}},
           {"matches", {{{"path", {{"type", "PathPrefix"}, {"value", "/"}}}}}},
           {"timeouts", {{"request", "30s"}}}}}}}}};
}

TEST_CASE("yaml_emit: 20,000 HTTPRoute-like objects") {
  std::vector<json> objects;
  objects.reserve(20000);
  for (int i = 0; i < 20000; ++i)
    objects.push_back(HttpRouteLike(i));
  const auto start = std::chrono::steady_clock::now();
  const std::string stream = ToYamlStream(objects);
  const auto elapsed =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
  WARN("ToYamlStream of 20,000 HTTPRoute-like objects: " << elapsed.count() << " ms, "
                                                         << stream.size() << " bytes");
  std::string joined;
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i > 0)
      joined += "---\n";
    joined += ToYaml(objects[i]);
  }
  CHECK(stream == joined);
  // yaml-cpp reads the first hundred documents back (all 20,000 would take it seconds).
  size_t end = 0;
  for (int i = 0; i < 100; ++i)
    end = stream.find("\n---\n", end) + 1;
  const std::vector<YAML::Node> docs = YAML::LoadAll(stream.substr(0, end));
  REQUIRE(docs.size() == 100);
  std::vector<std::string> problems;
  CHECK(SameJson(FromYaml(docs[42], &problems), objects[42]));
  CHECK(problems.empty());
}

}  // namespace
}  // namespace starform
