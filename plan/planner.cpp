#include "plan/planner.h"

#include <algorithm>
#include <map>

#include "plan/diff.h"
#include "plan/json_access.h"
#include "plan/names.h"
#include "plan/render.h"

namespace starform {

namespace {

std::set<std::string> KeysOf(const nlohmann::json& map) {
  std::set<std::string> keys;
  if (map.is_object())
    for (auto it = map.begin(); it != map.end(); ++it)
      keys.insert(it.key());
  return keys;
}

void Merge(std::set<std::string>* into, const std::set<std::string>& from) {
  into->insert(from.begin(), from.end());
}

size_t KindRank(const std::string& kind) {
  const std::vector<RenderedKind>& kinds = RenderedKinds();
  for (size_t i = 0; i < kinds.size(); ++i)
    if (kind == kinds[i].kind)
      return i;
  return kinds.size();
}

// Whether |path| (a leaf of the desired object) survives in |kept| (the leaves of the dry-run
// result): itself, or something below it (an empty object the server filled with defaults).
bool Survives(const std::string& path, const std::set<std::string>& kept) {
  // Paths that extend |path| sort after it, but not together: "x-y" sorts between "x" and
  // "x.a". Every kept path with the prefix is looked at.
  for (auto it = kept.lower_bound(path); it != kept.end() && it->compare(0, path.size(), path) == 0;
       ++it) {
    if (it->size() == path.size() || (*it)[path.size()] == '.' || (*it)[path.size()] == '[')
      return true;
  }
  return false;
}

std::string CommaList(const std::vector<std::string>& items) {
  std::string text;
  for (size_t i = 0; i < items.size(); ++i)
    text += (i > 0 ? ", " : "") + items[i];
  return text;
}

}  // namespace

bool ParseTarget(const std::string& text, const std::vector<std::string>& kinds, ObjectKey* out,
                 std::string* error) {
  size_t first = text.find('/');
  size_t second = first == std::string::npos ? first : text.find('/', first + 1);
  if (second == std::string::npos || text.find('/', second + 1) != std::string::npos ||
      first == 0 || second == first + 1 || second + 1 == text.size()) {
    *error = "invalid --target " + Quote(text) + ": want KIND/NAMESPACE/NAME, e.g. " +
             "httproute/tenant-a/shop";
    return false;
  }
  std::string kind = ToLowerAscii(text.substr(0, first));
  for (const std::string& known : kinds) {
    if (ToLowerAscii(known) == kind) {
      *out =
          ObjectKey{"", known, text.substr(first + 1, second - first - 1), text.substr(second + 1)};
      return true;
    }
  }
  *error = "invalid --target " + Quote(text) + ": unknown kind " + Quote(text.substr(0, first)) +
           " (one of " + CommaList(kinds) + ")";
  return false;
}

std::optional<std::string> ClusterGuardError(const std::string& desired_cluster,
                                             const ClusterFacts& facts) {
  if (!facts.served_cluster || facts.served_cluster->empty() ||
      *facts.served_cluster == desired_cluster)
    return std::nullopt;
  return "desired state is for " + desired_cluster + ", but this cluster serves " +
         *facts.served_cluster + ": check --context";
}

Planner::Planner(std::vector<nlohmann::json> desired, LiveState live, PlanOptions options)
    : live_(std::move(live)), options_(std::move(options)) {
  plan_.skipped_apps = options_.skipped_apps;
  for (const ObjectKey& target : options_.targets)
    plan_.targets.push_back(target.TargetSpelling());
  CheckForeignRoutes(desired);
  for (const nlohmann::json& object : desired)
    desired_keys_.insert(KeyOf(object));
  // Each rendered object moves into its change (as the body to apply): at 10,000 apps, copies
  // of 19,000 objects are most of a plan's memory.
  for (nlohmann::json& object : desired)
    PlanDesired(std::move(object));
  PlanPrunes();
}

bool Planner::Targeted(const ObjectKey& key) const {
  if (options_.targets.empty())
    return true;
  for (const ObjectKey& target : options_.targets)
    if (target.kind == key.kind && target.ns == key.ns && target.name == key.name)
      return true;
  return false;
}

bool Planner::Frozen(const ObjectKey& key) const {
  return options_.frozen.count({key.kind, key.ns, key.name}) > 0;
}

void Planner::PlanDesired(nlohmann::json desired) {
  ObjectKey key = KeyOf(desired);
  if (!Targeted(key) || Frozen(key))
    return;
  ResourceChange change;
  change.key = key;
  Entry entry;
  const nlohmann::json& metadata = desired["metadata"];
  entry.label_keys = KeysOf(Member(metadata, "labels"));
  entry.annotation_keys = KeysOf(Member(metadata, "annotations"));

  auto live = live_.objects.find(key);
  if (live == live_.objects.end()) {
    change.action = Action::kCreate;
    change.after = ComparedView(Member(metadata, "labels"), Member(metadata, "annotations"),
                                Member(desired, "spec"), entry.label_keys, entry.annotation_keys);
    change.body = std::move(desired);
    plan_.resources.push_back(std::move(change));
    entries_.push_back(std::move(entry));
    return;
  }
  const LiveObject& object = live->second;
  if (options_.live_digests)
    change.live_digest = LiveContentDigest(object);
  change.live_uid = object.uid;
  if (object.PartOf() != ApplySetId()) {
    if (!options_.adopt) {
      plan_.errors.push_back(key.Address() +
                             " exists but is not managed by starform (it lacks the label " +
                             kApplySetPartOfLabel + "=" + ApplySetId() +
                             "): pass --adopt to take it over, or delete it");
      return;
    }
    change.adopt = true;
  }
  // Labels starform set before and no longer sets are compared too, so that they go.
  Merge(&entry.label_keys, OwnedMetadataKeys(object.managed_fields, kFieldManager, "labels"));
  Merge(&entry.annotation_keys,
        OwnedMetadataKeys(object.managed_fields, kFieldManager, "annotations"));
  change.before = ComparedView(object.labels, object.annotations, object.spec, entry.label_keys,
                               entry.annotation_keys);
  change.after = ComparedView(Member(metadata, "labels"), Member(metadata, "annotations"),
                              Member(desired, "spec"), entry.label_keys, entry.annotation_keys);
  Diff diff =
      DiffViews(change.before, change.after, object.managed_fields, LiveOnlyFields::kRemoveIfOwned);
  change.unchanged_fields = diff.unchanged;
  change.changes = std::move(diff.changes);
  change.action = change.changes.empty() ? Action::kNoOp : Action::kUpdate;
  for (const FieldChange& field : change.changes)
    if (field.op == FieldChange::Op::kRemove && !field.drift_manager.empty())
      change.remove_paths.push_back(field.path);
  entry.live = &object;
  change.body = std::move(desired);
  plan_.resources.push_back(std::move(change));
  entries_.push_back(std::move(entry));
  Settle(plan_.resources.size() - 1);
}

// A no-op needs neither the body to apply nor its two views: dropping them keeps a plan of a
// large, converged layer small.
void Planner::Settle(size_t index) {
  ResourceChange& change = plan_.resources[index];
  if (change.action != Action::kNoOp)
    return;
  change.body = nullptr;
  change.before = nullptr;
  change.after = nullptr;
}

void Planner::PlanPrunes() {
  std::vector<const LiveObject*> prunes;
  for (const auto& [key, object] : live_.objects)
    if (!desired_keys_.count(key) && object.PartOf() == ApplySetId() && Targeted(key) &&
        !Frozen(key))
      prunes.push_back(&object);
  // Deletes go last, dependents first: the reverse of the render order.
  std::stable_sort(prunes.begin(), prunes.end(), [](const LiveObject* a, const LiveObject* b) {
    size_t ra = KindRank(a->key.kind), rb = KindRank(b->key.kind);
    if (ra != rb)
      return ra > rb;
    return std::tie(a->key.ns, a->key.name) < std::tie(b->key.ns, b->key.name);
  });
  for (const LiveObject* object : prunes) {
    ResourceChange change;
    change.key = object->key;
    change.action = Action::kDelete;
    change.reason = "no longer desired";
    Entry entry;
    entry.label_keys = OwnedMetadataKeys(object->managed_fields, kFieldManager, "labels");
    entry.annotation_keys = OwnedMetadataKeys(object->managed_fields, kFieldManager, "annotations");
    change.before = ComparedView(object->labels, object->annotations, object->spec,
                                 entry.label_keys, entry.annotation_keys);
    if (options_.live_digests)
      change.live_digest = LiveContentDigest(*object);
    change.live_uid = object->uid;
    entry.live = object;
    plan_.resources.push_back(std::move(change));
    entries_.push_back(std::move(entry));
  }
}

void Planner::CheckForeignRoutes(const std::vector<nlohmann::json>& desired) {
  // Hostnames of the desired apps, from the rendered routes.
  std::vector<std::pair<std::string, std::string>> claimed;  // hostname, "ns/name"
  for (const nlohmann::json& object : desired) {
    if (StringMember(object, "kind") != "HTTPRoute")
      continue;
    ObjectKey key = KeyOf(object);
    const nlohmann::json& hostnames = Member(Member(object, "spec"), "hostnames");
    if (hostnames.is_array())
      for (const nlohmann::json& host : hostnames)
        claimed.emplace_back(host.get<std::string>(), key.ns + "/" + key.name);
  }
  for (const LiveForeignRoute& route : live_.foreign_routes) {
    ForeignRoute foreign{route.ns, route.name, route.hostnames, {}};
    for (const std::string& host : route.hostnames) {
      for (const auto& [desired_host, app] : claimed) {
        if (!HostnamesIntersect(host, desired_host))
          continue;
        foreign.hijacked.push_back(host);
        plan_.errors.push_back("httproute " + route.ns + "/" + route.name +
                               ", which starform does not manage, is attached to the Gateway "
                               "and claims hostname " +
                               host + " of app " + app +
                               " (a hostname hijack): remove the route or its hostname");
        break;
      }
    }
    plan_.foreign_routes.push_back(std::move(foreign));
  }
}

std::vector<size_t> Planner::ToConfirm() const {
  // An object whose namespace does not exist yet cannot be dry-run (the server answers
  // NotFound): apply creates the gateway's namespace first, and a missing tenant namespace is
  // a readiness warning of its own. Such creates stay as the client planned them.
  const std::map<std::string, nlohmann::json>& namespaces = live_.facts.namespaces;
  std::vector<size_t> indexes;
  for (size_t i = 0; i < plan_.resources.size(); ++i) {
    const ResourceChange& change = plan_.resources[i];
    if (change.action != Action::kCreate && change.action != Action::kUpdate)
      continue;
    if (!namespaces.empty() && !change.key.ns.empty() && !namespaces.count(change.key.ns))
      continue;
    indexes.push_back(i);
  }
  return indexes;
}

void Planner::Confirm(size_t index, const DryRunOutcome& outcome) {
  ResourceChange& change = plan_.resources[index];
  const Entry& entry = entries_[index];
  if (!outcome.ok) {
    if (!outcome.immutable.empty() && entry.live) {
      change.action = Action::kReplace;
      change.reason = outcome.immutable;
      return;
    }
    plan_.errors.push_back(change.key.Address() +
                           ": the server refused the planned change: " + outcome.error);
    return;
  }
  const nlohmann::json& result = outcome.object;
  const nlohmann::json& metadata = Member(result, "metadata");

  // A rendered field the server drops means its CRD is older than the contract supports.
  std::vector<std::string> kept_paths = LeafPaths(Member(result, "spec"));
  std::set<std::string> kept(kept_paths.begin(), kept_paths.end());
  for (const std::string& path : LeafPaths(Member(change.body, "spec"))) {
    if (Survives(path, kept))
      continue;
    plan_.errors.push_back(
        change.key.Address() + ": the cluster dropped spec." + path +
        " from the dry run, so its CRD does not know the field: the cluster's Gateway API or "
        "Envoy Gateway CRDs are older than starform supports (Gateway API v1.4 and Envoy "
        "Gateway v1.7 or later); upgrade them before applying");
  }

  change.after = ComparedView(Member(metadata, "labels"), Member(metadata, "annotations"),
                              Member(result, "spec"), entry.label_keys, entry.annotation_keys);
  if (!entry.live)
    return;  // a create: after is what the server will store
  Diff diff = DiffViews(change.before, change.after, entry.live->managed_fields,
                        LiveOnlyFields::kCompareAll);
  // Server-side apply keeps what other managers set; drift found on the client stays planned
  // for removal.
  for (const FieldChange& field : change.changes)
    if (field.op == FieldChange::Op::kRemove && !field.drift_manager.empty())
      diff.changes.push_back(field);
  change.unchanged_fields = diff.unchanged;
  change.changes = std::move(diff.changes);
  if (change.changes.empty() && !change.adopt)
    change.action = Action::kNoOp;
  Settle(index);
}

void Planner::FlagLoadBalancerChanges() {
  const ResourceChange* gateway_delete = nullptr;
  ResourceChange* gateway_create = nullptr;
  ResourceChange* proxy_create = nullptr;
  bool gateway_live = false;
  for (ResourceChange& change : plan_.resources) {
    if (change.key.kind == "Gateway") {
      if (change.action == Action::kDelete || change.action == Action::kReplace) {
        change.recreates_load_balancer =
            "deleting Gateway " + change.key.ns + "/" + change.key.name +
            " makes Envoy Gateway delete its Envoy Service and with it the DigitalOcean load "
            "balancer and its public IP";
        gateway_delete = &change;
      }
      if (change.action == Action::kCreate)
        gateway_create = &change;
      if (change.action != Action::kCreate && change.action != Action::kDelete)
        gateway_live = true;
    }
    if (change.key.kind == "EnvoyProxy" && change.action == Action::kCreate)
      proxy_create = &change;
  }
  if (gateway_create != nullptr && gateway_delete != nullptr)
    gateway_create->recreates_load_balancer =
        "Gateway " + gateway_create->key.ns + "/" + gateway_create->key.name + " replaces " +
        gateway_delete->key.ns + "/" + gateway_delete->key.name +
        ": Envoy Gateway provisions a new DigitalOcean load balancer with a new public IP";
  // Our EnvoyProxy replaces the GatewayClass's entirely; if that one named the Envoy Service or
  // merged Gateways, the Service's name changes, and Envoy Gateway deletes the old one.
  if (proxy_create != nullptr && gateway_live && live_.facts.class_envoy_proxy_spec) {
    const nlohmann::json& spec = *live_.facts.class_envoy_proxy_spec;
    std::vector<std::string> what;
    if (Member(spec, "mergeGateways") == true)
      what.push_back("mergeGateways");
    if (Member(Member(Member(Member(spec, "provider"), "kubernetes"), "envoyService"), "name")
            .is_string())
      what.push_back("envoyService.name");
    if (!what.empty())
      proxy_create->recreates_load_balancer =
          "this EnvoyProxy replaces the GatewayClass's, which sets " + CommaList(what) +
          ": Envoy Gateway renames the Envoy Service, deleting the DigitalOcean load balancer "
          "and its public IP and creating a new one";
  }
}

Plan Planner::Finish(PlanOrigin origin) {
  FlagLoadBalancerChanges();
  for (const ResourceChange& change : plan_.resources)
    if (!change.recreates_load_balancer.empty())
      plan_.warnings.push_back(change.key.Address() +
                               " recreates the load balancer: " + change.recreates_load_balancer);
  if (!options_.targets.empty())
    plan_.warnings.push_back(
        "resource targeting is in effect: the plan may be incomplete, and objects outside the "
        "targets are neither compared nor pruned");
  plan_.origin = std::move(origin);
  return std::move(plan_);
}

}  // namespace starform
