// Create, update, patch, apply: one write path with the API server's admission order.

#include <httplib.h>

#include <algorithm>
#include <random>

#include "devcluster/builtin_defaults.h"
#include "devcluster/certs.h"
#include "devcluster/protobuf.h"
#include "devcluster/rest.h"
#include "devcluster/rest_util.h"
#include "devcluster/status.h"
#include "plan/source_tree.h"

namespace starform::devcluster {

using nlohmann::json;

namespace {

// Thrown inside a store mutation when the write would change nothing: the API server then
// skips the write, keeping the resourceVersion (so repeated applies are no-ops).
struct NoChange {};
// Thrown inside a store mutation when the object is missing and the caller may create it.
struct Missing {};

bool IsDns1123Subdomain(const std::string& s) {
  if (s.empty() || s.size() > 253)
    return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    std::string label = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty())
      return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(label.front()) || !alnum(label.back()))
      return false;
    for (char c : label) {
      if (!alnum(c) && c != '-')
        return false;
    }
    if (dot == std::string::npos)
      break;
    start = dot + 1;
  }
  return true;
}

std::string RandomSuffix() {
  // The alphabet of apimachinery's rand.String: no vowels, no confusable digits.
  static const char* kChars = "bcdfghjklmnpqrstvwxz2456789";
  thread_local std::mt19937 rng(std::random_device{}());
  std::string out;
  for (int i = 0; i < 5; ++i)
    out += kChars[rng() % 27];
  return out;
}

json WithoutMetadataAndStatus(const json& object) {
  json copy = object;
  copy.erase("metadata");
  copy.erase("status");
  return copy;
}

// For no-op detection: the object minus what every write changes.
json Comparable(const json& object) {
  json copy = object;
  if (copy.contains("metadata") && copy["metadata"].is_object()) {
    copy["metadata"].erase("resourceVersion");
    copy["metadata"].erase("managedFields");
  }
  return copy;
}

json DecodeBody(const httplib::Request& req) {
  std::string type = req.get_header_value("Content-Type");
  if (IsProtobuf(type))
    return DecodeProtobuf(req.body);
  if (type.find("yaml") != std::string::npos) {
    SourceNode node;
    Diagnostics diags("");
    if (!ParseDocument(req.body, &node, &diags)) {
      throw BadRequest("error converting YAML to JSON: " + diags.ToString());
    }
    return ToJson(node);
  }
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) {
    throw BadRequest("couldn't get version/kind; json parse error: invalid JSON in the body");
  }
  return body;
}

void SetManager(const Hooks* hooks, const ResourceType& type, const json* old,
                const std::string& manager, const std::string& sub, json* object) {
  if (!hooks->managed_fields)
    return;
  UpdateInput in;
  in.type = &type;
  in.old = old;
  in.manager = manager;
  in.subresource = sub;
  in.now = NowRfc3339();
  hooks->managed_fields(in, object);
}

}  // namespace

