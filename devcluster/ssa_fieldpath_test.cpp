#include "devcluster/ssa_fieldpath.h"

#include <catch2/catch.hpp>

namespace starform::devcluster::smd {
namespace {

using nlohmann::json;

PathElement F(const char* name) {
  return PathElement::Field(name);
}
PathElement K(const char* key, json value) {
  return PathElement::KeyOf({{key, std::move(value)}});
}
PathElement V(json value) {
  return PathElement::Value(std::move(value));
}

FieldSet SetOf(std::initializer_list<Path> paths) {
  FieldSet set;
  for (const Path& path : paths)
    set.Insert(path);
  return set;
}

std::vector<std::string> Strings(const FieldSet& set) {
  std::vector<std::string> out;
  set.Iterate([&](const Path& p) { out.push_back(PathString(p)); });
  return out;
}

TEST_CASE("path strings are printed as the API server prints them in conflicts") {
  CHECK(PathString({F("spec"), F("listeners"), K("name", "http"), F("port")}) ==
        ".spec.listeners[name=\"http\"].port");
  CHECK(PathString({F("spec"), F("tls"), F("frontend"), F("perPort"), K("port", 443)}) ==
        ".spec.tls.frontend.perPort[port=443]");
  CHECK(PathString({F("metadata"), F("finalizers"), V("a/b")}) == ".metadata.finalizers[=\"a/b\"]");
  CHECK(PathString(
            {F("spec"), F("ports"), PathElement::KeyOf({{"protocol", "TCP"}, {"port", 80}})}) ==
        ".spec.ports[port=80,protocol=\"TCP\"]");  // keys sorted by name
  CHECK(PathString({F("x"), PathElement::Index(3)}) == ".x[3]");
  CHECK(PathString({F("x"), V(true)}) == ".x[=true]");
  CHECK(PathString({F("x"), V(1.5)}) == ".x[=1.5]");
}

TEST_CASE("Go's %q quoting of key values") {
  CHECK(GoQuote("http") == "\"http\"");
  CHECK(GoQuote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(GoQuote("tab\there\n") == "\"tab\\there\\n\"");
  CHECK(GoQuote(std::string("\x01", 1)) == "\"\\x01\"");
  CHECK(GoQuote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");  // printable runes stay
  CHECK(GoQuote("\xff") == "\"\\xff\"");               // invalid UTF-8
  CHECK(GoQuote("\xe2\x80\xa8") == "\"\\u2028\"");     // a separator is escaped
}

TEST_CASE("fieldsV1 keys serialize and parse back") {
  CHECK(F("spec").Serialize() == "f:spec");
  CHECK(K("name", "http").Serialize() == "k:{\"name\":\"http\"}");
  CHECK(PathElement::KeyOf({{"protocol", "TCP"}, {"port", 80}}).Serialize() ==
        "k:{\"port\":80,\"protocol\":\"TCP\"}");
  CHECK(V("GET").Serialize() == "v:\"GET\"");
  CHECK(V(8080).Serialize() == "v:8080");
  CHECK(PathElement::Index(2).Serialize() == "i:2");
  // Go's encoder escapes <, > and & in strings.
  CHECK(K("name", "a<b").Serialize() == "k:{\"name\":\"a\\u003cb\"}");

  for (const PathElement& pe :
       {F("spec"), K("name", "http"), V("GET"), V(80), PathElement::Index(7),
        PathElement::KeyOf({{"port", 80}, {"protocol", "UDP"}})}) {
    PathElement back;
    bool unknown = false;
    std::string error;
    REQUIRE(PathElement::Deserialize(pe.Serialize(), &back, &unknown, &error));
    CHECK(back == pe);
  }
  PathElement out;
  bool unknown = false;
  std::string error;
  CHECK_FALSE(PathElement::Deserialize("z:x", &out, &unknown, &error));
  CHECK(unknown);
  CHECK_FALSE(PathElement::Deserialize("f", &out, &unknown, &error));
  CHECK(error == "key must be 2 characters long:");
  CHECK_FALSE(PathElement::Deserialize("fx", &out, &unknown, &error));
  CHECK(error == "missing colon: fx");
}

TEST_CASE("path elements order as the library orders them") {
  // Field names first, then keys, values, indexes.
  CHECK(F("z") < K("name", "a"));
  CHECK(K("name", "z") < V("a"));
  CHECK(V("z") < PathElement::Index(0));
  // Numbers before strings before booleans; numbers numerically, ints and floats together.
  CHECK(V(2) < V(10));
  CHECK(V(1.5) < V(2));
  CHECK(V(2) == V(2.0));
  CHECK(V(10) < V("1"));
  CHECK(V("b") < V(false));
  CHECK(V(false) < V(true));
  CHECK(K("port", 80) < K("port", 443));
  CHECK(K("port", 443) <
        PathElement::KeyOf({{"port", 443}, {"protocol", "TCP"}}));  // shorter first
}

TEST_CASE("a set keeps members and children apart, as fieldsV1's \".\" says") {
  FieldSet set = SetOf({{F("spec"), F("listeners"), K("name", "http")},
                        {F("spec"), F("listeners"), K("name", "http"), F("port")},
                        {F("spec"), F("gatewayClassName")}});
  CHECK(set.Has({F("spec"), F("listeners"), K("name", "http")}));
  CHECK_FALSE(set.Has({F("spec"), F("listeners")}));
  CHECK_FALSE(set.Has({F("spec")}));
  CHECK(set.Size() == 3);
  CHECK(set.ToFieldsV1() == json::parse(R"({"f:spec":{"f:gatewayClassName":{},"f:listeners":{
                          "k:{\"name\":\"http\"}":{".":{},"f:port":{}}}}})"));
  CHECK(Strings(set) == std::vector<std::string>{".spec.gatewayClassName",
                                                 ".spec.listeners[name=\"http\"]",
                                                 ".spec.listeners[name=\"http\"].port"});
}

TEST_CASE("fieldsV1 text is in the library's element order, not JSON key order") {
  FieldSet set = SetOf({{F("spec"), F("perPort"), K("port", 10)},
                        {F("spec"), F("perPort"), K("port", 9)},
                        {F("spec"), F("perPort"), K("port", 9), F("tls")},
                        {F("spec"), F("a")}});
  CHECK(set.ToFieldsV1Text() ==
        R"({"f:spec":{"f:a":{},"f:perPort":{"k:{\"port\":9}":{".":{},"f:tls":{}},)"
        R"("k:{\"port\":10}":{}}}})");
}

