#pragma once

// kubectl users type flags in spellings CLI11 2.1 does not take by itself: `-n=foo`, `-v=6` and
// `--v=6`. NormalizeArgs rewrites them into spellings CLI11 parses the same way kubectl does.

#include <string>
#include <vector>

namespace starform {

/// Returns |args| (without argv[0]) with `-x=value` split into `-x value` and `--v[=N]` spelt
/// `-v[ N]`. Arguments after a bare `--` are left alone.
std::vector<std::string> NormalizeArgs(std::vector<std::string> args);

}  // namespace starform