void RestApi::Admit(WriteRequest& w, json* object, const json* old) {
  const ResourceType& type = *w.target->type;
  if (!object->is_object())
    throw BadRequest("the body of the request must be an object");
  std::string api_version = object->value("apiVersion", "");
  std::string kind = object->value("kind", "");
  if (api_version.empty() || kind.empty()) {
    throw BadRequest("Object 'Kind' is missing in '" + object->dump() + "'");
  }
  if (kind != type.kind) {
    throw BadRequest("the kind in the data (" + kind + ") does not match the expected kind (" +
                     type.kind + ")");
  }
  if (api_version != type.ApiVersion()) {
    throw BadRequest("the API version in the data (" + api_version +
                     ") does not match the expected API version (" + type.ApiVersion() + ")");
  }
  json& meta = (*object)["metadata"];
  std::string name = meta.value("name", "");
  std::vector<kube::StatusCause> causes;
  if (old == nullptr && !IsDns1123Subdomain(name)) {
    causes.push_back(
        {"FieldValueInvalid", "metadata.name",
         "Invalid value: \"" + name +
             "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
             "characters, '-' or '.', and must start and end with an alphanumeric character "
             "(e.g. 'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"});
  }
  if (meta.contains("annotations") && meta["annotations"].is_object()) {
    size_t total = 0;
    for (const auto& [k, v] : meta["annotations"].items()) {
      total += k.size() + (v.is_string() ? v.get_ref<const std::string&>().size() : 0);
    }
    if (total > options_.max_annotations_bytes) {
      causes.push_back({"FieldValueTooLong", "metadata.annotations",
                        "Too long: must have at most " +
                            std::to_string(options_.max_annotations_bytes) + " bytes"});
    }
  }
  if (type.schema) {
    kube::Admission admission = kube::Admit(object, *type.schema);
    if (!admission.unknown_fields.empty() && w.field_validation != "Ignore") {
      if (w.field_validation == "Strict") {
        std::string message = type.kind + " in version \"" + type.version +
                              "\" cannot be handled as a " + type.kind +
                              ": strict decoding error: ";
        for (size_t i = 0; i < admission.unknown_fields.size(); ++i) {
          if (i != 0)
            message += ", ";
          message += kube::UnknownFieldMessage(admission.unknown_fields[i]);
        }
        throw BadRequest(message);
      }
      for (const std::string& path : admission.unknown_fields) {
        w.warnings.push_back(kube::UnknownFieldMessage(path));
      }
    }
    causes.insert(causes.end(), admission.causes.begin(), admission.causes.end());
  }
  ValidateInput validate_input;
  validate_input.type = &type;
  validate_input.object = object;
  validate_input.old = old;
  validate_input.blocked = kube::HasBlockingCause(causes);
  validate_input.warnings = &w.warnings;
  for (const ValidateFn& validate : hooks_->validators) {
    std::vector<kube::StatusCause> more = validate(validate_input);
    causes.insert(causes.end(), more.begin(), more.end());
  }
  if (!causes.empty()) {
    std::string group = type.group;
    throw Invalid(type.kind, group, name, causes);
  }
  for (const AdmitFn& admit : hooks_->admitters)
    admit(type, w.verb, *object, old);
  if (object->dump().size() > options_.max_object_bytes) {
    throw UnknownServerError("etcdserver: request is too large");
  }
}

Entry RestApi::CreateObject(WriteRequest& w) {
  const Target& t = *w.target;
  const ResourceType& type = *t.type;
  json object = std::move(w.incoming);
  if (!object.is_object())
    throw BadRequest("the body of the request must be an object");
  json& meta = object["metadata"];
  if (!meta.is_object())
    meta = json::object();
  if (type.namespaced) {
    std::string ns = meta.value("namespace", "");
    if (!ns.empty() && ns != t.ns) {
      throw BadRequest(
          "the namespace of the provided object does not match the namespace "
          "sent on the request");
    }
    meta["namespace"] = t.ns;
  } else {
    meta.erase("namespace");
  }
  if (meta.contains("resourceVersion") && !meta["resourceVersion"].get<std::string>().empty()) {
    throw BadRequest("resourceVersion should not be set on objects to be created");
  }
  std::string name = meta.value("name", "");
  if (name.empty()) {
    std::string prefix = meta.value("generateName", "");
    if (prefix.empty()) {
      throw Invalid(type.kind, type.group, "",
                    {{"FieldValueRequired", "metadata.name",
                      "Required value: name or generateName is required"}});
    }
    name = prefix + RandomSuffix();
    meta["name"] = name;
  }
  for (const char* server_set : {"uid", "creationTimestamp", "deletionTimestamp",
                                 "deletionGracePeriodSeconds", "generation", "selfLink"}) {
    meta.erase(server_set);
  }
  if (type.has_status)
    object.erase("status");
  ApplyBuiltinDefaults(type, &object);
  Admit(w, &object, nullptr);
  if (type.namespaced) {
    Entry ns = store_->Get("/namespaces", "", t.ns);
    if (!ns)
      throw NamespaceNotFound(t.ns);
    if ((*ns.object)["metadata"].contains("deletionTimestamp")) {
      throw Forbidden(
          "unable to create new content in namespace " + t.ns + " because it is being terminated",
          &type, name);
    }
  }
  if (!w.is_apply)
    SetManager(hooks_, type, nullptr, w.manager, t.subresource, &object);
  return store_->Write(
      type.StoreKey(), t.ns, name,
      [&](const Entry& current, uint64_t) -> std::optional<json> {
        if (current)
          throw AlreadyExists(type, name);
        json out = object;
        PrepareBuiltinCreate(type, *store_, &out);
        out["metadata"]["uid"] = NewUid();
        out["metadata"]["creationTimestamp"] = NowRfc3339();
        if (type.tracks_generation)
          out["metadata"]["generation"] = 1;
        return out;
      },
      w.dry_run);
}

