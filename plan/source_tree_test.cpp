#include "plan/source_tree.h"

#include <cmath>
#include <string>

#include <catch2/catch.hpp>

namespace starform {
namespace {

using Kind = SourceNode::Kind;

SourceNode Yaml(std::string_view text) {
  SourceNode node;
  Diagnostics diags("t.yaml");
  INFO(text);
  bool ok = ParseYaml(text, &node, &diags);
  INFO(diags.ToString());
  REQUIRE(ok);
  REQUIRE(diags.all().empty());
  return node;
}

SourceNode Json(std::string_view text) {
  SourceNode node;
  Diagnostics diags("t.json");
  INFO(text);
  bool ok = ParseJson(text, &node, &diags);
  INFO(diags.ToString());
  REQUIRE(ok);
  REQUIRE(diags.all().empty());
  return node;
}

// The one diagnostic of a failed parse, as "file:line:column: message".
std::string YamlError(std::string_view text) {
  SourceNode node;
  Diagnostics diags("t.yaml");
  CHECK_FALSE(ParseYaml(text, &node, &diags));
  REQUIRE(diags.all().size() == 1);
  return diags.all()[0].ToString();
}

std::string JsonError(std::string_view text) {
  SourceNode node;
  Diagnostics diags("t.json");
  CHECK_FALSE(ParseJson(text, &node, &diags));
  REQUIRE(diags.all().size() == 1);
  return diags.all()[0].ToString();
}

std::string Pos(const SourceNode& node) {
  return std::to_string(node.mark.line) + ":" + std::to_string(node.mark.column);
}

TEST_CASE("YAML keys and values carry 1-based line:column") {
  SourceNode doc = Yaml(
      "gateway:\n"
      "  listeners:\n"
      "    - name: http\n"
      "      port: 80\n"
      "flow: {a: [1, \"x\"]}\n");
  REQUIRE(doc.kind == Kind::kMap);
  CHECK(Pos(doc) == "1:1");
  CHECK(Pos(doc.entries[0].first) == "1:1");
  const SourceNode* gateway = doc.Find("gateway");
  REQUIRE(gateway != nullptr);
  CHECK(Pos(*gateway) == "2:3");
  const SourceNode* listeners = gateway->Find("listeners");
  REQUIRE(listeners != nullptr);
  CHECK(listeners->kind == Kind::kSeq);
  CHECK(Pos(*listeners) == "3:5");
  const SourceNode& listener = listeners->items.at(0);
  CHECK(Pos(listener) == "3:7");
  CHECK(Pos(listener.entries.at(1).first) == "4:7");
  CHECK(Pos(*listener.Find("port")) == "4:13");
  const SourceNode* flow = doc.Find("flow");
  CHECK(Pos(*flow) == "5:7");
  CHECK(Pos(flow->entries.at(0).first) == "5:8");
  CHECK(Pos(flow->Find("a")->items.at(1)) == "5:15");
}

TEST_CASE("YAML empty and explicit nulls point at the value, or at the key when empty") {
  SourceNode doc = Yaml("a:\nb: ~\nc: null\nd: {e: }\n");
  CHECK(doc.Find("a")->kind == Kind::kNull);
  CHECK(Pos(*doc.Find("a")) == "1:1");  // yaml-cpp says 2:1, the token after the empty value
  CHECK(doc.Find("a")->text == "");
  CHECK(Pos(*doc.Find("b")) == "2:4");
  CHECK(doc.Find("b")->text == "~");
  CHECK(Pos(*doc.Find("c")) == "3:4");
  CHECK(Pos(*doc.Find("d")->Find("e")) == "4:5");
}

TEST_CASE("YAML scalars resolve with the 1.2 core schema") {
  SourceNode doc = Yaml(
      "plain_int: 80\n"
      "quoted: \"80\"\n"
      "single: '80'\n"
      "literal: |\n  80\n"
      "negative: -12\n"
      "plus: +7\n"
      "hex: 0x1F\n"
      "octal: 0o17\n"
      "leading_zero: 010\n"
      "float: 1.5\n"
      "exp: 1e3\n"
      "dot: .5\n"
      "inf: -.inf\n"
      "nan: .NaN\n"
      "t: true\n"
      "t2: True\n"
      "t3: TRUE\n"
      "f: false\n"
      "yes_is_string: yes\n"
      "on_is_string: on\n"
      "tilde: ~\n"
      "null_word: NULL\n"
      "nullable: nullable\n"
      "version: 1.2.3\n"
      "huge: 99999999999999999999\n"
      "underscore: 1_000\n"
      "tagged: !!str 12\n"
      "tagged_int: !!int \"12\"\n");
  auto get = [&](std::string_view key) {
    const SourceNode* node = doc.Find(key);
    REQUIRE(node != nullptr);
    return *node;
  };
  CHECK(get("plain_int").kind == Kind::kInt);
  CHECK(get("plain_int").int_value == 80);
  CHECK(get("plain_int").text == "80");
  CHECK(get("quoted").kind == Kind::kString);
  CHECK(get("quoted").text == "80");
  CHECK(get("single").kind == Kind::kString);
  CHECK(get("literal").kind == Kind::kString);
  CHECK(get("literal").text == "80\n");
  CHECK(get("negative").int_value == -12);
  CHECK(get("plus").int_value == 7);
  CHECK(get("hex").int_value == 31);
  CHECK(get("octal").int_value == 15);
  CHECK(get("leading_zero").int_value == 10);
  CHECK(get("float").kind == Kind::kFloat);
  CHECK(get("float").float_value == 1.5);
  CHECK(get("exp").float_value == 1000.0);
  CHECK(get("dot").float_value == 0.5);
  CHECK(get("inf").kind == Kind::kFloat);
  CHECK(get("inf").float_value == -HUGE_VAL);
  CHECK(std::isnan(get("nan").float_value));
  CHECK(get("t").kind == Kind::kBool);
  CHECK(get("t").bool_value);
  CHECK(get("t2").bool_value);
  CHECK(get("t3").bool_value);
  CHECK(get("f").kind == Kind::kBool);
  CHECK_FALSE(get("f").bool_value);
  CHECK(get("yes_is_string").kind == Kind::kString);
  CHECK(get("on_is_string").kind == Kind::kString);
  CHECK(get("tilde").kind == Kind::kNull);
  CHECK(get("null_word").kind == Kind::kNull);
  CHECK(get("nullable").kind == Kind::kString);
  CHECK(get("version").kind == Kind::kString);
  CHECK(get("huge").kind == Kind::kFloat);
  CHECK(get("huge").text == "99999999999999999999");
  CHECK(get("underscore").kind == Kind::kString);
  CHECK(get("tagged").kind == Kind::kString);
  CHECK(get("tagged").text == "12");
  CHECK(get("tagged_int").kind == Kind::kInt);
  CHECK(get("tagged_int").int_value == 12);
}

TEST_CASE("YAML int64 limits") {
  SourceNode doc = Yaml("max: 9223372036854775807\nmin: -9223372036854775808\n");
  CHECK(doc.Find("max")->kind == Kind::kInt);
  CHECK(doc.Find("max")->int_value == INT64_MAX);
  CHECK(doc.Find("min")->kind == Kind::kInt);
  CHECK(doc.Find("min")->int_value == INT64_MIN);
}

TEST_CASE("YAML keeps duplicate keys, Find and ToJson take the first") {
  SourceNode doc = Yaml("port: 1\nname: x\nport: 2\n");
  REQUIRE(doc.entries.size() == 3);
  CHECK(doc.entries[2].first.text == "port");
  CHECK(Pos(doc.entries[2].first) == "3:1");
  CHECK(doc.Find("port")->int_value == 1);
  CHECK(ToJson(doc) == nlohmann::json{{"port", 1}, {"name", "x"}});
}

TEST_CASE("YAML anchors and aliases are expanded") {
  SourceNode doc = Yaml(
      "base: &b\n"
      "  port: 80\n"
      "  tags: [a, b]\n"
      "copy: *b\n"
      "name: &n shop\n"
      "again: *n\n");
  const SourceNode* copy = doc.Find("copy");
  REQUIRE(copy->kind == Kind::kMap);
  CHECK(Pos(*copy) == "4:7");                // where the alias is used
  CHECK(Pos(*copy->Find("port")) == "2:9");  // inside, where the text is
  CHECK(copy->Find("tags")->items.size() == 2);
  CHECK(doc.Find("again")->text == "shop");
  CHECK(doc.Find("again")->kind == Kind::kString);
  CHECK(YamlError("a: &x [1, *x]\n") ==
        "t.yaml:1:11: yaml: an alias refers to its own anchor (a recursive alias)");
}

TEST_CASE("YAML alias bombs are refused") {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 7; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int j = 0; j < 9; ++j)
      text += ", " + prev;
    text += "]\n";
  }
  CHECK_THAT(YamlError(text), Catch::Contains("yaml: aliases expand to more than 1000000 nodes"));
}

