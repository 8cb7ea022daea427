#include "cmd/app.h"

#include <cstdio>

namespace starform {

int RunApp(int argc, char** argv) {
  (void)argc;
  (void)argv;
  std::fputs("kubectl-starform: not yet\n", stderr);
  return 1;
}

}  // namespace starform
