#pragma once

// A small, fast YAML emitter for JSON values: what render, plan --diff and -o yaml print.
// yaml-cpp's emitter is too slow for rendering thousands of objects, and its layout and quoting
// differ from kubectl's; this one writes what `kubectl get -o yaml` writes (sigs.k8s.io/yaml,
// that is Go's yaml.v2 with its default 80-column folding), so our output and kubectl's diff
// cleanly against each other.
//
// Layout: block style, 2-space indent, keys in the json's order (nlohmann::json sorts them);
// sequences under a key start at the key's column ("spec:\n  rules:\n  - name: x"); an empty
// mapping is `{}`, an empty sequence `[]`.
//
// Scalars: null, true/false, integers as written; floats in the shortest form that reads back
// as the same double and still as a float ("1.0", "1.0e+21"). Strings are plain when that reads
// back as the same string under YAML 1.1 (what kubectl reads) and YAML 1.2 core schema (what
// yaml-cpp users read); otherwise quoted the way yaml.v2 quotes them: double quotes for strings
// that would resolve to another type ("true", "yes", "80", "", "2024-01-01") and for control or
// non-printable characters; single quotes for strings whose text cannot be plain ("*.x", "a: b",
// "- x", "@x", " x"); a literal block (`|`, `|-`, `|+`) for multi-line text. Long scalars with
// spaces fold at column 80 as yaml.v2 folds them, which reads back as the same string.
//
// Where yaml.v2 writes something that does not read back the same, this emitter is stricter:
// "<<" (a merge key to some parsers) and numbers that overflow a double ("1e400") are quoted,
// and U+2028/U+2029 are escaped rather than written raw inside a quoted or literal scalar.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace starform {

/// |value| as one YAML document, ending with a newline. Throws std::invalid_argument if a
/// string or key is not valid UTF-8 (as nlohmann::json::dump does): such text has no YAML form.
std::string ToYaml(const nlohmann::json& value);

/// Appends ToYaml(|value|) to |out|, so that callers building large outputs reuse one buffer.
void AppendYaml(const nlohmann::json& value, std::string* out);

/// |docs| as a YAML stream, "---\n" between documents as kubectl prints several objects.
std::string ToYamlStream(const std::vector<nlohmann::json>& docs);

}  // namespace starform
