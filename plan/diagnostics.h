#pragma once

// Diagnostics: errors and warnings about an input, each naming where (file:line:column) and which
// field (a path such as apps[3].rules[0].backends[0].port). Every stage that reads input collects
// them all instead of stopping at the first, so a user fixes a file in one pass.

#include <string>
#include <vector>

namespace starform {

/// A position in a source text, 1-based. line == 0 means "no position" (a defaulted value).
struct Mark {
  int line = 0;
  int column = 0;
  bool known() const { return line > 0; }
};

struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  std::string file;     ///< "desired.yaml", "<stdin>"; empty when not about a file
  Mark mark;            ///< where in |file|
  std::string path;     ///< field path, "apps[3].hostnames[0]"; empty for the whole document
  std::string message;  ///< what is wrong, lower-case start, no trailing period

  /// "file:line:column: path: message" (parts that are unknown are left out).
  std::string ToString() const;
};

/// An ordered collection of diagnostics for one input.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file = "") : file_(std::move(file)) {}

  void Error(Mark mark, std::string path, std::string message);
  void Warning(Mark mark, std::string path, std::string message);

  bool has_errors() const;
  const std::vector<Diagnostic>& all() const { return items_; }
  const std::string& file() const { return file_; }

  /// Stable order for output: by line, then column, then insertion order.
  void SortByPosition();
  /// Every diagnostic, one per line, each ending in '\n'.
  std::string ToString() const;

 private:
  std::string file_;
  std::vector<Diagnostic> items_;
};

}  // namespace starform
