#include "kube/client.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <thread>

namespace starform::kube {

using nlohmann::json;
using Clock = Transport::Clock;

namespace {

std::string PercentEncode(const std::string& value) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Adds "name=value" to a path's query.
std::string WithParam(const std::string& path, const std::string& name, const std::string& value) {
  return path + (path.find('?') == std::string::npos ? "?" : "&") + name + "=" +
         PercentEncode(value);
}

const char* StatusText(int code) {
  switch (code) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

bool IsSecretKey(const std::string& key) {
  static const char* kKeys[] = {"token",        "password",      "clientKeyData", "client-key-data",
                                "access_token", "refresh_token", "id-token",      "client-secret"};
  for (const char* k : kKeys) {
    if (key == k)
      return true;
  }
  return false;
}

void RedactJson(json& value) {
  if (value.is_object()) {
    bool secret = value.value("kind", "") == "Secret";
    for (auto it = value.begin(); it != value.end(); ++it) {
      if ((IsSecretKey(it.key()) && it->is_string()) ||
          (secret && (it.key() == "data" || it.key() == "stringData"))) {
        *it = "<redacted>";
      } else {
        RedactJson(*it);
      }
    }
  } else if (value.is_array()) {
    for (json& item : value)
      RedactJson(item);
  }
}

}  // namespace

std::string RedactHeader(const std::string& name, const std::string& value) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "authorization" || lower == "proxy-authorization") {
    size_t space = value.find(' ');
    return (space == std::string::npos ? std::string() : value.substr(0, space + 1)) + "<masked>";
  }
  return value;
}

std::string RedactBody(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) {
    // Not JSON (a watch stream, YAML): log nothing that could hold a secret.
    return body.find("token") == std::string::npos && body.find("password") == std::string::npos
               ? body
               : "<" + std::to_string(body.size()) + " bytes, redacted>";
  }
  RedactJson(doc);
  return doc.dump();
}

std::string ResourceRef::Path(const std::string& ns, const std::string& name) const {
  std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty())
    path += "/namespaces/" + ns;
  path += "/" + resource;
  if (!name.empty())
    path += "/" + name;
  return path;
}

std::optional<ResourceRef> Discovery::Find(const std::string& group_version,
                                           const std::string& kind) const {
  auto it = resources.find(group_version);
  if (it == resources.end())
    return std::nullopt;
  for (const ApiResource& r : it->second) {
    if (r.kind == kind && r.name.find('/') == std::string::npos) {
      ResourceRef ref;
      size_t slash = group_version.find('/');
      ref.group = slash == std::string::npos ? "" : group_version.substr(0, slash);
      ref.version = slash == std::string::npos ? group_version : group_version.substr(slash + 1);
      ref.resource = r.name;
      ref.namespaced = r.namespaced;
      return ref;
    }
  }
  return std::nullopt;
}

struct Client::Attempt {
  Call call;
  Done done;
  int sent = 0;
  bool refreshed_after_401 = false;
  bool fresh_connection = false;  ///< after a transport failure on a pooled connection
  Clock::time_point first;
  uint64_t credential_generation = 0;
};

Client::Client(RestConfig config, std::unique_ptr<Transport> transport,
               std::unique_ptr<CredentialProvider> credentials, ClientOptions options)
    : config_(std::move(config)),
      transport_(std::move(transport)),
      credentials_(std::move(credentials)),
      options_(std::move(options)),
      rng_(options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device{}()) {}

std::unique_ptr<Client> Client::Connect(const RestConfig& config, const Env& env,
                                        ClientOptions options) {
  TransportOptions t;
  t.server = config.host;
  t.ca_pem = config.ca_pem;
  t.insecure_skip_tls_verify = config.insecure_skip_tls_verify;
  t.tls_server_name = config.tls_server_name;
  t.proxy_url = config.proxy_url;
  t.disable_compression = config.disable_compression;
  t.user_agent = options.user_agent;
  auto credentials = NewCredentialProvider(config, env, options.stdin_is_terminal);
  return std::make_unique<Client>(config, NewCurlTransport(t), std::move(credentials),
                                  std::move(options));
}

void Client::Start(Call call, Done done) {
  auto attempt = std::make_shared<Attempt>();
  attempt->call = std::move(call);
  attempt->done = std::move(done);
  attempt->first = Clock::now();
  Send(std::move(attempt), Clock::time_point{});
}

void Client::Run() {
  transport_->Run();
}
void Client::StopStarting() {
  transport_->StopStarting();
}

