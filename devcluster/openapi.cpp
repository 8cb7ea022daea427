#include "devcluster/openapi.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include "devcluster/openapi_internal.h"
#include "devcluster/resources.h"

namespace starform::devcluster {
namespace {

using nlohmann::json;
using openapi::DefinitionName;

constexpr const char* kServerVersion = "v1.33.0";

// --- Query parameters, with apimachinery's descriptions (abridged where long) ---

struct Param {
  const char* name;
  const char* type;  // string, integer, boolean
  const char* description;
};

constexpr Param kPretty = {
    "pretty", "string",
    "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent "
    "indicates a browser or command-line HTTP tool (curl and wget)."};
constexpr Param kDryRun = {
    "dryRun", "string",
    "When present, indicates that modifications should not be persisted. An invalid or "
    "unrecognized dryRun directive will result in an error response and no further processing "
    "of the request. Valid values are: - All: all dry run stages will be processed"};
constexpr Param kFieldManager = {
    "fieldManager", "string",
    "fieldManager is a name associated with the actor or entity that is making these changes. "
    "The value must be less than or 128 characters long, and only contain printable "
    "characters, as defined by https://golang.org/pkg/unicode/#IsPrint."};
constexpr Param kPatchFieldManager = {
    "fieldManager", "string",
    "fieldManager is a name associated with the actor or entity that is making these changes. "
    "The value must be less than or 128 characters long, and only contain printable "
    "characters, as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required "
    "for apply requests (application/apply-patch) but optional for non-apply patch types "
    "(JsonPatch, MergePatch, StrategicMergePatch)."};
// kubectl looks for this one by name on the PATCH operation to decide that the server
// validates fields (server-side field validation, GA since 1.27).
constexpr Param kFieldValidation = {
    "fieldValidation", "string",
    "fieldValidation instructs the server on how to handle objects in the request "
    "(POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This "
    "will ignore any unknown fields that are silently dropped from the object, and will ignore "
    "all but the last duplicate field that the decoder encounters. This is the default "
    "behavior prior to v1.23. - Warn: This will send a warning via the standard warning "
    "response header for each unknown field that is dropped from the object, and for each "
    "duplicate field that is encountered. The request will still succeed if there are no other "
    "errors, and will only persist the last of any duplicate fields. This is the default in "
    "v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields "
    "would be dropped from the object, or if any duplicate fields are present. The error "
    "returned from the server will contain all unknown and duplicate fields encountered."};
constexpr Param kForce = {
    "force", "boolean",
    "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting "
    "fields owned by other people. Force flag must be unset for non-apply patch requests."};
constexpr Param kListParams[] = {
    {"allowWatchBookmarks", "boolean",
     "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."},
    {"continue", "string",
     "The continue option should be set when retrieving more results from the server."},
    {"fieldSelector", "string",
     "A selector to restrict the list of returned objects by their fields. Defaults to "
     "everything."},
    {"labelSelector", "string",
     "A selector to restrict the list of returned objects by their labels. Defaults to "
     "everything."},
    {"limit", "integer", "limit is a maximum number of responses to return for a list call."},
    {"resourceVersion", "string",
     "resourceVersion sets a constraint on what resource versions a request may be served "
     "from."},
    {"resourceVersionMatch", "string",
     "resourceVersionMatch determines how resourceVersion is applied to list calls."},
    {"sendInitialEvents", "boolean",
     "`sendInitialEvents=true` may be set together with `watch=true`."},
    {"timeoutSeconds", "integer", "Timeout for the list/watch call."},
    {"watch", "boolean",
     "Watch for changes to the described resources and return them as a stream of add, "
     "update, and remove notifications."},
};
constexpr Param kDeleteParams[] = {
    kDryRun,
    {"gracePeriodSeconds", "integer",
     "The duration in seconds before the object should be deleted."},
    {"ignoreStoreReadErrorWithClusterBreakingPotential", "boolean",
     "if set to true, it will trigger an unsafe deletion of the resource in case the normal "
     "deletion flow fails with a corrupt object error."},
    {"orphanDependents", "boolean",
     "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7."},
    {"propagationPolicy", "string", "Whether and how garbage collection will be performed."},
};

// --- Operations ---

struct Operation {
  std::string path;    // "/apis/g/v/namespaces/{namespace}/httproutes/{name}"
  std::string method;  // get, post, put, patch, delete
  std::string action;  // x-kubernetes-action
  std::string id;
  std::string tag;
  std::string description;
  std::vector<Param> query;
  std::string body;  // request body definition, "" for none
  bool body_required = true;
  std::string response;    // definition of the 200 response
  std::vector<int> more;   // other success codes (201 Created, 202 Accepted)
  bool strategic = false;  // built-ins also take strategic merge patches
  std::string group, version, kind;
};

// kube-openapi's ToValidOperationID: letters kept, each run of other characters capitalises
// the next letter ("gateway.networking" -> "GatewayNetworking").
std::string OperationIdPart(std::string_view s) {
  std::string out;
  bool capitalize = true;
  for (char c : s) {
    if (std::isalpha(static_cast<unsigned char>(c)) ||
        (!out.empty() && std::isdigit(static_cast<unsigned char>(c)))) {
      out += capitalize ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      capitalize = false;
    } else {
      capitalize = true;
    }
  }
  return out;
}

std::string Lower(std::string s) {
  if (!s.empty())
    s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::string Article(std::string_view kind) {
  return std::string_view("AEIOU").find(kind.front()) != std::string_view::npos ? " an " : " a ";
}

bool Serves(const ResourceType& t, std::string_view verb) {
  return std::find(t.verbs.begin(), t.verbs.end(), verb) != t.verbs.end();
}

std::string ListKind(const ResourceType& t) {
  return t.crd ? t.crd->names.list_kind : t.kind + "List";
}

// The operations the API server documents for |t| (apiextensions' openapi builder for custom
// resources; the built-ins' installer produces the same shape), in its order.
std::vector<Operation> OperationsOf(const ResourceType& t) {
  std::string group_part = t.group.empty() ? "core" : t.group;
  if (group_part.ends_with(".k8s.io"))
    group_part.resize(group_part.size() - 7);
  std::string gv_part = OperationIdPart(group_part) + OperationIdPart(t.version);
  std::string tag = Lower(OperationIdPart(group_part)) + "_" + t.version;
  std::string base = t.group.empty() ? "/api/" + t.version : "/apis/" + t.group + "/" + t.version;
  std::string object = DefinitionName(t.group, t.version, t.kind);
  std::string list = DefinitionName(t.group, t.version, ListKind(t));
  const std::string kStatus = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
  const std::string kPatch = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
  const std::string kDeleteOptions = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
  bool builtin = !t.custom;
  std::string scope = t.namespaced ? "Namespaced" : "";

  std::vector<Operation> ops;
  auto add = [&](std::string path, std::string method, std::string action, std::string verb,
                 std::string rest_of_id, std::string description) -> Operation& {
    Operation op;
    op.path = std::move(path);
    op.method = std::move(method);
    op.action = std::move(action);
    op.id = verb + gv_part + rest_of_id;
    op.tag = tag;
    op.description = std::move(description);
    op.group = t.group;
    op.version = t.version;
    op.kind = t.kind;
    ops.push_back(std::move(op));
    return ops.back();
  };
  auto list_params = [](Operation& op) {
    op.query.insert(op.query.end(), std::begin(kListParams), std::end(kListParams));
  };
  auto write_params = [&](Operation& op, bool patch) {
    op.query.push_back(kDryRun);
    op.query.push_back(patch ? kPatchFieldManager : kFieldManager);
    op.query.push_back(kFieldValidation);
    // PatchOptions' force: the built-ins document it; apiextensions documents UpdateOptions
    // for a custom resource's PATCH, so its operation has no force parameter.
    if (patch && builtin)
      op.query.push_back(kForce);
  };

  std::string root = base + "/" + t.resource;
  if (t.namespaced) {
    if (Serves(t, "list")) {
      Operation& op = add(root, "get", "list", "list", t.kind + "ForAllNamespaces",
                          "list or watch objects of kind " + t.kind);
      list_params(op);
      op.response = list;
    }
    root = base + "/namespaces/{namespace}/" + t.resource;
  }
  if (Serves(t, "list")) {
    Operation& op =
        add(root, "get", "list", "list", scope + t.kind, "list or watch objects of kind " + t.kind);
    list_params(op);
    op.response = list;
  }
  if (Serves(t, "create")) {
    Operation& op =
        add(root, "post", "post", "create", scope + t.kind, "create" + Article(t.kind) + t.kind);
    write_params(op, false);
    op.body = object;
    op.response = object;
    op.more = {201, 202};
  }
  if (Serves(t, "deletecollection")) {
    Operation& op = add(root, "delete", "deletecollection", "delete", "Collection" + scope + t.kind,
                        "delete collection of " + t.kind);
    op.query.insert(op.query.end(), std::begin(kDeleteParams), std::end(kDeleteParams));
    list_params(op);
    op.body = kDeleteOptions;
    op.body_required = false;
    op.response = kStatus;
  }
  std::string item = root + "/{name}";
  auto item_ops = [&](const std::string& path, const std::string& subresource) {
    std::string of = subresource.empty() ? "" : " " + subresource + " of";
    std::string suffix = subresource.empty() ? "" : OperationIdPart(subresource);
    if (Serves(t, "get")) {
      Operation& op = add(path, "get", "get", "read", scope + t.kind + suffix,
                          "read" + of + " the specified " + t.kind);
      op.response = object;
    }
    if (Serves(t, "update")) {
      Operation& op = add(path, "put", "put", "replace", scope + t.kind + suffix,
                          "replace" + of + " the specified " + t.kind);
      write_params(op, false);
      op.body = object;
      op.response = object;
      op.more = {201};
    }
    if (subresource.empty() && Serves(t, "delete")) {
      Operation& op = add(path, "delete", "delete", "delete", scope + t.kind,
                          "delete" + Article(t.kind) + t.kind);
      op.query.insert(op.query.end(), std::begin(kDeleteParams), std::end(kDeleteParams));
      op.body = kDeleteOptions;
      op.body_required = false;
      op.response = kStatus;
      op.more = {202};
    }
    if (Serves(t, "patch")) {
      Operation& op = add(path, "patch", "patch", "patch", scope + t.kind + suffix,
                          "partially update" + of + " the specified " + t.kind);
      write_params(op, true);
      op.body = kPatch;
      op.response = object;
      op.more = {201};
      op.strategic = builtin;
    }
  };
  item_ops(item, "");
  if (t.has_status)
    item_ops(item + "/status", "status");
  return ops;
}

std::vector<std::string> PatchTypes(bool strategic) {
  std::vector<std::string> types = {"application/apply-patch+yaml", "application/json-patch+json",
                                    "application/merge-patch+json"};
  if (strategic)
    types.push_back("application/strategic-merge-patch+json");
  return types;
}

json Gvk(const Operation& op) {
  return {{"group", op.group}, {"kind", op.kind}, {"version", op.version}};
}

std::string Reason(int code) {
  return code == 201 ? "Created" : code == 202 ? "Accepted" : "OK";
}

// --- v3 ---

json V3Param(const Param& p, const char* in, bool required) {
  json param = {{"name", p.name},
                {"in", in},
                {"description", p.description},
                {"schema", {{"type", p.type}, {"uniqueItems", true}}}};
  if (required)
    param["required"] = true;
  return param;
}

json V3Content(const std::vector<std::string>& types, const std::string& definition) {
  json content = json::object();
  json schema = {{"$ref", "#/components/schemas/" + definition}};
  for (const std::string& type : types)
    content[type] = {{"schema", schema}};
  return content;
}

json V3Operation(const Operation& op) {
  json parameters = json::array();
  for (const Param& p : op.query)
    parameters.push_back(V3Param(p, "query", false));
  json responses = {
      {"200",
       {{"description", "OK"},
        {"content", V3Content({"application/json", "application/yaml"}, op.response)}}},
      {"401", {{"description", "Unauthorized"}}}};
  for (int code : op.more) {
    responses[std::to_string(code)] = {
        {"description", Reason(code)},
        {"content", V3Content({"application/json", "application/yaml"}, op.response)}};
  }
  json out = {{"tags", {op.tag}},
              {"description", op.description},
              {"operationId", op.id},
              {"parameters", parameters},
              {"responses", responses},
              {"x-kubernetes-action", op.action},
              {"x-kubernetes-group-version-kind", Gvk(op)}};
  if (!op.body.empty()) {
    std::vector<std::string> types =
        op.method == "patch" ? PatchTypes(op.strategic)
                             : std::vector<std::string>{"application/json", "application/yaml"};
    out["requestBody"] = {{"content", V3Content(types, op.body)}};
    if (op.body_required)
      out["requestBody"]["required"] = true;
  }
  return out;
}

// Path parameters, on the path item as the real documents put them.
json PathParameters(const std::string& path, const std::string& kind, bool v2) {
  json parameters = json::array();
  auto param = [&](const char* name, std::string description) {
    if (v2) {
      return json{{"name", name},     {"in", "path"},     {"description", description},
                  {"required", true}, {"type", "string"}, {"uniqueItems", true}};
    }
    return json{{"name", name},
                {"in", "path"},
                {"description", description},
                {"required", true},
                {"schema", {{"type", "string"}, {"uniqueItems", true}}}};
  };
  if (path.find("{name}") != std::string::npos)
    parameters.push_back(param("name", "name of the " + kind));
  if (path.find("{namespace}") != std::string::npos) {
    parameters.push_back(
        param("namespace", "object name and auth scope, such as for teams and projects"));
  }
  return parameters;
}

// --- v2 ---

json V2Param(const Param& p) {
  return {{"name", p.name},
          {"in", "query"},
          {"description", p.description},
          {"type", p.type},
          {"uniqueItems", true}};
}

json V2Operation(const Operation& op) {
  json parameters = json::array();
  if (!op.body.empty()) {
    json body = {
        {"name", "body"}, {"in", "body"}, {"schema", {{"$ref", "#/definitions/" + op.body}}}};
    if (op.body_required)
      body["required"] = true;
    parameters.push_back(body);
  }
  for (const Param& p : op.query)
    parameters.push_back(V2Param(p));
  json responses = {
      {"200", {{"description", "OK"}, {"schema", {{"$ref", "#/definitions/" + op.response}}}}},
      {"401", {{"description", "Unauthorized"}}}};
  for (int code : op.more) {
    responses[std::to_string(code)] = {{"description", Reason(code)},
                                       {"schema", {{"$ref", "#/definitions/" + op.response}}}};
  }
  return {{"description", op.description},
          {"consumes",
           op.method == "patch" ? PatchTypes(op.strategic) : std::vector<std::string>{"*/*"}},
          {"produces", {"application/json", "application/yaml"}},
          {"schemes", {"https"}},
          {"tags", {op.tag}},
          {"operationId", op.id},
          {"parameters", parameters},
          {"responses", responses},
          {"x-kubernetes-action", op.action},
          {"x-kubernetes-group-version-kind", Gvk(op)}};
}

// --- Assembly ---

std::string Sha512Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha512(), nullptr);
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

OpenApiDocument Document(const json& doc) {
  OpenApiDocument out;
  out.json = doc.dump();
  out.hash = Sha512Hex(out.json);
  return out;
}

json Info() {
  return {{"title", "Kubernetes"}, {"version", kServerVersion}};
}

// The definitions of |t|'s kind and list: from the CRD, or the built-ins'.
void AddKindDefinitions(const ResourceType& t, bool v2, json* definitions) {
  std::string object = DefinitionName(t.group, t.version, t.kind);
  std::string list = DefinitionName(t.group, t.version, ListKind(t));
  if (t.custom) {
    json schema;
    if (t.crd) {
      if (const kube::CrdVersion* version = t.crd->Version(t.version)) {
        schema = version->openapi_schema;
      }
    }
    (*definitions)[object] =
        openapi::CustomResourceDefinition(schema, t.group, t.version, t.kind, v2);
    (*definitions)[list] =
        openapi::CustomResourceListDefinition(t.group, t.version, t.kind, ListKind(t), t.resource);
    return;
  }
  const json& builtins = openapi::BuiltinDefinitions();
  for (const std::string& name : {object, list}) {
    if (auto it = builtins.find(name); it != builtins.end())
      (*definitions)[name] = *it;
  }
}

// What a document's definitions refer to, from the meta types and built-ins.
void AddDependencies(json* definitions) {
  json available = openapi::MetaDefinitions();
  available.update(openapi::BuiltinDefinitions());
  json found = json::object();
  for (const auto& [name, definition] : definitions->items()) {
    openapi::AddReferenced(definition, available, &found);
  }
  // The operations' bodies and responses.
  for (const char* name :
       {"io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
        "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"}) {
    found[name] = available[name];
    openapi::AddReferenced(available[name], available, &found);
  }
  for (auto& [name, definition] : found.items()) {
    if (!definitions->contains(name))
      (*definitions)[name] = definition;
  }
}

json SecurityScheme() {
  return {{"BearerToken",
           {{"type", "apiKey"},
            {"description", "Bearer Token authentication"},
            {"name", "authorization"},
            {"in", "header"}}}};
}

std::string GroupVersionPath(const ResourceType& t) {
  return t.group.empty() ? "api/" + t.version : "apis/" + t.group + "/" + t.version;
}

}  // namespace

OpenApi::OpenApi(const ResourceRegistry& registry) {
  // v3: one document per group-version.
  std::map<std::string, std::vector<const ResourceType*>> by_group_version;
  for (const ResourceType& t : registry.all())
    by_group_version[GroupVersionPath(t)].push_back(&t);
  json discovery = {{"paths", json::object()}};
  for (const auto& [gv_path, types] : by_group_version) {
    json paths = json::object();
    json definitions = json::object();
    for (const ResourceType* t : types) {
      for (const Operation& op : OperationsOf(*t)) {
        json& item = paths[op.path];
        item[op.method] = V3Operation(op);
        // Parameters every operation of a path shares sit on the path item, as kube-openapi
        // hoists them.
        item["parameters"] = PathParameters(op.path, t->kind, false);
        item["parameters"].push_back(V3Param(kPretty, "query", false));
      }
      AddKindDefinitions(*t, false, &definitions);
    }
    AddDependencies(&definitions);
    json doc = {{"openapi", "3.0.0"},
                {"info", Info()},
                {"paths", paths},
                {"components",
                 {{"schemas", openapi::ToV3(definitions)}, {"securitySchemes", SecurityScheme()}}},
                {"security", {{{"BearerToken", json::array()}}}}};
    OpenApiDocument document = Document(doc);
    discovery["paths"][gv_path] = {
        {"serverRelativeURL", "/openapi/v3/" + gv_path + "?hash=" + document.hash}};
    v3_.emplace(gv_path, std::move(document));
  }
  v3_discovery_ = discovery.dump();

  // v2: one document for everything.
  json paths = json::object();
  json definitions = json::object();
  for (const ResourceType& t : registry.all()) {
    for (const Operation& op : OperationsOf(t)) {
      json& item = paths[op.path];
      item[op.method] = V2Operation(op);
      item["parameters"] = PathParameters(op.path, t.kind, true);
      item["parameters"].push_back(V2Param(kPretty));
    }
    AddKindDefinitions(t, true, &definitions);
  }
  AddDependencies(&definitions);
  v2_ = Document({{"swagger", "2.0"},
                  {"info", Info()},
                  {"paths", paths},
                  {"definitions", definitions},
                  {"securityDefinitions", SecurityScheme()},
                  {"security", {{{"BearerToken", json::array()}}}}});
}

const OpenApiDocument* OpenApi::V3GroupVersion(std::string_view path) const {
  if (path.starts_with("/openapi/v3/"))
    path.remove_prefix(12);
  auto it = v3_.find(path);
  return it == v3_.end() ? nullptr : &it->second;
}

}  // namespace starform::devcluster
