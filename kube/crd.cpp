#include "kube/crd.h"

#include <fstream>
#include <sstream>

#include "plan/source_tree.h"

namespace starform::kube {

namespace {

using json = nlohmann::json;

std::string String(const json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

std::vector<std::string> Strings(const json& object, const char* key) {
  std::vector<std::string> out;
  auto found = object.find(key);
  if (found == object.end() || !found->is_array())
    return out;
  for (const json& item : *found) {
    if (item.is_string())
      out.push_back(item.get<std::string>());
  }
  return out;
}

bool Bool(const json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_boolean() && found->get<bool>();
}

// A CRD document's content, checked for the fields the engine relies on.
bool ReadCrd(const json& doc, Crd* crd, Diagnostics* diags) {
  const Mark none;
  if (!doc.is_object()) {
    diags->Error(none, "", "a CRD manifest must be a mapping");
    return false;
  }
  if (String(doc, "kind") != "CustomResourceDefinition") {
    diags->Error(none, "kind",
                 "expected CustomResourceDefinition, got \"" + String(doc, "kind") + "\"");
    return false;
  }
  const json empty = json::object();
  const json& metadata = doc.contains("metadata") ? doc["metadata"] : empty;
  const json& spec = doc.contains("spec") ? doc["spec"] : empty;
  const json& names = spec.contains("names") ? spec["names"] : empty;
  crd->name = String(metadata, "name");
  crd->group = String(spec, "group");
  crd->names.kind = String(names, "kind");
  crd->names.list_kind = String(names, "listKind");
  crd->names.plural = String(names, "plural");
  crd->names.singular = String(names, "singular");
  crd->names.short_names = Strings(names, "shortNames");
  crd->names.categories = Strings(names, "categories");
  // The server defaults these two (apiextensions v1 defaults.go).
  if (crd->names.singular.empty()) {
    for (char c : crd->names.kind)
      crd->names.singular += static_cast<char>(std::tolower(c));
  }
  if (crd->names.list_kind.empty())
    crd->names.list_kind = crd->names.kind + "List";
  const std::string scope = String(spec, "scope");
  if (scope == "Cluster") {
    crd->scope = Crd::Scope::kCluster;
  } else if (scope == "Namespaced") {
    crd->scope = Crd::Scope::kNamespaced;
  } else {
    diags->Error(none, "spec.scope", "must be Namespaced or Cluster, got \"" + scope + "\"");
  }
  if (crd->group.empty())
    diags->Error(none, "spec.group", "is required");
  if (crd->names.kind.empty())
    diags->Error(none, "spec.names.kind", "is required");
  if (crd->names.plural.empty())
    diags->Error(none, "spec.names.plural", "is required");

  auto versions = spec.find("versions");
  if (versions == spec.end() || !versions->is_array() || versions->empty()) {
    diags->Error(none, "spec.versions", "at least one version is required");
    return false;
  }
  int storage = 0;
  for (size_t i = 0; i < versions->size(); ++i) {
    const json& v = (*versions)[i];
    const std::string path = "spec.versions[" + std::to_string(i) + "]";
    CrdVersion version;
    version.name = String(v, "name");
    version.served = Bool(v, "served");
    version.storage = Bool(v, "storage");
    version.deprecated = Bool(v, "deprecated");
    version.deprecation_warning = String(v, "deprecationWarning");
    storage += version.storage;
    if (auto sub = v.find("subresources"); sub != v.end() && sub->is_object()) {
      version.status_subresource = sub->contains("status");
      if (auto scale = sub->find("scale"); scale != sub->end())
        version.scale_subresource = *scale;
    }
    version.additional_printer_columns = v.value("additionalPrinterColumns", json::array());
    if (auto schema = v.find("schema"); schema != v.end() && schema->contains("openAPIV3Schema")) {
      version.openapi_schema = (*schema)["openAPIV3Schema"];
      std::string why;
      version.schema = Schema::Compile(version.openapi_schema, &why);
      if (!version.schema) {
        diags->Error(none, path + ".schema.openAPIV3Schema", "cannot be used: " + why);
      }
    }
    crd->versions.push_back(std::move(version));
  }
  if (storage != 1) {
    diags->Error(
        none, "spec.versions",
        "exactly one version must be the storage version, found " + std::to_string(storage));
  }
  return !diags->has_errors();
}

}  // namespace

const CrdVersion* Crd::Version(std::string_view name) const {
  for (const CrdVersion& version : versions) {
    if (version.name == name)
      return &version;
  }
  return nullptr;
}

const CrdVersion* Crd::StorageVersion() const {
  for (const CrdVersion& version : versions) {
    if (version.storage)
      return &version;
  }
  return nullptr;
}

bool ParseCrd(std::string_view text, Crd* crd, Diagnostics* diags) {
  SourceNode root;
  if (!ParseDocument(text, &root, diags))
    return false;
  json doc;
  try {
    doc = ToJson(root);
  } catch (const json::exception& e) {
    diags->Error(root.mark, "", std::string("cannot convert to JSON: ") + e.what());
    return false;
  }
  return ReadCrd(doc, crd, diags);
}

bool LoadCrdFile(const std::string& path, Crd* crd, Diagnostics* diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags->Error(Mark{}, "", "cannot read " + path);
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseCrd(text.str(), crd, diags);
}

bool CrdSet::Add(Crd crd, std::string* error) {
  for (const auto& known : crds_) {
    if (known->group == crd.group &&
        (known->names.plural == crd.names.plural || known->names.kind == crd.names.kind)) {
      if (error)
        *error = "a CRD for " + crd.names.plural + "." + crd.group + " is already loaded";
      return false;
    }
  }
  crds_.push_back(std::make_shared<const Crd>(std::move(crd)));
  return true;
}

const Crd* CrdSet::FindKind(std::string_view group, std::string_view kind) const {
  for (const auto& crd : crds_) {
    if (crd->group == group && crd->names.kind == kind)
      return crd.get();
  }
  return nullptr;
}

const Crd* CrdSet::FindResource(std::string_view group, std::string_view resource) const {
  for (const auto& crd : crds_) {
    if (crd->group == group && crd->names.plural == resource)
      return crd.get();
  }
  for (const auto& crd : crds_) {
    if (crd->group != group)
      continue;
    if (crd->names.singular == resource)
      return crd.get();
    for (const std::string& name : crd->names.short_names) {
      if (name == resource)
        return crd.get();
    }
  }
  return nullptr;
}

const CrdVersion* CrdSet::FindVersion(std::string_view group, std::string_view version,
                                      std::string_view kind) const {
  const Crd* crd = FindKind(group, kind);
  if (!crd)
    return nullptr;
  const CrdVersion* found = crd->Version(version);
  return found && found->served ? found : nullptr;
}

const CrdVersion* CrdSet::FindForObject(std::string_view api_version, std::string_view kind) const {
  const size_t slash = api_version.find('/');
  if (slash == std::string_view::npos)
    return nullptr;  // core group: not a CRD
  return FindVersion(api_version.substr(0, slash), api_version.substr(slash + 1), kind);
}

}  // namespace starform::kube