TEST_CASE("YAML syntax errors carry yaml-cpp's position and message") {
  CHECK(YamlError("a: b: c\n") == "t.yaml:1:5: yaml: illegal map value");
  CHECK(YamlError("a: 1\n b: 2\n  - x\n") == "t.yaml:2:3: yaml: illegal map value");
  CHECK(YamlError("a: 'open") == "t.yaml:1:9: yaml: illegal EOF in scalar");
  CHECK(YamlError("key: value\n- item\n") == "t.yaml:2:1: yaml: end of map not found");
  CHECK(YamlError("a: [1, 2\n") == "t.yaml:2:1: yaml: end of sequence flow not found");
  CHECK(YamlError("a: !custom x\n") == "t.yaml:1:4: yaml: unsupported tag \"!custom\"");
  CHECK(YamlError("a: !!int x\n") == "t.yaml:1:4: yaml: invalid !!int value \"x\"");
  CHECK(YamlError("a: " + std::string(1000, '[') + std::string(1000, ']')) ==
        "t.yaml:1:2004: yaml: nested too deeply");
}

TEST_CASE("YAML: one document only, empty documents are skipped") {
  CHECK(YamlError("a: 1\n---\nb: 2\n") ==
        "t.yaml:2:1: yaml: the stream holds more than one document; a desired state is one "
        "document");
  CHECK(Yaml("---\na: 1\n").Find("a")->int_value == 1);
  CHECK(Yaml("a: 1\n---\n").Find("a")->int_value == 1);
  CHECK(Yaml("---\n---\na: 1\n...\n").Find("a")->int_value == 1);
}