void Client::Send(std::shared_ptr<Attempt> attempt, Clock::time_point not_before) {
  HttpRequest request;
  const Call& call = attempt->call;
  request.method = call.method;
  request.path = call.path;
  if (call.add_timeout && config_.timeout.count() > 0) {
    request.path = WithParam(request.path, "timeout",
                             std::to_string((config_.timeout.count() + 999) / 1000) + "s");
    request.timeout = config_.timeout;
  }
  request.body = call.body;
  request.on_data = call.on_data;
  request.fresh_connection = attempt->fresh_connection;
  request.headers.emplace_back("Accept", call.accept);
  if (!call.content_type.empty())
    request.headers.emplace_back("Content-Type", call.content_type);
  try {
    Credentials c = credentials_->Get();
    attempt->credential_generation = c.generation;
    if (!c.authorization.empty())
      request.headers.emplace_back("Authorization", c.authorization);
    request.client_cert_pem = std::move(c.client_cert_pem);
    request.client_key_pem = std::move(c.client_key_pem);
  } catch (const CredentialError& e) {
    ApiError error;
    error.reason = Reason::kCredentials;
    error.message = e.what();
    error.method = call.method;
    error.url = config_.host + call.path;
    attempt->done(std::move(error));
    return;
  }
  if (!config_.impersonate_user.empty())
    request.headers.emplace_back("Impersonate-User", config_.impersonate_user);
  if (!config_.impersonate_uid.empty())
    request.headers.emplace_back("Impersonate-Uid", config_.impersonate_uid);
  for (const std::string& group : config_.impersonate_groups)
    request.headers.emplace_back("Impersonate-Group", group);
  for (const auto& [key, values] : config_.impersonate_extra) {
    for (const std::string& v : values)
      request.headers.emplace_back("Impersonate-Extra-" + PercentEncode(key), v);
  }
  ++attempt->sent;
  ++requests_sent_;
  HttpRequest logged = options_.verbosity >= 6 ? request : HttpRequest{};
  transport_->Submit(
      std::move(request),
      [this, attempt, logged](HttpResponse response) {
        if (options_.verbosity >= 6 && options_.log)
          LogRequest(*attempt, logged, response);
        OnResponse(attempt, std::move(response));
      },
      Throttle(not_before));
}

void Client::OnResponse(std::shared_ptr<Attempt> attempt, HttpResponse response) {
  int status = response.status;
  if (status >= 200 && status < 300) {
    attempt->done(std::move(response));
    return;
  }
  // A 401 may mean the exec credentials expired early: refresh and try once more. Unlike
  // client-go (which refreshes only for later requests), because a command-line run has few
  // later requests.
  if (status == 401 && !attempt->refreshed_after_401 &&
      credentials_->OnUnauthorized(attempt->credential_generation)) {
    attempt->refreshed_after_401 = true;
    Send(attempt, Clock::time_point{});
    return;
  }
  HttpRequest request;
  request.method = attempt->call.method;
  request.path = attempt->call.path;
  ApiError error = ErrorFromResponse(request, response, config_.host);
  bool retryable = false;
  if (status == 429)
    retryable = true;  // refused before any work: safe for every verb
  else if (status >= 500 && status != 501)
    retryable = attempt->call.idempotent;
  else if (status == 0 && !response.cancelled)
    retryable = response.not_sent || attempt->call.idempotent;
  if (status == 0 && !response.cancelled && response.reused_connection) {
    // Other pooled connections may be as dead as the one that failed (a server or proxy closes
    // idle connections together): the retries open their own.
    bool first = !attempt->fresh_connection;
    attempt->fresh_connection = true;
    // The server had closed this one while it sat idle and never read the request: it goes
    // again at once, and the lost try does not count against the attempts.
    if (first && response.not_sent) {
      --attempt->sent;
      Send(attempt, Clock::time_point{});
      return;
    }
  }
  if (retryable && attempt->sent < options_.retry.max_attempts) {
    std::chrono::milliseconds delay = Backoff(attempt->sent, error.retry_after);
    auto at = Clock::now() + delay;
    if (at - attempt->first <= options_.retry.max_total) {
      Send(attempt, at);
      return;
    }
  }
  // Say that retries were tried, so "503" after a minute of backoff is not mistaken for one
  // failed request.
  if (retryable && attempt->sent > 1)
    error.message += " (after " + std::to_string(attempt->sent) + " attempts)";
  attempt->done(std::move(error));
}

