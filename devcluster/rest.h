#pragma once

// The REST layer: turns a request on a resource path into store reads and writes with the
// API server's semantics (resourceVersion, generation, selectors, pagination, watch, patch
// types, dryRun, fieldValidation, status subresource, finalizers, size limits).

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "devcluster/hooks.h"
#include "devcluster/resources.h"
#include "devcluster/store.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace starform::devcluster {

/// Who is asking, after authentication and impersonation.
struct UserInfo {
  std::string name;
  std::vector<std::string> groups;
};

/// A resource path, split as the API server's request-info resolver does.
struct Target {
  const ResourceType* type = nullptr;
  std::string ns;
  std::string name;
  std::string subresource;
  bool watch_path = false;  ///< the legacy /watch/ prefix
};

struct RestOptions {
  size_t max_annotations_bytes = 256 * 1024;
  size_t max_object_bytes = 1536 * 1024;  ///< etcd's default request limit
  std::chrono::seconds continue_ttl{300};
  std::chrono::milliseconds bookmark_interval{1000};
  std::chrono::seconds max_watch_timeout{1800};
};

class RestApi {
 public:
  RestApi(const ResourceRegistry* registry, Store* store, const Hooks* hooks, RestOptions options)
      : registry_(registry), store_(store), hooks_(hooks), options_(options) {}

  /// Handles a request on |target|; throws StatusError. Sets |field_manager| to the manager
  /// the write ran as (for the request log).
  void Handle(const Target& target, const UserInfo& user, const httplib::Request& req,
              httplib::Response& res, std::string* field_manager);

 private:
  void Get(const Target& t, const httplib::Request& req, httplib::Response& res);
  void List(const Target& t, const httplib::Request& req, httplib::Response& res);
  void Watch(const Target& t, const httplib::Request& req, httplib::Response& res);
  void Create(const Target& t, const httplib::Request& req, httplib::Response& res,
              const std::string& manager);
  void Update(const Target& t, const httplib::Request& req, httplib::Response& res,
              const std::string& manager);
  void Patch(const Target& t, const httplib::Request& req, httplib::Response& res,
             const std::string& manager);
  void Apply(const Target& t, const httplib::Request& req, httplib::Response& res,
             const std::string& manager);
  void Delete(const Target& t, const httplib::Request& req, httplib::Response& res);
  void DeleteCollection(const Target& t, const httplib::Request& req, httplib::Response& res);

  /// The write path shared by create, update, patch and apply: admission (metadata, schema,
  /// size, CEL, webhooks), server-set fields, then the store. |incoming| is the full new
  /// object; |expect_existing|: update semantics (404 when missing) vs create (409 when
  /// present); |allow_create|: apply, which creates a missing object.
  struct WriteRequest {
    const Target* target = nullptr;
    nlohmann::json incoming;
    std::string verb;  ///< create, update, patch
    std::string manager;
    bool dry_run = false;
    bool is_apply = false;
    std::string field_validation = "Warn";
    std::vector<std::string> warnings;
  };
  Entry CreateObject(WriteRequest& w);
  /// |mutate| computes the new object from the current one (patches read the current object
  /// under the store lock so concurrent patches do not lose updates).
  Entry UpdateObject(WriteRequest& w,
                     const std::function<nlohmann::json(const nlohmann::json& current)>& mutate,
                     bool* created);
  /// Prunes, defaults and validates a CR; checks metadata and sizes. Throws StatusError.
  void Admit(WriteRequest& w, nlohmann::json* object, const nlohmann::json* old);
  void DeleteOne(const ResourceType& type, const std::string& ns, const std::string& name,
                 const nlohmann::json& options, bool dry_run, Entry* result, bool* finalizing);

  /// The object as the version |type| serves it.
  std::string Serialize(const ResourceType& type, const Entry& entry) const;
  nlohmann::json AsVersion(const ResourceType& type, const nlohmann::json& object) const;

  const ResourceRegistry* registry_;
  Store* store_;
  const Hooks* hooks_;
  RestOptions options_;
};

/// RFC 3339 UTC, second precision, as metav1.Time serialises.
std::string NowRfc3339();
/// The continue token for a list: opaque base64 of the snapshot RV and the last key.
std::string EncodeContinue(uint64_t rv, const std::string& last_key);
bool DecodeContinue(const std::string& token, uint64_t* rv, std::string* key, int64_t* issued_ms);

}  // namespace starform::devcluster
