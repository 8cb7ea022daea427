#!/usr/bin/env python3
"""Writes a large, valid desired state (starform.dev/v1alpha1) for benchmarks and load tests.

    bench/gen_state.py --apps 10000 --format json > /tmp/s.json
    bench/gen_state.py --apps 200 --tenants 20 --format yaml > /tmp/s.yaml

The state looks like a busy production cluster, and follows every rule of
docs/desired-state.md, so that the plugin accepts it as it is:
- a Gateway with an http listener and an https listener for *.starform.app, whose wildcard
  certificate is the Secret starform-app-tls;
- apps app-1..app-N spread over the tenant namespaces tenant-0001..tenant-T (round robin; by
  default one tenant per app), each with a unique lowercase hostname app-<i>.starform.app, some
  with a second one (api.app-<i>...) or a wildcard over their own subdomain;
- 1 to 3 rules per app (prefix and exact paths, weighted canary backends, timeouts);
- some apps with JWT auth (one or two providers, default or explicit X-Starform-* claim
  headers), some with ext_authz (HTTP or gRPC) to the shared namespace starform-authz, some
  with both, the rest without auth.

With one tenant per app, 10,000 apps render to about 19,000 objects. The output depends only
on the arguments.
"""

import argparse
import json
import re
import sys

DOMAIN = "starform.app"
SHARED_NAMESPACE = "starform-authz"


def tenant_names(count):
    width = max(4, len(str(count)))
    return [f"tenant-{t:0{width}d}" for t in range(1, count + 1)]


def rules_for(i):
    """1 to 3 rules: most apps are one service, some split /api or serve an exact health path."""
    rules = [{"path": "/", "backends": [{"service": "web", "port": 8080}]}]
    if i % 3 >= 1:
        api = {"path": "/api", "backends": [{"service": "api", "port": 9090}], "timeout": "30s"}
        if i % 11 == 0:  # a canary release
            api["backends"] = [
                {"service": "api", "port": 9090, "weight": 90},
                {"service": "api-canary", "port": 9090, "weight": 10},
            ]
        rules.append(api)
    if i % 3 == 2:
        rules.append({
            "path": "/healthz",
            "match": "Exact",
            "backends": [{"service": "web", "port": 8080, "weight": 1}],
            "timeout": "1m30s",
        })
    return rules


def jwt_for(i, tenant):
    issuer = f"https://{tenant}.eu.auth0.com/"
    auth0 = {
        "name": "auth0",
        "issuer": issuer,
        "audiences": [f"app-{i}"],
        "jwksUri": issuer + ".well-known/jwks.json",
    }
    if i % 4 == 1:
        auth0["claimToHeaders"] = [
            {"claim": "sub", "header": "X-Starform-User-ID"},
            {"claim": "org_id", "header": "X-Starform-Org-ID"},
        ]
    providers = [auth0]
    if i % 5 == 0:
        okta = f"https://{tenant}.okta.com/oauth2/default"
        providers.append({
            "name": "okta",
            "issuer": okta,
            "jwksUri": okta + "/v1/keys",
            "claimToHeaders": [],
        })
    return {"optional": i % 13 == 0, "providers": providers}


def ext_authz_for(i):
    """The platform's shared authorizers: two Services, far below the 16 a namespace may use."""
    if i % 2 == 0:
        return {
            "protocol": "HTTP",
            "service": "authz",
            "namespace": SHARED_NAMESPACE,
            "port": 9000,
            "path": "/check",
            "headersToBackend": ["X-Starform-Plan", "X-Starform-Org-ID"],
        }
    return {"protocol": "GRPC", "service": "authz-grpc", "namespace": SHARED_NAMESPACE,
            "port": 9001, "failOpen": False}


def auth_for(i, tenant):
    """By i % 10: 0-2 JWT, 3-4 ext_authz, 5 both, 6-9 none (60% of apps have auth)."""
    kind = i % 10
    auth = {}
    if kind <= 2 or kind == 5:
        auth["jwt"] = jwt_for(i, tenant)
    if 3 <= kind <= 5:
        auth["extAuthz"] = ext_authz_for(i)
    return auth or None


