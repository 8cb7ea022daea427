// LIST: selectors, pagination with continue tokens, 410 Expired, resourceVersion semantics.

#include <catch2/catch.hpp>
#include <chrono>

#include "devcluster/selector.h"
#include "devcluster/test_cluster.h"

namespace starform::devcluster::testing {
namespace {

using nlohmann::json;

json Labelled(const std::string& ns, const std::string& name, const json& labels) {
  json route = Route(ns, name);
  route["metadata"]["labels"] = labels;
  return route;
}

std::vector<std::string> Names(const json& list) {
  std::vector<std::string> names;
  for (const json& item : list["items"])
    names.push_back(item["metadata"]["name"]);
  return names;
}

TEST_CASE("label selectors parse and match as apimachinery's") {
  LabelSelector s;
  std::string error;
  REQUIRE(s.Parse("env in (prod, staging),tier!=db,!legacy,app", &error));
  CHECK(s.Matches({{"env", "prod"}, {"app", "x"}}));
  CHECK_FALSE(s.Matches({{"env", "dev"}, {"app", "x"}}));
  CHECK_FALSE(s.Matches({{"env", "prod"}, {"app", "x"}, {"tier", "db"}}));
  CHECK_FALSE(s.Matches({{"env", "prod"}, {"app", "x"}, {"legacy", ""}}));
  CHECK_FALSE(s.Matches({{"env", "prod"}}));
  REQUIRE(s.Parse("env notin (prod)", &error));
  CHECK(s.Matches(json::object()));  // a missing label satisfies notin
  REQUIRE(s.Parse("a==b", &error));
  CHECK(s.Matches({{"a", "b"}}));
  CHECK_FALSE(s.Parse("a in b", &error));
}

TEST_CASE("list with label and field selectors") {
  auto c = Client();
  MakeNamespace(*c, "list-sel");
  REQUIRE(
      c->Post(RoutesPath("list-sel"), Labelled("list-sel", "a", {{"env", "prod"}, {"app", "a"}}))
          .code == 201);
  REQUIRE(c->Post(RoutesPath("list-sel"), Labelled("list-sel", "b", {{"env", "dev"}})).code == 201);
  REQUIRE(c->Post(RoutesPath("list-sel"), Labelled("list-sel", "c", {{"env", "staging"}})).code ==
          201);
  auto list = [&](const std::string& query) {
    return Names(c->Get(RoutesPath("list-sel") + "?" + query).Json());
  };
  using V = std::vector<std::string>;
  CHECK(list("labelSelector=" + Escape("env=prod")) == V{"a"});
  CHECK(list("labelSelector=" + Escape("env!=prod")) == V{"b", "c"});
  CHECK(list("labelSelector=" + Escape("env in (prod,staging)")) == V{"a", "c"});
  CHECK(list("labelSelector=" + Escape("env notin (prod,staging)")) == V{"b"});
  CHECK(list("labelSelector=app") == V{"a"});
  CHECK(list("labelSelector=" + Escape("!app")) == V{"b", "c"});
  CHECK(list("fieldSelector=" + Escape("metadata.name=b")) == V{"b"});
  CHECK(list("fieldSelector=" + Escape("metadata.name!=b")) == V{"a", "c"});
  CHECK(list("fieldSelector=" + Escape("metadata.namespace=list-sel")) == V{"a", "b", "c"});
  HttpResult bad = c->Get(RoutesPath("list-sel") + "?fieldSelector=" + Escape("spec.x=1"));
  CHECK(bad.code == 400);
  CHECK(bad.Json()["message"] == "field label not supported: spec.x");

  // Across namespaces, the namespace label the API server adds selects namespaces.
  json namespaces =
      c->Get("/api/v1/namespaces?labelSelector=" + Escape("kubernetes.io/metadata.name=list-sel"))
          .Json();
  CHECK(Names(namespaces) == V{"list-sel"});
  json all =
      c->Get("/apis/gateway.networking.k8s.io/v1/httproutes?labelSelector=" + Escape("env=dev"))
          .Json();
  CHECK(Names(all) == V{"b"});
  CHECK(all["kind"] == "HTTPRouteList");
  CHECK(all["apiVersion"] == "gateway.networking.k8s.io/v1");
}

TEST_CASE("pagination across three pages with continue tokens") {
  DevCluster& cluster = SharedCluster();
  auto c = Client();
  MakeNamespace(*c, "list-pages");
  for (int i = 0; i < 7; ++i) {
    REQUIRE(c->Post(RoutesPath("list-pages"), Route("list-pages", "r" + std::to_string(i))).code ==
            201);
  }
  json p1 = c->Get(RoutesPath("list-pages") + "?limit=3").Json();
  CHECK(Names(p1) == std::vector<std::string>{"r0", "r1", "r2"});
  CHECK(p1["metadata"]["remainingItemCount"] == 4);
  std::string token = p1["metadata"]["continue"];
  // A write between pages is not seen: the pages read the first page's snapshot.
  REQUIRE(c->Post(RoutesPath("list-pages"), Route("list-pages", "r9")).code == 201);
  REQUIRE(c->Delete(RoutesPath("list-pages") + "/r4").code == 200);
  json p2 = c->Get(RoutesPath("list-pages") + "?limit=3&continue=" + Escape(token)).Json();
  CHECK(Names(p2) == std::vector<std::string>{"r3", "r4", "r5"});
  CHECK(p2["metadata"]["resourceVersion"] == p1["metadata"]["resourceVersion"]);
  json p3 = c->Get(RoutesPath("list-pages") +
                   "?limit=3&continue=" + Escape(p2["metadata"]["continue"].get<std::string>()))
                .Json();
  CHECK(Names(p3) == std::vector<std::string>{"r6"});
  CHECK_FALSE(p3["metadata"].contains("continue"));

  HttpResult with_rv =
      c->Get(RoutesPath("list-pages") + "?limit=3&resourceVersion=5&continue=" + Escape(token));
  CHECK(with_rv.code == 400);
  CHECK(with_rv.Json()["message"] ==
        "specifying resource version is not allowed when using continue");

  HttpResult garbage = c->Get(RoutesPath("list-pages") + "?limit=3&continue=xyz");
  CHECK(garbage.code == 400);
  (void)cluster;
}

TEST_CASE("an expired continue token is 410 Expired with an inconsistent token to go on") {
  DevCluster::Options options;
  options.keep_alive_seconds = 1;
  options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
  options.history_limit = 5;
  DevCluster cluster(options);
  cluster.Start();
  TestClient c(cluster.server_url(), cluster.ca_pem(), cluster.token());
  MakeNamespace(c, "pages");
  for (int i = 0; i < 4; ++i) {
    REQUIRE(c.Post(RoutesPath("pages"), Route("pages", "r" + std::to_string(i))).code == 201);
  }
  json p1 = c.Get(RoutesPath("pages") + "?limit=2").Json();
  std::string token = p1["metadata"]["continue"];
  // Enough writes to push the first page's snapshot out of the history (a compaction).
  for (int i = 0; i < 6; ++i) {
    c.Patch(RoutesPath("pages") + "/r0",
            R"({"metadata":{"labels":{"n":")" + std::to_string(i) + "\"}}}",
            "application/merge-patch+json");
  }
  HttpResult expired = c.Get(RoutesPath("pages") + "?limit=2&continue=" + Escape(token));
  CHECK(expired.code == 410);
  json body = expired.Json();
  CHECK(body["reason"] == "Expired");
  CHECK(body["message"] ==
        "The provided continue parameter is too old to display a consistent list result. You "
        "can start a new list without the continue parameter, or use the continue token in "
        "this response to retrieve the remainder of the results. Continuing with the provided "
        "token results in an inconsistent list - objects that were created, modified, or "
        "deleted between the time the first chunk was returned and now may show up in the "
        "list.");
  REQUIRE(body["metadata"].contains("continue"));
  json rest = c.Get(RoutesPath("pages") +
                    "?limit=2&continue=" + Escape(body["metadata"]["continue"].get<std::string>()))
                  .Json();
  CHECK(Names(rest) == std::vector<std::string>{"r2", "r3"});

