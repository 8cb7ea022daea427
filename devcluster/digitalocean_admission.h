#pragma once

// DOKS's validating webhook for LoadBalancer Services (digitalocean-cloud-controller-manager's
// admission server, do/lb_service_admission_handler.go), as an admission hook: it refuses a
// create or update whose DigitalOcean annotations the cloud controller could not turn into a
// load balancer, or that the DigitalOcean API would refuse, with the Status the API server
// writes for a webhook denial.

#include "devcluster/hooks.h"

namespace starform::devcluster {

/// The webhook's name in the upstream ValidatingWebhookConfiguration
/// (releases/digitalocean-cloud-controller-manager-admission-server/*.yml); assumed to be the
/// one DOKS installs.
inline constexpr const char* kDigitalOceanWebhookName =
    "validation-webhook.cloud-controller-manager.digitalocean.com";

/// The webhook as an admitter: throws StatusError 403 Forbidden
/// `admission webhook "<name>" denied the request: <why>` to refuse.
AdmitFn DigitalOceanAdmission();

/// Appends DigitalOceanAdmission() to |hooks|' admitters.
void InstallDigitalOceanAdmission(Hooks* hooks);

}  // namespace starform::devcluster
