#pragma once

// core/v1 Events as client-go's record.EventRecorder writes them for a simulated controller:
// named <object>.<hex UnixNano>, with source and reportingComponent, count 1 and equal first and
// last timestamps; a repeat of the same event (same object, type, reason and message) bumps
// count and lastTimestamp with a PATCH, as the event correlator does. Writes go through
// DevCluster::Call as |user|.

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "devcluster/controller.h"

namespace starform::devcluster {

class DevCluster;

/// Maps a controller's time to wall-clock time, for timestamps and event names.
using WallClock =
    std::function<std::chrono::system_clock::time_point(Controller::Clock::time_point)>;

/// The wall clock offset from the steady clock as they are now.
WallClock RealWallClock();

/// "2026-01-02T03:04:05Z" (metav1.Time keeps whole seconds).
std::string Rfc3339(std::chrono::system_clock::time_point t);

class EventRecorder {
 public:
  EventRecorder(std::string component, std::string user, std::string field_manager, WallClock wall);

  /// Records an event about |object| (its kind, apiVersion, namespace, name, uid and
  /// resourceVersion make the involvedObject). Best effort, as the real recorder: a refused
  /// write is dropped.
  void Record(DevCluster& cluster, const nlohmann::json& object, const std::string& type,
              const std::string& reason, const std::string& message,
              Controller::Clock::time_point now);

 private:
  struct Recorded {
    std::string ns, name;
    int count = 0;
  };
  nlohmann::json NewEvent(const nlohmann::json& object, const std::string& type,
                          const std::string& reason, const std::string& message,
                          std::chrono::system_clock::time_point at);
  bool Create(DevCluster& cluster, const nlohmann::json& event);

  std::string component_, user_, field_manager_;
  WallClock wall_;
  std::map<std::string, Recorded> recorded_;  ///< by the correlator's key
  long long last_nanos_ = 0;                  ///< names stay unique within one instant
};

}  // namespace starform::devcluster
