#pragma once

// The apply lock: a coordination.k8s.io/v1 Lease, starform-system/starform-apply, that
// `kubectl starform apply` takes before planning and holds for the whole apply, so two applies
// to one cluster never interleave their writes. Taken as client-go's leader election takes a
// Lease: create it when absent, take it over when its holder stopped renewing
// (renewTime + leaseDurationSeconds has passed), and every update carries the resourceVersion
// read, so of two takers racing only one wins (the other gets 409 Conflict and looks again).
// While held, a thread renews it; `kubectl starform unlock` reads and breaks it.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "kube/client.h"

namespace starform::kube {

inline constexpr char kLockNamespace[] = "starform-system";
inline constexpr char kLockName[] = "starform-apply";

/// The wall clock the Lease's times are written and judged by (injected for tests).
using WallClock = std::function<std::chrono::system_clock::time_point()>;

/// "user@host pid N run R": getlogin(), else $USER; gethostname(); getpid(); a random 32-bit
/// run id in hex. Call it once per process.
std::string DefaultHolderIdentity();

/// A Lease MicroTime: RFC 3339 in UTC with microseconds, "2026-11-26T20:01:02.123456Z".
std::string FormatMicroTime(std::chrono::system_clock::time_point t);
/// Any RFC 3339 time the server sends (with or without a fraction, Z or an offset), to the
/// microsecond; nullopt when it is not one.
std::optional<std::chrono::system_clock::time_point> ParseMicroTime(const std::string& text);

/// What a Lease says about the lock.
struct LockInfo {
  std::string holder;  ///< spec.holderIdentity; "" when nobody holds it
  std::optional<std::chrono::system_clock::time_point> acquire_time;
  std::optional<std::chrono::system_clock::time_point> renew_time;
  std::chrono::seconds lease_duration{0};
  int transitions = 0;  ///< spec.leaseTransitions
  /// renewTime + leaseDurationSeconds is before now (or either is missing, or no holder): anyone
  /// may take it over.
  bool expired = false;
  std::string uid;
  std::string resource_version;
};

/// Reads |lease| (a Lease object as the server returns it), judging expiry at |now|.
LockInfo LockInfoOf(const nlohmann::json& lease, std::chrono::system_clock::time_point now);

/// Who holds the lock, for `unlock`; nullopt when there is no Lease. |now| judges expiry
/// (empty: the system clock).
Result<std::optional<LockInfo>> ReadLock(Client& client, const WallClock& now = {});

/// Deletes the Lease |read| describes (from ReadLock), with preconditions on its uid and
/// resourceVersion, so a lock taken meanwhile (a new Lease, or this one taken over) is never
/// deleted; a renewal by the same holder meanwhile is not a new lock, and it is broken anyway.
/// True when the Lease is gone (also when it was gone already); else false and |error| says why.
bool BreakLock(Client& client, const LockInfo& read, std::string* error);

struct LeaseLockOptions {
  std::string holder_identity;  ///< DefaultHolderIdentity() in the command
  std::chrono::seconds lease_duration{60};
  std::chrono::milliseconds renew_interval{20000};
  /// --lock-timeout: how long Acquire waits for a lock held by someone else; 0 fails at once.
  std::chrono::milliseconds timeout{0};
  /// How often Acquire looks again while it waits.
  std::chrono::milliseconds poll_interval{1000};
  WallClock now;  ///< empty: the system clock
};

/// The apply lock, held from Acquire until Release (or destruction).
///
/// It makes two clients from |config|, |env| and |client_options| (as Client::Connect does):
/// one for Acquire and Release on the caller's thread, and one the renewal thread uses alone,
/// because a Client is not thread-safe. The renewal client's retries and request timeout are
/// cut to fit within half a renew interval each, so a failed renewal is noticed within one
/// interval. |env| must outlive the lock; |client_options.log| is called from the renewal
/// thread too.
class LeaseLock {
 public:
  LeaseLock(const RestConfig& config, const Env& env, ClientOptions client_options,
            LeaseLockOptions options);
  ~LeaseLock();
  LeaseLock(const LeaseLock&) = delete;
  LeaseLock& operator=(const LeaseLock&) = delete;

  /// Takes the lock, waiting up to options.timeout while someone else holds it; creates the
  /// namespace when it does not exist. On success starts renewing. Else false, and |error|
  /// names the holder and since when, or the API error that stopped it.
  bool Acquire(std::string* error);

  /// The lock may no longer be ours: a renewal failed (after the client's retries), the Lease
  /// was deleted or names another holder, or no renewal has succeeded for a lease duration.
  /// Apply starts no new write once this is true.
  bool lost() const;
  /// Why lost() is true ("" while it is not).
  std::string LostReason() const;
  bool held() const { return held_; }

  /// Stops renewing, then deletes the Lease if it is still ours (preconditions on its uid and
  /// the resourceVersion of our last write). True when nothing of ours is left; else false and
  /// |error| (when given) says why. Does nothing when not held.
  bool Release(std::string* error = nullptr);

 private:
  enum class Outcome { kAcquired, kHeld, kConflict, kFailed };
  /// |create_first|: create the Lease before reading it (the first try: usually none is held).
  Outcome TryAcquire(bool create_first, LockInfo* held_by, std::string* error);
  Outcome CreateLease(std::string* error);
  Outcome TakeOver(const nlohmann::json& lease, const LockInfo& info, std::string* error);
  bool EnsureNamespace(std::string* error);
  void StartRenewing(std::chrono::steady_clock::time_point written);
  void StopRenewing();
  void Renew();
  bool RenewOnce(std::string* why);
  bool FollowOwnWrite(const LockInfo& ours, std::string* why);
  void MarkLost(const std::string& why);
  std::chrono::steady_clock::duration SinceRenewed() const;
  std::chrono::system_clock::time_point Now() const;
  nlohmann::json NewSpec(std::chrono::system_clock::time_point now, int transitions) const;

  LeaseLockOptions options_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<Client> renew_client_;
  std::atomic<bool> held_{false};
  /// The Lease as our last write left it (uid, resourceVersion, spec). Written by the renewal
  /// thread while it runs, by the caller's thread otherwise.
  nlohmann::json lease_;

  std::thread renewer_;
  std::mutex mu_;  ///< guards stop_ (with stop_cv_)
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::atomic<bool> lost_{false};
  std::atomic<std::chrono::steady_clock::rep> last_renewed_{0};  ///< steady clock, at send
  mutable std::mutex lost_mu_;
  std::string lost_reason_;
};

}  // namespace starform::kube
