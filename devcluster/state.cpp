// The cluster's state from outside HTTP: seeding, reading, persisting, and the kubeconfig.

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "devcluster/builtin_defaults.h"
#include "devcluster/crd_objects.h"
#include "devcluster/rest.h"
#include "devcluster/server.h"
#include "plan/source_tree.h"

namespace starform::devcluster {

using nlohmann::json;

namespace {

std::string Base64(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Splits a multi-document YAML stream on its "---" lines.
std::vector<std::string> Documents(const std::string& text) {
  std::vector<std::string> docs(1);
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("---", 0) == 0 && line.find_first_not_of("- \t\r") == std::string::npos) {
      docs.emplace_back();
      continue;
    }
    docs.back() += line + "\n";
  }
  return docs;
}

}  // namespace

void DevCluster::WriteKubeconfig() {
  namespace fs = std::filesystem;
  fs::path path(options_.kubeconfig_out);
  if (path.has_parent_path())
    fs::create_directories(path.parent_path());
  std::ostringstream out;
  out << "apiVersion: v1\nkind: Config\nclusters:\n- name: starform-dev\n  cluster:\n"
      << "    certificate-authority-data: " << Base64(pki_.ca.cert_pem) << "\n"
      << "    server: " << server_url() << "\n"
      << "users:\n- name: starform-admin\n  user:\n    token: " << token() << "\n"
      << "contexts:\n- name: starform-dev\n  context:\n    cluster: starform-dev\n"
      << "    user: starform-admin\ncurrent-context: starform-dev\n";
  // Write then rename, so a reader never sees half a file.
  std::string tmp = path.string() + ".tmp";
  {
    std::ofstream file(tmp);
    file << out.str();
  }
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write);
  fs::rename(tmp, path);
  std::ofstream ca(path.parent_path() / "ca.crt");
  ca << pki_.ca.cert_pem;
}

void DevCluster::LoadState() {
  std::string file = options_.state_dir.empty() ? "" : options_.state_dir + "/state.json";
  if (!file.empty() && std::filesystem::exists(file)) {
    store_.Load(json::parse(ReadFile(file)));
  } else {
    std::vector<json> defaults;
    for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
      defaults.push_back(
          {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
    }
    Seed(defaults);
  }
  // The CRDs of --crds, whatever a saved state had.
  StoreCrdObjects(registry_, &store_);
}

void DevCluster::SaveState() {
  if (options_.state_dir.empty())
    return;
  std::filesystem::create_directories(options_.state_dir);
  std::string file = options_.state_dir + "/state.json";
  {
    std::ofstream out(file + ".tmp");
    out << store_.Dump().dump();
  }
  std::filesystem::rename(file + ".tmp", file);
}

void DevCluster::Seed(const std::vector<json>& objects) {
  for (json object : objects) {
    std::string api_version = object.value("apiVersion", "");
    std::string kind = object.value("kind", "");
    const ResourceType* type = registry_.FindKind(api_version, kind);
    if (type == nullptr) {
      throw std::runtime_error("seed: no resource serves " + api_version + " " + kind);
    }
    json& meta = object["metadata"];
    std::string name = meta.value("name", "");
    std::string ns = type->namespaced ? meta.value("namespace", "default") : "";
    if (type->namespaced)
      meta["namespace"] = ns;
    ApplyBuiltinDefaults(*type, &object);
    if (type->schema)
      kube::ApplyDefaults(&object, *type->schema);
    store_.Write(type->StoreKey(), ns, name, [&](const Entry& current, uint64_t) {
      json out = object;
      if (current) {
        PrepareBuiltinUpdate(*type, store_, *current.object, &out);
      } else {
        PrepareBuiltinCreate(*type, store_, &out);
      }
      out["metadata"]["uid"] = current ? (*current.object)["metadata"]["uid"] : json(NewUid());
      out["metadata"]["creationTimestamp"] = NowRfc3339();
      if (type->tracks_generation)
        out["metadata"]["generation"] = 1;
      return std::optional<json>(out);
    });
  }
}

void DevCluster::SeedFile(const std::string& path) {
  std::vector<json> objects;
  for (const std::string& doc : Documents(ReadFile(path))) {
    if (doc.find_first_not_of(" \t\r\n") == std::string::npos)
      continue;
    SourceNode node;
    Diagnostics diags(path);
    if (!ParseDocument(doc, &node, &diags))
      throw std::runtime_error(diags.ToString());
    json object = ToJson(node);
    if (object.is_null())
      continue;
    objects.push_back(std::move(object));
  }
  Seed(objects);
}

const ResourceType* DevCluster::FindResource(const std::string& resource) const {
  size_t dot = resource.find('.');
  std::string plural = resource.substr(0, dot);
  std::string group = dot == std::string::npos ? "" : resource.substr(dot + 1);
  for (const ResourceType& t : registry_.all()) {
    if (t.resource == plural && (dot == std::string::npos || t.group == group))
      return &t;
  }
  return nullptr;
}

json DevCluster::Get(const std::string& resource, const std::string& ns,
                     const std::string& name) const {
  const ResourceType* type = FindResource(resource);
  if (type == nullptr)
    return nullptr;
  Entry e = store_.Get(type->StoreKey(), type->namespaced ? ns : "", name);
  return e ? *e.object : json();
}

std::vector<json> DevCluster::List(const std::string& resource, const std::string& ns) const {
  std::vector<json> out;
  const ResourceType* type = FindResource(resource);
  if (type == nullptr)
    return out;
  Store::ListOptions options;
  options.ns = ns;
  for (const Entry& e : store_.List(type->StoreKey(), options).items)
    out.push_back(*e.object);
  return out;
}

}  // namespace starform::devcluster
