#include "kube/schema_causes.h"

#include <catch2/catch.hpp>

#include "kube/schema_format.h"

namespace starform::kube {
namespace {

using json = nlohmann::json;

TEST_CASE("bad values print as Go's fmt prints them") {
  CHECK(GoQuote("plain") == "\"plain\"");
  CHECK(GoQuote("a\"b\\c\n\t") == "\"a\\\"b\\\\c\\n\\t\"");
  CHECK(GoQuote("\x01\x7f") == "\"\\x01\\x7f\"");
  CHECK(GoQuote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");  // printable UTF-8 stays as is
  CHECK(GoQuote("\xff") == "\"\\xff\"");               // invalid UTF-8 byte
  CHECK(GoQuote("\xc2\x85") == "\"\\u0085\"");         // a C1 control

  CHECK(GoFloat(1.5) == "1.5");
  CHECK(GoFloat(-2.25) == "-2.25");
  CHECK(GoFloat(100000) == "100000");
  CHECK(GoFloat(1e6) == "1e+06");
  CHECK(GoFloat(1234567) == "1.234567e+06");
  CHECK(GoFloat(0.0001) == "0.0001");
  CHECK(GoFloat(0.00001) == "1e-05");
  CHECK(GoFloat(0) == "0");

  CHECK(GoSharpV(json::parse(R"({"port":80,"name":"http","tags":["a",1.5,true,null]})")) ==
        "map[string]interface {}{\"name\":\"http\", \"port\":80, \"tags\":[]interface "
        "{}{\"a\", 1.5, true, interface {}(nil)}}");
  CHECK(GoSharpV(json::object()) == "map[string]interface {}{}");
  CHECK(BadValue(json("x")) == "\"x\"");
  CHECK(BadValue(json(3)) == "3");
  CHECK(BadValue(json(nullptr)) == "null");
  CHECK(BadValue(json(false)) == "false");
}

TEST_CASE("causes carry the apimachinery reason and wording") {
  CHECK(RequiredCause("spec.x") == StatusCause{"FieldValueRequired", "spec.x", "Required value"});
  CHECK(TooLongCause("spec.x", 63) ==
        StatusCause{"FieldValueTooLong", "spec.x", "Too long: may not be more than 63 bytes"});
  CHECK(TooManyCause("spec.x", 5, 4) ==
        StatusCause{"FieldValueTooMany", "spec.x", "Too many: 5: must have at most 4 items"});
  CHECK(NotSupportedCause("spec.x", json(7), {json(1), json("two"), json(true)}) ==
        StatusCause{"FieldValueNotSupported", "spec.x",
                    "Unsupported value: 7: supported values: \"1\", \"two\", \"true\""});
  CHECK(DuplicateCause("spec.x[1]", json("a")) ==
        StatusCause{"FieldValueDuplicate", "spec.x[1]", "Duplicate value: \"a\""});
  CHECK(InvalidCause("spec.x", "\"v\"", "") ==
        StatusCause{"FieldValueInvalid", "spec.x", "Invalid value: \"v\""});
}

TEST_CASE("string formats as kube-openapi's registry checks them") {
  using F = Schema::Format;
  struct Case {
    F format;
    const char* text;
    bool valid;
  };
  const Case cases[] = {
      {F::kByte, "aGk=", true},
      {F::kByte, "aGVsbG8gd29ybGQ=", true},
      {F::kByte, "", false},  // govalidator's IsBase64 rejects the empty string
      {F::kByte, "aGk", false},
      {F::kByte, "a=Gk", false},
      {F::kDateTime, "2024-02-29T23:59:59Z", true},
      {F::kDateTime, "2024-02-29t23:59:59.123456+05:30", true},
      {F::kDateTime, "2024-02-29T23:59:59+05:30", true},
      {F::kDateTime, "2023-02-29T00:00:00Z", false},
      {F::kDateTime, "2024-01-01T24:00:00Z", false},
      {F::kDateTime, "2024-01-01T10:00:00", false},
      {F::kDateTime, "2024-01-01", false},
      {F::kDate, "2024-12-31", true},
      {F::kDate, "2024-13-01", false},
      {F::kIPv4, "10.0.0.1", true},
      {F::kIPv4, "10.0.0.256", false},
      {F::kIPv4, "010.0.0.1", false},
      {F::kIPv4, "::ffff:10.0.0.1", true},  // net.ParseIP accepts it, and it has a dot
      {F::kIPv6, "fd00::1", true},
      {F::kIPv6, "10.0.0.1", false},
      {F::kIPv6, "fe80::1%eth0", false},
      {F::kCIDR, "10.0.0.0/8", true},
      {F::kCIDR, "fd00::/64", true},
      {F::kCIDR, "10.0.0.0/33", false},
      {F::kCIDR, "10.0.0.0", false},
      {F::kUUID, "123e4567-e89b-12d3-a456-426614174000", true},
      {F::kUUID, "123E4567E89B12D3A456426614174000", true},
      {F::kUUID, "123e4567-e89b-12d3-a456-42661417400", false},
      {F::kUUID4, "123e4567-e89b-42d3-a456-426614174000", true},
      {F::kUUID4, "123e4567-e89b-12d3-a456-426614174000", false},
      {F::kPassword, "anything", true},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(MatchesFormat(c.format, c.text) == c.valid);
  }
}

}  // namespace
}  // namespace starform::kube
