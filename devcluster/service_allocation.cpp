// What the registries set on objects they store: a Namespace's finalizers, a Service's cluster
// IPs, IP families and node ports (pkg/registry/core/service/storage/alloc.go, single-stack
// IPv4; pkg/registry/core/namespace/strategy.go).

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "devcluster/builtin_defaults.h"
#include "devcluster/resources.h"
#include "devcluster/status.h"
#include "devcluster/store.h"

namespace starform::devcluster {

using nlohmann::json;

namespace {

constexpr uint32_t kRangeFirst = (10u << 24) | (96u << 16);  // 10.96.0.0/12
constexpr uint32_t kRangeLast = kRangeFirst + (1u << 20) - 1;
constexpr uint32_t kKubernetesServiceIp = kRangeFirst + 1;
constexpr int64_t kNodePortFirst = 30000;
constexpr int64_t kNodePortLast = 32767;

std::optional<uint32_t> ParseIpv4(const std::string& text) {
  uint32_t ip = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t start = i;
    uint32_t part = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3)
      part = part * 10 + static_cast<uint32_t>(text[i++] - '0');
    if (i == start || part > 255)
      return std::nullopt;
    ip = (ip << 8) | part;
    ++parts;
    if (parts < 4 && (i >= text.size() || text[i++] != '.'))
      return std::nullopt;
  }
  if (i != text.size())
    return std::nullopt;
  return ip;
}

