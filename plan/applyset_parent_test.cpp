// Tests of the ApplySet parent's bookkeeping (plan/applyset_parent.h): the KEP-3659 spellings,
// the superset written before apply and the exact set after it, reading a missing or hand-edited
// parent, and the API server's limit on the size of annotations at 10,000 namespaces.

#include "plan/applyset_parent.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "plan/desired_state.h"
#include "plan/diagnostics.h"
#include "plan/plan_testing.h"
#include "plan/render.h"

namespace starform {
namespace {

using nlohmann::json;
using testing::RouteKey;

constexpr const char* kVersion = "0.1.0";
constexpr const char* kRoutes = "HTTPRoute.gateway.networking.k8s.io";
constexpr const char* kPolicies = "SecurityPolicy.gateway.envoyproxy.io";

ObjectKey Policy(const std::string& ns, const std::string& name) {
  return {"gateway.envoyproxy.io/v1alpha1", "SecurityPolicy", ns, name};
}

// The parent as the API server would serve it after starform wrote it, with |annotations|.
json ServedParent(const json& annotations) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata",
           {{"name", kApplySetParentName},
            {"namespace", kApplySetParentNamespace},
            {"uid", "6f1c2a9e-0000-4000-8000-000000000001"},
            {"resourceVersion", "912"},
            {"labels", {{kApplySetIdLabel, ApplySetId()}}},
            {"annotations", annotations}}}};
}

const json& Annotations(const ParentBody& parent) {
  return parent.body["metadata"]["annotations"];
}

// Namespace names as bench/gen_state.py writes them: tenant-<t> zero-padded to
// max(4, digits of the count).
std::vector<std::string> GenStateTenants(size_t count) {
  size_t width = std::max<size_t>(4, std::to_string(count).size());
  std::vector<std::string> names;
  for (size_t t = 1; t <= count; ++t) {
    std::string number = std::to_string(t);
    names.push_back("tenant-" + std::string(width - number.size(), '0') + number);
  }
  return names;
}

// |count| distinct DNS-1123 labels of the maximum 63 characters.
std::vector<std::string> LongestNamespaces(size_t count) {
  std::vector<std::string> names;
  for (size_t i = 0; i < count; ++i) {
    std::string number = std::to_string(i);
    names.push_back("ns-" + std::string(60 - number.size(), 'x') + number);
  }
  return names;
}

// A set as large as starform's: every rendered kind (so every group kind is listed) and an
// HTTPRoute in each of |namespaces|.
ApplySetContents RoutesIn(const std::vector<std::string>& namespaces) {
  std::vector<ObjectKey> keys;
  for (const RenderedKind& kind : RenderedKinds())
    keys.push_back({kind.api_version, kind.kind, kApplySetParentNamespace, "shared"});
  for (const std::string& ns : namespaces)
    keys.push_back(RouteKey(ns, "app"));
  return ContentsOf(keys);
}

const AppliedStamp kStamp{"bench-nyc1", "10000", "testdata/states/big.json"};

TEST_CASE("applyset: group kinds are Kind.group, core kinds without a group") {
  CHECK(GroupKindOf("gateway.networking.k8s.io/v1", "HTTPRoute") == kRoutes);
  CHECK(GroupKindOf("gateway.envoyproxy.io/v1alpha1", "SecurityPolicy") == kPolicies);
  CHECK(GroupKindOf("apps/v1", "Deployment") == "Deployment.apps");
  CHECK(GroupKindOf("v1", "ConfigMap") == "ConfigMap");
  CHECK(GroupKindOf("v1", "Secret") == "Secret");
}

TEST_CASE("applyset: the contents of rendered objects leave out the parent's own namespace") {
  const char* yaml = R"(apiVersion: starform.dev/v1alpha1
kind: DesiredState
cluster: do-nyc1-demo
revision: "17"
gateway:
  className: eg
  listeners:
    - {name: http, port: 80, protocol: HTTP}
apps:
  - name: shop
    namespace: tenant-acme
    hostnames: [shop.example.com]
    rules: [{backends: [{service: web, port: 8080}]}]
  - name: blog
    namespace: tenant-globex
    hostnames: [blog.example.com]
    rules: [{backends: [{service: web, port: 8080}]}]
)";
  DesiredState state;
  Diagnostics diags("state.yaml");
  INFO(diags.ToString());
  REQUIRE(LoadDesiredState(yaml, "state.yaml", &state, &diags));
  ApplySetContents contents = ContentsOf(Render(state));
  // EnvoyProxy, Gateway and ClientTrafficPolicy live in starform-system, the parent's namespace.
  CHECK(contents.group_kinds == std::set<std::string>{"ClientTrafficPolicy.gateway.envoyproxy.io",
                                                      "EnvoyProxy.gateway.envoyproxy.io",
                                                      "Gateway.gateway.networking.k8s.io",
                                                      kRoutes});
  CHECK(contents.namespaces == std::set<std::string>{"tenant-acme", "tenant-globex"});
}