std::chrono::milliseconds Client::Backoff(int attempt, std::chrono::seconds retry_after) {
  // Capped exponential with "equal jitter": half fixed, half random, so retries of many
  // requests that failed together spread out but never come back at once.
  int64_t exp = options_.retry.base.count() << std::min(attempt - 1, 20);
  exp = std::min<int64_t>(exp, options_.retry.cap.count());
  std::uniform_int_distribution<int64_t> jitter(0, exp / 2);
  std::chrono::milliseconds delay(exp / 2 + jitter(rng_));
  return std::max<std::chrono::milliseconds>(delay, retry_after);
}

Clock::time_point Client::Throttle(Clock::time_point not_before) {
  if (options_.qps <= 0)
    return not_before;
  auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / options_.qps));
  auto earliest = Clock::now() - interval * std::max(options_.burst - 1, 0);
  next_slot_ = std::max(next_slot_, earliest);
  Clock::time_point at = std::max(not_before, next_slot_);
  next_slot_ = at + interval;
  return at;
}

void Client::LogRequest(const Attempt& attempt, const HttpRequest& request,
                        const HttpResponse& response) const {
  std::string line = request.method + " " + config_.host + request.path + " ";
  if (response.status != 0)
    line += std::to_string(response.status) + " " + StatusText(response.status);
  else
    line += "(" + response.error + ")";
  line += " in " + std::to_string(response.elapsed.count() / 1000) + " milliseconds";
  if (attempt.sent > 1)
    line += " (attempt " + std::to_string(attempt.sent) + ")";
  options_.log(line);
  if (options_.verbosity >= 7) {
    for (const auto& [name, value] : request.headers)
      options_.log("Request Header: \"" + name + ": " + RedactHeader(name, value) + "\"");
  }
  if (options_.verbosity >= 8) {
    size_t limit = options_.verbosity >= 9 ? std::string::npos : 10240;
    if (!request.body.empty())
      options_.log("Request Body: " + RedactBody(request.body).substr(0, limit));
    if (!response.body.empty())
      options_.log("Response Body: " + RedactBody(response.body).substr(0, limit));
  }
}

// --- operations ------------------------------------------------------------------------------

namespace {

template <typename T>
void Fail(const std::function<void(Result<T>)>& done, const ApiError& e) {
  done(Result<T>(e));
}

Result<json> ParseBody(const Result<HttpResponse>& r) {
  if (!r)
    return r.error();
  json doc = json::parse(r.value().body, nullptr, false);
  if (doc.is_discarded()) {
    ApiError e;
    e.reason = Reason::kUnknown;
    e.code = r.value().status;
    e.message = "the server sent a response that is not JSON";
    return e;
  }
  return doc;
}

// A LIST page parsed without |drop| ("status", "metadata.managedFields"): the parser skips
// those values instead of building them.
Result<json> ParsePage(const Result<HttpResponse>& r, const std::set<std::string>& drop) {
  if (drop.empty() || !r)
    return ParseBody(r);
  // Keys of an item sit at depth 3 ({"items": [{...}]}), their fields at depth 4.
  std::string item_key;
  json::parser_callback_t filter = [&drop, &item_key](int depth, json::parse_event_t event,
                                                      json& parsed) {
    if (event != json::parse_event_t::key)
      return true;
    if (depth == 3) {
      item_key = parsed.get<std::string>();
      return !drop.count(item_key);
    }
    if (depth == 4)
      return !drop.count(item_key + "." + parsed.get<std::string>());
    return true;
  };
  json doc = json::parse(r.value().body, filter, false);
  if (doc.is_discarded())
    return ParseBody(r);  // the same error as without the filter
  return doc;
}

}  // namespace

void Client::GetAsync(const ResourceRef& ref, const std::string& ns, const std::string& name,
                      std::function<void(Result<json>)> done) {
  Start(Call::Of("GET", ref.Path(ns, name)),
        [done = std::move(done)](Result<HttpResponse> r) { done(ParseBody(r)); });
}

