// GET, LIST and WATCH.

#include <httplib.h>

#include <chrono>
#include <ctime>
#include <memory>

#include "devcluster/rest.h"
#include "devcluster/rest_util.h"
#include "devcluster/selector.h"
#include "devcluster/status.h"
#include "devcluster/table.h"

namespace starform::devcluster {

using nlohmann::json;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The fields each resource can be selected by, as the API server registers field label
// conversions (every type gets metadata.name and metadata.namespace).
std::vector<std::string> SupportedFields(const ResourceType& type) {
  std::vector<std::string> fields = {"metadata.name", "metadata.namespace"};
  if (type.group.empty() && type.resource == "events") {
    for (const char* f :
         {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
          "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
          "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"}) {
      fields.push_back(f);
    }
  } else if (type.group.empty() && type.resource == "secrets") {
    fields.push_back("type");
  } else if (type.group.empty() && type.resource == "namespaces") {
    fields.push_back("status.phase");
  }
  return fields;
}

// The label and field selectors of a request, as one predicate.
struct Selection {
  LabelSelector labels;
  FieldSelector fields;

  Selection(const ResourceType& type, const httplib::Request& req) {
    std::string error;
    if (!labels.Parse(Param(req, "labelSelector"), &error))
      throw BadRequest(error);
    if (!fields.Parse(Param(req, "fieldSelector"), SupportedFields(type), &error)) {
      throw BadRequest(error);
    }
  }
  bool empty() const { return labels.empty() && fields.empty(); }
  bool Matches(const json& object) const {
    if (!labels.empty()) {
      auto meta = object.find("metadata");
      static const json kNull;
      const json& l = meta != object.end() && meta->contains("labels") ? (*meta)["labels"] : kNull;
      if (!labels.Matches(l))
        return false;
    }
    return fields.empty() || fields.Matches(object);
  }
};

// The Table a read asked for (Accept: ...;as=Table), with the request's includeObject.
void WriteTable(const ResourceType& type, const std::vector<const json*>& objects,
                const TableListMeta& meta, const ResponseForm& form, const httplib::Request& req,
                httplib::Response& res) {
  IncludeObject include = ParseIncludeObject(Param(req, "includeObject"));
  nlohmann::ordered_json table = ToTable(type, objects, meta, "meta.k8s.io/" + form.table_version,
                                         include, std::chrono::system_clock::now());
  WriteJson(res, 200, table.dump());
}

}  // namespace

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string EncodeContinue(uint64_t rv, const std::string& last_key) {
  // The shape of the real token (meta.k8s.io/v1 continue), plus when it was issued so tokens
  // can expire by age as well as by compaction.
  json token = {{"v", "meta.k8s.io/v1"},
                {"rv", rv},
                {"start", last_key + std::string(1, '\0')},
                {"t", NowMs()}};
  return Base64UrlEncode(token.dump());
}

bool DecodeContinue(const std::string& text, uint64_t* rv, std::string* key, int64_t* issued_ms) {
  std::string raw;
  if (!Base64UrlDecode(text, &raw))
    return false;
  json token = json::parse(raw, nullptr, false);
  if (!token.is_object() || token.value("v", "") != "meta.k8s.io/v1")
    return false;
  if (!token["rv"].is_number_unsigned() || !token["start"].is_string())
    return false;
  *rv = token["rv"].get<uint64_t>();
  *key = token["start"].get<std::string>();
  if (!key->empty() && key->back() == '\0')
    key->pop_back();
  *issued_ms = token.value("t", int64_t{0});
  return true;
}

std::string RestApi::Serialize(const ResourceType& type, const Entry& entry) const {
  const json& object = *entry.object;
  auto it = object.find("apiVersion");
  if (it != object.end() && it->is_string() && *it == type.ApiVersion())
    return *entry.text;
  return AsVersion(type, object).dump();
}

json RestApi::AsVersion(const ResourceType& type, const json& object) const {
  // Versions of our CRDs differ only in apiVersion (conversion strategy None).
  json copy = object;
  copy["apiVersion"] = type.ApiVersion();
  return copy;
}

void RestApi::Get(const Target& t, const httplib::Request& req, httplib::Response& res) {
  ResponseForm form = NegotiateForm(req.get_header_value("Accept"));
  Entry entry = store_->Get(t.type->StoreKey(), t.ns, t.name);
  if (!entry)
    throw NotFound(*t.type, t.name);
  if (form.table) {
    json object = AsVersion(*t.type, *entry.object);
    TableListMeta meta{std::to_string(entry.rv), "", -1};
    WriteTable(*t.type, {&object}, meta, form, req, res);
    return;
  }
  WriteJson(res, 200, Serialize(*t.type, entry));
}

