// The built-in kinds' table printers, after kube-apiserver's pkg/printers/internalversion: the
// same columns, types, priorities and cells (printed with Wide set, as the server does). The
// descriptions of columns other than Name and Age are shortened from the types' swagger docs.

#include <algorithm>
#include <map>
#include <string>

#include "devcluster/table_internal.h"

namespace starform::devcluster {

using nlohmann::json;
using nlohmann::ordered_json;
using Clock = std::chrono::system_clock;

namespace {

const json& At(const json& object, std::initializer_list<const char*> path) {
  static const json kNull;
  const json* v = &object;
  for (const char* key : path) {
    if (!v->is_object())
      return kNull;
    auto it = v->find(key);
    if (it == v->end())
      return kNull;
    v = &*it;
  }
  return *v;
}

std::string Str(const json& value) {
  return value.is_string() ? value.get<std::string>() : "";
}

int64_t Int(const json& value) {
  return value.is_number() ? value.get<int64_t>() : 0;
}

std::string Join(const std::vector<std::string>& parts, const char* sep = ",") {
  std::string out;
  for (const std::string& p : parts)
    out += (out.empty() ? "" : sep) + p;
  return out;
}

// labels.FormatLabels / a LabelSelector's matchLabels as a selector string.
std::string FormatLabels(const json& labels, const char* empty) {
  if (!labels.is_object() || labels.empty())
    return empty;
  std::vector<std::string> parts;
  for (auto it = labels.begin(); it != labels.end(); ++it)
    parts.push_back(it.key() + "=" + Str(it.value()));
  return Join(parts);
}

TableColumn NameColumn() {
  return {"Name", "string", "name", kNameDescription, 0};
}
TableColumn AgeColumn() {
  return {"Age", "string", "", kCreationTimestampDescription, 0};
}

std::string Age(const json& o, Clock::time_point now) {
  return AgeSince(At(o, {"metadata", "creationTimestamp"}), now);
}
std::string NameOf(const json& o) {
  return Str(At(o, {"metadata", "name"}));
}

ordered_json NamespaceCells(const json& o, Clock::time_point now) {
  return {NameOf(o), Str(At(o, {"status", "phase"})), Age(o, now)};
}

std::string ServiceExternalIp(const json& o) {
  std::string type = Str(At(o, {"spec", "type"}));
  std::vector<std::string> external;
  for (const json& ip :
       At(o, {"spec", "externalIPs"}).is_array() ? At(o, {"spec", "externalIPs"}) : json::array()) {
    external.push_back(Str(ip));
  }
  if (type == "ClusterIP" || type == "NodePort")
    return external.empty() ? "<none>" : Join(external);
  if (type == "ExternalName")
    return Str(At(o, {"spec", "externalName"}));
  if (type != "LoadBalancer")
    return "<unknown>";
  std::vector<std::string> ips;
  const json& ingress = At(o, {"status", "loadBalancer", "ingress"});
  if (ingress.is_array()) {
    for (const json& i : ingress) {
      if (!Str(At(i, {"ip"})).empty())
        ips.push_back(Str(At(i, {"ip"})));
      else if (!Str(At(i, {"hostname"})).empty())
        ips.push_back(Str(At(i, {"hostname"})));
    }
  }
  ips.insert(ips.end(), external.begin(), external.end());
  return ips.empty() ? "<pending>" : Join(ips);
}

ordered_json ServiceCells(const json& o, Clock::time_point now) {
  const json& cluster_ips = At(o, {"spec", "clusterIPs"});
  std::string internal = "<none>";
  if (cluster_ips.is_array() && !cluster_ips.empty())
    internal = Str(cluster_ips[0]);
  std::vector<std::string> ports;
  const json& spec_ports = At(o, {"spec", "ports"});
  if (spec_ports.is_array()) {
    for (const json& p : spec_ports) {
      std::string protocol = Str(At(p, {"protocol"}));
      if (protocol.empty())
        protocol = "TCP";
      std::string port = std::to_string(Int(At(p, {"port"})));
      if (Int(At(p, {"nodePort"})) > 0)
        port += ":" + std::to_string(Int(At(p, {"nodePort"})));
      ports.push_back(port + "/" + protocol);
    }
  }
  return {NameOf(o),
          Str(At(o, {"spec", "type"})),
          internal,
          ServiceExternalIp(o),
          ports.empty() ? "<none>" : Join(ports),
          Age(o, now),
          FormatLabels(At(o, {"spec", "selector"}), "<none>")};
}

ordered_json SecretCells(const json& o, Clock::time_point now) {
  const json& data = At(o, {"data"});
  return {NameOf(o), Str(At(o, {"type"})), static_cast<int64_t>(data.is_object() ? data.size() : 0),
          Age(o, now)};
}

ordered_json ConfigMapCells(const json& o, Clock::time_point now) {
  size_t n = 0;
  for (const char* field : {"data", "binaryData"}) {
    const json& d = At(o, {field});
    if (d.is_object())
      n += d.size();
  }
  return {NameOf(o), static_cast<int64_t>(n), Age(o, now)};
}

ordered_json LeaseCells(const json& o, Clock::time_point now) {
  return {NameOf(o), Str(At(o, {"spec", "holderIdentity"})), Age(o, now)};
}

ordered_json DeploymentCells(const json& o, Clock::time_point now) {
  std::vector<std::string> names, images;
  const json& containers = At(o, {"spec", "template", "spec", "containers"});
  if (containers.is_array()) {
    for (const json& c : containers) {
      names.push_back(Str(At(c, {"name"})));
      images.push_back(Str(At(c, {"image"})));
    }
  }
  // LabelSelectorAsSelector(...).String(): matchLabels sorted, "<none>" when empty.
  std::string selector = FormatLabels(At(o, {"spec", "selector", "matchLabels"}), "<none>");
  const json& replicas = At(o, {"spec", "replicas"});
  return {NameOf(o),
          std::to_string(Int(At(o, {"status", "readyReplicas"}))) + "/" +
              std::to_string(replicas.is_number() ? Int(replicas) : 1),
          Int(At(o, {"status", "updatedReplicas"})),
          Int(At(o, {"status", "availableReplicas"})),
          Age(o, now),
          Join(names),
          Join(images),
          selector};
}

ordered_json EventCells(const json& o, Clock::time_point now) {
  std::string first = At(o, {"firstTimestamp"}).is_string()
                          ? AgeSince(At(o, {"firstTimestamp"}), now)
                          : AgeSince(At(o, {"eventTime"}), now);
  std::string last =
      At(o, {"lastTimestamp"}).is_string() ? AgeSince(At(o, {"lastTimestamp"}), now) : first;
  int64_t count = Int(At(o, {"count"}));
  if (At(o, {"series"}).is_object()) {
    last = AgeSince(At(o, {"series", "lastObservedTime"}), now);
    count = Int(At(o, {"series", "count"}));
  } else if (count == 0) {
    count = 1;
  }
  std::string kind = Str(At(o, {"involvedObject", "kind"}));
  std::transform(kind.begin(), kind.end(), kind.begin(), ::tolower);
  std::string name = Str(At(o, {"involvedObject", "name"}));
  std::string component = Str(At(o, {"source", "component"}));
  if (component.empty())
    component = Str(At(o, {"reportingComponent"}));
  std::string host = Str(At(o, {"source", "host"}));
  if (host.empty())
    host = Str(At(o, {"reportingInstance"}));
  std::string source = component.empty() ? "" : host.empty() ? component : component + ", " + host;
  std::string message = Str(At(o, {"message"}));
  message.erase(0, message.find_first_not_of(" \t\n"));
  message.erase(message.find_last_not_of(" \t\n") + 1);
  return {last,
          Str(At(o, {"type"})),
          Str(At(o, {"reason"})),
          name.empty() ? kind : kind + "/" + name,
          Str(At(o, {"involvedObject", "fieldPath"})),
          source,
          message,
          first,
          count,
          NameOf(o)};
}

const std::map<std::string, BuiltinPrinter>& Printers() {
  static const auto* printers = new std::map<std::string, BuiltinPrinter>{
      {"/namespaces",
       {{NameColumn(), {"Status", "string", "", "The status of the namespace", 0}, AgeColumn()},
        NamespaceCells}},
      {"/services",
       {{NameColumn(),
         {"Type", "string", "", "type determines how the Service is exposed.", 0},
         {"Cluster-IP", "string", "", "clusterIP is the IP address of the service.", 0},
         {"External-IP", "string", "", "externalIPs is a list of IP addresses.", 0},
         {"Port(s)", "string", "", "The list of ports that are exposed by this service.", 0},
         AgeColumn(),
         {"Selector", "string", "", "Route service traffic to pods with these labels.", 1}},
        ServiceCells}},
      {"/secrets",
       {{NameColumn(),
         {"Type", "string", "", "Used to facilitate programmatic handling of secret data.", 0},
         {"Data", "string", "", "Data contains the secret data.", 0},
         AgeColumn()},
        SecretCells}},
      {"/configmaps",
       {{NameColumn(),
         {"Data", "string", "", "Data contains the configuration data.", 0},
         AgeColumn()},
        ConfigMapCells}},
      {"coordination.k8s.io/leases",
       {{NameColumn(),
         {"Holder", "string", "", "holderIdentity contains the identity of the holder.", 0},
         AgeColumn()},
        LeaseCells}},
      {"apps/deployments",
       {{NameColumn(),
         {"Ready", "string", "", "Number of the pod with ready state", 0},
         {"Up-to-date", "string", "",
          "Total number of non-terminated pods targeted by this "
          "deployment that have the desired template spec.",
          0},
         {"Available", "string", "",
          "Total number of available pods targeted by this "
          "deployment.",
          0},
         AgeColumn(),
         {"Containers", "string", "", "Names of each container in the template.", 1},
         {"Images", "string", "", "Images referenced by each container in the template.", 1},
         {"Selector", "string", "", "Label selector for pods.", 1}},
        DeploymentCells}},
      {"/events",
       {{{"Last Seen", "string", "",
          "The time at which the most recent occurrence of this "
          "event was recorded.",
          0},
         {"Type", "string", "", "Type of this event (Normal, Warning).", 0},
         {"Reason", "string", "", "A short, machine understandable string.", 0},
         {"Object", "string", "", "The object that this event is about.", 0},
         {"Subobject", "string", "", "The field of the object the event is about.", 1},
         {"Source", "string", "", "The component reporting this event.", 1},
         {"Message", "string", "", "A human-readable description of the status.", 0},
         {"First Seen", "string", "", "The time at which the event was first recorded.", 1},
         {"Count", "string", "", "The number of times this event has occurred.", 1},
         {"Name", "string", "name", kNameDescription, 1}},
        EventCells}},
  };
  return *printers;
}

}  // namespace

const BuiltinPrinter* FindBuiltinPrinter(const std::string& group, const std::string& resource) {
  auto it = Printers().find(group + "/" + resource);
  return it == Printers().end() ? nullptr : &it->second;
}

}  // namespace starform::devcluster