Entry RestApi::UpdateObject(WriteRequest& w, const std::function<json(const json&)>& mutate,
                            bool* created) {
  const Target& t = *w.target;
  const ResourceType& type = *t.type;
  *created = false;
  try {
    return store_->Write(
        type.StoreKey(), t.ns, t.name,
        [&](const Entry& current, uint64_t) -> std::optional<json> {
          if (!current)
            throw Missing{};
          const json& old = *current.object;
          json object = mutate(old);
          if (!object.is_object())
            throw BadRequest("the body of the request must be an object");
          json& meta = object["metadata"];
          if (!meta.is_object())
            meta = json::object();
          std::string name = meta.value("name", "");
          if (name.empty())
            name = t.name;
          if (name != t.name) {
            throw BadRequest("the name of the object (" + name +
                             ") does not match the name on the URL (" + t.name + ")");
          }
          meta["name"] = name;
          if (type.namespaced) {
            std::string ns = meta.value("namespace", "");
            if (!ns.empty() && ns != t.ns) {
              throw BadRequest(
                  "the namespace of the provided object does not match the "
                  "namespace sent on the request");
            }
            meta["namespace"] = t.ns;
          }
          std::string rv = meta.value("resourceVersion", "");
          const json& old_meta = old["metadata"];
          if (rv.empty()) {
            if (type.custom && w.verb == "update") {
              throw Invalid(type.kind, type.group, t.name,
                            {{"FieldValueInvalid", "metadata.resourceVersion",
                              "Invalid value: 0x0: must be specified for an update"}});
            }
          } else if (rv != old_meta.value("resourceVersion", "")) {
            throw ModifiedConflict(type, t.name);
          }
          for (const char* kept : {"uid", "creationTimestamp", "deletionTimestamp",
                                   "deletionGracePeriodSeconds", "generation"}) {
            if (old_meta.contains(kept)) {
              meta[kept] = old_meta[kept];
            } else {
              meta.erase(kept);
            }
          }
          if (t.subresource == "status") {
            // Only status changes through the status subresource.
            json status = object.contains("status") ? object["status"] : json();
            json managed = meta.contains("managedFields") ? meta["managedFields"] : json();
            object = old;
            if (status.is_null()) {
              object.erase("status");
            } else {
              object["status"] = status;
            }
            if (!managed.is_null())
              object["metadata"]["managedFields"] = managed;
          } else if (type.has_status) {
            if (old.contains("status")) {
              object["status"] = old["status"];
            } else {
              object.erase("status");
            }
          }
          ApplyBuiltinDefaults(type, &object);
          Admit(w, &object, &old);
          if (type.tracks_generation && t.subresource.empty() &&
              WithoutMetadataAndStatus(object) != WithoutMetadataAndStatus(old)) {
            object["metadata"]["generation"] = old_meta.value("generation", int64_t{0}) + 1;
          }
          if (!w.is_apply)
            SetManager(hooks_, type, &old, w.manager, t.subresource, &object);
          PrepareBuiltinUpdate(type, *store_, old, &object);
          if (Comparable(object) == Comparable(old))
            throw NoChange{};
          if (object["metadata"].contains("deletionTimestamp")) {
            const json& finalizers = object["metadata"]["finalizers"];
            if (!finalizers.is_array() || finalizers.empty())
              return std::nullopt;
          }
          return object;
        },
        w.dry_run);
  } catch (const NoChange&) {
    return store_->Get(type.StoreKey(), t.ns, t.name);
  } catch (const Missing&) {
    if (!w.is_apply)
      throw NotFound(type, t.name);
  }
  // Apply on a missing object creates it.
  w.incoming = mutate(json());
  *created = true;
  return CreateObject(w);
}

void RestApi::Create(const Target& t, const httplib::Request& req, httplib::Response& res,
                     const std::string& manager) {
  WriteRequest w;
  w.target = &t;
  w.incoming = DecodeBody(req);
  w.verb = "create";
  w.manager = manager;
  w.dry_run = Param(req, "dryRun") == "All";
  w.field_validation = Param(req, "fieldValidation");
  if (w.field_validation.empty())
    w.field_validation = "Warn";
  Entry entry = CreateObject(w);
  for (const std::string& warning : w.warnings) {
    res.set_header("Warning", "299 - " + json(warning).dump());
  }
  WriteJson(res, 201, Serialize(*t.type, entry));
}

