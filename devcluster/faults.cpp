#include "devcluster/faults.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace starform::devcluster {
namespace {

constexpr std::string_view kVerbs[] = {"get",   "list",  "watch",  "create",           "update",
                                       "patch", "apply", "delete", "deletecollection", "*"};
constexpr std::string_view kWrites[] = {"create", "update",           "patch", "apply",
                                        "delete", "deletecollection", "*"};

bool IsOneOf(std::string_view s, auto&& list) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

// A plural as in URLs: lowercase DNS-label characters (and dots, for resource.group forms).
bool ValidResource(std::string_view s) {
  if (s == "*")
    return true;
  if (s.empty())
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

// A decimal in [0, 1].
std::optional<double> ParseProbability(std::string_view s) {
  if (s.empty() || s.size() > 20)
    return std::nullopt;
  bool dot = false;
  for (char c : s) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  double value = std::stod(std::string(s));
  if (value < 0 || value > 1)
    return std::nullopt;
  return value;
}

std::optional<int64_t> ParseUint(std::string_view s) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < 0)
    return std::nullopt;
  return value;
}

// "30ms", "1.5s", "2m": a whole number of milliseconds.
std::optional<std::chrono::milliseconds> ParseLatency(std::string_view s) {
  size_t digits = 0;
  while (digits < s.size() && ((s[digits] >= '0' && s[digits] <= '9') || s[digits] == '.')) {
    ++digits;
  }
  std::string_view number = s.substr(0, digits), unit = s.substr(digits);
  if (number.empty() || number.front() == '.' || number.back() == '.' ||
      std::count(number.begin(), number.end(), '.') > 1 || number.size() > 12) {
    return std::nullopt;
  }
  double scale;
  if (unit == "ms")
    scale = 1;
  else if (unit == "s")
    scale = 1e3;
  else if (unit == "m")
    scale = 60e3;
  else
    return std::nullopt;
  double ms = std::stod(std::string(number)) * scale;
  if (ms != std::floor(ms) || ms > 3600e3)
    return std::nullopt;  // at most an hour
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

std::string FormatLatency(std::chrono::milliseconds ms) {
  if (ms.count() != 0 && ms.count() % 1000 == 0)
    return std::to_string(ms.count() / 1000) + "s";
  return std::to_string(ms.count()) + "ms";
}

std::string FormatProbability(double p) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.6g", p);
  return buffer;
}

// --- Deterministic draws ---