void RestApi::List(const Target& t, const httplib::Request& req, httplib::Response& res) {
  ResponseForm form = NegotiateForm(req.get_header_value("Accept"));
  Selection selection(*t.type, req);
  std::string cont = Param(req, "continue");
  std::string rv_param = Param(req, "resourceVersion");
  std::string match = Param(req, "resourceVersionMatch");
  std::string limit_param = Param(req, "limit");
  Store::ListOptions options;
  options.ns = t.ns;
  if (!limit_param.empty()) {
    try {
      long long limit = std::stoll(limit_param);
      if (limit > 0)
        options.limit = static_cast<size_t>(limit);
    } catch (const std::exception&) {
      throw BadRequest("limit: Invalid value: \"" + limit_param + "\"");
    }
  }
  uint64_t rv = ParseResourceVersion(rv_param);
  if (!match.empty() && match != "NotOlderThan" && match != "Exact") {
    throw BadRequest("resourceVersionMatch: Unsupported value: \"" + match +
                     "\": supported values: \"Exact\", \"NotOlderThan\"");
  }
  if (!cont.empty()) {
    if (rv != 0) {
      throw BadRequest("specifying resource version is not allowed when using continue");
    }
    int64_t issued = 0;
    if (!DecodeContinue(cont, &options.at_rv, &options.after_key, &issued)) {
      throw BadRequest(
          "continue key is not valid: incorrect encoded start resourceVersion "
          "(version meta.k8s.io/v1)");
    }
    bool too_old =
        NowMs() - issued >
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.continue_ttl).count();
    if (too_old || (options.at_rv != 0 && options.at_rv < store_->compacted_rv())) {
      // The 410 carries a token that continues from the same key at the current state.
      throw ContinueExpired(EncodeContinue(0, options.after_key));
    }
  } else if (rv != 0) {
    uint64_t now = store_->current_rv();
    if (rv > now) {
      StatusError e(
          504, "Timeout",
          "Too large resource version: " + std::to_string(rv) + ", current: " + std::to_string(now),
          json{{"causes", json::array({{{"reason", "ResourceVersionTooLarge"},
                                        {"message", "Too large resource version"}}})},
               {"retryAfterSeconds", 1}});
      throw e;
    }
    // An exact read (Exact, or the legacy "limit with a resourceVersion") reads that snapshot.
    if (match == "Exact" || (match.empty() && options.limit != 0))
      options.at_rv = rv;
  }
  if (!selection.empty()) {
    options.filter = [&selection](const json& o) { return selection.Matches(o); };
  }
  options.count_remaining = selection.empty();
  Store::ListResult result = store_->List(t.type->StoreKey(), options);
  if (result.compacted)
    throw TooOldResourceVersion(options.at_rv, store_->compacted_rv());

  if (form.table) {
    TableListMeta meta{std::to_string(result.rv), "", -1};
    if (!result.last_key.empty()) {
      meta.continue_token = EncodeContinue(result.rv, result.last_key);
      meta.remaining_item_count = result.remaining;
    }
    std::vector<json> objects;
    objects.reserve(result.items.size());
    for (const Entry& e : result.items)
      objects.push_back(AsVersion(*t.type, *e.object));
    std::vector<const json*> pointers;
    for (const json& o : objects)
      pointers.push_back(&o);
    return WriteTable(*t.type, pointers, meta, form, req, res);
  }
  std::string body;
  size_t total = 64;
  for (const Entry& e : result.items)
    total += e.text->size() + 1;
  body.reserve(total);
  json metadata = {{"resourceVersion", std::to_string(result.rv)}};
  if (!result.last_key.empty()) {
    metadata["continue"] = EncodeContinue(result.rv, result.last_key);
    if (result.remaining >= 0)
      metadata["remainingItemCount"] = result.remaining;
  }
  body += "{\"kind\":" + json(t.type->kind + "List").dump() +
          ",\"apiVersion\":" + json(t.type->ApiVersion()).dump() +
          ",\"metadata\":" + metadata.dump() + ",\"items\":[";
  for (size_t i = 0; i < result.items.size(); ++i) {
    if (i != 0)
      body += ',';
    body += Serialize(*t.type, result.items[i]);
  }
  body += "]}";
  WriteJson(res, 200, body);
}