void Client::ListAsync(const ResourceRef& ref, const std::string& ns, const ListOptions& options,
                       std::function<void(json)> on_page, std::function<void()> on_restart,
                       std::function<void(Result<bool>)> done) {
  struct State {
    std::string base;
    std::string cont;
    int restarts = 0;
    std::set<std::string> drop;
    std::function<void(json)> on_page;
    std::function<void()> on_restart;
    std::function<void(Result<bool>)> done;
  };
  auto state = std::make_shared<State>();
  state->base = ref.Path(ns);
  if (options.limit > 0)
    state->base = WithParam(state->base, "limit", std::to_string(options.limit));
  if (!options.label_selector.empty())
    state->base = WithParam(state->base, "labelSelector", options.label_selector);
  if (!options.field_selector.empty())
    state->base = WithParam(state->base, "fieldSelector", options.field_selector);
  state->drop = options.drop_item_fields;
  state->on_page = std::move(on_page);
  state->on_restart = std::move(on_restart);
  state->done = std::move(done);
  // Each page's callback asks for the next, so pages arrive in order while other lists run.
  // The pending callback holds the chain; the chain itself holds only a weak reference.
  auto next = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> weak = next;
  *next = [this, state, weak]() {
    auto self = weak.lock();  // the caller holds a strong reference
    std::string path =
        state->cont.empty() ? state->base : WithParam(state->base, "continue", state->cont);
    Start(Call::Of("GET", path), [state, self](Result<HttpResponse> r) {
      Result<json> page = ParsePage(r, state->drop);
      if (!page) {
        // The snapshot behind the continue token is gone: start the list over (client-go's
        // pager does the same), a bounded number of times.
        if (page.error().reason == Reason::kExpired && !state->cont.empty() &&
            state->restarts < 3) {
          ++state->restarts;
          state->cont.clear();
          if (state->on_restart)
            state->on_restart();
          (*self)();
          return;
        }
        state->done(page.error());
        return;
      }
      state->cont = page.value()["metadata"].value("continue", "");
      state->on_page(std::move(page.value()));
      if (state->cont.empty()) {
        state->done(true);
        return;
      }
      (*self)();
    });
  };
  (*next)();
}

void Client::ApplyAsync(const ResourceRef& ref, const std::string& ns, const std::string& name,
                        const std::string& body, const ApplyOptions& options,
                        std::function<void(Result<json>)> done) {
  std::string path = WithParam(ref.Path(ns, name), "fieldManager", options.field_manager);
  if (options.force)
    path = WithParam(path, "force", "true");
  if (options.dry_run)
    path = WithParam(path, "dryRun", "All");
  if (!options.field_validation.empty())
    path = WithParam(path, "fieldValidation", options.field_validation);
  Call call = Call::Of("PATCH", path, body, "application/apply-patch+yaml");
  Start(std::move(call), [done = std::move(done)](Result<HttpResponse> r) { done(ParseBody(r)); });
}

void Client::DeleteAsync(const ResourceRef& ref, const std::string& ns, const std::string& name,
                         const DeleteOptions& options, std::function<void(Result<json>)> done) {
  json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (!options.propagation_policy.empty())
    body["propagationPolicy"] = options.propagation_policy;
  if (!options.precondition_uid.empty())
    body["preconditions"]["uid"] = options.precondition_uid;
  if (!options.precondition_resource_version.empty())
    body["preconditions"]["resourceVersion"] = options.precondition_resource_version;
  if (options.dry_run)
    body["dryRun"] = {"All"};
  Call call = Call::Of("DELETE", ref.Path(ns, name), body.dump(), "application/json");
  Start(std::move(call), [done = std::move(done)](Result<HttpResponse> r) { done(ParseBody(r)); });
}

template <typename T>
Result<T> Client::RunOne(const std::function<void(std::function<void(Result<T>)>)>& start) {
  std::optional<Result<T>> out;
  start([&out](Result<T> r) { out.emplace(std::move(r)); });
  Run();
  return std::move(*out);
}

Result<json> Client::GetJson(const std::string& path) {
  return RunOne<json>([this, &path](std::function<void(Result<json>)> done) {
    Start(Call::Of("GET", path), [done](Result<HttpResponse> r) { done(ParseBody(r)); });
  });
}

Result<json> Client::Get(const ResourceRef& ref, const std::string& ns, const std::string& name) {
  return RunOne<json>(
      [&](std::function<void(Result<json>)> done) { GetAsync(ref, ns, name, std::move(done)); });
}

Result<std::vector<json>> Client::List(const ResourceRef& ref, const std::string& ns,
                                       const ListOptions& options) {
  std::vector<json> items;
  Result<bool> r = RunOne<bool>([&](std::function<void(Result<bool>)> done) {
    ListAsync(
        ref, ns, options,
        [&items](json page) {
          for (json& item : page["items"])
            items.push_back(std::move(item));
        },
        [&items] { items.clear(); }, std::move(done));
  });
  if (!r)
    return r.error();
  return items;
}

Result<json> Client::Apply(const ResourceRef& ref, const std::string& ns, const std::string& name,
                           const std::string& body, const ApplyOptions& options) {
  return RunOne<json>([&](std::function<void(Result<json>)> done) {
    ApplyAsync(ref, ns, name, body, options, std::move(done));
  });
}

