// LoadDesiredState: parse, decode, validate, reporting everything found in one pass.

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "plan/decode_internal.h"
#include "plan/desired_state.h"
#include "plan/source_tree.h"

namespace starform {
namespace {

// Whether |path| is |rejected| or lies under it ("apps[0].hostnames" is under "apps[0]").
bool IsUnderRejected(std::string_view path, const std::unordered_set<std::string_view>& rejected) {
  if (rejected.count(path) != 0)
    return true;
  for (size_t i = path.size(); i-- > 0;) {
    if ((path[i] == '.' || path[i] == '[') && rejected.count(path.substr(0, i)) != 0)
      return true;
  }
  return false;
}

// Validation still runs after decode errors, so that one run reports every problem. What it
// would say about a value the decoder rejected (a count of 0 for a missing list, the default
// left in place of a mistyped field) only repeats the decoder; such findings are left out.
void ValidateAfterDecodeErrors(const DesiredState& state, const std::vector<std::string>& rejected,
                               Diagnostics* diags) {
  const std::unordered_set<std::string_view> rejected_set(rejected.begin(), rejected.end());
  if (rejected_set.count("") != 0)
    return;  // the document was not a mapping at all
  Diagnostics validation(diags->file());
  ValidateDesiredState(state, &validation);
  for (const Diagnostic& d : validation.all()) {
    if (IsUnderRejected(d.path, rejected_set))
      continue;
    if (d.severity == Diagnostic::Severity::kError) {
      diags->Error(d.mark, d.path, d.message);
    } else {
      diags->Warning(d.mark, d.path, d.message);
    }
  }
}

}  // namespace

bool LoadDesiredState(std::string_view text, const std::string& source, DesiredState* out,
                      Diagnostics* diags) {
  out->source = source;
  std::vector<std::string> rejected;
  bool decoded = false;
  {
    SourceNode doc;
    if (!ParseDocument(text, &doc, diags))
      return false;
    decoded = decode_internal::Decode(doc, out, diags, &rejected);
  }  // the tree goes before validation: for a big document it is most of the memory
  bool valid = false;
  if (decoded) {
    valid = ValidateDesiredState(*out, diags);
  } else {
    ValidateAfterDecodeErrors(*out, rejected, diags);
  }
  // Decoding and validation each go in document order; together, by position again.
  diags->SortByPosition();
  return decoded && valid;
}

}  // namespace starform