void RestApi::Watch(const Target& t, const httplib::Request& req, httplib::Response& res) {
  struct State {
    std::unique_ptr<Selection> selection;
    const ResourceType* type;
    std::string ns;
    std::string name;
    uint64_t rv = 0;
    std::string pending;  // initial events not yet written
    std::chrono::steady_clock::time_point deadline;
    std::chrono::steady_clock::time_point last_bookmark;
    bool bookmarks = false;
    bool done = false;
  };
  auto state = std::make_shared<State>();
  state->selection = std::make_unique<Selection>(*t.type, req);
  state->type = t.type;
  state->ns = t.ns;
  state->name = t.name;  // the legacy /watch/.../NAME form
  state->bookmarks = Param(req, "allowWatchBookmarks") == "true";
  auto timeout = options_.max_watch_timeout;
  std::string timeout_param = Param(req, "timeoutSeconds");
  if (!timeout_param.empty()) {
    try {
      timeout = std::min(timeout, std::chrono::seconds(std::stoll(timeout_param)));
    } catch (const std::exception&) {
      throw BadRequest("timeoutSeconds: Invalid value: \"" + timeout_param + "\"");
    }
  }
  auto now = std::chrono::steady_clock::now();
  state->deadline = now + timeout;
  state->last_bookmark = now;

  auto event_line = [](const char* type, const std::string& object) {
    return std::string("{\"type\":\"") + type + "\",\"object\":" + object + "}\n";
  };
  auto matches = [state](const json& o) {
    if (!state->ns.empty() && o["metadata"].value("namespace", "") != state->ns)
      return false;
    if (!state->name.empty() && o["metadata"].value("name", "") != state->name)
      return false;
    return state->selection->Matches(o);
  };
  std::string rv_param = Param(req, "resourceVersion");
  uint64_t rv = ParseResourceVersion(rv_param);
  if (rv == 0) {
    // Unset or "0": the current state as synthetic ADDED events, then changes.
    Store::ListOptions options;
    options.ns = t.ns;
    Store::ListResult snapshot = store_->List(t.type->StoreKey(), options);
    state->rv = snapshot.rv;
    for (const Entry& e : snapshot.items) {
      if (matches(*e.object))
        state->pending += event_line("ADDED", Serialize(*t.type, e));
    }
    if (Param(req, "sendInitialEvents") == "true" && state->bookmarks) {
      json bookmark = {{"kind", t.type->kind},
                       {"apiVersion", t.type->ApiVersion()},
                       {"metadata",
                        {{"resourceVersion", std::to_string(state->rv)},
                         {"annotations", {{"k8s.io/initial-events-end", "true"}}}}}};
      state->pending += event_line("BOOKMARK", bookmark.dump());
    }
  } else {
    state->rv = rv;
  }

  Store* store = store_;
  auto bookmark_interval = options_.bookmark_interval;
  RestApi* self = this;
  res.status = 200;
  // "stream=watch" keeps httplib from gzip-buffering the stream (it compresses only exactly
  // "application/json"); clients parse the media type and ignore the parameter.
  res.set_chunked_content_provider(
      "application/json;stream=watch", [state, store, bookmark_interval, self, event_line, matches](
                                           size_t, httplib::DataSink& sink) {
        if (!state->pending.empty()) {
          std::string out;
          out.swap(state->pending);
          return sink.write(out.data(), out.size());
        }
        auto now = std::chrono::steady_clock::now();
        if (state->done || now >= state->deadline || store->shut_down()) {
          sink.done();
          return true;
        }
        std::vector<Event> events;
        auto wait_until = std::min(state->deadline, now + std::chrono::milliseconds(250));
        if (!store->EventsSince(state->type->StoreKey(), state->rv, wait_until, &events)) {
          StatusError gone = TooOldResourceVersion(state->rv, store->compacted_rv());
          std::string line = event_line("ERROR", gone.ToJson().dump());
          state->done = true;
          return sink.write(line.data(), line.size());
        }
        std::string out;
        for (const Event& e : events) {
          state->rv = e.rv;
          bool now_matches = matches(*e.entry.object);
          bool was_matching = e.prev && matches(*e.prev.object);
          const char* type = nullptr;
          if (e.type == EventType::kDeleted) {
            if (now_matches)
              type = "DELETED";
          } else if (now_matches) {
            type = was_matching ? "MODIFIED" : "ADDED";
          } else if (was_matching) {
            type = "DELETED";  // it left the selection
          }
          if (type != nullptr)
            out += event_line(type, self->Serialize(*state->type, e.entry));
        }
        if (events.empty()) {
          // Nothing of ours changed; the watch has seen everything up to now.
          state->rv = std::max(state->rv, std::min(store->current_rv(), state->rv + 0));
        }
        if (state->bookmarks && now - state->last_bookmark >= bookmark_interval) {
          state->last_bookmark = now;
          json bookmark = {{"kind", state->type->kind},
                           {"apiVersion", state->type->ApiVersion()},
                           {"metadata", {{"resourceVersion", std::to_string(state->rv)}}}};
          out += event_line("BOOKMARK", bookmark.dump());
        }
        if (out.empty())
          return sink.is_writable();
        return sink.write(out.data(), out.size());
      });
}

}  // namespace starform::devcluster