TEST_CASE("applyset: contents of keys count cluster-scoped members only as kinds") {
  std::vector<ObjectKey> keys = {
      RouteKey("b", "x"), RouteKey("a", "y"), Policy("a", "y"), {"v1", "Namespace", "", "a"}};
  ApplySetContents contents = ContentsOf(keys);
  CHECK(contents.group_kinds == std::set<std::string>{"Namespace", kPolicies, kRoutes});
  CHECK(contents.namespaces == std::set<std::string>{"a", "b"});
}

TEST_CASE(
    "applyset: annotations are sorted, comma-separated lists and the tooling is tool/semver") {
  std::vector<ObjectKey> keys = {RouteKey("zeta", "a"), Policy("alpha", "a"), RouteKey("mid", "b"),
                                 RouteKey(kApplySetParentNamespace, "c")};
  ParentBody parent = NarrowedParentBody(ContentsOf(keys), kStamp, kVersion);
  REQUIRE(parent.ok());
  const json& annotations = Annotations(parent);
  CHECK(annotations[kApplySetGroupKindsAnnotation] == std::string(kRoutes) + "," + kPolicies);
  CHECK(annotations[kApplySetNamespacesAnnotation] == "alpha,mid,zeta");
  CHECK(annotations[kApplySetToolingAnnotation] == "kubectl-starform/v0.1.0");
  CHECK(ToolingValue("v0.2.0") == "kubectl-starform/v0.2.0");
  CHECK(parent.body["apiVersion"] == "v1");
  CHECK(parent.body["kind"] == "ConfigMap");
  CHECK(parent.body["metadata"]["name"] == "starform");
  CHECK(parent.body["metadata"]["namespace"] == "starform-system");
  CHECK(parent.body["metadata"]["labels"] == json{{kApplySetIdLabel, ApplySetId()}});
  CHECK(parent.annotation_bytes == AnnotationBytes(parent.body));
}

TEST_CASE("applyset: the widened parent spans the old and the new set and keeps the old stamp") {
  json served = ServedParent({{kApplySetToolingAnnotation, "kubectl-starform/v0.0.9"},
                              {kApplySetGroupKindsAnnotation, kPolicies},
                              {kApplySetNamespacesAnnotation, "tenant-gone,tenant-kept"},
                              {kClusterAnnotation, "do-nyc1-prod"},
                              {kRevisionAnnotation, "41"},
                              {kSourceAnnotation, "https://starbase/x ETag \"abc\""}});
  ApplySetContents next =
      ContentsOf(std::vector<ObjectKey>{RouteKey("tenant-kept", "a"), RouteKey("tenant-new", "b")});
  ParentBody widened = WidenedParentBody(ReadParent(served), next, "do-nyc1-prod", kVersion);
  REQUIRE(widened.ok());
  const json& annotations = Annotations(widened);
  CHECK(annotations[kApplySetGroupKindsAnnotation] == std::string(kRoutes) + "," + kPolicies);
  CHECK(annotations[kApplySetNamespacesAnnotation] == "tenant-gone,tenant-kept,tenant-new");
  // Server-side apply would remove these if the body left them out.
  CHECK(annotations[kRevisionAnnotation] == "41");
  CHECK(annotations[kSourceAnnotation] == "https://starbase/x ETag \"abc\"");
  CHECK(annotations[kClusterAnnotation] == "do-nyc1-prod");
  CHECK(annotations[kApplySetToolingAnnotation] == "kubectl-starform/v0.1.0");
  CHECK(Union(ReadParent(served).contents, next) == ContentsOfParent(widened.body));
}

TEST_CASE("applyset: the first widening has no revision or source to keep") {
  ApplySetContents next = ContentsOf(std::vector<ObjectKey>{RouteKey("tenant-a", "a")});
  ParentBody widened = WidenedParentBody(ReadParent(nullptr), next, "do-nyc1-prod", kVersion);
  REQUIRE(widened.ok());
  const json& annotations = Annotations(widened);
  CHECK_FALSE(annotations.contains(kRevisionAnnotation));
  CHECK_FALSE(annotations.contains(kSourceAnnotation));
  CHECK(annotations[kClusterAnnotation] == "do-nyc1-prod");
  CHECK(ContentsOfParent(widened.body) == next);
}

