#include "kube/schema_pattern.h"

#include <unordered_map>

namespace starform::kube {

Pattern::Pattern(std::string source)
    : source_(std::move(source)), backtracking_(source_, std::regex::ECMAScript) {}

std::shared_ptr<const Pattern> Pattern::Get(const std::string& source, std::string* error) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::weak_ptr<const Pattern>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto found = cache.find(source); found != cache.end()) {
    if (auto pattern = found->second.lock())
      return pattern;
  }
  try {
    auto pattern = std::make_shared<const Pattern>(source);
    cache[source] = pattern;
    return pattern;
  } catch (const std::regex_error& e) {
    if (error)
      *error = "pattern '" + source + "' does not compile: " + e.what();
    return nullptr;
  }
}

bool Pattern::Search(std::string_view text) const {
  if (text.size() <= kBacktrackingLimit) {
    return std::regex_search(text.begin(), text.end(), backtracking_);
  }
  std::call_once(polynomial_once_, [this] {
    try {
      polynomial_ = std::make_unique<std::regex>(
          source_, std::regex::ECMAScript | std::regex_constants::__polynomial);
    } catch (const std::regex_error&) {
      // Only a back-reference makes this fail; such a pattern keeps the backtracking executor.
    }
  });
  return std::regex_search(text.begin(), text.end(), polynomial_ ? *polynomial_ : backtracking_);
}

}  // namespace starform::kube
