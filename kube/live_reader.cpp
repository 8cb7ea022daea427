#include "kube/live_reader.h"

#include <set>

#include "plan/render.h"

namespace starform::kube {

namespace {

const ResourceRef kNamespaces{"", "v1", "namespaces", false};
const ResourceRef kServices{"", "v1", "services", true};
const ResourceRef kSecrets{"", "v1", "secrets", true};
const ResourceRef kConfigMaps{"", "v1", "configmaps", true};
const ResourceRef kGatewayClasses{"gateway.networking.k8s.io", "v1", "gatewayclasses", false};

const char* kInstallHint =
    "install the Gateway API CRDs (v1.4 or later, standard channel) and Envoy Gateway (v1.7 or "
    "later), e.g. `helm install eg oci://docker.io/envoyproxy/gateway-helm --version v1.7.0 -n "
    "envoy-gateway-system --create-namespace`, which brings both";

std::string StringAt(const nlohmann::json& object, std::initializer_list<const char*> path) {
  const nlohmann::json* node = &object;
  for (const char* step : path) {
    if (!node->is_object())
      return "";
    auto it = node->find(step);
    if (it == node->end())
      return "";
    node = &*it;
  }
  return node->is_string() ? node->get<std::string>() : "";
}

// Collects the first error of many concurrent reads.
class Reads {
 public:
  void Fail(const std::string& what, const ApiError& error) {
    if (error_.empty())
      error_ = "reading " + what + ": " + error.Describe();
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

}  // namespace

bool Preflight(Client& client, RenderedApis* apis, std::string* error) {
  Result<Discovery> discovery = client.Discover();
  if (!discovery) {
    *error = "discovering the cluster's APIs: " + discovery.error().Describe();
    return false;
  }
  std::vector<std::string> missing;
  for (const RenderedKind& kind : RenderedKinds()) {
    std::optional<ResourceRef> ref = discovery.value().Find(kind.api_version, kind.kind);
    if (!ref) {
      std::string group_version = kind.api_version;
      size_t slash = group_version.find('/');
      missing.push_back(std::string(kind.resource) + "." + group_version.substr(0, slash) + "/" +
                        group_version.substr(slash + 1) + " (" + kind.kind + ")");
      continue;
    }
    (*apis)[kind.kind] = *ref;
  }
  if (missing.empty())
    return true;
  *error = "the cluster does not serve ";
  for (size_t i = 0; i < missing.size(); ++i)
    *error += (i > 0 ? ", " : "") + missing[i];
  *error += std::string(": ") + kInstallHint;
  return false;
}

LiveReader::LiveReader(Client& client, const RenderedApis& apis) : client_(client), apis_(apis) {}

void LiveReader::Fail(const std::string& what, const ApiError& error) {
  if (error_.empty())
    error_ = "reading " + what + ": " + error.Describe();
}

const LiveSorter& LiveReader::SorterFor(const ReadScope& scope) {
  if (!sorter_)
    sorter_.emplace(scope);
  return *sorter_;
}

void LiveReader::ReadUnscoped(const std::function<const ReadScope*()>& scope_if_ready) {
  ListRendered(scope_if_ready);
  ListNamespacesAndServices(scope_if_ready);
  client_.GetAsync(kConfigMaps, kApplySetParentNamespace, kApplySetParentName,
                   [this](Result<nlohmann::json> got) {
                     if (got) {
                       read_.state.facts.served_cluster = StringAt(
                           got.value(), {"metadata", "annotations", "starform.dev/cluster"});
                       read_.applyset_parent = std::move(got.value());
                     } else if (got.error().reason != Reason::kNotFound) {
                       Fail("the ApplySet parent", got.error());
                     }
                   });
  client_.Run();
}

void LiveReader::ListRendered(const std::function<const ReadScope*()>& scope_if_ready) {
  for (const RenderedKind& kind : RenderedKinds()) {
    const ResourceRef& ref = apis_.at(kind.kind);
    std::string api_version = kind.api_version;
    std::string kind_name = kind.kind;
    ListOptions rendered;
    rendered.drop_item_fields = {"status"};
    client_.ListAsync(
        ref, "", rendered,
        [this, &scope_if_ready, api_version, kind_name](nlohmann::json page) {
          const ReadScope* scope = scope_if_ready();
          for (nlohmann::json& item : page["items"]) {
            if (scope != nullptr)
              SorterFor(*scope).Add(api_version, kind_name, std::move(item), &read_.state);
            else
              held_.push_back({api_version, kind_name, std::move(item)});
          }
        },
        // A restarted list sees every object again: forget what the first pass kept.
        [this, kind_name] {
          std::erase_if(read_.state.objects,
                        [&](const auto& entry) { return entry.first.kind == kind_name; });
          std::erase_if(held_, [&](const Held& held) { return held.kind == kind_name; });
          if (kind_name == "HTTPRoute")
            read_.state.foreign_routes.clear();
        },
        [this, kind_name](Result<bool> done) {
          if (!done)
            Fail("the " + kind_name + " objects", done.error());
        });
  }
}

void LiveReader::ListNamespacesAndServices(
    const std::function<const ReadScope*()>& scope_if_ready) {
  ClusterFacts& facts = read_.state.facts;
  // Of namespaces and Services only names, labels and ports are read: the rest is not built.
  ListOptions metadata_only;
  metadata_only.drop_item_fields = {"status", "metadata.managedFields", "metadata.annotations"};
  client_.ListAsync(
      kNamespaces, "", metadata_only,
      [this, &facts](nlohmann::json page) {
        for (const nlohmann::json& item : page["items"]) {
          std::string name = StringAt(item, {"metadata", "name"});
          const nlohmann::json& metadata = item["metadata"];
          facts.namespaces[name] = metadata.is_object() && metadata.contains("labels")
                                       ? metadata["labels"]
                                       : nlohmann::json::object();
          if (name == "kube-system")
            read_.cluster_identity = StringAt(item, {"metadata", "uid"});
        }
      },
      [&facts] { facts.namespaces.clear(); },
      [this](Result<bool> done) {
        if (!done)
          Fail("namespaces", done.error());
      });

  // Only ports are kept, and, once the scope is known, only in the namespaces the apps use
  // (Finish drops the others).
  client_.ListAsync(
      kServices, "", metadata_only,
      [&facts, &scope_if_ready](nlohmann::json page) {
        const ReadScope* scope = scope_if_ready();
        for (const nlohmann::json& item : page["items"]) {
          std::string ns = StringAt(item, {"metadata", "namespace"});
          if (scope != nullptr && !scope->app_namespaces.count(ns))
            continue;
          std::set<int64_t>& ports =
              facts.services[ns + "/" + StringAt(item, {"metadata", "name"})];
          const nlohmann::json& spec = item.contains("spec") ? item["spec"] : nlohmann::json();
          if (spec.is_object() && spec.contains("ports") && spec["ports"].is_array())
            for (const nlohmann::json& port : spec["ports"])
              if (port.contains("port") && port["port"].is_number_integer())
                ports.insert(port["port"].get<int64_t>());
        }
      },
      [&facts] { facts.services.clear(); },
      [this, &facts](Result<bool> done) {
        if (!done)
          Fail("services", done.error());
        else
          facts.services_known = true;
      });
}

// The GatewayClass, then the EnvoyProxy it names (for the load-balancer warning).
void LiveReader::ReadGatewayClass(const std::string& name) {
  ClusterFacts& facts = read_.state.facts;
  client_.GetAsync(kGatewayClasses, "", name, [this, &facts](Result<nlohmann::json> got) {
    if (!got) {
      if (got.error().reason != Reason::kNotFound)
        Fail("the GatewayClass", got.error());
      return;
    }
    facts.gateway_class = got.value();
    const nlohmann::json& spec = got.value()["spec"];
    if (!spec.is_object() || !spec.contains("parametersRef"))
      return;
    const nlohmann::json& ref = spec["parametersRef"];
    if (StringAt(ref, {"kind"}) != "EnvoyProxy")
      return;
    std::string ns = StringAt(ref, {"namespace"});
    client_.GetAsync(apis_.at("EnvoyProxy"), ns.empty() ? "default" : ns, StringAt(ref, {"name"}),
                     [this, &facts](Result<nlohmann::json> proxy) {
                       if (proxy) {
                         facts.class_envoy_proxy_spec = proxy.value()["spec"];
                       } else if (proxy.error().reason != Reason::kNotFound) {
                         Fail("the GatewayClass's EnvoyProxy", proxy.error());
                       }
                     });
  });
}

void LiveReader::ReadSecrets(const ReadScope& scope) {
  const std::string& gateway_ns = scope.gateway_ns;
  for (const std::string& name : scope.secret_names) {
    // A Secret's data never leaves this callback: only its existence is kept.
    client_.GetAsync(kSecrets, gateway_ns, name,
                     [this, gateway_ns, name](Result<nlohmann::json> got) {
                       if (got) {
                         read_.state.facts.secrets.insert(gateway_ns + "/" + name);
                       } else if (got.error().reason != Reason::kNotFound) {
                         Fail("Secret " + gateway_ns + "/" + name, got.error());
                       }
                     });
  }
}

bool LiveReader::Finish(const ReadScope& scope, LiveRead* out, std::string* error) {
  if (error_.empty()) {
    const LiveSorter& sorter = SorterFor(scope);
    for (Held& held : held_)
      sorter.Add(held.api_version, held.kind, std::move(held.object), &read_.state);
    held_.clear();
    std::erase_if(read_.state.facts.services, [&](const auto& entry) {
      return !scope.app_namespaces.count(entry.first.substr(0, entry.first.find('/')));
    });
    ReadGatewayClass(scope.gateway_class);
    ReadSecrets(scope);
    client_.Run();
  }
  if (!error_.empty()) {
    *error = error_;
    return false;
  }
  *out = std::move(read_);
  return true;
}

bool ReadLive(Client& client, const RenderedApis& apis, const ReadScope& scope, LiveRead* out,
              std::string* error) {
  LiveReader reader(client, apis);
  reader.ReadUnscoped([&scope] { return &scope; });
  return reader.Finish(scope, out, error);
}

bool ReadDigests(Client& client, const RenderedApis& apis, const std::vector<ObjectKey>& keys,
                 std::map<ObjectKey, std::optional<std::string>>* out, std::string* error) {
  Reads reads;
  for (const ObjectKey& key : keys) {
    auto api = apis.find(key.kind);
    if (api == apis.end()) {
      *error = "the cluster does not serve " + key.kind;
      return false;
    }
    client.GetAsync(api->second, key.ns, key.name, [out, key, &reads](Result<nlohmann::json> got) {
      if (got) {
        (*out)[key] = LiveContentDigest(KeepForPlan(got.value()));
      } else if (got.error().reason == Reason::kNotFound) {
        (*out)[key] = std::nullopt;
      } else {
        reads.Fail(key.Address(), got.error());
      }
    });
  }
  client.Run();
  if (!reads.error().empty()) {
    *error = reads.error();
    return false;
  }
  return true;
}

}  // namespace starform::kube