def app(i, tenant):
    host = f"app-{i}.{DOMAIN}"
    hostnames = [host]
    if i % 7 == 0:
        hostnames.append(f"api.{host}")
    if i % 50 == 0:
        # Covers only this app's own subdomain, so no other namespace's hostname.
        hostnames.append(f"*.{host}")
    result = {"name": f"app-{i}", "namespace": tenant, "hostnames": hostnames}
    if i % 2 == 0:
        result["listener"] = "https"
    result["rules"] = rules_for(i)
    auth = auth_for(i, tenant)
    if auth:
        result["auth"] = auth
    return result


def desired_state(apps, tenants):
    names = tenant_names(tenants)
    return {
        "apiVersion": "starform.dev/v1alpha1",
        "kind": "DesiredState",
        "cluster": "bench-nyc1",
        "revision": str(apps),
        "gateway": {
            "className": "eg",
            "sharedServiceNamespaces": [SHARED_NAMESPACE],
            "listeners": [
                {"name": "http", "port": 80, "protocol": "HTTP"},
                {
                    "name": "https",
                    "port": 443,
                    "protocol": "HTTPS",
                    "hostname": f"*.{DOMAIN}",
                    "tls": {"certificateRefs": ["starform-app-tls"]},
                },
            ],
            "loadBalancer": {"name": "starform-bench-nyc1", "type": "REGIONAL_NETWORK",
                             "sizeUnit": 2},
        },
        "apps": [app(i, names[(i - 1) % tenants]) for i in range(1, apps + 1)],
    }


# ---------------------------------------------------------------------------------------------
# YAML: the standard library has no writer, and the document needs only maps, lists, strings,
# ints and booleans. Strings are plain when plainly safe, otherwise JSON-quoted (a JSON string
# is a YAML double-quoted scalar).

_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9._/:-]*")
_DURATION = re.compile(r"([0-9]+(h|m|s|ms))+")
_RESERVED = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}


def yaml_scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if _DURATION.fullmatch(value):
        return value
    if _PLAIN.fullmatch(value) and value.lower() not in _RESERVED and not value.endswith(":"):
        return value
    return json.dumps(value)


def yaml_lines(value, indent, out):
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict) and item:
                out.append(f"{pad}{key}:")
                yaml_lines(item, indent + 2, out)
            elif isinstance(item, list) and item:
                out.append(f"{pad}{key}:")
                yaml_lines(item, indent, out)  # kubectl style: "- " at the key's column
            else:
                out.append(f"{pad}{key}: {yaml_inline(item)}")
    else:
        for item in value:
            if isinstance(item, dict) and item:
                first, *rest = yaml_block(item, indent + 2)
                out.append(f"{pad}- {first.lstrip()}")
                out.extend(rest)
            else:
                out.append(f"{pad}- {yaml_inline(item)}")


def yaml_block(value, indent):
    out = []
    yaml_lines(value, indent, out)
    return out


def yaml_inline(value):
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return yaml_scalar(value)


def to_yaml(value):
    return "\n".join(yaml_block(value, 0)) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, required=True, help="number of apps (0 or more)")
    parser.add_argument("--tenants", type=int,
                        help="number of tenant namespaces, the apps spread round robin "
                             "(default: one per app)")
    parser.add_argument("--format", choices=["json", "yaml"], default="json")
    args = parser.parse_args()
    if args.apps < 0:
        parser.error("--apps must be 0 or more")
    tenants = args.tenants if args.tenants is not None else max(1, args.apps)
    if tenants < 1:
        parser.error("--tenants must be 1 or more")
    state = desired_state(args.apps, tenants)
    if args.format == "json":
        sys.stdout.write(json.dumps(state, indent=2) + "\n")
    else:
        sys.stdout.write(to_yaml(state))


if __name__ == "__main__":
    main()