uint64_t Mix(uint64_t x) {  // SplitMix64's finaliser
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

uint64_t HashString(std::string_view s) {  // FNV-1a
  uint64_t h = 0xCBF29CE484222325ULL;
  for (unsigned char c : s)
    h = (h ^ c) * 0x100000001B3ULL;
  return h;
}

// What a draw is for: each effect of each clause draws independently.
enum class Draw : uint64_t { kError = 1, kLatency, kDrop, kDropAt, kExpire, kConflict };

// A uniform number in [0, 1) for (seed, verb, resource, n, clause, draw).
double Uniform(uint64_t seed, uint64_t pair_hash, uint64_t n, size_t clause, Draw draw) {
  uint64_t h = Mix(seed);
  h = Mix(h ^ pair_hash);
  h = Mix(h ^ n);
  h = Mix(h ^ (static_cast<uint64_t>(clause) << 8 | static_cast<uint64_t>(draw)));
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

// --- Parsing ---

class Parser {
 public:
  Parser(std::string_view text, FaultSpec* spec, std::string* error)
      : text_(text), spec_(spec), error_(error) {}

  bool Parse() {
    bool seen_seed = false;
    size_t at = 0;
    while (true) {
      size_t end = text_.find(';', at);
      bool last = end == std::string_view::npos;
      if (last)
        end = text_.size();
      // Spaces around a clause are allowed ("seed=1; get:*:latency=5ms").
      size_t begin = at;
      while (begin < end && text_[begin] == ' ')
        ++begin;
      size_t stop = end;
      while (stop > begin && text_[stop - 1] == ' ')
        --stop;
      clause_ = text_.substr(begin, stop - begin);
      clause_at_ = begin;
      if (clause_.empty()) {
        if (!last)
          return Fail(begin, "empty clause");  // a trailing ';' is fine
      } else if (clause_.starts_with("seed=")) {
        if (seen_seed)
          return Fail(begin, "seed is given twice");
        auto seed = ParseUint(clause_.substr(5));
        if (!seed)
          return Fail(begin + 5, "the seed must be a non-negative integer");
        spec_->seed = static_cast<uint64_t>(*seed);
        seen_seed = true;
      } else if (!ParseRule()) {
        return false;
      }
      if (last)
        return true;
      at = end + 1;
    }
  }

 private:
  bool ParseRule() {
    FaultRule rule;
    rule.column = clause_at_ + 1;
    // verb:resource:setting[:setting...]
    std::vector<std::pair<size_t, std::string_view>> parts;
    size_t at = 0;
    while (true) {
      size_t end = std::min(clause_.find(':', at), clause_.size());
      parts.emplace_back(clause_at_ + at, clause_.substr(at, end - at));
      if (end == clause_.size())
        break;
      at = end + 1;
    }
    if (parts.size() < 3) {
      return Fail(clause_at_, "a clause is verb:resource:setting[:setting...] or seed=N");
    }
    rule.verb = std::string(parts[0].second);
    if (!IsOneOf(rule.verb, kVerbs)) {
      return Fail(parts[0].first, "unknown verb \"" + rule.verb +
                                      "\"; expected get, list, watch, create, update, patch, "
                                      "apply, delete, deletecollection or *");
    }
    rule.resource = std::string(parts[1].second);
    if (!ValidResource(rule.resource)) {
      return Fail(parts[1].first, "\"" + rule.resource +
                                      "\" is not a resource; expected a plural such as "
                                      "httproutes, or *");
    }
    bool has_rate = false;
    size_t rate_at = 0, retry_at = 0;
    std::vector<std::string_view> seen;
    for (size_t i = 2; i < parts.size(); ++i) {
      auto [column, part] = parts[i];
      size_t eq = part.find('=');
      std::string_view key = part.substr(0, eq);
      if (eq == std::string_view::npos)
        return Fail(column, "expected name=value, got \"" + std::string(part) + "\"");
      std::string_view value = part.substr(eq + 1);
      size_t value_at = column + eq + 1;
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        return Fail(column, "\"" + std::string(key) + "\" is given twice");
      }
      seen.push_back(key);
      if (key == "rate") {
        auto p = ParseProbability(value);
        if (!p)
          return Fail(value_at,
                      "rate must be a probability from 0 to 1, got \"" + std::string(value) + "\"");
        rule.error_rate = *p;
        has_rate = true;
        rate_at = column;
      } else if (key == "status") {
        auto status = ParseUint(value);
        if (!status || (*status != 429 && *status != 500 && *status != 503)) {
          return Fail(value_at,
                      "status must be 429, 500 or 503, got \"" + std::string(value) + "\"");
        }
        rule.status = static_cast<int>(*status);
      } else if (key == "retry-after") {
        auto seconds = ParseUint(value);
        if (!seconds || *seconds < 1 || *seconds > 3600) {
          return Fail(value_at, "retry-after must be whole seconds from 1 to 3600, got \"" +
                                    std::string(value) + "\"");
        }
        rule.retry_after_seconds = static_cast<int>(*seconds);
        retry_at = column;
      } else if (key == "latency") {
        size_t dash = value.find('-');
        auto lo = ParseLatency(value.substr(0, dash));
        auto hi = dash == std::string_view::npos ? lo : ParseLatency(value.substr(dash + 1));
        if (!lo || !hi) {
          return Fail(value_at,
                      "latency must be a duration such as 30ms, 1.5s or 2m, or a range "
                      "such as 10ms-200ms (whole milliseconds, at most 1h), got \"" +
                          std::string(value) + "\"");
        }
        if (*hi < *lo)
          return Fail(value_at, "the latency range " + std::string(value) + " is backwards");
        rule.latency_min = *lo;
        rule.latency_max = *hi;
      } else if (key == "drop" || key == "expire-continue" || key == "conflict") {
        auto p = ParseProbability(value);
        if (!p) {
          return Fail(value_at, std::string(key) + " must be a probability from 0 to 1, got \"" +
                                    std::string(value) + "\"");
        }
        if (key == "drop") {
          rule.drop_rate = *p;
        } else if (key == "expire-continue") {
          if (rule.verb != "list" && rule.verb != "*") {
            return Fail(column, "expire-continue applies to list requests, not " + rule.verb);
          }
          rule.expire_continue_rate = *p;
        } else {
          if (!IsOneOf(rule.verb, kWrites)) {
            return Fail(column, "conflict applies to writes, not " + rule.verb);
          }
          rule.conflict_rate = *p;
        }
      } else {
        return Fail(column, "unknown setting \"" + std::string(key) +
                                "\"; expected rate, status, retry-after, latency, drop, "
                                "expire-continue or conflict");
      }
    }
    if (has_rate && rule.status == 0)
      return Fail(rate_at, "rate needs a status (429, 500 or 503)");
    if (!has_rate && rule.status != 0)
      rule.error_rate = 1;
    if (rule.retry_after_seconds != 0 && rule.status == 0) {
      return Fail(retry_at, "retry-after needs a status (429, 500 or 503)");
    }
    spec_->rules.push_back(std::move(rule));
    return true;
  }

  bool Fail(size_t at, const std::string& why) {
    *error_ = "column " + std::to_string(at + 1) + " (in \"" + std::string(clause_) + "\"): " + why;
    return false;
  }

  std::string_view text_;
  FaultSpec* spec_;
  std::string* error_;
  std::string_view clause_;
  size_t clause_at_ = 0;
};

}  // namespace