  // An exact list at a compacted resourceVersion is 410 too.
  HttpResult old =
      c.Get(RoutesPath("pages") + "?limit=2&resourceVersion=1&resourceVersionMatch=Exact");
  CHECK(old.code == 410);
  CHECK(old.Json()["reason"] == "Expired");
  cluster.Stop();
}

TEST_CASE("continue tokens expire by age") {
  DevCluster::Options options;
  options.keep_alive_seconds = 1;
  options.rest.continue_ttl = std::chrono::seconds(0);
  DevCluster cluster(options);
  cluster.Start();
  TestClient c(cluster.server_url(), cluster.ca_pem(), cluster.token());
  json p1 = c.Get("/api/v1/namespaces?limit=1").Json();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  HttpResult r = c.Get("/api/v1/namespaces?limit=1&continue=" +
                       Escape(p1["metadata"]["continue"].get<std::string>()));
  CHECK(r.code == 410);
  cluster.Stop();
}

}  // namespace
}  // namespace starform::devcluster::testing

namespace starform::devcluster::testing {
namespace {

// Hidden (run with: devcluster_tests "[.perf]"): numbers for docs/devcluster.md.
TEST_CASE("perf: LIST of 20,000 HTTPRoutes and writes per second", "[.perf]") {
  DevCluster::Options options;
  options.crds_dir = std::string(STARFORM_SHARED_DIR) + "/crds";
  options.keep_alive_seconds = 1;
  DevCluster cluster(options);
  cluster.Start();
  std::vector<nlohmann::json> objects = {
      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "perf"}}}}};
  for (int i = 0; i < 20000; ++i)
    objects.push_back(Route("perf", "route-" + std::to_string(i)));
  cluster.Seed(objects);
  {
    TestClient c(cluster.server_url(), cluster.ca_pem(), cluster.token());
    auto start = std::chrono::steady_clock::now();
    HttpResult all = c.Get("/apis/gateway.networking.k8s.io/v1/httproutes");
    auto one = std::chrono::steady_clock::now() - start;
    REQUIRE(all.Json()["items"].size() == 20000);
    start = std::chrono::steady_clock::now();
    size_t items = 0;
    std::string token;
    int pages = 0;
    do {
      HttpResult page = c.Get(RoutesPath("perf") + "?limit=500" +
                              (token.empty() ? "" : "&continue=" + Escape(token)));
      nlohmann::json body = nlohmann::json::parse(page.body);
      items += body["items"].size();
      token = body["metadata"].value("continue", "");
      ++pages;
    } while (!token.empty());
    auto paged = std::chrono::steady_clock::now() - start;
    CHECK(items == 20000);
    start = std::chrono::steady_clock::now();
    for (int i = 0; i < 500; ++i) {
      REQUIRE(c.Post(RoutesPath("perf"), Route("perf", "w-" + std::to_string(i))).code == 201);
    }
    auto writes = std::chrono::steady_clock::now() - start;
    using ms = std::chrono::milliseconds;
    WARN("LIST 20000 HTTPRoutes in one response ("
         << all.body.size() << " bytes): " << std::chrono::duration_cast<ms>(one).count()
         << " ms; paginated by 500 (" << pages
         << " pages, parsing each page): " << std::chrono::duration_cast<ms>(paged).count()
         << " ms; 500 sequential HTTPRoute creates: "
         << std::chrono::duration_cast<ms>(writes).count() << " ms");
  }
  cluster.Stop();
}

}  // namespace
}  // namespace starform::devcluster::testing
