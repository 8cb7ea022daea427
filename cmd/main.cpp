// kubectl-starform: the thin main. Everything it does lives in cmd/app.cpp and the subcommands.
#include <malloc.h>

#include "cmd/app.h"

int main(int argc, char** argv) {
  // A run builds and frees trees of hundreds of megabytes (a parsed document, then rendered
  // objects): keep freed memory in the heap for reuse instead of handing it back to the kernel
  // and taking page faults on it again. A short-lived command has no reason to shrink.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return starform::RunApp(argc, argv);
}
