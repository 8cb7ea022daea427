#include "cmd/args.h"

#include <cctype>

namespace starform {

std::vector<std::string> NormalizeArgs(std::vector<std::string> args) {
  std::vector<std::string> out;
  out.reserve(args.size() + 4);
  bool literal = false;
  for (std::string& arg : args) {
    if (literal) {
      out.push_back(std::move(arg));
      continue;
    }
    if (arg == "--") {
      literal = true;
      out.push_back(std::move(arg));
      continue;
    }
    // kubectl's klog flag is the long option --v, which CLI11 cannot name (one letter after
    // "--"): it is the same flag as -v.
    if (arg == "--v") {
      out.push_back("-v");
      continue;
    }
    if (arg.rfind("--v=", 0) == 0) {
      out.push_back("-v");
      out.push_back(arg.substr(4));
      continue;
    }
    // -n=foo: CLI11 would read the value as "=foo"; pflag reads it as "foo".
    if (arg.size() > 2 && arg[0] == '-' && std::isalpha(static_cast<unsigned char>(arg[1])) &&
        arg[2] == '=') {
      out.push_back(arg.substr(0, 2));
      out.push_back(arg.substr(3));
      continue;
    }
    out.push_back(std::move(arg));
  }
  return out;
}

}  // namespace starform
