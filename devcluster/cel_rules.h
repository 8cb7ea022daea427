#pragma once

// The CRDs' CEL rules (x-kubernetes-validations), hand-implemented: the dev cluster does not
// evaluate CEL generically. Each rule of the Gateway API and Envoy Gateway CRDs that we
// implement is a C++ function registered under the rule's exact message and expression
// (cel_rules_gateway_api.cpp, cel_rules_envoy_gateway.cpp). CheckCelRules walks an object
// alongside its compiled schema, as apiextensions-apiserver's cel.Validator does, and runs the
// implementation of every rule it finds on the way; a rule whose text is not known (another
// CRD, another version of one) is not evaluated, and UnimplementedCelRules lists those.
//
// A failed rule is reported as the API server reports it (schema/cel/validation.go
// fieldErrorForReason): reason FieldValueInvalid (or the rule's reason), the field path of the
// node the rule is written on (plus the rule's fieldPath), and the message
// `Invalid value: "<the node's schema type>": <rule message>`, e.g.
//   spec.rules[0].backendRefs[0]: Invalid value: "object": Must have port for Service reference
// A rule that fails to evaluate (a field read without has() is absent) is reported as CEL's
// error: `Invalid value: "object": no such key: backendRefs evaluating rule: <message>`.
//
// Order: a node's rules in the CRD's order, then its children (object keys sorted, array items
// by index). The real server visits object keys in Go map order, which is random, so only the
// order of one node's rules is the server's.
//
// The server runs the rules after pruning, defaulting and schema validation, and only when
// schema validation found no blocking cause (kube::HasBlockingCause; it then reports
// kube::RulesNotCheckedCause() instead). The caller does that check.
//
// Rules implemented, by CRD (every rule of each, unless listed below):
//   HTTPRoute v1, Gateway v1, GatewayClass v1 (controllerName immutable, a transition rule),
//   ReferenceGrant v1/v1beta1 (no rules), ClientTrafficPolicy v1alpha1, SecurityPolicy
//   v1alpha1 (Envoy Gateway v1.9.0 and v1.5.0), EnvoyProxy v1alpha1.
// Not implemented: none of these CRDs' rules at the time of writing; UnimplementedCelRules
// (and the test that pins it to empty for the shared CRDs) says so for any newer CRD.
// scripts/cel-crosscheck/run.sh checks every implementation against an independent CEL
// evaluator on generated values (true, false or evaluation error); run it after a change.
// Where two operands of && or || both fail to evaluate, the first one's error is reported, as
// cel-go does; only the verdict, not that choice, is cross-checked.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/schema.h"

namespace starform::devcluster {

/// Runs the implemented CEL rules of |schema| on |object| (a whole custom resource, after
/// pruning and defaulting). |old_object| is the stored object on update, null on create: with
/// it, transition rules (those using oldSelf) run, and a failure on a value unchanged from the
/// old object is ratcheted, as the API server does since CRDValidationRatcheting (GA in 1.33):
/// it goes to |warnings| as "<field>: <message>" instead of failing the write.
std::vector<kube::StatusCause> CheckCelRules(const kube::Schema& schema,
                                             const nlohmann::json& object,
                                             const nlohmann::json* old_object = nullptr,
                                             std::vector<std::string>* warnings = nullptr);

/// A rule of a schema that CheckCelRules does not evaluate.
struct UnimplementedRule {
  std::string path;  ///< where it is written: "spec.rules[].filters", "" for the root
  std::string message;
  std::string rule;

  bool operator==(const UnimplementedRule&) const = default;
};

/// Every rule in |schema| without an implementation, in schema order (properties sorted); the
/// server logs these at start so nobody mistakes them for checked.
std::vector<UnimplementedRule> UnimplementedCelRules(const kube::Schema& schema);

}  // namespace starform::devcluster
