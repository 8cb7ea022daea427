#include "kube/lease_lock.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <random>

#include "kube/exec_plugin.h"

namespace starform::kube {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

namespace {

// Conflicts in a row before giving up: each means another writer moved first, and a fresh
// read decides again, so more than a few means something keeps rewriting the Lease.
constexpr int kMaxConflicts = 5;

ResourceRef LeaseRef() {
  return {"coordination.k8s.io", "v1", "leases", true};
}

std::string LeasePath() {
  return LeaseRef().Path(kLockNamespace, kLockName);
}

std::string LockTitle() {
  return std::string("the apply lock (Lease ") + kLockNamespace + "/" + kLockName + ")";
}

std::string Text(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

int Integer(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int>() : 0;
}

const json& Member(const json& object, const char* key) {
  static const json kEmpty = json::object();
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

// "2026-11-26T20:01:02Z": to the second, for people.
std::string SecondsText(system_clock::time_point t) {
  std::string micro = FormatMicroTime(t);
  return micro.substr(0, micro.find('.')) + "Z";
}

std::string DurationText(milliseconds d) {
  if (d.count() % 1000 == 0)
    return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

std::string HolderText(const LockInfo& info) {
  std::optional<system_clock::time_point> since =
      info.acquire_time ? info.acquire_time : info.renew_time;
  return info.holder + " since " + (since ? SecondsText(*since) : "an unknown time");
}

std::string HeldMessage(const LockInfo& info, milliseconds waited) {
  if (waited.count() == 0) {
    return LockTitle() + " is held by " + HolderText(info) +
           "; wait for it, or break it with kubectl starform unlock";
  }
  return LockTitle() + " is still held by " + HolderText(info) + " after waiting " +
         DurationText(waited) + "; wait longer (--lock-timeout), or break it with kubectl " +
         "starform unlock";
}

// The same holder in the same tenure: what a renewal changes (resourceVersion, renewTime)
// may differ, what a new lock changes (uid, holder, acquireTime) may not.
bool SameTenure(const LockInfo& a, const LockInfo& b) {
  return a.uid == b.uid && a.holder == b.holder && a.acquire_time == b.acquire_time;
}

// A POST or PUT of |object|; the Lease's own writes, not server-side apply, because only an
// update carries the resourceVersion precondition that makes racing takers safe.
Result<json> Write(Client& client, const std::string& method, const std::string& path,
                   const json& object) {
  Client::Call call =
      Client::Call::Of(method, path + "?fieldManager=starform", object.dump(), "application/json");
  // A repeated POST could create twice; a repeated PUT only conflicts on its precondition.
  call.idempotent = method != "POST";
  std::optional<Result<json>> out;
  client.Start(std::move(call), [&out](Result<HttpResponse> r) {
    if (!r) {
      out.emplace(r.error());
      return;
    }
    json doc = json::parse(r.value().body, nullptr, false);
    if (doc.is_discarded()) {
      ApiError e;
      e.code = r.value().status;
      e.message = "the server sent a response that is not JSON";
      out.emplace(std::move(e));
      return;
    }
    out.emplace(std::move(doc));
  });
  client.Run();
  return std::move(*out);
}

bool IsNamespaceMissing(const ApiError& error) {
  return error.reason == Reason::kNotFound && error.details.is_object() &&
         error.details.value("kind", "") == "namespaces";
}

enum class Deleted { kYes, kChanged, kFailed };

// Deletes the Lease while it holds |tenure|. The preconditions (uid and resourceVersion) fail
// when anything wrote it since |tenure| was read; a fresh read then tells a renewal of the same
// tenure (followed) from a new lock (left alone, and put in |now|).
Deleted DeleteTenure(Client& client, LockInfo tenure, LockInfo* now, std::string* error) {
  for (int attempt = 0; attempt < kMaxConflicts; ++attempt) {
    DeleteOptions options;
    options.precondition_uid = tenure.uid;
    options.precondition_resource_version = tenure.resource_version;
    Result<json> deleted = client.Delete(LeaseRef(), kLockNamespace, kLockName, options);
    if (deleted || deleted.error().reason == Reason::kNotFound)
      return Deleted::kYes;
    if (deleted.error().reason != Reason::kConflict) {
      *error = "deleting " + LockTitle() + ": " + deleted.error().Describe();
      return Deleted::kFailed;
    }
    Result<std::optional<LockInfo>> read = ReadLock(client);
    if (!read) {
      *error = "reading " + LockTitle() + ": " + read.error().Describe();
      return Deleted::kFailed;
    }
    if (!read.value())
      return Deleted::kYes;
    *now = *read.value();
    if (!SameTenure(*now, tenure))
      return Deleted::kChanged;
    tenure = *now;
  }
  *error = LockTitle() + " kept changing while deleting it";
  return Deleted::kFailed;
}

// The renewal client's limits: every renewal, retries included, ends within one interval.
ClientOptions RenewClientOptions(ClientOptions options, milliseconds interval) {
  milliseconds half = std::max(interval / 2, milliseconds(1));
  options.retry.max_total = std::min(options.retry.max_total, half);
  options.retry.cap = std::min(options.retry.cap, half);
  return options;
}

RestConfig RenewConfig(RestConfig config, milliseconds interval) {
  milliseconds half = std::max(interval / 2, milliseconds(1));
  if (config.timeout.count() == 0 || config.timeout > half)
    config.timeout = half;
  return config;
}

}  // namespace

std::string DefaultHolderIdentity() {
  std::string user;
  if (const char* login = getlogin(); login != nullptr && *login != '\0')
    user = login;
  else if (const char* env = std::getenv("USER"); env != nullptr && *env != '\0')
    user = env;
  else
    user = "unknown";
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
    std::snprintf(host, sizeof(host), "unknown");
  // The pid alone can repeat across machines that share a host name (containers, where every
  // apply may be pid 1): a random run id keeps two holders apart, as client-go adds a UUID.
  std::random_device random;
  char run[16];
  std::snprintf(run, sizeof run, "%08x", static_cast<unsigned>(random()));
  return user + "@" + host + " pid " + std::to_string(getpid()) + " run " + run;
}

std::string FormatMicroTime(system_clock::time_point t) {
  auto micros = std::chrono::floor<std::chrono::microseconds>(t.time_since_epoch());
  auto seconds = std::chrono::floor<std::chrono::seconds>(micros);
  time_t whole = seconds.count();
  std::tm tm{};
  gmtime_r(&whole, &tm);
  char text[64];
  size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(text + n, sizeof(text) - n, ".%06lldZ",
                static_cast<long long>((micros - seconds).count()));
  return text;
}

std::optional<system_clock::time_point> ParseMicroTime(const std::string& text) {
  // The fraction is read here, digit by digit: ParseRfc3339 reads it through a double, which
  // can turn .123456 into .123455999. Digits past the microsecond are dropped, as Go does.
  size_t dot = text.find('.');
  if (dot == std::string::npos)
    return ParseRfc3339(text);
  size_t end = text.find_first_not_of("0123456789", dot + 1);
  if (end == std::string::npos || end == dot + 1)
    return std::nullopt;
  std::optional<system_clock::time_point> whole =
      ParseRfc3339(text.substr(0, dot) + text.substr(end));
  if (!whole)
    return std::nullopt;
  std::string micros = (text.substr(dot + 1, end - dot - 1) + "00000").substr(0, 6);
  return *whole + std::chrono::microseconds(std::stol(micros));
}

LockInfo LockInfoOf(const json& lease, system_clock::time_point now) {
  const json& meta = Member(lease, "metadata");
  const json& spec = Member(lease, "spec");
  LockInfo info;
  info.holder = Text(spec, "holderIdentity");
  info.acquire_time = ParseMicroTime(Text(spec, "acquireTime"));
  info.renew_time = ParseMicroTime(Text(spec, "renewTime"));
  info.lease_duration = std::chrono::seconds(Integer(spec, "leaseDurationSeconds"));
  info.transitions = Integer(spec, "leaseTransitions");
  info.uid = Text(meta, "uid");
  info.resource_version = Text(meta, "resourceVersion");
  info.expired =
      info.holder.empty() || !info.renew_time || *info.renew_time + info.lease_duration < now;
  return info;
}

Result<std::optional<LockInfo>> ReadLock(Client& client, const WallClock& now) {
  Result<json> lease = client.Get(LeaseRef(), kLockNamespace, kLockName);
  if (!lease && lease.error().reason == Reason::kNotFound)
    return std::optional<LockInfo>();
  if (!lease)
    return lease.error();
  return std::optional<LockInfo>(LockInfoOf(lease.value(), now ? now() : system_clock::now()));
}

bool BreakLock(Client& client, const LockInfo& read, std::string* error) {
  LockInfo now;
  switch (DeleteTenure(client, read, &now, error)) {
    case Deleted::kYes:
      return true;
    case Deleted::kChanged:
      *error = LockTitle() + " changed since it was read: it is now held by " + HolderText(now) +
               "; it was not broken";
      return false;
    case Deleted::kFailed:
      return false;
  }
  return false;
}

// --- LeaseLock -------------------------------------------------------------------------------

LeaseLock::LeaseLock(const RestConfig& config, const Env& env, ClientOptions client_options,
                     LeaseLockOptions options)
    : options_(std::move(options)),
      client_(Client::Connect(config, env, client_options)),
      renew_client_(Client::Connect(RenewConfig(config, options_.renew_interval), env,
                                    RenewClientOptions(client_options, options_.renew_interval))) {}

LeaseLock::~LeaseLock() {
  Release();
}

system_clock::time_point LeaseLock::Now() const {
  return options_.now ? options_.now() : system_clock::now();
}

json LeaseLock::NewSpec(system_clock::time_point now, int transitions) const {
  std::string t = FormatMicroTime(now);
  return {{"holderIdentity", options_.holder_identity},
          {"leaseDurationSeconds", options_.lease_duration.count()},
          {"acquireTime", t},
          {"renewTime", t},
          {"leaseTransitions", transitions}};
}

bool LeaseLock::Acquire(std::string* error) {
  if (held_)
    return true;
  if (options_.holder_identity.empty() || options_.renew_interval.count() <= 0 ||
      options_.renew_interval >= options_.lease_duration) {
    *error = "the apply lock needs a holder identity and a renew interval shorter than the lease";
    return false;
  }
  auto deadline = steady_clock::now() + options_.timeout;
  for (bool first = true;; first = false) {
    auto started = steady_clock::now();
    LockInfo holder;
    Outcome outcome = TryAcquire(first, &holder, error);
    if (outcome == Outcome::kFailed)
      return false;
    if (outcome == Outcome::kAcquired) {
      StartRenewing(started);
      return true;
    }
    auto left = deadline - steady_clock::now();
    if (left <= steady_clock::duration::zero()) {
      *error = HeldMessage(holder, options_.timeout);
      return false;
    }
    std::this_thread::sleep_for(std::min<steady_clock::duration>(options_.poll_interval, left));
  }
}

LeaseLock::Outcome LeaseLock::TryAcquire(bool create_first, LockInfo* held_by, std::string* error) {
  // Created outright on the first try: when no other apply runs, as usual, the lock then costs
  // one round trip, and AlreadyExists sends it down the read-then-take-over path.
  bool absent = create_first;
  error->clear();
  for (int attempt = 0; attempt < kMaxConflicts; ++attempt) {
    Outcome outcome;
    if (absent) {
      outcome = CreateLease(error);
    } else {
      Result<json> lease = client_->Get(LeaseRef(), kLockNamespace, kLockName);
      if (!lease && lease.error().reason == Reason::kNotFound) {
        outcome = CreateLease(error);
      } else if (!lease) {
        *error = "reading " + LockTitle() + ": " + lease.error().Describe();
        return Outcome::kFailed;
      } else {
        LockInfo info = LockInfoOf(lease.value(), Now());
        if (!info.expired && info.holder != options_.holder_identity) {
          *held_by = info;
          return Outcome::kHeld;
        }
        outcome = TakeOver(lease.value(), info, error);
      }
    }
    if (outcome != Outcome::kConflict)
      return outcome;
    absent = false;
  }
  if (error->empty())  // else the last attempt's failure says more
    *error = LockTitle() + " kept changing while taking it";
  return Outcome::kFailed;
}

LeaseLock::Outcome LeaseLock::CreateLease(std::string* error) {
  json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", kLockName}, {"namespace", kLockNamespace}}},
                {"spec", NewSpec(Now(), 0)}};
  std::string collection = LeaseRef().Path(kLockNamespace);
  Result<json> created = Write(*client_, "POST", collection, lease);
  // The first apply to a cluster takes the lock before it creates the namespace.
  if (!created && IsNamespaceMissing(created.error())) {
    if (!EnsureNamespace(error))
      return Outcome::kFailed;
    created = Write(*client_, "POST", collection, lease);
  }
  if (created) {
    lease_ = created.value();
    return Outcome::kAcquired;
  }
  if (created.error().reason == Reason::kAlreadyExists)
    return Outcome::kConflict;
  *error = "creating " + LockTitle() + ": " + created.error().Describe();
  // A create is not retried: with no answer, or a server error, it may have been made anyway,
  // and then only a read tells that the Lease is ours. Reading it again decides.
  if (created.error().code == 0 || created.error().code >= 500)
    return Outcome::kConflict;
  return Outcome::kFailed;
}

bool LeaseLock::EnsureNamespace(std::string* error) {
  json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kLockNamespace}}}};
  Result<json> created = Write(*client_, "POST", "/api/v1/namespaces", ns);
  if (created || created.error().reason == Reason::kAlreadyExists)
    return true;
  *error = std::string("creating the namespace ") + kLockNamespace + " for " + LockTitle() + ": " +
           created.error().Describe();
  return false;
}

