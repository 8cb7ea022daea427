#pragma once

// Saved plan files on disk (plan --out FILE, show FILE, apply FILE): the bytes around
// plan/plan_file.h's document. A saved plan holds the exact bodies apply sends, so it is written
// atomically (never half a plan under the final name) and readable by its owner only.

#include <string>

#include <nlohmann/json.hpp>

#include "plan/plan.h"

namespace starform {

/// The text of a JSON document as kubectl-starform prints and saves it (-o json, plan files):
/// 4-space indentation, as kubectl's -o json, and a final newline. Invalid UTF-8 in strings is
/// replaced with U+FFFD rather than failing.
std::string FormatJsonDocument(const nlohmann::json& document);

/// Writes |document| (PlanFileDocument) to |path| atomically: a temporary file in the same
/// directory, created with mode 0600, written, fsync'd, then renamed over |path| (and the
/// directory fsync'd). On failure returns false, leaves no temporary file and |path| as it
/// was, and sets |error| to a message naming |path| ("write plan.out: No space left on device").
bool WritePlanFile(const std::string& path, const nlohmann::json& document, std::string* error);

/// Reads the saved plan at |path| ("-" for standard input) into |plan|. On failure returns false
/// and sets |error| to a message naming the file: "open plan.out: No such file or directory",
/// "plan.out: not JSON: parse error at line 1, column 1: ...", "plan.out:
/// resource_changes[3].address: missing".
bool ReadPlanFile(const std::string& path, Plan* plan, std::string* error);

}  // namespace starform