Result<json> Client::Delete(const ResourceRef& ref, const std::string& ns, const std::string& name,
                            const DeleteOptions& options) {
  return RunOne<json>([&](std::function<void(Result<json>)> done) {
    DeleteAsync(ref, ns, name, options, std::move(done));
  });
}

Result<Discovery> Client::Discover() {
  if (discovery_)
    return *discovery_;
  Result<json> core = GetJson("/api");
  if (!core)
    return core.error();
  Result<json> groups = GetJson("/apis");
  if (!groups)
    return groups.error();
  std::vector<std::string> versions;
  for (const json& v : core.value().value("versions", json::array()))
    versions.push_back(v.get<std::string>());
  for (const json& g : groups.value().value("groups", json::array())) {
    for (const json& v : g.value("versions", json::array()))
      versions.push_back(v.value("groupVersion", ""));
  }
  Discovery discovery;
  std::optional<ApiError> failed;
  for (const std::string& gv : versions) {
    std::string path = gv.find('/') == std::string::npos ? "/api/" + gv : "/apis/" + gv;
    Start(Call::Of("GET", path), [&discovery, &failed, gv](Result<HttpResponse> r) {
      Result<json> doc = ParseBody(r);
      if (!doc) {
        failed = doc.error();
        return;
      }
      std::vector<ApiResource>& list = discovery.resources[gv];
      for (const json& item : doc.value().value("resources", json::array())) {
        ApiResource res;
        res.name = item.value("name", "");
        res.kind = item.value("kind", "");
        res.namespaced = item.value("namespaced", false);
        for (const json& verb : item.value("verbs", json::array()))
          res.verbs.push_back(verb.get<std::string>());
        list.push_back(std::move(res));
      }
    });
  }
  Run();
  if (failed)
    return *failed;
  discovery_ = discovery;
  return discovery;
}

Result<bool> Client::Watch(const ResourceRef& ref, const std::string& ns,
                           const std::string& resource_version,
                           const std::function<bool(const WatchEvent&)>& on_event,
                           std::chrono::seconds timeout_per_request) {
  std::string rv = resource_version;
  bool stopped = false;
  std::optional<ApiError> expired;
  int failures = 0;
  while (!stopped && !expired) {
    std::string path = WithParam(ref.Path(ns), "watch", "1");
    path = WithParam(path, "allowWatchBookmarks", "true");
    path = WithParam(path, "timeoutSeconds", std::to_string(timeout_per_request.count()));
    if (!rv.empty())
      path = WithParam(path, "resourceVersion", rv);
    std::string buffer;
    Call call = Call::Of("GET", path);
    call.add_timeout = false;
    // Events are newline-delimited JSON; a chunk may end mid-line.
    call.on_data = [&](std::string_view chunk) {
      buffer.append(chunk);
      size_t start = 0, end;
      while ((end = buffer.find('\n', start)) != std::string::npos) {
        json line =
            json::parse(std::string_view(buffer).substr(start, end - start), nullptr, false);
        start = end + 1;
        if (!line.is_object())
          continue;
        WatchEvent event{line.value("type", ""), line.value("object", json::object())};
        if (event.type == "ERROR") {
          if (event.object.value("code", 0) == 410) {
            ApiError e;
            e.reason = Reason::kExpired;
            e.code = 410;
            e.message = event.object.value("message", "");
            expired = e;
            return false;
          }
          continue;
        }
        std::string next = event.object["metadata"].value("resourceVersion", "");
        if (!next.empty())
          rv = next;
        if (!on_event(event)) {
          stopped = true;
          return false;
        }
      }
      buffer.erase(0, start);
      return true;
    };
    // Not retried inside: a retry must resume from the last version seen, which this loop
    // does, instead of replaying the stream from the start.
    call.idempotent = false;
    Result<HttpResponse> r = RunOne<HttpResponse>(
        [&](std::function<void(Result<HttpResponse>)> done) { Start(call, std::move(done)); });
    if (r || stopped || expired) {
      failures = 0;
      continue;
    }
    Reason reason = r.error().reason;
    bool transient = reason == Reason::kTransport || reason == Reason::kTimeout ||
                     reason == Reason::kTooManyRequests || reason == Reason::kInternalError ||
                     reason == Reason::kServiceUnavailable || reason == Reason::kServerTimeout;
    if (!transient || ++failures >= options_.retry.max_attempts)
      return r.error();
    std::this_thread::sleep_for(Backoff(failures, r.error().retry_after));
  }
  if (expired)
    return *expired;
  return true;
}

}  // namespace starform::kube