TEST_CASE("YAML: empty input is a null document") {
  for (std::string_view text : {"", "\n", "# only a comment\n"}) {
    SourceNode doc = Yaml(text);
    CHECK(doc.kind == Kind::kNull);
  }
}

TEST_CASE("YAML: escapes and a byte order mark") {
  SourceNode doc = Yaml(
      "\xEF\xBB\xBF"
      "a: \"\\u00e9\\U0001F600\\n\"\nb: ~\n");
  CHECK(doc.Find("a")->text == "\xC3\xA9\xF0\x9F\x98\x80\n");
  CHECK(Pos(*doc.Find("b")) == "2:4");
  CHECK(Pos(doc.entries[0].first) == "1:1");
}

TEST_CASE("JSON values and keys carry 1-based line:column") {
  SourceNode doc = Json(
      "{\n"
      "  \"gateway\": {\"port\": 80,\n"
      "    \"names\": [\"a\", true, null, -1.5]},\n"
      "  \"x\": {}\n"
      "}");
  CHECK(doc.kind == Kind::kMap);
  CHECK(Pos(doc) == "1:1");
  CHECK(Pos(doc.entries[0].first) == "2:3");
  const SourceNode* gateway = doc.Find("gateway");
  CHECK(Pos(*gateway) == "2:14");
  CHECK(Pos(gateway->entries[0].first) == "2:15");
  CHECK(Pos(*gateway->Find("port")) == "2:23");
  const SourceNode* names = gateway->Find("names");
  CHECK(Pos(*names) == "3:14");
  CHECK(Pos(names->items[1]) == "3:20");
  CHECK(Pos(names->items[2]) == "3:26");
  CHECK(Pos(names->items[3]) == "3:32");
  CHECK(Pos(*doc.Find("x")) == "4:8");
}