LeaseLock::Outcome LeaseLock::TakeOver(const json& lease, const LockInfo& info,
                                       std::string* error) {
  json updated = lease;
  if (info.holder == options_.holder_identity) {
    // Already ours (this process: a create whose response was lost): the same tenure.
    updated["spec"]["renewTime"] = FormatMicroTime(Now());
  } else {
    updated["spec"] = NewSpec(Now(), info.transitions + 1);
  }
  Result<json> written = Write(*client_, "PUT", LeasePath(), updated);
  if (written) {
    lease_ = written.value();
    return Outcome::kAcquired;
  }
  // Conflict: someone else wrote it since our read; NotFound: deleted since. Look again.
  if (written.error().reason == Reason::kConflict || written.error().reason == Reason::kNotFound)
    return Outcome::kConflict;
  *error = "taking over " + LockTitle() + " from " + HolderText(info) + ": " +
           written.error().Describe();
  return Outcome::kFailed;
}

// --- renewal ---------------------------------------------------------------------------------

void LeaseLock::StartRenewing(steady_clock::time_point written) {
  held_ = true;
  {
    std::lock_guard<std::mutex> lock(lost_mu_);
    lost_reason_.clear();
    lost_ = false;
  }
  last_renewed_ = written.time_since_epoch().count();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  renewer_ = std::thread([this] { Renew(); });
}

