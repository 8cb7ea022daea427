// DELETE of one object and of a collection: preconditions, finalizers, namespaces.

#include <httplib.h>

#include <set>

#include "devcluster/protobuf.h"
#include "devcluster/rest.h"
#include "devcluster/rest_util.h"
#include "devcluster/status.h"

namespace starform::devcluster {

using nlohmann::json;

namespace {

struct Unchanged {};

json DeleteOptions(const httplib::Request& req) {
  json options = json::object();
  if (!req.body.empty() && IsProtobuf(req.get_header_value("Content-Type"))) {
    options = DecodeProtobuf(req.body);
  } else if (!req.body.empty()) {
    options = json::parse(req.body, nullptr, false);
    if (options.is_discarded() || !options.is_object()) {
      throw BadRequest("the body of the request was not valid DeleteOptions");
    }
  }
  std::string policy = Param(req, "propagationPolicy");
  if (!policy.empty())
    options["propagationPolicy"] = policy;
  std::string policy_value = options.value("propagationPolicy", "");
  if (!policy_value.empty() && policy_value != "Orphan" && policy_value != "Background" &&
      policy_value != "Foreground") {
    throw Invalid("DeleteOptions", "meta.k8s.io", "",
                  {{"FieldValueNotSupported", "propagationPolicy",
                    "Unsupported value: \"" + policy_value +
                        "\": supported values: \"Foreground\", \"Background\", \"Orphan\""}});
  }
  return options;
}

}  // namespace

void RestApi::DeleteOne(const ResourceType& type, const std::string& ns, const std::string& name,
                        const json& options, bool dry_run, Entry* result, bool* finalizing) {
  *finalizing = false;
  bool is_namespace = type.group.empty() && type.resource == "namespaces";
  try {
    *result = store_->Write(
        type.StoreKey(), ns, name,
        [&](const Entry& current, uint64_t) -> std::optional<json> {
          if (!current)
            throw NotFound(type, name);
          const json& meta = (*current.object)["metadata"];
          if (options.contains("preconditions") && options["preconditions"].is_object()) {
            const json& pre = options["preconditions"];
            std::string uid = pre.value("uid", "");
            if (!uid.empty() && uid != meta.value("uid", "")) {
              throw Conflict(type, name,
                             "Precondition failed: UID in precondition: " + uid +
                                 ", UID in object meta: " + meta.value("uid", ""));
            }
            std::string rv = pre.value("resourceVersion", "");
            if (!rv.empty() && rv != meta.value("resourceVersion", "")) {
              throw Conflict(
                  type, name,
                  "Precondition failed: ResourceVersion in precondition: " + rv +
                      ", ResourceVersion in object meta: " + meta.value("resourceVersion", ""));
            }
          }
          bool has_finalizers = meta.contains("finalizers") && meta["finalizers"].is_array() &&
                                !meta["finalizers"].empty();
          if (!has_finalizers && !is_namespace)
            return std::nullopt;
          *finalizing = true;
          if (meta.contains("deletionTimestamp"))
            throw Unchanged{};
          json object = *current.object;
          object["metadata"]["deletionTimestamp"] = NowRfc3339();
          object["metadata"]["deletionGracePeriodSeconds"] = 0;
          if (is_namespace)
            object["status"]["phase"] = "Terminating";
          return object;
        },
        dry_run);
  } catch (const Unchanged&) {
    *result = store_->Get(type.StoreKey(), ns, name);
  }
  if (!is_namespace || dry_run)
    return;
  // The namespace controller's work, done at once: delete what the namespace holds, then the
  // namespace itself when nothing is left (objects with finalizers keep it Terminating).
  bool left = false;
  std::set<std::string> seen;
  for (const ResourceType& t : registry_->all()) {
    if (!t.namespaced || !seen.insert(t.StoreKey()).second)
      continue;
    Store::ListOptions list;
    list.ns = name;
    for (const Entry& e : store_->List(t.StoreKey(), list).items) {
      Entry deleted;
      bool pending = false;
      try {
        DeleteOne(t, name, (*e.object)["metadata"].value("name", ""), json::object(), false,
                  &deleted, &pending);
      } catch (const StatusError&) {
        continue;  // deleted meanwhile
      }
      left = left || pending;
    }
  }
  if (!left) {
    store_->Write(type.StoreKey(), "", name,
                  [](const Entry&, uint64_t) -> std::optional<json> { return std::nullopt; });
  }
}

void RestApi::Delete(const Target& t, const httplib::Request& req, httplib::Response& res) {
  json options = DeleteOptions(req);
  bool dry_run = Param(req, "dryRun") == "All";
  if (options.contains("dryRun") && options["dryRun"].is_array()) {
    dry_run = dry_run || options["dryRun"] == json::array({"All"});
  }
  Entry entry;
  bool finalizing = false;
  DeleteOne(*t.type, t.ns, t.name, options, dry_run, &entry, &finalizing);
  // Services return the deleted object; most types (and every custom resource) a Status.
  bool return_object = finalizing || (t.type->group.empty() && t.type->resource == "services");
  if (return_object) {
    WriteJson(res, 200, Serialize(*t.type, entry));
    return;
  }
  json details = Details(*t.type, t.name);
  details["uid"] = (*entry.object)["metadata"].value("uid", "");
  json status = {{"kind", "Status"},
                 {"apiVersion", "v1"},
                 {"metadata", json::object()},
                 {"status", "Success"},
                 {"details", details}};
  WriteJson(res, 200, status.dump());
}

void RestApi::DeleteCollection(const Target& t, const httplib::Request& req,
                               httplib::Response& res) {
  json options = DeleteOptions(req);
  bool dry_run = Param(req, "dryRun") == "All";
  // Reuse LIST's selection by listing first, then deleting each match.
  httplib::Response listed;
  httplib::Request list_req = req;
  List(t, list_req, listed);
  json list = json::parse(listed.body);
  std::string items;
  for (const json& item : list["items"]) {
    Entry entry;
    bool finalizing = false;
    const json& meta = item["metadata"];
    try {
      DeleteOne(*t.type, meta.value("namespace", ""), meta.value("name", ""), options, dry_run,
                &entry, &finalizing);
    } catch (const StatusError& e) {
      if (e.code() == 404)
        continue;
      throw;
    }
    if (!items.empty())
      items += ',';
    items += Serialize(*t.type, entry);
  }
  std::string body =
      "{\"kind\":" + json(t.type->kind + "List").dump() +
      ",\"apiVersion\":" + json(t.type->ApiVersion()).dump() +
      ",\"metadata\":{\"resourceVersion\":" + json(std::to_string(store_->current_rv())).dump() +
      "},\"items\":[" + items + "]}";
  WriteJson(res, 200, body);
}

}  // namespace starform::devcluster
