// WATCH: synthetic ADDED, changes from a resourceVersion, selectors, bookmarks, timeouts, 410.

#include <catch2/catch.hpp>
#include <thread>

#include "devcluster/test_cluster.h"

namespace starform::devcluster::testing {
namespace {

using nlohmann::json;

std::vector<json> Events(const std::string& body) {
  std::vector<json> events;
  size_t start = 0;
  while (true) {
    size_t nl = body.find('\n', start);
    if (nl == std::string::npos)
      break;
    events.push_back(json::parse(body.substr(start, nl - start)));
    start = nl + 1;
  }
  return events;
}

// Runs a watch until |count| events (bookmarks excluded unless asked) or the server ends it.
std::vector<json> Watch(const std::string& path, size_t count, bool with_bookmarks = false) {
  auto c = Client();
  HttpResult r = c->Do("GET", path, "", "", [&](const std::string& body) {
    size_t n = 0;
    for (const json& e : Events(body))
      n += with_bookmarks || e["type"] != "BOOKMARK";
    return n < count;
  });
  std::vector<json> out;
  for (const json& e : Events(r.body)) {
    if (with_bookmarks || e["type"] != "BOOKMARK")
      out.push_back(e);
  }
  return out;
}

TEST_CASE("watch without resourceVersion starts with synthetic ADDED events") {
  auto c = Client();
  MakeNamespace(*c, "watch-initial");
  c->Post(RoutesPath("watch-initial"), Route("watch-initial", "a"));
  c->Post(RoutesPath("watch-initial"), Route("watch-initial", "b"));
  std::vector<json> events = Watch(RoutesPath("watch-initial") + "?watch=true&timeoutSeconds=5", 2);
  REQUIRE(events.size() == 2);
  CHECK(events[0]["type"] == "ADDED");
  CHECK(events[0]["object"]["metadata"]["name"] == "a");
  CHECK(events[1]["object"]["metadata"]["name"] == "b");
  CHECK(events[1]["object"]["kind"] == "HTTPRoute");
}

TEST_CASE("watch from a resourceVersion streams the changes after it") {
  auto c = Client();
  MakeNamespace(*c, "watch-rv");
  json list = c->Get(RoutesPath("watch-rv")).Json();
  std::string rv = list["metadata"]["resourceVersion"];
  std::thread writer([&] {
    auto w = Client();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    w->Post(RoutesPath("watch-rv"), Route("watch-rv", "shop"));
    w->Patch(RoutesPath("watch-rv") + "/shop", R"({"metadata":{"labels":{"x":"y"}}})",
             "application/merge-patch+json");
    w->Delete(RoutesPath("watch-rv") + "/shop");
  });
  std::vector<json> events =
      Watch(RoutesPath("watch-rv") + "?watch=1&timeoutSeconds=5&resourceVersion=" + rv, 3);
  writer.join();
  REQUIRE(events.size() == 3);
  CHECK(events[0]["type"] == "ADDED");
  CHECK(events[1]["type"] == "MODIFIED");
  CHECK(events[1]["object"]["metadata"]["labels"]["x"] == "y");
  CHECK(events[2]["type"] == "DELETED");
  CHECK(std::stoull(events[2]["object"]["metadata"]["resourceVersion"].get<std::string>()) >
        std::stoull(events[1]["object"]["metadata"]["resourceVersion"].get<std::string>()));
}

TEST_CASE("watch filters by label selector, an object leaving the selection is DELETED") {
  auto c = Client();
  MakeNamespace(*c, "watch-sel");
  std::string rv = c->Get(RoutesPath("watch-sel")).Json()["metadata"]["resourceVersion"];
  std::thread writer([&] {
    auto w = Client();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    json other = Route("watch-sel", "other");
    w->Post(RoutesPath("watch-sel"), other);
    json mine = Route("watch-sel", "mine");
    mine["metadata"]["labels"] = {{"team", "a"}};
    w->Post(RoutesPath("watch-sel"), mine);
    w->Patch(RoutesPath("watch-sel") + "/mine", R"({"metadata":{"labels":{"team":"b"}}})",
             "application/merge-patch+json");
  });
  std::vector<json> events =
      Watch(RoutesPath("watch-sel") +
                "?watch=true&timeoutSeconds=5&labelSelector=team%3Da&resourceVersion=" + rv,
            2);
  writer.join();
  REQUIRE(events.size() == 2);
  CHECK(events[0]["type"] == "ADDED");
  CHECK(events[0]["object"]["metadata"]["name"] == "mine");
  CHECK(events[1]["type"] == "DELETED");
}

TEST_CASE("bookmarks carry the resourceVersion, timeoutSeconds ends the stream") {
  auto c = Client();
  MakeNamespace(*c, "watch-bookmark");
  auto start = std::chrono::steady_clock::now();
  std::vector<json> events =
      Watch(RoutesPath("watch-bookmark") + "?watch=true&allowWatchBookmarks=true&timeoutSeconds=1",
            100, true);
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(took < std::chrono::seconds(3));
  CHECK(took >= std::chrono::milliseconds(900));
  REQUIRE_FALSE(events.empty());
  CHECK(events[0]["type"] == "BOOKMARK");
  CHECK(events[0]["object"]["kind"] == "HTTPRoute");
  CHECK(events[0]["object"]["metadata"]["resourceVersion"].is_string());
}

TEST_CASE("a watch from a compacted resourceVersion gets a 410 Expired ERROR event") {
  DevCluster::Options options;
  options.keep_alive_seconds = 1;
  options.history_limit = 3;
  DevCluster cluster(options);
  cluster.Start();
  TestClient c(cluster.server_url(), cluster.ca_pem(), cluster.token());
  for (int i = 0; i < 5; ++i)
    MakeNamespace(c, "n" + std::to_string(i));
  HttpResult r = c.Get("/api/v1/namespaces?watch=true&resourceVersion=2&timeoutSeconds=2");
  CHECK(r.code == 200);
  std::vector<json> events = Events(r.body);
  REQUIRE(events.size() == 1);
  CHECK(events[0]["type"] == "ERROR");
  CHECK(events[0]["object"] ==
        json::parse(
            R"x({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)x"
            R"x("message":"too old resource version: 2 (6)","reason":"Expired","code":410})x"));
  cluster.Stop();
}

}  // namespace
}  // namespace starform::devcluster::testing