void LeaseLock::StopRenewing() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (renewer_.joinable())
    renewer_.join();
}

void LeaseLock::Renew() {
  // Ticks are counted from the first, not from the end of each renewal, so a slow renewal
  // does not push the next one later.
  auto next = steady_clock::now() + options_.renew_interval;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_cv_.wait_until(lock, next, [this] { return stop_; })) {
    lock.unlock();
    next += options_.renew_interval;
    std::string why;
    bool renewed = false;
    // An exception must not end the process from this thread; it ends the lock instead.
    try {
      renewed = RenewOnce(&why);
    } catch (const std::exception& e) {
      why = "renewing " + LockTitle() + ": " + e.what();
    }
    lock.lock();
    if (!renewed) {
      MarkLost(why);
      return;
    }
  }
}

bool LeaseLock::RenewOnce(std::string* why) {
  auto sent = steady_clock::now();
  LockInfo ours = LockInfoOf(lease_, Now());
  for (int attempt = 0; attempt < 2; ++attempt) {
    json updated = lease_;
    updated["spec"]["renewTime"] = FormatMicroTime(Now());
    Result<json> written = Write(*renew_client_, "PUT", LeasePath(), updated);
    if (written) {
      lease_ = written.value();
      last_renewed_ = sent.time_since_epoch().count();
      return true;
    }
    const ApiError& e = written.error();
    if (e.reason == Reason::kNotFound) {
      *why = LockTitle() + " was deleted while held (kubectl starform unlock?)";
      return false;
    }
    if (e.reason != Reason::kConflict) {
      *why = "renewing " + LockTitle() + ": " + e.Describe();
      return false;
    }
    if (!FollowOwnWrite(ours, why))
      return false;
  }
  *why = LockTitle() + " kept changing while renewing it";
  return false;
}

