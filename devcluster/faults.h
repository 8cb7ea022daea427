#pragma once

// Fault injection for reliability tests: a spec (--faults, grammar in docs/devcluster-faults.md)
// says, per verb and resource, how often requests fail with 500/503/429, how much latency they
// get, how often the connection drops mid-response, a continue token expires, or a write
// conflicts. The injector only decides; the server acts on the decision.
//
// Deterministic by seed: the decision for the n-th request of a (verb, resource) pair is a
// pure function of (seed, verb, resource, n), not a draw from one shared random stream. So the
// same seed and the same sequence of requests per pair give the same decisions, whatever
// other pairs' requests are interleaved with them. Concurrent requests of one pair get
// consecutive n in the order they reach Decide, which the test controls by how it issues them.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace starform::devcluster {

/// One clause of a spec: the faults of the requests it matches.
struct FaultRule {
  std::string verb;       ///< get, list, watch, create, update, patch, apply, delete,
                          ///< deletecollection, or "*"
  std::string resource;   ///< a plural as in URLs ("httproutes"), or "*"
  double error_rate = 0;  ///< probability of answering |status|
  int status = 0;         ///< 429, 500 or 503; 0 when the clause has no error
  int retry_after_seconds = 0;
  std::chrono::milliseconds latency_min{0};  ///< added latency, uniform in [min, max]
  std::chrono::milliseconds latency_max{0};
  double drop_rate = 0;             ///< probability of closing the connection mid-response
  double expire_continue_rate = 0;  ///< probability that a list's continue token is expired
  double conflict_rate = 0;         ///< probability that a write answers 409 Conflict
  size_t column = 0;                ///< where the clause starts in the spec, 1-based

  /// Whether the clause applies to a request. A "patch" clause also matches "apply" (server-side
  /// apply is a PATCH, and the audit log calls it patch); an "apply" clause matches only apply.
  bool Matches(std::string_view verb, std::string_view resource) const;
};

struct FaultSpec {
  uint64_t seed = 0;
  std::vector<FaultRule> rules;  ///< in the spec's order
};

/// Parses |text| (may be empty: no faults). On an error returns false with |error| naming the
/// column and the clause: `column 23 (in "patch:*:rat=0.1"): unknown setting "rat"; ...`.
bool ParseFaultSpec(std::string_view text, FaultSpec* spec, std::string* error);

/// The spec written back in the grammar, normalised (for the server's start-up log).
std::string FormatFaultSpec(const FaultSpec& spec);

/// What to do to one request. The server applies, in order: sleep |latency|; if |status|,
/// answer that error (with Retry-After when |retry_after_seconds|) and stop; if
/// |write_conflict| (writes only), answer 409 Conflict; if |expire_continue| (a list with a
/// continue token), answer 410 Expired; handle the request, and if |drop_connection|, send
/// DropAfter(body size) bytes of the body and close the socket.
struct FaultDecision {
  int status = 0;
  int retry_after_seconds = 0;
  std::chrono::milliseconds latency{0};
  bool drop_connection = false;
  bool expire_continue = false;
  bool write_conflict = false;
  /// Where in the body the drop happens, in [0, 1): part of it is always lost.
  double drop_fraction = 0;

  /// How many bytes of a |body_size|-byte body to send before closing: at least one byte is
  /// sent when there is one (so the client sees a truncated body, not an empty reply) and at
  /// least one is withheld.
  size_t DropAfter(size_t body_size) const;
  bool any() const {
    return status != 0 || latency.count() != 0 || drop_connection || expire_continue ||
           write_conflict;
  }
  bool operator==(const FaultDecision&) const = default;
};

/// Decides faults for requests, as a spec says. Thread-safe.
class FaultInjector {
 public:
  explicit FaultInjector(FaultSpec spec) : spec_(std::move(spec)) {}

  /// The decision for the next request of (verb, resource): |verb| as the audit log names it,
  /// but "apply" for a server-side apply PATCH; |resource| the plural.
  FaultDecision Decide(std::string_view verb, std::string_view resource);

  /// The decision for the |n|-th (from 0) request of (verb, resource); Decide is this with a
  /// per-pair counter. Pure: for replaying and testing.
  FaultDecision DecideAt(std::string_view verb, std::string_view resource, uint64_t n) const;

  const FaultSpec& spec() const { return spec_; }

 private:
  FaultSpec spec_;
  std::mutex mutex_;
  std::map<std::string, uint64_t> counters_;  ///< by verb + '\0' + resource
};

}  // namespace starform::devcluster