bool FaultRule::Matches(std::string_view v, std::string_view r) const {
  bool verb_matches = verb == "*" || verb == v || (verb == "patch" && v == "apply");
  return verb_matches && (resource == "*" || resource == r);
}

bool ParseFaultSpec(std::string_view text, FaultSpec* spec, std::string* error) {
  FaultSpec parsed;
  if (!Parser(text, &parsed, error).Parse())
    return false;
  *spec = std::move(parsed);
  return true;
}

std::string FormatFaultSpec(const FaultSpec& spec) {
  std::string out = "seed=" + std::to_string(spec.seed);
  for (const FaultRule& rule : spec.rules) {
    out += ";" + rule.verb + ":" + rule.resource;
    if (rule.status != 0) {
      out +=
          ":rate=" + FormatProbability(rule.error_rate) + ":status=" + std::to_string(rule.status);
    }
    if (rule.retry_after_seconds != 0)
      out += ":retry-after=" + std::to_string(rule.retry_after_seconds);
    if (rule.latency_max.count() != 0) {
      out += ":latency=" + FormatLatency(rule.latency_min);
      if (rule.latency_max != rule.latency_min)
        out += "-" + FormatLatency(rule.latency_max);
    }
    if (rule.drop_rate != 0)
      out += ":drop=" + FormatProbability(rule.drop_rate);
    if (rule.expire_continue_rate != 0) {
      out += ":expire-continue=" + FormatProbability(rule.expire_continue_rate);
    }
    if (rule.conflict_rate != 0)
      out += ":conflict=" + FormatProbability(rule.conflict_rate);
  }
  return out;
}

size_t FaultDecision::DropAfter(size_t body_size) const {
  if (body_size <= 1)
    return 0;
  auto sent = static_cast<size_t>(drop_fraction * static_cast<double>(body_size));
  return std::clamp<size_t>(sent, 1, body_size - 1);
}

FaultDecision FaultInjector::DecideAt(std::string_view verb, std::string_view resource,
                                      uint64_t n) const {
  FaultDecision decision;
  uint64_t pair_hash = HashString(verb) ^ Mix(HashString(resource));
  bool write = IsOneOf(verb, kWrites);
  for (size_t i = 0; i < spec_.rules.size(); ++i) {
    const FaultRule& rule = spec_.rules[i];
    if (!rule.Matches(verb, resource))
      continue;
    auto draw = [&](Draw what) { return Uniform(spec_.seed, pair_hash, n, i, what); };
    // Latencies of all matching clauses add up.
    if (rule.latency_max.count() != 0) {
      auto span = rule.latency_max - rule.latency_min;
      decision.latency += rule.latency_min + std::chrono::milliseconds(static_cast<int64_t>(
                                                 draw(Draw::kLatency) * (span.count() + 1)));
    }
    // The first matching clause whose error hits decides the error.
    if (rule.status != 0 && decision.status == 0 && draw(Draw::kError) < rule.error_rate) {
      decision.status = rule.status;
      decision.retry_after_seconds = rule.retry_after_seconds;
    }
    if (rule.drop_rate != 0 && !decision.drop_connection && draw(Draw::kDrop) < rule.drop_rate) {
      decision.drop_connection = true;
      decision.drop_fraction = draw(Draw::kDropAt);
    }
    if (verb == "list" && draw(Draw::kExpire) < rule.expire_continue_rate) {
      decision.expire_continue = true;
    }
    if (write && draw(Draw::kConflict) < rule.conflict_rate)
      decision.write_conflict = true;
  }
  return decision;
}

FaultDecision FaultInjector::Decide(std::string_view verb, std::string_view resource) {
  if (spec_.rules.empty())
    return {};
  uint64_t n;
  {
    std::string key(verb);
    key += '\0';
    key += resource;
    std::lock_guard<std::mutex> lock(mutex_);
    n = counters_[key]++;
  }
  return DecideAt(verb, resource, n);
}

}  // namespace starform::devcluster