// After a conflict on renewal: a retried PUT whose first try landed conflicts with itself, so
// the Lease is still ours if it names us in the same tenure; then renew from what it is now.
bool LeaseLock::FollowOwnWrite(const LockInfo& ours, std::string* why) {
  Result<json> lease = renew_client_->Get(LeaseRef(), kLockNamespace, kLockName);
  if (!lease) {
    *why = lease.error().reason == Reason::kNotFound
               ? LockTitle() + " was deleted while held (kubectl starform unlock?)"
               : "renewing " + LockTitle() + ": " + lease.error().Describe();
    return false;
  }
  LockInfo now = LockInfoOf(lease.value(), Now());
  if (!SameTenure(now, ours)) {
    *why = LockTitle() + " was taken while held: it is now held by " + HolderText(now);
    return false;
  }
  lease_ = lease.value();
  return true;
}

void LeaseLock::MarkLost(const std::string& why) {
  std::lock_guard<std::mutex> lock(lost_mu_);
  lost_reason_ = why;
  lost_ = true;
}

std::chrono::steady_clock::duration LeaseLock::SinceRenewed() const {
  return steady_clock::now() - steady_clock::time_point(steady_clock::duration(last_renewed_));
}

// Past a lease duration without a renewal, others may take it over: a backstop for a renewal
// that hangs longer than its client's limits allow.
bool LeaseLock::lost() const {
  return lost_ || (held_ && SinceRenewed() >= options_.lease_duration);
}

std::string LeaseLock::LostReason() const {
  {
    std::lock_guard<std::mutex> lock(lost_mu_);
    if (lost_)
      return lost_reason_;
  }
  if (!lost())
    return "";
  return "no renewal of " + LockTitle() + " has succeeded for " +
         DurationText(std::chrono::duration_cast<milliseconds>(SinceRenewed()));
}

// --- release ---------------------------------------------------------------------------------

bool LeaseLock::Release(std::string* error) {
  if (!held_)
    return true;
  StopRenewing();
  held_ = false;
  LockInfo now;
  std::string why;
  switch (DeleteTenure(*client_, LockInfoOf(lease_, Now()), &now, &why)) {
    case Deleted::kYes:
    case Deleted::kChanged:  // another holder's now: nothing of ours is left
      return true;
    case Deleted::kFailed:
      if (error != nullptr)
        *error = why + " (it expires " + std::to_string(options_.lease_duration.count()) +
                 "s after its last renewal)";
      return false;
  }
  return false;
}

}  // namespace starform::kube
