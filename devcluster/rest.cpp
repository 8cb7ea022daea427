// Request dispatch: which verb a method and path mean, the checks every request shares, and
// the injected faults (docs/devcluster-faults.md).

#include "devcluster/rest.h"

#include <httplib.h>

#include <algorithm>
#include <memory>
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

// The verb fault clauses match: the audit log's, but "apply" for a server-side apply.
std::string FaultVerb(const std::string& verb, const httplib::Request& req) {
  if (verb != "patch")
    return verb;
  std::string type = req.get_header_value("Content-Type");
  type = type.substr(0, type.find(';'));
  bool apply = type == "application/apply-patch+yaml" || type == "application/apply-patch+cbor";
  return apply ? "apply" : verb;
}

// An injected error status as the API server writes it (apierrors.NewTooManyRequests,
// NewServiceUnavailable, NewInternalError); a Retry-After goes into details.retryAfterSeconds
// and, as responsewriters.ErrorNegotiated does from there, into the header.
StatusError InjectedError(const FaultDecision& fault, httplib::Response& res) {
  nlohmann::json details;
  if (fault.retry_after_seconds > 0) {
    details["retryAfterSeconds"] = fault.retry_after_seconds;
    res.set_header("Retry-After", std::to_string(fault.retry_after_seconds));
  }
  if (fault.status == 429) {
    return StatusError(429, "TooManyRequests", "Too many requests, please try again later.",
                       details.is_null() ? nlohmann::json::object() : details);
  }
  if (fault.status == 503) {
    return StatusError(503, "ServiceUnavailable",
                       "the server is currently unable to handle the request", details);
  }
  details["causes"] = nlohmann::json::array({{{"message", "injected fault"}}});
  return StatusError(fault.status, "InternalError", "Internal error occurred: injected fault",
                     details);
}

// Sends the status line, the headers and part of the body, then closes the connection
// (httplib closes it when a content provider fails). A streamed body (watch) is cut inside
// its first write.
void DropMidResponse(const FaultDecision& fault, httplib::Response& res) {
  if (res.content_provider_) {
    auto cut = std::make_shared<bool>(false);
    res.content_provider_ = [fault, cut, inner = std::move(res.content_provider_)](
                                size_t offset, size_t length, httplib::DataSink& sink) {
      httplib::DataSink proxy;
      proxy.is_writable = sink.is_writable;
      proxy.done = sink.done;
      proxy.write = [&](const char* data, size_t size) {
        *cut = true;
        size_t sent = fault.DropAfter(size);
        if (sent != 0)
          sink.write(data, sent);
        return false;  // the stream ends here
      };
      return inner(offset, length, proxy) && !*cut;
    };
    return;
  }
  auto body = std::make_shared<const std::string>(std::move(res.body));
  size_t sent = fault.DropAfter(body->size());
  std::string type = res.get_header_value("Content-Type");
  res.body.clear();
  res.headers.erase("Content-Type");
  res.set_content_provider(
      body->size(), type, [body, sent](size_t offset, size_t, httplib::DataSink& sink) {
        return offset < sent && sink.write(body->data() + offset, sent - offset);
      });
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
  FaultDecision fault;
  if (hooks_->faults)
    fault = hooks_->faults(FaultVerb(verb, req), t.type->resource);
  if (fault.latency.count() > 0)
    std::this_thread::sleep_for(fault.latency);
  if (fault.status != 0)
    throw InjectedError(fault, res);
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
  // A conflict is what a write to an existing object can meet; create and deletecollection
  // cannot, and a missing object answers as it would without the fault.
  if (fault.write_conflict && !t.name.empty() && store_->Get(t.type->StoreKey(), t.ns, t.name)) {
    throw ModifiedConflict(*t.type, t.name);
  }
  if (fault.expire_continue && verb == "list" && Param(req, "resourceVersion").empty()) {
    uint64_t rv = 0;
    std::string key;
    int64_t issued = 0;
    // An undecodable token is the list's 400, as without the fault.
    if (DecodeContinue(Param(req, "continue"), &rv, &key, &issued))
      throw ContinueExpired(EncodeContinue(0, key));
  }
  auto dispatch = [&] {
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
  };
  try {
    dispatch();
  } catch (const StatusError& e) {
    if (!fault.drop_connection)
      throw;
    WriteJson(res, e.code(), e.ToJson().dump());
  }
  if (fault.drop_connection)
    DropMidResponse(fault, res);
}

}  // namespace starform::devcluster