TEST_CASE("applyset: the narrowed parent is exactly the new set, stamped with the apply") {
  json served =
      ServedParent({{kApplySetToolingAnnotation, "kubectl-starform/v0.1.0"},
                    {kApplySetGroupKindsAnnotation, std::string(kRoutes) + "," + kPolicies},
                    {kApplySetNamespacesAnnotation, "tenant-gone,tenant-kept"},
                    {kRevisionAnnotation, "41"}});
  ApplySetContents next = ContentsOf(std::vector<ObjectKey>{RouteKey("tenant-kept", "a")});
  ParentBody widened = WidenedParentBody(ReadParent(served), next, "c", kVersion);
  REQUIRE(widened.ok());
  ParentBody narrowed = NarrowedParentBody(next, kStamp, kVersion);
  REQUIRE(narrowed.ok());
  const json& annotations = Annotations(narrowed);
  CHECK(annotations[kApplySetGroupKindsAnnotation] == kRoutes);
  CHECK(annotations[kApplySetNamespacesAnnotation] == "tenant-kept");
  CHECK(annotations[kClusterAnnotation] == "bench-nyc1");
  CHECK(annotations[kRevisionAnnotation] == "10000");
  CHECK(annotations[kSourceAnnotation] == "testdata/states/big.json");
  CHECK(ContentsOfParent(narrowed.body) == next);
  CHECK(ContentsOfParent(narrowed.body) != ContentsOfParent(widened.body));

  // With no namespaces left, the key stays, empty, as kubectl writes it.
  ParentBody empty = NarrowedParentBody({}, kStamp, kVersion);
  REQUIRE(empty.ok());
  CHECK(Annotations(empty)[kApplySetNamespacesAnnotation] == "");
  CHECK(Annotations(empty)[kApplySetGroupKindsAnnotation] == "");
}

TEST_CASE("applyset: a missing or odd parent reads as empty, never as an error") {
  for (const json& odd :
       {json(nullptr), json("text"), json::array(), json::object(), json{{"metadata", 3}}}) {
    LiveParent parent = ReadParent(odd);
    CHECK_FALSE(parent.exists);
    CHECK(parent.contents == ApplySetContents{});
    CHECK(ForeignParentReason(parent).empty());
  }
  // A parent someone created by hand, without labels or annotations.
  LiveParent bare = ReadParent(json{{"metadata", {{"name", "starform"}}}});
  CHECK(bare.exists);
  CHECK(bare.contents == ApplySetContents{});
  CHECK_FALSE(bare.revision.has_value());
  CHECK_FALSE(ForeignParentReason(bare).empty());
}

TEST_CASE("applyset: a hand-edited parent is read as meant") {
  json served = ServedParent({{kApplySetToolingAnnotation, "kubectl-starform/v0.1.0"},
                              {kApplySetGroupKindsAnnotation, std::string(" ") + kRoutes + ",, "},
                              {kApplySetNamespacesAnnotation, "b , a,starform-system,,a"},
                              {kRevisionAnnotation, 42},
                              {kSourceAnnotation, ""}});
  served["metadata"]["labels"] = "not-an-object";
  LiveParent parent = ReadParent(served);
  CHECK(parent.exists);
  CHECK(parent.contents.group_kinds == std::set<std::string>{kRoutes});
  CHECK(parent.contents.namespaces == std::set<std::string>{"a", "b"});
  CHECK_FALSE(parent.revision.has_value());  // not a string: as if missing
  CHECK(parent.source == std::optional<std::string>(""));
  CHECK(parent.id.empty());
}

TEST_CASE("applyset: another tool's parent, or one with a wrong id, is not written to") {
  json ours = ServedParent({{kApplySetToolingAnnotation, "kubectl-starform/v0.0.1"}});
  CHECK(ForeignParentReason(ReadParent(ours)) == "");

  json kubectl = ServedParent({{kApplySetToolingAnnotation, "kubectl/v1.31.0"}});
  CHECK(ForeignParentReason(ReadParent(kubectl)) ==
        "the ApplySet parent starform-system/starform is managed by tooling \"kubectl\", not "
        "\"kubectl-starform\"");

  json no_tooling = ServedParent(json::object());
  CHECK(ForeignParentReason(ReadParent(no_tooling)) ==
        "the ApplySet parent starform-system/starform exists without the annotation "
        "applyset.kubernetes.io/tooling");

  json wrong_id = ours;
  wrong_id["metadata"]["labels"][kApplySetIdLabel] = "applyset-impostor-v1";
  CHECK(ForeignParentReason(ReadParent(wrong_id)) ==
        "the ApplySet parent starform-system/starform has label applyset.kubernetes.io/id="
        "\"applyset-impostor-v1\", not \"" +
            ApplySetId() + "\"");
}