TEST_CASE("JSON numbers: integral and in range is kInt, anything else kFloat") {
  SourceNode doc = Json(
      "[0, -7, 80, 9223372036854775807, -9223372036854775808, 9223372036854775808, 1.0, 2e3,"
      " -0.5, 1e999, 1e-999]");
  const auto& v = doc.items;
  REQUIRE(v.size() == 11);
  CHECK(v[0].kind == Kind::kInt);
  CHECK(v[1].int_value == -7);
  CHECK(v[2].int_value == 80);
  CHECK(v[3].int_value == INT64_MAX);
  CHECK(v[4].int_value == INT64_MIN);
  CHECK(v[5].kind == Kind::kFloat);
  CHECK(v[5].text == "9223372036854775808");
  CHECK(v[6].kind == Kind::kFloat);
  CHECK(v[6].float_value == 1.0);
  CHECK(v[7].float_value == 2000.0);
  CHECK(v[8].float_value == -0.5);
  CHECK(v[9].float_value == HUGE_VAL);
  CHECK(v[10].float_value == 0.0);
}

TEST_CASE("JSON strings: escapes, unicode escapes, surrogate pairs, UTF-8") {
  SourceNode doc = Json(R"(["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u20AC", "\ud83d\ude00", "é"])");
  CHECK(doc.items[0].text == "a\"b\\c/d\b\f\n\r\t");
  CHECK(doc.items[1].text == "\xC3\xA9\xE2\x82\xAC");
  CHECK(doc.items[2].text == "\xF0\x9F\x98\x80");
  CHECK(doc.items[3].text == "\xC3\xA9");
  CHECK(JsonError(R"(["\ud83d"])") ==
        "t.json:1:3: json: invalid \\u escape: a high surrogate without a low one");
  CHECK(JsonError(R"(["\ude00"])") ==
        "t.json:1:3: json: invalid \\u escape: a low surrogate without a high one");
  CHECK(JsonError(R"(["\u12G4"])") ==
        "t.json:1:7: json: invalid \\u escape: expected four hex digits");
  CHECK(JsonError("[\"\xFF\"]") == "t.json:1:3: json: invalid UTF-8 in a string");
  CHECK(JsonError("[\"\xED\xA0\x80\"]") == "t.json:1:3: json: invalid UTF-8 in a string");
}

TEST_CASE("JSON keeps duplicate keys") {
  SourceNode doc = Json("{\"port\": 1, \"port\": 2}");
  REQUIRE(doc.entries.size() == 2);
  CHECK(Pos(doc.entries[1].first) == "1:13");
  CHECK(doc.Find("port")->int_value == 1);
}

TEST_CASE("JSON syntax errors say where and what") {
  CHECK(JsonError("{\"a\": 1,}") ==
        "t.json:1:9: json: unexpected character '}', expected a "
        "string key");
  CHECK(JsonError("{\n  \"a\" 1}") ==
        "t.json:2:7: json: unexpected character '1', expected ':' after a key");
  CHECK(JsonError("[1 2]") == "t.json:1:4: json: unexpected character '2', expected ',' or ']'");
  CHECK(JsonError("{\"a\": [1}") ==
        "t.json:1:9: json: unexpected character '}', expected ',' or ']'");
  CHECK(JsonError("{\"a\": 1") == "t.json:1:8: json: unexpected end of input, expected ',' or '}'");
  CHECK(JsonError("{\"a\": \"x\ny\"}") ==
        "t.json:1:9: json: unterminated string (a newline in a string is written \\n)");
  CHECK(JsonError("[01]") == "t.json:1:2: json: invalid number: leading zero");
  CHECK(JsonError("[1.]") == "t.json:1:4: json: invalid number: expected a digit after '.'");
  CHECK(JsonError("[-]") == "t.json:1:3: json: invalid number: expected a digit");
  CHECK(JsonError("[tru]") == "t.json:1:2: json: invalid literal, expected \"true\"");
  CHECK(JsonError("{} x") == "t.json:1:4: json: unexpected character 'x' after the value");
  CHECK(JsonError("") == "t.json:1:1: json: unexpected end of input, expected a value");
  CHECK(JsonError("[\"\\q\"]") == "t.json:1:3: json: invalid escape '\\q' in a string");
  CHECK(JsonError("['a']") == "t.json:1:2: json: unexpected character ''', expected a value");
  CHECK(JsonError(std::string(600, '[')) == "t.json:1:513: json: nested deeper than 512");
}

