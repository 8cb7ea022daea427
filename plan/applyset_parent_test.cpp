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
  ParentBody parent = NarrowedParentBody(LiveParent{}, ContentsOf(keys), kStamp, kVersion);
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
  ParentBody narrowed = NarrowedParentBody(LiveParent{}, next, kStamp, kVersion);
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
  ParentBody empty = NarrowedParentBody(LiveParent{}, {}, kStamp, kVersion);
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
    "applyset: at the annotation size limit the namespaces stay annotated, past it they move to "
    "data") {
  ApplySetContents contents = RoutesIn({"tenant-a", "tenant-b"});
  AppliedStamp stamp = kStamp;
  stamp.source = "";
  ParentBody base = NarrowedParentBody(LiveParent{}, contents, stamp, kVersion);
  REQUIRE(base.ok());
  REQUIRE(base.annotation_bytes < kTotalAnnotationSizeLimit);

  stamp.source = std::string(kTotalAnnotationSizeLimit - base.annotation_bytes, 's');
  ParentBody at_limit = NarrowedParentBody(LiveParent{}, contents, stamp, kVersion);
  REQUIRE(at_limit.ok());
  CHECK(at_limit.annotation_bytes == kTotalAnnotationSizeLimit);
  CHECK(AnnotationBytes(at_limit.body) == kTotalAnnotationSizeLimit);
  CHECK(Annotations(at_limit)[kApplySetNamespacesAnnotation] == "tenant-a,tenant-b");
  CHECK_FALSE(at_limit.body.contains("data"));

  stamp.source += 's';
  ParentBody over = NarrowedParentBody(LiveParent{}, contents, stamp, kVersion);
  REQUIRE(over.ok());
  CHECK_FALSE(Annotations(over).contains(kApplySetNamespacesAnnotation));
  CHECK(Annotations(over)[kNamespacesInDataAnnotation] == "true");
  CHECK(over.body["data"][kNamespacesDataKey] == "tenant-a,tenant-b");
  CHECK(AnnotationBytes(over.body) == over.annotation_bytes);
  CHECK(over.annotation_bytes <= kTotalAnnotationSizeLimit);
  // Read back, the set is the same wherever the list is.
  CHECK(ReadParent(over.body).contents == contents);

  // Others' annotations count against the same limit.
  LiveParent crowded;
  crowded.others_annotation_bytes = 100;
  stamp.source = std::string(kTotalAnnotationSizeLimit - base.annotation_bytes - 100, 's');
  CHECK(Annotations(NarrowedParentBody(crowded, contents, stamp, kVersion))
            .contains(kApplySetNamespacesAnnotation));
  stamp.source = std::string(kTotalAnnotationSizeLimit, 's');
  ParentBody hopeless = NarrowedParentBody(crowded, contents, stamp, kVersion);
  CHECK_FALSE(hopeless.ok());
  CHECK(hopeless.body.is_null());
  CHECK(
      hopeless.error.starts_with("the ApplySet parent starform-system/starform would carry 262,6"));
  CHECK(hopeless.error.ends_with(
      " bytes of annotations (100 of them not starform's), over Kubernetes' limit of 262,144 "
      "bytes"));
}

TEST_CASE("applyset: others' annotations are counted, starform's own are not") {
  json live = {{"metadata",
                {{"labels", {{kApplySetIdLabel, ApplySetId()}}},
                 {"annotations",
                  {{kApplySetToolingAnnotation, "kubectl-starform/v0.1.0"},
                   {kSourceAnnotation, "x"},
                   {"team", "abc"}}}}}};
  CHECK(ReadParent(live).others_annotation_bytes == 7);
}

TEST_CASE("applyset: 10,000 tenant namespaces named as gen_state.py names them fit") {
  std::vector<std::string> namespaces = GenStateTenants(10000);
  CHECK(namespaces.front() == "tenant-00001");
  CHECK(namespaces.back() == "tenant-10000");
  // gen_state.py's apps also reach the shared namespace starform-authz (ReferenceGrants).
  namespaces.push_back("starform-authz");
  ApplySetContents contents = RoutesIn(namespaces);
  ParentBody parent = NarrowedParentBody(LiveParent{}, contents, kStamp, kVersion);
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

TEST_CASE("applyset: 10,000 namespaces of 63 characters are listed in the parent's data") {
  std::vector<std::string> namespaces = LongestNamespaces(10000);
  CHECK(namespaces.front().size() == 63);
  CHECK(namespaces.back().size() == 63);
  ApplySetContents contents = RoutesIn(namespaces);
  ParentBody parent = NarrowedParentBody(LiveParent{}, contents, kStamp, kVersion);
  REQUIRE(parent.ok());
  CHECK_FALSE(Annotations(parent).contains(kApplySetNamespacesAnnotation));
  // 10,000 names of 63 bytes and 9,999 commas, under the key.
  CHECK(parent.data_bytes == 10000 * 63 + 9999 + std::string(kNamespacesDataKey).size());
  CHECK(parent.data_bytes < kConfigMapDataSizeLimit);
  CHECK(parent.annotation_bytes < 1024);
  CHECK(ReadParent(parent.body).contents == contents);
  // Widening from it keeps them all.
  ParentBody widened =
      WidenedParentBody(ReadParent(parent.body), contents, kStamp.cluster, kVersion);
  REQUIRE(widened.ok());
  CHECK(ReadParent(widened.body).contents == contents);

  // The most that fit in the annotation at that length: each name costs 63 bytes and a comma.
  size_t empty = NarrowedParentBody(LiveParent{}, RoutesIn({}), kStamp, kVersion).annotation_bytes;
  size_t fit = (kTotalAnnotationSizeLimit - empty + 1) / 64;
  CHECK(Annotations(
            NarrowedParentBody(LiveParent{}, RoutesIn(LongestNamespaces(fit)), kStamp, kVersion))
            .contains(kApplySetNamespacesAnnotation));
  CHECK_FALSE(Annotations(NarrowedParentBody(LiveParent{}, RoutesIn(LongestNamespaces(fit + 1)),
                                             kStamp, kVersion))
                  .contains(kApplySetNamespacesAnnotation));
  CHECK(fit == 4088);
  // Past the ConfigMap's own limit (16,384 such names), an error, never a partial list.
  ParentBody too_many =
      NarrowedParentBody(LiveParent{}, RoutesIn(LongestNamespaces(16400)), kStamp, kVersion);
  CHECK_FALSE(too_many.ok());
  CHECK(too_many.error ==
        "the ApplySet parent starform-system/starform would list 16,400 namespaces in 1,049,620 "
        "bytes of data, over Kubernetes' ConfigMap limit of 1,048,576 bytes");
  std::printf("applyset: 10,000 namespaces of 63 characters: %zu bytes of data\n",
              parent.data_bytes);
}

}  // namespace
}  // namespace starform