TEST_CASE("applyset: AnnotationBytes sums key and value bytes") {
  CHECK(AnnotationBytes(json::object()) == 0);
  CHECK(AnnotationBytes(json{{"metadata", {{"annotations", "odd"}}}}) == 0);
  CHECK(AnnotationBytes(json{{"metadata", {{"annotations", {{"ab", "cde"}, {"f", ""}}}}}}) == 6);
  // Bytes, not characters: "é" is two bytes in UTF-8.
  CHECK(AnnotationBytes(json{{"metadata", {{"annotations", {{"k", "\xc3\xa9"}}}}}}) == 3);
}

TEST_CASE(
    "applyset: a body exactly at the annotation size limit is written, one byte over is not") {
  ApplySetContents contents = RoutesIn({"tenant-a", "tenant-b"});
  AppliedStamp stamp = kStamp;
  stamp.source = "";
  ParentBody base = NarrowedParentBody(contents, stamp, kVersion);
  REQUIRE(base.ok());
  REQUIRE(base.annotation_bytes < kTotalAnnotationSizeLimit);

  stamp.source = std::string(kTotalAnnotationSizeLimit - base.annotation_bytes, 's');
  ParentBody at_limit = NarrowedParentBody(contents, stamp, kVersion);
  CHECK(at_limit.ok());
  CHECK(at_limit.annotation_bytes == kTotalAnnotationSizeLimit);
  CHECK(at_limit.body.is_object());

  stamp.source += 's';
  ParentBody over = NarrowedParentBody(contents, stamp, kVersion);
  CHECK_FALSE(over.ok());
  CHECK(over.body.is_null());
  CHECK(over.annotation_bytes == kTotalAnnotationSizeLimit + 1);
  CHECK(over.error ==
        "the ApplySet parent starform-system/starform would carry 262,145 bytes of annotations "
        "(2 additional namespaces), over Kubernetes' limit of 262,144 bytes");
}

TEST_CASE("applyset: 10,000 tenant namespaces named as gen_state.py names them fit") {
  std::vector<std::string> namespaces = GenStateTenants(10000);
  CHECK(namespaces.front() == "tenant-00001");
  CHECK(namespaces.back() == "tenant-10000");
  // gen_state.py's apps also reach the shared namespace starform-authz (ReferenceGrants).
  namespaces.push_back("starform-authz");
  ApplySetContents contents = RoutesIn(namespaces);
  ParentBody parent = NarrowedParentBody(contents, kStamp, kVersion);
  REQUIRE(parent.ok());
  // 10,000 names of 12 bytes, "starform-authz" and 10,000 commas.
  CHECK(Annotations(parent)[kApplySetNamespacesAnnotation].get<std::string>().size() ==
        10000 * 12 + 14 + 10000);
  CHECK(parent.annotation_bytes == 130475);
  // Widening from a parent that already lists them all changes nothing.
  ParentBody widened =
      WidenedParentBody(ReadParent(parent.body), contents, kStamp.cluster, kVersion);
  REQUIRE(widened.ok());
  CHECK(widened.body == parent.body);
  std::printf("applyset: 10,000 gen_state.py tenants: %zu bytes of annotations\n",
              parent.annotation_bytes);
}

TEST_CASE("applyset: 10,000 namespaces of 63 characters exceed the annotation size limit") {
  std::vector<std::string> namespaces = LongestNamespaces(10000);
  CHECK(namespaces.front().size() == 63);
  CHECK(namespaces.back().size() == 63);
  ParentBody parent = NarrowedParentBody(RoutesIn(namespaces), kStamp, kVersion);
  REQUIRE_FALSE(parent.ok());
  CHECK(parent.annotation_bytes == 640460);
  CHECK(parent.error ==
        "the ApplySet parent starform-system/starform would carry 640,460 bytes of annotations "
        "(10,000 additional namespaces), over Kubernetes' limit of 262,144 bytes");

  // The most that fit at that length: each name costs 63 bytes and a comma.
  size_t empty = NarrowedParentBody(RoutesIn({}), kStamp, kVersion).annotation_bytes;
  size_t fit = (kTotalAnnotationSizeLimit - empty + 1) / 64;
  CHECK(NarrowedParentBody(RoutesIn(LongestNamespaces(fit)), kStamp, kVersion).ok());
  CHECK_FALSE(NarrowedParentBody(RoutesIn(LongestNamespaces(fit + 1)), kStamp, kVersion).ok());
  CHECK(fit == 4088);
  std::printf("applyset: 10,000 namespaces of 63 characters: %zu bytes; at most %zu fit\n",
              parent.annotation_bytes, fit);
}

}  // namespace
}  // namespace starform