TEST_CASE("fieldsV1 parses back to the same set") {
  const json v1 = json::parse(R"({
    "f:metadata":{"f:labels":{".":{},"f:app":{}}},
    "f:spec":{".":{},"f:listeners":{"k:{\"name\":\"http\"}":{".":{},"f:port":{}},
                                    "k:{\"name\":\"https\"}":{}},
              "f:set":{"v:\"GET\"":{},"v:80":{}},
              "x:future":{}}})");
  FieldSet set;
  std::string error;
  REQUIRE(FieldSet::FromFieldsV1(v1, &set, &error));
  CHECK(set.Has({F("metadata"), F("labels")}));
  CHECK(set.Has({F("metadata"), F("labels"), F("app")}));
  CHECK_FALSE(set.Has({F("metadata")}));
  CHECK(set.Has({F("spec")}));
  CHECK(set.Has({F("spec"), F("listeners"), K("name", "https")}));
  CHECK(set.Has({F("spec"), F("set"), V(80)}));
  CHECK(set.Size() == 8);  // the unknown "x:" element is dropped, as the library does
  json expected = v1;
  expected["f:spec"].erase("x:future");
  CHECK(set.ToFieldsV1() == expected);

  CHECK_FALSE(FieldSet::FromFieldsV1(json::parse(R"({"f:a":{"k:nope":{}}})"), &set, &error));
  CHECK(error.rfind("parsing key as path element: ", 0) == 0);
}

TEST_CASE("set algebra follows fieldpath.Set") {
  const FieldSet a = SetOf({{F("a")}, {F("a"), F("b")}, {F("a"), F("c")}, {F("d")}});
  const FieldSet b = SetOf({{F("a"), F("b")}, {F("d")}, {F("e")}});
  CHECK(Strings(a.Union(b)) == std::vector<std::string>{".a", ".d", ".e", ".a.b", ".a.c"});
  CHECK(Strings(a.Intersection(b)) == std::vector<std::string>{".d", ".a.b"});
  CHECK(Strings(a.Difference(b)) == std::vector<std::string>{".a", ".a.c"});
  // Difference is member-wise: a child is not taken away by its parent...
  const FieldSet parent = SetOf({{F("a")}});
  CHECK(Strings(a.Difference(parent)) == std::vector<std::string>{".d", ".a.b", ".a.c"});
  // ...RecursiveDifference takes the whole subtree.
  CHECK(Strings(a.RecursiveDifference(parent)) == std::vector<std::string>{".d"});
  CHECK(a.Difference(a).Empty());
  CHECK(a.Union(FieldSet()) == a);
  CHECK_FALSE(a == b);
}

TEST_CASE("Go JSON of key values") {
  CHECK(GoJson(json::parse("1.0")) == "1");
  CHECK(GoJson(json::parse("0.000001")) == "0.000001");
  CHECK(GoJson(json::parse("1e-7")) == "1e-7");
  CHECK(GoJson(json::parse("1e21")) == "1e+21");
  CHECK(GoJson(json::parse("123456789012")) == "123456789012");
  CHECK(GoJson(json::parse(R"({"b":1,"a":"<&>"})")) == R"({"a":"\u003c\u0026\u003e","b":1})");
  CHECK(GoValueString(json::parse("1000000.0")) == "1e+06");
  CHECK(GoValueString(json::parse("100000.0")) == "100000");
  CHECK(GoValueString(json::parse("0.5")) == "0.5");
}

}  // namespace
}  // namespace starform::devcluster::smd
