// The webhook's decision: a request that does not build is denied with the builder's error; one
// that builds is "validated" by the DigitalOcean API (here: its value ranges), whose 4xx is
// denied too. An update that changes nothing the request is built from is allowed unchecked.

#include "devcluster/digitalocean_admission.h"

#include "devcluster/digitalocean_lb_request.h"
#include "devcluster/resources.h"
#include "devcluster/status.h"

namespace starform::devcluster {

using nlohmann::json;

namespace {

[[noreturn]] void Deny(const std::string& why) {
  // apiserver's webhookerrors.ToStatusErr over controller-runtime's admission.Denied result.
  throw StatusError(403, "Forbidden",
                    std::string("admission webhook \"") + kDigitalOceanWebhookName +
                        "\" denied the request: " + why);
}

bool IsLoadBalancer(const json& service) {
  return service.contains("spec") && service["spec"].value("type", "") == "LoadBalancer";
}

// What the load balancer request is built from, to tell an update that changes it.
json RequestInputs(const json& service) {
  json in = json::object();
  json annotations = service.value("metadata", json::object()).value("annotations", json::object());
  for (const auto& [key, value] : annotations.items()) {
    if (key.rfind(digitalocean::kAnnotationPrefix, 0) == 0)
      in["annotations"][key] = value;
  }
  json spec = service.value("spec", json::object());
  for (const char* field :
       {"ports", "loadBalancerSourceRanges", "externalTrafficPolicy", "healthCheckNodePort"}) {
    if (spec.contains(field))
      in[field] = spec[field];
  }
  return in;
}

void Admit(const json& service, const json* old) {
  if (!IsLoadBalancer(service) ||
      service.value("metadata", json::object()).contains("deletionTimestamp"))
    return;
  std::string error = digitalocean::LoadBalancerRequestError(service);
  if (!error.empty())
    Deny("failed to build DO API request: failed to build base load balancer request: " + error);
  if (old != nullptr && IsLoadBalancer(*old) && RequestInputs(*old) == RequestInputs(service))
    return;
  std::string invalid = digitalocean::ApiValidationError(service);
  if (invalid.empty())
    return;
  // An update of a Service that has a load balancer validates against it (PUT), else as a create.
  const std::string* id =
      digitalocean::Annotation(service, digitalocean::kLoadBalancerIdAnnotation);
  if (id == nullptr && old != nullptr)
    id = digitalocean::Annotation(*old, digitalocean::kLoadBalancerIdAnnotation);
  bool put = id != nullptr && !id->empty();
  json meta = service.value("metadata", json::object());
  std::string request_id = digitalocean::FakeUuid("admission:" + meta.value("namespace", "") + "/" +
                                                  meta.value("name", "") + ":" + invalid);
  Deny("invalid load balancer definition: " +
       digitalocean::GodoError(put ? "PUT" : "POST",
                               put ? std::string(digitalocean::kApiBase) + "/" + *id
                                   : std::string(digitalocean::kApiBase),
                               422, request_id, invalid));
}

}  // namespace

AdmitFn DigitalOceanAdmission() {
  return
      [](const ResourceType& type, const std::string& verb, const json& object, const json* old) {
        // The webhook's rules: services in the core group, on CREATE and UPDATE (patch and apply
        // are updates to admission).
        if (!type.group.empty() || type.resource != "services" || verb == "delete")
          return;
        Admit(object, old);
      };
}

void InstallDigitalOceanAdmission(Hooks* hooks) {
  hooks->admitters.push_back(DigitalOceanAdmission());
}

}  // namespace starform::devcluster