std::string FormatIpv4(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
         std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

std::string Str(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

bool NeedsClusterIp(const json& spec) {
  return Str(spec, "type") != "ExternalName";
}

bool NeedsNodePorts(const json& spec) {
  std::string type = Str(spec, "type");
  return type == "NodePort" || type == "LoadBalancer";
}

bool NeedsHealthCheck(const json& spec) {
  return Str(spec, "type") == "LoadBalancer" && Str(spec, "externalTrafficPolicy") == "Local";
}

int64_t NodePortOf(const json& port) {
  auto it = port.find("nodePort");
  return it != port.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

json& Ports(json* spec) {
  json& ports = (*spec)["ports"];
  if (!ports.is_array())
    ports = json::array();
  return ports;
}

// What one Service holds.
struct Holdings {
  std::vector<uint32_t> ips;
  std::vector<int64_t> node_ports;
};

Holdings HoldingsOf(const json& object) {
  Holdings h;
  const json& spec = object.value("spec", json::object());
  if (spec.contains("clusterIPs") && spec["clusterIPs"].is_array()) {
    for (const json& ip : spec["clusterIPs"]) {
      if (auto parsed = ParseIpv4(ip.is_string() ? ip.get<std::string>() : ""))
        h.ips.push_back(*parsed);
    }
  }
  if (spec.contains("ports") && spec["ports"].is_array()) {
    for (const json& port : spec["ports"]) {
      if (int64_t node_port = NodePortOf(port))
        h.node_ports.push_back(node_port);
    }
  }
  if (int64_t health = spec.value("healthCheckNodePort", int64_t{0}))
    h.node_ports.push_back(health);
  return h;
}

// Every Service's addresses and node ports, kept up to date from the store's events: listing
// every Service on each write made creating n Services take O(n^2).
class ServiceIndex : public Store::WriterIndex {
 public:
  void Sync(const Store& store, const std::string& store_key) {
    std::vector<Event> events;
    if (!built_ || !store.EventsSince(store_key, synced_rv_, {}, &events)) {
      Rebuild(store, store_key);
      return;
    }
    for (const Event& e : events) {
      Remove(e.key);
      if (e.type != EventType::kDeleted)
        Add(e.key, *e.entry.object);
    }
    synced_rv_ = std::max(synced_rv_, events.empty() ? synced_rv_ : events.back().rv);
    synced_rv_ = std::max(synced_rv_, store.current_rv());
    AdvanceHint();
  }

  int IpRefs(uint32_t ip) const {
    auto it = ip_refs_.find(ip);
    return it == ip_refs_.end() ? 0 : it->second;
  }
  int PortRefs(int64_t port) const {
    auto it = port_refs_.find(port);
    return it == port_refs_.end() ? 0 : it->second;
  }
  const Holdings* Of(const std::string& key) const {
    auto it = by_key_.find(key);
    return it == by_key_.end() ? nullptr : &it->second;
  }
  uint32_t ip_hint() const { return ip_hint_; }

 private:
  void Rebuild(const Store& store, const std::string& store_key) {
    by_key_.clear();
    ip_refs_.clear();
    port_refs_.clear();
    ip_hint_ = kRangeFirst + 1;
    Store::ListResult all = store.List(store_key, {});
    for (const Entry& e : all.items) {
      const json& meta = (*e.object)["metadata"];
      Add(ObjectKey(meta.value("namespace", ""), meta.value("name", "")), *e.object);
    }
    synced_rv_ = all.rv;
    built_ = true;
    AdvanceHint();
  }
  void Add(const std::string& key, const json& object) {
    Holdings h = HoldingsOf(object);
    for (uint32_t ip : h.ips)
      ++ip_refs_[ip];
    for (int64_t port : h.node_ports)
      ++port_refs_[port];
    by_key_[key] = std::move(h);
  }
  void Remove(const std::string& key) {
    auto it = by_key_.find(key);
    if (it == by_key_.end())
      return;
    for (uint32_t ip : it->second.ips) {
      if (--ip_refs_[ip] == 0)
        ip_refs_.erase(ip);
      ip_hint_ = std::min(ip_hint_, ip);
    }
    for (int64_t port : it->second.node_ports) {
      if (--port_refs_[port] == 0)
        port_refs_.erase(port);
    }
    by_key_.erase(it);
  }
  // The lowest address that may be free: allocation scans from here, not from the start.
  void AdvanceHint() {
    ip_hint_ = std::max(ip_hint_, kRangeFirst + 1);
    while (ip_hint_ < kRangeLast && (ip_hint_ == kKubernetesServiceIp || IpRefs(ip_hint_) > 0))
      ++ip_hint_;
  }

  bool built_ = false;
  uint64_t synced_rv_ = 0;
  std::map<std::string, Holdings> by_key_;
  std::map<uint32_t, int> ip_refs_;
  std::map<int64_t, int> port_refs_;
  uint32_t ip_hint_ = kRangeFirst + 1;
};

// The addresses and node ports the other Services hold: the index, less what the Service
// being written held before, plus what this write has taken so far.
class InUse {
 public:
  InUse(const ServiceIndex& index, const std::string& key) : index_(index), own_(index.Of(key)) {}

  bool HasIp(uint32_t ip) const {
    return ip == kKubernetesServiceIp || taken_ips_.count(ip) != 0 ||
           index_.IpRefs(ip) > OwnCount(own_ ? &own_->ips : nullptr, ip);
  }
  bool HasPort(int64_t port) const {
    return taken_ports_.count(port) != 0 ||
           index_.PortRefs(port) > OwnCount(own_ ? &own_->node_ports : nullptr, port);
  }
  void TakeIp(uint32_t ip) { taken_ips_.insert(ip); }
  /// False when it is held already.
  bool TakePort(int64_t port) {
    if (HasPort(port))
      return false;
    taken_ports_.insert(port);
    return true;
  }
  void MarkPort(int64_t port) { taken_ports_.insert(port); }
  uint32_t ip_hint() const { return index_.ip_hint(); }

 private:
  template <typename T>
  static int OwnCount(const std::vector<T>* held, T value) {
    return held == nullptr ? 0 : static_cast<int>(std::count(held->begin(), held->end(), value));
  }

  const ServiceIndex& index_;
  const Holdings* own_;
  std::set<uint32_t> taken_ips_;
  std::set<int64_t> taken_ports_;
};

const ServiceIndex& SyncedIndex(const Store& store, const std::string& store_key) {
  std::unique_ptr<Store::WriterIndex>& slot = store.writer_index("services");
  if (!slot)
    slot = std::make_unique<ServiceIndex>();
  auto& index = static_cast<ServiceIndex&>(*slot);
  index.Sync(store, store_key);
  return index;
}

StatusError ServiceInvalid(const json& object, const std::string& field,
                           const std::string& message) {
  std::string name = object["metadata"].value("name", "");
  return Invalid("Service", "", name, {{"FieldValueInvalid", field, message}});
}

std::string GoStrings(const json& list) {
  std::string out = "[]string{";
  for (size_t i = 0; i < list.size(); ++i)
    out += (i ? ", " : "") + json(list[i].is_string() ? list[i].get<std::string>() : "").dump();
  return out + "}";
}

void AllocateClusterIp(InUse* used, json* object) {
  json& spec = (*object)["spec"];
  std::string requested = Str(spec, "clusterIP");
  if (requested.empty()) {
    uint32_t ip = used->ip_hint();
    while (ip < kRangeLast && used->HasIp(ip))
      ++ip;
    if (ip >= kRangeLast)
      throw InternalError("failed to allocate a serviceIP: range is full");
    requested = FormatIpv4(ip);
  } else {
    std::optional<uint32_t> ip = ParseIpv4(requested);
    std::string why;
    if (!ip || *ip <= kRangeFirst || *ip >= kRangeLast) {
      why = "provided IP " + requested + " is not in the valid range";
    } else if (used->HasIp(*ip)) {
      why = "provided IP is already allocated";
    }
    if (!why.empty()) {
      throw ServiceInvalid(*object, "spec.clusterIPs",
                           "Invalid value: " + GoStrings(spec["clusterIPs"]) +
                               ": failed to allocate IP " + requested + ": " + why);
    }
  }
  used->TakeIp(*ParseIpv4(requested));
  spec["clusterIP"] = requested;
  spec["clusterIPs"] = json::array({requested});
}

int64_t NextNodePort(InUse* used) {
  for (int64_t port = kNodePortFirst; port <= kNodePortLast; ++port) {
    if (used->TakePort(port))
      return port;
  }
  throw InternalError("failed to allocate a nodePort: range is full");
}

// Reserves a node port the request names; |field| for the error.
void ReserveNodePort(InUse* used, int64_t port, const json& object, const std::string& field) {
  std::string why;
  if (port < kNodePortFirst || port > kNodePortLast) {
    why = "provided port is not in the valid range. The range of valid ports is " +
          std::to_string(kNodePortFirst) + "-" + std::to_string(kNodePortLast);
  } else if (!used->TakePort(port)) {
    why = "provided port is already allocated";
  }
  if (!why.empty())
    throw ServiceInvalid(object, field, "Invalid value: " + std::to_string(port) + ": " + why);
}

// Node ports for every port of a NodePort or LoadBalancer Service that has none; ports with
// the same number share one. |kept|: node ports the Service held before, not to re-check.
void AllocateNodePorts(InUse* used, const std::set<int64_t>& kept, json* object) {
  json& spec = (*object)["spec"];
  bool allocate = !(Str(spec, "type") == "LoadBalancer" &&
                    spec.value("allocateLoadBalancerNodePorts", true) == false);
  json none = json::array();
  json& ports = spec.contains("ports") && spec["ports"].is_array() ? spec["ports"] : none;
  std::set<int64_t> mine;  // reserved for this Service already (ports may share one)
  for (size_t i = 0; i < ports.size(); ++i) {
    int64_t node_port = NodePortOf(ports[i]);
    if (node_port != 0) {
      if (kept.count(node_port) == 0 && mine.count(node_port) == 0)
        ReserveNodePort(used, node_port, *object, "spec.ports[" + std::to_string(i) + "].nodePort");
      used->MarkPort(node_port);
      mine.insert(node_port);
      continue;
    }
    if (!allocate)
      continue;
    for (size_t j = 0; j < i && node_port == 0; ++j) {
      if (ports[j].value("port", json()) == ports[i].value("port", json()))
        node_port = NodePortOf(ports[j]);
    }
    ports[i]["nodePort"] = node_port != 0 ? node_port : NextNodePort(used);
    mine.insert(NodePortOf(ports[i]));
  }
  if (NeedsHealthCheck(spec)) {
    int64_t health = spec.value("healthCheckNodePort", int64_t{0});
    if (health == 0) {
      spec["healthCheckNodePort"] = NextNodePort(used);
    } else if (kept.count(health) == 0) {
      ReserveNodePort(used, health, *object, "spec.healthCheckNodePort");
    }
  }
}

// initIPFamilyFields for a single-stack IPv4 cluster.
void InitIpFamilies(const json* old_spec, json* object) {
  json& spec = (*object)["spec"];
  bool headless = Str(spec, "clusterIP") == "None";
  bool selectorless =
      !spec.contains("selector") || !spec["selector"].is_object() || spec["selector"].empty();
  if (Str(spec, "ipFamilyPolicy").empty()) {
    if (old_spec != nullptr && !Str(*old_spec, "ipFamilyPolicy").empty()) {
      spec["ipFamilyPolicy"] = (*old_spec)["ipFamilyPolicy"];
    } else {
      spec["ipFamilyPolicy"] = headless && selectorless ? "RequireDualStack" : "SingleStack";
    }
  }
  json& families = spec["ipFamilies"];
  if (!families.is_array() || families.empty())
    families = json::array({"IPv4"});
  if (headless && selectorless) {
    if (families.size() < 2 && spec["ipFamilyPolicy"] != "SingleStack")
      families.push_back(families[0] == "IPv4" ? "IPv6" : "IPv4");
    return;
  }
  if (spec["ipFamilyPolicy"] == "RequireDualStack") {
    throw ServiceInvalid(*object, "spec.ipFamilyPolicy",
                         "Invalid value: \"RequireDualStack\": this cluster is not configured "
                         "for dual-stack services");
  }
  for (size_t i = 0; i < families.size(); ++i) {
    if (families[i] != "IPv4") {
      throw ServiceInvalid(*object, "spec.ipFamilies[" + std::to_string(i) + "]",
                           "Invalid value: " + families[i].dump() +
                               ": not configured on this "
                               "cluster");
    }
  }
}

// clusterIPs from clusterIP and back, as the strategy's NormalizeClusterIPs.
void NormalizeClusterIps(json* spec) {
  std::string ip = Str(*spec, "clusterIP");
  bool has_list = spec->contains("clusterIPs") && (*spec)["clusterIPs"].is_array() &&
                  !(*spec)["clusterIPs"].empty();
  if (!has_list && !ip.empty())
    (*spec)["clusterIPs"] = json::array({ip});
  if (has_list && ip.empty())
    (*spec)["clusterIP"] = (*spec)["clusterIPs"][0];
}

void PrepareServiceCreate(const ResourceType& type, const Store& store, json* object) {
  json& spec = (*object)["spec"];
  if (!NeedsClusterIp(spec))
    return;
  NormalizeClusterIps(&spec);
  InitIpFamilies(nullptr, object);
  const json& meta = (*object)["metadata"];
  InUse used(SyncedIndex(store, type.StoreKey()),
             ObjectKey(meta.value("namespace", ""), meta.value("name", "")));
  if (Str(spec, "clusterIP") != "None")
    AllocateClusterIp(&used, object);
  if (NeedsNodePorts(spec) || NeedsHealthCheck(spec))
    AllocateNodePorts(&used, {}, object);
}

// patchAllocatedValues and dropTypeDependentFields, then the allocations a type change needs.
void PrepareServiceUpdate(const ResourceType& type, const Store& store, const json& old,
                          json* object) {
  const json& old_spec = old.value("spec", json::object());
  json& spec = (*object)["spec"];
  if (NeedsClusterIp(old_spec) && NeedsClusterIp(spec)) {
    if (Str(spec, "clusterIP").empty() && old_spec.contains("clusterIP"))
      spec["clusterIP"] = old_spec["clusterIP"];
    if ((!spec.contains("clusterIPs") || spec["clusterIPs"].empty()) &&
        old_spec.contains("clusterIPs"))
      spec["clusterIPs"] = old_spec["clusterIPs"];
  }
  std::set<int64_t> kept;
  if (NeedsNodePorts(old_spec) && NeedsNodePorts(spec) && old_spec.contains("ports") &&
      spec.contains("ports")) {
    std::set<int64_t> in_new;
    for (const json& port : Ports(&spec))
      in_new.insert(NodePortOf(port));
    for (json& port : Ports(&spec)) {
      if (NodePortOf(port) != 0)
        continue;
      for (const json& was : old_spec["ports"]) {
        int64_t node_port = NodePortOf(was);
        if (was.value("name", "") == port.value("name", "") && in_new.count(node_port) == 0) {
          port["nodePort"] = node_port;
          break;
        }
      }
    }
  }
  if (old_spec.contains("ports")) {
    for (const json& was : old_spec["ports"])
      kept.insert(NodePortOf(was));
  }
  if (NeedsHealthCheck(old_spec) && NeedsHealthCheck(spec)) {
    if (spec.value("healthCheckNodePort", int64_t{0}) == 0 &&
        old_spec.contains("healthCheckNodePort"))
      spec["healthCheckNodePort"] = old_spec["healthCheckNodePort"];
    kept.insert(old_spec.value("healthCheckNodePort", int64_t{0}));
  }
  // dropTypeDependentFields: what the old type needed and the request left as it was.
  auto unchanged = [&](const char* key) {
    return spec.contains(key) && old_spec.contains(key) && spec[key] == old_spec[key];
  };
  if (!NeedsClusterIp(spec)) {
    for (const char* key : {"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"}) {
      if (unchanged(key))
        spec.erase(key);
    }
  }
  if (!NeedsNodePorts(spec) && NeedsNodePorts(old_spec) && spec.contains("ports")) {
    for (json& port : Ports(&spec)) {
      for (const json& was : old_spec.value("ports", json::array())) {
        if (NodePortOf(port) != 0 && NodePortOf(port) == NodePortOf(was))
          port.erase("nodePort");
      }
    }
  }
  if (!NeedsHealthCheck(spec) && unchanged("healthCheckNodePort"))
    spec.erase("healthCheckNodePort");
  if (Str(spec, "type") != "LoadBalancer" && unchanged("allocateLoadBalancerNodePorts"))
    spec.erase("allocateLoadBalancerNodePorts");
  if (!NeedsClusterIp(spec))
    return;
  NormalizeClusterIps(&spec);
  InitIpFamilies(&old_spec, object);
  const json& meta = (*object)["metadata"];
  InUse used(SyncedIndex(store, type.StoreKey()),
             ObjectKey(meta.value("namespace", ""), meta.value("name", "")));
  if (!NeedsClusterIp(old_spec) && Str(spec, "clusterIP") != "None") {
    AllocateClusterIp(&used, object);
  } else if (old_spec.contains("clusterIPs") && spec.contains("clusterIPs") &&
             !old_spec["clusterIPs"].empty() && !spec["clusterIPs"].empty() &&
             spec["clusterIPs"][0] != old_spec["clusterIPs"][0]) {
    throw ServiceInvalid(
        *object, "spec.clusterIPs[0]",
        "Invalid value: " + GoStrings(spec["clusterIPs"]) + ": may not change once set");
  }
  if (NeedsNodePorts(spec) || NeedsHealthCheck(spec))
    AllocateNodePorts(&used, kept, object);
}

bool IsCore(const ResourceType& type, const char* resource) {
  return !type.custom && type.group.empty() && type.resource == resource;
}

}  // namespace

void PrepareBuiltinCreate(const ResourceType& type, const Store& store, json* object) {
  if (IsCore(type, "namespaces")) {
    (*object)["spec"]["finalizers"] = json::array({"kubernetes"});
    (*object)["status"] = {{"phase", "Active"}};
  } else if (IsCore(type, "services")) {
    PrepareServiceCreate(type, store, object);
  }
}

void PrepareBuiltinUpdate(const ResourceType& type, const Store& store, const json& old,
                          json* object) {
  if (IsCore(type, "namespaces")) {
    // Finalizers change only through the finalize subresource.
    json finalizers = old.value("spec", json::object()).value("finalizers", json());
    if (finalizers.is_null()) {
      if ((*object)["spec"].is_object())
        (*object)["spec"].erase("finalizers");
    } else {
      (*object)["spec"]["finalizers"] = finalizers;
    }
  } else if (IsCore(type, "services")) {
    PrepareServiceUpdate(type, store, old, object);
  }
}

}  // namespace starform::devcluster