void RestApi::Update(const Target& t, const httplib::Request& req, httplib::Response& res,
                     const std::string& manager) {
  WriteRequest w;
  w.target = &t;
  w.incoming = DecodeBody(req);
  w.verb = "update";
  w.manager = manager;
  w.dry_run = Param(req, "dryRun") == "All";
  w.field_validation = Param(req, "fieldValidation");
  if (w.field_validation.empty())
    w.field_validation = "Warn";
  json body = w.incoming;
  bool created = false;
  Entry entry = UpdateObject(
      w, [&](const json&) { return body; }, &created);
  for (const std::string& warning : w.warnings) {
    res.set_header("Warning", "299 - " + json(warning).dump());
  }
  WriteJson(res, created ? 201 : 200, Serialize(*t.type, entry));
}

void RestApi::Patch(const Target& t, const httplib::Request& req, httplib::Response& res,
                    const std::string& manager) {
  std::string content_type = req.get_header_value("Content-Type");
  content_type = content_type.substr(0, content_type.find(';'));
  if (content_type == "application/apply-patch+yaml" ||
      content_type == "application/apply-patch+cbor") {
    Apply(t, req, res, manager);
    return;
  }
  if (!Param(req, "force").empty()) {
    throw Invalid(
        "PatchOptions", "meta.k8s.io", "",
        {{"FieldValueForbidden", "force", "Forbidden: may not be specified for non-apply patch"}});
  }
  bool merge = content_type == "application/merge-patch+json";
  bool json_patch = content_type == "application/json-patch+json";
  if (content_type == "application/strategic-merge-patch+json") {
    // Custom resources have no patch strategies; built-ins here are patched as merge patches.
    if (t.type->custom)
      throw UnsupportedMediaType(content_type);
    merge = true;
  }
  if (!merge && !json_patch)
    throw UnsupportedMediaType(content_type);
  json patch = json::parse(req.body, nullptr, false);
  if (patch.is_discarded())
    throw BadRequest("invalid JSON in the patch body");
  if (json_patch && !patch.is_array()) {
    throw BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  }
  WriteRequest w;
  w.target = &t;
  w.incoming = json();
  w.verb = "patch";
  w.manager = manager;
  w.dry_run = Param(req, "dryRun") == "All";
  w.field_validation = Param(req, "fieldValidation");
  if (w.field_validation.empty())
    w.field_validation = "Warn";
  bool created = false;
  Entry entry = UpdateObject(
      w,
      [&](const json& current) {
        json object = AsVersion(*t.type, current);
        if (merge) {
          object.merge_patch(patch);
          return object;
        }
        try {
          return object.patch(patch);
        } catch (const json::exception& e) {
          // As apiserver's patcher: a patch that does not apply is 422 with the cause.
          throw StatusError(422, "Invalid",
                            "the server rejected our request due to an error in our request",
                            json{{"causes", json::array({{{"reason", "UnexpectedServerResponse"},
                                                          {"message", e.what()}}})}});
        }
      },
      &created);
  for (const std::string& warning : w.warnings) {
    res.set_header("Warning", "299 - " + json(warning).dump());
  }
  WriteJson(res, 200, Serialize(*t.type, entry));
}

void RestApi::Apply(const Target& t, const httplib::Request& req, httplib::Response& res,
                    const std::string& manager) {
  if (Param(req, "fieldManager").empty()) {
    throw Invalid(
        "PatchOptions", "meta.k8s.io", "",
        {{"FieldValueRequired", "fieldManager", "Required value: is required for apply patch"}});
  }
  if (!hooks_->apply) {
    throw StatusError(415, "UnsupportedMediaType",
                      "server-side apply (application/apply-patch+yaml) is not implemented by "
                      "this dev cluster build yet",
                      json::object());
  }
  json applied = DecodeBody(req);
  std::string force = Param(req, "force");
  WriteRequest w;
  w.target = &t;
  w.incoming = json();
  w.verb = "patch";
  w.manager = manager;
  w.dry_run = Param(req, "dryRun") == "All";
  w.is_apply = true;
  w.field_validation = Param(req, "fieldValidation");
  if (w.field_validation.empty())
    w.field_validation = "Strict";
  bool created = false;
  Entry entry = UpdateObject(
      w,
      [&](const json& current) {
        ApplyInput in;
        in.type = t.type;
        in.live = current.is_null() ? nullptr : &current;
        in.applied = applied;
        in.manager = manager;
        in.force = force == "true";
        in.subresource = t.subresource;
        in.now = NowRfc3339();
        in.name = t.name;
        in.ns = t.ns;
        return hooks_->apply(in);
      },
      &created);
  for (const std::string& warning : w.warnings) {
    res.set_header("Warning", "299 - " + json(warning).dump());
  }
  WriteJson(res, created ? 201 : 200, Serialize(*t.type, entry));
}

}  // namespace starform::devcluster