TEST_CASE("ParseDocument picks JSON for an object or an array, and YAML otherwise") {
  Diagnostics diags("d");
  SourceNode doc;
  // Tabs are JSON whitespace but not YAML indentation: only the JSON parser accepts this.
  REQUIRE(ParseDocument("\n\t{\"a\":\t1}", &doc, &diags));
  CHECK(doc.Find("a")->int_value == 1);
  CHECK(Pos(doc) == "2:2");
  REQUIRE(ParseDocument("a: 1", &doc, &diags));
  CHECK(doc.Find("a")->int_value == 1);
  CHECK_FALSE(ParseDocument("{\"a\": 1,}", &doc, &diags));
  REQUIRE(diags.all().size() == 1);
  CHECK_THAT(diags.all()[0].message, Catch::StartsWith("json: "));
}

TEST_CASE("JSON and YAML give the same tree for the same value") {
  SourceNode yaml = Yaml("a: [1, 2.5, x, true, ~]\nb: {c: \"80\"}\n");
  SourceNode json = Json(R"({"a": [1, 2.5, "x", true, null], "b": {"c": "80"}})");
  CHECK(ToJson(yaml) == ToJson(json));
  CHECK(ToJson(json) ==
        nlohmann::json::parse(R"({"a": [1, 2.5, "x", true, null], "b": {"c": "80"}})"));
  CHECK(ToJson(json)["a"][0].is_number_integer());
}

TEST_CASE("KindName names kinds for messages") {
  CHECK(std::string(KindName(Kind::kInt)) == "integer");
  CHECK(std::string(KindName(Kind::kString)) == "string");
  CHECK(std::string(KindName(Kind::kMap)) == "mapping");
  CHECK(std::string(KindName(Kind::kSeq)) == "sequence");
  CHECK(std::string(KindName(Kind::kBool)) == "boolean");
  CHECK(std::string(KindName(Kind::kFloat)) == "float");
  CHECK(std::string(KindName(Kind::kNull)) == "null");
}

TEST_CASE("ParseDocument refuses text that is not UTF-8, naming where") {
  struct Case {
    std::string text;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"a: b\nissuer: \"x\xFFy\"\n",
            "t.yaml:2:11: invalid UTF-8 (byte 0xFF): the document must be UTF-8 text"},
           {"a: \xC0\xAF\n",
            "t.yaml:1:4: invalid UTF-8 (byte 0xC0): the document must be UTF-8 text"},
           {"{\"a\": \"\xED\xA0\x80\"}",
            "t.yaml:1:8: invalid UTF-8 (byte 0xED): the document must be UTF-8 text"},
           {"a: \xE2\x82",
            "t.yaml:1:4: invalid UTF-8 (byte 0xE2): the document must be UTF-8 text"},
       }) {
    SourceNode node;
    Diagnostics diags("t.yaml");
    CHECK_FALSE(ParseDocument(c.text, &node, &diags));
    CHECK(diags.ToString() == c.error + "\n");
  }
  SourceNode node;
  Diagnostics diags("t.yaml");
  CHECK(ParseDocument("name: caf\xC3\xA9 \xF0\x9F\x9A\x80\n", &node, &diags));
  CHECK(diags.all().empty());
}

}  // namespace
}  // namespace starform
