// Protobuf request bodies: the envelope, the kinds the dev cluster reads, and what it refuses.

#include "devcluster/protobuf.h"

#include <catch2/catch.hpp>

#include "devcluster/status.h"
#include "devcluster/test_cluster.h"

namespace starform::devcluster::testing {
namespace {

using nlohmann::json;

// A tiny encoder for building bodies the way Go's generated marshallers write them (empty
// strings and zero numbers included).
std::string Varint(uint64_t v) {
  std::string out;
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    out += static_cast<char>(v != 0 ? byte | 0x80 : byte);
  } while (v != 0);
  return out;
}
std::string Bytes(int field, const std::string& value) {
  return Varint(static_cast<uint64_t>(field) << 3 | 2) + Varint(value.size()) + value;
}
std::string Number(int field, uint64_t value) {
  return Varint(static_cast<uint64_t>(field) << 3) + Varint(value);
}
std::string MapEntry(int field, const std::string& key, const std::string& value) {
  return Bytes(field, Bytes(1, key) + Bytes(2, value));
}
std::string Envelope(const std::string& api_version, const std::string& kind,
                     const std::string& raw) {
  return std::string("k8s\0", 4) + Bytes(1, Bytes(1, api_version) + Bytes(2, kind)) +
         Bytes(2, raw) + Bytes(3, "") + Bytes(4, "");
}
// ObjectMeta with the empty fields Go writes.
std::string Meta(const std::string& name, const std::string& extra = "") {
  return Bytes(1, name) + Bytes(2, "") + Bytes(3, "") + Bytes(4, "") + Bytes(5, "") + Bytes(6, "") +
         Number(7, 0) + Bytes(8, Number(1, 0) + Number(2, 0)) + extra;
}

TEST_CASE("protobuf media types are recognised with and without parameters") {
  CHECK(IsProtobuf("application/vnd.kubernetes.protobuf"));
  CHECK(IsProtobuf("application/vnd.kubernetes.protobuf; charset=utf-8"));
  CHECK_FALSE(IsProtobuf("application/json"));
  CHECK_FALSE(IsProtobuf("application/vnd.kubernetes.protobufx"));
}

TEST_CASE("a Namespace as kubectl create namespace sends it") {
  std::string raw =
      Bytes(1, Meta("team-a", MapEntry(11, "env", "dev"))) + Bytes(2, "") + Bytes(3, Bytes(1, ""));
  json ns = DecodeProtobuf(Envelope("v1", "Namespace", raw));
  CHECK(ns == json::parse(R"({"apiVersion":"v1","kind":"Namespace",
      "metadata":{"name":"team-a","labels":{"env":"dev"}},"spec":{}})"));
}

TEST_CASE("a Secret's bytes become base64, a ConfigMap's strings stay") {
  std::string secret = Bytes(1, Meta("creds")) + MapEntry(2, "password", std::string("p\0w", 3)) +
                       Bytes(3, "Opaque") + Number(5, 1);
  CHECK(DecodeProtobuf(Envelope("v1", "Secret", secret)) ==
        json::parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"creds"},
            "data":{"password":"cAB3"},"type":"Opaque","immutable":true})"));
  std::string cm = Bytes(1, Meta("cfg")) + MapEntry(2, "a", "1") + MapEntry(2, "b", "2");
  CHECK(DecodeProtobuf(Envelope("v1", "ConfigMap", cm)) ==
        json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},
            "data":{"a":"1","b":"2"}})"));
}

TEST_CASE("a Service with ports, an int and a named targetPort, and a selector") {
  std::string port80 = Bytes(1, "80-8080") + Bytes(2, "TCP") + Number(3, 80) +
                       Bytes(4, Number(1, 0) + Number(2, 8080) + Bytes(3, "")) + Number(5, 0);
  std::string port_named = Bytes(1, "web") + Bytes(2, "TCP") + Number(3, 443) +
                           Bytes(4, Number(1, 1) + Number(2, 0) + Bytes(3, "https"));
  std::string spec = Bytes(1, port80) + Bytes(1, port_named) + MapEntry(2, "app", "shop") +
                     Bytes(3, "") + Bytes(4, "ClusterIP");
  CHECK(DecodeProtobuf(Envelope("v1", "Service", Bytes(1, Meta("shop")) + Bytes(2, spec))) ==
        json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"shop"},
            "spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080},
                             {"name":"web","protocol":"TCP","port":443,"targetPort":"https"}],
                    "selector":{"app":"shop"},"type":"ClusterIP"}})"));
}

TEST_CASE("DeleteOptions in protobuf") {
  std::string raw = Number(1, 0) + Bytes(2, Bytes(1, "uid-1") + Bytes(2, "")) +
                    Bytes(4, "Foreground") + Bytes(5, "All");
  CHECK(DecodeProtobuf(Envelope("meta.k8s.io/v1", "DeleteOptions", raw)) ==
        json::parse(R"({"apiVersion":"meta.k8s.io/v1","kind":"DeleteOptions",
            "preconditions":{"uid":"uid-1"},"propagationPolicy":"Foreground","dryRun":["All"]})"));
}

TEST_CASE("malformed bodies are 400, kinds the dev cluster cannot read 415") {
  auto code = [](const std::string& body) {
    try {
      DecodeProtobuf(body);
    } catch (const StatusError& e) {
      return e.code();
    }
    return 0;
  };
  CHECK(code("{\"kind\":\"Namespace\"}") == 400);
  CHECK(code(std::string("k8s\0", 4) + "\x0a\x50") == 400);  // a length past the end
  CHECK(code(Envelope("v1", "Namespace",
                      "\x0a\x05"
                      "ab")) == 400);
  CHECK(code(Envelope("v1", "Pod", Bytes(1, Meta("p")))) == 415);
}

TEST_CASE("a protobuf create is stored and answered in JSON") {
  DevCluster& cluster = SharedCluster();
  auto client = Client();
  HttpResult r = client->Do("POST", "/api/v1/namespaces",
                            Envelope("v1", "Namespace", Bytes(1, Meta("proto-ns"))),
                            "application/vnd.kubernetes.protobuf");
  REQUIRE(r.code == 201);
  CHECK(r.Header("content-type") == "application/json");
  CHECK(r.Json()["metadata"]["name"] == "proto-ns");
  CHECK(cluster.Get("namespaces", "", "proto-ns")["status"]["phase"] == "Active");
  std::string options = Bytes(4, "Background");
  r = client->Do("DELETE", "/api/v1/namespaces/proto-ns",
                 Envelope("meta.k8s.io/v1", "DeleteOptions", options),
                 "application/vnd.kubernetes.protobuf");
  CHECK(r.code == 200);
}

}  // namespace
}  // namespace starform::devcluster::testing
