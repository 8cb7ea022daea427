#pragma once

// A small, fast YAML emitter for JSON values: what render, plan --diff and -o yaml print.
// yaml-cpp's emitter is too slow for rendering thousands of objects, and its layout and quoting
// differ from kubectl's; this one writes what `kubectl get -o yaml` writes (sigs.k8s.io/yaml,
// that is Go's yaml.v2 with its default 80-column folding), so our output and kubectl's diff
// cleanly against each other.
//
// Layout: block style, 2-space indent, keys in the json's order (nlohmann::json sorts them by
// bytes, yaml.v2 puts digit runs in numeric order and other symbols before letters: "a2" "a10"
// "a_b" "aB" there, "a10" "a2" "aB" "a_b" here; the one difference in layout);
// sequences under a key start at the key's column ("spec:\n  rules:\n  - name: x"); an empty
// mapping is `{}`, an empty sequence `[]`; keys longer than 128 bytes or holding a line break
// take the explicit "? key\n: value" form.
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
// Where yaml.v2's text does not read back the same everywhere, this emitter is stricter: it
// quotes "<<" (a merge key to some readers), numbers that overflow a double ("1e400") and
// whatever a YAML 1.1 reader takes for a number or a time ("0x_", "2024-13-45"); it escapes
// U+2028/U+2029 (yaml.v2 writes them raw, as line breaks) and writes U+0085 as "\x85" (yaml-cpp
// misreads yaml.v2's "\N"); it keeps floats floats (yaml.v2 prints 1.0 as the int 1).

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
