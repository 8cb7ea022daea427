#include "devcluster/event_recorder.h"

#include <ctime>

#include "devcluster/server.h"

namespace starform::devcluster {

using nlohmann::json;

WallClock RealWallClock() {
  auto wall0 = std::chrono::system_clock::now();
  auto steady0 = Controller::Clock::now();
  return [wall0, steady0](Controller::Clock::time_point t) {
    return wall0 + std::chrono::duration_cast<std::chrono::system_clock::duration>(t - steady0);
  };
}

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t seconds =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

EventRecorder::EventRecorder(std::string component, std::string user, std::string field_manager,
                             WallClock wall)
    : component_(std::move(component)),
      user_(std::move(user)),
      field_manager_(std::move(field_manager)),
      wall_(std::move(wall)) {}

json EventRecorder::NewEvent(const json& object, const std::string& type, const std::string& reason,
                             const std::string& message, std::chrono::system_clock::time_point at) {
  const json& meta = object["metadata"];
  long long nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
  nanos = std::max(nanos, last_nanos_ + 1);
  last_nanos_ = nanos;
  char hex[24];
  std::snprintf(hex, sizeof hex, "%llx", nanos);
  std::string ns = meta.value("namespace", "default");
  std::string stamp = Rfc3339(at);
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", meta.value("name", "") + "." + hex}, {"namespace", ns}}},
          {"involvedObject",
           {{"kind", object.value("kind", "")},
            {"namespace", meta.value("namespace", "")},
            {"name", meta.value("name", "")},
            {"uid", meta.value("uid", "")},
            {"apiVersion", object.value("apiVersion", "")},
            {"resourceVersion", meta.value("resourceVersion", "")}}},
          {"reason", reason},
          {"message", message},
          {"source", {{"component", component_}}},
          {"firstTimestamp", stamp},
          {"lastTimestamp", stamp},
          {"count", 1},
          {"type", type},
          // The Go struct's zero MicroTime and untagged strings, as the server stores them.
          {"eventTime", nullptr},
          {"reportingComponent", component_},
          {"reportingInstance", ""}};
}

bool EventRecorder::Create(DevCluster& cluster, const json& event) {
  LocalRequest request;
  request.method = "POST";
  request.target = "/api/v1/namespaces/" + event["metadata"]["namespace"].get<std::string>() +
                   "/events?fieldManager=" + field_manager_;
  request.body = event.dump();
  request.user = user_;
  return cluster.Call(request).status == 201;
}

void EventRecorder::Record(DevCluster& cluster, const json& object, const std::string& type,
                           const std::string& reason, const std::string& message,
                           Controller::Clock::time_point now) {
  std::chrono::system_clock::time_point at = wall_(now);
  json event = NewEvent(object, type, reason, message, at);
  const json& ref = event["involvedObject"];
  // The correlator's key (record/events_cache.go getEventKey), less the fields always empty here.
  std::string key = component_ + "\n" + ref["kind"].get<std::string>() + "\n" +
                    ref["namespace"].get<std::string>() + "\n" + ref["name"].get<std::string>() +
                    "\n" + ref["uid"].get<std::string>() + "\n" + type + "\n" + reason + "\n" +
                    message;
  auto it = recorded_.find(key);
  if (it != recorded_.end()) {
    Recorded& seen = it->second;
    LocalRequest patch;
    patch.method = "PATCH";
    patch.target = "/api/v1/namespaces/" + seen.ns + "/events/" + seen.name +
                   "?fieldManager=" + field_manager_;
    patch.content_type = "application/strategic-merge-patch+json";
    patch.body =
        json{{"count", seen.count + 1}, {"lastTimestamp", Rfc3339(at)}, {"message", message}}
            .dump();
    patch.user = user_;
    if (cluster.Call(patch).status == 200) {
      ++seen.count;
      return;
    }
    recorded_.erase(it);  // deleted meanwhile: start a new one
  }
  if (Create(cluster, event)) {
    recorded_[key] = {event["metadata"]["namespace"], event["metadata"]["name"], 1};
  }
}

}  // namespace starform::devcluster
