#include "plan/diagnostics.h"

#include <algorithm>

namespace starform {

std::string Diagnostic::ToString() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (mark.known()) {
      out += ':' + std::to_string(mark.line) + ':' + std::to_string(mark.column);
    }
    out += ": ";
  }
  if (severity == Severity::kWarning)
    out += "warning: ";
  if (!path.empty())
    out += path + ": ";
  out += message;
  return out;
}

void Diagnostics::Error(Mark mark, std::string path, std::string message) {
  items_.push_back(
      {Diagnostic::Severity::kError, file_, mark, std::move(path), std::move(message)});
}

void Diagnostics::Warning(Mark mark, std::string path, std::string message) {
  items_.push_back(
      {Diagnostic::Severity::kWarning, file_, mark, std::move(path), std::move(message)});
}

bool Diagnostics::has_errors() const {
  return std::any_of(items_.begin(), items_.end(), [](const Diagnostic& d) {
    return d.severity == Diagnostic::Severity::kError;
  });
}

void Diagnostics::SortByPosition() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.mark.line != b.mark.line)
      return a.mark.line < b.mark.line;
    return a.mark.column < b.mark.column;
  });
}

std::string Diagnostics::ToString() const {
  std::string out;
  for (const Diagnostic& d : items_)
    out += d.ToString() + '\n';
  return out;
}

}  // namespace starform
