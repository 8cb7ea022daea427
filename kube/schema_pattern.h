#pragma once

// A schema's `pattern`, compiled once and shared by every schema node that spells it the same
// (the Gateway API CRDs repeat a handful of patterns hundreds of times).

#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <string_view>

namespace starform::kube {

class Pattern {
 public:
  /// The compiled pattern for |source|, from a process-wide cache. nullptr and |error| set when
  /// std::regex (ECMAScript) cannot compile it.
  static std::shared_ptr<const Pattern> Get(const std::string& source, std::string* error);

  explicit Pattern(std::string source);  // use Get
  const std::string& source() const { return source_; }

  /// Whether the pattern matches anywhere in |text|, as Go's regexp.MatchString (which
  /// kube-openapi uses) does: unanchored unless the pattern says ^ or $.
  bool Search(std::string_view text) const;

 private:
  // libstdc++'s default (backtracking) executor recurses once per input character, so a long
  // string overflows the stack (about 200 bytes a character: 8 MiB is gone near 40,000). Short
  // strings use it, being the fastest; longer ones use the Thompson-NFA executor
  // (regex_constants::__polynomial, a libstdc++ extension), whose stack use does not grow with
  // the input. The patterns come from Go (RE2), so they have no back-references, which that
  // executor cannot run.
  static constexpr size_t kBacktrackingLimit = 2048;

  std::string source_;
  std::regex backtracking_;
  mutable std::once_flag polynomial_once_;
  mutable std::unique_ptr<std::regex> polynomial_;  // compiled on first long input
};

}  // namespace starform::kube
