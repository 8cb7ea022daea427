// Request dispatch: which verb a method and path mean, and the checks every request shares.

#include "devcluster/rest.h"

#include <httplib.h>

#include <thread>

#include "devcluster/rest_util.h"
#include "devcluster/status.h"

namespace starform::devcluster {

namespace {

bool IsWrite(const std::string& verb) {
  return verb != "get" && verb != "list" && verb != "watch";
}

std::string Verb(const Target& t, const httplib::Request& req) {
  const std::string& m = req.method;
  if (m == "GET" || m == "HEAD") {
    if (t.watch_path || Param(req, "watch") == "true" || Param(req, "watch") == "1") {
      return "watch";
    }
    return t.name.empty() ? "list" : "get";
  }
  if (m == "POST")
    return t.name.empty() ? "create" : "";
  if (m == "PUT")
    return t.name.empty() ? "" : "update";
  if (m == "PATCH")
    return t.name.empty() ? "" : "patch";
  if (m == "DELETE")
    return t.name.empty() ? "deletecollection" : "delete";
  return "";
}

// The manager a write is recorded under: fieldManager, else the User-Agent up to its first
// "/" (apiserver's prefixFromUserAgent).
std::string Manager(const httplib::Request& req) {
  std::string manager = Param(req, "fieldManager");
  if (!manager.empty())
    return manager;
  std::string agent = req.get_header_value("User-Agent");
  agent = agent.substr(0, agent.find('/'));
  return agent.substr(0, 128);
}

}  // namespace

void RestApi::Handle(const Target& t, const UserInfo& user, const httplib::Request& req,
                     httplib::Response& res, std::string* field_manager) {
  (void)user;
  std::string verb = Verb(t, req);
  if (verb.empty())
    throw MethodNotSupported(*t.type, req.method);
  if (!t.subresource.empty() && t.subresource != "status")
    throw ResourceTypeNotFound();
  if (t.subresource == "status" && !t.type->has_status)
    throw ResourceTypeNotFound();
  if (t.type->read_only && IsWrite(verb))
    throw MethodNotSupported(*t.type, verb);
  if (std::find(t.type->verbs.begin(), t.type->verbs.end(), verb) == t.type->verbs.end()) {
    throw MethodNotSupported(*t.type, verb);
  }
  if (hooks_->faults) {
    Fault fault = hooks_->faults(verb, t.type->resource);
    if (fault.delay.count() > 0)
      std::this_thread::sleep_for(fault.delay);
    if (fault.retry_after_seconds > 0) {
      res.set_header("Retry-After", std::to_string(fault.retry_after_seconds));
    }
    if (fault.code == 429) {
      throw StatusError(429, "TooManyRequests", "Too many requests, please try again later.",
                        nlohmann::json{{"retryAfterSeconds", fault.retry_after_seconds}});
    }
    if (fault.code == 503) {
      throw StatusError(503, "ServiceUnavailable",
                        "the server is currently unable to handle the request");
    }
    if (fault.code != 0)
      throw InternalError("injected fault");
  }
  if (IsWrite(verb)) {
    std::vector<std::string> dry_run;
    for (size_t i = 0; i < req.get_param_value_count("dryRun"); ++i) {
      dry_run.push_back(req.get_param_value("dryRun", i));
    }
    for (const std::string& value : dry_run) {
      if (value != "All") {
        const char* kind = verb == "create"   ? "CreateOptions"
                           : verb == "update" ? "UpdateOptions"
                           : verb == "patch"  ? "PatchOptions"
                                              : "DeleteOptions";
        throw Invalid(
            kind, "meta.k8s.io", "",
            {{"FieldValueNotSupported", "dryRun",
              "Unsupported value: []string{\"" + value + "\"}: supported values: \"All\""}});
      }
    }
    std::string validation = Param(req, "fieldValidation");
    if (!validation.empty() && validation != "Ignore" && validation != "Warn" &&
        validation != "Strict") {
      throw BadRequest("fieldValidation: Unsupported value: \"" + validation +
                       "\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
    }
    *field_manager = Manager(req);
  }
  if (verb == "get")
    return Get(t, req, res);
  if (verb == "list")
    return List(t, req, res);
  if (verb == "watch")
    return Watch(t, req, res);
  if (verb == "create")
    return Create(t, req, res, *field_manager);
  if (verb == "update")
    return Update(t, req, res, *field_manager);
  if (verb == "patch")
    return Patch(t, req, res, *field_manager);
  if (verb == "delete")
    return Delete(t, req, res);
  return DeleteCollection(t, req, res);
}

}  // namespace starform::devcluster
